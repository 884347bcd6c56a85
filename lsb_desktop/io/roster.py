"""Reading and writing the register of villages and communities (村（社区）名册) as .xlsx."""

from __future__ import annotations

import os
import secrets
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from io import BytesIO
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from lsb_desktop.domain.register import OrgType, UnitKind, infer_kind_from_name
from lsb_desktop.domain.roster import RosterExportRow, RosterProblem, RosterRead, RosterRow
from lsb_desktop.domain.text import (
    FORMULA_PREFIXES,
    canonical_name,
    clean,
    clean_text,
    parse_date,
    validate_person_name,
    validate_unit_name,
)
from lsb_desktop.errors import ValidationError

# The header must be within this many rows from the top of the sheet.
HEADER_SEARCH_ROWS = 20
# A township has 10-60 units, a district ~100: far more rows means the wrong file.
MAX_DATA_ROWS = 2000
# Rosters are a few kilobytes; refuse to load anything huge into memory.
MAX_FILE_BYTES = 50 * 1024 * 1024

TOTAL_WORDS = ("合计", "总计", "小计", "共计")

# field key -> (the label shown to the clerk, labels accepted in a header)
_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "order": ("序号", ("序号",)),
    "name": (
        "村（社区）名称",
        ("村（社区）名称", "名称", "村（社区）", "村/社区", "单位", "单位名称", "村名", "村（社区）全称"),
    ),
    "kind": ("类型", ("类型", "村/社区类型", "单位类型")),
    "district": ("管区", ("管区", "所属管区", "管区名称")),
    "org_type": ("党组织类型", ("党组织类型", "党组织", "组织类型", "党组织形式")),
    "secretary": ("党组织书记", ("党组织书记", "书记", "书记姓名", "党组织书记姓名")),
    "secretary_since": ("任职时间", ("任职时间", "任职日期", "书记任职时间", "任职起始日期")),
    "note": ("备注", ("备注",)),
}
_LABEL_TO_FIELD = {
    canonical_name(label): key for key, (_, labels) in _FIELDS.items() for label in labels
}

_CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2: old .xls, or an encrypted .xlsx
_ZIP_SIGNATURE = b"PK\x03\x04"
_SAVE_AS_HINT = "请在 Excel 或 WPS 中打开它，另存为“Excel 工作簿（*.xlsx）”后再导入"



@dataclass(frozen=True, slots=True)
class _CellError:
    """A cell holding an Excel error value (#REF!, #N/A, ...) as its cached result."""

    code: str


# ---------------------------------------------------------------------------- reading


def read_roster(path: Path) -> RosterRead:
    """Read a hand-made roster; raises ValidationError only when the file cannot be opened."""
    workbook = _open_workbook(Path(path))
    try:
        sheets = list(workbook.worksheets)
        for sheet in sheets:
            header = _find_header(sheet)
            if header is not None:
                return _read_sheet(sheet, *header)
    finally:
        workbook.close()
    message = "找不到表头：第一行应包含“村（社区）名称”或“名称”等列名"
    if len(sheets) > 1:
        message += f"（已查看全部 {len(sheets)} 个工作表的前 {HEADER_SEARCH_ROWS} 行）"
    first = sheets[0].title if sheets else ""
    return RosterRead((), (RosterProblem(first, None, "", "", message),), (), ())


def _open_workbook(path: Path) -> Workbook:
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ValidationError(f"无法读取文件“{name}”：文件太大，不像村（社区）名册")
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ValidationError(f"无法读取文件“{name}”：文件不存在") from exc
    except IsADirectoryError as exc:
        raise ValidationError(f"无法读取文件“{name}”：这是一个文件夹，不是文件") from exc
    except PermissionError as exc:
        raise ValidationError(
            f"无法读取文件“{name}”：没有读取权限，或文件正被其他程序占用"
        ) from exc
    except OSError as exc:
        raise ValidationError(f"无法读取文件“{name}”：{exc.strerror or exc}") from exc

    if data.startswith(_CFB_SIGNATURE):
        # Excel and WPS wrap a password-protected .xlsx in the same OLE2 container as .xls.
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise ValidationError(
                f"无法读取文件“{name}”：文件设置了打开密码。"
                "请在 Excel 或 WPS 中取消密码，另存为 .xlsx 后再导入"
            )
        raise ValidationError(
            f"无法读取文件“{name}”：这是旧版 Excel 97-2003 格式（.xls）。{_SAVE_AS_HINT}"
        )
    invalid = f"无法读取文件“{name}”：不是有效的 Excel 文件（.xlsx）。{_SAVE_AS_HINT}"
    if not data.startswith(_ZIP_SIGNATURE):
        raise ValidationError(invalid)
    try:
        # Files saved by WPS and other tools make openpyxl warn about styles and extensions
        # it drops; none of that matters for reading values, and the clerk cannot act on it.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # The bytes are passed, not the path, so a valid workbook with an odd extension
            # still opens; data_only gives the values Excel cached for formula cells.
            return load_workbook(BytesIO(data), read_only=False, data_only=True)
    except Exception as exc:  # noqa: BLE001 - a damaged zip fails in many different ways
        raise ValidationError(invalid) from exc


def _find_header(sheet: Worksheet) -> tuple[int, dict[int, str]] | None:
    """The header row and its labels by column, or None when no name column is found."""
    last = min(HEADER_SEARCH_ROWS, sheet.max_row)
    for row_number, values in enumerate(
        sheet.iter_rows(min_row=1, max_row=last, values_only=True), start=1
    ):
        labels = {
            column: clean(value)
            for column, value in enumerate(values, start=1)
            if not isinstance(value, (int, float, date)) and clean(value)
        }
        if any(_LABEL_TO_FIELD.get(_label_key(label)) == "name" for label in labels.values()):
            return row_number, labels
    return None


def _label_key(label: str) -> str:
    # A required-field marker (村（社区）名称*) is common in templates; it is not part of the name.
    return canonical_name(label).strip("*")


def _read_sheet(sheet: Worksheet, header_row: int, labels: dict[int, str]) -> RosterRead:
    title = sheet.title
    columns: dict[str, int] = {}
    ignored: list[str] = []
    problems: list[RosterProblem] = []
    for column, label in labels.items():
        key = _LABEL_TO_FIELD.get(_label_key(label))
        if key is None:
            ignored.append(label)
        elif key in columns:
            field = _FIELDS[key][0]
            first = get_column_letter(columns[key])
            here = get_column_letter(column)
            problems.append(RosterProblem(
                title, header_row, here, field,
                f"表头中{first}列“{labels[columns[key]]}”和{here}列“{label}”都表示{field}，"
                "请删掉或改名其中一列",
            ))
        else:
            columns[key] = column
    if problems:
        return RosterRead((), tuple(problems), (), tuple(ignored))

    data_rows = _data_rows(sheet, header_row)
    if data_rows is None:
        message = (f"表头下面超过 {MAX_DATA_ROWS} 行数据，这不像村（社区）名册，"
                   "请检查是否选错了文件")
        return RosterRead((), (RosterProblem(title, None, "", "", message),), (), tuple(ignored))
    if not data_rows:
        message = f"第{header_row}行表头下面没有村（社区）数据"
        return RosterRead((), (RosterProblem(title, None, "", "", message),), (), tuple(ignored))

    rows: list[RosterRow] = []
    skipped: list[str] = []
    first_row_of: dict[str, int] = {}
    after_total = False
    for row_number, values in data_rows:
        parser = _RowParser(title, row_number, columns, values)
        total = parser.total_word()
        if total is not None:
            skipped.append(f"第{row_number}行：{total}行，已跳过")
            after_total = True
            continue
        if after_total and parser.text("name") == "":
            # Below the total row, a line without a unit name is a footer (填表人：…, 审核：…).
            skipped.append(f"第{row_number}行：合计行之后的说明文字，已跳过")
            continue
        row = parser.parse(first_row_of)
        problems.extend(parser.problems)
        if row is not None:
            rows.append(row)
    return RosterRead(tuple(rows), tuple(problems), tuple(skipped), tuple(ignored))


def _data_rows(
    sheet: Worksheet, header_row: int
) -> list[tuple[int, tuple[object, ...]]] | None:
    """The non-blank rows below the header, merged cells filled in; None when too many."""
    last_row = sheet.max_row
    # openpyxl keeps a merged block's value in its top-left cell only; a 管区 written once
    # for a block of villages belongs to every row of the block.
    filled: dict[tuple[int, int], object] = {}
    for merged in sheet.merged_cells.ranges:
        if merged.min_row <= header_row:
            continue
        top = _value_of(sheet.cell(merged.min_row, merged.min_col))
        for row_number in range(merged.min_row + 1, min(merged.max_row, last_row) + 1):
            filled[(row_number, merged.min_col)] = top

    rows: list[tuple[int, tuple[object, ...]]] = []
    for row_number, cells in enumerate(
        sheet.iter_rows(min_row=header_row + 1, max_row=last_row), start=header_row + 1
    ):
        values = tuple(
            filled.get((row_number, column), _value_of(cell))
            for column, cell in enumerate(cells, start=1)
        )
        if all(_text(item) == "" for item in values):
            continue
        rows.append((row_number, values))
        if len(rows) > MAX_DATA_ROWS:
            return None
    return rows


def _value_of(cell: object) -> object:
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", None) == "e" and value is not None:
        return _CellError(str(value))
    return value


def _text(value: object) -> str:
    """A cell value as text: whole numbers without '.0', dates without midnight."""
    if isinstance(value, _CellError):
        return value.code
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean(value)


class _RowParser:
    """Turns one data row into a RosterRow, collecting every problem it has."""

    def __init__(
        self, sheet: str, row: int, columns: dict[str, int], values: tuple[object, ...]
    ) -> None:
        self.sheet = sheet
        self.row = row
        self.columns = columns
        self.values = values
        self.problems: list[RosterProblem] = []

    def value(self, key: str) -> object:
        column = self.columns.get(key)
        return self.values[column - 1] if column is not None else None

    def total_word(self) -> str | None:
        """合计 (or 总计, ...) when the name or 序号 cell marks a total row."""
        for key in ("name", "order"):
            word = canonical_name(_text(self.value(key)))
            if word in TOTAL_WORDS:
                return word
        return None

    def problem(self, key: str, message: str) -> None:
        column = self.columns.get(key)
        letter = get_column_letter(column) if column is not None else ""
        self.problems.append(RosterProblem(self.sheet, self.row, letter, _FIELDS[key][0], message))

    def text(self, key: str) -> str | None:
        """The cell's text, '' when empty; None (and a problem) for an Excel error value."""
        raw = self.value(key)
        if isinstance(raw, _CellError):
            self.problem(key, f"单元格是公式错误“{raw.code}”，请在 Excel 中改正后再导入")
            return None
        return _text(raw)

    def parse(self, first_row_of: dict[str, int]) -> RosterRow | None:
        name = self._name(first_row_of)
        kind = self._kind(name)
        org_type = self._org_type()
        district = self._district()
        secretary = self._secretary()
        since = self._since(secretary)
        order = self._order()
        note = self._note()
        if self.problems:
            # Report left to right as the clerk reads the row; a missing column goes last.
            self.problems.sort(key=lambda p: (not p.column, len(p.column), p.column))
            return None
        assert name is not None and kind is not None and org_type is not None
        return RosterRow(
            sheet=self.sheet, row=self.row, name=name, kind=kind, org_type=org_type,
            district=district or "", secretary=secretary or "", secretary_since=since,
            display_order=order, note=note or "",
        )

    def _name(self, first_row_of: dict[str, int]) -> str | None:
        text = self.text("name")
        if text is None:
            return None
        try:
            name = validate_unit_name(text)
        except ValidationError as exc:
            self.problem("name", exc.message)
            return None
        if name in first_row_of:
            self.problem("name", f"村（社区）名称“{name}”与第{first_row_of[name]}行重名")
        else:
            first_row_of[name] = self.row
        return name

    def _kind(self, name: str | None) -> UnitKind | None:
        text = self.text("kind")
        if text is None:
            return None
        if text:
            try:
                return UnitKind.parse(text)
            except ValidationError as exc:
                self.problem("kind", exc.message)
                return None
        if name is None:
            return None  # the name already has a problem; guessing from it would add noise
        kind = infer_kind_from_name(name)
        if kind is None:
            where = "在“类型”列" if "kind" in self.columns else "增加“类型”列并"
            self.problem(
                "kind",
                f"“{name}”的名称不以“村”或“社区”结尾，无法判断是村还是社区，"
                f"请{where}填写“村”或“社区”",
            )
        return kind

    def _org_type(self) -> OrgType | None:
        text = self.text("org_type")
        if text is None:
            return None
        if not text:
            return OrgType.BRANCH
        try:
            return OrgType.parse(text)
        except ValidationError as exc:
            self.problem("org_type", exc.message)
            return None

    def _district(self) -> str | None:
        text = self.text("district")
        if not text:
            return text
        try:
            return validate_unit_name(text, "管区名称")
        except ValidationError as exc:
            self.problem("district", exc.message)
            return None

    def _secretary(self) -> str | None:
        text = self.text("secretary")
        if not text:
            return text
        try:
            return validate_person_name(text)
        except ValidationError as exc:
            self.problem("secretary", exc.message)
            return None

    def _since(self, secretary: str | None) -> date | None:
        raw = self.value("secretary_since")
        text = self.text("secretary_since")
        if not text:
            return None
        try:
            since = parse_date(raw, "任职时间")
        except ValidationError as exc:
            self.problem("secretary_since", exc.message)
            return None
        if secretary == "":
            self.problem("secretary_since", "填写了任职时间，但没有填写党组织书记")
        return since

    def _order(self) -> int | None:
        raw = self.value("order")
        if isinstance(raw, bool) or isinstance(raw, _CellError):
            return None
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if isinstance(raw, int):
            return raw if raw > 0 else None
        text = _text(raw)
        # 序号 is only a sort hint: anything but a plain positive number is left out.
        return int(text) if text.isascii() and text.isdigit() and int(text) > 0 else None

    def _note(self) -> str | None:
        text = self.text("note")
        raw = self.value("note")
        if text and isinstance(raw, str):
            text = clean_text(raw)  # keep the note's Chinese punctuation as typed
        if text and any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
            self.problem("note", "备注含有不可见的控制字符，请删掉后重新输入")
            return None
        return text


# ---------------------------------------------------------------------------- writing

EXPORT_SHEET_TITLE = "村（社区）名册"
_EXPORT_COLUMNS = (
    # (header, width in Excel character units; a Chinese character takes about two)
    ("序号", 6),
    ("村（社区）名称", 22),
    ("类型", 8),
    ("管区", 12),
    ("党组织类型", 12),
    ("党组织书记", 12),
    ("任职时间", 13),
    ("状态", 8),
    ("备注", 30),
)
_FONT_NAME = "宋体"
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


def write_roster(path: Path, rows: Sequence[RosterExportRow], title: str) -> None:
    """Write the roster as a printable sheet; the file is replaced only when complete."""
    path = Path(path)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = EXPORT_SHEET_TITLE
    _fill_sheet(sheet, rows, title)
    _save_atomically(workbook, path)


def _fill_sheet(sheet: Worksheet, rows: Sequence[RosterExportRow], title: str) -> None:
    width = len(_EXPORT_COLUMNS)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    heading = sheet.cell(1, 1)
    _put_text(heading, title)
    heading.font = Font(name=_FONT_NAME, size=16, bold=True)
    heading.alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 32

    header_font = Font(name=_FONT_NAME, size=11, bold=True)
    header_fill = PatternFill(fill_type="solid", start_color="D9D9D9", end_color="D9D9D9")
    for column, (label, column_width) in enumerate(_EXPORT_COLUMNS, start=1):
        cell = sheet.cell(2, column, label)
        cell.font = header_font
        cell.fill = header_fill
        cell.border = _BORDER
        cell.alignment = _CENTRE
        sheet.column_dimensions[get_column_letter(column)].width = column_width
    sheet.row_dimensions[2].height = 22

    body_font = Font(name=_FONT_NAME, size=11)
    for index, item in enumerate(rows, start=1):
        row_number = index + 2
        values: tuple[object, ...] = (
            index, item.name, item.kind, item.district, item.org_type,
            item.secretary, item.secretary_since, item.status, item.note,
        )
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row_number, column)
            if isinstance(value, str):
                _put_text(cell, value)
            else:
                cell.value = value
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            cell.font = body_font
            cell.border = _BORDER
            cell.alignment = _LEFT if column == width else _CENTRE

    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "1:2"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_PORTRAIT
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "第 &P 页 共 &N 页"
    sheet.oddFooter.center.font = _FONT_NAME
    sheet.oddFooter.center.size = 10


def _put_text(cell: Cell, value: str) -> None:
    cell.value = value
    if value.startswith(FORMULA_PREFIXES):
        # openpyxl turns "=..." into a formula; a note like "=SUM(A1)" must stay text, and
        # the quote prefix keeps it text when the clerk later edits the cell in Excel.
        cell.data_type = "s"
        cell.quotePrefix = True


def _save_atomically(workbook: Workbook, path: Path) -> None:
    name = path.name
    temporary = path.with_name(f".~{path.stem}.{secrets.token_hex(4)}.tmp.xlsx")
    try:
        try:
            workbook.save(temporary)
        except PermissionError as exc:
            raise ValidationError(
                f"无法写入“{name}”：没有在文件夹“{path.parent}”中写文件的权限，请换一个文件夹"
            ) from exc
        except FileNotFoundError as exc:
            raise ValidationError(f"无法写入“{name}”：文件夹“{path.parent}”不存在") from exc
        except OSError as exc:
            raise ValidationError(f"无法写入“{name}”：{exc.strerror or exc}") from exc
        try:
            os.replace(temporary, path)
        except PermissionError as exc:
            raise ValidationError(
                f"无法写入“{name}”：文件可能正在被 Excel 或 WPS 打开，请关闭后重试"
            ) from exc
        except OSError as exc:
            raise ValidationError(f"无法写入“{name}”：{exc.strerror or exc}") from exc
    finally:
        temporary.unlink(missing_ok=True)
