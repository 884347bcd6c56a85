"""Reading and writing the register of villages and communities (村（社区）名册) as .xlsx."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from lsb_desktop.domain.register import OrgType, UnitKind, infer_kind_from_name, is_since_always
from lsb_desktop.domain.roster import RosterExportRow, RosterProblem, RosterRead, RosterRow
from lsb_desktop.domain.text import (
    canonical_name,
    clean_text,
    parse_date,
    shown_value,
    validate_person_name,
    validate_unit_name,
)
from lsb_desktop.errors import ValidationError
from lsb_desktop.io.xlsx import (
    BORDER,
    CENTRE,
    FONT_NAME,
    HEADER_FILL,
    HEADER_SEARCH_ROWS,
    LEFT,
    MAX_FILE_BYTES,
    TOTAL_WORDS,
    CellError,
    RowParser,
    cell_text,
    data_rows,
    header_rows,
    hidden_label,
    is_hidden,
    label_key,
    open_workbook,
    put_text,
    save_atomically,
    set_up_printing,
    sheet_is_empty,
    write_title,
)

# A township has 10-60 units, a district ~100: far more rows means the wrong file.
MAX_DATA_ROWS = 2000
# A 序号 longer than this is no sort hint (and is stored as an integer).
MAX_ORDER_DIGITS = 9

__all__ = [
    "HEADER_SEARCH_ROWS",
    "MAX_DATA_ROWS",
    "MAX_FILE_BYTES",
    "TOTAL_WORDS",
    "RosterExportRow",
    "RosterProblem",
    "RosterRead",
    "read_roster",
    "write_roster",
]

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
    "start": ("在册起始日期", ("在册起始日期", "在册日期", "建档日期", "起始日期")),
    "note": ("备注", ("备注",)),
}
_LABEL_TO_FIELD = {canonical_name(label): key for key, (_, labels) in _FIELDS.items() for label in labels}


# ---------------------------------------------------------------------------- reading


def read_roster(path: Path) -> RosterRead:
    """Read a hand-made roster; raises ValidationError only when the file cannot be opened."""
    workbook = open_workbook(Path(path), "村（社区）名册")
    try:
        sheets = list(workbook.worksheets)
        found = [(sheet, header) for sheet in sheets if (header := _find_header(sheet)) is not None]
        if found:
            return _read_found(sheets, found)
    finally:
        workbook.close()
    message = "找不到表头：第一行应包含“村（社区）名称”或“名称”等列名"
    if len(sheets) > 1:
        message += f"（已查看全部 {len(sheets)} 个工作表的前 {HEADER_SEARCH_ROWS} 行）"
    first = sheets[0].title if sheets else ""
    return RosterRead((), (RosterProblem(first, None, "", "", message),), (), ())


def _read_found(sheets: list[Worksheet], found: list[tuple[Worksheet, tuple[int, dict[int, str]]]]) -> RosterRead:
    """Every sheet is read or reported: the first visible sheet with a header is read; a
    second roster sheet or a hidden one blocks the import (never read unseen, never left
    out); the other sheets are listed as left out in the preview."""
    visible = [(sheet, header) for sheet, header in found if not is_hidden(sheet)]
    problems: list[RosterProblem] = []
    for sheet, (row, _) in found:
        if is_hidden(sheet):
            problems.append(
                RosterProblem(
                    sheet.title,
                    None,
                    "",
                    "",
                    (
                        f"{hidden_label(sheet)}，其中有名册（表头在第{row}行）。隐藏的名册既不导入也不跳过："
                        "请在 Excel 中取消隐藏、核对后再导入，或删除这个工作表"
                    ),
                )
            )
    for sheet, _ in visible[1:]:
        problems.append(
            RosterProblem(
                sheet.title,
                None,
                "",
                "",
                (
                    f"工作表“{sheet.title}”也是村（社区）名册；一次只导入一个工作表，"
                    f"请把各工作表的村（社区）合并到“{visible[0][0].title}”后再导入"
                ),
            )
        )
    read = _read_sheet(visible[0][0], *visible[0][1]) if visible else RosterRead((), (), (), ())
    used = {sheet.title for sheet, _ in found}
    skipped = [
        f"工作表“{sheet.title}”{'是空的' if sheet_is_empty(sheet) else '中没有名册表头'}，已跳过"
        for sheet in sheets
        if sheet.title not in used
    ]
    return RosterRead(read.rows, read.problems + tuple(problems), read.skipped + tuple(skipped), read.ignored_columns)


def _find_header(sheet: Worksheet) -> tuple[int, dict[int, str]] | None:
    """The header row and its labels by column, or None when no name column is found."""
    for row_number, labels in header_rows(sheet):
        if any(_LABEL_TO_FIELD.get(label_key(label)) == "name" for label in labels.values()):
            return row_number, labels
    return None


def _read_sheet(sheet: Worksheet, header_row: int, labels: dict[int, str]) -> RosterRead:
    title = sheet.title
    columns: dict[str, int] = {}
    ignored: list[str] = []
    problems: list[RosterProblem] = []
    for column, label in labels.items():
        key = _LABEL_TO_FIELD.get(label_key(label))
        if key is None:
            ignored.append(label)
        elif key in columns:
            field = _FIELDS[key][0]
            first = get_column_letter(columns[key])
            here = get_column_letter(column)
            problems.append(
                RosterProblem(
                    title,
                    header_row,
                    here,
                    field,
                    f"表头中{first}列“{shown_value(labels[columns[key]])}”和{here}列“{shown_value(label)}”都表示{field}，"
                    "请删掉或改名其中一列",
                )
            )
        else:
            columns[key] = column
    if problems:
        return RosterRead((), tuple(problems), (), tuple(ignored))

    rows_read = data_rows(sheet, header_row, MAX_DATA_ROWS)
    if rows_read is None:
        message = f"表头下面超过 {MAX_DATA_ROWS} 行数据，这不像村（社区）名册，请检查是否选错了文件"
        return RosterRead((), (RosterProblem(title, None, "", "", message),), (), tuple(ignored))
    if not rows_read:
        message = f"第{header_row}行表头下面没有村（社区）数据"
        return RosterRead((), (RosterProblem(title, None, "", "", message),), (), tuple(ignored))

    rows: list[RosterRow] = []
    skipped: list[str] = []
    first_row_of: dict[str, int] = {}
    after_total = False
    for row_number, values in rows_read:
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


class _RowParser(RowParser[RosterProblem]):
    """Turns one data row into a RosterRow, collecting every problem it has; a problem names
    the column by its letter and the field."""

    TOTAL_KEYS = ("name", "order")  # the name or 序号 cell marks a total row

    def problem(self, key: str, message: str) -> None:
        column = self.columns.get(key)
        letter = get_column_letter(column) if column is not None else ""
        self.problems.append(RosterProblem(self.sheet, self.row, letter, _FIELDS[key][0], message))

    def text(self, key: str) -> str | None:
        """The cell's text, '' when empty; None (and a problem) for an Excel error value."""
        raw = self.value(key)
        if self.formula_error(key, raw):
            return None
        return cell_text(raw)

    def parse(self, first_row_of: dict[str, int]) -> RosterRow | None:
        name = self._name(first_row_of)
        kind = self._kind(name)
        org_type = self._org_type()
        district = self._district()
        secretary = self._secretary()
        since = self._since(secretary)
        start = self._start()
        order = self._order()
        note = self._note()
        if self.problems:
            # Report left to right as the clerk reads the row; a missing column goes last.
            self.problems.sort(key=lambda p: (not p.column, len(p.column), p.column))
            return None
        assert name is not None and kind is not None and org_type is not None
        return RosterRow(
            sheet=self.sheet,
            row=self.row,
            name=name,
            kind=kind,
            org_type=org_type,
            district=district or "",
            secretary=secretary or "",
            secretary_since=since,
            display_order=order,
            note=note or "",
            start=start,
        )

    def name_value(self, key: str, text: str) -> object:
        """What a name check gets: the cell itself when it is a date or a number (no name,
        whatever its text), else its text."""
        raw = self.value(key)
        return raw if isinstance(raw, (date, int, float)) and not isinstance(raw, bool) else text

    def _name(self, first_row_of: dict[str, int]) -> str | None:
        text = self.text("name")
        if text is None:
            return None
        try:
            name = validate_unit_name(self.name_value("name", text))
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
                f"“{name}”的名称不以“村”或“社区”结尾，无法判断是村还是社区，请{where}填写“村”或“社区”",
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
            return validate_unit_name(self.name_value("district", text), "管区名称")
        except ValidationError as exc:
            self.problem("district", exc.message)
            return None

    def _secretary(self) -> str | None:
        text = self.text("secretary")
        if not text:
            return text
        try:
            return validate_person_name(self.name_value("secretary", text))
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

    def _start(self) -> date | None:
        """在册起始日期: blank (or 建档起) means in the register since always."""
        raw = self.value("start")
        text = self.text("start")
        if not text or canonical_name(text).strip("（）()") == "建档起":
            return None
        try:
            start = parse_date(raw, "在册起始日期")
        except ValidationError as exc:
            self.problem("start", exc.message)
            return None
        if start > date.today():
            self.problem("start", f"在册起始日期 {start.isoformat()} 晚于今天")
            return None
        return start

    def _order(self) -> int | None:
        raw = self.value("order")
        if isinstance(raw, bool) or isinstance(raw, CellError):
            return None
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if isinstance(raw, int):
            return raw if 0 < raw < 10**MAX_ORDER_DIGITS else None
        text = cell_text(raw)
        # 序号 is only a sort hint: anything but a plain positive number is left out (a
        # number of thousands of digits too: int() refuses those).
        if not (text.isascii() and text.isdigit() and len(text) <= MAX_ORDER_DIGITS):
            return None
        return int(text) if int(text) > 0 else None

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
    ("在册起始日期", 14),
    ("备注", 30),
)


def _start_cell(day: date | None) -> date | None:
    """ "Since always" is written as a blank cell, which reads back as since always."""
    return None if day is None or is_since_always(day) else day


def write_roster(path: Path, rows: Sequence[RosterExportRow], title: str) -> None:
    """Write the roster as a printable sheet; the file is replaced only when complete."""
    path = Path(path)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = EXPORT_SHEET_TITLE
    _fill_sheet(sheet, rows, title)
    save_atomically(workbook, path)


def _fill_sheet(sheet: Worksheet, rows: Sequence[RosterExportRow], title: str) -> None:
    width = len(_EXPORT_COLUMNS)
    write_title(sheet, 1, width, title)

    header_font = Font(name=FONT_NAME, size=11, bold=True)
    for column, (label, column_width) in enumerate(_EXPORT_COLUMNS, start=1):
        cell = sheet.cell(2, column, label)
        cell.font = header_font
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = CENTRE
        sheet.column_dimensions[get_column_letter(column)].width = column_width
    sheet.row_dimensions[2].height = 22

    body_font = Font(name=FONT_NAME, size=11)
    for index, item in enumerate(rows, start=1):
        row_number = index + 2
        values: tuple[object, ...] = (
            index,
            item.name,
            item.kind,
            item.district,
            item.org_type,
            item.secretary,
            _start_cell(item.secretary_since),
            item.status,
            _start_cell(item.start),
            item.note,
        )
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row_number, column)
            if isinstance(value, str):
                put_text(cell, value)
            else:
                cell.value = value
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            cell.font = body_font
            cell.border = BORDER
            cell.alignment = LEFT if column == width else CENTRE

    sheet.freeze_panes = "A3"
    set_up_printing(sheet, "1:2")
