"""The ranking sheet of a round (得分汇总表) and its red/black flag list, as a print-ready .xlsx."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from lsb_desktop.domain.paper import PaperData, SheetRow
from lsb_desktop.domain.rounds import RoundUnit
from lsb_desktop.domain.scoring import Flag, round_points
from lsb_desktop.domain.text import date_text
from lsb_desktop.errors import ValidationError
from lsb_desktop.io.xlsx import (
    BORDER,
    CENTRE,
    FONT_NAME,
    LEFT,
    put_text,
    save_atomically,
    set_up_printing,
    text_width,
    write_title,
)

SUMMARY_SHEET = "得分汇总表"
FLAG_SHEET = "红黑旗名单"
UNIT_LABEL = "村（社区）"
NOT_VISITED_NOTE = "本季度未观摩"
SIGNATURE_ROLES = ("评委签字", "记分人", "监督人", "审核")
SIGNATURE_GAP = " " * 4
SIGNATURE_BLANK = "_" * 10
NOTE_SEPARATOR = "；"
NUMBER_FORMAT = "0.00"
# More judge columns than this do not fit across A4 landscape at a readable size: A3 then.
A4_MAX_JUDGES = 10

# Shading that stays apart in greyscale: red rows print lighter than black rows.
RED_FILL = PatternFill(fill_type="solid", start_color="FFE0E0", end_color="FFE0E0")
BLACK_FILL = PatternFill(fill_type="solid", start_color="D9D9D9", end_color="D9D9D9")
# Lighter than BLACK_FILL, so the header never looks like a black-flag row.
HEADER_FILL = PatternFill(fill_type="solid", start_color="F2F2F2", end_color="F2F2F2")
_FILLS: dict[Flag | None, PatternFill] = {Flag.RED: RED_FILL, Flag.BLACK: BLACK_FILL}

HEADER_TOP, HEADER_BOTTOM = 3, 4
FIRST_ROW = HEADER_BOTTOM + 1
TITLE_SIZE = 18
BODY_SIZE = 11
ROW_HEIGHT = 20.0
LINE_HEIGHT = 15.0

_NUMBER_WIDTH = 8.0  # "100.00" with room to spare


@dataclass(frozen=True, slots=True)
class RankingSheetOptions:
    """What the ranking sheet shows.

    judge_component: the component whose per-judge totals get a column each; "" (the
    default) means the scheme's first component, None leaves the judge columns out (and
    with them 最高分/最低分)."""

    judge_component: str | None = ""
    show_high_low: bool = True
    show_components: bool = True
    show_adjustments: bool = True
    font: str = FONT_NAME
    signature: tuple[str, ...] = SIGNATURE_ROLES


@dataclass(frozen=True, slots=True)
class _Column:
    label: str
    width: float
    group: str = ""  # the group header above the label; "" spans both header rows
    number: bool = False  # a two-decimal number
    align: Alignment = CENTRE


def write_ranking_sheet(path: Path, data: PaperData, options: RankingSheetOptions = RankingSheetOptions()) -> None:
    """Write the 得分汇总表 and 红黑旗名单 of a round, ready to print.

    The summary prints on A4 landscape, or on A3 landscape when there are more than
    A4_MAX_JUDGES (10) judge columns, always fitted to one page wide with the title and
    header rows repeated on every page. Raises ValidationError (in Chinese) when the
    file cannot be written, e.g. while it is open in Excel or WPS."""
    workbook = Workbook()
    summary = workbook.active
    summary.title = SUMMARY_SHEET
    _Summary(summary, data, options).write()
    _write_flag_list(workbook.create_sheet(FLAG_SHEET), data, options)
    save_atomically(workbook, Path(path))


# ---------------------------------------------------------------------------- shared lines


def _status_text(data: PaperData) -> str:
    text = "（已定稿）" if data.final else "（草稿，仅供核对）"
    if data.version > 1:
        reason = f"：{data.correction_reason}" if data.correction_reason else ""
        text += f"（更正第 {data.version} 版{reason}）"
    return text


def _write_date_line(sheet: Worksheet, row: int, width: int, data: PaperData, font: str) -> None:
    """观摩日期 on the left half, the sheet's status (定稿/草稿, correction) on the right."""
    split = max(1, width // 2)
    line_font = Font(name=font, size=12)
    for first, last, text, align in (
        (1, split, f"观摩日期：{date_text(data.event_date)}", "left"),
        (split + 1, width, _status_text(data), "right"),
    ):
        if last > first:
            sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
        cell = sheet.cell(row, first)
        put_text(cell, text)
        cell.font = line_font
        cell.alignment = Alignment(horizontal=align, vertical="center")
    sheet.row_dimensions[row].height = 24


def _lines(text: str, width: float, size: float = BODY_SIZE) -> int:
    """How many lines `text` takes when wrapped in a column `width` units wide."""
    room = max(width - 1.5, 1)
    return sum(max(1, math.ceil(text_width(part, size) / room)) for part in text.split("\n"))


def _title(sheet: Worksheet, width: int, text: str, font: str, total_width: float) -> None:
    """The merged title, on two lines when it is wider than the table."""
    lines = _lines(text, total_width - 0.5, TITLE_SIZE)
    write_title(sheet, 1, width, text, size=TITLE_SIZE, font=font, wrap=lines > 1, height=12 + 26 * lines)


def _number(value: Decimal | Fraction | None) -> float | None:
    """A score for a number cell: rounded half-up to two places (exact once rounded)."""
    return None if value is None else float(round_points(value))


def _row_height(texts: Sequence[tuple[str, float]]) -> float:
    """Tall enough for the longest wrapped text among (text, column width)."""
    lines = max((_lines(text, width) for text, width in texts if text), default=1)
    return max(ROW_HEIGHT, LINE_HEIGHT * lines + 5)


def _style_row(sheet: Worksheet, row: int, columns: Sequence[_Column], font: Font, fill: PatternFill | None) -> None:
    for column, spec in enumerate(columns, start=1):
        cell = sheet.cell(row, column)
        cell.font = font
        cell.border = BORDER
        cell.alignment = spec.align
        if spec.number:
            cell.number_format = NUMBER_FORMAT
        if fill is not None:
            cell.fill = fill


def _put(cell: Cell, value: object) -> None:
    if isinstance(value, str):
        if value:
            put_text(cell, value)
    elif value is not None:
        cell.value = value


# ---------------------------------------------------------------------------- 得分汇总表


class _Summary:
    """Lays out and fills the 得分汇总表 sheet."""

    def __init__(self, sheet: Worksheet, data: PaperData, options: RankingSheetOptions) -> None:
        self.sheet = sheet
        self.data = data
        self.options = options
        self.judge_component = self._judge_component()
        self.judge_labels = (
            tuple(name or f"评委{index}" for index, name in enumerate(data.judges, start=1))
            if self.judge_component is not None
            else ()
        )
        self.high_low = bool(self.judge_labels) and options.show_high_low
        self.components = [c.name for c in data.scheme.components] if options.show_components else []

    def _judge_component(self) -> str | None:
        wanted = self.options.judge_component
        if wanted is None or not self.data.judges:
            return None
        judged = self.data.scheme.judged
        if wanted == "":
            return judged.components[0].name
        if not self.data.scheme.component(wanted).judged:  # ValidationError when not in the scheme
            raise ValidationError(f"“{wanted}”按承诺完成率计算，没有评委打分，不能列出评委分数")
        return wanted

    # -- the columns and each row's values

    def _columns(self, rows: list[list[object]]) -> list[_Column]:
        def longest(index: int, label: str, least: float, most: float) -> float:
            texts = [label] + [str(values[index]) for values in rows if values[index]]
            return max(least, min(most, max(text_width(t) for t in texts) + 2))

        columns = [
            _Column("序号", 5.5),
            _Column("管区", longest(1, "管区", 8, 14)),
            _Column(UNIT_LABEL, longest(2, "村（社区）", 10, 22), align=LEFT),
            _Column("党组织书记", longest(3, "党组织书记", 8, 14)),
        ]
        group = f"{self.judge_component}评委打分"
        columns += [
            _Column(label, max(_NUMBER_WIDTH - 0.5, text_width(label) + 2), group, number=True)
            for label in self.judge_labels
        ]
        if self.high_low:
            columns += [
                _Column("最高分", _NUMBER_WIDTH, group, number=True),
                _Column("最低分", _NUMBER_WIDTH, group, number=True),
            ]
        # The break keeps 得分 whole on the second line; left to itself it wraps mid-word.
        columns += [
            _Column(f"{name}\n得分" if len(name) > 2 else f"{name}得分", 9.5, number=True) for name in self.components
        ]
        if self.options.show_adjustments:
            columns += [_Column("加分", 7, number=True), _Column("扣分", 7, number=True)]
        notes = len(columns) + 3
        columns += [
            _Column("综合得分", 9.5, number=True),
            _Column("排名", 6),
            _Column("红/黑旗", 8),
            _Column("备注", longest(notes, "备注", 12, 26), align=LEFT),
        ]
        return columns

    def _ranked_values(self, index: int, row: SheetRow) -> list[object]:
        result = row.result
        unit = result.unit
        values: list[object] = [index, unit.district, unit.name, unit.secretary]
        if self.judge_labels and self.judge_component is not None:
            totals = row.judge_totals.get(self.judge_component, {})
            given = [totals.get(name) for name in self.data.judges]
            values += [_number(value) for value in given]
            if self.high_low:
                scored = [value for value in given if value is not None]
                values += [_number(max(scored)) if scored else None, _number(min(scored)) if scored else None]
        values += [_number(result.components.get(name)) for name in self.components]
        if self.options.show_adjustments:
            values += [
                _number(result.bonus) if result.bonus else None,
                _number(result.deduction) if result.deduction else None,
            ]
        values += [
            _number(result.composite),
            result.rank,
            result.flag.label if result.flag else "",
            self.data.remarks(row),
        ]
        return values

    def _not_visited_values(self, index: int, unit: RoundUnit, width: int) -> list[object]:
        note = NOTE_SEPARATOR.join(n for n in (NOT_VISITED_NOTE, unit.note) if n)
        return [index, unit.district, unit.name, unit.secretary] + [None] * (width - 5) + [note]

    # -- writing

    def write(self) -> None:
        sheet, data, font = self.sheet, self.data, self.options.font
        rows = [self._ranked_values(i, row) for i, row in enumerate(data.rows, start=1)]
        flags = [row.result.flag for row in data.rows]
        width = len(self._columns([]))
        start = len(rows) + 1
        rows += [self._not_visited_values(start + i, unit, width) for i, unit in enumerate(data.not_visited)]
        flags += [None] * len(data.not_visited)
        columns = self._columns(rows)
        total_width = sum(c.width for c in columns)

        _title(sheet, width, f"{data.full_title}得分汇总表", font, total_width)
        _write_date_line(sheet, 2, width, data, font)
        self._header(columns)

        body = Font(name=font, size=BODY_SIZE)
        flag_font = Font(name=font, size=BODY_SIZE, bold=True)
        notes_width = columns[-1].width
        unit_width = columns[2].width
        for offset, (values, flag) in enumerate(zip(rows, flags, strict=True)):
            number = FIRST_ROW + offset
            _style_row(sheet, number, columns, body, _FILLS.get(flag))
            for column, value in enumerate(values, start=1):
                _put(sheet.cell(number, column), value)
            if flag is not None:
                sheet.cell(number, width - 1).font = flag_font
            sheet.row_dimensions[number].height = _row_height(
                ((str(values[-1] or ""), notes_width), (str(values[2]), unit_width))
            )

        signature_row = FIRST_ROW + len(rows) + 1
        sheet.merge_cells(start_row=signature_row, start_column=1, end_row=signature_row, end_column=width)
        line = sheet.cell(signature_row, 1)
        put_text(line, SIGNATURE_GAP.join(f"{role}：{SIGNATURE_BLANK}" for role in self.options.signature))
        line.font = Font(name=font, size=12)
        line.alignment = Alignment(horizontal="left", vertical="center")
        sheet.row_dimensions[signature_row].height = 36
        if data.check_line:
            code_row = signature_row + 1
            sheet.merge_cells(start_row=code_row, start_column=1, end_row=code_row, end_column=width)
            code = sheet.cell(code_row, 1)
            put_text(code, data.check_line)
            code.font = Font(name=font, size=10)
            code.alignment = Alignment(horizontal="left", vertical="center")
            sheet.row_dimensions[code_row].height = 18

        for column, spec in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = spec.width
        sheet.freeze_panes = sheet.cell(FIRST_ROW, 5).coordinate
        set_up_printing(
            sheet, f"1:{HEADER_BOTTOM}", landscape=True, a3=len(self.judge_labels) > A4_MAX_JUDGES, font=font
        )
        sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.7, header=0.3, footer=0.35)

    def _header(self, columns: list[_Column]) -> None:
        sheet = self.sheet
        header_font = Font(name=self.options.font, size=BODY_SIZE, bold=True)
        for row in (HEADER_TOP, HEADER_BOTTOM):
            for column in range(1, len(columns) + 1):
                cell = sheet.cell(row, column)
                cell.font = header_font
                cell.fill = HEADER_FILL
                cell.border = BORDER
                cell.alignment = CENTRE
        group_start: int | None = None
        for column, spec in enumerate(columns, start=1):
            if spec.group:
                put_text(sheet.cell(HEADER_BOTTOM, column), spec.label)
                if group_start is None:
                    group_start = column
                    put_text(sheet.cell(HEADER_TOP, column), spec.group)
                continue
            if group_start is not None:
                self._merge_group(group_start, column - 1)
                group_start = None
            put_text(sheet.cell(HEADER_TOP, column), spec.label)
            sheet.merge_cells(start_row=HEADER_TOP, start_column=column, end_row=HEADER_BOTTOM, end_column=column)
        if group_start is not None:
            self._merge_group(group_start, len(columns))
        top = 24.0
        sheet.row_dimensions[HEADER_TOP].height = top
        # A label spanning both rows may wrap (实地观摩得分 on two lines): room for its lines.
        lines = max(_lines(c.label, c.width) for c in columns)
        sheet.row_dimensions[HEADER_BOTTOM].height = max(top, LINE_HEIGHT * lines + 10 - top)

    def _merge_group(self, first: int, last: int) -> None:
        if last > first:
            self.sheet.merge_cells(start_row=HEADER_TOP, start_column=first, end_row=HEADER_TOP, end_column=last)


# ---------------------------------------------------------------------------- 红黑旗名单

_FLAG_COLUMNS = (
    _Column("序号", 6),
    _Column(UNIT_LABEL, 16, align=LEFT),
    _Column("党组织书记", 12),
    _Column("综合得分", 10, number=True),
    _Column("排名", 7),
    _Column("备注", 28, align=LEFT),
)


def _write_flag_list(sheet: Worksheet, data: PaperData, options: RankingSheetOptions) -> None:
    """Two blocks, 红旗 then 黑旗, each with its own header; 备注 as on the summary sheet."""
    font = options.font
    title = f"{data.full_title}红黑旗名单"
    columns = list(_FLAG_COLUMNS)
    unit_width = max([16.0] + [text_width(r.result.unit.name) + 2 for r in data.rows])
    columns[1] = _Column(UNIT_LABEL, min(unit_width, 24), align=LEFT)
    # Landscape, and 备注 wide enough for the title to stay on one line.
    spare = text_width(title, TITLE_SIZE) + 3 - sum(c.width for c in columns)
    if spare > 0:
        columns[-1] = _Column("备注", columns[-1].width + spare, align=LEFT)
    width = len(columns)
    total_width = sum(c.width for c in columns)
    _title(sheet, width, title, font, total_width)
    _write_date_line(sheet, 2, width, data, font)

    body = Font(name=font, size=BODY_SIZE)
    bold = Font(name=font, size=12, bold=True)
    header_font = Font(name=font, size=BODY_SIZE, bold=True)
    row = 3
    for flag in (Flag.RED, Flag.BLACK):
        flagged = data.flagged(flag)
        if flag is Flag.BLACK:
            row += 1  # a blank row between the blocks
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        caption = sheet.cell(row, 1)
        put_text(caption, f"{flag.label}（{len(flagged)}个）")
        caption.font = bold
        caption.alignment = Alignment(horizontal="left", vertical="center")
        sheet.row_dimensions[row].height = 26
        row += 1
        for column, spec in enumerate(columns, start=1):
            cell = sheet.cell(row, column)
            put_text(cell, spec.label)
            cell.font = header_font
            cell.fill = HEADER_FILL
            cell.border = BORDER
            cell.alignment = CENTRE
        sheet.row_dimensions[row].height = 22
        row += 1
        if not flagged:
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
            _style_row(sheet, row, [_Column("", 0)] * width, body, None)
            put_text(sheet.cell(row, 1), "（无）")
            sheet.row_dimensions[row].height = ROW_HEIGHT
            row += 1
            continue
        for index, item in enumerate(flagged, start=1):
            result = item.result
            note = data.remarks(item)
            values = [index, result.unit.name, result.unit.secretary, _number(result.composite), result.rank, note]
            _style_row(sheet, row, columns, body, None)
            for column, value in enumerate(values, start=1):
                _put(sheet.cell(row, column), value)
            sheet.row_dimensions[row].height = _row_height(
                ((note, columns[-1].width), (result.unit.name, columns[1].width))
            )
            row += 1

    for column, spec in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = spec.width
    set_up_printing(sheet, "1:2", landscape=True, font=font)
    sheet.page_margins = PageMargins(left=0.6, right=0.6, top=0.7, bottom=0.7, header=0.3, footer=0.35)
