"""The 五星创建进度表 (units × stars: plan and result; levels against targets; the gap list) as a
print-ready .xlsx, and reading a year's 创建计划 from a hand-made or exported sheet."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from lsb_desktop.domain.period import year_day
from lsb_desktop.domain.points import shown_value
from lsb_desktop.domain.stars import (
    ALL_STARS,
    LEVEL_LABELS,
    RURAL_STARS,
    TARGET_LABELS,
    TARGET_LEVELS,
    Gap,
    StarCell,
    StarState,
    YearSummary,
    cell_result_text,
    gaps,
    parse_star,
    share_text,
    target_status,
)
from lsb_desktop.domain.text import canonical_name, clean, date_text, validate_unit_name
from lsb_desktop.errors import ValidationError
from lsb_desktop.io.xlsx import (
    BORDER,
    CENTRE,
    FONT_NAME,
    HEADER_SEARCH_ROWS,
    LEFT,
    TOTAL_WORDS,
    CellError,
    cell_text,
    cell_value,
    header_rows,
    hidden_label,
    is_hidden,
    label_key,
    merged_fill,
    open_workbook,
    put_text,
    save_atomically,
    set_up_printing,
    text_width,
    write_title,
)

SHEET_TITLE = "五星创建进度表"
SUMMARY_SHEET_TITLE = "目标完成情况"
PLAN_LABEL, RESULT_LABEL = "计划", "结果"
PLAN_MARK = "✓"
NOT_IN_SET = "—"
LEVEL_LABEL, CHANGE_LABEL = "星级", "较上年"
# Captions of the blocks below the unit table; a plan reader stops at the first of them.
LEVELS_CAPTION = "星级分布"
TARGETS_CAPTION = "目标完成情况"
GAPS_CAPTION = "距目标最近的村（社区）"
SIGNATURE_LINE = "填表人：__________    审核：__________    填表日期：______年____月____日"
END_WORDS = ("小结", LEVELS_CAPTION, TARGETS_CAPTION, "距目标最近", "填表人", "说明")

HEADER_TOP, HEADER_BOTTOM = 3, 4
FIRST_ROW = HEADER_BOTTOM + 1
TITLE_SIZE = 18
BODY_SIZE = 11
ROW_HEIGHT = 20.0
LINE_HEIGHT = 15.0
PLAN_WIDTH = 5.0
RESULT_WIDTH = 11.5

HEADER_FILL = PatternFill(fill_type="solid", start_color="F2F2F2", end_color="F2F2F2")
GREY_FILL = PatternFill(fill_type="solid", start_color="D9D9D9", end_color="D9D9D9")
# Light enough to print in greyscale; the text says the same thing for a black-and-white copy.
STATE_FILLS = {
    StarState.HELD: PatternFill(fill_type="solid", start_color="E2EFDA", end_color="E2EFDA"),
    StarState.IN_PROGRESS: PatternFill(fill_type="solid", start_color="FFF2CC", end_color="FFF2CC"),
    StarState.FAILED: PatternFill(fill_type="solid", start_color="FCE4D6", end_color="FCE4D6"),
    StarState.LOST: PatternFill(fill_type="solid", start_color="F8CBAD", end_color="F8CBAD"),
}


# ---------------------------------------------------------------------------- writing


@dataclass(frozen=True, slots=True)
class _Column:
    label: str
    width: float
    group: str = ""  # the star above 计划/结果; "" spans both header rows
    align: Alignment = CENTRE


def _result_lines(cell: StarCell) -> str:
    """The result on two short lines, so the column stays narrow: 未通过 / （县评定）."""
    return cell_result_text(cell).replace("（", "\n（").replace(" ", "\n")


def _change_text(level: int, before: int | None) -> str:
    if before is None:
        return "新增"
    if level == before:
        return "持平"
    return f"{level - before:+d}"


def _lines(text: str, width: float) -> int:
    room = max(width - 1.5, 1)
    return sum(max(1, math.ceil(text_width(part) / room)) for part in text.split("\n"))


def shown_stars(summary: YearSummary) -> tuple[str, ...]:
    """One column group per star that belongs to some unit's set that year, in ALL_STARS order."""
    used = {c.star for u in summary.units for c in u.cells if c.in_set}
    return tuple(s for s in ALL_STARS if s in used) or RURAL_STARS


def closest_gaps(summary: YearSummary, level: int) -> list[Gap]:
    """The units to name for a threshold: as many of the closest as the target still needs
    (and those tied with the last of them); without a target, the closest ones."""
    found = gaps(summary.units, level)
    if not found:
        return []
    status = next(s for s in target_status(summary.levels, summary.targets) if s.level == level)
    if status.target is not None and status.units_needed == 0:
        return []
    count = status.units_needed if status.target is not None else 1
    count = min(max(count, 1), len(found))
    last = found[count - 1].missing
    return [g for g in found if g.missing <= last]


def summary_line(summary: YearSummary) -> str:
    """One line under the matrix: the levels and each target against the actual share."""
    levels = summary.levels
    parts = ["，".join(f"{LEVEL_LABELS[lv]} {levels[lv]} 个" for lv in range(5, -1, -1))]
    for status in target_status(levels, summary.targets):
        text = f"{TARGET_LABELS[status.level]} {share_text(status.actual)}"
        if status.target is not None:
            text += f"（目标 {share_text(Fraction(status.target) / 100)}"
            text += "，已达标）" if status.met else f"，还差 {status.units_needed} 个）"
        parts.append(text)
    return f"小结：{'；'.join(parts)}。详见“{SUMMARY_SHEET_TITLE}”表"


def write_star_workbook(
    path: Path,
    *,
    summary: YearSummary,
    township: str,
    paper: str = "A4",
    previous: YearSummary | None = None,
    as_of: date | None = None,
    font: str = FONT_NAME,
) -> None:
    """Write the 五星创建进度表 of one year, ready to print (landscape, one page wide, title and
    header rows repeated, page numbers in the footer): the units × stars matrix on the first
    sheet; the level distribution, the targets and the units closest to each target on the
    second (on their own pages, so no page carries the matrix's header over other tables).
    `previous` (the year before) adds the 较上年 column and row; `as_of` is the day the
    states were taken (default: `year_day`, 31 Dec of a past year)."""
    if paper not in ("A4", "A3"):
        raise ValidationError(f"纸张只能是 A4 或 A3，收到“{paper}”")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    day = as_of or year_day(summary.year, date.today())
    _ProgressSheet(sheet, summary, township, previous, day, font).write(paper)
    _SummarySheet(workbook.create_sheet(SUMMARY_SHEET_TITLE), summary, township, previous, day, font).write(paper)
    save_atomically(workbook, Path(path))


class _Grid:
    """Cell styling and merged blocks shared by both sheets."""

    def __init__(self, sheet: Worksheet, font: str) -> None:
        self.sheet = sheet
        self.font = font
        self.body = Font(name=font, size=BODY_SIZE)
        self.bold = Font(name=font, size=BODY_SIZE, bold=True)
        self.widths: list[float] = []

    def style(self, cell: Cell, font: Font, align: Alignment, fill: PatternFill | None = None) -> None:
        cell.font = font
        cell.border = BORDER
        cell.alignment = align
        if fill is not None:
            cell.fill = fill

    @staticmethod
    def put(cell: Cell, value: object) -> None:
        if isinstance(value, str):
            if value:
                put_text(cell, value)
        elif value is not None:
            cell.value = value

    def title(self, text: str, info_left: str, info_right: str = "") -> None:
        sheet, width = self.sheet, len(self.widths)
        write_title(sheet, 1, width, text, size=TITLE_SIZE, font=self.font, height=36)
        split = max(1, width // 2) if info_right else width
        line = Font(name=self.font, size=11)
        for first, last, content, align in ((1, split, info_left, "left"), (split + 1, width, info_right, "right")):
            if not content:
                continue
            if last > first:
                sheet.merge_cells(start_row=2, start_column=first, end_row=2, end_column=last)
            cell = sheet.cell(2, first)
            put_text(cell, content)
            cell.font = line
            cell.alignment = Alignment(horizontal=align, vertical="center")
        sheet.row_dimensions[2].height = 22

    def spans(self, weights: Sequence[float]) -> list[tuple[int, int]]:
        """Split the columns into len(weights) runs of about those relative widths."""
        widths = self.widths
        count = len(widths)
        total = sum(widths)
        cumulative = [sum(widths[: i + 1]) for i in range(count)]
        spans = []
        start = 1
        share = 0.0
        for index, weight in enumerate(weights[:-1]):
            share += weight
            goal = total * share / sum(weights)
            last_allowed = count - (len(weights) - 1 - index)
            end = min(range(start, last_allowed + 1), key=lambda e: abs(cumulative[e - 1] - goal))
            spans.append((start, end))
            start = end + 1
        spans.append((start, count))
        return spans

    def line(self, row: int, text: str, *, size: int = 11, bold: bool = False, height: float = 24) -> int:
        """A text line merged across the table."""
        sheet = self.sheet
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(self.widths))
        cell = sheet.cell(row, 1)
        put_text(cell, text)
        cell.font = Font(name=self.font, size=size, bold=bold)
        cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
        lines = _lines(text, sum(self.widths) * 11 / size)
        sheet.row_dimensions[row].height = max(height, LINE_HEIGHT * size / 11 * lines + 8)
        return row + 1

    def table_row(
        self,
        row: int,
        spans: list[tuple[int, int]],
        values: Sequence[object],
        *,
        header: bool = False,
        aligns: Sequence[Alignment] | None = None,
        merge_first: bool = True,
    ) -> int:
        """One row of a block; `merge_first` False leaves the first span to a block merged
        down over several rows (merged ranges must never overlap)."""
        sheet = self.sheet
        lines = 1
        for index, ((first, last), value) in enumerate(zip(spans, values, strict=True)):
            align = aligns[index] if aligns else CENTRE
            for column in range(first, last + 1):
                self.style(
                    sheet.cell(row, column), self.bold if header else self.body, align, HEADER_FILL if header else None
                )
            if last > first and (merge_first or index):
                sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
            self.put(sheet.cell(row, first), value)
            if isinstance(value, str) and value:
                lines = max(lines, _lines(value, sum(self.widths[first - 1 : last])))
        sheet.row_dimensions[row].height = max(ROW_HEIGHT + 2, LINE_HEIGHT * lines + 6)
        return row + 1

    def finish(self, paper: str, title_rows: str) -> None:
        for index, width in enumerate(self.widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        set_up_printing(self.sheet, title_rows, landscape=True, a3=paper == "A3", font=self.font)
        self.sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.7, header=0.3, footer=0.35)


class _ProgressSheet(_Grid):
    """The matrix: one row per unit; per star 计划 and 结果; 星级 and 较上年."""

    def __init__(
        self,
        sheet: Worksheet,
        summary: YearSummary,
        township: str,
        previous: YearSummary | None,
        as_of: date,
        font: str,
    ) -> None:
        super().__init__(sheet, font)
        self.summary = summary
        self.township = township
        self.previous = previous
        self.as_of = as_of
        self.stars = shown_stars(summary)
        self.columns = self._columns()
        self.widths = [c.width for c in self.columns]

    def _columns(self) -> list[_Column]:
        units = self.summary.units
        district = max([text_width("管区")] + [text_width(u.district_name) for u in units]) + 2
        name = max([text_width("村（社区）")] + [text_width(u.unit_name) for u in units]) + 2
        columns = [
            _Column("序号", 5.5),
            _Column("管区", min(max(district, 8), 14)),
            _Column("村（社区）", min(max(name, 11), 20), align=LEFT),
            _Column("类型", 6),
        ]
        for star in self.stars:
            columns += [_Column(PLAN_LABEL, PLAN_WIDTH, star), _Column(RESULT_LABEL, RESULT_WIDTH, star)]
        columns.append(_Column(LEVEL_LABEL, 6.5))
        if self.previous is not None:
            columns.append(_Column(CHANGE_LABEL, 7.5))
        return columns

    def write(self, paper: str) -> None:
        summary = self.summary
        self.title(
            f"{self.township}{summary.year}年五星支部创建进度表",
            f"统计日期：{date_text(self.as_of)}    共 {len(summary.units)} 个村（社区）",
            f"“{PLAN_MARK}”为本年计划创建；“{NOT_IN_SET}”为该类型不评的星",
        )
        self._header()
        row = self._units() + 1
        row = self.line(row, summary_line(summary), height=30)
        self.line(row + 1, SIGNATURE_LINE, size=12, height=34)
        self.sheet.freeze_panes = self.sheet.cell(FIRST_ROW, 5).coordinate
        self.finish(paper, f"1:{HEADER_BOTTOM}")

    def _header(self) -> None:
        sheet, columns = self.sheet, self.columns
        for row in (HEADER_TOP, HEADER_BOTTOM):
            for index in range(1, len(columns) + 1):
                self.style(sheet.cell(row, index), self.bold, CENTRE, HEADER_FILL)
        index = 1
        while index <= len(columns):
            spec = columns[index - 1]
            if spec.group:
                put_text(sheet.cell(HEADER_TOP, index), spec.group)
                put_text(sheet.cell(HEADER_BOTTOM, index), PLAN_LABEL)
                put_text(sheet.cell(HEADER_BOTTOM, index + 1), RESULT_LABEL)
                sheet.merge_cells(start_row=HEADER_TOP, start_column=index, end_row=HEADER_TOP, end_column=index + 1)
                index += 2
                continue
            put_text(sheet.cell(HEADER_TOP, index), spec.label)
            sheet.merge_cells(start_row=HEADER_TOP, start_column=index, end_row=HEADER_BOTTOM, end_column=index)
            index += 1
        sheet.row_dimensions[HEADER_TOP].height = 24
        sheet.row_dimensions[HEADER_BOTTOM].height = 22

    def _units(self) -> int:
        """The unit rows; returns the last row written."""
        sheet, columns = self.sheet, self.columns
        before = {u.unit_id: u.level for u in self.previous.units} if self.previous is not None else {}
        row = FIRST_ROW - 1
        for number, unit in enumerate(self.summary.units, start=1):
            row = FIRST_ROW + number - 1
            lines = 1
            for index, value in enumerate((number, unit.district_name, unit.unit_name, unit.kind.label), start=1):
                cell = sheet.cell(row, index)
                self.style(cell, self.body, columns[index - 1].align)
                self.put(cell, value)
            column = 5
            cells = {c.star: c for c in unit.cells}
            for star in self.stars:
                lines = max(lines, self._star_cells(row, column, cells.get(star)))
                column += 2
            level = sheet.cell(row, column)
            self.style(level, self.bold, CENTRE)
            level.value = unit.level
            if self.previous is not None:
                change = sheet.cell(row, column + 1)
                self.style(change, self.body, CENTRE)
                put_text(change, _change_text(unit.level, before.get(unit.unit_id)))
            sheet.row_dimensions[row].height = max(ROW_HEIGHT, LINE_HEIGHT * lines + 4)
        return row

    def _star_cells(self, row: int, column: int, cell: StarCell | None) -> int:
        """Plan and result of one star; returns the lines the result takes."""
        sheet = self.sheet
        plan, result = sheet.cell(row, column), sheet.cell(row, column + 1)
        if cell is None or not cell.in_set:
            for item in (plan, result):
                self.style(item, self.body, CENTRE, GREY_FILL)
            put_text(plan, NOT_IN_SET)
            sheet.merge_cells(start_row=row, start_column=column, end_row=row, end_column=column + 1)
            return 1
        self.style(plan, self.body, CENTRE)
        if cell.planned:
            put_text(plan, PLAN_MARK)
        text = _result_lines(cell)
        self.style(
            result, self.bold if cell.state is StarState.LOST else self.body, CENTRE, STATE_FILLS.get(cell.state)
        )
        if text:
            put_text(result, text)
        return text.count("\n") + 1


class _SummarySheet(_Grid):
    """星级分布, 目标完成情况 and the units closest to each target, on a grid of even columns."""

    COLUMNS = 16

    def __init__(
        self,
        sheet: Worksheet,
        summary: YearSummary,
        township: str,
        previous: YearSummary | None,
        as_of: date,
        font: str,
    ) -> None:
        super().__init__(sheet, font)
        self.summary = summary
        self.township = township
        self.previous = previous
        self.as_of = as_of
        self.widths = [9.0] * self.COLUMNS

    def write(self, paper: str) -> None:
        summary = self.summary
        self.title(
            f"{self.township}{summary.year}年五星支部创建目标完成情况",
            f"统计日期：{date_text(self.as_of)}    共 {len(summary.units)} 个村（社区）",
        )
        row = self._levels(4)
        row = self._targets(row + 1)
        row = self._gaps(row + 1)
        self.line(row + 1, SIGNATURE_LINE, size=12, height=34)
        self.finish(paper, "1:2")

    def _caption(self, row: int, text: str) -> int:
        return self.line(row, text, size=12, bold=True, height=26)

    def _levels(self, row: int) -> int:
        summary = self.summary
        counts = summary.levels
        total = len(summary.units)
        row = self._caption(row, LEVELS_CAPTION)
        spans = self.spans([2] * 8)
        order = [5, 4, 3, 2, 1, 0]
        row = self.table_row(row, spans, ["星级"] + [LEVEL_LABELS[lv] for lv in order] + ["合计"], header=True)
        row = self.table_row(row, spans, [f"{summary.year}年（个）"] + [counts[lv] for lv in order] + [total])
        shares = [share_text(Fraction(counts[lv], total)) if total else "—" for lv in order]
        row = self.table_row(row, spans, ["占比"] + shares + ["100%" if total else "—"])
        if self.previous is not None:
            before = self.previous.levels
            row = self.table_row(
                row,
                spans,
                [f"{self.previous.year}年（个）"] + [before[lv] for lv in order] + [len(self.previous.units)],
            )
        return row

    def _targets(self, row: int) -> int:
        summary = self.summary
        total = len(summary.units)
        row = self._caption(row, TARGETS_CAPTION)
        spans = self.spans([3, 2, 2, 2, 2, 2, 3])
        row = self.table_row(
            row, spans, ["项目", "目标", "目标个数", "实际个数", "实际占比", "还差几个", "完成情况"], header=True
        )
        for status in target_status(summary.levels, summary.targets):
            have = sum(n for lv, n in summary.levels.items() if lv >= status.level)
            if status.target is None:
                values = [TARGET_LABELS[status.level], "未设目标", "—", have, share_text(status.actual), "—", "—"]
            else:
                wanted = Fraction(status.target) * total / 100
                values = [
                    TARGET_LABELS[status.level],
                    share_text(Fraction(status.target) / 100),
                    math.ceil(wanted),
                    have,
                    share_text(status.actual),
                    status.units_needed,
                    "已达标" if status.met else "未达标",
                ]
            row = self.table_row(row, spans, values)
        return row

    def _gaps(self, row: int) -> int:
        summary = self.summary
        districts = {u.unit_name: u.district_name for u in summary.units}
        row = self._caption(row, GAPS_CAPTION)
        row = self.line(
            row,
            "按离目标还差的星数从少到多排列；列出达到目标还需要的个数（星数相同的一并列出）；本年未通过的星不计入计划",
            height=22,
        )
        spans = self.spans([2, 2, 1, 1, 1, 3, 2, 2, 2])
        row = self.table_row(
            row,
            spans,
            [
                "目标",
                "村（社区）",
                "管区",
                "现有星级",
                "还差几星",
                "缺少的星",
                "本年计划创建",
                "本年未通过",
                "计划全部创成后",
            ],
            header=True,
        )
        aligns = [CENTRE, LEFT, CENTRE, CENTRE, CENTRE, LEFT, LEFT, LEFT, CENTRE]
        for level in TARGET_LEVELS:
            status = next(s for s in target_status(summary.levels, summary.targets) if s.level == level)
            label = TARGET_LABELS[level]
            chosen = closest_gaps(summary, level)
            if not chosen:
                text = "已达到目标" if status.met else "没有低于该星级的村（社区）"
                row = self.table_row(row, [spans[0], (spans[1][0], spans[-1][1])], [label, text], aligns=[CENTRE, LEFT])
                continue
            first = row
            for gap in chosen:
                row = self.table_row(
                    row,
                    spans,
                    [
                        label,
                        gap.unit_name,
                        districts.get(gap.unit_name, ""),
                        LEVEL_LABELS[gap.level],
                        gap.missing,
                        "、".join(gap.lacking),
                        "、".join(gap.planned) or "—",
                        "、".join(gap.failed) or "—",
                        gap.after_plan_text,
                    ],
                    aligns=aligns,
                    merge_first=False,
                )
            if row - 1 > first or spans[0][1] > spans[0][0]:
                self.sheet.merge_cells(
                    start_row=first, start_column=spans[0][0], end_row=row - 1, end_column=spans[0][1]
                )
        return row


# ---------------------------------------------------------------------------- reading a plan

MAX_DATA_ROWS = 2000
_UNIT_LABELS = {
    label_key(t)
    for t in (
        "村（社区）",
        "村（社区）名称",
        "名称",
        "村/社区",
        "单位",
        "单位名称",
        "村名",
        "村（社区）全称",
        "社区名称",
        "村名称",
    )
}
_LIST_LABELS = {
    label_key(t)
    for t in ("计划创建", "创建计划", "计划创建的星", "计划创建星", "本年计划创建", "年度创建计划", "计划创建星类")
}
_YES = {"✓", "√", "✔", "☑", "是", "1", "计划", "计划创建", "创建", "y", "yes", "Y", "YES", "Yes"}
_NO = {"", "否", "0", "×", "✗", "✘", "-", "—", "－", "–", "无", "不创建", "n", "no", "N", "NO", "No", "/"}
_SEPARATORS = re.compile(r"[、，,;；/\s]+")


class StarPlanLine(NamedTuple):
    """One row of a plan sheet: the unit as written and the stars marked for the year."""

    sheet: str
    row: int
    unit_name: str
    stars: tuple[str, ...]
    unit_label: str  # the unit column's label, for messages
    star_labels: tuple[tuple[str, str], ...]  # (star, the label of the column it was read from)


class StarPlanRead(NamedTuple):
    rows: tuple[StarPlanLine, ...]
    problems: tuple[str, ...]  # 工作表“…”第 N 行“列”：…


def _star_label(label: str) -> str | None:
    """The star a header label names (支部过硬星, 支部过硬), or None."""
    text = clean(label).replace(" ", "")
    if not text or text in ("星级", "星"):
        return None
    try:
        return parse_star(text)
    except ValidationError:
        return None


def read_star_plan(path: Path) -> StarPlanRead:
    """Read a year's 创建计划: a 村（社区） column and either one column per star (✓/√/是/1/计划
    marks) or one 计划创建 column listing stars (separated by 、，,;). The 五星创建进度表 this
    program writes reads too (its 计划 sub-columns). Raises ValidationError only when the file
    cannot be opened; everything else is a problem with sheet, row and column."""
    workbook = open_workbook(Path(path), "五星创建计划表")
    try:
        sheets = list(workbook.worksheets)
        plans = [
            found
            for found in (_PlanSheet.find(sheet) for sheet in sheets if sheet.title != SUMMARY_SHEET_TITLE)
            if found is not None
        ]
        if plans:
            # Every sheet is read or reported: a hidden plan sheet is neither read unseen nor
            # skipped; a second one (another 管区, say) is never skipped silently.
            hidden = tuple(
                f"{hidden_label(plan.sheet)}，其中有创建计划（表头在第 {plan.header_row} 行）。"
                "隐藏的工作表既不导入也不跳过：请在 Excel 中取消隐藏、核对后再导入，或删除这个工作表"
                for plan in plans
                if is_hidden(plan.sheet)
            )
            visible = [plan for plan in plans if not is_hidden(plan.sheet)]
            if not visible:
                return StarPlanRead((), hidden)
            read = visible[0].read()
            others = tuple(
                f"工作表“{other.sheet.title}”也是创建计划表；一次只导入一个工作表，"
                f"请把各工作表的村（社区）合并到“{visible[0].sheet.title}”后再导入"
                for other in visible[1:]
            )
            return StarPlanRead(read.rows, read.problems + hidden + others)
    finally:
        workbook.close()
    message = (
        "找不到表头：应有“村（社区）”列，以及每颗星一列（如“支部过硬星”，打“✓”表示计划创建）"
        "或一列“计划创建”（写明星名，用顿号分隔）"
    )
    if len(sheets) > 1:
        message += f"（已查看全部 {len(sheets)} 个工作表的前 {HEADER_SEARCH_ROWS} 行）"
    first = sheets[0].title if sheets else ""
    return StarPlanRead((), (f"工作表“{first}”：{message}",))


class _PlanSheet:
    def __init__(self, sheet: Worksheet, header_row: int, labels: dict[int, str], below: dict[int, str]) -> None:
        self.sheet = sheet
        self.title = sheet.title
        self.header_row = header_row
        # Labels as shown in messages: full-width parentheses as on paper (村（社区）).
        self.labels = {column: canonical_name(text) for column, text in labels.items()}
        self.below = below
        self.problems: list[str] = []

    @classmethod
    def find(cls, sheet: Worksheet) -> _PlanSheet | None:
        filled = merged_fill(sheet, first_row=1, last_row=HEADER_SEARCH_ROWS, whole=True)
        rows = dict(header_rows(sheet, filled, limit=HEADER_SEARCH_ROWS + 1))
        for number in sorted(rows):
            labels = rows[number]
            keys = [label_key(t) for t in labels.values()]
            has_unit = any(k in _UNIT_LABELS for k in keys)
            has_plan = any(k in _LIST_LABELS for k in keys) or any(_star_label(t) for t in labels.values())
            if has_unit and has_plan:
                return cls(sheet, number, labels, rows.get(number + 1, {}))
        return None

    def where(self, row: int, label: str = "") -> str:
        column = f"“{label}”" if label else ""
        return f"工作表“{self.title}”第 {row} 行{column}"

    def _columns(self) -> tuple[int, dict[str, int], int | None, int]:
        """The unit column, each star's column, the list column, and the first data row."""
        unit_columns = [c for c, t in self.labels.items() if label_key(t) in _UNIT_LABELS]
        list_columns = [c for c, t in self.labels.items() if label_key(t) in _LIST_LABELS]
        by_star: dict[str, list[int]] = {}
        for column, text in self.labels.items():
            star = _star_label(text)
            if star is not None:
                by_star.setdefault(star, []).append(column)
        # Two header rows (as in the progress sheet): a star over 计划/结果; read its 计划.
        two_level = any(label_key(self.below.get(c, "")) == PLAN_LABEL for cols in by_star.values() for c in cols)
        first_data = self.header_row + (2 if two_level else 1)
        stars: dict[str, int] = {}
        for star, columns in by_star.items():
            if two_level:
                columns = [c for c in columns if label_key(self.below.get(c, "")) == PLAN_LABEL]
                if not columns:
                    continue
            if len(columns) > 1:
                letters = "、".join(get_column_letter(c) for c in columns)
                self.problems.append(
                    f"{self.where(self.header_row)}：表头中{letters}列都表示“{star}”，请删掉或改名其中一列"
                )
            stars[star] = columns[0]
        if len(unit_columns) > 1:
            letters = "、".join(get_column_letter(c) for c in unit_columns)
            self.problems.append(
                f"{self.where(self.header_row)}：表头中{letters}列都表示村（社区）名称，请删掉或改名其中一列"
            )
        if len(list_columns) > 1:
            letters = "、".join(get_column_letter(c) for c in list_columns)
            self.problems.append(f"{self.where(self.header_row)}：表头中{letters}列都表示计划创建，请只保留一列")
        if stars and list_columns:
            self.problems.append(
                f"{self.where(self.header_row)}：表头既有每颗星一列，又有“计划创建”列，请只用其中一种写法"
            )
        return (
            unit_columns[0],
            dict(sorted(stars.items(), key=lambda i: ALL_STARS.index(i[0]))),
            (list_columns[0] if list_columns else None),
            first_data,
        )

    def read(self) -> StarPlanRead:
        unit_column, star_columns, list_column, first_data = self._columns()
        if self.problems:
            return StarPlanRead((), tuple(self.problems))
        sheet = self.sheet
        unit_label = self.labels[unit_column]
        filled = merged_fill(sheet, first_row=first_data)
        lines: list[StarPlanLine] = []
        first_row_of: dict[str, int] = {}
        count = 0
        for number, cells in enumerate(sheet.iter_rows(min_row=first_data, max_row=sheet.max_row), start=first_data):
            values = {
                column: filled.get((number, column), cell_value(cell)) for column, cell in enumerate(cells, start=1)
            }
            texts = {column: cell_text(value) for column, value in values.items()}
            if not any(texts.values()):
                continue
            leading = next((t for _, t in sorted(texts.items()) if t), "")
            if any(leading.startswith(word) for word in END_WORDS):
                break  # the blocks below a progress sheet's table, or a footer
            name = texts.get(unit_column, "")
            if canonical_name(name) in TOTAL_WORDS or canonical_name(texts.get(1, "")) in TOTAL_WORDS:
                continue
            count += 1
            if count > MAX_DATA_ROWS:
                self.problems.append(
                    f"工作表“{self.title}”：表头下面超过 {MAX_DATA_ROWS} 行数据，这不像创建计划表，请检查是否选错了文件"
                )
                break
            line = self._line(number, values, unit_column, unit_label, star_columns, list_column, first_row_of)
            if line is not None:
                lines.append(line)
        if not lines and not self.problems:
            self.problems.append(f"工作表“{self.title}”：第 {self.header_row} 行表头下面没有村（社区）数据")
        return StarPlanRead(tuple(lines), tuple(self.problems))

    def _line(
        self,
        number: int,
        values: dict[int, object],
        unit_column: int,
        unit_label: str,
        star_columns: dict[str, int],
        list_column: int | None,
        first_row_of: dict[str, int],
    ) -> StarPlanLine | None:
        before = len(self.problems)
        stars: list[str] = []
        labels: list[tuple[str, str]] = []
        for star, column in star_columns.items():
            label = self.labels[column]
            raw = values.get(column)
            if isinstance(raw, CellError):
                self.problems.append(
                    f"{self.where(number, label)}：单元格是公式错误“{raw.code}”，请在 Excel 中改正后再导入"
                )
                continue
            mark = cell_text(raw)
            if mark in _YES:
                stars.append(star)
                labels.append((star, label))
            elif mark not in _NO:
                self.problems.append(
                    f"{self.where(number, label)}：无法识别“{shown_value(mark)}”，计划创建请打“✓”或“√”，不创建请留空"
                )
        if list_column is not None:
            label = self.labels[list_column]
            raw = values.get(list_column)
            if isinstance(raw, CellError):
                self.problems.append(
                    f"{self.where(number, label)}：单元格是公式错误“{raw.code}”，请在 Excel 中改正后再导入"
                )
            else:
                for part in _SEPARATORS.split(cell_text(raw)):
                    if part in _NO:
                        continue
                    try:
                        star = parse_star(part)
                    except ValidationError as exc:
                        self.problems.append(f"{self.where(number, label)}：{exc.message}")
                        continue
                    if star not in stars:
                        stars.append(star)
                        labels.append((star, label))
        raw_name = values.get(unit_column)
        name = ""
        if isinstance(raw_name, CellError):
            self.problems.append(f"{self.where(number, unit_label)}：单元格是公式错误“{raw_name.code}”")
        elif not cell_text(raw_name):
            if stars or len(self.problems) > before:
                self.problems.append(f"{self.where(number, unit_label)}：缺少村（社区）名称")
            else:
                return None  # a row with neither a name nor a mark (a note, a spacer)
        else:
            try:
                name = validate_unit_name(raw_name)
            except ValidationError as exc:
                self.problems.append(f"{self.where(number, unit_label)}：{exc.message}")
            else:
                if name in first_row_of:
                    self.problems.append(f"{self.where(number, unit_label)}：“{name}”与第 {first_row_of[name]} 行重复")
                else:
                    first_row_of[name] = number
        if len(self.problems) > before:
            return None
        order = sorted(range(len(stars)), key=lambda i: ALL_STARS.index(stars[i]))
        return StarPlanLine(
            self.title, number, name, tuple(stars[i] for i in order), unit_label, tuple(labels[i] for i in order)
        )


__all__ = [
    "SHEET_TITLE",
    "SUMMARY_SHEET_TITLE",
    "StarPlanLine",
    "StarPlanRead",
    "closest_gaps",
    "read_star_plan",
    "shown_stars",
    "write_star_workbook",
]
