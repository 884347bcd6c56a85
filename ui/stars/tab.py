"""The 五星创建 tab: the year's matrix of units × stars with filters and a detail panel for one
unit's star, the township against its targets with the villages closest to each threshold,
and the charts across years (pyqtgraph, built when first shown)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from lsb_desktop.changes import Changes
from lsb_desktop.domain.period import year_day_word
from lsb_desktop.domain.register import UnitKind
from lsb_desktop.domain.stars import (
    ALL_STARS,
    RURAL_STARS,
    TARGET_LEVELS,
    URBAN_STARS,
    Gap,
    StarCell,
    StarState,
    StarStep,
    TargetStatus,
    UnitStars,
    YearSummary,
    gaps,
    share_text,
    target_status,
)
from lsb_desktop.domain.text import clean
from lsb_desktop.errors import LsbError
from ui.stars.dialogs import (
    LEVEL_TITLES,
    ExportDialog,
    LossDialog,
    PlanImportDialog,
    StepDialog,
    TargetsDialog,
    UndoLossDialog,
    UndoStepDialog,
    next_step,
)
from ui.widgets.chart_panel import ChartExport, build_chart_panel
from ui.widgets.deferred import LoadWhenShown
from ui.widgets.folders import choose_open_file
from ui.widgets.messages import show_error
from ui.widgets.table_model import ALIGN_CENTER, Column, FilterProxy, RowTableModel, read_only_table
from ui.widgets.worker import run_in_background

if TYPE_CHECKING:
    from lsb_desktop.core import Core

TITLE = "五星创建"
FIRST_YEAR = 2022  # Henan's star rating began in 2022
PAGE_MATRIX, PAGE_TARGETS, PAGE_CHARTS = range(3)
PAGE_TITLES = ("创建进度", "目标与差距", "统计图表")
CHART_TITLES = ("星级分布", "各星数量")
SEARCH_PLACEHOLDER = "搜索村（社区）"
NO_DISTRICT = "（未分管区）"
NO_SELECTION_TEXT = "点击左侧表格中的一颗星，这里显示它本年的创建步骤、附件和历年记录"
LOADING_CHARTS = "正在统计历年五星创建情况…"
NO_CHART_DATA = "还没有五星创建记录。\n录入各村（社区）的创建计划和评定结果后，这里按年度显示星级分布和各星数量。"
# What this tab shows; any other change is none of its business.
_RELEVANT = Changes.STARS | Changes.UNITS | Changes.DISTRICTS

CELL_ROLE = Qt.ItemDataRole.UserRole + 10
LOOK_ROLE = Qt.ItemDataRole.UserRole + 11

# The glyphs are all in GB2312, so every Chinese font on the clerk's PC has them.
HELD_GLYPH, OPEN_GLYPH, FAILED_GLYPH, OUT_GLYPH = "★", "☆", "×", "—"
SHORT_STEP = {
    StarStep.DECLARED: "已申报",
    StarStep.TOWNSHIP: "镇初审",
    StarStep.COUNTY: "县评定",
    StarStep.PUBLICITY: "已公示",
    StarStep.NAMED: "命名",
}
STATE_ORDER = {
    StarState.HELD: 0,
    StarState.IN_PROGRESS: 1,
    StarState.PLANNED: 2,
    StarState.FAILED: 3,
    StarState.LOST: 4,
    StarState.NONE: 5,
}
MET_COLOUR, NOT_MET_COLOUR, NO_TARGET_COLOUR = "#2e7d32", "#c62828", "#757575"
SELECTED_FRAME = QColor("#0b57d0")

STATUS_FILTERS: dict[str, tuple[str, Callable[[UnitStars], bool]]] = {
    "all": ("全部状态", lambda u: True),
    "below3": ("三星以下", lambda u: u.level < 3),
    "below4": ("四星以下", lambda u: u.level < 4),
    "below5": ("未满五星", lambda u: u.level < 5),
    "five": ("五星", lambda u: u.level >= 5),
    "planned": ("本年有创建计划", lambda u: any(c.planned and c.in_set for c in u.cells)),
    "in_progress": ("有创建中的星", lambda u: any(c.state is StarState.IN_PROGRESS and c.in_set for c in u.cells)),
    "failed": ("有未通过的星", lambda u: any(c.state is StarState.FAILED and c.in_set for c in u.cells)),
    "lost": ("有降星/撤星", lambda u: any(c.state is StarState.LOST for c in u.cells)),
}


def search_key(text: object) -> str:
    return clean(text).replace(" ", "").casefold()


def star_sets_text(star: str) -> str:
    if star in RURAL_STARS and star in URBAN_STARS:
        return "村·社区"
    return "村" if star in RURAL_STARS else "社区"


# ----- how a cell looks ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CellLook:
    """A cell's mark: a glyph and a word (never colour alone), its colours and frame."""

    key: str
    glyph: str
    text: str
    background: str
    foreground: str
    border: str | None = None
    struck: bool = False
    bold: bool = False

    @property
    def display(self) -> str:
        return f"{self.glyph} {self.text}".strip() if self.glyph else self.text


OUT_OF_SET_LOOK = CellLook("out", OUT_GLYPH, "", "#ececec", "#9e9e9e")
NONE_LOOK = CellLook("none", "", "", "#ffffff", "#202020")
# The legend: (look, explanation), in the order a star goes.
LEGEND = (
    (CellLook("planned", OPEN_GLYPH, "计划", "#fffdf0", "#7a5c00", border="#d4a000"), "本年计划创建"),
    (CellLook("in_progress", OPEN_GLYPH, "镇初审", "#dcebfa", "#0d47a1", border="#5c8fd6"), "创建中（已到的步骤）"),
    (CellLook("held", HELD_GLYPH, "", "#c62828", "#ffd54f", bold=True), "已命名"),
    (CellLook("held", HELD_GLYPH, "新", "#c62828", "#ffd54f", bold=True), "本年新命名"),
    (CellLook("failed", FAILED_GLYPH, "县评定", "#ffe0b2", "#8d2c00", bold=True), "未通过（在哪一步）"),
    (CellLook("lost", HELD_GLYPH, "撤星", "#5a5a5a", "#f2f2f2", struck=True), "已降星/撤星"),
    (OUT_OF_SET_LOOK, "不属于该类型的星"),
)


def cell_look(cell: StarCell | None) -> CellLook:
    if cell is None or not cell.in_set:
        return OUT_OF_SET_LOOK
    state = cell.state
    if state is StarState.HELD:
        new = any(s.step is StarStep.NAMED and s.passed for s in cell.steps)
        return CellLook("held", HELD_GLYPH, "新" if new else "", "#c62828", "#ffd54f", bold=True)
    if state is StarState.PLANNED:
        return LEGEND[0][0]
    if state is StarState.IN_PROGRESS:
        reached = cell.reached
        return CellLook(
            "in_progress",
            OPEN_GLYPH,
            SHORT_STEP[reached.step] if reached else "创建中",
            "#dcebfa",
            "#0d47a1",
            border="#5c8fd6",
        )
    if state is StarState.FAILED:
        failed = next((s for s in cell.steps if not s.passed), cell.reached)
        text = SHORT_STEP[failed.step] if failed else "未通过"
        if failed and failed.step is StarStep.DECLARED:
            text = "未申报"
        return CellLook("failed", FAILED_GLYPH, text, "#ffe0b2", "#8d2c00", bold=True)
    if state is StarState.LOST:
        loss = cell.loss
        text = f"{loss.kind.label}{loss.on.month}.{loss.on.day}" if loss else "降/撤星"
        return CellLook("lost", HELD_GLYPH, text, "#5a5a5a", "#f2f2f2", struck=True)
    return NONE_LOOK


def step_line(record) -> str:
    mark = "√" if record.passed else "×"
    result = "" if record.passed else " 未通过"
    if record.passed:
        note = f"：{record.note}" if record.note else ""
    else:
        note = f"，原因：{record.note}" if record.note else ""
    return f"{mark} {record.step.label}{result}  {record.on.isoformat()}{note}"


def cell_tooltip(unit: UnitStars, star: str, cell: StarCell | None, year: int) -> str:
    head = f"{unit.unit_name} · {star}（{year}年）"
    if cell is None or not cell.in_set:
        lines = [head, f"{unit.unit_name}{year}年为{unit.kind.label}，{star}是{star_sets_text(star)}的星，不评定"]
        if cell is not None and cell.held:
            lines.append("此前曾命名，现不计入星级（记录保留在历史中）")
        return "\n".join(lines)
    lines = [head, f"状态：{cell.state.label or '未创建'}"]
    if cell.planned:
        lines.append("本年计划创建")
    for record in sorted(cell.steps, key=lambda s: s.step.index):
        lines.append(step_line(record))
    following = next_step(cell)
    if cell.steps and following is not None and not cell.held:
        lines.append(f"下一步：{following.label}")
    if cell.loss is not None:
        lines.append(f"{cell.loss.on.isoformat()} {cell.loss.kind.label}：{cell.loss.reason}")
    if cell.note:
        lines.append(f"备注：{cell.note}")
    if cell.evidence_count:
        lines.append(f"附件 {cell.evidence_count} 个")
    return "\n".join(lines)


# ----- the matrix model ---------------------------------------------------------------------------


def _cells(unit: UnitStars) -> dict[str, StarCell]:
    return {c.star: c for c in unit.cells}


def _level_colour(unit: UnitStars) -> QColor:
    return QColor("#b71c1c") if unit.level >= 3 else QColor("#424242")


class StarMatrixModel(RowTableModel):
    """Units × stars of one year: 管区, 村（社区）, 类型, 星级, then every star (ALL_STARS order)."""

    DISTRICT_COLUMN, NAME_COLUMN, KIND_COLUMN, LEVEL_COLUMN = range(4)
    FIRST_STAR_COLUMN = 4

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.year = date.today().year
        self.columns = (
            Column("管区", lambda u: u.district_name),
            Column("村（社区）", lambda u: u.unit_name, tooltip=lambda u: self._unit_tip(u)),
            Column("类型", lambda u: u.kind.label, alignment=ALIGN_CENTER),
            Column(
                "星级",
                lambda u: f"{u.level}星",
                sort_key=lambda u: u.level,
                alignment=ALIGN_CENTER,
                foreground=_level_colour,
                tooltip=lambda u: self._level_tip(u),
                header_tooltip="年末（本年为今天）持有的星数",
            ),
        ) + tuple(self._star_column(star) for star in ALL_STARS)
        self._cells_of: list[dict[str, StarCell]] = []

    def _star_column(self, star: str) -> Column:
        def look(unit: UnitStars) -> CellLook:
            return cell_look(self.cell_of(unit, star))

        def key(unit: UnitStars) -> int:
            cell = self.cell_of(unit, star)
            return 9 if cell is None or not cell.in_set else STATE_ORDER[cell.state]

        return Column(
            f"{star}\n{star_sets_text(star)}",
            lambda u: look(u).display,
            sort_key=key,
            alignment=ALIGN_CENTER,
            tooltip=lambda u: cell_tooltip(u, star, self.cell_of(u, star), self.year),
            header_tooltip=f"{star}：{star_sets_text(star)}的星",
        )

    def _unit_tip(self, unit: UnitStars) -> str:
        return f"{unit.unit_name}（{unit.district_name or '未分管区'}，{self.year}年为{unit.kind.label}）"

    def _level_tip(self, unit: UnitStars) -> str:
        held = "、".join(unit.held) or "无"
        return f"{unit.unit_name} {self.year}年 {unit.level} 星：{held}"

    def set_summary(self, summary: YearSummary) -> None:
        self.year = summary.year
        self.beginResetModel()
        self._rows = list(summary.units)
        self._cells_of = [_cells(u) for u in self._rows]
        self.endResetModel()

    def cell_of(self, unit: UnitStars, star: str) -> StarCell | None:
        for row, candidate in enumerate(self._rows):
            if candidate is unit:
                return self._cells_of[row].get(star)
        return _cells(unit).get(star)

    @classmethod
    def star_of(cls, column: int) -> str | None:
        index = column - cls.FIRST_STAR_COLUMN
        return ALL_STARS[index] if 0 <= index < len(ALL_STARS) else None

    @classmethod
    def column_of(cls, star: str) -> int:
        return cls.FIRST_STAR_COLUMN + ALL_STARS.index(star)

    def cell_at(self, index: QModelIndex) -> StarCell | None:
        unit = self.row_at(index)
        star = self.star_of(index.column())
        if unit is None or star is None:
            return None
        return self._cells_of[index.row()].get(star)

    def flags(self, index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and self.star_of(index.column()) is not None:
            cell = self.cell_at(index)
            if cell is None or not cell.in_set:
                # Not this unit's star this year: nothing to open.
                return flags & ~Qt.ItemFlag.ItemIsSelectable
        return flags

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole):
        if index.isValid() and self.star_of(index.column()) is not None and 0 <= index.row() < len(self._rows):
            if role == CELL_ROLE:
                return self.cell_at(index)
            if role in (LOOK_ROLE, Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
                look = cell_look(self.cell_at(index))
                if role == LOOK_ROLE:
                    return look
                return QColor(look.background if role == Qt.ItemDataRole.BackgroundRole else look.foreground)
        if index.isValid() and index.column() == self.LEVEL_COLUMN and role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        return super().data(index, role)


class StarFilterProxy(FilterProxy):
    """Sorts on SORT_ROLE; keeps the units matching the search, 管区, type and status filters."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._search = ""
        self._district: str | None = None
        self._kind: UnitKind | None = None
        self._status = "all"

    def set_filters(self, *, search: str, district: str | None, kind: UnitKind | None, status: str) -> None:
        def apply() -> None:
            self._search = search_key(search)
            self._district = district
            self._kind = kind
            self._status = status if status in STATUS_FILTERS else "all"

        self._change(apply)

    def accepts(self, unit: UnitStars) -> bool:
        if self._district is not None and unit.district_name != self._district:
            return False
        if self._kind is not None and unit.kind is not self._kind:
            return False
        if not STATUS_FILTERS[self._status][1](unit):
            return False
        if self._search:
            return any(self._search in search_key(text) for text in (unit.unit_name, unit.district_name))
        return True

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        model = self.sourceModel()
        unit = model.row_at(model.index(source_row, 0, source_parent))
        return unit is not None and self.accepts(unit)


class StarCellDelegate(QStyledItemDelegate):
    """Paints a star cell: its colour, a large glyph (struck through when lost) and a short
    word; a frame for the plan and steps under way; a blue frame for the selected cell."""

    def paint(self, painter: QPainter, option, index) -> None:
        look = index.data(LOOK_ROLE)
        if not isinstance(look, CellLook):
            super().paint(painter, option, index)
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.fillRect(rect, QColor(look.background))
        if look.border:
            style = Qt.PenStyle.DashLine if look.key == "planned" else Qt.PenStyle.SolidLine
            pen = QPen(QColor(look.border), 1.2, style)
            painter.setPen(pen)
            painter.drawRect(rect.adjusted(2, 2, -2, -2))
        glyph_font = QFont(option.font)
        glyph_font.setPointSizeF(option.font.pointSizeF() * 1.25)
        glyph_font.setBold(look.bold)
        text_font = QFont(option.font)
        text_font.setPointSizeF(option.font.pointSizeF() * 0.92)
        text_font.setBold(look.bold)
        glyph_metrics, text_metrics = QFontMetrics(glyph_font), QFontMetrics(text_font)
        glyph_width = glyph_metrics.horizontalAdvance(look.glyph) if look.glyph else 0
        gap = 3 if look.glyph and look.text else 0
        room = rect.width() - 6 - glyph_width - gap
        text = text_metrics.elidedText(look.text, Qt.TextElideMode.ElideRight, max(0, int(room)))
        text_width = text_metrics.horizontalAdvance(text) if text else 0
        left = rect.left() + max(3.0, (rect.width() - glyph_width - gap - text_width) / 2)
        colour = QColor(look.foreground)
        painter.setPen(colour)
        if look.glyph:
            glyph_rect = QRectF(left, rect.top(), glyph_width, rect.height())
            painter.setFont(glyph_font)
            painter.drawText(glyph_rect, Qt.AlignmentFlag.AlignCenter, look.glyph)
            if look.struck:
                painter.setPen(QPen(colour, 1.6))
                middle = rect.center().y()
                painter.drawLine(
                    QPointF(glyph_rect.left() - 1, middle + 2), QPointF(glyph_rect.right() + 1, middle - 2)
                )
                painter.setPen(colour)
        if text:
            painter.setFont(text_font)
            painter.drawText(
                QRectF(left + glyph_width + gap, rect.top(), text_width + 2, rect.height()),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                text,
            )
        if option.state & QStyle.StateFlag.State_Selected:
            painter.setPen(QPen(SELECTED_FRAME, 2.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(1.2, 1.2, -1.2, -1.2))
        elif option.state & QStyle.StateFlag.State_MouseOver and index.flags() & Qt.ItemFlag.ItemIsSelectable:
            painter.setPen(QPen(QColor("#6b8fd6"), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
        painter.restore()

    def sizeHint(self, option, index) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(max(hint.width(), 70), hint.height())


class LegendChip(QLabel):
    """A sample cell of the legend, drawn by the same rules as the matrix."""

    def __init__(self, look: CellLook, parent: QWidget | None = None) -> None:
        super().__init__(look.display or " ", parent)
        border = look.border or look.background
        style = "dashed" if look.key == "planned" else "solid"
        self.setStyleSheet(
            f"QLabel {{ background: {look.background}; color: {look.foreground}; "
            f"border: 1px {style} {border}; padding: 1px 6px; "
            f"font-weight: {'bold' if look.bold else 'normal'}; }}"
        )
        if look.struck:
            font = self.font()
            font.setStrikeOut(True)
            self.setFont(font)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)


# ----- the detail panel ---------------------------------------------------------------------------


class StepTimeline(QWidget):
    """自评申报 → 镇初审 → 县评定 → 公示 → 命名 as nodes on a line: passed (√, filled), 未通过 (×)
    or still to come (hollow), each with its date under it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.records: dict[StarStep, object] = {}
        self.setMinimumHeight(74)

    def set_steps(self, steps) -> None:
        self.records = {s.step: s for s in steps}
        self.setToolTip("\n".join(step_line(s) for s in sorted(steps, key=lambda s: s.step.index)))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(360, 74)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        steps = list(StarStep)
        width = self.width()
        slot = width / len(steps)
        radius = 9
        y = 16
        base = self.font()
        small = QFont(base)
        small.setPointSizeF(base.pointSizeF() * 0.85)
        for i in range(len(steps) - 1):
            record = self.records.get(steps[i + 1])
            done = record is not None
            painter.setPen(
                QPen(
                    QColor("#2e7d32" if done and record.passed else "#b0b0b0"),
                    2.5 if done else 1.5,
                    Qt.PenStyle.SolidLine if done else Qt.PenStyle.DashLine,
                )
            )
            painter.drawLine(QPointF(slot * (i + 0.5) + radius, y), QPointF(slot * (i + 1.5) - radius, y))
        for i, step in enumerate(steps):
            x = slot * (i + 0.5)
            record = self.records.get(step)
            if record is None:
                painter.setPen(QPen(QColor("#9e9e9e"), 1.5))
                painter.setBrush(QColor("white"))
                mark, mark_colour = "", QColor("#9e9e9e")
            elif record.passed:
                painter.setPen(QPen(QColor("#2e7d32"), 1.5))
                painter.setBrush(QColor("#2e7d32"))
                mark, mark_colour = "√", QColor("white")
            else:
                painter.setPen(QPen(QColor("#c62828"), 1.5))
                painter.setBrush(QColor("#c62828"))
                mark, mark_colour = "×", QColor("white")
            painter.drawEllipse(QPointF(x, y), radius, radius)
            if mark:
                painter.setPen(mark_colour)
                painter.setFont(base)
                painter.drawText(
                    QRectF(x - radius, y - radius, 2 * radius, 2 * radius), Qt.AlignmentFlag.AlignCenter, mark
                )
            painter.setFont(base)
            painter.setPen(QColor("#202020" if record else "#8a8a8a"))
            painter.drawText(QRectF(x - slot / 2, y + radius + 2, slot, 18), Qt.AlignmentFlag.AlignCenter, step.label)
            painter.setFont(small)
            if record is not None:
                painter.setPen(QColor("#c62828") if not record.passed else QColor("#404040"))
                text = record.on.isoformat() if record.passed else f"未通过 {record.on:%m-%d}"
                painter.drawText(QRectF(x - slot / 2, y + radius + 20, slot, 16), Qt.AlignmentFlag.AlignCenter, text)
        painter.end()


@dataclass(frozen=True, slots=True)
class HistoryRow:
    year: int
    on: date | None
    star: str
    text: str


class HistoryModel(RowTableModel):
    """A unit's star history across years, newest first; the selected star in bold."""

    columns = (
        Column("日期", lambda r: r.on.isoformat() if r.on else f"{r.year}年", alignment=ALIGN_CENTER),
        Column("星", lambda r: r.star or "（类型变更）"),
        Column("记录", lambda r: r.text, tooltip=lambda r: r.text),
    )

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.star: str | None = None

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.FontRole:
            row = self.row_at(index)
            if row is not None and self.star and row.star == self.star:
                font = QFont()
                font.setBold(True)
                return font
        if role == Qt.ItemDataRole.ForegroundRole:
            row = self.row_at(index)
            if row is not None and not row.star:
                return QColor("#0d47a1")  # a change of the unit itself (村改社区)
        return super().data(index, role)


# ----- targets ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TargetRow:
    status: TargetStatus
    have: int
    units: int

    @property
    def title(self) -> str:
        return LEVEL_TITLES[self.status.level]

    @property
    def target_text(self) -> str:
        target = self.status.target
        return "未设目标" if target is None else share_text(Decimal(target) / 100)

    @property
    def met_text(self) -> str:
        met = self.status.met
        if met is None:
            return "—"
        return "√ 已达标" if met else "× 未达标"

    @property
    def colour(self) -> str:
        met = self.status.met
        return NO_TARGET_COLOUR if met is None else MET_COLOUR if met else NOT_MET_COLOUR

    @property
    def needed_text(self) -> str:
        if self.status.met is None:
            return ""
        return f"还需 {self.status.units_needed} 个" if self.status.units_needed else "—"


def target_rows(summary: YearSummary) -> list[TargetRow]:
    counts = summary.levels
    units = sum(counts.values())
    return [
        TargetRow(status, sum(n for lv, n in counts.items() if lv >= status.level), units)
        for status in target_status(counts, summary.targets)
    ]


class TargetModel(RowTableModel):
    columns = (
        Column("指标", lambda r: r.title),
        Column("实际", lambda r: share_text(r.status.actual), alignment=ALIGN_CENTER),
        Column("达到的村（社区）", lambda r: f"{r.have} / {r.units}", alignment=ALIGN_CENTER),
        Column("目标", lambda r: r.target_text, alignment=ALIGN_CENTER),
        Column("完成情况", lambda r: r.met_text, alignment=ALIGN_CENTER, foreground=lambda r: QColor(r.colour)),
        Column(
            "还需达到的个数",
            lambda r: r.needed_text,
            alignment=ALIGN_CENTER,
            foreground=lambda r: QColor(r.colour),
            header_tooltip="为达到目标，还需有多少个村（社区）达到该星级",
        ),
    )


@dataclass(frozen=True, slots=True)
class GapRow:
    gap: Gap
    district: str

    @property
    def after_plan(self) -> str:
        # A planned star that failed (未通过) this year is not counted: it cannot be won now.
        return self.gap.after_plan_text


class GapModel(RowTableModel):
    columns = (
        Column("村（社区）", lambda r: r.gap.unit_name),
        Column("管区", lambda r: r.district),
        Column("现有", lambda r: f"{r.gap.level}星", sort_key=lambda r: r.gap.level, alignment=ALIGN_CENTER),
        Column(
            "还差",
            lambda r: f"{r.gap.missing} 颗",
            sort_key=lambda r: r.gap.missing,
            alignment=ALIGN_CENTER,
            foreground=lambda r: QColor(NOT_MET_COLOUR) if r.gap.missing == 1 else None,
        ),
        Column("缺少的星", lambda r: "、".join(r.gap.lacking), tooltip=lambda r: "\n".join(r.gap.lacking)),
        Column(
            "本年计划创建",
            lambda r: "、".join(r.gap.planned) or "（无）",
            foreground=lambda r: None if r.gap.planned else QColor(NO_TARGET_COLOUR),
            header_tooltip="本年计划创建、还能创成的星（未通过的不算）",
        ),
        Column(
            "本年未通过",
            lambda r: "、".join(r.gap.failed) or "—",
            foreground=lambda r: QColor(NOT_MET_COLOUR) if r.gap.failed else QColor(NO_TARGET_COLOUR),
            header_tooltip="本年已在某一步未通过的星，本年不能再创成，不计入“计划全部创成后”",
        ),
        Column(
            "计划全部创成后",
            lambda r: r.after_plan,
            alignment=ALIGN_CENTER,
            foreground=lambda r: QColor(MET_COLOUR) if r.gap.reachable else QColor(NOT_MET_COLOUR),
            header_tooltip="本年计划中还能创成的星全部创成后，能否达到该星级（未通过的星不算）",
        ),
    )


def gap_rows(summary: YearSummary, threshold: int) -> list[GapRow]:
    districts = {u.unit_name: u.district_name for u in summary.units}
    return [GapRow(g, districts.get(g.unit_name, "")) for g in gaps(summary.units, threshold)]


def target_card_html(row: TargetRow) -> str:
    status = row.status
    line1 = (
        f"<b>{row.title}</b>&nbsp;&nbsp;<span style='font-size:17px;font-weight:bold'>"
        f"{share_text(status.actual)}</span>&nbsp;（{row.have}/{row.units} 个）"
    )
    if status.met is None:
        line2 = f"<span style='color:{NO_TARGET_COLOUR}'>未设目标</span>"
    elif status.met:
        line2 = f"目标 {row.target_text}&nbsp;&nbsp;<b style='color:{MET_COLOUR}'>√ 已达标</b>"
    else:
        line2 = (
            f"目标 {row.target_text}&nbsp;&nbsp;<b style='color:{NOT_MET_COLOUR}'>× 未达标，"
            f"还需 {status.units_needed} 个</b>"
        )
    return f"{line1}<br>{line2}"


def card_style(colour: str) -> str:
    return (
        f"QLabel {{ border: 1px solid #cfcfcf; border-left: 6px solid {colour}; background: #fafafa; "
        "padding: 3px 8px; }"
    )


# ----- layout -------------------------------------------------------------------------------


class _StarsTabUi:
    """The layout of StarsTab; behaviour lives in the tab."""

    def setup(self, tab: QWidget) -> None:
        # ----- top bar: year, filters, actions
        self.year_combo = QComboBox()
        self.year_combo.setToolTip("显示哪一年的创建计划和结果（星级按年末计算，本年按今天）")
        self.district_combo = QComboBox()
        self.district_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.kind_combo = QComboBox()
        self.status_combo = QComboBox()
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMaximumWidth(200)
        self.import_button = QPushButton("导入创建计划…")
        self.import_button.setToolTip("从 Excel 导入本年度各村（社区）计划创建的星，先预览，全部无误才导入")
        self.export_button = QPushButton("导出进度表…")
        self.export_button.setToolTip("导出五星创建进度表（Excel，可直接打印）")
        self.targets_button = QPushButton("目标设置…")
        self.targets_button.setToolTip("设定每年三星及以上、四星及以上、五星的目标比例")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("年度"))
        bar.addWidget(self.year_combo)
        bar.addSpacing(8)
        bar.addWidget(self.district_combo)
        bar.addWidget(self.kind_combo)
        bar.addWidget(self.status_combo)
        bar.addWidget(self.search_edit, 1)
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: #444;")
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        bar.addWidget(self.import_button)
        bar.addWidget(self.export_button)
        bar.addWidget(self.targets_button)

        # ----- the targets at a glance
        self.target_cards: dict[int, QLabel] = {}
        cards = QHBoxLayout()
        cards.setSpacing(8)
        for level in TARGET_LEVELS:
            card = QLabel()
            card.setTextFormat(Qt.TextFormat.RichText)
            self.target_cards[level] = card
            cards.addWidget(card, 1)
        self.levels_card = QLabel()
        self.levels_card.setTextFormat(Qt.TextFormat.RichText)
        self.levels_card.setStyleSheet(card_style("#7f0000"))
        cards.addWidget(self.levels_card, 1)

        # ----- page 1: the matrix and the detail panel
        self.matrix = QTableView()
        self.matrix.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.matrix.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.matrix.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.matrix.setMouseTracking(True)
        self.matrix.setSortingEnabled(True)
        self.matrix.verticalHeader().hide()
        self.matrix.verticalHeader().setDefaultSectionSize(self.matrix.fontMetrics().height() + 10)
        self.matrix.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        self.matrix.setStyleSheet("QTableView { gridline-color: #c8c8c8; }")
        self.matrix.setWordWrap(False)
        # The legend in two rows, so it never makes the window wider than a laptop screen.
        self.legend_grid = QGridLayout()
        self.legend_grid.setHorizontalSpacing(4)
        self.legend_grid.setVerticalSpacing(2)
        self.legend_grid.addWidget(QLabel("图例："), 0, 0)
        per_row = (len(LEGEND) + 1) // 2
        for position, (look, text) in enumerate(LEGEND):
            row, column = divmod(position, per_row)
            self.legend_grid.addWidget(LegendChip(look), row, 1 + 2 * column)
            explanation = QLabel(text)
            explanation.setStyleSheet("color: #444; margin-right: 8px;")
            self.legend_grid.addWidget(explanation, row, 2 + 2 * column)
        self.legend_grid.setColumnStretch(2 * per_row + 1, 1)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.matrix, 1)
        left_layout.addLayout(self.legend_grid)

        self.detail_title = QLabel(NO_SELECTION_TEXT)
        self.detail_title.setWordWrap(True)
        self.detail_title.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.state_label = QLabel()
        self.state_label.setWordWrap(True)
        self.unit_label = QLabel()
        self.unit_label.setWordWrap(True)
        self.unit_label.setStyleSheet("color: #444;")
        self.plan_check = QCheckBox("计划本年创建")
        self.plan_check.setToolTip("列入本年度的五星创建计划")
        self.timeline = StepTimeline()
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        self.notes_label.setStyleSheet("color: #333;")
        self.loss_label = QLabel()
        self.loss_label.setWordWrap(True)
        self.loss_label.setStyleSheet("color: #b71c1c; font-weight: bold;")
        self.next_button = QPushButton("记录下一步（通过）…")
        self.fail_button = QPushButton("记录未通过…")
        self.undo_button = QPushButton("撤回最近一步…")
        self.undo_button.setToolTip("录错时撤回本年最近记录的一步（需填写原因，记入操作日志）")
        self.loss_button = QPushButton("降星/撤星…")
        self.loss_button.setToolTip("已命名的星被降星或撤星（需填写原因和日期）")
        self.undo_loss_button = QPushButton("撤销降星/撤星…")
        self.undo_loss_button.setToolTip("降星/撤星录错时撤销这条记录（需填写原因，记入操作日志）")
        self.note_button = QPushButton("备注…")
        self.note_button.setToolTip("这颗星本年度的备注（如创建措施、存在问题），记入操作日志")
        self.attach_button = QPushButton("附加文件…")
        self.attach_button.setToolTip("保存申报材料、评定文件、照片等到数据文件夹")
        self.open_evidence_button = QPushButton("打开附件")
        actions = QGridLayout()
        actions.addWidget(self.next_button, 0, 0)
        actions.addWidget(self.fail_button, 0, 1)
        actions.addWidget(self.undo_button, 1, 0)
        actions.addWidget(self.loss_button, 1, 1)
        actions.addWidget(self.note_button, 2, 0)
        actions.addWidget(self.undo_loss_button, 2, 1)
        self.evidence_list = QListWidget()
        self.evidence_list.setMaximumHeight(self.evidence_list.fontMetrics().height() * 2 + 12)
        evidence_row = QHBoxLayout()
        evidence_row.addWidget(QLabel("附件"))
        evidence_row.addStretch(1)
        evidence_row.addWidget(self.attach_button)
        evidence_row.addWidget(self.open_evidence_button)
        self.history_label = QLabel("历年记录")
        self.history_label.setStyleSheet("font-weight: bold;")
        self.history_table = read_only_table()
        self.history_table.setWordWrap(True)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(6, 0, 0, 0)
        detail_layout.addWidget(self.detail_title)
        detail_layout.addWidget(self.state_label)
        detail_layout.addWidget(self.unit_label)
        detail_layout.addWidget(self.plan_check)
        detail_layout.addWidget(self.timeline)
        detail_layout.addWidget(self.notes_label)
        detail_layout.addWidget(self.loss_label)
        detail_layout.addLayout(actions)
        detail_layout.addLayout(evidence_row)
        detail_layout.addWidget(self.evidence_list)
        detail_layout.addWidget(self.history_label)
        detail_layout.addWidget(self.history_table, 1)
        self.detail_panel = detail

        # On a short laptop screen the star's detail scrolls instead of making the window taller
        # than the screen.
        detail_scroll = QScrollArea()
        detail_scroll.setWidget(detail)
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        detail_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(detail_scroll)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([880, 380])

        # ----- page 2: targets and gaps
        self.targets_table = read_only_table()
        self.targets_table.setMaximumHeight(self.targets_table.fontMetrics().height() * 6 + 24)
        self.targets_note = QLabel()
        self.targets_note.setWordWrap(True)
        self.targets_note.setStyleSheet("color: #555;")
        self.gap_pages = QTabWidget()
        self.gap_tables: dict[int, QTableView] = {}
        for level in TARGET_LEVELS:
            table = read_only_table()
            table.setSortingEnabled(True)
            self.gap_tables[level] = table
            self.gap_pages.addTab(table, f"差{LEVEL_TITLES[level].replace('及以上', '')}")
        targets_page = QWidget()
        targets_layout = QVBoxLayout(targets_page)
        heading = QLabel("目标完成情况")
        heading.setStyleSheet("font-weight: bold;")
        targets_layout.addWidget(heading)
        targets_layout.addWidget(self.targets_table)
        targets_layout.addWidget(self.targets_note)
        gaps_heading = QLabel("距离各星级最近的村（社区）：缺少哪些星，本年计划创建哪些")
        gaps_heading.setStyleSheet("font-weight: bold;")
        targets_layout.addWidget(gaps_heading)
        targets_layout.addWidget(self.gap_pages, 1)

        # ----- page 3: charts (built when first shown)
        self.chart_pages = QTabWidget()
        self.chart_pages.setDocumentMode(True)
        panel = self.chart_panel = build_chart_panel(self.chart_pages, LOADING_CHARTS)
        self.chart_message, self.chart_stack, self.chart_status = panel.message, panel.stack, panel.status
        self.chart_export_button, self.chart_export_menu = panel.export_button, panel.export_menu
        self.chart_copy_button = panel.copy_button
        self.size_actions, self.custom_size_action = panel.size_actions, panel.custom_size_action
        charts_page = panel.widget

        self.pages = QTabWidget()
        self.pages.addTab(self.splitter, PAGE_TITLES[PAGE_MATRIX])
        self.pages.addTab(targets_page, PAGE_TITLES[PAGE_TARGETS])
        self.pages.addTab(charts_page, PAGE_TITLES[PAGE_CHARTS])

        layout = QVBoxLayout(tab)
        layout.addLayout(bar)
        layout.addLayout(cards)
        layout.addWidget(self.pages, 1)


# ----- the tab ------------------------------------------------------------------------------


class StarsTab(QWidget):
    """五星创建. Reads and writes only through `core.stars` (and `core.villages` for the 管区
    list and a unit's kind history); tells the main window what it changed through `changed`
    and reloads when told through `reload`. `charts_loaded` is emitted when the charts show
    fresh data (tests wait for it)."""

    TITLE = TITLE
    changed = Signal(object)  # a Changes flag, after every successful change made here
    charts_loaded = Signal()

    def __init__(self, core: Core, parent: QWidget | None = None, *, load_when_shown: bool = False) -> None:
        super().__init__(parent)
        self._deferred = LoadWhenShown(self, self.reload, load_when_shown)
        self._core = core
        self.ui = _StarsTabUi()
        self.ui.setup(self)
        self.summary: YearSummary | None = None
        self.model = StarMatrixModel(self)
        self.proxy = StarFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.ui.matrix.setModel(self.proxy)
        self.delegate = StarCellDelegate(self.ui.matrix)
        self.ui.matrix.setItemDelegate(self.delegate)
        # Register order until the clerk clicks a header.
        self.ui.matrix.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.history_model = HistoryModel(self)
        self.ui.history_table.setModel(self.history_model)
        self.target_model = TargetModel(self)
        self.ui.targets_table.setModel(self.target_model)
        self.gap_models: dict[int, GapModel] = {}
        for level, table in self.ui.gap_tables.items():
            self.gap_models[level] = GapModel(self)
            table.setModel(self.gap_models[level])
        self._selected: tuple[int, str | None] | None = None
        self._sized = False
        # Charts: built when first shown, read off the UI thread.
        self.level_chart = None
        self.count_chart = None
        self.charts: list = []
        self._charts_stale = True
        self._charts_loading = False
        self._charts_generation = 0
        self.chart_data: tuple | None = None
        self.chart_export = ChartExport(self, self.ui.chart_panel, self._exportable_chart)
        self._fill_fixed_filters()
        self._connect()
        self.reload()

    # ----- wiring ----------------------------------------------------------------------------

    def _fill_fixed_filters(self) -> None:
        ui = self.ui
        ui.kind_combo.addItem("全部类型", None)
        for kind in UnitKind:
            ui.kind_combo.addItem(kind.label, kind)
        for key, (label, _) in STATUS_FILTERS.items():
            ui.status_combo.addItem(label, key)

    def _connect(self) -> None:
        ui = self.ui
        ui.year_combo.currentIndexChanged.connect(lambda _: self._year_chosen())
        ui.district_combo.currentIndexChanged.connect(lambda _: self._filters_changed())
        ui.kind_combo.currentIndexChanged.connect(lambda _: self._filters_changed())
        ui.status_combo.currentIndexChanged.connect(lambda _: self._filters_changed())
        ui.search_edit.textChanged.connect(lambda _: self._filters_changed())
        ui.matrix.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        ui.plan_check.clicked.connect(self.set_planned)
        ui.next_button.clicked.connect(lambda: self.open_step_dialog(passed=True))
        ui.fail_button.clicked.connect(lambda: self.open_step_dialog(passed=False))
        ui.undo_button.clicked.connect(lambda: self.open_undo_dialog())
        ui.loss_button.clicked.connect(lambda: self.open_loss_dialog())
        ui.undo_loss_button.clicked.connect(lambda: self.open_undo_loss_dialog())
        ui.attach_button.clicked.connect(lambda: self.attach_file())
        ui.note_button.clicked.connect(lambda: self.edit_note())
        ui.open_evidence_button.clicked.connect(lambda: self.open_evidence())
        ui.evidence_list.itemDoubleClicked.connect(lambda _: self.open_evidence())
        ui.evidence_list.currentItemChanged.connect(lambda *_: self._update_buttons())
        ui.import_button.clicked.connect(lambda: self.open_import_dialog())
        ui.export_button.clicked.connect(lambda: self.open_export_dialog())
        ui.targets_button.clicked.connect(lambda: self.open_targets_dialog())
        ui.pages.currentChanged.connect(lambda _: self._page_changed())
        ui.chart_pages.currentChanged.connect(lambda _: self.chart_export.update_buttons())

    # ----- reading ---------------------------------------------------------------------------

    @property
    def year(self) -> int:
        data = self.ui.year_combo.currentData()
        return int(data) if data is not None else date.today().year

    def set_year(self, year: int) -> None:
        combo = self.ui.year_combo
        index = combo.findData(year)
        if index < 0:
            combo.blockSignals(True)
            self._fill_years(extra=year)
            combo.blockSignals(False)
            index = combo.findData(year)
        if combo.currentIndex() != index:
            combo.setCurrentIndex(index)  # loads the year
        else:
            self.load()

    def reload(self, changes: Changes = Changes.ALL) -> None:
        """Read again if `changes` touch what this tab shows (stars, units or 管区)."""
        if not changes & _RELEVANT or self._deferred.hold(changes):
            return
        self._charts_stale = True
        ui = self.ui
        for combo in (ui.year_combo, ui.district_combo):
            combo.blockSignals(True)
        try:
            self._fill_years()
            self._fill_districts()
        except LsbError as exc:
            show_error(self, exc)
            return
        finally:
            for combo in (ui.year_combo, ui.district_combo):
                combo.blockSignals(False)
        self.load()
        if self.ui.pages.currentIndex() == PAGE_CHARTS and self.isVisible():
            self.load_charts()

    def _fill_years(self, extra: int | None = None) -> None:
        combo = self.ui.year_combo
        current = combo.currentData()
        known = list(self._core.stars.years())
        this_year = date.today().year
        years = set(known) | set(range(min([FIRST_YEAR, *known]), this_year + 2))
        if extra is not None:
            years.add(extra)
        combo.clear()
        for year in sorted(years, reverse=True):
            combo.addItem(f"{year}年", year)
        # The year shown stays; at first, the latest year with any record (else this year).
        wanted = current if current is not None else (max(known) if known else this_year)
        combo.setCurrentIndex(max(0, combo.findData(wanted)))

    def _fill_districts(self) -> None:
        combo = self.ui.district_combo
        current = combo.currentData()
        combo.clear()
        combo.addItem("全部管区", None)
        for district in self._core.villages.list_districts(include_archived=True):
            combo.addItem(f"{district.name}（已停用）" if district.archived else district.name, district.name)
        combo.addItem(NO_DISTRICT, "")
        index = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(0, index))

    def _year_chosen(self) -> None:
        self.load()

    def load(self) -> None:
        """Read the chosen year from the core and show it."""
        try:
            summary = self._core.stars.year_view(self.year)
        except LsbError as exc:
            show_error(self, exc)
            return
        self.show_summary(summary)

    def show_summary(self, summary: YearSummary) -> None:
        self.summary = summary
        keep = self._selected
        # Names the 管区 list may not have (renamed since): add them so the filter finds them.
        for name in sorted({u.district_name for u in summary.units if u.district_name}):
            if self.ui.district_combo.findData(name) < 0:
                self.ui.district_combo.blockSignals(True)
                self.ui.district_combo.insertItem(self.ui.district_combo.count() - 1, name, name)
                self.ui.district_combo.blockSignals(False)
        self.model.set_summary(summary)
        self._apply_filters()
        if not self._sized and self.model.rowCount() > 0:
            self._size_matrix()
            self._sized = True
        self.ui.plan_check.setText(f"计划{summary.year}年创建")
        self._show_targets()
        self._selected = None
        if keep is not None:
            self.select_cell(*keep)
        else:
            self._show_detail()

    def _size_matrix(self) -> None:
        table = self.ui.matrix
        header = table.horizontalHeader()
        metrics = table.fontMetrics()
        rows = self.model.rows
        widths = {
            StarMatrixModel.DISTRICT_COLUMN: max(
                [metrics.horizontalAdvance(u.district_name) for u in rows] + [metrics.horizontalAdvance("管区")]
            )
            + 16,
            StarMatrixModel.NAME_COLUMN: max(
                [metrics.horizontalAdvance(u.unit_name) for u in rows] + [metrics.horizontalAdvance("村（社区）")]
            )
            + 16,
            StarMatrixModel.KIND_COLUMN: metrics.horizontalAdvance("社区") + 16,
            StarMatrixModel.LEVEL_COLUMN: metrics.horizontalAdvance("星级") + 22,
        }
        for column, width in widths.items():
            header.resizeSection(column, width)
        star_width = max(metrics.horizontalAdvance("支部过硬星") + 12, 72)
        for star in ALL_STARS:
            header.resizeSection(StarMatrixModel.column_of(star), star_width)
        header.setStretchLastSection(False)

    # ----- filters -----------------------------------------------------------------------------

    def _apply_filters(self) -> None:
        ui = self.ui
        self.proxy.set_filters(
            search=ui.search_edit.text(),
            district=ui.district_combo.currentData(),
            kind=ui.kind_combo.currentData(),
            status=ui.status_combo.currentData() or "all",
        )
        self._update_count()

    def _filters_changed(self) -> None:
        keep = self._selected
        self._apply_filters()
        if keep is not None:
            self.select_cell(*keep)

    def _update_count(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        self.ui.count_label.setText(f"共 {total} 个，显示 {shown} 个" if shown != total else f"共 {total} 个村（社区）")

    def unit_stars(self, unit_id: int) -> UnitStars | None:
        return next((u for u in self.model.rows if u.unit_id == unit_id), None)

    def _source_index(self, unit_id: int, column: int) -> QModelIndex:
        row = self.model.find_row(lambda u: u.unit_id == unit_id)
        return self.model.index(row, column) if row is not None else QModelIndex()

    def view_index(self, unit_id: int, star: str | None = None) -> QModelIndex:
        """Where the matrix shows this unit's star (or its name): a proxy index, maybe invalid."""
        column = StarMatrixModel.column_of(star) if star else StarMatrixModel.NAME_COLUMN
        return self.proxy.mapFromSource(self._source_index(unit_id, column))

    def cell_text(self, unit_id: int, star: str) -> str:
        """What the matrix shows in a star cell (glyph and word)."""
        return self.model.data(self._source_index(unit_id, StarMatrixModel.column_of(star))) or ""

    def cell_state(self, unit_id: int, star: str) -> StarState | None:
        cell = self.model.data(self._source_index(unit_id, StarMatrixModel.column_of(star)), CELL_ROLE)
        return cell.state if cell is not None and cell.in_set else None

    def level_text(self, unit_id: int) -> str:
        return self.model.data(self._source_index(unit_id, StarMatrixModel.LEVEL_COLUMN)) or ""

    # ----- selection ---------------------------------------------------------------------------

    def select_cell(self, unit_id: int, star: str | None = None) -> bool:
        """Select a unit's star cell (or its name) if the matrix shows it and it can be opened."""
        index = self.view_index(unit_id, star)
        selection = self.ui.matrix.selectionModel()
        if index.isValid() and index.flags() & Qt.ItemFlag.ItemIsSelectable:
            self._selected = (unit_id, star)
            unchanged = selection.isSelected(index)
            # A new selection shows itself through _selection_changed; an unchanged one is
            # shown here (its data may be fresh).
            selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self.ui.matrix.scrollTo(index)
            if unchanged:
                self._show_detail()
            return True
        self._selected = None
        selection.clearSelection()
        self._show_detail()
        return False

    def _selection_changed(self) -> None:
        indexes = self.ui.matrix.selectionModel().selectedIndexes()
        if not indexes:
            return  # keep what the panel shows (a click on a — cell changes nothing)
        source = self.proxy.mapToSource(indexes[0])
        unit = self.model.row_at(source)
        if unit is None:
            return
        self._selected = (unit.unit_id, StarMatrixModel.star_of(source.column()))
        self._show_detail()

    def selected(self) -> tuple[UnitStars | None, StarCell | None]:
        if self._selected is None:
            return None, None
        unit = self.unit_stars(self._selected[0])
        if unit is None:
            return None, None
        star = self._selected[1]
        cell = _cells(unit).get(star) if star else None
        return unit, cell if cell is not None and cell.in_set else None

    # ----- the detail panel --------------------------------------------------------------------

    def _show_detail(self) -> None:
        ui = self.ui
        unit, cell = self.selected()
        ui.evidence_list.clear()
        if unit is None:
            ui.detail_title.setText(NO_SELECTION_TEXT)
            for label in (ui.state_label, ui.unit_label, ui.notes_label, ui.loss_label):
                label.setText("")
            ui.loss_label.hide()
            ui.timeline.set_steps(())
            self.history_model.star = None
            self.history_model.set_rows([])
            self._update_buttons()
            return
        year = self.year
        held = "、".join(unit.held) or "无"
        when = f"{year}年末" if year < date.today().year else "现"
        ui.unit_label.setText(
            f"{unit.district_name or '未分管区'} · {year}年为{unit.kind.label} · {when}有 {unit.level} 星（{held}）"
        )
        if cell is None:
            ui.detail_title.setText(f"{unit.unit_name}")
            ui.state_label.setText("点击这一行的一颗星，记录计划和创建步骤")
            ui.timeline.set_steps(())
            ui.notes_label.setText("")
            ui.loss_label.hide()
        else:
            ui.detail_title.setText(f"{unit.unit_name} · {cell.star}（{year}年）")
            look = cell_look(cell)
            chip = (
                f"<span style='background:{look.background};color:{look.foreground};'>"
                f"&nbsp;{'<s>' if look.struck else ''}{look.glyph}{'</s>' if look.struck else ''}&nbsp;</span>"
            )
            state = cell.state.label or "未列入计划"
            named = next((s.on for s in cell.steps if s.step is StarStep.NAMED and s.passed), None)
            extra = f"（{named.isoformat()} 命名）" if named else ""
            ui.state_label.setText(f"{chip}&nbsp;状态：<b>{state}</b>{extra}")
            ui.plan_check.setChecked(cell.planned)
            ui.timeline.set_steps(cell.steps)
            notes = [
                f"{s.step.label}：{s.note}" if s.passed else f"{s.step.label}未通过，原因：{s.note}"
                for s in sorted(cell.steps, key=lambda s: s.step.index)
                if s.note
            ]
            following = next_step(cell)
            if cell.steps and following is not None and not cell.held:
                notes.insert(0, f"下一步：{following.label}")
            if cell.note:
                notes.insert(0, f"备注：{cell.note}")
            ui.notes_label.setText("\n".join(notes))
            ui.notes_label.setVisible(bool(notes))
            if cell.loss is not None:
                ui.loss_label.setText(f"{cell.loss.on.isoformat()} {cell.loss.kind.label}：{cell.loss.reason}")
                ui.loss_label.show()
            else:
                ui.loss_label.hide()
            self._show_evidence(unit, cell)
        self._show_history(unit, cell.star if cell else None)
        self._update_buttons()

    def _show_evidence(self, unit: UnitStars, cell: StarCell) -> None:
        try:
            files = self._core.stars.evidence(unit.unit_id, cell.year, cell.star)
        except LsbError as exc:
            self.ui.evidence_list.addItem(exc.message)
            return
        for evidence in files:
            text = evidence.name + (f"（{evidence.note}）" if evidence.note else "")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, evidence.id)
            item.setToolTip(f"{evidence.name}\n添加于 {evidence.added_at}")
            self.ui.evidence_list.addItem(item)
        if files:
            self.ui.evidence_list.setCurrentRow(0)

    def _show_history(self, unit: UnitStars, star: str | None) -> None:
        try:
            events = self._core.stars.history(unit.unit_id)
        except LsbError as exc:
            self.ui.history_label.setText(f"历年记录（{exc.message}）")
            self.history_model.set_rows([])
            return
        # Newest first: the clerk looks at what happened last. The service's order is kept
        # within a day (a 村改社区 line before that year's stars).
        rows = [HistoryRow(e.year, e.on, e.star, e.text) for e in reversed(events)]
        self.history_model.star = star
        self.history_model.set_rows(rows)
        self.ui.history_label.setText(f"{unit.unit_name} 历年五星记录（{len(rows)} 条）")
        table = self.ui.history_table
        table.resizeColumnToContents(0)
        table.resizeColumnToContents(1)
        table.resizeRowsToContents()

    def _update_buttons(self) -> None:
        ui = self.ui
        unit, cell = self.selected()
        usable = cell is not None
        following = next_step(cell) if cell is not None else None
        ui.plan_check.setEnabled(usable and not cell.held)
        if not usable:
            ui.plan_check.setChecked(False)
        ui.next_button.setEnabled(usable and not cell.held and following is not None)
        ui.fail_button.setEnabled(usable and not cell.held and following is not None)
        ui.undo_button.setEnabled(usable and bool(cell.steps))
        ui.loss_button.setEnabled(usable and cell.held)
        ui.undo_loss_button.setVisible(usable and cell.loss is not None)
        ui.attach_button.setEnabled(usable)
        ui.note_button.setEnabled(usable)
        item = ui.evidence_list.currentItem()
        ui.open_evidence_button.setEnabled(
            usable and item is not None and item.data(Qt.ItemDataRole.UserRole) is not None
        )
        if usable and following is not None:
            ui.next_button.setText(f"记录“{following.label}”通过…")
            ui.fail_button.setText(f"记录“{following.label}”未通过…")
        else:
            ui.next_button.setText("记录下一步（通过）…")
            ui.fail_button.setText("记录未通过…")
        if usable and cell.held:
            ui.plan_check.setToolTip("已命名的星不再列入创建计划")
        else:
            ui.plan_check.setToolTip("列入本年度的五星创建计划")

    # ----- targets -----------------------------------------------------------------------------

    def _show_targets(self) -> None:
        summary = self.summary
        rows = target_rows(summary)
        for row in rows:
            card = self.ui.target_cards[row.status.level]
            card.setText(target_card_html(row))
            card.setStyleSheet(card_style(row.colour))
            card.setToolTip(
                f"{summary.year}年{row.title}：实际 {share_text(row.status.actual)}，目标 {row.target_text}"
            )
        counts = summary.levels
        parts = [f"{n}星 {counts[n]}" for n in (5, 4, 3, 2, 1, 0)]
        self.ui.levels_card.setText(
            f"<b>星级分布</b>（{summary.year}年，共 {len(summary.units)} 个）<br>" + " · ".join(parts)
        )
        self.target_model.set_rows(rows)
        self.ui.targets_table.resizeColumnsToContents()
        if summary.targets.percents:
            self.ui.targets_note.setText(
                f"按 {summary.year} 年{year_day_word(summary.year, date.today())}"
                f"在册的 {len(summary.units)} 个村（社区）计算；目标可在“目标设置…”中修改。"
            )
        else:
            self.ui.targets_note.setText(f"{summary.year}年还没有设定目标，请点“目标设置…”。")
        for level, model in self.gap_models.items():
            model.set_rows(gap_rows(summary, level))
            self.ui.gap_pages.setTabText(
                TARGET_LEVELS.index(level), f"未达{LEVEL_TITLES[level].replace('及以上', '')}（{model.rowCount()} 个）"
            )
            self.ui.gap_tables[level].resizeColumnsToContents()

    # ----- changes -----------------------------------------------------------------------------

    def _after_change(self) -> None:
        self._charts_stale = True
        self.load()
        self.changed.emit(Changes.STARS)
        if self.ui.pages.currentIndex() == PAGE_CHARTS and self.isVisible():
            self.load_charts()

    def set_planned(self, planned: bool) -> bool:
        unit, cell = self.selected()
        if cell is None:
            return False
        try:
            self._core.stars.set_planned(unit.unit_id, cell.year, cell.star, bool(planned))
        except LsbError as exc:
            show_error(self, exc)
            self.ui.plan_check.setChecked(cell.planned)
            return False
        self._after_change()
        return True

    # Each dialog opens without blocking (open(), not exec()) and is returned, so the caller,
    # a test included, can fill it in and press its buttons.

    def _open(self, dialog):
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if hasattr(dialog, "saved"):
            dialog.saved.connect(lambda _: self._after_change())
        dialog.open()
        return dialog

    def open_step_dialog(self, passed: bool = True) -> StepDialog | None:
        unit, cell = self.selected()
        if cell is None or cell.held or next_step(cell) is None:
            return None
        return self._open(StepDialog(self._core, unit.unit_name, cell, passed, self))

    def open_undo_dialog(self) -> UndoStepDialog | None:
        unit, cell = self.selected()
        if cell is None or not cell.steps:
            return None
        return self._open(UndoStepDialog(self._core, unit.unit_name, cell, self))

    def open_loss_dialog(self) -> LossDialog | None:
        unit, cell = self.selected()
        if cell is None or not cell.held:
            return None
        return self._open(LossDialog(self._core, unit.unit_name, cell, self))

    def open_undo_loss_dialog(self) -> UndoLossDialog | None:
        unit, cell = self.selected()
        if cell is None or cell.loss is None:
            return None
        return self._open(UndoLossDialog(self._core, unit.unit_name, cell, self))

    def open_targets_dialog(self) -> TargetsDialog:
        return self._open(TargetsDialog(self._core, self.year, self))

    def open_export_dialog(self) -> ExportDialog:
        dialog = ExportDialog(self._core, self.year, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_import_dialog(self) -> PlanImportDialog | None:
        path = choose_open_file(self, "stars", "选择五星创建计划表", "Excel 工作簿 (*.xlsx)")
        if not path:
            return None
        dialog = PlanImportDialog(self._core, path, self.year, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._imported(dialog.year))
        dialog.open()
        return dialog

    def _imported(self, year: int) -> None:
        if year != self.year:
            self.set_year(year)
        self._after_change()

    def edit_note(self) -> bool:
        """The selected cell's note, asked for; an empty text clears it."""
        unit, cell = self.selected()
        if cell is None:
            return False
        text, accepted = QInputDialog.getMultiLineText(
            self, "备注", f"{unit.unit_name} · {cell.star}（{cell.year}年）的备注：", cell.note
        )
        if not accepted:
            return False
        try:
            self._core.stars.set_note(unit.unit_id, cell.year, cell.star, text)
        except LsbError as exc:
            show_error(self, exc)
            return False
        self._after_change()
        return True

    def attach_file(self) -> bool:
        unit, cell = self.selected()
        if cell is None:
            return False
        path = choose_open_file(self, "evidence", "选择附件", "所有文件 (*)")
        if not path:
            return False
        try:
            self._core.stars.attach(unit.unit_id, cell.year, cell.star, Path(path))
        except LsbError as exc:
            show_error(self, exc)
            return False
        self._after_change()
        return True

    def open_evidence(self) -> bool:
        item = self.ui.evidence_list.currentItem()
        evidence_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if evidence_id is None:
            return False
        try:
            path = self._core.stars.evidence_path(evidence_id)
        except LsbError as exc:
            show_error(self, exc)
            return False
        from ui.widgets.print_preview import open_file

        return open_file(path, self)

    # ----- charts ------------------------------------------------------------------------------

    @property
    def charts_built(self) -> bool:
        return bool(self.charts)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._deferred.shown()
        self._page_changed()

    def _page_changed(self) -> None:
        if self.ui.pages.currentIndex() != PAGE_CHARTS or not self.isVisible():
            return
        if not self.charts_built:
            self._build_charts()
        if self._charts_stale:
            self.load_charts()

    def _build_charts(self) -> None:
        # pyqtgraph is imported here, the first time the charts are shown, never at start-up.
        from ui.stars.charts import LevelDistributionChart, StarCountChart

        self.level_chart = LevelDistributionChart()
        self.count_chart = StarCountChart()
        self.charts = [self.level_chart, self.count_chart]
        for chart, title in zip(self.charts, CHART_TITLES):
            self.ui.chart_pages.addTab(chart, title)
        self.chart_export.update_buttons()

    def load_charts(self) -> None:
        self._charts_stale = False
        self._charts_loading = True
        self._charts_generation += 1
        generation = self._charts_generation
        if self.chart_data is None:
            self.ui.chart_message.setText(LOADING_CHARTS)
            self.ui.chart_stack.setCurrentIndex(0)
        self.ui.chart_status.setText(LOADING_CHARTS)
        service = self._core.stars

        def read():
            years = sorted(service.years())
            targets = {}
            for year in years:
                target = service.targets(year).percents.get(3)
                targets[year] = None if target is None else Decimal(target)
            return generation, years, service.level_history(years), service.star_count_history(years), targets

        run_in_background(read, on_done=self._charts_read, on_error=self._charts_failed)

    def _charts_read(self, answer) -> None:
        generation, years, levels, counts, targets = answer
        if generation != self._charts_generation:
            return  # a newer read is under way
        self._charts_loading = False
        self.chart_data = (years, levels, counts, targets)
        if not years:
            self.ui.chart_message.setText(NO_CHART_DATA)
            self.ui.chart_stack.setCurrentIndex(0)
            self.ui.chart_status.setText("")
        else:
            self.ui.chart_stack.setCurrentIndex(1)
            span = f"{years[0]}年" if len(years) == 1 else f"{years[0]}—{years[-1]}年"
            self.ui.chart_status.setText(f"{span}，共 {len(years)} 个年度；数量按各年年末持有计算")
        if self.charts_built:
            self.level_chart.set_data({y: levels.get(y, {}) for y in years}, targets)
            self.count_chart.set_data({y: counts.get(y, {}) for y in years})
        self.chart_export.update_buttons()
        self.charts_loaded.emit()

    def _charts_failed(self, exc: BaseException) -> None:
        self._charts_loading = False
        self.ui.chart_status.setText("统计失败")
        if isinstance(exc, LsbError):
            show_error(self, exc)
            return
        raise exc  # our bug: the crash dialog reports it

    def current_chart(self):
        if not self.charts_built:
            return None
        return self.charts[self.ui.chart_pages.currentIndex()]

    def _has_chart_data(self) -> bool:
        return self.charts_built and self.chart_data is not None and bool(self.chart_data[0])

    def _exportable_chart(self):
        """The chart shown, when there is star data to export or copy."""
        return self.current_chart() if self._has_chart_data() else None
