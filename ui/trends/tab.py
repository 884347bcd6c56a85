"""The 趋势图表 tab: units to compare on the left, the four trend charts on the right, export
and copy of the chart shown. Charts (and pyqtgraph) are built when the tab is first shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from lsb_desktop.changes import Changes
from lsb_desktop.domain.text import clean
from lsb_desktop.domain.trends import TrendData, UnitBreakdown
from lsb_desktop.errors import LsbError
from ui.widgets.chart_panel import ChartExport, build_chart_panel
from ui.widgets.messages import show_error
from ui.widgets.worker import run_in_background

if TYPE_CHECKING:
    from lsb_desktop.core import Core

TITLE = "趋势图表"
PAGE_SCORE, PAGE_RANK, PAGE_BREAKDOWN, PAGE_FLAGS = range(4)
PAGE_TITLES = ("综合得分趋势", "排名变化", "得分构成", "红黑旗记录")
MAX_CHOSEN = 8  # the palette has eight styles; more lines than that cannot be told apart
LOADING_TEXT = "正在读取已定稿的评比结果…"
NO_DATA_TEXT = "还没有已定稿的评比。\n评比定稿后，这里按季度显示各村（社区）的得分、排名和红黑旗的变化。"
SEARCH_PLACEHOLDER = "搜索村（社区）"
UNIT_ROLE = Qt.ItemDataRole.UserRole


def search_key(text: object) -> str:
    return clean(text).replace(" ", "").casefold()


class _TrendsTabUi:
    """The layout of TrendsTab (the charts themselves are added when first shown)."""

    def setup(self, tab: QWidget) -> None:
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search_edit.setClearButtonEnabled(True)
        self.unit_list = QListWidget()
        self.unit_list.setToolTip("勾选要在图中比较的村（社区）（最多 8 个）；“得分构成”显示当前选中的一个")
        self.clear_button = QPushButton("全部不选")
        self.chosen_label = QLabel()
        self.chosen_label.setStyleSheet("color: #555;")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("比较的村（社区）"))
        left_layout.addWidget(self.search_edit)
        left_layout.addWidget(self.unit_list, 1)
        row = QHBoxLayout()
        row.addWidget(self.chosen_label, 1)
        row.addWidget(self.clear_button)
        left_layout.addLayout(row)

        self.pages = QTabWidget()
        self.pages.setDocumentMode(True)
        panel = self.chart_panel = build_chart_panel(self.pages, LOADING_TEXT)
        self.message_label, self.stack, self.status_label = panel.message, panel.stack, panel.status
        self.export_button, self.export_menu, self.copy_button = (
            panel.export_button,
            panel.export_menu,
            panel.copy_button,
        )
        self.size_actions, self.custom_size_action = panel.size_actions, panel.custom_size_action
        right = panel.widget

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([220, 1000])
        layout = QVBoxLayout(tab)
        layout.addWidget(self.splitter)


class TrendsTab(QWidget):
    """Read-only charts over the finalised rounds. Data is read off the UI thread; `loaded`
    is emitted when the charts show fresh data (tests wait for it)."""

    TITLE = TITLE
    loaded = Signal()

    def __init__(self, core: Core, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core = core
        self.ui = _TrendsTabUi()
        self.ui.setup(self)
        self.trend: TrendData | None = None
        self.breakdown: UnitBreakdown | None = None
        self.charts: list = []  # filled in when first shown
        self.chosen: list[int] = []  # unit ids in the order they were ticked (it sets the colours)
        self._chose_default = False
        self._stale = True
        self._generation = 0
        self._breakdown_generation = 0
        self._loading = False
        self._emit_after_breakdown = False  # `loaded` waits for the breakdown of a fresh read
        self.chart_export = ChartExport(self, self.ui.chart_panel, self._exportable_chart)
        self._connect()
        self.chart_export.update_buttons()

    # ----- wiring ----------------------------------------------------------------------------

    def _connect(self) -> None:
        ui = self.ui
        ui.search_edit.textChanged.connect(self._filter_units)
        ui.unit_list.itemChanged.connect(self._item_changed)
        ui.unit_list.currentItemChanged.connect(lambda *_: self._load_breakdown())
        ui.clear_button.clicked.connect(self.clear_choice)
        ui.pages.currentChanged.connect(lambda _: self.chart_export.update_buttons())

    @property
    def built(self) -> bool:
        return bool(self.charts)

    @property
    def loading(self) -> bool:
        return self._loading

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self.built:
            self._build_charts()
        if self._stale:
            self.load()

    def _build_charts(self) -> None:
        # pyqtgraph is imported here, the first time the tab is shown, never at start-up.
        from ui.widgets.charts import BreakdownChart, FlagGrid, RankBumpChart, ScoreTrendChart

        self.score_chart = ScoreTrendChart()
        self.rank_chart = RankBumpChart()
        self.breakdown_chart = BreakdownChart()
        self.flag_grid = FlagGrid()
        self.charts = [self.score_chart, self.rank_chart, self.breakdown_chart, self.flag_grid]
        for chart, title in zip(self.charts, PAGE_TITLES):
            self.ui.pages.addTab(chart, title)

    def reload(self, changes: Changes = Changes.ALL) -> None:
        """Trends show finalised rounds' kept results: they change only with RESULTS (finalising,
        a correction, or a restored backup), never with a draft round's scores; read again when shown."""
        if not changes & Changes.RESULTS:
            return
        self._stale = True
        if self.isVisible():
            self.load()

    # ----- loading (off the UI thread) --------------------------------------------------------

    def load(self) -> None:
        self._stale = False
        self._loading = True
        self._generation += 1
        if self.trend is None:
            self.ui.message_label.setText(LOADING_TEXT)
            self.ui.stack.setCurrentIndex(0)
        self.ui.status_label.setText(LOADING_TEXT)
        service = self._core.trends
        generation = self._generation
        run_in_background(
            lambda: (generation, service.overview()), on_done=self._overview_read, on_error=self._read_failed
        )

    def _overview_read(self, answer) -> None:
        generation, trend = answer
        if generation != self._generation:
            return  # a newer read is under way
        self._loading = False
        self.trend = trend
        self.ui.status_label.setText(self._summary())
        if trend.is_empty:
            self.ui.message_label.setText(NO_DATA_TEXT)
            self.ui.stack.setCurrentIndex(0)
        else:
            self.ui.stack.setCurrentIndex(1)
        self._fill_units()
        self._draw()
        self.chart_export.update_buttons()
        self._load_breakdown(emit_loaded=True)

    def _read_failed(self, exc: BaseException) -> None:
        self._loading = False
        self.ui.status_label.setText("读取失败")
        if isinstance(exc, LsbError):
            show_error(self, exc)
            return
        raise exc  # our bug: the crash dialog reports it

    def _load_breakdown(self, emit_loaded: bool = False) -> None:
        unit_id = self.current_unit_id()
        self._breakdown_generation += 1
        if unit_id is None or self.trend is None or self.trend.is_empty:
            self.breakdown = None
            if self.built:
                self.breakdown_chart.set_data(None)
            if emit_loaded:
                self.loaded.emit()
            return
        service = self._core.trends
        generation = self._breakdown_generation
        self._emit_after_breakdown = emit_loaded or self._emit_after_breakdown
        run_in_background(
            lambda: (generation, service.breakdown(unit_id)), on_done=self._breakdown_read, on_error=self._read_failed
        )

    def _breakdown_read(self, answer) -> None:
        generation, breakdown = answer
        if generation != self._breakdown_generation:
            return
        self.breakdown = breakdown
        if self.built:
            self.breakdown_chart.set_data(breakdown)
        if self._emit_after_breakdown:
            self._emit_after_breakdown = False
            self.loaded.emit()

    def _summary(self) -> str:
        trend = self.trend
        if trend is None or trend.is_empty:
            return ""
        first, last = trend.periods[0], trend.periods[-1]
        return f"已定稿 {len(trend.periods)} 个季度（{first.label}—{last.label}），{len(trend.units)} 个村（社区）"

    # ----- the unit list ---------------------------------------------------------------------

    def _fill_units(self) -> None:
        trend = self.trend
        unit_list = self.ui.unit_list
        known = {u.unit_id for u in trend.units}
        self.chosen = [u for u in self.chosen if u in known]
        if not self._chose_default and trend.units:
            # Open with one unit drawn, so the charts are never empty at first sight.
            self.chosen = [trend.units[0].unit_id]
            self._chose_default = True
        current = self.current_unit_id()
        unit_list.blockSignals(True)
        unit_list.clear()
        latest = len(trend.periods) - 1
        for series in trend.units:
            item = QListWidgetItem(series.name)
            item.setData(UNIT_ROLE, series.unit_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if series.unit_id in self.chosen else Qt.CheckState.Unchecked)
            last = max((i for i, p in enumerate(series.points) if p is not None), default=None)
            tip = f"{series.name}（{series.district}）" if series.district else series.name
            if last is not None and last < latest:
                tip += f"\n最后一次参评：{trend.periods[last].label}"
            item.setToolTip(tip)
            unit_list.addItem(item)
        unit_list.blockSignals(False)
        self._filter_units(self.ui.search_edit.text())
        wanted = current if current in known else (self.chosen[0] if self.chosen else None)
        self.set_current_unit(wanted, load=False)
        self._update_chosen_label()

    def _filter_units(self, text: str) -> None:
        key = search_key(text)
        for row in range(self.ui.unit_list.count()):
            item = self.ui.unit_list.item(row)
            item.setHidden(bool(key) and key not in search_key(item.text()))

    def _item(self, unit_id: int) -> QListWidgetItem | None:
        for row in range(self.ui.unit_list.count()):
            item = self.ui.unit_list.item(row)
            if item.data(UNIT_ROLE) == unit_id:
                return item
        return None

    def current_unit_id(self) -> int | None:
        item = self.ui.unit_list.currentItem()
        return item.data(UNIT_ROLE) if item is not None else None

    def set_current_unit(self, unit_id: int | None, load: bool = True) -> None:
        item = self._item(unit_id) if unit_id is not None else None
        self.ui.unit_list.blockSignals(True)
        self.ui.unit_list.setCurrentItem(item)
        self.ui.unit_list.blockSignals(False)
        if load:
            self._load_breakdown()

    def _item_changed(self, item: QListWidgetItem) -> None:
        unit_id = item.data(UNIT_ROLE)
        if item.checkState() == Qt.CheckState.Checked and unit_id not in self.chosen:
            if len(self.chosen) >= MAX_CHOSEN:
                self.ui.unit_list.blockSignals(True)
                item.setCheckState(Qt.CheckState.Unchecked)
                self.ui.unit_list.blockSignals(False)
                self.ui.status_label.setText(f"最多同时比较 {MAX_CHOSEN} 个村（社区），请先取消勾选一个")
                return
            self.chosen.append(unit_id)
            if self.ui.unit_list.currentItem() is not item:
                self.ui.unit_list.setCurrentItem(item)  # the breakdown follows the unit just ticked
        elif item.checkState() != Qt.CheckState.Checked and unit_id in self.chosen:
            self.chosen.remove(unit_id)
        else:
            return
        self._update_chosen_label()
        self._draw()

    def choose(self, unit_ids) -> None:
        """Tick exactly these units (in this order) and draw them."""
        wanted = [u for u in unit_ids][:MAX_CHOSEN]
        self.chosen = list(wanted)
        self.ui.unit_list.blockSignals(True)
        for row in range(self.ui.unit_list.count()):
            item = self.ui.unit_list.item(row)
            item.setCheckState(Qt.CheckState.Checked if item.data(UNIT_ROLE) in wanted else Qt.CheckState.Unchecked)
        self.ui.unit_list.blockSignals(False)
        self._update_chosen_label()
        self._draw()

    def clear_choice(self) -> None:
        self.choose([])

    def _update_chosen_label(self) -> None:
        self.ui.chosen_label.setText(f"已选 {len(self.chosen)} 个" if self.chosen else "未选择")

    # ----- drawing -------------------------------------------------------------------------

    def _draw(self) -> None:
        if not self.built or self.trend is None:
            return
        self.score_chart.set_data(self.trend, self.chosen)
        self.rank_chart.set_data(self.trend, self.chosen)
        self.flag_grid.set_data(self.trend)

    def current_chart(self):
        if not self.built:
            return None
        return self.charts[self.ui.pages.currentIndex()]

    def _exportable_chart(self):
        """The chart shown, when it has data to export or copy."""
        if self.trend is None or self.trend.is_empty:
            return None
        return self.current_chart()
