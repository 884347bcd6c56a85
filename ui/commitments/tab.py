"""The 承诺事项 tab: a year's commitments with filters, an item's progress and files, the township summary."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from lsb_desktop.changes import Changes
from lsb_desktop.domain.commitments import (
    WORST_PLACES,
    Commitment,
    CommitmentStatus,
    Completion,
    EvidenceFile,
    ProgressEntry,
    UnitCompletion,
    competition_ranks,
    counted_text,
    counted_to,
    overdue_heading,
    total_completion,
    worst_rates,
)
from lsb_desktop.domain.period import QUARTER_NAMES
from lsb_desktop.domain.register import Unit
from lsb_desktop.domain.text import clean
from lsb_desktop.errors import LsbError
from ui.commitments.dialogs import (
    XLSX_FILTER,
    AdjustDialog,
    AttachDialog,
    CancelDialog,
    CarryOverDialog,
    CategoriesDialog,
    CommitmentDialog,
    CommitmentImportDialog,
    CompleteDialog,
    DeleteDialog,
    ExportDialog,
    ProgressDialog,
    original_text,
)
from ui.widgets.deferred import LoadWhenShown
from ui.widgets.dialogs import ServiceDialog
from ui.widgets.folders import choose_open_file, choose_open_files, last_folder, remember_folder
from ui.widgets.messages import ask_confirm, show_error
from ui.widgets.print_preview import open_file, show_in_folder
from ui.widgets.table_model import (
    ALIGN_CENTER,
    ALIGN_RIGHT,
    SORT_ROLE,
    Column,
    FilterProxy,
    RowTableModel,
    fit_columns,
    read_only_table,
    shown_rows,
)

if TYPE_CHECKING:
    from lsb_desktop.core import Core

# What this tab shows; any other change is none of its business.
_RELEVANT = Changes.COMMITMENTS | Changes.UNITS | Changes.DISTRICTS

# The summary marks the worst rates as the 完成情况汇总表 does: the last WORST_PLACES places of
# the ranking, ties included, never the best rate.
WORST_RULE_TEXT = f"完成率排名后 {WORST_PLACES} 位的（含并列，排名第一的除外）标红，与导出的《完成情况汇总表》相同"

NO_UNITS_TEXT = (
    "还没有登记村（社区）。\n请先在“村（社区）”页登记，或用“文件 → 导入村（社区）花名册…”导入，"
    "再来登记各村（社区）的承诺事项。"
)
NO_ITEMS_TEXT = (
    "{year}年还没有承诺事项。\n点“新增事项”逐项登记，或点“导入…”从 Excel 表导入"
    "（每行一项：村（社区）、序号、类别、承诺事项、量化目标、完成时限、责任人）。"
)
NO_ITEMS_CARRY_TEXT = "\n{previous}年还有未完成的事项，也可以选 {previous} 年，点“结转到下一年…”把它们结转过来。"
NO_SELECTION_TEXT = "在上方列表中选择一项承诺事项，这里显示它的详情、各季度进度和附件。"
SEARCH_PLACEHOLDER = "搜索承诺内容、目标、责任人"
ADJUSTED_MARK = "【调】"
CARRIED_MARK = "【结转】"
TOTAL_NAME = "全镇合计"

OVERDUE_TEXT = QColor("#c62828")
OVERDUE_CELL = QColor("#fde4e1")
DONE_TEXT = QColor("#2e7d32")
CANCELLED_TEXT = QColor("#9e9e9e")
ADJUSTED_TEXT = QColor("#b35c00")
CARRIED_TEXT = QColor("#455a8c")
WORST_ROW = QColor("#ffe0e0")  # the 汇总表's fill
WORST_TEXT = QColor("#b71c1c")
TOTAL_ROW = QColor("#e8eaf0")
_STATUS_COLOURS = {
    CommitmentStatus.OVERDUE: OVERDUE_TEXT,
    CommitmentStatus.DONE: DONE_TEXT,
    CommitmentStatus.CANCELLED: CANCELLED_TEXT,
    CommitmentStatus.ADJUSTED: ADJUSTED_TEXT,
    CommitmentStatus.CARRIED: CARRIED_TEXT,
}
_STATUS_ORDER = {
    CommitmentStatus.OVERDUE: 0,
    CommitmentStatus.NOT_STARTED: 1,
    CommitmentStatus.IN_PROGRESS: 2,
    CommitmentStatus.ADJUSTED: 3,
    CommitmentStatus.CARRIED: 4,
    CommitmentStatus.DONE: 5,
    CommitmentStatus.CANCELLED: 6,
}
ADJUSTED_BOX_STYLE = (
    "QLabel#adjustedBox { background: #fff8e1; border: 1px solid #e0b040; border-radius: 3px;"
    " padding: 6px; color: #4a3b00; }"
)
CANCELLED_BOX_STYLE = (
    "QLabel#cancelledBox { background: #f0f0f0; border: 1px solid #bdbdbd; border-radius: 3px;"
    " padding: 6px; color: #424242; }"
)
EMPTY_STYLE = "color: #555; font-size: 15px; padding: 24px;"
PAGE_ITEMS, PAGE_SUMMARY = range(2)


def search_key(text: object) -> str:
    """Typed and stored text compared alike: NFKC, no spaces, any case."""
    return clean(text).replace(" ", "").casefold()


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} 字节"


# ----- rows and models ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemRow:
    """An item as the table shows it: its status counted to the year's day (`counted_to`) and
    where it stands in the register."""

    item: Commitment
    status: CommitmentStatus  # counted to the year's end, or today while it lasts (逾期 included)
    position: int  # the service's order: register order, then number
    district_id: int | None


def content_text(row: ItemRow) -> str:
    item = row.item
    marks = (ADJUSTED_MARK if item.adjusted else "") + (CARRIED_MARK if item.carried_from_id else "")
    return marks + item.content.replace("\n", " ")


def content_tooltip(row: ItemRow) -> str:
    item = row.item
    parts = [item.content]
    if item.adjusted:
        parts.append(original_text(item))
    if item.carried_from_id:
        parts.append(f"从 {item.year - 1} 年结转")
    if item.status is CommitmentStatus.CANCELLED and item.cancel_reason:
        parts.append(f"取消原因：{item.cancel_reason}")
    return "\n\n".join(parts)


def status_tooltip(row: ItemRow) -> str:
    item = row.item
    if row.status is CommitmentStatus.OVERDUE:
        if item.completed_on is not None:
            return f"已过完成时限（{item.due.isoformat()}），到年底仍未完成；{item.completed_on.isoformat()} 完成"
        return f"已过完成时限（{item.due.isoformat()}），尚未完成"
    if row.status is CommitmentStatus.CARRIED:
        return f"{item.carried_text}，不计逾期；在本年度仍计为未完成"
    if row.status is CommitmentStatus.DONE and item.completed_on:
        return f"完成于 {item.completed_on.isoformat()}"
    if row.status is CommitmentStatus.CANCELLED:
        return f"取消原因：{item.cancel_reason}"
    if row.status is CommitmentStatus.ADJUSTED:
        return original_text(item)
    return ""


class ItemTableModel(RowTableModel):
    columns = (
        Column("村（社区）", lambda r: r.item.unit_name, sort_key=lambda r: r.position),
        Column("序号", lambda r: r.item.number, alignment=ALIGN_CENTER),
        Column("类别", lambda r: r.item.category),
        Column("承诺事项", content_text, tooltip=content_tooltip),
        Column("量化目标", lambda r: r.item.target, tooltip=lambda r: r.item.target),
        Column(
            "完成时限",
            lambda r: r.item.deadline_text,
            sort_key=lambda r: r.item.due.toordinal(),
            alignment=ALIGN_CENTER,
            tooltip=lambda r: f"截止 {r.item.due.isoformat()}",
        ),
        Column("责任人", lambda r: r.item.responsible, alignment=ALIGN_CENTER),
        Column(
            "状态",
            lambda r: r.status.label,
            sort_key=lambda r: _STATUS_ORDER[r.status],
            alignment=ALIGN_CENTER,
            tooltip=status_tooltip,
            foreground=lambda r: _STATUS_COLOURS.get(r.status),
            background=lambda r: OVERDUE_CELL if r.status is CommitmentStatus.OVERDUE else None,
        ),
        Column(
            "最新进度",
            lambda r: f"{r.item.latest_percent}%" if r.item.latest_percent is not None else "",
            sort_key=lambda r: -1 if r.item.latest_percent is None else r.item.latest_percent,
            alignment=ALIGN_CENTER,
        ),
        Column(
            "附件",
            lambda r: r.item.evidence_count or "",
            sort_key=lambda r: r.item.evidence_count,
            alignment=ALIGN_CENTER,
        ),
    )
    UNIT_COLUMN = 0
    CONTENT_COLUMN = 3
    TARGET_COLUMN = 4
    STATUS_COLUMN = 7

    def row_foreground(self, row: ItemRow) -> QColor | None:
        return CANCELLED_TEXT if row.status is CommitmentStatus.CANCELLED else None

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.FontRole:
            row = self.row_at(index)
            if row is None:
                return None
            if row.status is CommitmentStatus.CANCELLED and index.column() == self.CONTENT_COLUMN:
                font = QFont()
                font.setStrikeOut(True)
                return font
            if row.status is CommitmentStatus.OVERDUE and index.column() == self.STATUS_COLUMN:
                font = QFont()
                font.setBold(True)
                return font
            return None
        return super().data(index, role)


class ProgressTableModel(RowTableModel):
    columns = (
        Column("季度", lambda e: e.period.label, sort_key=lambda e: e.period.year * 10 + e.period.quarter),
        Column("进度", lambda e: f"{e.percent}%", sort_key=lambda e: e.percent, alignment=ALIGN_CENTER),
        Column("完成情况", lambda e: e.done_text.replace("\n", " "), tooltip=lambda e: e.done_text),
        Column("登记日期", lambda e: e.entry_date, alignment=ALIGN_CENTER),
        Column("附件", lambda e: len(e.evidence) or "", sort_key=lambda e: len(e.evidence), alignment=ALIGN_CENTER),
    )


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    file: EvidenceFile
    owner: str  # 事项 or the quarter's label


class EvidenceTableModel(RowTableModel):
    columns = (
        Column("文件", lambda r: r.file.name, tooltip=lambda r: f"{r.file.name}\nSHA-256：{r.file.sha256}"),
        Column("附到", lambda r: r.owner),
        Column("大小", lambda r: size_text(r.file.size), sort_key=lambda r: r.file.size, alignment=ALIGN_RIGHT),
        Column("添加时间", lambda r: r.file.added_at, alignment=ALIGN_CENTER),
        Column("说明", lambda r: r.file.note, tooltip=lambda r: r.file.note),
    )


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """One unit's line of the township summary, or the 全镇 total (unit_id None)."""

    unit_id: int | None
    district: str
    unit_name: str
    completion: Completion
    rate_order: int  # exact order of the rates, worst first; undefined rates last
    rank: int | None = None  # by rate, highest first, ties shared (1, 2, 2, 4)
    worst: bool = False  # among the worst places, marked red

    @property
    def is_total(self) -> bool:
        return self.unit_id is None


def summary_rows(units: list[UnitCompletion], register: dict[int, int]) -> list[SummaryRow]:
    """Per unit in register order, each with its exact worst-first place (undefined rates after
    every rate, ties in register order), its rank and mark, and the 全镇 line last."""
    units = sorted(units, key=lambda u: register.get(u.unit_id, 0))
    rates = [u.rate for u in units]
    ranks = competition_ranks(rates)
    worst = worst_rates(rates)
    ordered = sorted(range(len(units)), key=lambda i: (rates[i] is None, rates[i] or 0, i))
    place = {index: position for position, index in enumerate(ordered)}
    rows = [
        SummaryRow(u.unit_id, u.district_name, u.unit_name, u.completion, place[i], ranks[i], i in worst)
        for i, u in enumerate(units)
    ]
    total = total_completion(u.completion for u in units)
    rows.append(SummaryRow(None, "", TOTAL_NAME, total, len(units)))
    return rows


class SummaryTableModel(RowTableModel):
    columns = (
        Column("管区", lambda r: r.district),
        Column("村（社区）", lambda r: r.unit_name),
        Column("事项", lambda r: r.completion.total, alignment=ALIGN_CENTER),
        Column("已完成", lambda r: r.completion.done, alignment=ALIGN_CENTER),
        Column("已取消", lambda r: r.completion.cancelled, alignment=ALIGN_CENTER),
        Column(
            "逾期",
            lambda r: r.completion.overdue or "",
            sort_key=lambda r: r.completion.overdue,
            alignment=ALIGN_CENTER,
            foreground=lambda r: OVERDUE_TEXT if r.completion.overdue else None,
        ),
        Column(
            "已结转",
            lambda r: r.completion.carried or "",
            sort_key=lambda r: r.completion.carried,
            alignment=ALIGN_CENTER,
        ),
        Column(
            "完成率",
            lambda r: r.completion.rate_text,
            sort_key=lambda r: r.rate_order,
            alignment=ALIGN_CENTER,
            tooltip=lambda r: r.completion.explain(),
            foreground=lambda r: WORST_TEXT if r.worst else None,
        ),
        Column(
            "排名",
            lambda r: r.rank or ("" if r.is_total else "—"),
            sort_key=lambda r: r.rank if r.rank is not None else 10**6,
            alignment=ALIGN_CENTER,
            header_tooltip="按完成率从高到低，相同的并列；没有可计算事项的不排名",
        ),
    )
    OVERDUE_COLUMN = 5
    RATE_COLUMN = 7
    counted_day: date | None = None  # the day 逾期 is counted to, said in its header

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if (
            orientation == Qt.Orientation.Horizontal
            and section == self.OVERDUE_COLUMN
            and role == Qt.ItemDataRole.DisplayRole
            and self.counted_day is not None
        ):
            return overdue_heading(self.counted_day).replace("（", "\n（", 1)  # two lines: it fits
        return super().headerData(section, orientation, role)

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole):
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.FontRole):
            row = self.row_at(index)
            if row is None:
                return None
            if role == Qt.ItemDataRole.BackgroundRole:
                return TOTAL_ROW if row.is_total else WORST_ROW if row.worst else None
            if row.is_total or (row.worst and index.column() == self.RATE_COLUMN):
                font = QFont()
                font.setBold(True)
                return font
            return None
        return super().data(index, role)


class SummaryProxy(QSortFilterProxyModel):
    """Sorts on SORT_ROLE; the 全镇 line stays at the bottom whichever way it is sorted."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)

    def lessThan(self, left: QModelIndex, right: QModelIndex) -> bool:
        model = self.sourceModel()
        left_row, right_row = model.row_at(left), model.row_at(right)
        descending = self.sortOrder() == Qt.SortOrder.DescendingOrder
        # Qt compares the other way round when sorting descending; answer so the total is last.
        if left_row is not None and left_row.is_total:
            return descending
        if right_row is not None and right_row.is_total:
            return not descending
        return super().lessThan(left, right)


class Scope(enum.Enum):
    """Filter entries that are not an id."""

    ALL = "all"
    NONE = "none"  # 未分管区
    OPEN = "open"  # 未完成: everything not done or cancelled, 逾期 included


class ItemFilterProxy(FilterProxy):
    """Sorts on SORT_ROLE and keeps the rows matching the search text and the combos."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._search = ""
        self._district: Scope | int = Scope.ALL
        self._unit: int | None = None
        self._category: str | None = None
        self._status: Scope | CommitmentStatus = Scope.ALL

    def set_filters(
        self,
        *,
        search: str,
        district: Scope | int,
        unit: int | None,
        category: str | None,
        status: Scope | CommitmentStatus,
    ) -> None:
        def apply() -> None:
            self._search = search_key(search)
            self._district, self._unit, self._category, self._status = district, unit, category, status

        self._change(apply)

    def accepts(self, row: ItemRow) -> bool:
        if self._district is Scope.NONE and row.district_id is not None:
            return False
        if isinstance(self._district, int) and row.district_id != self._district:
            return False
        if self._unit is not None and row.item.unit_id != self._unit:
            return False
        if self._category is not None and row.item.category != self._category:
            return False
        if self._status is Scope.OPEN and row.status in (
            CommitmentStatus.DONE,
            CommitmentStatus.CANCELLED,
            CommitmentStatus.CARRIED,
        ):
            return False
        if isinstance(self._status, CommitmentStatus) and row.status is not self._status:
            return False
        if self._search:
            item = row.item
            haystack = (
                item.content,
                item.target,
                item.responsible,
                item.unit_name,
                item.note,
                item.original_content,
                item.category,
            )
            return any(self._search in search_key(text) for text in haystack)
        return True

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        model = self.sourceModel()
        row = model.row_at(model.index(source_row, 0, source_parent))
        return row is not None and self.accepts(row)


# ----- layout ---------------------------------------------------------------------------------


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-weight: bold;")
    return label


def _field_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("color: #666;")
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    return label


def _value_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class _CommitmentsTabUi:
    """The layout of CommitmentsTab; behaviour lives in the tab."""

    FIELDS = (
        ("category", "类别"),
        ("target", "量化目标"),
        ("due", "完成时限"),
        ("responsible", "责任人"),
        ("status", "状态"),
        ("completed", "完成日期"),
        ("carried", "结转"),
        ("note", "备注"),
    )

    def setup(self, tab: QWidget) -> None:
        self.year_combo = QComboBox()
        self.year_combo.setMinimumWidth(96)
        self.add_button = QPushButton("新增事项")
        self.import_button = QPushButton("导入…")
        self.export_button = QPushButton("导出公示表/汇总表…")
        self.carry_button = QPushButton("结转到下一年…")
        self.categories_button = QPushButton("类别设置…")
        self.add_button.setToolTip("为一个村（社区）登记一项年度承诺")
        self.import_button.setToolTip("从 Excel 表导入承诺事项：先预览，全部无误才导入")
        self.export_button.setToolTip("每个村（社区）一张《年度承诺事项公示表》，另附全镇《完成情况汇总表》")
        self.carry_button.setToolTip("把本年度到年底仍未完成的事项复制到下一年度")
        self.categories_button.setToolTip("编辑承诺事项的类别（基层党建、集体经济·产业……）")
        top = QHBoxLayout()
        top.addWidget(QLabel("年度"))
        top.addWidget(self.year_combo)
        top.addSpacing(12)
        for button in (self.add_button, self.import_button, self.export_button, self.carry_button):
            top.addWidget(button)
        top.addStretch(1)
        top.addWidget(self.categories_button)

        self.district_combo = QComboBox()
        self.district_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.unit_combo = QComboBox()
        self.unit_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.unit_combo.setMinimumWidth(140)
        self.unit_combo.setMaxVisibleItems(24)
        self.category_combo = QComboBox()
        self.category_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.status_combo = QComboBox()
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search_edit.setClearButtonEnabled(True)
        self.count_label = QLabel()
        filters = QHBoxLayout()
        for label, combo in (
            ("管区", self.district_combo),
            ("村（社区）", self.unit_combo),
            ("类别", self.category_combo),
            ("状态", self.status_combo),
        ):
            filters.addWidget(QLabel(label))
            filters.addWidget(combo)
            filters.addSpacing(6)
        filters.addWidget(self.search_edit, 1)
        filters.addSpacing(8)
        filters.addWidget(self.count_label)

        self.notice_label = QLabel()
        self.notice_label.setStyleSheet("color: #2e6b30;")
        self.notice_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_export_button = QPushButton("打开")
        self.folder_export_button = QPushButton("打开所在文件夹")
        self.notice_row = QWidget()
        notice = QHBoxLayout(self.notice_row)
        notice.setContentsMargins(0, 0, 0, 0)
        notice.addWidget(self.notice_label, 1)
        notice.addWidget(self.open_export_button)
        notice.addWidget(self.folder_export_button)
        self.notice_row.hide()

        self.pages = QTabWidget()
        self.pages.addTab(self._items_page(), "事项清单")
        self.pages.addTab(self._summary_page(), "完成情况汇总")

        self.no_units_label = QLabel(NO_UNITS_TEXT)
        self.no_units_label.setStyleSheet(EMPTY_STYLE)
        self.no_units_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_units_label.setWordWrap(True)
        self.body = QStackedWidget()
        self.body.addWidget(self.pages)
        self.body.addWidget(self.no_units_label)

        self.filter_row = QWidget()
        self.filter_row.setLayout(filters)
        filters.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(tab)
        layout.addLayout(top)
        layout.addWidget(self.filter_row)
        layout.addWidget(self.notice_row)
        layout.addWidget(self.body, 1)

    # ----- 事项清单 --------------------------------------------------------------------------

    def _items_page(self) -> QWidget:
        self.table = read_only_table(wrap=False)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.empty_label = QLabel()
        self.empty_label.setStyleSheet(EMPTY_STYLE)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self._detail_panel())
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([380, 300])
        # A year without items shows what to do instead of an empty table and detail panel.
        self.table_stack = QStackedWidget()
        self.table_stack.addWidget(self.splitter)
        self.table_stack.addWidget(self.empty_label)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.table_stack)
        return page

    def _detail_panel(self) -> QWidget:
        # Left: what was promised; right: what has been done (progress, files).
        self.title_label = QLabel(NO_SELECTION_TEXT)
        self.title_label.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.title_label.setWordWrap(True)
        self.content_label = _value_label()
        self.content_label.setStyleSheet("font-size: 14px;")
        self.values: dict[str, QLabel] = {}
        self.field_labels: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        # Two pairs a line; 备注 and 来源 get the whole line (they can be long).
        places = {
            "category": (0, 0),
            "target": (0, 2),
            "due": (1, 0),
            "responsible": (1, 2),
            "status": (2, 0),
            "completed": (2, 2),
            "note": (3, 0),
            "carried": (4, 0),
        }
        for key, text in self.FIELDS:
            name = _field_label(text)
            value = _value_label()
            row, column = places[key]
            grid.addWidget(name, row, column)
            wide = key in ("note", "carried")
            grid.addWidget(value, row, column + 1, 1, 3 if wide else 1)
            self.values[key] = value
            self.field_labels[key] = name
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        # The boxes are styled labels: a word-wrapped label inside a frame gets one line's height.
        self.adjusted_box = self.adjusted_label = _value_label()
        self.adjusted_box.setObjectName("adjustedBox")
        self.adjusted_box.setStyleSheet(ADJUSTED_BOX_STYLE)
        self.cancelled_box = self.cancelled_label = _value_label()
        self.cancelled_box.setObjectName("cancelledBox")
        self.cancelled_box.setStyleSheet(CANCELLED_BOX_STYLE)
        facts = QWidget()
        facts_layout = QVBoxLayout(facts)
        facts_layout.setContentsMargins(0, 0, 6, 0)
        facts_layout.addWidget(self.title_label)
        facts_layout.addWidget(self.content_label)
        facts_layout.addLayout(grid)
        facts_layout.addWidget(self.adjusted_box)
        facts_layout.addWidget(self.cancelled_box)
        facts_layout.addStretch(1)
        self.facts_widget = facts
        scroll = QScrollArea()
        scroll.setWidget(facts)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)

        self.edit_button = QPushButton("编辑…")
        self.complete_button = QPushButton("标记完成…")
        self.adjust_button = QPushButton("调整…")
        self.cancel_button = QPushButton("取消…")
        self.reopen_button = QPushButton("重新打开")
        self.delete_button = QPushButton("删除")
        self.edit_button.setToolTip("改正录入错误（不留原文）；双击列表中的行也可以")
        self.adjust_button.setToolTip("承诺的内容、目标或时限有变化：写明原因，原承诺保留")
        self.cancel_button.setToolTip("不再实施的承诺：写明原因，仍列在名单中，不计入完成率")
        self.reopen_button.setToolTip("把误标为已完成的事项改回推进中")
        self.delete_button.setToolTip("只用于录错的事项：没有进度、附件，也没有结转")
        actions = QHBoxLayout()
        for button in (
            self.edit_button,
            self.complete_button,
            self.adjust_button,
            self.cancel_button,
            self.reopen_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.delete_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(scroll, 1)
        left_layout.addLayout(actions)

        self.progress_table = read_only_table(wrap=False)
        self.evidence_table = read_only_table(wrap=False)
        self.progress_button = QPushButton("登记本季度进度…")
        self.attach_button = QPushButton("附加文件…")
        self.open_evidence_button = QPushButton("打开附件")
        self.progress_button.setToolTip("每季度登记一次进度；同一季度再登记会替换原来的")
        self.attach_button.setToolTip("照片、验收单、文件等，复制到数据文件夹保存，并记下校验值")
        self.open_evidence_button.setToolTip("核对校验值后用系统默认程序打开所选附件（双击附件也可以）")
        progress_head = QHBoxLayout()
        progress_head.addWidget(_heading("季度进度"))
        progress_head.addStretch(1)
        progress_head.addWidget(self.progress_button)
        evidence_head = QHBoxLayout()
        evidence_head.addWidget(_heading("附件"))
        evidence_head.addStretch(1)
        evidence_head.addWidget(self.attach_button)
        evidence_head.addWidget(self.open_evidence_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(6, 0, 0, 0)
        right_layout.addLayout(progress_head)
        right_layout.addWidget(self.progress_table, 3)
        right_layout.addLayout(evidence_head)
        right_layout.addWidget(self.evidence_table, 2)

        self.detail_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.detail_splitter.addWidget(left)
        self.detail_splitter.addWidget(right)
        self.detail_splitter.setStretchFactor(0, 5)
        self.detail_splitter.setStretchFactor(1, 6)
        self.detail_splitter.setChildrenCollapsible(False)
        self.detail_splitter.setSizes([560, 680])
        return self.detail_splitter

    # ----- 完成情况汇总 ------------------------------------------------------------------------

    def _summary_page(self) -> QWidget:
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_table = read_only_table(wrap=False)
        self.summary_table.setSortingEnabled(True)
        # The few columns share the width: a narrow table in a wide page reads as unfinished.
        self.summary_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        legend = QLabel(
            f"完成率 = 已完成 ÷（事项 − 已取消），没有可计算事项的显示“—”、不排名。{WORST_RULE_TEXT}。"
            "逾期：到统计日已过完成时限仍未完成的事项；已结转到下一年的不计逾期，在本年度完成率中仍按未完成计算。"
            "单击一个村（社区）查看它的事项。"
        )
        legend.setWordWrap(True)
        legend.setStyleSheet("color: #666;")
        # The rate at a quarter's end is the figure a round's 承诺完成 component uses.
        self.as_of_combo = QComboBox()
        self.as_of_combo.addItem("年末（本年度为今天）", None)
        for quarter, name in QUARTER_NAMES.items():
            self.as_of_combo.addItem(f"{name}末", quarter)
        self.as_of_combo.setToolTip("完成率统计到哪一天；评比的“承诺完成”得分用该季度末的完成率")
        as_of_row = QHBoxLayout()
        as_of_row.addWidget(QLabel("统计到"))
        as_of_row.addWidget(self.as_of_combo)
        as_of_row.addStretch(1)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(as_of_row)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.summary_table, 1)
        layout.addWidget(legend)
        return page


# ----- the tab ------------------------------------------------------------------------------


class CommitmentsTab(QWidget):
    """Commitments (定标亮诺). Reads and writes only through `core.commitments` (and the register
    through `core.villages`); tells the main window what it changed through `changed` and
    reloads when told through `reload`."""

    changed = Signal(object)  # a Changes flag, after every successful change made here
    TITLE = "承诺事项"

    def __init__(
        self, core: Core, parent: QWidget | None = None, *, today: date | None = None, load_when_shown: bool = False
    ) -> None:
        super().__init__(parent)
        self._core = core
        self._deferred = LoadWhenShown(self, self.reload, load_when_shown)
        self._fixed_today = today  # tests pin the day; the program follows the clock
        self._units: dict[int, Unit] = {}
        self._selected_id: int | None = None
        self._entries: list[ProgressEntry] = []
        self._items: list[Commitment] = []
        self._last_export: Path | None = None
        self._sized = False
        self.ui = _CommitmentsTabUi()
        self.ui.setup(self)
        self.model = ItemTableModel(self)
        self.proxy = ItemFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.ui.table.setModel(self.proxy)
        self.ui.table.sortByColumn(ItemTableModel.UNIT_COLUMN, Qt.SortOrder.AscendingOrder)
        self.ui.table.horizontalHeader().setSectionResizeMode(
            ItemTableModel.CONTENT_COLUMN, QHeaderView.ResizeMode.Stretch
        )
        self.progress_model = ProgressTableModel(self)
        self.ui.progress_table.setModel(self.progress_model)
        self.evidence_model = EvidenceTableModel(self)
        self.ui.evidence_table.setModel(self.evidence_model)
        self.summary_model = SummaryTableModel(self)
        self.summary_proxy = SummaryProxy(self)
        self.summary_proxy.setSourceModel(self.summary_model)
        self.ui.summary_table.setModel(self.summary_proxy)
        self.ui.summary_table.sortByColumn(SummaryTableModel.RATE_COLUMN, Qt.SortOrder.AscendingOrder)
        self._fill_fixed_filters()
        self._connect()
        self.reload()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._deferred.shown()

    def today(self) -> date:
        return self._fixed_today or date.today()

    # ----- wiring ----------------------------------------------------------------------------

    def _fill_fixed_filters(self) -> None:
        combo = self.ui.status_combo
        combo.addItem("全部状态", Scope.ALL)
        combo.addItem("未完成（含逾期）", Scope.OPEN)
        for status in (
            CommitmentStatus.OVERDUE,
            CommitmentStatus.NOT_STARTED,
            CommitmentStatus.IN_PROGRESS,
            CommitmentStatus.ADJUSTED,
            CommitmentStatus.DONE,
            CommitmentStatus.CANCELLED,
            CommitmentStatus.CARRIED,
        ):
            combo.addItem(status.label, status)

    def _connect(self) -> None:
        ui = self.ui
        ui.year_combo.currentIndexChanged.connect(self._year_chosen)
        ui.add_button.clicked.connect(lambda: self.open_add_dialog())
        ui.import_button.clicked.connect(lambda: self.open_import_dialog())
        ui.export_button.clicked.connect(lambda: self.open_export_dialog())
        ui.carry_button.clicked.connect(lambda: self.open_carry_over_dialog())
        ui.categories_button.clicked.connect(lambda: self.open_categories_dialog())
        ui.district_combo.currentIndexChanged.connect(self._district_chosen)
        for combo in (ui.unit_combo, ui.category_combo, ui.status_combo):
            combo.currentIndexChanged.connect(self._filters_changed)
        ui.search_edit.textChanged.connect(self._filters_changed)
        ui.table.selectionModel().selectionChanged.connect(self._selection_changed)
        ui.table.doubleClicked.connect(self._double_clicked)
        ui.edit_button.clicked.connect(lambda: self.open_edit_dialog())
        ui.complete_button.clicked.connect(lambda: self.open_complete_dialog())
        ui.adjust_button.clicked.connect(lambda: self.open_adjust_dialog())
        ui.cancel_button.clicked.connect(lambda: self.open_cancel_dialog())
        ui.reopen_button.clicked.connect(lambda: self.reopen_selected())
        ui.delete_button.clicked.connect(lambda: self.open_delete_dialog())
        ui.progress_button.clicked.connect(lambda: self.open_progress_dialog())
        ui.attach_button.clicked.connect(lambda: self.open_attach_dialog())
        ui.open_evidence_button.clicked.connect(lambda: self.open_selected_evidence())
        ui.evidence_table.doubleClicked.connect(lambda _index: self.open_selected_evidence())
        ui.evidence_table.selectionModel().selectionChanged.connect(self._update_evidence_button)
        ui.summary_table.clicked.connect(self._summary_clicked)
        ui.as_of_combo.currentIndexChanged.connect(lambda _: self._load_summary(self.year()))
        ui.pages.currentChanged.connect(self._page_changed)
        ui.open_export_button.clicked.connect(lambda: self._last_export and open_file(self._last_export, self))
        ui.folder_export_button.clicked.connect(lambda: self._last_export and show_in_folder(self._last_export))

    # ----- reading ---------------------------------------------------------------------------

    def year(self) -> int:
        value = self.ui.year_combo.currentData()
        return value if value is not None else self.today().year

    def reload(self, changes: Changes = Changes.ALL) -> None:
        """Reload from the core if `changes` touch what this tab shows (commitments, units, 管区)."""
        if not changes & _RELEVANT or self._deferred.hold(changes):
            return
        self._units = {unit.id: unit for unit in self._core.villages.list_units()}
        has_units = bool(self._units)
        self.ui.body.setCurrentIndex(0 if has_units else 1)
        for widget in (self.ui.add_button, self.ui.import_button, self.ui.export_button, self.ui.carry_button):
            widget.setEnabled(has_units)
        self.ui.filter_row.setVisible(has_units and self.ui.pages.currentIndex() == PAGE_ITEMS)
        self._fill_years()
        self._fill_district_filter()
        self._fill_category_filter()
        self._load_year()

    def _fill_years(self) -> None:
        combo = self.ui.year_combo
        current = combo.currentData()
        with_data = self._core.commitments.years()
        this_year = self.today().year
        # Every year from the first with data up to next year: a gap (a year not entered yet) shows.
        first = min([*with_data, this_year])
        years = sorted(set(with_data) | set(range(first, this_year + 2)), reverse=True)
        combo.blockSignals(True)
        combo.clear()
        for year in years:
            combo.addItem(f"{year}年" + ("" if year in with_data else "（无事项）"), year)
        if current is None:
            # Open on this year's items; before any are entered, on the newest year that has some.
            current = (
                this_year
                if this_year in with_data or not with_data
                else max((y for y in with_data if y <= this_year), default=max(with_data))
            )
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.blockSignals(False)

    def _fill_district_filter(self) -> None:
        combo = self.ui.district_combo
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("全部管区", Scope.ALL)
        for district in self._core.villages.list_districts(include_archived=True):
            combo.addItem(f"{district.name}（已停用）" if district.archived else district.name, district.id)
        if any(unit.district_id is None for unit in self._units.values()):
            combo.addItem("未分管区", Scope.NONE)
        combo.setCurrentIndex(max(0, combo.findData(current)) if current is not None else 0)
        combo.blockSignals(False)

    def _fill_category_filter(self) -> None:
        combo = self.ui.category_combo
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("全部类别", None)
        for name in self._core.commitments.categories():
            combo.addItem(name, name)
        combo.setCurrentIndex(max(0, combo.findData(current)) if current is not None else 0)
        combo.blockSignals(False)

    def _fill_unit_filter(self, items: list[Commitment]) -> None:
        """Units of the chosen 管区: those on the register, and any with items this year."""
        combo = self.ui.unit_combo
        current = combo.currentData()
        district = self.ui.district_combo.currentData()
        with_items = {item.unit_id for item in items}
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("全部村（社区）", None)
        for unit in self._units.values():
            if not unit.is_active and unit.id not in with_items:
                continue
            if district is Scope.NONE and unit.district_id is not None:
                continue
            if isinstance(district, int) and unit.district_id != district:
                continue
            combo.addItem(unit.name, unit.id)
        combo.setCurrentIndex(max(0, combo.findData(current)) if current is not None else 0)
        combo.blockSignals(False)

    def _load_year(self) -> None:
        year = self.year()
        today = self.today()
        day = self.counted_day(year)
        items = self._core.commitments.list_commitments(year)
        self._items = items
        rows = [
            ItemRow(
                item,
                item.status_on(day, today),
                position,
                self._units[item.unit_id].district_id if item.unit_id in self._units else None,
            )
            for position, item in enumerate(items)
        ]
        # Categories used this year but no longer in the list still filter.
        for item in items:
            if self.ui.category_combo.findData(item.category) < 0:
                self.ui.category_combo.blockSignals(True)
                self.ui.category_combo.addItem(item.category, item.category)
                self.ui.category_combo.blockSignals(False)
        self._fill_unit_filter(items)
        self.model.set_rows(rows)
        self._apply_filters()
        if not self._sized and rows:
            self._size_columns()
        self._show_empty_state(year, items)
        self._load_summary(year)
        self.select_commitment(self._selected_id)
        if self._selected_id is None and self.proxy.rowCount() > 0:
            # Open on the first item, so the detail panel shows something from the start.
            self.ui.table.selectRow(0)

    def _size_columns(self) -> None:
        # Once, so later reloads do not undo widths the clerk dragged.
        table = self.ui.table
        fit_columns(
            table,
            limits={
                ItemTableModel.TARGET_COLUMN: 220,
                ItemTableModel.UNIT_COLUMN: 160,
                ItemTableModel.CONTENT_COLUMN: 420,
            },
        )
        self._sized = True

    def _show_empty_state(self, year: int, items: list[Commitment]) -> None:
        if items:
            self.ui.table_stack.setCurrentIndex(0)
            return
        text = NO_ITEMS_TEXT.format(year=year)
        if (year - 1) in self._core.commitments.years():
            text += NO_ITEMS_CARRY_TEXT.format(previous=year - 1)
        self.ui.empty_label.setText(text)
        self.ui.table_stack.setCurrentIndex(1)

    def _load_summary(self, year: int) -> None:
        try:
            units = self._core.commitments.summary(year, on=self.summary_day(year), today=self.today())
        except LsbError as exc:
            self.summary_model.set_rows([])
            self.ui.summary_label.setText(exc.message)
            return
        register = {unit_id: unit.display_order for unit_id, unit in self._units.items()}
        rows = summary_rows(units, register)
        day = self.summary_day(year)
        self.summary_model.counted_day = day
        self.summary_model.set_rows(rows)
        total = rows[-1].completion
        low = sum(1 for row in rows if row.worst)
        carried = f"已结转 {total.carried} 项（不计逾期），" if total.carried else ""
        text = (
            f"<b>{year}年</b>，{counted_text(day)}：全镇承诺事项 {total.total} 项，已完成 {total.done} 项，"
            f"已取消 {total.cancelled} 项，{carried}逾期 "
            f"<span style='color:#c62828'><b>{total.overdue}</b></span> 项，"
            f"完成率 <b>{total.rate_text}</b>。"
        )
        if low:
            names = "、".join(row.unit_name for row in sorted(rows, key=lambda r: r.rate_order) if row.worst)
            text += f"<br>完成率排名靠后（标红）：<span style='color:#b71c1c'>{names}</span>"
        self.ui.summary_label.setText(text)

    def summary_day(self, year: int) -> date:
        """The day the summary counts to: the chosen quarter's last day, or the year's end; never
        after today (a later day would count what has not happened yet as 逾期 or not)."""
        return counted_to(year, self.today(), self.ui.as_of_combo.currentData())

    def counted_day(self, year: int) -> date:
        """The day the list (and the export) count to: the year's end, or today while it lasts."""
        return counted_to(year, self.today())

    def _year_chosen(self) -> None:
        self._selected_id = None
        self._load_year()

    def _district_chosen(self) -> None:
        self._fill_unit_filter(self._items)
        self._filters_changed()

    def _filters_changed(self) -> None:
        self._apply_filters()
        self.select_commitment(self._selected_id)

    def _apply_filters(self) -> None:
        ui = self.ui
        self.proxy.set_filters(
            search=ui.search_edit.text(),
            district=ui.district_combo.currentData(),
            unit=ui.unit_combo.currentData(),
            category=ui.category_combo.currentData(),
            status=ui.status_combo.currentData(),
        )
        self._update_count()

    def _update_count(self) -> None:
        shown = shown_rows(self.proxy)
        overdue = sum(1 for r in shown if r.status is CommitmentStatus.OVERDUE)
        done = sum(1 for r in shown if r.status is CommitmentStatus.DONE)
        carried = sum(1 for r in shown if r.status is CommitmentStatus.CARRIED)
        total = self.model.rowCount()
        text = f"共 {total} 项" if len(shown) == total else f"共 {total} 项，显示 {len(shown)} 项"
        if shown:
            text += f"（已完成 {done}"
            if carried:
                text += f"，已结转 {carried}"
            text += f"，<span style='color:#c62828'>逾期 {overdue}</span>" if overdue else "，逾期 0"
            text += f"；{counted_text(self.counted_day(self.year()))}）"
        self.ui.count_label.setText(text)

    # ----- filters set from outside ------------------------------------------------------------

    def set_year(self, year: int) -> None:
        combo = self.ui.year_combo
        if combo.findData(year) < 0:
            combo.blockSignals(True)
            combo.addItem(f"{year}年", year)
            combo.blockSignals(False)
        combo.setCurrentIndex(combo.findData(year))

    def show_unit(self, unit_id: int | None) -> None:
        """Filter the items to one unit (None: all) and show the list."""
        ui = self.ui
        if unit_id is not None and ui.unit_combo.findData(unit_id) < 0:
            ui.district_combo.setCurrentIndex(0)  # the unit lies outside the chosen 管区
        index = ui.unit_combo.findData(unit_id)
        if index < 0:
            ui.unit_combo.addItem(self._units[unit_id].name if unit_id in self._units else str(unit_id), unit_id)
            index = ui.unit_combo.count() - 1
        ui.unit_combo.setCurrentIndex(index)
        ui.pages.setCurrentIndex(PAGE_ITEMS)

    def _page_changed(self, page: int) -> None:
        # The filters narrow the list of items; the summary always covers the whole township.
        self.ui.filter_row.setVisible(page == PAGE_ITEMS and bool(self._units))

    def _summary_clicked(self, index: QModelIndex) -> None:
        row = self.summary_model.row_at(self.summary_proxy.mapToSource(index))
        if row is not None:
            self.show_unit(row.unit_id)

    # ----- selection -------------------------------------------------------------------------

    def selected(self) -> Commitment | None:
        rows = self.ui.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = self.model.row_at(self.proxy.mapToSource(rows[0]))
        return row.item if row is not None else None

    def selected_row(self) -> ItemRow | None:
        rows = self.ui.table.selectionModel().selectedRows()
        return self.model.row_at(self.proxy.mapToSource(rows[0])) if rows else None

    def select_commitment(self, commitment_id: int | None) -> bool:
        """Select the item if it is shown; True when it is."""
        row = self.model.find_row(lambda r: r.item.id == commitment_id) if commitment_id is not None else None
        index = self.proxy.mapFromSource(self.model.index(row, 0)) if row is not None else QModelIndex()
        if index.isValid():
            self.ui.table.selectionModel().select(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            )
            self.ui.table.scrollTo(index)
        else:
            self.ui.table.clearSelection()
        self._selected_id = commitment_id if index.isValid() else None
        self._show_selection()
        return index.isValid()

    def _selection_changed(self) -> None:
        item = self.selected()
        self._selected_id = item.id if item else None
        self._show_selection()

    def _show_selection(self) -> None:
        row = self.selected_row()
        self._update_buttons(row)
        self._show_detail(row)

    def _update_buttons(self, row: ItemRow | None) -> None:
        ui = self.ui
        item = row.item if row else None
        stored = item.status if item else None
        open_ = stored is not None and stored.open
        for button in (ui.edit_button, ui.attach_button):
            button.setEnabled(item is not None)
        ui.progress_button.setEnabled(item is not None and stored is not CommitmentStatus.CANCELLED)
        ui.complete_button.setEnabled(open_)
        ui.adjust_button.setEnabled(open_)
        ui.cancel_button.setEnabled(open_)
        ui.reopen_button.setEnabled(stored is CommitmentStatus.DONE)
        ui.delete_button.setEnabled(item is not None and item.latest_percent is None and not item.evidence_count)
        self._update_evidence_button()

    def _update_evidence_button(self, *args) -> None:
        self.ui.open_evidence_button.setEnabled(self.selected_evidence() is not None)

    def _show_detail(self, row: ItemRow | None) -> None:
        ui = self.ui
        if row is None:
            ui.title_label.setText(NO_SELECTION_TEXT)
            ui.content_label.setText("")
            for key, label in ui.values.items():
                label.setText("")
                ui.field_labels[key].hide()
                label.hide()
            ui.adjusted_box.hide()
            ui.cancelled_box.hide()
            self._entries = []
            self.progress_model.set_rows([])
            self.evidence_model.set_rows([])
            self._update_evidence_button()
            return
        item = row.item
        ui.title_label.setText(f"{item.unit_name} · {item.year}年第 {item.number} 项")
        ui.content_label.setText(item.content)
        status = row.status
        colour = _STATUS_COLOURS.get(status)
        status_html = (
            f"<span style='color:{colour.name()}; font-weight:bold'>{status.label}</span>" if colour else status.label
        )
        if status is CommitmentStatus.OVERDUE:
            if item.completed_on is not None:
                status_html += (
                    f"（到 {self.counted_day(item.year).isoformat()} 仍未完成，{item.completed_on.isoformat()} 完成）"
                )
            else:
                days = (self.today() - item.due).days
                status_html += f"（已超过时限 {days} 天）"
        elif status is CommitmentStatus.CARRIED:
            status_html += f"（{item.carried_text}，不计逾期）"
        elif item.adjusted and status is not CommitmentStatus.ADJUSTED:
            status_html += "（已调整）"
        values = {
            "category": item.category,
            "target": item.target or "—",
            "due": f"{item.deadline_text}（截止 {item.due.isoformat()}）"
            if item.deadline is None
            else item.deadline_text,
            "responsible": item.responsible or "—",
            "status": status_html,
            "completed": item.completed_on.isoformat() if item.completed_on else "",
            "carried": "；".join(
                text
                for text in (f"从 {item.year - 1} 年结转" if item.carried_from_id else "", item.carried_text)
                if text
            ),
            "note": item.note or "—",
        }
        for key, value in values.items():
            label = ui.values[key]
            label.setTextFormat(Qt.TextFormat.RichText if key == "status" else Qt.TextFormat.PlainText)
            label.setText(value)
            visible = bool(value) or key not in ("completed", "carried")
            label.setVisible(visible)
            ui.field_labels[key].setVisible(visible)
        ui.adjusted_box.setVisible(item.adjusted)
        if item.adjusted:
            ui.adjusted_label.setText(original_text(item))
        cancelled = item.status is CommitmentStatus.CANCELLED
        ui.cancelled_box.setVisible(cancelled)
        if cancelled:
            when = item.cancelled_on.isoformat() if item.cancelled_on else ""
            ui.cancelled_label.setText(f"已于 {when} 取消。取消原因：{item.cancel_reason}\n不计入完成率。")
        self._show_progress(item)

    def _show_progress(self, item: Commitment) -> None:
        try:
            entries = self._core.commitments.progress(item.id)
            files = self._core.commitments.evidence(item.id)
        except LsbError as exc:
            # Changed elsewhere since the list was read: say so and show nothing stale.
            self.ui.title_label.setText(exc.message)
            entries, files = [], []
        self._entries = entries
        self.progress_model.set_rows(entries)
        owners = {file.id: entry.period.label for entry in entries for file in entry.evidence}
        self.evidence_model.set_rows(EvidenceRow(f, owners.get(f.id, "事项")) for f in files)
        fit_columns(self.ui.progress_table, limits={2: 320})
        fit_columns(self.ui.evidence_table, limits={0: 260})
        if files:
            self.ui.evidence_table.selectRow(0)
        self._update_evidence_button()

    def selected_entry(self) -> ProgressEntry | None:
        rows = self.ui.progress_table.selectionModel().selectedRows()
        return self.progress_model.row_at(rows[0]) if rows else None

    def selected_evidence(self) -> EvidenceFile | None:
        rows = self.ui.evidence_table.selectionModel().selectedRows()
        row = self.evidence_model.row_at(rows[0]) if rows else None
        return row.file if row is not None else None

    # ----- after a change --------------------------------------------------------------------

    def _after_change(self, select: int | None = None) -> None:
        if select is not None:
            self._selected_id = select
        self.reload(Changes.COMMITMENTS)
        self.changed.emit(Changes.COMMITMENTS)

    def _saved(self, value: object) -> None:
        """An item changed: stay on it (when the filters still show it)."""
        self._after_change(value.id if isinstance(value, Commitment) else None)

    def _added(self, item: Commitment) -> None:
        """A new item: show its year and, if the filters would hide it, loosen them."""
        if item.year != self.year():
            self.set_year(item.year)
        self._selected_id = item.id
        self.reload(Changes.COMMITMENTS)
        if not self._shown(item.id):
            self._reveal(item)
            self._apply_filters()
            self.select_commitment(item.id)
        self.changed.emit(Changes.COMMITMENTS)

    def _shown(self, commitment_id: int) -> bool:
        return any(row.item.id == commitment_id for row in shown_rows(self.proxy))

    def _reveal(self, item: Commitment) -> None:
        """A new or changed item the filters would hide: loosen them, so the clerk sees it."""
        ui = self.ui
        for combo in (ui.district_combo, ui.category_combo, ui.status_combo):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        ui.search_edit.blockSignals(True)
        ui.search_edit.clear()
        ui.search_edit.blockSignals(False)
        if ui.unit_combo.currentData() not in (None, item.unit_id):
            ui.unit_combo.blockSignals(True)
            ui.unit_combo.setCurrentIndex(0)
            ui.unit_combo.blockSignals(False)

    # ----- dialogs ---------------------------------------------------------------------------
    # Each opens its dialog without blocking (open(), not exec()) and returns it, so the caller,
    # a test included, can fill it in and press its OK button.

    def _open(self, dialog: QDialog, on_saved=None) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if isinstance(dialog, ServiceDialog):
            dialog.saved.connect(on_saved or self._saved)
        dialog.open()
        return dialog

    def open_add_dialog(self) -> CommitmentDialog | None:
        if not self._units:
            return None
        unit_id = self.ui.unit_combo.currentData()
        if unit_id is None and self.selected() is not None:
            unit_id = self.selected().unit_id
        return self._open(
            CommitmentDialog(self._core, None, year=self.year(), unit_id=unit_id, parent=self), self._added
        )

    def open_edit_dialog(self) -> CommitmentDialog | None:
        item = self.selected()
        if item is None:
            return None
        return self._open(CommitmentDialog(self._core, item, parent=self))

    def open_progress_dialog(self) -> ProgressDialog | None:
        item = self.selected()
        if item is None or item.status is CommitmentStatus.CANCELLED:
            return None
        return self._open(
            ProgressDialog(self._core, item, self, today=self.today()), lambda _entry: self._after_change(item.id)
        )

    def open_adjust_dialog(self) -> AdjustDialog | None:
        item = self.selected()
        if item is None or not item.status.open:
            return None
        return self._open(AdjustDialog(self._core, item, self, today=self.today()))

    def open_cancel_dialog(self) -> CancelDialog | None:
        item = self.selected()
        if item is None or not item.status.open:
            return None
        return self._open(CancelDialog(self._core, item, self, today=self.today()))

    def open_complete_dialog(self) -> CompleteDialog | None:
        item = self.selected()
        if item is None or not item.status.open:
            return None
        return self._open(CompleteDialog(self._core, item, self, today=self.today()))

    def open_delete_dialog(self) -> DeleteDialog | None:
        item = self.selected()
        if item is None:
            return None
        return self._open(DeleteDialog(self._core, item, self), lambda _none: self._after_change())

    def open_categories_dialog(self) -> CategoriesDialog:
        return self._open(CategoriesDialog(self._core, self), lambda _names: self._after_change())

    def open_attach_dialog(self) -> AttachDialog | None:
        item = self.selected()
        if item is None:
            return None
        paths = choose_open_files(
            self,
            "evidence",
            "选择要附加的文件（可多选）",
            "照片和文件 (*.jpg *.jpeg *.png *.bmp *.gif *.tif *.tiff *.heic *.pdf *.doc *.docx "
            "*.xls *.xlsx *.wps *.et *.txt *.zip *.rar);;所有文件 (*)",
        )
        if not paths:
            return None
        entry = self.selected_entry() or (self._entries[-1] if self._entries else None)
        dialog = AttachDialog(
            self._core, item, list(paths), self._entries, entry.period if entry is not None else None, self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._after_change(item.id))
        dialog.open()
        return dialog

    def open_import_dialog(self) -> CommitmentImportDialog | None:
        path = choose_open_file(self, "commitments", "选择承诺事项表", XLSX_FILTER)
        if not path:
            return None
        dialog = CommitmentImportDialog(self._core, path, self._import_years(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._imported(dialog.import_count))
        dialog.open()
        return dialog

    def _import_years(self) -> list[int]:
        """The years the import window offers: those with items, and the years around today."""
        this_year = self.today().year
        return sorted(set(self._core.commitments.years()) | set(range(this_year - 3, this_year + 2)), reverse=True)

    def _imported(self, count: int | None) -> None:
        self._show_notice(f"已导入 {count or 0} 项承诺事项")
        self._after_change()

    def open_export_dialog(self) -> ExportDialog | None:
        years = self._core.commitments.years()
        if not years:
            show_error(self, LsbError("还没有承诺事项，没有可导出的内容。请先新增或导入承诺事项。"))
            return None
        year = self.year() if self.year() in years else years[0]
        dialog = ExportDialog(self._core, years, year, last_folder("export"), self, today=self.today())
        return self._open(dialog, self._exported)

    def _exported(self, path: Path) -> None:
        remember_folder("export", str(path))
        self._last_export = Path(path)
        warning = "" if self._core.settings.township().township_name else "（乡镇名称未设置，表头写的是「XX镇」）"
        self._show_notice(f"已导出：{path}{warning}", with_file=True)

    def open_carry_over_dialog(self) -> CarryOverDialog:
        year = self.year()
        return self._open(CarryOverDialog(self._core, year, self), lambda carried: self._carried(year, carried))

    def _carried(self, year: int, result) -> None:
        text = f"已把 {len(result.carried)} 项未完成事项从 {year} 年结转到 {year + 1} 年"
        if result.left_out:
            text += f"；{len(result.left_out)} 项未结转（原因见结转窗口）"
        self._show_notice(text)
        self._selected_id = None
        self.set_year(year + 1)
        self._after_change()

    def _show_notice(self, text: str, with_file: bool = False) -> None:
        self.ui.notice_label.setText(text)
        self.ui.open_export_button.setVisible(with_file)
        self.ui.folder_export_button.setVisible(with_file)
        self.ui.notice_row.show()

    def _double_clicked(self, index: QModelIndex) -> None:
        row = self.model.row_at(self.proxy.mapToSource(index))
        if row is not None and self.select_commitment(row.item.id):
            self.open_edit_dialog()

    # ----- actions -----------------------------------------------------------------------------

    def reopen_selected(self) -> bool:
        item = self.selected()
        if item is None or item.status is not CommitmentStatus.DONE:
            return False
        if not ask_confirm(
            self, "重新打开", f"把“{item.unit_name}”第 {item.number} 项改回未完成吗？\n完成日期将清除，完成率随之变化。"
        ):
            return False
        try:
            self._core.commitments.set_status(item.id, CommitmentStatus.IN_PROGRESS)
        except LsbError as exc:
            show_error(self, exc)
            return False
        self._after_change(item.id)
        return True

    def open_selected_evidence(self) -> Path | None:
        """Open the chosen file with the system's program, after checking its checksum."""
        file = self.selected_evidence()
        if file is None:
            return None
        try:
            path = self._core.commitments.evidence_path(file.id)
        except LsbError as exc:
            show_error(self, exc)
            return None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            opened = open_file(path, self)  # says so itself when no program opens this kind of file
        finally:
            QApplication.restoreOverrideCursor()
        if not opened:
            return None
        return path
