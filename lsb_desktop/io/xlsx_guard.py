"""The limits of what an imported .xlsx may hold, checked on the zip and its XML before openpyxl.

openpyxl (in the full mode the importers need for merged cells) builds a Python object for
every cell of a sheet's used rectangle, for every cell under a merged block or a hyperlink
range, and parses every XML part it knows. One cell at XFD1048576 in a 5 KB file, a merged
block over the whole sheet or a part that inflates to gigabytes is enough to take the machine.
So the file is inspected first, without extracting it: the zip's directory (number of parts,
declared sizes, compression ratio), then every XML part streamed through expat (no DTD, no
entities), counting what each worksheet really holds. Memory stays at the size of one read
buffer; the first limit passed stops the reading with a Chinese message naming the sheet,
row and column. The limits are far above any township's real files (60 villages, a few
hundred commitments, 40 judges x 60 units x 10 criteria as a one-row-per-score table)."""

from __future__ import annotations

import math
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from typing import NoReturn
from xml.parsers import expat

from lsb_desktop.errors import ValidationError

# ---------------------------------------------------------------------------- the limits

# The .xlsx file itself, as it lies on the disk. The files read here are a few hundred KB.
MAX_FILE_BYTES = 50 * 1024 * 1024
# Parts in the zip: a workbook of 40 judge sheets has about 130 (sheet, its relations, print
# settings); Excel's own files of a few sheets hold 10-20.
MAX_PARTS = 1000
# Worksheets in one workbook: one per judge (5-40), plus a few.
MAX_SHEETS = 200
# Any one part once inflated: a 24,000-row score table is about 5 MB of sheet XML.
MAX_PART_BYTES = 32 * 1024 * 1024
# All parts together once inflated.
MAX_TOTAL_BYTES = 128 * 1024 * 1024
# Inflated size over compressed size, for parts of more than RATIO_FLOOR bytes: sheet XML
# compresses about 5-20 times; a zip bomb, hundreds or a thousand times.
MAX_COMPRESSION_RATIO = 200
RATIO_FLOOR = 1024 * 1024
# Rows and columns a sheet may use (the highest row and column of any cell, merged block,
# hyperlink or comment). The longest real file is a one-row-per-score table: a township's
# largest (40 judges x 60 units x 10 criteria) has 24,000 rows, a usual one (7 judges x
# 40 units x 15 criteria) 4,200. Rosters have 10-100 rows, commitments a few hundred.
MAX_ROWS = 30_000
MAX_COLUMNS = 200
# openpyxl keeps an object per cell of each sheet's used rectangle (rows x columns) and of
# each merged block, about 600 bytes each all told: 150,000 cells keep the command line under
# 200 MB and the window (140 MB before the import) under 300 MB. The 24,000-row table of
# 5 columns is 120,000 cells; the usual one 21,000; 40 judge sheets of 60 x 20, 48,000.
MAX_CELLS = 150_000
# Excel's own limit for the text of one cell.
MAX_CELL_CHARS = 32_767
# The text of a number in the XML: Excel writes at most 17 digits and an exponent.
MAX_NUMBER_CHARS = 40
# Row and column formatting records (<row>, <col>) of a sheet; each is an object in openpyxl.
MAX_ROW_RECORDS = MAX_ROWS
MAX_COL_RECORDS = 16_384
# Shared strings: never more than cells to put them in.
MAX_SHARED_STRINGS = MAX_CELLS

_READ_CHUNK = 64 * 1024

_SAVE_AS_HINT = "请在 Excel 或 WPS 中打开它，另存为“Excel 工作簿（*.xlsx）”后再导入"
_TRIM_HINT = "请删去多余的内容后再导入"

_XML_NAME = re.compile(r"\.(xml|rels|vml)$", re.IGNORECASE)
_COORDINATE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,9})$")
# Excel writes numbers as 12, -0.5, 1.5E-3; NaN, INF and hex are not numbers in an .xlsx.
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,4})?$")


def _mib(count: int) -> str:
    return f"{count / (1024 * 1024):.0f} MB"


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _column_number(letters: str) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


class _Refused(Exception):
    """Raised from inside an expat callback; carries the message without the file name."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------- the zip


def check_xlsx(data: bytes, name: str) -> None:
    """Refuse, with a Chinese ValidationError naming `name`, an .xlsx (already known to start
    like a zip) that holds more than the limits above, or XML with a DTD or entities."""
    try:
        _Inspection(data).run()
    except _Refused as exc:
        raise ValidationError(f"无法读取文件“{name}”：{exc.message}") from None
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,
        RuntimeError,
        KeyError,
    ) as exc:
        # A damaged or truncated zip: its directory or a part's data cannot be read.
        raise ValidationError(
            f"无法读取文件“{name}”：不是有效的 Excel 文件（.xlsx），文件已损坏或不完整。{_SAVE_AS_HINT}"
        ) from exc


@dataclass
class _Sheet:
    title: str
    part: str
    rels: dict[str, str] = field(default_factory=dict)


class _Inspection:
    def __init__(self, data: bytes) -> None:
        self.archive = zipfile.ZipFile(BytesIO(data))
        self.infos = {info.filename: info for info in self.archive.infolist()}
        self.long_strings: set[int] = set()
        self.cells = 0  # the used rectangles and merged blocks of the sheets so far

    def run(self) -> None:
        self._directory()
        self._kind()
        strings = self._shared_strings_part()
        if strings is not None:
            strings_handler = _SharedStrings()
            _scan(self.archive, strings, strings_handler, "共享字符串表")
            self.long_strings = strings_handler.long
        done = {strings, self.workbook_part}
        for sheet in self.sheets:
            if sheet.part not in self.infos:
                continue
            handler = _Worksheet(sheet.title, self)
            _scan(self.archive, sheet.part, handler, f"工作表“{sheet.title}”")
            handler.finish()
            done.add(sheet.part)
            for target in sheet.rels.values():
                # openpyxl puts each comment on its cell, making the cell if need be.
                if target in self.infos and "comments" in posixpath.basename(target).lower():
                    _scan(self.archive, target, _Comments(handler), f"工作表“{sheet.title}”的批注")
                    handler.finish()
                    done.add(target)
        for part in self.infos:
            if part not in done and self._is_xml(part):
                _scan(self.archive, part, _PlainXml(), _part_label(part))

    # -- the directory

    def _directory(self) -> None:
        infos = self.archive.infolist()
        if len(infos) > MAX_PARTS:
            raise _Refused(
                f"文件由 {len(infos)} 个部分组成（Excel 工作簿一般只有几十个，最多允许 "
                f"{MAX_PARTS} 个），这不像评比用的 Excel 文件"
            )
        if len(self.infos) != len(infos):
            raise _Refused(f"文件中有重名的部分，文件已损坏。{_SAVE_AS_HINT}")
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise _Refused("文件设置了密码。请在 Excel 或 WPS 中取消密码，另存为 .xlsx 后再导入")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise _Refused(f"文件的压缩方式不是 Excel 使用的方式，不是有效的 Excel 文件（.xlsx）。{_SAVE_AS_HINT}")
            label = _part_label(info.filename)
            if info.file_size > MAX_PART_BYTES:
                raise _Refused(
                    f"{label}解压后有 {_mib(info.file_size)}，超出了本程序能读取的范围"
                    f"（每部分最多 {_mib(MAX_PART_BYTES)}），{_TRIM_HINT}"
                )
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
                ratio = info.file_size // max(info.compress_size, 1)
                raise _Refused(
                    f"{label}压缩了 {ratio} 倍（正常的 Excel 文件不超过 "
                    f"{MAX_COMPRESSION_RATIO} 倍），像是恶意构造的“压缩炸弹”文件，已拒绝读取"
                )
            total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise _Refused(
                f"文件解压后共有 {_mib(total)}，超出了本程序能读取的范围（最多 {_mib(MAX_TOTAL_BYTES)}），{_TRIM_HINT}"
            )

    def _kind(self) -> None:
        """An .xlsx has a workbook part; name the other office formats a clerk may pick."""
        names = {name.lower() for name in self.infos}
        if "mimetype" in names:
            kind = self.archive.read(next(n for n in self.infos if n.lower() == "mimetype"))[:100]
            if b"opendocument" in kind:
                raise _Refused(f"这是 OpenDocument 格式（.ods/.odt）的文件，不是 Excel 文件（.xlsx）。{_SAVE_AS_HINT}")
        if "word/document.xml" in names:
            raise _Refused("这是 Word 文档，不是 Excel 表格。请选择 Excel 文件（.xlsx）")
        if "ppt/presentation.xml" in names:
            raise _Refused("这是 PowerPoint 演示文稿，不是 Excel 表格。请选择 Excel 文件（.xlsx）")
        if "xl/workbook.bin" in names:
            raise _Refused(f"这是 Excel 二进制工作簿（.xlsb），本程序不能读取。{_SAVE_AS_HINT}")
        if "[content_types].xml" not in names:
            raise _Refused(f"不是有效的 Excel 文件（.xlsx）。{_SAVE_AS_HINT}")
        workbook_part = self._workbook_part()
        if workbook_part is None:
            raise _Refused(f"文件中没有工作簿，不是有效的 Excel 文件（.xlsx）。{_SAVE_AS_HINT}")
        self.workbook_part = workbook_part
        self.sheets = self._sheet_list()

    def _workbook_part(self) -> str | None:
        rels = self._rels("")
        for target in rels.values():
            if target.lower().endswith("workbook.xml") and target in self.infos:
                return target
        return "xl/workbook.xml" if "xl/workbook.xml" in self.infos else None

    def _rels(self, part: str) -> dict[str, str]:
        """A part's relationships (id → the target's part name), from its _rels file."""
        folder, base = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", f"{base}.rels")
        if rels_part not in self.infos:
            return {}
        handler = _Relationships(folder)
        _scan(self.archive, rels_part, handler, _part_label(rels_part))
        return handler.targets

    def _sheet_list(self) -> list[_Sheet]:
        handler = _WorkbookSheets()
        _scan(self.archive, self.workbook_part, handler, "工作簿")
        if len(handler.sheets) > MAX_SHEETS:
            raise _Refused(
                f"工作簿有 {len(handler.sheets)} 个工作表，超出了本程序能读取的范围"
                f"（最多 {MAX_SHEETS} 个），{_TRIM_HINT}"
            )
        rels = self._rels(self.workbook_part)
        self.workbook_rels = rels
        sheets = []
        for title, rel_id in handler.sheets:
            part = rels.get(rel_id)
            if part is not None:
                sheets.append(_Sheet(title, part, self._rels(part)))
        return sheets

    def _shared_strings_part(self) -> str | None:
        for target in self.workbook_rels.values():
            if posixpath.basename(target).lower() == "sharedstrings.xml" and target in self.infos:
                return target
        return None

    def _is_xml(self, part: str) -> bool:
        if _XML_NAME.search(part):
            return True
        with self.archive.open(part) as stream:
            head = stream.read(4)
        return head.startswith((b"<", b"\xef\xbb\xbf<", b"\xff\xfe", b"\xfe\xff"))


def _local(name: str) -> str:
    return name.rpartition(":")[2] if ":" in name else name


def _part_label(part: str) -> str:
    return f"文件中的“{part}”"


# ---------------------------------------------------------------------------- XML


class _Handler:
    """expat callbacks; element names as written, perhaps with a prefix (see _local)."""

    def start(self, name: str, attrs: dict[str, str]) -> None:
        pass

    def end(self, name: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass


class _PlainXml(_Handler):
    """Any XML part: only the DTD and entity checks of _scan apply."""


def _refuse_dtd(*_args: object) -> NoReturn:
    raise _Refused("文件中含有 DTD 或实体声明（Excel 从不写这些，这是恶意构造文件的常见手法），已拒绝读取")


def _scan(archive: zipfile.ZipFile, part: str, handler: _Handler, label: str) -> None:
    """Stream `part` through expat, in chunks, never holding it whole; no DTD, no entities."""
    # Without namespace processing, for speed: element names may carry a prefix (x:c), which
    # the handlers drop.
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.UnparsedEntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.text
    try:
        with archive.open(part) as stream:
            while True:
                chunk = stream.read(_READ_CHUNK)
                parser.Parse(chunk, not chunk)
                if not chunk:
                    break
    except expat.ExpatError as exc:
        if exc.code == expat.errors.codes[expat.errors.XML_ERROR_INVALID_TOKEN]:
            what = "含有 XML 中不允许的字符（如 NUL 等控制字符）"
        elif exc.code == expat.errors.codes[expat.errors.XML_ERROR_UNDEFINED_ENTITY]:
            what = "引用了未声明的实体"
        else:
            what = "格式不正确"
        raise _Refused(
            f"{label}{what}（第 {exc.lineno} 行第 {exc.offset + 1} 个字符），"
            f"文件已损坏或不是 Excel 保存的。{_SAVE_AS_HINT}"
        ) from None


class _Relationships(_Handler):
    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.targets: dict[str, str] = {}

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            path = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(self.folder, target))
            )
            self.targets[attrs.get("Id", "")] = path


class _WorkbookSheets(_Handler):
    def __init__(self) -> None:
        self.sheets: list[tuple[str, str]] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "sheet":
            rel_id = next((value for key, value in attrs.items() if _local(key) == "id"), "")
            self.sheets.append((attrs.get("name", ""), rel_id))
            if len(self.sheets) > MAX_SHEETS:
                raise _Refused(f"工作簿的工作表超过 {MAX_SHEETS} 个，超出了本程序能读取的范围，{_TRIM_HINT}")


class _SharedStrings(_Handler):
    """Counts the strings and notes which are longer than a cell may hold."""

    def __init__(self) -> None:
        self.count = 0
        self.length = 0
        self.long: set[int] = set()

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "si":
            self.length = 0

    def text(self, data: str) -> None:
        self.length += len(data)

    def end(self, name: str) -> None:
        if _local(name) == "si":
            if self.length > MAX_CELL_CHARS:
                self.long.add(self.count)
            self.count += 1
            if self.count > MAX_SHARED_STRINGS:
                raise _Refused(
                    f"共享字符串表有超过 {MAX_SHARED_STRINGS} 个字符串，超出了本程序能读取的范围，{_TRIM_HINT}"
                )


def _place(title: str, row: int, column: int) -> str:
    return f"工作表“{title}”第 {row} 行、第 {column_letters(column)} 列"


def _coordinate(ref: str, title: str) -> tuple[int, int]:
    match = _COORDINATE.match(ref.strip())
    if not match:
        raise _Refused(f"工作表“{title}”中有无效的单元格地址“{ref[:20]}”，文件已损坏。{_SAVE_AS_HINT}")
    return int(match.group(2)), _column_number(match.group(1))


class _Worksheet(_Handler):
    """Follows a sheet's XML the way openpyxl places cells, refusing the first thing beyond
    the limits; keeps the used rectangle to add to the workbook's cell count."""

    def __init__(self, title: str, inspection: _Inspection) -> None:
        self.title = title
        self.inspection = inspection
        self.max_row = 0
        self.max_column = 0
        self.merged = 0  # cells under merged blocks and hyperlink ranges
        self.row = 0
        self.column = 0
        self.row_records = 0
        self.col_records = 0
        self.in_data = False
        self.cell: tuple[int, int] | None = None
        self.cell_type = "n"
        self.has_content = False
        self.value: list[str] = []
        self.value_length = 0
        self.element = ""
        self.dimension = ""
        self.counted = 0

    # -- limits

    def _within(self, row: int, column: int, what: str) -> None:
        if row > MAX_ROWS or column > MAX_COLUMNS:
            raise _Refused(
                f"{_place(self.title, row, column)}{what}，超出了本程序能读取的范围"
                f"（最多 {MAX_ROWS} 行、{MAX_COLUMNS} 列），{_TRIM_HINT}"
            )

    def _range(self, ref: str, what: str) -> None:
        first, _, last = ref.partition(":")
        top, left = _coordinate(first, self.title)
        bottom, right = _coordinate(last, self.title) if last else (top, left)
        top, bottom = min(top, bottom), max(top, bottom)
        left, right = min(left, right), max(left, right)
        if bottom > MAX_ROWS or right > MAX_COLUMNS:
            raise _Refused(
                f"工作表“{self.title}”的{what} {ref} 超出了本程序能读取的范围"
                f"（最多 {MAX_ROWS} 行、{MAX_COLUMNS} 列），{_TRIM_HINT}"
            )
        self.merged += (bottom - top + 1) * (right - left + 1)
        self._extend(bottom, right)

    def _extend(self, row: int, column: int) -> None:
        self.max_row = max(self.max_row, row)
        self.max_column = max(self.max_column, column)

    def finish(self) -> None:
        """Add this sheet's rectangle to the workbook's count of cells openpyxl will make."""
        area = self.max_row * self.max_column + self.merged
        total = self.inspection.cells + area - self.counted
        if total > MAX_CELLS:
            corner = f"A1:{column_letters(self.max_column)}{self.max_row}"
            raise _Refused(
                f"工作表“{self.title}”用到了 {corner} 的范围（{self.max_row} 行 × "
                f"{self.max_column} 列），加上其他工作表共约 {total} 个单元格，超出了本程序"
                f"能读取的范围（最多 {MAX_CELLS} 个），{_TRIM_HINT}"
            )
        self.inspection.cells = total
        self.counted = area

    # -- expat

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if ":" in name:
            name = _local(name)
        self.element = name
        if name == "c" and self.in_data:
            ref = attrs.get("r")
            if ref:
                row, column = _coordinate(ref, self.title)
            else:
                row, column = self.row, self.column + 1
            self.column = column
            self.cell = (row, column)
            self.cell_type = attrs.get("t", "n")
            self.has_content = False
            self.value = []
            self.value_length = 0
            # Checked at once: a huge row or column number is refused before anything else.
            if row > MAX_ROWS or column > MAX_COLUMNS:
                self._within(row, column, "有内容或格式")
        elif name == "row" and self.in_data:
            ref = attrs.get("r")
            if ref:
                if not ref.isdigit() or len(ref) > 9:
                    raise _Refused(f"工作表“{self.title}”中有无效的行号“{ref[:20]}”，文件已损坏。{_SAVE_AS_HINT}")
                self.row = int(ref)
            else:
                self.row += 1
            self.column = 0
            self.row_records += 1
            if self.row_records > MAX_ROW_RECORDS:
                # Rows of formatting only: each is an object in openpyxl all the same.
                raise _Refused(
                    f"工作表“{self.title}”第 {self.row} 行超出了本程序能读取的范围（最多 {MAX_ROWS} 行），{_TRIM_HINT}"
                )
        elif name in ("v", "is", "f") and self.cell is not None:
            self.has_content = True
        elif name == "sheetData":
            self.in_data = True
        elif name == "mergeCell":
            self._range(attrs.get("ref", ""), "合并单元格")
        elif name == "hyperlink":
            self._range(attrs.get("ref", ""), "超链接范围")
        elif name == "col":
            self.col_records += 1
            if self.col_records > MAX_COL_RECORDS:
                raise _Refused(f"工作表“{self.title}”的列格式记录过多，文件已损坏。{_SAVE_AS_HINT}")
        elif name == "dimension":
            # Only informative: openpyxl's full mode sizes a sheet by the cells really there
            # (counted above), so a <dimension> claiming A1:XFD1048576 over a few cells is harmless.
            self.dimension = attrs.get("ref", "")

    def text(self, data: str) -> None:
        if self.cell is None or self.element not in ("v", "t", "f"):
            return
        self.value_length += len(data)
        if self.value_length > MAX_CELL_CHARS:
            row, column = self.cell
            raise _Refused(
                f"{_place(self.title, row, column)}的单元格超过 {MAX_CELL_CHARS} 个字"
                f"（Excel 一个单元格最多能放这么多），{_TRIM_HINT}"
            )
        if self.element == "v" and self.value_length - len(data) <= MAX_NUMBER_CHARS:
            self.value.append(data[: MAX_NUMBER_CHARS + 1])  # enough to judge and to quote

    def end(self, name: str) -> None:
        if ":" in name:
            name = _local(name)
        if self.cell is not None:
            if name == "v":
                self._value("".join(self.value).strip(), self.cell)
                self.value, self.value_length = [], 0
            elif name == "f":
                self.value_length = 0  # a formula and its cached value are counted apart
            elif name == "c":
                row, column = self.cell
                self._extend(row, column)
                self.cell = None
        if name == "sheetData":
            self.in_data = False
        self.element = ""

    def _value(self, text: str, cell: tuple[int, int]) -> None:
        row, column = cell
        if not text:
            return
        if self.cell_type == "n":
            if self.value_length > MAX_NUMBER_CHARS or not _NUMBER.match(text) or not math.isfinite(float(text)):
                shown = text[:20] + ("…" if len(text) > 20 else "")
                raise _Refused(
                    f"{_place(self.title, row, column)}的数值“{shown}”不是 Excel 能表示的数字"
                    f"（如 NaN、无穷大或位数过多），文件不是 Excel 保存的。{_SAVE_AS_HINT}"
                )
        elif self.cell_type == "s":
            if text.isdigit() and len(text) < 10 and int(text) in self.inspection.long_strings:
                raise _Refused(
                    f"{_place(self.title, row, column)}的单元格超过 {MAX_CELL_CHARS} 个字"
                    f"（Excel 一个单元格最多能放这么多），{_TRIM_HINT}"
                )


class _Comments(_Handler):
    """A sheet's comments: openpyxl puts each on its cell, making the cell if need be."""

    def __init__(self, sheet: _Worksheet) -> None:
        self.sheet = sheet

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "comment":
            self.sheet._range(attrs.get("ref", ""), "批注位置")
