"""Judges' score sheets as .xlsx: blank per-judge sheets written, filled-in or flat files read."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from lsb_desktop.domain.points import parse_points
from lsb_desktop.domain.score_files import (
    FORMAT_FLAT,
    FORMAT_JUDGE_SHEETS,
    FORMAT_UNKNOWN,
    ScoreContext,
    ScoreEntry,
    ScoreProblem,
    ScoreRead,
    ScoreSheetSpec,
    plain_points,
)
from lsb_desktop.domain.scoring import Criterion
from lsb_desktop.domain.text import canonical_name, canonical_person, clean, date_text, shown_value
from lsb_desktop.errors import ValidationError
from lsb_desktop.io.xlsx import (
    BORDER,
    CENTRE,
    FONT_NAME,
    HEADER_FILL,
    HEADER_SEARCH_ROWS,
    LEFT,
    TOTAL_WORDS,
    CellError,
    cell_text,
    data_rows,
    first_cell,
    header_rows,
    hidden_label,
    is_hidden,
    label_key,
    load_xlsx,
    merged_fill,
    put_text,
    read_xlsx_bytes,
    save_atomically,
    set_up_printing,
    sheet_is_empty,
    sheet_title,
    write_title,
)
from lsb_desktop.io.xlsx_guard import MAX_ROWS

# A judge sheet has one row per unit (a district: ~100); far more means the wrong file.
MAX_SHEET_ROWS = 2000
# A flat table has one row per score: 40 judges x 60 units x 10 criteria is the most (the
# guard refuses a longer sheet before it is read).
MAX_FLAT_ROWS = MAX_ROWS
# More criteria than this do not fit across A4 landscape at a legible size.
A4_MAX_CRITERIA = 12

UNIT_LABEL = "村（社区）"
_UNIT_LABELS = (UNIT_LABEL, "村(社区)", "村/社区", "单位", "单位名称", "村（社区）名称", "名称")
# field key -> (the label shown to the clerk, labels accepted in a header)
_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "judge": ("评委", ("评委", "评委姓名")),
    "unit": (UNIT_LABEL, _UNIT_LABELS),
    "criterion": ("指标", ("指标", "指标名称", "评分指标")),
    "points": ("得分", ("得分", "分数")),
}
_LABEL_TO_FIELD = {canonical_name(label): key for key, (_, labels) in _FIELDS.items() for label in labels}
_FLAT_KEYS = ("judge", "unit", "criterion", "points")

# "基层党建（25分）" or a group header "实地观摩（满分100分）", on a canonical label.
_POINTS_SUFFIX = re.compile(r"^(.+?)（(满分)?(\d+(?:\.\d+)?)分）$")
# "评委：张三　　　日期：2025年4月20日" after clean() (full-width colon and spaces folded).
_JUDGE_LINE = re.compile(r"^评委(?:姓名)?\s*:\s*(.*?)\s*(?:日期\s*:.*)?$")
# Lines below the table: 评委签字：___  记分人：___  监督人：___, 审核：___
_FOOTER = re.compile(r"签字|签名|^(记分人|监督人|审核人?|填表人|制表人|统计人)\s*:")
_SCORE_IN_TEXT = re.compile(r"^(.*\d)\s*分$")

_ID_GAP = "\u3000" * 3  # ideographic spaces, as typed between fields on official forms
SIGNATURE_LINE = _ID_GAP.join(f"{role}：__________" for role in ("评委签字", "记分人", "监督人"))

_NEITHER = (
    "没有找到评分数据。可以导入两种格式："
    "① 本程序生成的逐评委评分表：每位评委一个工作表，表头有“村（社区）”列和"
    "“基层党建（25分）”这样的指标列；"
    "② 一览表：一行一个分数，表头有“评委”“村（社区）”“指标”“得分”四列，顺序不限。"
)


# ---------------------------------------------------------------------------- writing


def write_judge_sheets(path: Path, spec: ScoreSheetSpec) -> None:
    """Write blank score sheets, one worksheet per judge, ready to print and to fill in."""
    path = Path(path)
    if not spec.judges:
        raise ValidationError("没有评委，无法生成评分表")
    if not spec.units:
        raise ValidationError("没有参评的村（社区），无法生成评分表")
    seen: set[str] = set()
    for judge in spec.judges:
        key = canonical_person(judge)
        if not key:
            raise ValidationError("评委姓名不能为空")
        if key in seen:
            # The file names a judge only by name: two sheets for one name cannot be told apart.
            raise ValidationError(f"评委姓名“{key}”重复了，请在姓名后加上单位区分，如“{key}（组织部）”")
        seen.add(key)

    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for judge in spec.judges:
        sheet = workbook.create_sheet(sheet_title(clean(judge), taken, "评委"))
        _fill_judge_sheet(sheet, clean(judge), spec)
    save_atomically(workbook, path)


def _fill_judge_sheet(sheet: Worksheet, judge: str, spec: ScoreSheetSpec) -> None:
    criteria = [(component, c) for component in spec.scheme.components for c in component.criteria]
    first_score = 4
    last_score = first_score + len(criteria) - 1
    total_column = last_score + 1
    width = total_column
    header_top, header_bottom = 3, 4
    first_unit_row = header_bottom + 1

    write_title(sheet, 1, width, spec.title, size=16, height=36)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    line = sheet.cell(2, 1)
    put_text(line, f"评委：{judge}{_ID_GAP}日期：{date_text(spec.event_date)}")
    line.font = Font(name=FONT_NAME, size=12)
    line.alignment = Alignment(horizontal="left", vertical="center")
    sheet.row_dimensions[2].height = 26

    # The two-level header: fixed columns and 合计 span both rows, components span their criteria.
    header_font = Font(name=FONT_NAME, size=11, bold=True)
    for row in (header_top, header_bottom):
        for column in range(1, width + 1):
            cell = sheet.cell(row, column)
            cell.font = header_font
            cell.fill = HEADER_FILL
            cell.border = BORDER
            cell.alignment = CENTRE
    for column, label in ((1, "序号"), (2, "管区"), (3, UNIT_LABEL), (total_column, "合计")):
        sheet.cell(header_top, column, label)
        sheet.merge_cells(start_row=header_top, start_column=column, end_row=header_bottom, end_column=column)
    column = first_score
    for component in spec.scheme.components:
        span = len(component.criteria)
        put_text(sheet.cell(header_top, column), f"{component.name}（满分{plain_points(component.max_total)}分）")
        if span > 1:
            sheet.merge_cells(
                start_row=header_top, start_column=column, end_row=header_top, end_column=column + span - 1
            )
        for criterion in component.criteria:
            # The line break keeps （25分） whole: left to itself Excel breaks after the "（".
            # The reader folds it away (canonical_name drops whitespace).
            put_text(sheet.cell(header_bottom, column), f"{criterion.name}\n（{plain_points(criterion.max_points)}分）")
            column += 1
    sheet.row_dimensions[header_top].height = 24
    sheet.row_dimensions[header_bottom].height = 40

    body_font = Font(name=FONT_NAME, size=11)
    first_letter = get_column_letter(first_score)
    last_letter = get_column_letter(last_score)
    for index, (unit, district) in enumerate(spec.units, start=1):
        row = first_unit_row + index - 1
        sheet.cell(row, 1, index)
        put_text(sheet.cell(row, 2), clean(district))
        put_text(sheet.cell(row, 3), clean(unit))
        # A real formula, deliberately: the judge sees the total while filling in. Blank until
        # something is entered, so a printed blank sheet shows no row of zeros.
        scores = f"{first_letter}{row}:{last_letter}{row}"
        sheet.cell(row, total_column, f'=IF(COUNT({scores})=0,"",SUM({scores}))')
        for column in range(1, width + 1):
            cell = sheet.cell(row, column)
            cell.font = body_font
            cell.border = BORDER
            cell.alignment = LEFT if column == 3 else CENTRE
        # Room for handwriting on the printed sheet.
        sheet.row_dimensions[row].height = 26
    last_unit_row = first_unit_row + len(spec.units) - 1

    for offset, (_, criterion) in enumerate(criteria):
        letter = get_column_letter(first_score + offset)
        maximum = plain_points(criterion.max_points)
        validation = DataValidation(
            type="decimal",
            operator="between",
            formula1="0",
            formula2=maximum,
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop",
            errorTitle="分数超出范围",
            error=f"分数必须在 0 到 {maximum} 之间",
        )
        sheet.add_data_validation(validation)
        validation.add(f"{letter}{first_unit_row}:{letter}{last_unit_row}")

    signature_row = last_unit_row + 2
    sheet.merge_cells(start_row=signature_row, start_column=1, end_row=signature_row, end_column=width)
    signature = sheet.cell(signature_row, 1, SIGNATURE_LINE)
    signature.font = Font(name=FONT_NAME, size=12)
    signature.alignment = Alignment(horizontal="left", vertical="center")
    sheet.row_dimensions[signature_row].height = 36

    longest_unit = max(len(clean(unit)) for unit, _ in spec.units)
    longest_district = max((len(clean(d)) for _, d in spec.units), default=0)
    widths = {
        1: 6,
        2: max(8, min(14, longest_district * 2 + 2)),
        3: max(14, min(26, longest_unit * 2 + 2)),
        total_column: 9,
    }
    for offset, (_, criterion) in enumerate(criteria):
        # The header wraps onto two lines; the name sets the width, a score needs little.
        widths[first_score + offset] = max(9, min(14, len(criterion.name) * 2 + 1))
    for column, column_width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = column_width

    sheet.freeze_panes = sheet.cell(first_unit_row, first_score).coordinate
    set_up_printing(sheet, f"1:{header_bottom}", landscape=True, a3=len(criteria) > A4_MAX_CRITERIA)


# ---------------------------------------------------------------------------- reading


def read_score_file(path: Path, context: ScoreContext) -> ScoreRead:
    """Read judges' scores from per-judge sheets or a flat table, checking each against the
    context; raises ValidationError only when the file cannot be opened."""
    path = Path(path)
    data = read_xlsx_bytes(path, "评分表")
    workbook = load_xlsx(data, path.name)
    formulas = _Formulas(data, path.name)
    try:
        return _Reader(context, formulas).read(workbook)
    finally:
        workbook.close()
        formulas.close()


class _Formulas:
    """The workbook as formulas, loaded only when a blank score cell needs explaining:
    with data_only, a formula Excel never calculated reads as empty."""

    def __init__(self, data: bytes, name: str) -> None:
        self._data = data
        self._name = name
        self._workbook: Workbook | None = None

    def uncalculated(self, sheet: str, row: int, column: int) -> bool:
        if self._workbook is None:
            self._workbook = load_xlsx(self._data, self._name, data_only=False)
        cell = self._workbook[sheet].cell(row, column)
        return cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("="))

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()


@dataclass(slots=True)
class _Layout:
    """A sheet's header as found: which format, where the data starts, what is where."""

    format: str
    header_row: int  # the last header row; data starts below it
    columns: dict[str, int] = field(default_factory=dict)
    criteria: dict[int, Criterion] = field(default_factory=dict)
    problems: list[ScoreProblem] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    judge_line: tuple[int, int, str] | None = None  # (row, column, name) of "评委：X"


class _Reader:
    """Reads every sheet of one workbook, collecting entries, problems, blanks and notes."""

    def __init__(self, context: ScoreContext, formulas: _Formulas) -> None:
        self.context = context
        self.formulas = formulas
        self.judges = set(context.judges)
        self.units = set(context.units)
        self.criteria = {c.name: c for comp in context.scheme.components for c in comp.criteria}
        self.components = {comp.name for comp in context.scheme.components}
        self.entries: list[ScoreEntry] = []
        self.problems: list[ScoreProblem] = []
        self.notes: list[str] = []
        self.blanks = 0
        self.first_place: dict[tuple[str, str, str], tuple[str, int, str]] = {}

    # -- the whole file

    def read(self, workbook: Workbook) -> ScoreRead:
        # Names stored before invisible characters were dropped can look alike (张五砦村 and
        # 张五砦村 with a zero-width space): a score for that name could go to either.
        for names, what in ((self.context.units, "参评的村（社区）"), (self.context.judges, "评委")):
            twins = sorted({name for name in names if names.count(name) > 1})
            if twins:
                return ScoreRead(
                    FORMAT_UNKNOWN,
                    (),
                    tuple(
                        ScoreProblem(
                            "",
                            None,
                            "",
                            (
                                f"本轮{what}中有两个名称看起来都是“{shown_value(name)}”（其中一个含有看不见的字符），"
                                "无法按名称对应分数：请先把其中一个改名后再导入"
                            ),
                        )
                        for name in twins
                    ),
                    0,
                    (),
                )
        sheets = list(workbook.worksheets)
        layouts = [(sheet, self._layout(sheet)) for sheet in sheets]
        found = [(s, lay) for s, lay in layouts if lay is not None]
        formats = {lay.format for _, lay in found}
        if not found:
            message = _NEITHER + f"（已查看全部 {len(sheets)} 个工作表的前 {HEADER_SEARCH_ROWS} 行）"
            for sheet in sheets:  # the sheets that look like scores, with where they are
                self._unread_sheet(sheet)
            return ScoreRead(
                FORMAT_UNKNOWN, (), (ScoreProblem("", None, "", message), *self.problems), 0, tuple(self.notes)
            )
        if len(formats) > 1:
            flat = "、".join(f"“{s.title}”" for s, lay in found if lay.format == FORMAT_FLAT)
            judge = "、".join(f"“{s.title}”" for s, lay in found if lay.format != FORMAT_FLAT)
            message = f"文件中既有一览表（工作表{flat}），又有逐评委评分表（工作表{judge}），请分成两个文件分别导入"
            return ScoreRead(FORMAT_UNKNOWN, (), (ScoreProblem("", None, "", message),), 0, ())
        # Every sheet is read or reported: one without a header that still names a unit or a
        # judge of the round blocks the import (a judge's whole sheet is never left out).
        for sheet, layout in layouts:
            if layout is None:
                self._unread_sheet(sheet)
        judge_of_sheet: dict[str, str] = {}
        for sheet, layout in found:
            if is_hidden(sheet):
                # Refused, not read: the clerk checks a file by looking at it, and would import
                # scores nobody saw; nor skipped, which would drop a judge's scores.
                self.problems.append(
                    ScoreProblem(
                        sheet.title,
                        None,
                        "",
                        f"{hidden_label(sheet)}，其中有评分表（表头在第{layout.header_row}行）。隐藏的评分表"
                        "既不导入也不跳过：请在 Excel 中取消隐藏、核对后再导入，或删除这个工作表",
                    )
                )
                continue
            self.problems.extend(layout.problems)
            if layout.ignored:
                self.notes.append(
                    f"工作表“{sheet.title}”中已忽略的列：{'、'.join(shown_value(x) for x in layout.ignored)}"
                )
            if layout.problems:
                continue  # a header that cannot be read makes every row below it doubtful
            if layout.format == FORMAT_FLAT:
                self._read_flat(sheet, layout)
            else:
                self._read_judge_sheet(sheet, layout, judge_of_sheet)
        return ScoreRead(
            format=found[0][1].format,
            entries=tuple(self.entries),
            problems=tuple(self.problems),
            blanks=self.blanks,
            notes=tuple(self.notes),
        )

    def _unread_sheet(self, sheet: Worksheet) -> None:
        """A sheet without a score header: a problem when it looks like scores (it names a
        unit of the round, or its title is a judge's), else a note that it was left out."""
        title = sheet.title
        hidden = f"{hidden_label(sheet)}；" if is_hidden(sheet) else ""
        if sheet_is_empty(sheet):
            self.notes.append(f"{hidden}工作表“{title}”是空的，已忽略")
            return
        missing = f"前 {HEADER_SEARCH_ROWS} 行中找不到评分表的表头"
        todo = (
            f"这个工作表的分数无法导入。请把表头移到前 {HEADER_SEARCH_ROWS} 行内，或删除这个工作表后再导入"
            "（逐评委评分表的表头要有“村（社区）”列和“基层党建（25分）”这样的指标列；一览表要有"
            "“评委”“村（社区）”“指标”“得分”四列）"
        )
        unit = first_cell(sheet, lambda value: isinstance(value, str) and canonical_name(value) in self.units)
        if unit is not None:
            row, column, value = unit
            self.problems.append(
                ScoreProblem(
                    title,
                    row,
                    get_column_letter(column),
                    f"{hidden}{missing}，但表中有参评的村（社区）“{shown_value(canonical_name(value))}”：{todo}",
                )
            )
            return
        if canonical_person(title) in self.judges:
            self.problems.append(
                ScoreProblem(
                    title, None, "", f"{hidden}{missing}，但工作表名称“{canonical_person(title)}”是本轮的评委：{todo}"
                )
            )
            return
        self.notes.append(f"{hidden}工作表“{title}”不是评分表（没有表头，也没有本轮参评的村（社区）），已忽略")

    # -- finding the header

    def _layout(self, sheet: Worksheet) -> _Layout | None:
        filled = merged_fill(sheet, last_row=HEADER_SEARCH_ROWS + 1, whole=True)
        rows = list(header_rows(sheet, filled, HEADER_SEARCH_ROWS + 1))
        for index, (row_number, labels) in enumerate(rows[:HEADER_SEARCH_ROWS]):
            fields: dict[str, list[int]] = {}
            for column, label in labels.items():
                key = _LABEL_TO_FIELD.get(label_key(label))
                if key is not None:
                    fields.setdefault(key, []).append(column)
            below = rows[index + 1][1] if index + 1 < len(rows) else {}
            criterion_columns = self._criterion_like(labels) | self._criterion_like(below)
            if all(key in fields for key in _FLAT_KEYS):
                return self._flat_layout(sheet, row_number, labels, fields)
            if "unit" in fields and criterion_columns:
                layout = self._judge_layout(sheet, row_number, labels, below, fields)
                layout.judge_line = _judge_line(rows[:index])
                return layout
            present = [key for key in _FLAT_KEYS if key in fields]
            if len(present) >= 3:
                missing = "、".join(f"“{_FIELDS[k][0]}”" for k in _FLAT_KEYS if k not in fields)
                return _Layout(
                    FORMAT_FLAT,
                    row_number,
                    problems=[
                        ScoreProblem(
                            sheet.title,
                            row_number,
                            "",
                            f"表头缺少{missing}列：一览表需要“评委”“村（社区）”“指标”“得分”四列",
                        )
                    ],
                )
        return None

    def _classify(self, label: str) -> tuple[str, str, Decimal | None]:
        """('criterion' | 'component' | 'unknown' | 'other', name, stated maximum)."""
        key = label_key(label)
        match = _POINTS_SUFFIX.match(key)
        name, stated = (match.group(1), Decimal(match.group(3))) if match else (key, None)
        if name in self.criteria:
            return "criterion", name, stated
        if name in self.components:
            return "component", name, stated
        if match:
            return "unknown", name, stated
        return "other", name, stated

    def _criterion_like(self, labels: dict[int, str]) -> set[int]:
        return {c for c, label in labels.items() if self._classify(label)[0] in ("criterion", "unknown")}

    def _duplicate_columns(
        self, sheet: Worksheet, row: int, labels: dict[int, str], fields: dict[str, list[int]]
    ) -> list[ScoreProblem]:
        problems = []
        for key, columns in fields.items():
            if len(columns) > 1:
                first, here = columns[0], columns[1]
                problems.append(
                    ScoreProblem(
                        sheet.title,
                        row,
                        get_column_letter(here),
                        f"表头中{get_column_letter(first)}列“{shown_value(labels[first])}”和"
                        f"{get_column_letter(here)}列“{shown_value(labels[here])}”都表示{_FIELDS[key][0]}，"
                        "请删掉或改名其中一列",
                    )
                )
        return problems

    def _flat_layout(self, sheet: Worksheet, row: int, labels: dict[int, str], fields: dict[str, list[int]]) -> _Layout:
        layout = _Layout(FORMAT_FLAT, row, columns={k: v[0] for k, v in fields.items()})
        layout.problems = self._duplicate_columns(sheet, row, labels, fields)
        used = {c for columns in fields.values() for c in columns}
        layout.ignored = [label for c, label in labels.items() if c not in used]
        return layout

    def _judge_layout(
        self, sheet: Worksheet, row: int, labels: dict[int, str], below: dict[int, str], fields: dict[str, list[int]]
    ) -> _Layout:
        two_level = bool(self._criterion_like(below))
        layout = _Layout(FORMAT_JUDGE_SHEETS, row + 1 if two_level else row, columns={"unit": fields["unit"][0]})
        unit_fields = {"unit": fields["unit"]}
        layout.problems = self._duplicate_columns(sheet, row, labels, unit_fields)
        if "judge" in fields:
            letter = get_column_letter(fields["judge"][0])
            layout.problems.append(
                ScoreProblem(
                    sheet.title,
                    row,
                    letter,
                    "表头中有“评委”列，又有指标列：逐评委评分表应每位评委一个工作表（不要“评委”列）；"
                    "一览表应是“评委”“村（社区）”“指标”“得分”四列，一行一个分数",
                )
            )
        first_column_of: dict[str, int] = {}
        for column in sorted(set(labels) | set(below)):
            upper = labels.get(column, "")
            lower = below.get(column, "") if two_level else ""
            if lower:
                # Equal labels in both rows are one cell merged down (序号, 合计, ...).
                place_row, label = (row if lower == upper else row + 1), lower
            else:
                place_row, label = row, upper
            kind, name, stated = self._classify(label) if label else ("other", "", None)
            letter = get_column_letter(column)
            # Above the criteria, a label with points is a group header, not a criterion.
            if kind == "unknown" and (lower or not two_level):
                layout.problems.append(
                    ScoreProblem(
                        sheet.title,
                        place_row,
                        letter,
                        f"表头“{shown_value(canonical_name(label))}”不是本轮评分方案中的指标"
                        f"（本轮指标：{'、'.join(self.criteria)}）",
                    )
                )
            elif kind == "criterion":
                criterion = self.criteria[name]
                if stated is not None and stated != criterion.max_points:
                    layout.problems.append(
                        ScoreProblem(
                            sheet.title,
                            place_row,
                            letter,
                            f"表头“{shown_value(canonical_name(label))}”的满分与本轮评分方案不一致（“{name}”满分 "
                            f"{plain_points(criterion.max_points)} 分），请确认用的是本轮的评分表",
                        )
                    )
                if name in first_column_of:
                    layout.problems.append(
                        ScoreProblem(
                            sheet.title,
                            place_row,
                            letter,
                            f"表头中{get_column_letter(first_column_of[name])}列和{letter}列"
                            f"都是指标“{name}”，请删掉其中一列",
                        )
                    )
                else:
                    first_column_of[name] = column
                    layout.criteria[column] = criterion
        return layout

    # -- per-judge sheets

    def _read_judge_sheet(self, sheet: Worksheet, layout: _Layout, judge_of_sheet: dict[str, str]) -> None:
        title = sheet.title
        if layout.judge_line is not None:
            line_row, line_column, name = layout.judge_line
            judge = canonical_person(name)
            source = f"第{line_row}行的“评委：{shown_value(name)}”"
            place: tuple[int | None, str] = (line_row, get_column_letter(line_column))
        else:
            judge = canonical_person(title)
            source = "工作表名称"
            place = (None, "")
        known_judge = judge in self.judges
        if not known_judge:
            self.problems.append(
                ScoreProblem(title, *place, f"评委“{shown_value(judge)}”（按{source}识别）不在本轮评委名单中")
            )
        elif judge in judge_of_sheet:
            self.problems.append(
                ScoreProblem(
                    title, *place, f"工作表“{judge_of_sheet[judge]}”和“{title}”都是评委{judge}的评分表，请删掉其中一个"
                )
            )
            return
        else:
            judge_of_sheet[judge] = title

        rows = data_rows(sheet, layout.header_row, MAX_SHEET_ROWS)
        if rows is None:
            self.problems.append(
                ScoreProblem(
                    title, None, "", f"表头下面超过 {MAX_SHEET_ROWS} 行数据，这不像评分表，请检查是否选错了文件"
                )
            )
            return
        unit_column = layout.columns["unit"]
        unit_letter = get_column_letter(unit_column)
        count = 0
        for row_number, values in rows:
            raw_unit = values[unit_column - 1]
            if isinstance(raw_unit, CellError):
                self._problem(
                    title, row_number, unit_letter, f"单元格是公式错误“{raw_unit.code}”，请在 Excel 中改正后再导入"
                )
                continue
            unit_text = cell_text(raw_unit)
            first_text = next((cell_text(v) for v in values if cell_text(v)), "")
            if _FOOTER.search(first_text):
                continue  # 评委签字：___ 记分人：___ below the table
            if canonical_name(unit_text) in TOTAL_WORDS or any(
                canonical_name(cell_text(v)) in TOTAL_WORDS for v in values[:unit_column]
            ):
                continue
            scored = [c for c in layout.criteria if cell_text(values[c - 1])]
            if not unit_text:
                if scored:
                    letter = get_column_letter(scored[0])
                    self._problem(
                        title, row_number, unit_letter, f"这一行有分数（{letter}列），但没有填写村（社区）名称"
                    )
                continue
            unit = canonical_name(unit_text)
            known_unit = unit in self.units
            if not known_unit:
                self._problem(title, row_number, unit_letter, f"村（社区）“{shown_value(unit)}”不在本轮参评名单中")
            for column, criterion in layout.criteria.items():
                points = self._points(title, row_number, column, values[column - 1], criterion)
                if points is None or not (known_judge and known_unit):
                    continue
                if self._add(title, row_number, get_column_letter(column), judge, unit, criterion.name, points):
                    count += 1
        if known_judge:
            self.notes.append(f"工作表“{title}”：评委{judge}，{count} 个分数")

    # -- flat tables

    def _read_flat(self, sheet: Worksheet, layout: _Layout) -> None:
        title = sheet.title
        rows = data_rows(sheet, layout.header_row, MAX_FLAT_ROWS)
        if rows is None:
            self.problems.append(
                ScoreProblem(
                    title, None, "", f"表头下面超过 {MAX_FLAT_ROWS} 行数据，这不像评分表，请检查是否选错了文件"
                )
            )
            return
        columns = layout.columns
        letters = {key: get_column_letter(column) for key, column in columns.items()}
        for row_number, values in rows:
            raw = {key: values[column - 1] for key, column in columns.items()}
            texts: dict[str, str] = {}
            bad = False
            for key in ("judge", "unit", "criterion"):
                value = raw[key]
                if isinstance(value, CellError):
                    self._problem(
                        title, row_number, letters[key], f"单元格是公式错误“{value.code}”，请在 Excel 中改正后再导入"
                    )
                    bad = True
                texts[key] = cell_text(raw[key])
            if not any(texts.values()) and not cell_text(raw["points"]):
                continue  # only the ignored columns are filled in
            if any(canonical_name(texts[k]) in TOTAL_WORDS for k in ("judge", "unit")):
                continue
            for key in ("judge", "unit", "criterion"):
                if not texts[key] and not isinstance(raw[key], CellError):
                    self._problem(title, row_number, letters[key], f"{_FIELDS[key][0]}为空")
                    bad = True
            judge = canonical_person(texts["judge"])
            unit = canonical_name(texts["unit"])
            criterion_name = self._classify(texts["criterion"])[1] if texts["criterion"] else ""
            criterion = self.criteria.get(criterion_name)
            if judge and judge not in self.judges:
                self._problem(title, row_number, letters["judge"], f"评委“{shown_value(judge)}”不在本轮评委名单中")
                bad = True
            if unit and unit not in self.units:
                self._problem(title, row_number, letters["unit"], f"村（社区）“{shown_value(unit)}”不在本轮参评名单中")
                bad = True
            if criterion_name and criterion is None:
                self._problem(
                    title,
                    row_number,
                    letters["criterion"],
                    f"指标“{shown_value(canonical_name(texts['criterion']))}”不在本轮评分方案中"
                    f"（本轮指标：{'、'.join(self.criteria)}）",
                )
                bad = True
            points = self._points(title, row_number, columns["points"], raw["points"], criterion)
            if points is None or bad or criterion is None:
                continue
            self._add(title, row_number, letters["points"], judge, unit, criterion.name, points)

    # -- cells

    def _problem(self, sheet: str, row: int, column: str, message: str) -> None:
        self.problems.append(ScoreProblem(sheet, row, column, message))

    def _points(self, sheet: str, row: int, column: int, value: object, criterion: Criterion | None) -> Decimal | None:
        """The points in a score cell; None when blank (counted) or refused (a problem)."""
        letter = get_column_letter(column)
        if isinstance(value, CellError):
            self._problem(sheet, row, letter, f"单元格是公式错误“{value.code}”，请在 Excel 中改正后再导入")
            return None
        if value is None or (isinstance(value, str) and not clean(value)):
            if value is None and self.formulas.uncalculated(sheet, row, column):
                self._problem(sheet, row, letter, "单元格是公式且没有计算结果，请在 Excel 中打开并保存后再导入")
            else:
                self.blanks += 1
            return None
        if isinstance(value, (bool, date)):
            self._problem(sheet, row, letter, f"分数“{cell_text(value)}”不是数字")
            return None
        if isinstance(value, str):
            text = clean(value)
            # "85分" is unambiguous, and judges write it; "八十五" is not read as a number.
            match = _SCORE_IN_TEXT.match(text)
            value = match.group(1) if match else text
        try:
            points = parse_points(value)
        except ValidationError as exc:
            self._problem(sheet, row, letter, exc.message)
            return None
        if criterion is not None:
            if points < 0:
                self._problem(sheet, row, letter, f"{plain_points(points)} 小于 0：“{criterion.name}”的分数不能为负数")
                return None
            if points > criterion.max_points:
                self._problem(
                    sheet,
                    row,
                    letter,
                    f"{plain_points(points)} 超过“{criterion.name}”的满分 {plain_points(criterion.max_points)}",
                )
                return None
        return points

    def _add(self, sheet: str, row: int, column: str, judge: str, unit: str, criterion: str, points: Decimal) -> bool:
        key = (judge, unit, criterion)
        first = self.first_place.get(key)
        if first is not None:
            where = ScoreProblem(*first, "").where()
            self._problem(sheet, row, column, f"分数重复：评委{judge}对{unit}的“{criterion}”已在{where}打过分")
            return False
        self.first_place[key] = (sheet, row, column)
        self.entries.append(ScoreEntry(sheet, row, column, judge, unit, criterion, points))
        return True


def _judge_line(rows: Iterable[tuple[int, dict[int, str]]]) -> tuple[int, int, str] | None:
    """(row, column, name) of the "评委：张三" line above a judge sheet's header, if any."""
    for row_number, labels in rows:
        for column, label in sorted(labels.items()):
            match = _JUDGE_LINE.match(label)
            if match:
                name = match.group(1).strip("_ ")
                if name:
                    return row_number, column, name
    return None
