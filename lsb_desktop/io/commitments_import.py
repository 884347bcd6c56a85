"""Reading a commitments file (承诺事项表) as .xlsx: rows understood and problems located.

Pure reading: names of units, categories and statuses stay text here; the commitment service
checks them against the register, the category list and the status rules."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl.worksheet.worksheet import Worksheet

from lsb_desktop.domain.points import shown_value
from lsb_desktop.domain.text import canonical_name, clean, clean_text, parse_date
from lsb_desktop.errors import ValidationError
from lsb_desktop.io.xlsx import (
    HEADER_SEARCH_ROWS,
    RowParser,
    cell_text,
    data_rows,
    header_rows,
    hidden_label,
    is_hidden,
    label_key,
    merged_fill,
    open_workbook,
)

# A district has ~100 units with 5-10 items each; far more rows means the wrong file.
MAX_DATA_ROWS = 5000
MAX_CONTENT = 500
MAX_SHORT = 64
# A commitment's 序号 within its village: a handful; 9 digits keeps it a plain integer.
MAX_NUMBER_DIGITS = 9

# field key -> (the label shown to the clerk, labels accepted in a header)
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "unit": (
        "村（社区）",
        ("村（社区）", "村(社区)", "村/社区", "村", "社区", "单位", "单位名称", "村（社区）名称", "村名"),
    ),
    "number": ("序号", ("序号", "编号", "承诺序号", "事项序号")),
    "content": ("承诺事项", ("承诺事项", "承诺内容", "内容", "事项", "承诺事项内容", "承诺事项名称")),
    "category": ("类别", ("类别", "分类", "承诺类别", "事项类别")),
    "target": ("目标", ("目标", "量化目标", "预期目标", "目标要求", "目标任务")),
    "due": ("完成时限", ("完成时限", "截止时间", "时限", "截止日期", "计划完成时间", "完成期限")),
    "responsible": ("责任人", ("责任人", "负责人")),
    "status": ("状态", ("状态", "完成状态", "当前状态")),
    "year": ("年度", ("年度", "年份")),
    "completed_on": ("完成日期", ("完成日期",)),
    "cancelled_on": ("取消日期", ("取消日期",)),
    "cancel_reason": ("取消原因", ("取消原因",)),
    "note": ("备注", ("备注",)),
}
_LABEL_TO_FIELD = {label_key(label): key for key, (_, labels) in FIELDS.items() for label in labels}

_CHINESE_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_QUARTER_WITH_YEAR = (
    re.compile(r"^(\d{4})[Qq]([1-4])$"),
    re.compile(r"^(\d{4})年(?:度)?第?([1-4一二三四])季度(?:末|底)?(?:前|以前|之前)?$"),
)
_QUARTER_ONLY = (
    re.compile(r"^[Qq]([1-4])$"),
    re.compile(r"^第?([1-4一二三四])季度(?:末|底)?(?:前|以前|之前)?$"),
)
_MONTH_WITH_YEAR = re.compile(r"^(\d{4})年(\d{1,2})月(?:份)?(?:底|末)?(?:前|以前|之前)?$")
_MONTH_ONLY = re.compile(r"^(\d{1,2})月(?:份)?(?:底|末)?(?:前|以前|之前)?$")
_AMBIGUOUS_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_YEAR_END = ("年底", "年底前", "年内", "年末", "全年", "年底以前", "12月31日前")
_BEFORE = re.compile(r"(?:前|以前|之前)$")
_YEAR = re.compile(r"^(\d{4})(?:年度?)?$")
_YEAR_END_WITH_YEAR = re.compile(r"^(\d{4})年(?:底|末|内)(?:前|以前|之前)?$")  # 2024年底, as the program writes it


def problem_text(sheet: str, row: int | None, column: str, message: str) -> str:
    """工作表“…”第 N 行“列名”：…, the one way a problem in a file is told to the clerk."""
    place = f"工作表“{sheet}”"
    if row is not None:
        place += f"第 {row} 行"
    if column:
        place += f"“{column}”"
    return f"{place}：{message}"


@dataclass(frozen=True, slots=True)
class FileProblem:
    sheet: str
    row: int | None
    column: str  # the header label as written in the file ('' for the row or the sheet)
    message: str

    @property
    def text(self) -> str:
        return problem_text(self.sheet, self.row, self.column, self.message)


@dataclass(frozen=True, slots=True)
class Due:
    """A 完成时限 as written: a date, a quarter (with or without its year), or the year's end."""

    deadline: date | None = None
    target_quarter: int | None = None
    year: int | None = None  # the year the spelling names, if it names one
    month: int | None = None  # a month's end written without its year (6月底)

    def for_year(self, year: int) -> tuple[date | None, int | None]:
        """(deadline, target quarter) for an item of `year`."""
        if self.month is not None:
            return month_end(year, self.month), None
        return self.deadline, self.target_quarter


@dataclass(frozen=True, slots=True)
class FileRow:
    """One commitment row as read. A field is None when the file has no such column."""

    sheet: str
    row: int
    unit_name: str
    content: str
    number: int | None = None
    category: str | None = None
    target: str | None = None
    due: Due | None = None
    responsible: str | None = None
    status: str | None = None
    year: int | None = None
    completed_on: date | None = None
    cancelled_on: date | None = None
    cancel_reason: str | None = None
    note: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)  # field → header label in this sheet

    def label(self, key: str) -> str:
        return self.labels.get(key) or FIELDS[key][0]

    def problem(self, key: str | None, message: str) -> str:
        return problem_text(self.sheet, self.row, self.label(key) if key else "", message)


@dataclass(frozen=True, slots=True)
class CommitmentFileRead:
    rows: tuple[FileRow, ...]
    problems: tuple[FileProblem, ...]
    notes: tuple[str, ...] = ()  # sheets skipped, columns ignored, total rows skipped
    year_column: bool = False  # a sheet with commitments has a 年度 column

    @property
    def problem_lines(self) -> tuple[str, ...]:
        return tuple(p.text for p in self.problems)


# ---------------------------------------------------------------------------- values


def parse_due(value: object) -> Due:
    """Read a 完成时限: 2024-09-30, 2023.9.26, 2023年9月26日, an Excel date or serial; a quarter
    (2024Q3, 2024年第三季度, 第三季度); a month's end (2024年6月底, 6月底前); 年底 (the year's end).
    '' means no deadline (the year's end). Raises ValidationError for anything else."""
    if (
        value is None
        or isinstance(value, (datetime, date))
        or (isinstance(value, (int, float)) and not isinstance(value, bool))
    ):
        if value is None:
            return Due()
        day = parse_date(value, "完成时限")
        return Due(deadline=day, year=day.year)
    text = clean(value).replace(" ", "")
    if not text:
        return Due()
    if text in _YEAR_END:
        return Due()
    match = _YEAR_END_WITH_YEAR.match(text)
    if match:
        return Due(year=int(match.group(1)))
    for pattern in _QUARTER_WITH_YEAR:
        match = pattern.match(text)
        if match:
            return Due(target_quarter=_CHINESE_QUARTER[match.group(2)], year=int(match.group(1)))
    for pattern in _QUARTER_ONLY:
        match = pattern.match(text)
        if match:
            return Due(target_quarter=_CHINESE_QUARTER[match.group(1)])
    match = _MONTH_ONLY.match(text)
    if match:
        month = int(match.group(1))
        if not 1 <= month <= 12:
            raise ValidationError(f"完成时限“{shown_value(value)}”中没有 {month} 月")
        return Due(month=month)
    match = _MONTH_WITH_YEAR.match(text)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        return Due(deadline=_month_end(year, month, value), year=year)
    if _AMBIGUOUS_MONTH.match(text):
        raise ValidationError(
            f"完成时限“{shown_value(value)}”不明确（是月份还是季度？），请写成 2024年3月底、2024Q3 或 2024-03-31"
        )
    stripped = _BEFORE.sub("", text)
    try:
        day = parse_date(stripped, "完成时限")
    except ValidationError:
        raise ValidationError(
            f"无法识别完成时限“{shown_value(value)}”，请写成 2024-09-30、2024年9月30日、2024Q3（季度）或 2024年6月底"
        ) from None
    return Due(deadline=day, year=day.year)


def month_end(year: int, month: int) -> date:
    return _month_end(year, month, f"{year}年{month}月")


def _month_end(year: int, month: int, written: object) -> date:
    if not 1 <= month <= 12:
        raise ValidationError(f"完成时限“{shown_value(written)}”中没有 {month} 月")
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def parse_year(value: object) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = cell_text(value).replace(" ", "")
    match = _YEAR.match(text)
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise ValidationError(f"年度“{shown_value(text)}”应为 2000–2100 之间的年份，如 2024")
    return int(match.group(1))


def parse_number(value: object) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        text = cell_text(value).replace(" ", "")
    if text.isascii() and text.isdigit() and len(text) > MAX_NUMBER_DIGITS:
        raise ValidationError(f"序号“{shown_value(text)}”太大，最多 {MAX_NUMBER_DIGITS} 位")
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise ValidationError(f"序号“{shown_value(text)}”应为正整数")
    return int(text)


# ---------------------------------------------------------------------------- reading


def read_commitments(path: Path) -> CommitmentFileRead:
    """Read every sheet with a commitments header; ValidationError only when the file cannot be
    opened at all."""
    workbook = open_workbook(Path(path), "承诺事项表")
    rows: list[FileRow] = []
    problems: list[FileProblem] = []
    notes: list[str] = []
    found = year_column = False
    try:
        for sheet in workbook.worksheets:
            header = _find_header(sheet)
            if header is None:
                if sheet.max_row > 1 or sheet.max_column > 1 or cell_text(sheet.cell(1, 1).value):
                    notes.append(f"工作表“{sheet.title}”中没有承诺事项表头，已跳过")
                continue
            found = True
            if is_hidden(sheet):
                # Every sheet is read or reported: a hidden one is neither read unseen nor skipped.
                problems.append(
                    FileProblem(
                        sheet.title,
                        None,
                        "",
                        (
                            f"{hidden_label(sheet)}，其中有承诺事项（表头在第{header[0]}行）。隐藏的工作表既不导入"
                            "也不跳过：请在 Excel 中取消隐藏、核对后再导入，或删除这个工作表"
                        ),
                    )
                )
                continue
            year_column = year_column or any(
                _LABEL_TO_FIELD.get(label_key(label)) == "year" for label in header[1].values()
            )
            _read_sheet(sheet, *header, rows, problems, notes)
        titles = [sheet.title for sheet in workbook.worksheets]
    finally:
        workbook.close()
    if not found:
        message = f"找不到表头：前 {HEADER_SEARCH_ROWS} 行中应有一行包含“承诺事项”（或“承诺内容”）和“村（社区）”等列名"
        problems.append(FileProblem(titles[0] if titles else "", None, "", message))
    elif not rows and not problems:
        problems.append(FileProblem(titles[0], None, "", "表头下面没有承诺事项"))
    return CommitmentFileRead(tuple(rows), tuple(problems), tuple(notes), year_column)


def _find_header(sheet: Worksheet) -> tuple[int, dict[int, str]] | None:
    filled = merged_fill(sheet, last_row=HEADER_SEARCH_ROWS, whole=True)
    for row_number, labels in header_rows(sheet, filled):
        keys = [_LABEL_TO_FIELD.get(label_key(label)) for label in labels.values()]
        if "content" in keys and sum(1 for key in keys if key) >= 2:
            return row_number, labels
    return None


def _read_sheet(
    sheet: Worksheet,
    header_row: int,
    labels: dict[int, str],
    rows: list[FileRow],
    problems: list[FileProblem],
    notes: list[str],
) -> None:
    title = sheet.title
    columns: dict[str, int] = {}
    names: dict[str, str] = {}
    ignored: list[str] = []
    before = len(problems)
    for column, label in labels.items():
        key = _LABEL_TO_FIELD.get(label_key(label))
        if key is None:
            ignored.append(label)
        elif key in columns:
            problems.append(
                FileProblem(
                    title,
                    header_row,
                    label_key(label),
                    f"与“{shown_value(names[key])}”列都表示{FIELDS[key][0]}，请删掉或改名其中一列",
                )
            )
        else:
            columns[key] = column
            names[key] = label_key(label)  # （社区） as written on paper, not NFKC's (社区)
    if "unit" not in columns:
        problems.append(FileProblem(title, header_row, "", "表头中没有“村（社区）”列（也可写作 村、社区 或 单位）"))
    if len(problems) > before:
        return
    if ignored:
        notes.append(f"工作表“{title}”中已忽略的列：{'、'.join(shown_value(x) for x in ignored)}")
    read = data_rows(sheet, header_row, MAX_DATA_ROWS)
    if read is None:
        problems.append(
            FileProblem(title, None, "", f"表头下面超过 {MAX_DATA_ROWS} 行数据，这不像承诺事项表，请检查是否选错了文件")
        )
        return
    number_column = columns.get("number")
    for row_number, values in read:
        parser = _RowParser(title, row_number, columns, names, values)
        if all(cell_text(value) == "" for index, value in enumerate(values, start=1) if index != number_column):
            continue  # a template row numbered in advance and left empty
        total = parser.total_word()
        if total is not None:
            notes.append(f"工作表“{title}”第 {row_number} 行是{total}行，已跳过")
            continue
        row = parser.parse()
        problems.extend(parser.problems)
        if row is not None:
            rows.append(row)


class _RowParser(RowParser[FileProblem]):
    """Turns one row of a commitments sheet into a FileRow; a problem names the column as
    the sheet's header writes it."""

    TOTAL_KEYS = ("unit", "number", "content")

    def __init__(
        self, sheet: str, row: int, columns: dict[str, int], names: dict[str, str], values: tuple[object, ...]
    ) -> None:
        super().__init__(sheet, row, columns, values)
        self.names = names

    def problem(self, key: str, message: str) -> None:
        self.problems.append(FileProblem(self.sheet, self.row, self.names.get(key, FIELDS[key][0]), message))

    def text(self, key: str, limit: int = MAX_SHORT) -> str | None:
        """Free text as typed (Chinese punctuation kept); None for no column or a problem."""
        if not self.has(key):
            return None
        raw = self.value(key)
        if self.formula_error(key, raw):
            return None
        text = clean_text(raw) if isinstance(raw, str) else cell_text(raw)
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
            self.problem(key, "含有不可见的控制字符，请删掉后重新输入")
            return None
        if len(text) > limit:
            self.problem(key, f"内容太长（{len(text)} 个字，最多 {limit} 个字）")
            return None
        return text

    def parse(self) -> FileRow | None:
        unit = self.text("unit")
        unit_name = canonical_name(unit) if unit else ""
        if unit == "":
            self.problem("unit", "村（社区）不能为空")
        number = self.parsed("number", parse_number)
        content = self.text("content", MAX_CONTENT)
        if content == "":
            self.problem("content", "承诺事项内容不能为空")
        year = self.parsed("year", parse_year)
        due = self._due()
        completed_on = self.parsed("completed_on", lambda raw: parse_date(raw, "完成日期"))
        cancelled_on = self.parsed("cancelled_on", lambda raw: parse_date(raw, "取消日期"))
        row = FileRow(
            sheet=self.sheet,
            row=self.row,
            unit_name=unit_name,
            content=content or "",
            number=number,
            category=self.text("category"),
            target=self.text("target", MAX_CONTENT),
            due=due,
            responsible=self.text("responsible"),
            status=self.text("status"),
            year=year,
            completed_on=completed_on,
            cancelled_on=cancelled_on,
            cancel_reason=self.text("cancel_reason", MAX_CONTENT),
            note=self.text("note", MAX_CONTENT),
            labels=dict(self.names),
        )
        if self.problems:
            return None
        return row

    def _due(self) -> Due | None:
        if not self.has("due"):
            return None
        raw = self.value("due")
        if self.formula_error("due", raw):
            return None
        try:
            return parse_due(raw)
        except ValidationError as exc:
            self.problem("due", exc.message)
            return None
