"""The commitments workbook (定标亮诺): the township 完成情况汇总表 and each unit's 年度承诺事项公示表,
print-ready on A4 or A3."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from lsb_desktop.domain.commitments import (
    WORST_PLACES,
    Commitment,
    CommitmentStatus,
    UnitCompletion,
    competition_ranks,
    counted_text,
    counted_to,
    total_completion,
    worst_rates,
)
from lsb_desktop.domain.text import clean, clean_text, date_text
from lsb_desktop.errors import ValidationError
from lsb_desktop.io.xlsx import (
    BORDER,
    CENTRE,
    FONT_NAME,
    put_text,
    save_atomically,
    set_up_printing,
    sheet_title,
    text_width,
    write_title,
)

SUMMARY_SHEET = "完成情况汇总表"
UNIT_LABEL = "村（社区）"
NOTICE_HEADERS = ("序号", "类别", "承诺事项", "量化目标", "完成时限", "责任人", "进展情况", "备注")
# The break keeps （项） whole on the second line; left to itself it wraps before 项.
SUMMARY_HEADERS = ("序号", "管区", UNIT_LABEL, "承诺事项\n（项）", "已完成", "已取消", "逾期", "完成率", "排名")
TOTAL_LABEL = "合计"


def summary_headers(day: date) -> tuple[str, ...]:
    """The 汇总表's header, its 逾期 column saying the day it is counted to."""
    return tuple(f"逾期\n（{counted_text(day)}）" if label == "逾期" else label for label in SUMMARY_HEADERS)


CARRIED_NOTE = "上年度结转"
SUPERVISION_LINE = "监督电话：________________　　公示期间，群众如有意见建议，可向村（社区）党组织或镇党委反映。"
SIGNATURE_BLANK = "_" * 10
# The worst rates: the last BOTTOM_MARKED places of the ranking (ties included) get a red fill.
BOTTOM_MARKED = WORST_PLACES

HEADER_FILL = PatternFill(fill_type="solid", start_color="F2F2F2", end_color="F2F2F2")
# The ranking sheet's red-flag shade: light enough to read through, apart from grey in print.
WORST_FILL = PatternFill(fill_type="solid", start_color="FFE0E0", end_color="FFE0E0")
TOTAL_FILL = HEADER_FILL
# Text cells get a little room from the border (xlsx.LEFT puts the text right against it).
TEXT = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
TEXT_INDENT = 1.5  # column-width units the indent takes
# The original text of an adjusted commitment, a size smaller and dark grey (prints as grey).
ORIGINAL_COLOUR = "FF595959"


@dataclass(frozen=True, slots=True)
class _Paper:
    """Sizes for one paper. `budget_*` is the printable width in column-width units at 100 %
    (page width minus margins, less the few pixels Excel adds to each column), so a table
    laid out to it prints at full size; fit-to-width only ever shrinks, never enlarges, so
    A3 gets larger type and wider columns instead."""

    a3: bool
    title_size: int
    body_size: int
    budget_landscape: float
    budget_portrait: float

    @property
    def line_height(self) -> float:
        return round(self.body_size * 1.35, 1)


_PAPERS = {
    "A4": _Paper(False, 18, 12, 138.0, 92.0),
    "A3": _Paper(True, 26, 16, 204.0, 138.0),
}
_MARGINS = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.7, header=0.3, footer=0.35)


def write_commitment_workbook(
    path: Path,
    *,
    year: int,
    township: str,
    committee: str,
    commitments: list[Commitment],
    summary: list[UnitCompletion],
    paper: str = "A4",
    on: date | None = None,
    secretaries: Mapping[int, str] | None = None,
    today: date | None = None,
) -> None:
    """Write the 完成情况汇总表 (first sheet: the clerk prints it most) and one 公示表 per unit
    that has commitments, in the order the units first appear in `commitments`.

    `summary` holds the rows of the 汇总表 as the service computed them (for `on`);
    `on` is the day the statuses and 逾期 are counted to and the 公示日期 (default: `counted_to`,
    today, or 31 December of a past year, as the service's summary does); `today` the real day
    (for `past_due`); `secretaries` (unit id → name) adds
    党组织书记 to a 公示表 when known. Raises ValidationError in Chinese for a paper other than
    A4/A3, for nothing to export, or when the file cannot be written."""
    sizes = _paper(paper)
    if not commitments and not summary:
        raise ValidationError(f"{year}年度没有承诺事项，无法导出")
    today = today or date.today()
    day = on if on is not None else counted_to(year, today)
    secretaries = secretaries or {}

    by_unit: dict[int, list[Commitment]] = {}
    for item in commitments:
        by_unit.setdefault(item.unit_id, []).append(item)

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SUMMARY_SHEET
    _write_summary(sheet, sizes, year=year, township=township, committee=committee, summary=summary, day=day)
    taken = {SUMMARY_SHEET.casefold()}
    for unit_id, items in by_unit.items():
        items.sort(key=lambda item: item.number)
        unit = clean_text(items[0].unit_name)
        notice = workbook.create_sheet(sheet_title(unit, taken, "村（社区）"))
        _write_notice(
            notice,
            sizes,
            year=year,
            unit=unit,
            today=today,
            district=clean_text(items[0].district_name),
            secretary=clean_text(secretaries.get(unit_id, "")),
            items=items,
            day=day,
        )
    save_atomically(workbook, Path(path))


def _paper(paper: str) -> _Paper:
    key = clean(paper).upper()
    if key not in _PAPERS:
        raise ValidationError(f"不支持的纸张“{paper}”：承诺事项表只能用 A4 或 A3 纸打印")
    return _PAPERS[key]


# ---------------------------------------------------------------------------- shared helpers


def _lines(text: str, width: float, size: float) -> int:
    """How many lines `text` takes when wrapped in a column `width` units wide."""
    # Less the cell's own padding and, to stay on the safe side, an indent's worth.
    room = max(width - 1.5 - TEXT_INDENT, 1)
    return sum(max(1, math.ceil(text_width(part, size) / room)) for part in text.split("\n"))


def _row_height(sizes: _Paper, texts: Sequence[tuple[str, float]], least: float) -> float:
    lines = max((_lines(text, width, sizes.body_size) for text, width in texts if text), default=1)
    return max(least, sizes.line_height * lines + sizes.body_size * 0.7)


def _merged_line(
    sheet: Worksheet, row: int, first: int, last: int, text: str, font: Font, horizontal: str, *, wrap: bool = False
) -> None:
    if last > first:
        sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    cell = sheet.cell(row, first)
    if text:
        put_text(cell, text)
    cell.font = font
    cell.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=wrap or None)


def _header(
    sheet: Worksheet, row: int, labels: Sequence[str], widths: Sequence[float], sizes: _Paper, font_name: str
) -> None:
    font = Font(name=font_name, size=sizes.body_size, bold=True)
    for column, label in enumerate(labels, start=1):
        cell = sheet.cell(row, column)
        put_text(cell, label)
        cell.font = font
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = CENTRE
    lines = max(_lines(label, width, sizes.body_size) for label, width in zip(labels, widths, strict=True))
    sheet.row_dimensions[row].height = max(sizes.line_height * 2, sizes.line_height * lines + 8)


def _title(sheet: Worksheet, width: int, text: str, sizes: _Paper, total_width: float, font_name: str) -> None:
    """The merged title, on two lines when it is wider than the table."""
    lines = _lines(text, total_width - 1, sizes.title_size)
    write_title(
        sheet,
        1,
        width,
        text,
        size=sizes.title_size,
        font=font_name,
        wrap=lines > 1,
        height=sizes.title_size * 1.1 + sizes.title_size * 1.45 * lines,
    )


def _fit(fixed: Sequence[float], wanted: Sequence[float], least: Sequence[float], budget: float) -> list[float]:
    """Widths for the flexible columns so the table fills `budget`: each gets at least its
    `least`, then what it `wanted` beyond that (shared in proportion when the page is too
    narrow), then the rest of the page in proportion to `least`."""
    room = budget - sum(fixed)
    widths = list(least)
    spare = room - sum(widths)
    if spare <= 0:
        return widths
    extra = [max(0.0, w - m) for w, m in zip(wanted, least, strict=True)]
    if sum(extra) >= spare:
        return [m + spare * e / sum(extra) for m, e in zip(least, extra, strict=True)]
    widths = [m + e for m, e in zip(least, extra, strict=True)]
    rest = spare - sum(extra)
    return [w + rest * m / sum(least) for w, m in zip(widths, least, strict=True)]


def _finish(
    sheet: Worksheet,
    widths: Sequence[float],
    title_rows: str,
    last_row: int,
    sizes: _Paper,
    *,
    landscape: bool,
    font_name: str,
) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = round(width, 2)
    set_up_printing(sheet, title_rows, landscape=landscape, a3=sizes.a3, font=font_name)
    sheet.page_margins = _MARGINS
    sheet.print_area = f"A1:{get_column_letter(len(widths))}{last_row}"
    sheet.sheet_view.showGridLines = False
    sheet.print_options.gridLines = False


# ---------------------------------------------------------------------------- 公示表


def _progress_text(item: Commitment, day: date, today: date) -> tuple[str, CommitmentStatus]:
    """What the 进展情况 cell says counted to `day`: the status, and what goes with it (the date
    done, the reason for a cancellation, where it was carried, the latest progress percent of an
    open item)."""
    status = item.status_on(day, today)
    label = status.label
    if status is CommitmentStatus.CARRIED:
        number = f"第{item.carried_to_number}项" if item.carried_to_number else ""
        return f"{label}\n（转入{item.carried_to_year}年{number}）", status
    if status is CommitmentStatus.DONE:
        if item.completed_on is None:
            return label, status
        return f"{label}\n（{date_text(item.completed_on)}）", status
    if status is CommitmentStatus.CANCELLED:
        reason = clean_text(item.cancel_reason)
        return (f"{label}\n（原因：{reason}）" if reason else label), status
    if item.latest_percent is not None and status is not CommitmentStatus.NOT_STARTED:
        return f"{label}\n（进度{item.latest_percent}%）", status
    return label, status


def _original_text(item: Commitment) -> str:
    """For an adjusted commitment, what was promised first and why it changed; else ""."""
    if not item.adjusted:
        return ""
    parts = [f"原承诺：{clean_text(item.original_content) or clean_text(item.content)}"]
    original_target = clean_text(item.original_target)
    if original_target and original_target != clean_text(item.target):
        parts.append(f"原目标：{original_target}")
    if item.original_deadline is not None and item.original_deadline != item.deadline:
        parts.append(f"原时限：{date_text(item.original_deadline)}")
    reason = clean_text(item.adjust_reason)
    return "；".join(parts) + (f"（调整原因：{reason}）" if reason else "")


def _note_text(item: Commitment) -> str:
    notes = [CARRIED_NOTE] if item.carried_from_id is not None else []
    if clean_text(item.note):
        notes.append(clean_text(item.note))
    return "；".join(notes)


def _category_text(category: str, width: float, size: float) -> str:
    """A category too long for its column breaks after its "·" (人居环境·/基础设施), not
    wherever the line happens to run out."""
    if "·" in category and text_width(category, size) > width - TEXT_INDENT:
        return category.replace("·", "·\n", 1)
    return category


def _write_notice(
    sheet: Worksheet,
    sizes: _Paper,
    *,
    year: int,
    unit: str,
    district: str,
    secretary: str,
    items: list[Commitment],
    day: date,
    today: date,
    font_name: str = FONT_NAME,
) -> None:
    """One unit's 年度承诺事项公示表, landscape: title, 管区/书记/公示日期 line, the table, the
    supervision line, and the 落款 with room above it for the hand-stamped seal."""
    size = sizes.body_size
    rows: list[tuple[list[object], str, CommitmentStatus]] = []
    for index, item in enumerate(items, start=1):
        progress, status = _progress_text(item, day, today)
        rows.append(
            (
                [
                    item.number or index,
                    clean_text(item.category),
                    clean_text(item.content),
                    clean_text(item.target),
                    item.deadline_text,
                    clean_text(item.responsible),
                    progress,
                    _note_text(item),
                ],
                _original_text(item),
                status,
            )
        )

    def longest(column: int, least: float, most: float) -> float:
        texts = [NOTICE_HEADERS[column]] + [str(values[column]) for values, _, _ in rows]
        return max(least, min(most, max(text_width(t, size) for t in texts) + 2))

    def wanted(column: int, least: float) -> float:
        # The longest line, so short texts stay on one line when the page has room, but no
        # more than a few times the least width: one long text must not starve the others.
        texts = [str(values[column]) for values, _, _ in rows if values[column]]
        longest_line = max(
            [text_width(part, size) + 1 + TEXT_INDENT for text in texts for part in text.split("\n")] or [0]
        )
        return min(longest_line, least * 2.5)

    scale = size / 12
    fixed = [
        6 * scale,
        longest(1, 9 * scale, 13 * scale),
        longest(4, 10 * scale, 16 * scale),
        longest(5, 8 * scale, 12 * scale),
    ]
    least = [26 * scale, 18 * scale, 16 * scale, 10 * scale]
    wishes = [wanted(column, m) for column, m in zip((2, 3, 6, 7), least, strict=True)]
    flexible = _fit(fixed, wishes, least, sizes.budget_landscape)
    widths = [fixed[0], fixed[1], flexible[0], flexible[1], fixed[2], fixed[3], flexible[2], flexible[3]]
    count = len(widths)
    total_width = sum(widths)

    _title(sheet, count, f"{unit}{year}年度党组织书记“定标亮诺”承诺事项公示表", sizes, total_width, font_name)

    line_font = Font(name=font_name, size=size)
    who = []
    if district:
        who.append(f"管区：{district}")
    if secretary:
        who.append(f"党组织书记：{secretary}")
    _merged_line(sheet, 2, 1, 5, "　　".join(who), line_font, "left")
    _merged_line(sheet, 2, 6, count, f"公示日期：{date_text(day)}", line_font, "right")
    sheet.row_dimensions[2].height = sizes.line_height * 1.7

    _header(sheet, 3, NOTICE_HEADERS, widths, sizes, font_name)

    body = Font(name=font_name, size=size)
    late = Font(name=font_name, size=size, bold=True)
    aligns = [CENTRE, CENTRE, TEXT, TEXT, CENTRE, CENTRE, CENTRE, TEXT]
    row = 4
    for values, original, status in rows:
        values[1] = _category_text(str(values[1]), widths[1], size)
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row, column)
            if isinstance(value, str):
                if value:
                    put_text(cell, value)
            else:
                cell.value = value
            cell.font = body
            cell.border = BORDER
            cell.alignment = aligns[column - 1]
        texts = [(str(v), w) for v, w in zip(values, widths, strict=True)]
        if original:
            # The new text first, the original beneath it in smaller grey type, in one cell.
            sheet.cell(row, 3).value = CellRichText(
                TextBlock(InlineFont(rFont=font_name, sz=size), f"{values[2]}\n"),
                TextBlock(InlineFont(rFont=font_name, sz=size - 1, color=ORIGINAL_COLOUR), original),
            )
            texts.append((f"{values[2]}\n{original}", widths[2]))
        if status is CommitmentStatus.OVERDUE:
            sheet.cell(row, 7).font = late
        sheet.row_dimensions[row].height = _row_height(sizes, texts, sizes.line_height * 2)
        row += 1

    # The footer: the supervision line, then the 落款 on the right. The seal is stamped by hand
    # over the 落款 and the date (骑年盖月), so the rows around them are tall enough for a
    # 42 mm seal; nothing is drawn.
    row += 1
    _merged_line(sheet, row, 1, count, SUPERVISION_LINE, line_font, "left", wrap=True)
    sheet.row_dimensions[row].height = _row_height(sizes, [(SUPERVISION_LINE, total_width)], sizes.line_height * 1.7)
    row += 1
    sheet.row_dimensions[row].height = sizes.line_height * 2.5  # room for the seal's top half
    row += 1
    sign_font = Font(name=font_name, size=size + 2)
    _merged_line(sheet, row, 6, count, f"{unit}党组织（盖章）", sign_font, "center")
    sheet.row_dimensions[row].height = sizes.line_height * 2
    row += 1
    _merged_line(sheet, row, 6, count, date_text(day), sign_font, "center")
    sheet.row_dimensions[row].height = sizes.line_height * 2
    row += 1
    sheet.row_dimensions[row].height = sizes.line_height * 1.5  # the seal's lower edge

    _finish(sheet, widths, "1:3", row, sizes, landscape=True, font_name=font_name)


# ---------------------------------------------------------------------------- 完成情况汇总表


def _write_summary(
    sheet: Worksheet,
    sizes: _Paper,
    *,
    year: int,
    township: str,
    committee: str,
    summary: list[UnitCompletion],
    day: date,
    font_name: str = FONT_NAME,
) -> None:
    """The township 完成情况汇总表, portrait, rows in ranking order (units with no rate last)."""
    size = sizes.body_size
    ranks = competition_ranks([row.rate for row in summary])
    order = sorted(range(len(summary)), key=lambda i: (ranks[i] is None, ranks[i] or 0))  # stable: ties keep order
    rows = [summary[i] for i in order]
    row_ranks = [ranks[i] for i in order]
    marked = worst_rates([row.rate for row in rows])

    scale = size / 12

    def longest(texts: Sequence[str], least: float, most: float) -> float:
        return max(least, min(most, max(text_width(t, size) for t in texts) + 2))

    least = [
        6 * scale,
        longest([SUMMARY_HEADERS[1]] + [clean_text(r.district_name) for r in rows], 9 * scale, 16 * scale),
        longest([SUMMARY_HEADERS[2]] + [clean_text(r.unit_name) for r in rows], 12 * scale, 24 * scale),
        10 * scale,
        8 * scale,
        8 * scale,
        max(8 * scale, text_width(f"（统计到 {day.isoformat()}）", size) / 2 + 2),
        10 * scale,
        7 * scale,
    ]
    # The columns share the rest of the page in proportion, so the table fills its width.
    widths = _fit([], least, least, sizes.budget_portrait)
    count = len(widths)
    total_width = sum(widths)

    _title(
        sheet,
        count,
        f"{clean_text(township)}{year}年度村（社区）党组织书记承诺事项完成情况汇总表",
        sizes,
        total_width,
        font_name,
    )
    line_font = Font(name=font_name, size=size)
    _merged_line(sheet, 2, 1, 4, f"统计截至：{date_text(day)}", line_font, "left")
    issuer = clean_text(committee)
    _merged_line(sheet, 2, 5, count, f"填报单位：{issuer}" if issuer else "", line_font, "right")
    sheet.row_dimensions[2].height = sizes.line_height * 1.7
    _header(sheet, 3, summary_headers(day), widths, sizes, font_name)

    body = Font(name=font_name, size=size)
    bold = Font(name=font_name, size=size, bold=True)
    row = 4
    for index, (item, rank) in enumerate(zip(rows, row_ranks, strict=True)):
        done = item.completion
        # The rate is text from percent_text (rate_text), not a number cell with a % format: what prints
        # is then exactly what the program shows (two decimals, half-up on the exact Fraction),
        # never Excel's own rounding of a float.
        values: list[object] = [
            index + 1,
            clean_text(item.district_name),
            clean_text(item.unit_name),
            done.total,
            done.done,
            done.cancelled,
            done.overdue,
            done.rate_text,
            rank,
        ]
        fill = WORST_FILL if index in marked else None
        _body_row(sheet, row, values, body, fill)
        if done.overdue:
            sheet.cell(row, 7).font = bold
        sheet.row_dimensions[row].height = _row_height(
            sizes, [(str(values[1]), widths[1]), (str(values[2]), widths[2])], sizes.line_height * 1.6
        )
        row += 1

    totals = total_completion(r.completion for r in rows)
    _body_row(
        sheet,
        row,
        [
            TOTAL_LABEL,
            None,
            f"{len(rows)}个",
            totals.total,
            totals.done,
            totals.cancelled,
            totals.overdue,
            totals.rate_text,
            None,
        ],
        bold,
        TOTAL_FILL,
    )
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    sheet.row_dimensions[row].height = sizes.line_height * 1.6
    row += 1

    notes = [
        f"注：1. 完成率 = 已完成 ÷（承诺事项 − 已取消），统计截至{date_text(day)}。",
        "2. 排名按完成率从高到低，相同的并列；没有可计算事项的记为“—”，不排名，列在最后。",
        f"3. 完成率排名后{BOTTOM_MARKED}位的（含并列，排名第一的除外）以红色底纹标出。",
        f"4. 逾期：{counted_text(day)}，已过完成时限仍未完成、未取消的承诺事项；已结转到下一年的"
        f"（{totals.carried}项）不计逾期，在完成率中仍按未完成计算；合计行的完成率为全镇完成率。",
    ]
    for text in notes:
        _merged_line(sheet, row, 1, count, text, line_font, "left", wrap=True)
        lines = _lines(text, total_width, size)
        sheet.row_dimensions[row].height = sizes.line_height * lines + sizes.body_size * 0.6
        row += 1
    signature = f"制表人：{SIGNATURE_BLANK}　　　　审核人：{SIGNATURE_BLANK}"
    _merged_line(sheet, row, 1, count, signature, line_font, "left")
    sheet.row_dimensions[row].height = sizes.line_height * 2.4

    _finish(sheet, widths, "1:3", row, sizes, landscape=False, font_name=font_name)


def _body_row(sheet: Worksheet, row: int, values: Sequence[object], font: Font, fill: PatternFill | None) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row, column)
        if isinstance(value, str):
            if value:
                put_text(cell, value)
        elif value is not None:
            cell.value = value
        cell.font = font
        cell.border = BORDER
        cell.alignment = TEXT if column == 3 else CENTRE
        if fill is not None:
            cell.fill = fill
