"""The 村（社区） tab: the township's register with filters, a detail panel and its dialogs."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from lsb_desktop.changes import Changed, Changes
from lsb_desktop.domain.period import Period
from lsb_desktop.domain.register import (
    Unit,
    UnitKind,
    UnitStatus,
    UnitVersion,
    format_start,
    is_since_always,
)
from lsb_desktop.domain.scoring import Flag
from lsb_desktop.domain.text import clean
from lsb_desktop.errors import LsbError
from ui.villages.dialogs import (
    INACTIVE_COLOUR,
    ArchiveDialog,
    DistrictsDialog,
    MergeDialog,
    SecretaryDialog,
    UnitDialog,
)
from ui.widgets.dialogs import ServiceDialog
from ui.widgets.messages import show_error
from ui.widgets.table_model import ALIGN_CENTER, Column, FilterProxy, RowTableModel, read_only_table

if TYPE_CHECKING:
    from lsb_desktop.core import Core

SEARCH_PLACEHOLDER = "搜索名称、书记、管区"
NO_DISTRICT_FILTER = "未分管区"
NO_SELECTION_TEXT = "在上方列表中选择一个村（社区），这里显示它的书记任职和变更历史"
_STATUS_ORDER = {UnitStatus.ACTIVE: 0, UnitStatus.ARCHIVED: 1, UnitStatus.MERGED: 2}
# What this tab shows; any other change is none of its business.
_RELEVANT = Changes.UNITS | Changes.DISTRICTS


def status_text(unit: Unit) -> str:
    if unit.status is UnitStatus.MERGED and unit.merged_into_name:
        return f"{unit.status.label}（并入{unit.merged_into_name}）"
    return unit.status.label


def search_key(text: object) -> str:
    """Typed and stored text compared alike: NFKC (（社区） = (社区)), no spaces, any case."""
    return clean(text).replace(" ", "").casefold()


def _date_key(day: date | None) -> str:
    # "Since always" (REGISTER_START) sorts before every real date, as it should.
    return day.isoformat() if day else ""


def _start_tooltip(version: UnitVersion) -> str:
    if is_since_always(version.valid_from):
        return "建档时没有指定在册起始日期：视为一直在册，可以录入以前任何季度的评比"
    return ""


# ----- models -------------------------------------------------------------------------------


class UnitTableModel(RowTableModel):
    columns = (
        Column("序号", lambda u: u.display_order, alignment=ALIGN_CENTER),
        Column("村（社区）名称", lambda u: u.name, tooltip=lambda u: u.organisation_title),
        Column("类型", lambda u: u.kind.label, alignment=ALIGN_CENTER),
        Column("管区", lambda u: u.district_name),
        Column("党组织类型", lambda u: u.org_type.label, alignment=ALIGN_CENTER),
        Column("党组织书记", lambda u: u.secretary),
        Column(
            "任职时间",
            lambda u: format_start(u.secretary_since),
            sort_key=lambda u: _date_key(u.secretary_since),
            alignment=ALIGN_CENTER,
        ),
        Column("状态", status_text, sort_key=lambda u: _STATUS_ORDER[u.status], alignment=ALIGN_CENTER),
        Column("备注", lambda u: u.note, tooltip=lambda u: u.note),
    )
    ORDER_COLUMN = 0
    STATUS_COLUMN = 7

    def row_foreground(self, row: Unit) -> QColor | None:
        return None if row.is_active else INACTIVE_COLOUR


class TermTableModel(RowTableModel):
    columns = (
        Column("党组织书记", lambda t: t.person),
        Column("起", lambda t: format_start(t.start), sort_key=lambda t: _date_key(t.start), alignment=ALIGN_CENTER),
        Column(
            "止",
            lambda t: t.end or "至今",
            sort_key=lambda t: t.end.isoformat() if t.end else "9999",
            alignment=ALIGN_CENTER,
        ),
        Column("备注", lambda t: t.note, tooltip=lambda t: t.note),
    )


class HistoryTableModel(RowTableModel):
    columns = (
        Column(
            "生效日期",
            lambda v: format_start(v.valid_from),
            sort_key=lambda v: _date_key(v.valid_from),
            alignment=ALIGN_CENTER,
            tooltip=_start_tooltip,
        ),
        Column("变更内容", lambda v: "；".join(v.changes), tooltip=lambda v: "\n".join(v.changes)),
        Column("原因", lambda v: v.reason, tooltip=lambda v: v.reason),
    )


@dataclass(frozen=True, slots=True)
class FlagRow:
    """A unit's place and flag in one finalised round, and the reason if it was 一票否决."""

    period: Period
    round_id: int
    flag: Flag | None
    rank: int | None
    veto_reason: str = ""


def _flag_text(row: FlagRow) -> str:
    text = row.flag.label if row.flag else ""
    if row.veto_reason:
        text = f"{text}（一票否决）" if text else "一票否决"
    return text


class FlagTableModel(RowTableModel):
    """A unit's place and flag in each finalised round, newest first; 一票否决 said beside it."""

    columns = (
        Column(
            "季度",
            lambda r: r.period.short_label,
            sort_key=lambda r: r.period.year * 10 + r.period.quarter,
            alignment=ALIGN_CENTER,
            tooltip=lambda r: r.period.label,
        ),
        Column("排名", lambda r: r.rank if r.rank is not None else "", alignment=ALIGN_CENTER),
        Column(
            "红/黑旗",
            _flag_text,
            alignment=ALIGN_CENTER,
            foreground=lambda r: _FLAG_COLOURS.get(r.flag.label) if r.flag else None,
            tooltip=lambda r: f"一票否决：{r.veto_reason}" if r.veto_reason else "",
        ),
    )


_FLAG_COLOURS = {"红旗": QColor(183, 28, 28), "黑旗": QColor(33, 33, 33)}


class DistrictFilter(enum.Enum):
    """The 管区 combo's two entries that are not a 管区 id."""

    ALL = "all"
    NONE = "none"


class UnitFilterProxy(FilterProxy):
    """Sorts on SORT_ROLE and keeps the rows that match the search text and the three combos."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._search = ""
        self._district: DistrictFilter | int = DistrictFilter.ALL
        self._kind: UnitKind | None = None
        self._status: UnitStatus | None = UnitStatus.ACTIVE

    def set_search(self, text: str) -> None:
        self._change(lambda: setattr(self, "_search", search_key(text)))

    def set_district(self, district: DistrictFilter | int) -> None:
        self._change(lambda: setattr(self, "_district", district))

    def set_kind(self, kind: UnitKind | None) -> None:
        self._change(lambda: setattr(self, "_kind", kind))

    def set_status(self, status: UnitStatus | None) -> None:
        self._change(lambda: setattr(self, "_status", status))

    def accepts(self, unit: Unit) -> bool:
        if self._status is not None and unit.status is not self._status:
            return False
        if self._kind is not None and unit.kind is not self._kind:
            return False
        if self._district is DistrictFilter.NONE and unit.district_id is not None:
            return False
        if isinstance(self._district, int) and unit.district_id != self._district:
            return False
        if self._search:
            haystack = (unit.name, unit.secretary, unit.district_name)
            return any(self._search in search_key(text) for text in haystack)
        return True

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        model = self.sourceModel()
        unit = model.row_at(model.index(source_row, 0, source_parent))
        return unit is not None and self.accepts(unit)


# ----- layout ---------------------------------------------------------------------------------


class _VillagesTabUi:
    """The layout of VillagesTab; behaviour lives in the tab."""

    def setup(self, tab: QWidget) -> None:
        self.add_button = QPushButton("新增")
        self.edit_button = QPushButton("编辑")
        self.secretary_button = QPushButton("更换书记")
        self.archive_button = QPushButton("归档")
        self.restore_button = QPushButton("恢复")
        self.merge_button = QPushButton("合并")
        self.up_button = QPushButton("上移")
        self.down_button = QPushButton("下移")
        self.districts_button = QPushButton("管区管理")
        self.add_button.setToolTip("登记一个新的村（社区）")
        self.edit_button.setToolTip("修改名称、类型、党组织类型、管区或备注（双击行也可以）")
        self.archive_button.setToolTip("从在册名单中移出，历史记录保留")
        self.restore_button.setToolTip("把已归档的村（社区）恢复到在册名单")
        self.merge_button.setToolTip("把选中的村（社区）并入另一个在册村（社区）")
        self.up_button.setToolTip("在名册中的顺序前移一位")
        self.down_button.setToolTip("在名册中的顺序后移一位")
        buttons = QHBoxLayout()
        for button in (
            self.add_button,
            self.edit_button,
            self.secretary_button,
            self.archive_button,
            self.restore_button,
            self.merge_button,
            self.up_button,
            self.down_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.districts_button)

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search_edit.setClearButtonEnabled(True)
        self.district_combo = QComboBox()
        self.district_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.kind_combo = QComboBox()
        self.status_combo = QComboBox()
        self.count_label = QLabel()
        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 2)
        filters.addWidget(self.district_combo)
        filters.addWidget(self.kind_combo)
        filters.addWidget(self.status_combo)
        filters.addStretch(1)
        filters.addWidget(self.count_label)

        self.table = read_only_table()
        self.table.setSortingEnabled(True)

        self.title_label = QLabel()
        self.title_label.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.title_label.setWordWrap(True)
        self.terms_table = read_only_table()
        self.history_table = read_only_table()
        self.history_table.setWordWrap(True)
        terms_box = QVBoxLayout()
        terms_box.addWidget(QLabel("书记任职记录"))
        terms_box.addWidget(self.terms_table)
        history_box = QVBoxLayout()
        history_box.addWidget(QLabel("变更历史"))
        history_box.addWidget(self.history_table)
        self.flags_table = read_only_table()
        self.flag_warning = QLabel()
        self.flag_warning.setStyleSheet("color: #b71c1c; font-weight: bold;")
        self.flag_warning.setWordWrap(True)
        flags_box = QVBoxLayout()
        flags_box.addWidget(QLabel("历次评比（已定稿）"))
        flags_box.addWidget(self.flag_warning)
        flags_box.addWidget(self.flags_table)
        detail_tables = QHBoxLayout()
        detail_tables.addLayout(terms_box, 2)
        detail_tables.addLayout(history_box, 3)
        detail_tables.addLayout(flags_box, 2)
        self.detail_panel = QWidget()
        detail_layout = QVBoxLayout(self.detail_panel)
        detail_layout.setContentsMargins(0, 4, 0, 0)
        detail_layout.addWidget(self.title_label)
        detail_layout.addLayout(detail_tables)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail_panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([560, 220])

        layout = QVBoxLayout(tab)
        layout.addLayout(buttons)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)


# ----- the tab ------------------------------------------------------------------------------


class VillagesTab(QWidget):
    """The register. Reads and writes only through `core.villages`; tells the main window what
    it changed through `changed` and reloads when told through `reload`."""

    changed = Signal(object)  # a Changes flag, after every successful change made here
    TITLE = "村（社区）"

    def __init__(self, core: Core, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core = core
        self.ui = _VillagesTabUi()
        self.ui.setup(self)
        self.model = UnitTableModel(self)
        self.proxy = UnitFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.ui.table.setModel(self.proxy)
        self.ui.table.sortByColumn(UnitTableModel.ORDER_COLUMN, Qt.SortOrder.AscendingOrder)
        # 已合并（并入…） is long and shows only under some filters: let that column follow it.
        self.ui.table.horizontalHeader().setSectionResizeMode(
            UnitTableModel.STATUS_COLUMN, QHeaderView.ResizeMode.ResizeToContents
        )
        self.terms_model = TermTableModel(self)
        self.history_model = HistoryTableModel(self)
        self.ui.terms_table.setModel(self.terms_model)
        self.ui.history_table.setModel(self.history_model)
        self.flags_model = FlagTableModel(self)
        self.ui.flags_table.setModel(self.flags_model)
        self._selected_id: int | None = None
        self._sized = False
        self._fill_fixed_filters()
        self._connect()
        self.reload()
        if self._selected_id is None and self.proxy.rowCount() > 0:
            # Open on the first unit, so the history panel shows something from the start.
            self.ui.table.selectRow(0)

    # ----- wiring ----------------------------------------------------------------------------

    def _fill_fixed_filters(self) -> None:
        self.ui.kind_combo.addItem("全部类型", None)
        for kind in UnitKind:
            self.ui.kind_combo.addItem(kind.label, kind)
        for status in (UnitStatus.ACTIVE, UnitStatus.ARCHIVED, UnitStatus.MERGED):
            self.ui.status_combo.addItem(status.label, status)
        self.ui.status_combo.addItem("全部状态", None)
        self.ui.status_combo.setCurrentIndex(0)

    def _connect(self) -> None:
        ui = self.ui
        ui.add_button.clicked.connect(self.open_add_dialog)
        ui.edit_button.clicked.connect(self.open_edit_dialog)
        ui.secretary_button.clicked.connect(self.open_secretary_dialog)
        ui.archive_button.clicked.connect(self.open_archive_dialog)
        ui.restore_button.clicked.connect(self.open_restore_dialog)
        ui.merge_button.clicked.connect(self.open_merge_dialog)
        ui.up_button.clicked.connect(lambda: self.move_selected(-1))
        ui.down_button.clicked.connect(lambda: self.move_selected(1))
        ui.districts_button.clicked.connect(self.open_districts_dialog)
        ui.search_edit.textChanged.connect(self._filters_changed)
        ui.district_combo.currentIndexChanged.connect(self._filters_changed)
        ui.kind_combo.currentIndexChanged.connect(self._filters_changed)
        ui.status_combo.currentIndexChanged.connect(self._filters_changed)
        ui.table.selectionModel().selectionChanged.connect(self._selection_changed)
        ui.table.doubleClicked.connect(self._double_clicked)

    # ----- reading ---------------------------------------------------------------------------

    def reload(self, changes: Changes = Changes.ALL) -> None:
        """Reload from the core if `changes` touch what this tab shows (units or 管区)."""
        if changes & Changes.RESULTS and not changes & _RELEVANT:
            self._show_flags(self.selected_unit())  # a round was finalised or corrected: 历次评比
            return
        if not changes & _RELEVANT:
            return
        self._fill_district_filter()
        keep = self._selected_id
        self.model.set_rows(self._core.villages.list_units())
        if not self._sized and self.model.rowCount() > 0:
            # Once, so later reloads do not undo widths the clerk dragged.
            self.ui.table.resizeColumnsToContents()
            self._sized = True
        self.select_unit(keep)
        self._update_count()

    def _fill_district_filter(self) -> None:
        combo = self.ui.district_combo
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("全部管区", DistrictFilter.ALL)
        for district in self._core.villages.list_districts(include_archived=True):
            label = f"{district.name}（已停用）" if district.archived else district.name
            combo.addItem(label, district.id)
        combo.addItem(NO_DISTRICT_FILTER, DistrictFilter.NONE)
        index = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)
        if combo.currentData() != current:
            # The chosen 管区 was deleted: the filter falls back to all 管区.
            self.proxy.set_district(combo.currentData())

    def _filters_changed(self) -> None:
        ui = self.ui
        self.proxy.set_search(ui.search_edit.text())
        self.proxy.set_district(ui.district_combo.currentData())
        self.proxy.set_kind(ui.kind_combo.currentData())
        self.proxy.set_status(ui.status_combo.currentData())
        self.select_unit(self._selected_id)
        self._update_count()

    def _update_count(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        self.ui.count_label.setText(f"共 {total} 个村（社区），显示 {shown} 个")

    # ----- selection -------------------------------------------------------------------------

    def selected_unit(self) -> Unit | None:
        rows = self.ui.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row_at(self.proxy.mapToSource(rows[0]))

    def select_unit(self, unit_id: int | None) -> bool:
        """Select the unit if it is shown; True when it is."""
        row = self.model.find_row(lambda u: u.id == unit_id) if unit_id is not None else None
        index = self.proxy.mapFromSource(self.model.index(row, 0)) if row is not None else QModelIndex()
        if index.isValid():
            self.ui.table.selectionModel().select(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            )
            self.ui.table.scrollTo(index)
        else:
            self.ui.table.clearSelection()
        # Forget a unit the filters hide, so the detail panel never shows a row that is not there.
        self._selected_id = unit_id if index.isValid() else None
        self._show_selection()
        return index.isValid()

    def _selection_changed(self) -> None:
        unit = self.selected_unit()
        self._selected_id = unit.id if unit else None
        self._show_selection()

    def _show_selection(self) -> None:
        unit = self.selected_unit()
        self._update_buttons(unit)
        self._show_detail(unit)

    def _update_buttons(self, unit: Unit | None) -> None:
        ui = self.ui
        active = unit is not None and unit.is_active
        others_active = sum(1 for u in self.model.rows if u.is_active and (unit is None or u.id != unit.id))
        ui.edit_button.setEnabled(active)
        ui.secretary_button.setEnabled(active)
        ui.archive_button.setEnabled(active)
        ui.restore_button.setEnabled(unit is not None and unit.status is UnitStatus.ARCHIVED)
        ui.merge_button.setEnabled(active and others_active > 0)
        ui.up_button.setEnabled(unit is not None and self._neighbour_offset(unit, -1) != 0)
        ui.down_button.setEnabled(unit is not None and self._neighbour_offset(unit, 1) != 0)

    def _show_detail(self, unit: Unit | None) -> None:
        self._show_flags(unit)
        if unit is None:
            self.ui.title_label.setText(NO_SELECTION_TEXT)
            self.terms_model.set_rows([])
            self.history_model.set_rows([])
            return
        try:
            detail = self._core.villages.get_unit(unit.id)
        except LsbError as exc:
            # Changed elsewhere since the list was read: say so and show nothing stale.
            self.ui.title_label.setText(exc.message)
            self.terms_model.set_rows([])
            self.history_model.set_rows([])
            return
        current = detail.unit
        title = current.organisation_title
        if not current.is_active:
            title += f"（{status_text(current)}）"
        self.ui.title_label.setText(title)
        # Newest first: the clerk looks up who holds office now, and what changed last.
        self.terms_model.set_rows(reversed(detail.terms))
        self.history_model.set_rows(reversed(detail.history))
        self.ui.terms_table.resizeColumnsToContents()
        self.ui.history_table.resizeColumnsToContents()

    def _show_flags(self, unit: Unit | None) -> None:
        histories = self._core.rounds.flag_history([unit.id]) if unit is not None else []
        records = histories[0].records if histories else ()
        vetoes = self._core.trends.vetoes(unit.id) if records else {}
        self.flags_model.set_rows(
            reversed([FlagRow(r.period, r.round_id, r.flag, r.rank, vetoes.get(r.round_id, "")) for r in records])
        )
        self.ui.flag_warning.setText(histories[0].warning if histories else "")
        self.ui.flag_warning.setVisible(bool(histories and histories[0].warning))
        self.ui.flags_table.resizeColumnsToContents()

    # ----- dialogs ---------------------------------------------------------------------------
    # Each opens its dialog without blocking (open(), not exec()) and returns it, so the caller,
    # a test included, can fill it in and press its OK button.

    def _open(self, dialog: QDialog) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if isinstance(dialog, ServiceDialog):
            dialog.saved.connect(self._unit_saved)
        dialog.open()
        return dialog

    def open_add_dialog(self) -> UnitDialog:
        return self._open(UnitDialog(self._core, None, self))

    def open_edit_dialog(self) -> UnitDialog | None:
        unit = self.selected_unit()
        if unit is None or not unit.is_active:
            return None
        return self._open(UnitDialog(self._core, unit, self))

    def open_secretary_dialog(self) -> SecretaryDialog | None:
        unit = self.selected_unit()
        if unit is None or not unit.is_active:
            return None
        return self._open(SecretaryDialog(self._core, unit, self))

    def open_archive_dialog(self) -> ArchiveDialog | None:
        unit = self.selected_unit()
        if unit is None or not unit.is_active:
            return None
        return self._open(ArchiveDialog(self._core, unit, restoring=False, parent=self))

    def open_restore_dialog(self) -> ArchiveDialog | None:
        unit = self.selected_unit()
        if unit is None or unit.status is not UnitStatus.ARCHIVED:
            return None
        return self._open(ArchiveDialog(self._core, unit, restoring=True, parent=self))

    def open_merge_dialog(self) -> MergeDialog | None:
        unit = self.selected_unit()
        if unit is None or not unit.is_active:
            return None
        return self._open(MergeDialog(self._core, unit, self))

    def open_districts_dialog(self) -> DistrictsDialog:
        dialog = DistrictsDialog(self._core, self)
        dialog.changed.connect(self._districts_changed)
        return self._open(dialog)

    def _double_clicked(self, index: QModelIndex) -> None:
        unit = self.model.row_at(self.proxy.mapToSource(index))
        if unit is not None and self.select_unit(unit.id):
            self.open_edit_dialog()

    # ----- after a change --------------------------------------------------------------------

    def _unit_saved(self, changed: Changed[Unit]) -> None:
        # Follow the unit just saved (a new one included) if the filters show it.
        self._selected_id = changed.value.id
        self._after_change(changed.changes)

    def _districts_changed(self, changes: Changes) -> None:
        self._after_change(changes)

    def _after_change(self, changes: Changes) -> None:
        self.reload(changes)
        self.changed.emit(changes)

    def _neighbour_offset(self, unit: Unit, direction: int) -> int:
        """How far to move in the register to pass the next unit the table shows.

        The register's order includes units the filters hide (archived ones, other 管区); one
        click must visibly move the row, so it jumps over those.
        """
        ordered = sorted(self.model.rows, key=lambda u: (u.display_order, u.id))
        shown = {u.id for u in ordered if self.proxy.accepts(u)}
        position = next((i for i, u in enumerate(ordered) if u.id == unit.id), None)
        if position is None:
            return 0
        step = position + direction
        while 0 <= step < len(ordered):
            if ordered[step].id in shown:
                return step - position
            step += direction
        return 0

    def move_selected(self, direction: int) -> bool:
        unit = self.selected_unit()
        if unit is None:
            return False
        offset = self._neighbour_offset(unit, direction)
        if offset == 0:
            return False
        try:
            changed = self._core.villages.move_unit(unit.id, offset)
        except LsbError as exc:
            show_error(self, exc)
            return False
        # The move shows only in 序号 order; sorted by another column it would seem to do nothing.
        header = self.ui.table.horizontalHeader()
        if header.sortIndicatorSection() != UnitTableModel.ORDER_COLUMN:
            self.ui.table.sortByColumn(UnitTableModel.ORDER_COLUMN, Qt.SortOrder.AscendingOrder)
        self._after_change(changed.changes)
        return True
