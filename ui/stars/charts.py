"""五星创建 charts (pyqtgraph): the level distribution across years with the 三星及以上 share,
and each star's count across years. Passive views: `set_data(...)`, PNG export and copy come
from ui.widgets.charts. Importing this module imports pyqtgraph: import it when a chart is first shown.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QWidget

from lsb_desktop.domain.stars import ALL_STARS, LEVEL_LABELS, RURAL_STARS, URBAN_STARS, at_least, share_text
from ui.widgets.charts import (
    AXIS_COLOUR,
    LEGEND_SIZE,
    TEXT_COLOUR,
    TICK_SIZE,
    ChartWidget,
    PlotChart,
    chart_font,
)

LEVEL_NAMES = LEVEL_LABELS  # 五星 … 无星: the same words as the sheet
# Dark red for five stars down to pale grey for none: the order reads in greyscale too.
LEVEL_COLOURS = {5: "#7f0000", 4: "#b71c1c", 3: "#e53935", 2: "#f4a38f", 1: "#f6d6cc", 0: "#dcdcdc"}
LEVEL_TEXT = {5: "white", 4: "white", 3: "white", 2: TEXT_COLOUR, 1: TEXT_COLOUR, 0: TEXT_COLOUR}
SHARE_COLOUR = "#1f4e99"
TARGET_COLOUR = "#e08600"
# Later years darker: the years are an order, not unrelated series.
YEAR_RAMP = ("#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b")
BAR_WIDTH = 0.56
SHARE_LEVEL = 3


def year_colours(count: int) -> list[str]:
    """Spread over the ramp, the latest year darkest, so neighbouring years stay apart."""
    if count <= 1:
        return [YEAR_RAMP[-1]] * count
    top = len(YEAR_RAMP) - 1
    first = 1 if count < len(YEAR_RAMP) else 0
    return [YEAR_RAMP[round(first + (top - first) * i / (count - 1))] for i in range(count)]


def count_ticks(maximum: int) -> list[list[tuple[float, str]]]:
    """Whole numbers only: a count of villages has no halves."""
    step = max(1, math.ceil(maximum / 8))
    return [[(float(v), str(v)) for v in range(0, maximum + step + 1, step)]]


def star_tick(star: str) -> str:
    """The star's name, and under it whose star it is (村, 社区 or both)."""
    if star in RURAL_STARS and star in URBAN_STARS:
        return f"{star}\n村·社区"
    return f"{star}\n（村）" if star in RURAL_STARS else f"{star}\n（社区）"


def _label(text: str, colour: str, size: float = TICK_SIZE, bold: bool = False, anchor=(0.5, 0.5)) -> pg.TextItem:
    item = pg.TextItem(text, color=colour, anchor=anchor)
    item.textItem.setFont(chart_font(size, bold=bold))
    return item


class _YearBarChart(PlotChart):
    """Shared by both charts: years on the bottom axis or in the legend, counts on the left."""

    def _style_counts(self, maximum: int) -> None:
        axis = self.plot_item.getAxis("left")
        axis.setTicks(count_ticks(maximum))
        self.plot_item.setYRange(0, max(1, maximum) * 1.18, padding=0)

    def _no_data(self) -> None:
        self.set_title(f"{self.TITLE}（暂无数据）")


# ----- 1. the level distribution ----------------------------------------------------------------


class LevelDistributionChart(_YearBarChart):
    """Per year one stacked bar of the units at 5★ (bottom) … 0★ (top), so the part at or
    above three stars is the lower part; optionally the 三星及以上 share (right axis, %) and
    its target."""

    TITLE = "星级分布"
    Y_LABEL = "村（社区）个数"
    LEGEND_COLUMNS = 8

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.levels: dict[int, dict[int, int]] = {}
        self.targets: dict[int, Decimal | None] = {}
        self.years: list[int] = []
        self.bar_items: dict[int, pg.BarGraphItem] = {}
        self.share_item: pg.PlotDataItem | None = None
        self.share_labels: list[pg.TextItem] = []
        self.target_items: list[pg.PlotDataItem] = []
        self.show_share = True
        self.share_check = QCheckBox("显示三星及以上占比（右轴）")
        self.share_check.setChecked(True)
        self.share_check.toggled.connect(self.set_show_share)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 0)
        bar.addWidget(self.share_check)
        bar.addStretch(1)
        self.note_label = QLabel("柱内数字为该星级的村（社区）个数；柱子下部深色部分为三星及以上")
        self.note_label.setStyleSheet("color: #555;")
        bar.addWidget(self.note_label)
        self.layout().insertLayout(0, bar)
        # The share lives in its own view box over the plot, tied to the right axis.
        self.share_view = pg.ViewBox(enableMenu=False)
        self.share_view.setMouseEnabled(x=False, y=False)
        self.plot_item.showAxis("right")
        right = self.plot_item.getAxis("right")
        right.setPen(pg.mkPen(AXIS_COLOUR))
        right.setTextPen(pg.mkPen(SHARE_COLOUR))
        right.setStyle(tickFont=chart_font(TICK_SIZE), tickTextOffset=6, maxTickLevel=1)
        right.setWidth(56)
        right.setTicks([[(float(v), f"{v}%") for v in range(0, 101, 20)]])
        right.label.setFont(chart_font(LEGEND_SIZE))
        self.plot_item.setLabel("right", "三星及以上占比", color=SHARE_COLOUR, **{"font-size": f"{LEGEND_SIZE}pt"})
        self.plot_item.scene().addItem(self.share_view)
        # Over the bars: the share line and its labels must never hide behind them.
        self.share_view.setZValue(10)
        right.linkToView(self.share_view)
        self.share_view.setXLink(self.plot_item)
        self.share_view.setYRange(0, 118, padding=0)
        self.plot_item.vb.sigResized.connect(self._sync_views)
        self.plot_item.showGrid(x=False, y=True)

    def _sync_views(self) -> None:
        self.share_view.setGeometry(self.plot_item.vb.sceneBoundingRect())
        self.share_view.linkedViewChanged(self.plot_item.vb, self.share_view.XAxis)

    def _settle(self) -> None:
        super()._settle()
        self._sync_views()

    def _copy_state_from(self, other: ChartWidget) -> None:
        assert isinstance(other, LevelDistributionChart)
        self.share_check.setChecked(other.show_share)

    def set_show_share(self, shown: bool) -> None:
        self.show_share = bool(shown)
        if self.share_check.isChecked() != self.show_share:
            self.share_check.setChecked(self.show_share)
        if self.years:
            self._draw()

    def set_data(
        self, levels: Mapping[int, Mapping[int, int]], targets: Mapping[int, Decimal | None] | None = None
    ) -> None:
        """`levels`: year → level → number of units; `targets`: year → 三星及以上 target (%)."""
        self._remember(levels, targets)
        self.levels = {int(y): {lv: int(levels[y].get(lv, 0)) for lv in range(6)} for y in levels}
        self.targets = dict(targets or {})
        self.years = sorted(self.levels)
        self._draw()

    def _clear_share(self) -> None:
        for item in [self.share_item, *self.share_labels, *self.target_items]:
            if item is not None:
                self.share_view.removeItem(item)
        self.share_item, self.share_labels, self.target_items = None, [], []

    def _draw(self) -> None:
        self._clear()
        self._clear_share()
        self.bar_items = {}
        years = self.years
        if not years:
            self._no_data()
            return
        self.set_title(self.title_text())
        xs = np.arange(len(years), dtype=float)
        self.plot_item.getAxis("bottom").setTicks([[(float(i), f"{y}年") for i, y in enumerate(years)]])
        self.plot_item.setXRange(-0.7, len(years) - 0.3, padding=0)
        totals = [sum(self.levels[y].values()) for y in years]
        biggest = max(totals + [1])
        bottom = np.zeros(len(years))
        for level in (5, 4, 3, 2, 1, 0):
            heights = np.array([self.levels[y][level] for y in years], dtype=float)
            bars = pg.BarGraphItem(
                x=xs,
                height=heights,
                y0=bottom.copy(),
                width=BAR_WIDTH,
                brush=pg.mkBrush(LEVEL_COLOURS[level]),
                pen=pg.mkPen("w", width=1),
            )
            self.plot_item.addItem(bars)
            self.bar_items[level] = bars
            for x, y0, n in zip(xs, bottom, heights):
                if n and n >= biggest * 0.045:
                    label = _label(str(int(n)), LEVEL_TEXT[level], bold=True)
                    label.setPos(x, y0 + n / 2)
                    self.plot_item.addItem(label, ignoreBounds=True)
            bottom += heights
        for x, total in zip(xs, totals):
            label = _label(f"共 {total} 个", TEXT_COLOUR, size=LEGEND_SIZE - 1, anchor=(0.5, 1.05))
            label.setPos(x, total)
            self.plot_item.addItem(label, ignoreBounds=True)
        for level in (5, 4, 3, 2, 1, 0):
            self._add_legend_entry(LEVEL_NAMES[level], band=QColor(LEVEL_COLOURS[level]))
        self._style_counts(biggest)
        self.plot_item.getAxis("right").setVisible(self.show_share)
        if self.show_share:
            self._draw_share(xs)
        self._sync_views()

    def shares(self) -> list[Decimal | None]:
        """The 三星及以上 share of each year in percent (exact, unrounded as a Fraction → Decimal)."""
        result = []
        for year in self.years:
            share = at_least(self.levels[year], SHARE_LEVEL)
            result.append(None if share is None else Decimal(share.numerator * 100) / Decimal(share.denominator))
        return result

    def _draw_share(self, xs) -> None:
        shares = self.shares()
        ys = np.array([float("nan") if s is None else float(s) for s in shares])
        self.share_item = pg.PlotDataItem(
            xs,
            ys,
            pen=pg.mkPen(SHARE_COLOUR, width=3),
            symbol="o",
            symbolSize=10,
            symbolBrush=pg.mkBrush(SHARE_COLOUR),
            symbolPen=pg.mkPen("w", width=1.5),
            connect="finite",
        )
        self.share_view.addItem(self.share_item)
        self._add_legend_entry(
            "三星及以上占比", pen=pg.mkPen(SHARE_COLOUR, width=3), symbol="o", brush=pg.mkBrush(SHARE_COLOUR), size=10
        )
        for x, share in zip(xs, shares):
            if share is None:
                continue
            # Just right of the bar, clear of the counts written inside it.
            label = pg.TextItem(
                share_text(share / 100), color=SHARE_COLOUR, anchor=(0, 0.5), fill=pg.mkBrush(255, 255, 255, 220)
            )
            label.textItem.setFont(chart_font(LEGEND_SIZE, bold=True))
            label.setPos(x + BAR_WIDTH / 2 + 0.03, float(share))
            self.share_view.addItem(label, ignoreBounds=True)
            self.share_labels.append(label)
        pen = pg.mkPen(TARGET_COLOUR, width=2.5, style=Qt.PenStyle.DashLine)
        any_target = False
        for x, year in zip(xs, self.years):
            target = self.targets.get(year)
            if target is None:
                continue
            any_target = True
            item = pg.PlotDataItem([x - BAR_WIDTH / 2 - 0.08, x + BAR_WIDTH / 2 + 0.08], [float(target)] * 2, pen=pen)
            self.share_view.addItem(item)
            self.target_items.append(item)
        if any_target:
            self._add_legend_entry("三星及以上目标", pen=pen)

    def title_text(self) -> str:
        if not self.years:
            return self.TITLE
        span = f"{self.years[0]}年" if len(self.years) == 1 else f"{self.years[0]}—{self.years[-1]}年"
        return f"五星支部{self.TITLE}（{span}，各年年末）"

    def describe_at(self, x: float, y: float):
        if not self.years:
            return None
        index = round(x)
        if not 0 <= index < len(self.years) or abs(x - index) > BAR_WIDTH / 2 + 0.05:
            return None
        return self.year_text(index), float(index), y

    def year_text(self, index: int) -> str:
        year = self.years[index]
        counts = self.levels[year]
        lines = [f"{year}年末：{sum(counts.values())} 个村（社区）"]
        lines += [f"{LEVEL_NAMES[lv]}：{counts[lv]} 个" for lv in (5, 4, 3, 2, 1, 0)]
        share = self.shares()[index]
        text = f"三星及以上：{share_text(None if share is None else share / 100)}"
        target = self.targets.get(year)
        if target is not None:
            text += f"（目标 {share_text(Decimal(target) / 100)}）"
        lines.append(text)
        return "\n".join(lines)


# ----- 2. each star's count -----------------------------------------------------------------------


class StarCountChart(_YearBarChart):
    """For each star, one bar per year: how many units held it at the end of that year."""

    TITLE = "各星命名数量"
    Y_LABEL = "持有该星的村（社区）个数"
    LEGEND_COLUMNS = 8

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counts: dict[int, dict[str, int]] = {}
        self.years: list[int] = []
        self.stars: tuple[str, ...] = ALL_STARS
        self.bar_items: dict[int, pg.BarGraphItem] = {}
        self.plot_item.showGrid(x=False, y=True)
        # Two-line star names under the bars (name, and whose star it is).
        self.plot_item.getAxis("bottom").setHeight(52)
        note = QLabel("产业兴旺星、生态宜居星、文明幸福星只评村；宜业兴业星、幸福和谐星、共建共享星只评社区")
        note.setStyleSheet("color: #555;")
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 0)
        bar.addStretch(1)
        bar.addWidget(note)
        self.layout().insertLayout(0, bar)

    def set_data(self, counts: Mapping[int, Mapping[str, int]], stars: Sequence[str] = ALL_STARS) -> None:
        """`counts`: year → star → number of units holding it at the end of the year."""
        self._remember(counts, tuple(stars))
        self.stars = tuple(stars)
        self.counts = {int(y): {s: int(counts[y].get(s, 0)) for s in self.stars} for y in counts}
        self.years = sorted(self.counts)
        self._draw()

    def _width(self) -> float:
        return 0.8 / max(1, len(self.years))

    def _offset(self, position: int) -> float:
        width = self._width()
        return (position - (len(self.years) - 1) / 2) * width

    def _draw(self) -> None:
        self._clear()
        self.bar_items = {}
        if not self.years:
            self._no_data()
            return
        self.set_title(self.title_text())
        xs = np.arange(len(self.stars), dtype=float)
        axis = self.plot_item.getAxis("bottom")
        axis.setTicks([[(float(i), star_tick(s)) for i, s in enumerate(self.stars)]])
        self.plot_item.setXRange(-0.6, len(self.stars) - 0.4, padding=0)
        width = self._width()
        biggest = max([v for c in self.counts.values() for v in c.values()] + [1])
        labelled = len(self.years) * len(self.stars) <= 48
        for position, (year, colour) in enumerate(zip(self.years, year_colours(len(self.years)))):
            heights = np.array([self.counts[year][s] for s in self.stars], dtype=float)
            bars = pg.BarGraphItem(
                x=xs + self._offset(position),
                height=heights,
                width=width * 0.9,
                brush=pg.mkBrush(colour),
                pen=pg.mkPen("w", width=1),
            )
            self.plot_item.addItem(bars)
            self.bar_items[year] = bars
            self._add_legend_entry(f"{year}年", band=QColor(colour))
            if labelled:
                for x, n in zip(xs + self._offset(position), heights):
                    label = _label(str(int(n)), TEXT_COLOUR, size=LEGEND_SIZE - 1.5, anchor=(0.5, 1.0))
                    label.setPos(x, n)
                    self.plot_item.addItem(label, ignoreBounds=True)
        self._style_counts(biggest)

    def title_text(self) -> str:
        if not self.years:
            return self.TITLE
        span = f"{self.years[0]}年" if len(self.years) == 1 else f"{self.years[0]}—{self.years[-1]}年"
        return f"{self.TITLE}（{span}，各年年末持有）"

    def describe_at(self, x: float, y: float):
        if not self.years:
            return None
        index = round(x)
        if not 0 <= index < len(self.stars) or abs(x - index) > 0.45:
            return None
        return self.star_text(index), float(index), y

    def star_text(self, index: int) -> str:
        star = self.stars[index]
        return "\n".join([star] + [f"{year}年末：{self.counts[year][star]} 个" for year in self.years])
