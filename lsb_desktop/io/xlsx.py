"""Shared .xlsx plumbing: opening with Chinese errors, cell values, headers, styles, saving."""

from __future__ import annotations

import os  # noqa: F401 - the tests replace os.replace through this module
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from io import BytesIO
from pathlib import Path
from typing import Generic, TypeVar

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from lsb_desktop.domain.text import FORMULA_PREFIXES, canonical_name, clean, fit_excel_cell
from lsb_desktop.errors import ValidationError
from lsb_desktop.io.atomic import write_atomically
from lsb_desktop.io.xlsx_guard import MAX_FILE_BYTES, check_xlsx

P = TypeVar("P")  # a file's problem type (RosterProblem, FileProblem)
T = TypeVar("T")

# A header must be within this many rows from the top of the sheet.
HEADER_SEARCH_ROWS = 20

TOTAL_WORDS = ("合计", "总计", "小计", "共计")

_CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2: old .xls, or an encrypted .xlsx
_ZIP_SIGNATURE = b"PK\x03\x04"
_SAVE_AS_HINT = "请在 Excel 或 WPS 中打开它，另存为“Excel 工作簿（*.xlsx）”后再导入"


# ---------------------------------------------------------------------------- opening


def read_xlsx_bytes(path: Path, what: str) -> bytes:
    """The file's bytes once they look like an .xlsx and hold no more than a township's file
    can (the limits of xlsx_guard); `what` names the expected document (村（社区）名册, 评分表)
    in the message for a file far too big to be one."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ValidationError(f"无法读取文件“{name}”：文件太大，不像{what}")
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ValidationError(f"无法读取文件“{name}”：文件不存在") from exc
    except IsADirectoryError as exc:
        raise ValidationError(f"无法读取文件“{name}”：这是一个文件夹，不是文件") from exc
    except PermissionError as exc:
        raise ValidationError(f"无法读取文件“{name}”：没有读取权限，或文件正被其他程序占用") from exc
    except OSError as exc:
        raise ValidationError(f"无法读取文件“{name}”：{exc.strerror or exc}") from exc

    if data.startswith(_CFB_SIGNATURE):
        # Excel and WPS wrap a password-protected .xlsx in the same OLE2 container as .xls.
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise ValidationError(
                f"无法读取文件“{name}”：文件设置了打开密码。请在 Excel 或 WPS 中取消密码，另存为 .xlsx 后再导入"
            )
        raise ValidationError(f"无法读取文件“{name}”：这是旧版 Excel 97-2003 格式（.xls）。{_SAVE_AS_HINT}")
    if not data.startswith(_ZIP_SIGNATURE):
        raise ValidationError(_invalid(name))
    check_xlsx(data, name)  # before openpyxl parses anything
    return data


def load_xlsx(data: bytes, name: str, *, data_only: bool = True) -> Workbook:
    """A workbook from bytes already checked by read_xlsx_bytes; `name` is for messages.

    data_only gives the values Excel cached for formula cells; without it, formula cells
    hold their formula text."""
    try:
        # Files saved by WPS and other tools make openpyxl warn about styles and extensions
        # it drops; none of that matters for reading values, and the clerk cannot act on it.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # The bytes are passed, not the path, so a valid workbook with an odd extension
            # still opens. Not read-only: merged cells are only known in the full mode.
            return load_workbook(BytesIO(data), read_only=False, data_only=data_only)
    except Exception as exc:
        raise ValidationError(_invalid(name)) from exc


def open_workbook(path: Path, what: str) -> Workbook:
    """Open an .xlsx for reading values; ValidationError in Chinese when it cannot be."""
    path = Path(path)
    return load_xlsx(read_xlsx_bytes(path, what), path.name)


def _invalid(name: str) -> str:
    return f"无法读取文件“{name}”：不是有效的 Excel 文件（.xlsx）。{_SAVE_AS_HINT}"


# ---------------------------------------------------------------------------- cells


@dataclass(frozen=True, slots=True)
class CellError:
    """A cell holding an Excel error value (#REF!, #N/A, ...) as its cached result."""

    code: str


def cell_value(cell: object) -> object:
    """The cell's value, with an Excel error value wrapped in CellError."""
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", None) == "e" and value is not None:
        return CellError(str(value))
    return value


def cell_text(value: object) -> str:
    """A cell value as text: whole numbers without '.0', dates without midnight."""
    if isinstance(value, CellError):
        return value.code
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # beyond 15 digits a float is no whole number anyone typed
    return clean(value)


def label_key(label: str) -> str:
    """A header label compared by its canonical spelling; a required-field marker
    (村（社区）名称*) is common in templates and is not part of the label."""
    return canonical_name(label).strip("*")


def merged_fill(
    sheet: Worksheet, *, first_row: int = 1, last_row: int | None = None, whole: bool = False
) -> dict[tuple[int, int], object]:
    """Values for the cells hidden under merged blocks whose top row is within
    [first_row, last_row]: each gets its block's top-left value.

    openpyxl keeps a merged block's value in its top-left cell only. With `whole` every
    hidden cell is filled (a header spanning columns); without, only the cells below the
    top-left one (a 管区 written once for a block of villages), so a signature line merged
    across a row does not spill into the columns it covers."""
    bottom = sheet.max_row
    filled: dict[tuple[int, int], object] = {}
    for merged in sheet.merged_cells.ranges:
        if merged.min_row < first_row or (last_row is not None and merged.min_row > last_row):
            continue
        top = cell_value(sheet.cell(merged.min_row, merged.min_col))
        last_column = merged.max_col if whole else merged.min_col
        for row_number in range(merged.min_row, min(merged.max_row, bottom) + 1):
            for column in range(merged.min_col, last_column + 1):
                if (row_number, column) != (merged.min_row, merged.min_col):
                    filled[(row_number, column)] = top
    return filled


def header_rows(
    sheet: Worksheet,
    filled: dict[tuple[int, int], object] | None = None,
    limit: int = HEADER_SEARCH_ROWS,
) -> Iterator[tuple[int, dict[int, str]]]:
    """The first `limit` rows as (row number, {column: label}) for a header search: text
    cells only, numbers and dates left out; `filled` overlays merged cells."""
    last = min(limit, sheet.max_row)
    for row_number, values in enumerate(sheet.iter_rows(min_row=1, max_row=last, values_only=True), start=1):
        labels: dict[int, str] = {}
        for column, value in enumerate(values, start=1):
            if filled is not None:
                value = filled.get((row_number, column), value)
            if isinstance(value, CellError):
                value = value.code
            if not isinstance(value, (int, float, date)) and clean(value):
                labels[column] = clean(value)
        yield row_number, labels


def data_rows(sheet: Worksheet, header_row: int, limit: int) -> list[tuple[int, tuple[object, ...]]] | None:
    """The non-blank rows below the header, merged blocks filled down; None when there are
    more than `limit` of them (the wrong file)."""
    filled = merged_fill(sheet, first_row=header_row + 1)
    rows: list[tuple[int, tuple[object, ...]]] = []
    for row_number, cells in enumerate(
        sheet.iter_rows(min_row=header_row + 1, max_row=sheet.max_row), start=header_row + 1
    ):
        values = tuple(filled.get((row_number, column), cell_value(cell)) for column, cell in enumerate(cells, start=1))
        if all(cell_text(item) == "" for item in values):
            continue
        rows.append((row_number, values))
        if len(rows) > limit:
            return None
    return rows


class RowParser(Generic[P]):
    """One data row of an imported sheet, read through its header's columns (field key →
    1-based column), collecting every problem it has. The shared part of the roster's and the
    commitments' row readers: each subclass says how a problem is named in its file
    (`problem`), which fields mark a total row (TOTAL_KEYS), and parses its own fields."""

    TOTAL_KEYS: tuple[str, ...] = ()

    def __init__(self, sheet: str, row: int, columns: dict[str, int], values: tuple[object, ...]) -> None:
        self.sheet = sheet
        self.row = row
        self.columns = columns
        self.values = values
        self.problems: list[P] = []

    def problem(self, key: str, message: str) -> None:
        raise NotImplementedError

    def has(self, key: str) -> bool:
        return key in self.columns

    def value(self, key: str) -> object:
        """The cell under the field's column; None without that column (or past the row's end)."""
        column = self.columns.get(key)
        if column is None or column > len(self.values):
            return None
        return self.values[column - 1]

    def total_word(self) -> str | None:
        """合计 (or 总计, ...) when one of TOTAL_KEYS' cells marks a total row."""
        for key in self.TOTAL_KEYS:
            word = canonical_name(cell_text(self.value(key)))
            if word in TOTAL_WORDS:
                return word
        return None

    def formula_error(self, key: str, raw: object) -> bool:
        """True (and a problem) when the cell holds an Excel error value rather than data."""
        if isinstance(raw, CellError):
            self.problem(key, f"单元格是公式错误“{raw.code}”，请在 Excel 中改正后再导入")
            return True
        return False

    def parsed(self, key: str, parse: Callable[[object], T]) -> T | None:
        """`parse` of the cell; None (and a problem) for an error value or a ValidationError,
        None for no column or an empty cell."""
        if not self.has(key):
            return None
        raw = self.value(key)
        if self.formula_error(key, raw) or cell_text(raw) == "":
            return None
        try:
            return parse(raw)
        except ValidationError as exc:
            self.problem(key, exc.message)
            return None


# ---------------------------------------------------------------------------- sheets

# A sheet's state in the workbook: the clerk sees neither a hidden nor a very hidden one
# (the latter not even in Excel's 取消隐藏 list).
HIDDEN_STATES = ("hidden", "veryHidden")


def is_hidden(sheet: Worksheet) -> bool:
    return getattr(sheet, "sheet_state", "visible") in HIDDEN_STATES


def hidden_label(sheet: Worksheet) -> str:
    """How a hidden sheet is named in a message, with where Excel hides it."""
    if getattr(sheet, "sheet_state", "visible") == "veryHidden":
        return (
            f"工作表“{sheet.title}”是“深度隐藏”的工作表（在 Excel 的“取消隐藏”中也看不到，"
            "要在 VBA 编辑器中把 Visible 改为 -1）"
        )
    return f"工作表“{sheet.title}”是隐藏的工作表（在 Excel 中右键点工作表标签，选“取消隐藏”可以看到）"


def sheet_is_empty(sheet: Worksheet) -> bool:
    """No cell of the sheet holds anything (formatting alone does not count)."""
    return first_cell(sheet, lambda value: cell_text(value) != "") is None


def first_cell(sheet: Worksheet, wanted: Callable[[object], bool]) -> tuple[int, int, object] | None:
    """(row, column, value) of the first cell, row by row, whose value `wanted` accepts.

    The guard (xlsx_guard) has bounded the sheet's cells before it was parsed, so a whole
    sheet can be walked."""
    for row_number, cells in enumerate(sheet.iter_rows(values_only=False), start=1):
        for column, cell in enumerate(cells, start=1):
            value = cell_value(cell)
            if value is not None and wanted(value):
                return row_number, column, value
    return None


# ---------------------------------------------------------------------------- writing

FONT_NAME = "宋体"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
HEADER_FILL = PatternFill(fill_type="solid", start_color="D9D9D9", end_color="D9D9D9")
PAGE_FOOTER = "第 &P 页 共 &N 页"


def put_text(cell: Cell, value: str) -> None:
    """Write text that stays text, even when it starts like a formula; a text longer than a
    cell holds (32,767 characters) is cut with a visible mark and noted (fit_excel_cell)."""
    value = fit_excel_cell(value, f"工作表“{cell.parent.title}”第 {cell.row} 行 {cell.column_letter}列")
    cell.value = value
    if value.startswith(FORMULA_PREFIXES):
        # openpyxl turns "=..." into a formula; a note like "=SUM(A1)" must stay text, and
        # the quote prefix keeps it text when the clerk later edits the cell in Excel.
        cell.data_type = "s"
        cell.quotePrefix = True


def text_width(text: str, size: float = 11) -> float:
    """Roughly how many column-width units `text` needs in a CJK font at `size` points: a
    Chinese character is about two digits wide, and the width unit is one 11-point digit.
    Chinese fonts draw the curly quotes “” full-width too."""
    units = sum(2 if ord(char) > 0x2E7F or 0x2018 <= ord(char) <= 0x201D else 1 for char in text)
    return units * size / 11


def write_title(
    sheet: Worksheet,
    row: int,
    width: int,
    text: str,
    *,
    size: int = 16,
    bold: bool = True,
    height: float = 32,
    font: str = FONT_NAME,
    wrap: bool = False,
) -> Cell:
    """A line merged across `width` columns and centred (a sheet title); `wrap` lets a
    title longer than the table break onto a second line (give it the height for that)."""
    if width > 1:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    cell = sheet.cell(row, 1)
    put_text(cell, text)
    cell.font = Font(name=font, size=size, bold=bold)
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=wrap or None)
    sheet.row_dimensions[row].height = height
    return cell


def set_up_printing(
    sheet: Worksheet, title_rows: str, *, landscape: bool = False, a3: bool = False, font: str = FONT_NAME
) -> None:
    """One page wide, as many pages tall as needed, title rows repeated, centred, page
    numbers in the footer."""
    sheet.print_title_rows = title_rows
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A3 if a3 else sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE if landscape else sheet.ORIENTATION_PORTRAIT
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = PAGE_FOOTER
    sheet.oddFooter.center.font = font
    sheet.oddFooter.center.size = 10


def save_atomically(workbook: Workbook, path: Path) -> None:
    """Save into memory, then write the bytes in one go beside `path` and move them into place
    (lsb_desktop.io.atomic): never a half-written file, nothing left on a full or read-only disk,
    and openpyxl never holds a file of its own open when the disk fills up."""
    buffer = BytesIO()
    workbook.save(buffer)
    write_atomically(path, buffer.getvalue())


_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
MAX_SHEET_TITLE = 31


def sheet_title(name: str, taken: set[str], fallback: str) -> str:
    """An Excel sheet title for `name`: at most 31 characters, none of []:*?/\\, not starting
    or ending with an apostrophe, not Excel's reserved "History", and unique among `taken`
    (Excel compares titles ignoring case; `taken` is updated). `fallback` names a blank."""
    base = _BAD_TITLE.sub("_", name).strip("'").strip() or fallback
    if base.casefold() == "history":
        base += "_"
    base = base[:MAX_SHEET_TITLE]
    title = base
    number = 2
    while title.casefold() in taken:
        suffix = f"({number})"
        title = base[: MAX_SHEET_TITLE - len(suffix)] + suffix
        number += 1
    taken.add(title.casefold())
    return title
