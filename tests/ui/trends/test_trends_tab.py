"""The trend charts (pyqtgraph) with data made by hand, and the 趋势图表 tab on the demo township:
series and points, gaps, the inverted rank axis, PNG exports of the requested size, the flag
grid's counts and sorting, loading off the UI thread and reloading on changes."""

from __future__ import annotations

import functools
import math
import subprocess
import sys
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QCollator, QLocale, Qt, QThreadPool
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QFileDialog

from lsb_desktop.changes import Changes
from lsb_desktop.config import AppConfig
from lsb_desktop.domain.period import Period
from lsb_desktop.domain.scoring import Flag
from lsb_desktop.domain.trends import (
    BreakdownPoint,
    ResultRow,
    TrendData,
    UnitBreakdown,
    build_trends,
)
from lsb_desktop.services.rounds import RoundDraft
from ui.main_window import MainWindow
from ui.trends.tab import PAGE_BREAKDOWN, PAGE_FLAGS, PAGE_RANK, PAGE_SCORE, TrendsTab
from ui.widgets.chart_panel import ExportSizeDialog
from ui.widgets.charts import (
    GAP_TEXT,
    RED,
    BreakdownChart,
    FlagGrid,
    FlagGridModel,
    RankBumpChart,
    ScoreTrendChart,
)

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[3]
PERIODS = (Period(2023, 1), Period(2023, 2), Period(2023, 3), Period(2023, 4))
# name -> total in each quarter (None: no result that quarter)
TOTALS = {
    "甲村": ("80", "82", "85", "90"),
    "乙村": ("75", None, "78", "70"),  # not visited in 2023Q2
    "丙村": ("70", "72", "74", "76"),
    "丁村": ("85", "88", "60", "80"),
    "戊村": ("72", "79", "81", None),  # left before 2023Q4
}
NOT_VISITED = {("乙村", 1)}
UNIT_IDS = {name: i + 1 for i, name in enumerate(TOTALS)}


def hand_made_trend() -> TrendData:
    """Five units over four quarters; red flag for each quarter's first, black for its last."""
    rows = []
    for index, period in enumerate(PERIODS):
        ranked = sorted(
            (name for name in TOTALS if TOTALS[name][index] is not None), key=lambda n: -Decimal(TOTALS[n][index])
        )
        for rank, name in enumerate(ranked, start=1):
            total = Decimal(TOTALS[name][index])
            flag = Flag.RED if rank == 1 else Flag.BLACK if rank == len(ranked) else None
            rows.append(
                ResultRow(
                    index + 1,
                    period,
                    UNIT_IDS[name],
                    name,
                    "东部管区",
                    list(TOTALS).index(name),
                    rank,
                    total.quantize(Decimal("0.01")),
                    Fraction(total),
                    flag,
                    {"实地观摩": Fraction(total) + 1, "擂台比武": Fraction(total) - Fraction(7, 3)},
                )
            )
    skipped = [(index + 1, UNIT_IDS[name], name, "东部管区", list(TOTALS).index(name)) for name, index in NOT_VISITED]
    return build_trends(rows, skipped)


@pytest.fixture(scope="module")
def trend() -> TrendData:
    return hand_made_trend()


def hand_made_breakdown() -> UnitBreakdown:
    criteria = (("实地观摩", "基层党建"), ("实地观摩", "产业发展"), ("擂台比武", "现场表现"))
    points = (
        BreakdownPoint(
            {"实地观摩": Fraction(80), "擂台比武": Fraction(70)},
            {"基层党建": Fraction(50), "产业发展": Fraction(30), "现场表现": Fraction(70)},
            {"基层党建": 5, "产业发展": 5, "现场表现": 5},
        ),
        None,
        BreakdownPoint(
            {"实地观摩": Fraction(85), "擂台比武": Fraction(151, 2)},
            {"基层党建": Fraction(101, 2), "产业发展": Fraction(35), "现场表现": Fraction(151, 2)},
            {"基层党建": 5, "产业发展": 4, "现场表现": 5},
        ),
        BreakdownPoint(
            {"实地观摩": Fraction(90), "擂台比武": Fraction(80)},
            {"基层党建": Fraction(55), "产业发展": Fraction(35), "现场表现": Fraction(80)},
            {"基层党建": 5, "产业发展": 5, "现场表现": 5},
        ),
    )
    return UnitBreakdown(
        2,
        "乙村",
        PERIODS,
        ("实地观摩", "擂台比武"),
        criteria,
        {"基层党建": Decimal(60), "产业发展": Decimal(40), "现场表现": Decimal(100)},
        points,
    )


def shown(qtbot, widget, size=(1000, 620)):
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def legend_names(chart) -> list[str]:
    return [label.text for _sample, label in chart.legend.items]


def assert_png(path: Path, width: int, height: int) -> QImage:
    image = QImage(str(path))
    assert not image.isNull(), path
    assert (image.width(), image.height()) == (width, height)
    # Something was drawn: not a blank picture.
    colours = {image.pixel(x, y) for x in range(0, width, 37) for y in range(0, height, 23)}
    assert len(colours) > 3
    return image


def same(values, expected) -> bool:
    """Equal, with NaN equal to NaN (a gap in both)."""
    return np.array_equal(np.asarray(values, dtype=float), np.asarray(expected, dtype=float), equal_nan=True)


# ---------------------------------------------------------------------------- the score chart


def test_score_chart_draws_each_chosen_unit_the_mean_and_the_band(qtbot, trend) -> None:
    chart = shown(qtbot, ScoreTrendChart())
    chart.set_data(trend, [UNIT_IDS["甲村"], UNIT_IDS["乙村"]])
    assert list(chart.unit_items) == [UNIT_IDS["甲村"], UNIT_IDS["乙村"]]
    first = chart.unit_items[UNIT_IDS["甲村"]]
    assert same(first.xData, [0, 1, 2, 3])
    assert same(first.yData, [80, 82, 85, 90])
    # The quarter 乙村 was not visited is NaN, drawn as a gap: never interpolated.
    second = chart.unit_items[UNIT_IDS["乙村"]]
    assert same(second.yData, [75, math.nan, 78, 70])
    assert second.opts["connect"] == "finite"
    # The township's mean, lowest and highest per quarter, worked out by hand.
    means = [
        (80 + 75 + 70 + 85 + 72) / 5,
        (82 + 72 + 88 + 79) / 4,
        (85 + 78 + 74 + 60 + 81) / 5,
        (90 + 70 + 76 + 80) / 4,
    ]
    assert same(chart.mean_item.yData, [round(m, 2) for m in means])
    assert same(chart.band_item.curves[0].yData, [70, 72, 60, 70])
    assert same(chart.band_item.curves[1].yData, [85, 88, 85, 90])
    # Quarters as 2023Q1-style ticks.
    ticks = chart.plot_item.getAxis("bottom")._tickLevels[0]
    assert [label for _, label in ticks] == ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]
    assert legend_names(chart) == ["全镇平均分", "全镇最低—最高", "甲村", "乙村", "红旗", "黑旗"]


def test_score_chart_marks_flags_with_shapes_that_differ(qtbot, trend) -> None:
    chart = shown(qtbot, ScoreTrendChart())
    chart.set_data(trend, [UNIT_IDS["甲村"], UNIT_IDS["乙村"]])
    # 甲村 was first (红旗) in 2023Q3 and 2023Q4 ; 乙村 last (黑旗) in 2023Q4.
    red = chart.flag_items[UNIT_IDS["甲村"]]
    spots = [(s.pos().x(), s.pos().y(), s.symbol()) for s in red.points()]
    assert spots == [(2.0, 85.0, "t1"), (3.0, 90.0, "t1")]
    black = chart.flag_items[UNIT_IDS["乙村"]]
    assert [(s.pos().x(), s.symbol(), s.brush().color().name()) for s in black.points()] == [(3.0, "s", "#1a1a1a")]
    assert red.points()[0].brush().color() == RED


def test_score_chart_replaces_its_series_when_the_choice_changes(qtbot, trend) -> None:
    chart = shown(qtbot, ScoreTrendChart())
    chart.set_data(trend, [UNIT_IDS["甲村"], UNIT_IDS["乙村"], UNIT_IDS["丙村"]])
    chart.set_data(trend, [UNIT_IDS["丁村"]])
    # The items are kept and re-used (setData); the ones not needed are hidden and emptied.
    lines = [
        item
        for item in chart.plot_item.listDataItems()
        if isinstance(item, pg.PlotDataItem) and item is not chart.mean_item
    ]
    drawn = [item for item in lines if item.isVisible()]
    assert drawn == [chart.unit_items[UNIT_IDS["丁村"]]]
    assert same(drawn[0].yData, [85, 88, 60, 80])
    hidden = [item for item in lines if not item.isVisible()]
    assert len(hidden) == 2 and all(item.yData is None or len(item.yData) == 0 for item in hidden)
    chart.set_data(trend, [])
    assert chart.unit_items == {} and chart.mean_item is not None
    assert legend_names(chart) == ["全镇平均分", "全镇最低—最高"]


def test_score_chart_hover_names_the_quarter_and_exact_values(qtbot, trend) -> None:
    chart = shown(qtbot, ScoreTrendChart())
    chart.set_data(trend, [UNIT_IDS["甲村"], UNIT_IDS["乙村"]])
    qtbot.wait(50)  # the view takes its range from the data when it next paints
    text, x, y = chart.describe_at(2.1, 84.6)
    assert (x, y) == (2.0, 85.0)
    assert text.splitlines()[:3] == ["2023年第三季度", "甲村：85.00 分", "第 1 名，红旗"]
    assert "实地观摩 86.00，擂台比武 82.67" in text
    # Where 乙村 has a gap, the hover says why instead of inventing a value.
    assert chart.point_text(UNIT_IDS["乙村"], 1) == "2023年第二季度\n乙村：本季度未观摩"
    # The hover label follows the mouse over the scene.
    view_box = chart.plot_item.getViewBox()
    chart._mouse_moved(view_box.mapViewToScene(pg_point(2.0, 85.0)))
    assert chart.hover.isVisible() and chart.hover.textItem.toPlainText().startswith("2023年第三季度")
    chart._mouse_moved(view_box.mapViewToScene(pg_point(-5.0, 0)))
    assert not chart.hover.isVisible()


def pg_point(x: float, y: float):
    from PySide6.QtCore import QPointF

    return QPointF(x, y)


# ---------------------------------------------------------------------------- the rank chart


def test_rank_chart_draws_every_unit_thin_and_the_chosen_thick_rank_one_on_top(qtbot, trend) -> None:
    chart = shown(qtbot, RankBumpChart())
    chart.set_data(trend, [UNIT_IDS["乙村"], UNIT_IDS["戊村"]])
    assert chart.plot_item.getViewBox().yInverted()
    # All five units in the grey item, each followed by a NaN that keeps it apart from the next.
    ys = chart.background_item.yData
    assert len(ys) == 5 * (4 + 1)
    per_unit = ys.reshape(5, 5)
    assert np.isnan(per_unit[:, -1]).all()
    ranks = {name: per_unit[i, :4] for i, name in enumerate(s.name for s in trend.units)}
    assert same(ranks["甲村"], [2, 2, 1, 1])
    assert same(ranks["乙村"], [3, math.nan, 3, 4])
    assert same(ranks["戊村"], [4, 3, 2, math.nan])
    assert chart.background_item.opts["connect"] == "finite"
    # The chosen ones on top, thick, with their names at the end of their lines.
    assert list(chart.highlight_items) == [UNIT_IDS["乙村"], UNIT_IDS["戊村"]]
    assert same(chart.highlight_items[UNIT_IDS["乙村"]].yData, [3, math.nan, 3, 4])
    assert chart.highlight_items[UNIT_IDS["乙村"]].opts["pen"].widthF() > chart.background_item.opts["pen"].widthF()
    names = {unit_id: (item.textItem.toPlainText(), item.pos().x()) for unit_id, item in chart.name_items.items()}
    assert names[UNIT_IDS["乙村"]][0] == "乙村" and names[UNIT_IDS["乙村"]][1] == pytest.approx(3.2)
    assert names[UNIT_IDS["戊村"]][0] == "戊村" and names[UNIT_IDS["戊村"]][1] == pytest.approx(2.2)
    low, high = chart.plot_item.getViewBox().viewRange()[1]
    assert low < 1 and high > 4


def test_rank_chart_hover_names_the_unit_at_that_rank(qtbot, trend) -> None:
    chart = shown(qtbot, RankBumpChart())
    chart.set_data(trend, [])
    text, x, y = chart.describe_at(0.1, 1.2)
    assert (x, y) == (0.0, 1.0)
    assert text == "2023年第一季度\n第 1 名：丁村（85.00 分，红旗）"
    assert chart.describe_at(0.0, 9.0) is None


# ---------------------------------------------------------------------------- the breakdown chart


def test_breakdown_chart_shows_components_or_criteria_with_gaps(qtbot) -> None:
    chart = shown(qtbot, BreakdownChart())
    chart.set_data(hand_made_breakdown())
    assert list(chart.items) == ["实地观摩", "擂台比武"]
    assert same(chart.items["擂台比武"].yData, [70, math.nan, 75.5, 80])
    chart.mode_combo.setCurrentIndex(chart.mode_combo.findData(BreakdownChart.CRITERIA))
    assert chart.mode == BreakdownChart.CRITERIA
    assert list(chart.items) == ["基层党建", "产业发展", "现场表现"]
    assert same(chart.items["基层党建"].yData, [50, math.nan, 50.5, 55])
    assert legend_names(chart)[0] == "基层党建（满分 60）"
    assert "产业发展：35.00 / 40（4 位评委）" in chart.point_text(2)
    chart.set_data(None)
    assert chart.items == {}


# ---------------------------------------------------------------------------- the flag grid


def grid_row(grid: FlagGrid, name: str) -> int:
    return grid.shown_names().index(name)


def test_flag_grid_counts_and_cells(qtbot, trend) -> None:
    grid = shown(qtbot, FlagGrid())
    grid.set_data(trend)
    model = grid.proxy
    assert model.columnCount() == 3 + 4
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(3, 7)] == [
        "2023Q1",
        "2023Q2",
        "2023Q3",
        "2023Q4",
    ]
    counts = {
        name: (model.index(grid_row(grid, name), 1).data(), model.index(grid_row(grid, name), 2).data())
        for name in TOTALS
    }
    assert counts == {
        "甲村": ("2", "0"),
        "乙村": ("0", "1"),
        "丙村": ("0", "2"),
        "丁村": ("2", "1"),
        "戊村": ("0", "0"),
    }
    row = grid_row(grid, "乙村")
    cells = [model.index(row, c) for c in range(3, 7)]
    assert [c.data() for c in cells] == ["", GAP_TEXT, "", "黑"]
    assert cells[1].data(Qt.ItemDataRole.ToolTipRole) == "2023年第二季度：本季度未观摩"
    assert cells[3].data(Qt.ItemDataRole.BackgroundRole).name() == "#3a3a3a"
    red = model.index(grid_row(grid, "丁村"), 3)
    assert red.data() == "红" and red.data(Qt.ItemDataRole.BackgroundRole) == RED
    assert red.data(Qt.ItemDataRole.ToolTipRole) == "丁村 2023年第一季度：第 1 名，85.00 分，红旗"


def test_flag_grid_sorts_by_name_red_and_black(qtbot, trend) -> None:
    grid = shown(qtbot, FlagGrid())
    grid.set_data(trend)
    assert grid.shown_names() == [s.name for s in trend.units]  # as on the sheet
    grid.sort_by("red")
    reds = [int(grid.proxy.index(r, 1).data()) for r in range(5)]
    assert reds == sorted(reds, reverse=True) and set(grid.shown_names()[:2]) == {"甲村", "丁村"}
    grid.sort_by("black")
    blacks = [int(grid.proxy.index(r, 2).data()) for r in range(5)]
    assert blacks == sorted(blacks, reverse=True) and grid.shown_names()[0] == "丙村"
    grid.sort_combo.setCurrentIndex(grid.sort_combo.findData("name"))
    collator = QCollator(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    assert grid.shown_names() == sorted(TOTALS, key=functools.cmp_to_key(collator.compare))
    assert grid.shown_names() == ["丙村", "丁村", "甲村", "戊村", "乙村"]  # bǐng dīng jiǎ wù yǐ
    grid.sort_by("order")
    assert grid.shown_names() == [s.name for s in trend.units]
    grid.table.sortByColumn(FlagGridModel.RED_COLUMN, Qt.SortOrder.AscendingOrder)  # a header click
    assert grid.proxy.index(0, 1).data() == "0"


# ---------------------------------------------------------------------------- export


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768), (1280, 720), (800, 800)])
def test_every_chart_exports_a_png_of_exactly_the_requested_size(qtbot, trend, tmp_path, size) -> None:
    charts = [ScoreTrendChart(), RankBumpChart(), BreakdownChart(), FlagGrid()]
    charts[0].set_data(trend, [UNIT_IDS["甲村"]])
    charts[1].set_data(trend, [UNIT_IDS["甲村"]])
    charts[2].set_data(hand_made_breakdown())
    charts[3].set_data(trend)
    for chart in charts:
        shown(qtbot, chart, (700, 450))
        path = chart.export_png(tmp_path / f"{type(chart).__name__}.png", *size)
        assert_png(path, *size)
        # The chart on the screen keeps its own size and data.
        assert (chart.width(), chart.height()) == (700, 450)


def test_copy_to_clipboard_puts_the_picture_there(qtbot, trend) -> None:
    chart = shown(qtbot, ScoreTrendChart())
    chart.set_data(trend, [UNIT_IDS["甲村"]])
    chart.copy_to_clipboard(1280, 720)
    image = QGuiApplication.clipboard().image()
    assert (image.width(), image.height()) == (1280, 720)


def test_a_chart_without_data_still_exports(qtbot, tmp_path) -> None:
    chart = shown(qtbot, ScoreTrendChart())
    chart.set_data(TrendData((), (), ()), [])
    image = QImage(str(chart.export_png(tmp_path / "empty.png", 640, 360)))
    assert (image.width(), image.height()) == (640, 360)


# ---------------------------------------------------------------------------- the tab


@pytest.fixture
def demo_core(demo_core):
    """The shared demo copy; no background read may outlive its data file."""
    yield demo_core
    QThreadPool.globalInstance().waitForDone(10000)


@pytest.fixture
def tab(qtbot, demo_core):
    widget = TrendsTab(demo_core)
    qtbot.addWidget(widget)
    widget.resize(1280, 760)
    return widget


def open_tab(qtbot, tab: TrendsTab) -> TrendsTab:
    with qtbot.waitSignal(tab.loaded, timeout=10000):
        tab.show()
    return tab


def test_the_tab_builds_its_charts_and_reads_only_when_first_shown(qtbot, tab) -> None:
    assert not tab.built and tab.trend is None
    open_tab(qtbot, tab)
    assert tab.built and not tab.loading
    assert len(tab.trend.periods) == 8
    assert tab.ui.unit_list.count() == 24
    checked = [
        tab.ui.unit_list.item(r).text()
        for r in range(24)
        if tab.ui.unit_list.item(r).checkState() == Qt.CheckState.Checked
    ]
    assert checked == ["张五砦村"]
    assert list(tab.score_chart.unit_items) == tab.chosen
    assert len(tab.rank_chart.background_item.yData) == 24 * 9
    assert tab.breakdown_chart.breakdown.name == "张五砦村"
    assert tab.flag_grid.proxy.rowCount() == 24
    assert "已定稿 8 个季度" in tab.ui.status_label.text()


def test_ticking_units_draws_them_and_the_breakdown_follows(qtbot, tab) -> None:
    open_tab(qtbot, tab)
    unit_list = tab.ui.unit_list
    for row in (3, 6):
        unit_list.item(row).setCheckState(Qt.CheckState.Checked)
    assert [tab.trend.unit(u).name for u in tab.score_chart.unit_items] == ["张五砦村", "东关社区", "西杨庄村"]
    assert list(tab.rank_chart.highlight_items) == tab.chosen
    qtbot.waitUntil(
        lambda: tab.breakdown_chart.breakdown is not None and tab.breakdown_chart.breakdown.name == "西杨庄村",
        timeout=5000,
    )
    unit_list.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert [tab.trend.unit(u).name for u in tab.score_chart.unit_items] == ["东关社区", "西杨庄村"]
    tab.clear_choice()
    assert tab.score_chart.unit_items == {} and tab.ui.chosen_label.text() == "未选择"


def test_no_more_than_eight_units_are_compared(qtbot, tab) -> None:
    open_tab(qtbot, tab)
    for row in range(1, 10):
        tab.ui.unit_list.item(row).setCheckState(Qt.CheckState.Checked)
    assert len(tab.chosen) == 8
    assert tab.ui.unit_list.item(9).checkState() == Qt.CheckState.Unchecked
    assert "最多同时比较 8 个" in tab.ui.status_label.text()


def test_the_search_box_filters_the_unit_list(qtbot, tab) -> None:
    open_tab(qtbot, tab)
    tab.ui.search_edit.setText("社区")  # as typed through an input method
    visible = [tab.ui.unit_list.item(r).text() for r in range(24) if not tab.ui.unit_list.item(r).isHidden()]
    assert visible == ["东关社区", "小李庄社区", "西苑社区", "滨河社区", "新城社区"]


def test_a_finalised_round_reloads_the_tab_but_register_changes_do_not(qtbot, tab, demo_core) -> None:
    open_tab(qtbot, tab)
    generation = tab._generation
    tab.reload(Changes.UNITS | Changes.SETTINGS)
    assert tab._generation == generation
    detail = demo_core.rounds.create_round(RoundDraft(Period(2025, 1), "", date(2025, 4, 20), ("甲", "乙"))).value
    cells = [
        (j.id, u.id, k.name, k.max_points * Decimal("0.8") - u.position % 5)
        for j in detail.judges
        for u in detail.units
        for c in detail.scheme.components
        for k in c.criteria
    ]
    demo_core.rounds.set_scores(detail.id, cells)
    demo_core.rounds.finalize(detail.id)
    with qtbot.waitSignal(tab.loaded, timeout=10000):
        tab.reload(Changes.ROUNDS)
    assert tab.trend.periods[-1] == Period(2025, 1)
    assert len(tab.rank_chart.background_item.yData) == 24 * 10


def test_a_hidden_tab_reads_again_only_when_shown(qtbot, tab) -> None:
    open_tab(qtbot, tab)
    tab.hide()
    generation = tab._generation
    tab.reload(Changes.ROUNDS)
    assert tab._generation == generation
    open_tab(qtbot, tab)
    assert tab._generation == generation + 1


def test_an_empty_data_folder_says_there_is_nothing_yet(qtbot, core) -> None:
    widget = TrendsTab(core)
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.loaded, timeout=10000):
        widget.show()
    assert widget.ui.stack.currentIndex() == 0
    assert "还没有已定稿的评比" in widget.ui.message_label.text()
    assert not widget.ui.export_button.isEnabled() and not widget.ui.copy_button.isEnabled()


def test_the_tab_exports_and_copies_the_chart_shown(qtbot, tab, tmp_path) -> None:
    open_tab(qtbot, tab)
    tab.ui.pages.setCurrentIndex(PAGE_RANK)
    path = tab.chart_export.export(1366, 768, str(tmp_path / "排名变化"))
    assert path == tmp_path / "排名变化.png"
    assert_png(path, 1366, 768)
    assert "1366×768" in tab.ui.status_label.text()
    tab.chart_export.copy()
    image = QGuiApplication.clipboard().image()
    assert (image.width(), image.height()) == (1366, 768)


def test_the_export_menu_offers_the_sizes_and_asks_where_to_save(qtbot, tab, tmp_path, monkeypatch) -> None:
    open_tab(qtbot, tab)
    actions = [a.text() for a in tab.ui.export_menu.actions() if not a.isSeparator()]
    assert actions == ["1920×1080（幻灯片、投影仪）", "1366×768（笔记本屏幕）", "1280×720", "自定义尺寸…"]
    asked = []

    def save_as(parent, title, suggested, filters):
        asked.append((title, Path(suggested).name, filters))
        return str(tmp_path / "slide"), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_as))
    tab.ui.pages.setCurrentIndex(PAGE_SCORE)
    tab.ui.size_actions[2].trigger()
    assert asked == [("导出图片", "综合得分趋势（2023Q1—2024Q4）_1280x720.png", "PNG 图片 (*.png)")]
    assert_png(tmp_path / "slide.png", 1280, 720)
    # A custom size, chosen in the dialog.
    monkeypatch.setattr(
        ExportSizeDialog,
        "exec",
        lambda dialog: (dialog.width_spin.setValue(1024), dialog.height_spin.setValue(768), 1)[-1],
    )
    tab.ui.custom_size_action.trigger()
    assert_png(tmp_path / "slide.png", 1024, 768)
    # Cancelled: nothing is written.
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *args: ("", "")))
    assert tab.chart_export.export(1920, 1080) is None


def test_exports_of_every_chart_of_the_demo_for_looking_at(qtbot, tab, screenshots) -> None:
    """Writes trend-*.png (1920×1080) from the demo township into `screenshots`, to be looked at."""
    open_tab(qtbot, tab)
    names = {u.name: u.unit_id for u in tab.trend.units}
    tab.choose([names[n] for n in ("张五砦村", "西杨庄村", "白沙村", "牛王庙村")])
    tab.set_current_unit(names["白沙村"])
    qtbot.waitUntil(lambda: tab.breakdown_chart.breakdown.name == "白沙村", timeout=5000)
    outputs = {PAGE_SCORE: "score", PAGE_RANK: "rank", PAGE_BREAKDOWN: "breakdown", PAGE_FLAGS: "flags"}
    for page, name in outputs.items():
        tab.ui.pages.setCurrentIndex(page)
        assert_png(tab.chart_export.export(1920, 1080, str(screenshots / f"trend-{name}.png")), 1920, 1080)
    tab.breakdown_chart.set_mode(BreakdownChart.CRITERIA)
    tab.ui.pages.setCurrentIndex(PAGE_BREAKDOWN)
    assert_png(tab.chart_export.export(1920, 1080, str(screenshots / "trend-breakdown-criteria.png")), 1920, 1080)
    tab.grab().save(str(screenshots / "trend-tab.png"))


# ---------------------------------------------------------------------------- the main window


def test_the_main_window_has_the_tab_last_and_selects_it(qtbot, demo_core) -> None:
    window = MainWindow(demo_core, AppConfig(data_dir=demo_core.data_dir))
    qtbot.addWidget(window)
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles[-1] == "趋势图表"
    assert window.select_tab("趋势图表")
    with qtbot.waitSignal(window.trends_tab.loaded, timeout=10000):
        window.show()
    assert window.tabs.currentWidget() is window.trends_tab
    with qtbot.waitSignal(window.trends_tab.loaded, timeout=10000):
        window.broadcast(Changes.ROUNDS)


def test_the_main_window_does_not_import_pyqtgraph_until_the_tab_is_shown(tmp_path) -> None:
    script = (
        "import os, sys\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from pathlib import Path\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from lsb_desktop.config import AppConfig\n"
        "from lsb_desktop.core import Core\n"
        "from ui.main_window import MainWindow\n"
        f"core = Core.open(Path({str(tmp_path / 'data')!r}))\n"
        "window = MainWindow(core, AppConfig(data_dir=core.data_dir))\n"
        "window.show(); app.processEvents()\n"
        "print('pyqtgraph' in sys.modules)\n"
        "window.select_tab('趋势图表'); app.processEvents()\n"
        "print('pyqtgraph' in sys.modules)\n"
        "from PySide6.QtCore import QThreadPool\n"
        "QThreadPool.globalInstance().waitForDone(10000)\n"
        "window.close(); core.close()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "", "PYTHONIOENCODING": "utf-8", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]
