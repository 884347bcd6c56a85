"""Trend charts (pyqtgraph): passive views that draw what `set_data(...)` hands them, export
PNGs at a chosen size and copy themselves to the clipboard. They never query the core.

Imported only when a chart is first needed (DESIGN decision 10): importing this module imports
pyqtgraph.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from pyqtgraph.graphicsItems.LegendItem import ItemSample
from pyqtgraph.graphicsItems.ScatterPlotItem import drawSymbol
from PySide6.QtCore import (
    QBuffer,
    QCollator,
    QIODevice,
    QLocale,
    QPoint,
    QPointF,
    QRectF,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QGuiApplication, QImage, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lsb_desktop.domain.period import Period
from lsb_desktop.domain.scoring import Flag
from lsb_desktop.domain.trends import TrendData, UnitBreakdown, UnitSeries
from lsb_desktop.io.atomic import write_atomically
from ui.widgets.table_model import ALIGN_CENTER, ALIGN_LEFT, SORT_ROLE, Column, RowTableModel

# ----- look ------------------------------------------------------------------------------------

# CJK faces first (Windows, then what Linux offers), so Chinese never falls back to boxes.
FONT_FAMILIES = (
    "Microsoft YaHei UI",
    "Microsoft YaHei",
    "SimHei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "PingFang SC",
    "AR PL UKai CN",
)
TEXT_COLOUR = "#202020"
AXIS_COLOUR = "#404040"
GRID_ALPHA = 0.25
RED = QColor("#c62828")
BLACK = QColor("#1a1a1a")
MEAN_COLOUR = QColor("#4a4a4a")
BAND_COLOUR = QColor(150, 150, 150, 70)
# Opaque: a hundred crossing translucent lines make Qt blend one huge path (ten times slower).
FADED_COLOUR = QColor(196, 196, 196)
RED_SYMBOL, BLACK_SYMBOL = "t1", "s"  # a triangle and a square: told apart in greyscale too
# 一票否决 gets a mark of its own (a cross, in purple), above any flag it also brought.
VETO = QColor("#6a1b9a")
VETO_SYMBOL = "x"
VETO_TEXT = "一票否决"
TITLE_SIZE, AXIS_SIZE, TICK_SIZE, LEGEND_SIZE, NAME_SIZE = 15, 11.5, 11, 11, 11.5
# Exports are drawn at this logical width (or the requested size, if smaller) and scaled up:
# at 1920×1080 everything is 1.6× the screen size, readable from the back of a meeting room.
EXPORT_BASE_WIDTH = 1200
DEFAULT_EXPORT_SIZE = (1920, 1080)


@dataclass(frozen=True, slots=True)
class SeriesStyle:
    """How one chosen unit is drawn: colour, line style and point symbol all differ, so two
    lines stay apart when printed in greyscale or washed out by a projector."""

    colour: str
    line: Qt.PenStyle
    symbol: str


# Lightness alternates (dark, light, middle, …) and none is red or near-black: those mean flags.
PALETTE = (
    SeriesStyle("#1f4e99", Qt.PenStyle.SolidLine, "o"),
    SeriesStyle("#e08600", Qt.PenStyle.DashLine, "d"),
    SeriesStyle("#2e7d32", Qt.PenStyle.DotLine, "h"),
    SeriesStyle("#7b3f9e", Qt.PenStyle.DashDotLine, "p"),
    SeriesStyle("#3fa7c9", Qt.PenStyle.SolidLine, "star"),
    SeriesStyle("#8d5a2b", Qt.PenStyle.DashLine, "o"),
    SeriesStyle("#9aa600", Qt.PenStyle.DotLine, "d"),
    SeriesStyle("#c2185b", Qt.PenStyle.DashDotDotLine, "h"),
)


def style_of(position: int) -> SeriesStyle:
    return PALETTE[position % len(PALETTE)]


def chart_font(points: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(list(FONT_FAMILIES))
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


def series_pen(style: SeriesStyle, width: float = 3) -> QPen:
    pen = pg.mkPen(style.colour, width=width, style=style.line)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    return pen


def quarter_ticks(periods: Sequence[Period]) -> list[list[tuple[float, str]]]:
    """2022Q1-style ticks; with many quarters, a label every few quarters (ticks still at each)."""
    step = max(1, math.ceil(len(periods) / 12))
    major = [(float(i), p.short_label) for i, p in enumerate(periods) if i % step == 0]
    minor = [(float(i), "") for i in range(len(periods)) if i % step]
    return [major, minor]


def number(value: Decimal | None) -> float:
    return float("nan") if value is None else float(value)


def flag_text(flag: Flag | None) -> str:
    return flag.label if flag else "无"


def collation_order(names: Sequence[str]) -> dict[str, int]:
    """Each name's place in Chinese (pinyin) order."""
    collator = QCollator(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    ordered = sorted(set(names), key=functools.cmp_to_key(collator.compare))
    return {name: i for i, name in enumerate(ordered)}


class _Sample(ItemSample):
    """A legend sample wide enough to show a dashed line, with its point symbol in the middle.
    Clicking it does nothing (the clerk chooses units in the list instead)."""

    WIDTH = 44

    def __init__(self, item) -> None:
        super().__init__(item)
        self.setFixedWidth(self.WIDTH)

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self.WIDTH, 20)

    def paint(self, painter, *args) -> None:
        opts = self.item.opts
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        band = getattr(self.item, "legend_band", None)
        if band is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(pg.mkBrush(band))
            painter.drawRect(QRectF(2, 3, self.WIDTH - 4, 14))
            return
        pen = opts.get("pen")
        if pen is not None:
            painter.setPen(pg.mkPen(pen))
            painter.drawLine(QPointF(2, 10), QPointF(self.WIDTH - 2, 10))
        symbol = opts.get("symbol")
        if symbol is not None:
            painter.translate(self.WIDTH / 2, 10)
            drawSymbol(
                painter, symbol, opts["symbolSize"], pg.mkPen(opts["symbolPen"]), pg.mkBrush(opts["symbolBrush"])
            )

    def mouseClickEvent(self, event) -> None:
        event.ignore()


# ----- the common part --------------------------------------------------------------------------


class ChartWidget(QWidget):
    """What every chart offers: `set_data(...)` (in each subclass), `export_png`,
    `copy_to_clipboard` and `render_image`. An export draws a fresh copy of the chart at the
    requested aspect ratio and scales it, so fonts and lines grow with the picture."""

    TITLE = ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data_args: tuple = ()
        self._data_kwargs: dict = {}

    # Each subclass keeps what set_data was given, so that a copy can be drawn for an export.
    def _remember(self, *args, **kwargs) -> None:
        self._data_args, self._data_kwargs = args, kwargs

    def _copy_for_export(self) -> ChartWidget:
        copy = type(self)()
        copy._copy_state_from(self)
        if self._data_args or self._data_kwargs:
            copy.set_data(*self._data_args, **self._data_kwargs)
        return copy

    def _copy_state_from(self, other: ChartWidget) -> None:
        """Settings a user made on the chart itself (a subclass copies its own)."""

    def set_data(self, *args, **kwargs) -> None:  # pragma: no cover - every chart has its own
        raise NotImplementedError

    def title_text(self) -> str:
        return self.TITLE

    def render_image(self, width: int, height: int) -> QImage:
        """The chart as an image of exactly width × height pixels."""
        if width <= 0 or height <= 0:
            raise ValueError("width and height must be positive")
        scale = max(1.0, width / EXPORT_BASE_WIDTH)
        logical = (max(1, round(width / scale)), max(1, round(height / scale)))
        copy = self._copy_for_export()
        # Laid out at the logical size without ever appearing on the screen.
        copy.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        copy.resize(*logical)
        copy.show()
        QApplication.sendPostedEvents()
        copy._settle()
        try:
            image = copy._render(width, height)
        finally:
            copy.hide()
            copy.deleteLater()
        if image.size().width() != width or image.size().height() != height:  # never stretched silently
            image = image.scaled(
                width, height, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        return image

    def _settle(self) -> None:
        """Finish layouts before drawing (a subclass may do more)."""

    def _render(self, width: int, height: int) -> QImage:  # pragma: no cover
        raise NotImplementedError

    def export_png(
        self, path: str | Path, width: int = DEFAULT_EXPORT_SIZE[0], height: int = DEFAULT_EXPORT_SIZE[1]
    ) -> Path:
        """The chart as a PNG file, written in one go (a full or read-only disk leaves nothing
        behind and is a ValidationError in Chinese)."""
        target = Path(path)
        image = self.render_image(width, height)
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not image.save(buffer, "PNG"):
            raise OSError(f"无法保存图片到 {target}")
        buffer.close()
        return write_atomically(target, bytes(buffer.data()))

    def copy_to_clipboard(self, width: int = DEFAULT_EXPORT_SIZE[0], height: int = DEFAULT_EXPORT_SIZE[1]) -> QImage:
        image = self.render_image(width, height)
        QGuiApplication.clipboard().setImage(image)
        return image


class PlotChart(ChartWidget):
    """A title, one plot and a legend under it, in one pyqtgraph layout (exported together)."""

    Y_LABEL = ""
    LEGEND_COLUMNS = 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground("w")
        self.layout_item = self.view.ci
        self.layout_item.setContentsMargins(10, 8, 18, 8)
        self.layout_item.setSpacing(4)
        self.title_item = pg.LabelItem("", color=TEXT_COLOUR)
        self.title_item.item.setFont(chart_font(TITLE_SIZE, bold=True))
        self.layout_item.addItem(self.title_item, row=0, col=0)
        self.plot_item: pg.PlotItem = self.layout_item.addPlot(row=1, col=0)
        self.legend = pg.LegendItem(
            offset=None,
            horSpacing=14,
            verSpacing=2,
            labelTextColor=TEXT_COLOUR,
            labelTextSize=f"{LEGEND_SIZE}pt",
            colCount=self.LEGEND_COLUMNS,
            sampleType=_Sample,
            frame=False,
        )
        # A legend floating over a zoomable plot ignores the view's scale; this one sits in the
        # layout and must grow with the rest of an exported picture.
        self.legend.setFlag(self.legend.GraphicsItemFlag.ItemIgnoresTransformations, False)
        self.layout_item.addItem(self.legend, row=2, col=0)
        self.layout_item.layout.setAlignment(self.legend, Qt.AlignmentFlag.AlignHCenter)
        # Named items added to the plot go to the legend (the same hook addLegend() sets up).
        self.plot_item.legend = self.legend
        self._legend_samples: list[pg.PlotDataItem] = []
        self._style_plot()
        self.hover = pg.TextItem(
            "", color=TEXT_COLOUR, anchor=(0, 1), border=pg.mkPen("#808080"), fill=pg.mkBrush(255, 255, 250, 235)
        )
        self.hover.textItem.setFont(chart_font(LEGEND_SIZE))
        self.hover.setZValue(100)
        self.hover.hide()
        self.plot_item.addItem(self.hover, ignoreBounds=True)
        self.view.scene().sigMouseMoved.connect(self._mouse_moved)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def _style_plot(self) -> None:
        plot = self.plot_item
        plot.setMenuEnabled(False)  # pyqtgraph's own menu is in English
        plot.hideButtons()
        plot.setMouseEnabled(x=False, y=False)
        plot.showGrid(x=True, y=True, alpha=GRID_ALPHA)
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen(AXIS_COLOUR))
            axis.setTextPen(pg.mkPen(TEXT_COLOUR))
            # Major and minor ticks only: the finest level's grid lines are noise on a projector.
            axis.setStyle(tickFont=chart_font(TICK_SIZE), tickTextOffset=6, maxTickLevel=1)
            axis.label.setFont(chart_font(AXIS_SIZE))
        plot.getAxis("left").setWidth(64)
        if self.Y_LABEL:
            self.set_y_label(self.Y_LABEL)

    def set_y_label(self, text: str) -> None:
        self.plot_item.setLabel("left", text, color=TEXT_COLOUR, **{"font-size": f"{AXIS_SIZE}pt"})

    def set_title(self, text: str) -> None:
        self.title_item.setText(text, color=TEXT_COLOUR, size=f"{TITLE_SIZE}pt", bold=True)

    def _set_quarters(self, periods: Sequence[Period], extra_right: float = 0.0) -> None:
        axis = self.plot_item.getAxis("bottom")
        axis.setTicks(quarter_ticks(periods))
        # Room for half a label beyond the first and last quarter: with the grid on, pyqtgraph
        # drops a label that would stick out past the plot.
        pad = max(0.5, 0.045 * len(periods))
        self.plot_item.setXRange(-pad, max(0.5, len(periods) - 1 + pad + extra_right), padding=0)

    def _add_legend_entry(self, name: str, *, pen=None, symbol=None, brush=None, size=12, band=None) -> pg.PlotDataItem:
        sample = pg.PlotDataItem(
            [], [], pen=pen, symbol=symbol, symbolBrush=brush, symbolPen=pg.mkPen("w"), symbolSize=size
        )
        if band is not None:
            sample.legend_band = band
        self._legend_samples.append(sample)
        self.legend.addItem(sample, name)
        self._font_legend()
        return sample

    def _font_legend(self) -> None:
        for _sample, label in self.legend.items:
            label.item.setFont(chart_font(LEGEND_SIZE))

    def _clear(self) -> None:
        self.legend.clear()
        self._legend_samples: list = []
        for item in list(self.plot_item.items):
            if item is not self.hover:
                self.plot_item.removeItem(item)
        self.hover.hide()

    # ----- hover ----------------------------------------------------------------------------

    def _mouse_moved(self, scene_pos) -> None:
        view_box = self.plot_item.getViewBox()
        if not view_box.sceneBoundingRect().contains(scene_pos):
            self.hover.hide()
            return
        point = view_box.mapSceneToView(scene_pos)
        found = self.describe_at(point.x(), point.y())
        if found is None:
            self.hover.hide()
            return
        text, x, y = found
        self.show_hover(text, x, y)

    def show_hover(self, text: str, x: float, y: float) -> None:
        view_box = self.plot_item.getViewBox()
        (x_min, x_max), (y_min, y_max) = view_box.viewRange()
        inverted = view_box.yInverted()
        # Keep the label inside the plot: to the left of points in the right half, below
        # points in the top part.
        right = x > (x_min + x_max) / 2
        high = (y < (y_min + y_max) / 2) if inverted else (y > (y_min + y_max) / 2)
        self.hover.setAnchor((1.05 if right else -0.05, -0.1 if high else 1.1))
        self.hover.setText(text)
        self.hover.setPos(x, y)
        # setVisible, not show(): TextItem re-computes its transform (its size on the screen)
        # only in its own setVisible.
        self.hover.setVisible(True)
        self.hover.updateTransform(force=True)

    def describe_at(self, x: float, y: float) -> tuple[str, float, float] | None:
        """The hover text for the data point nearest to (x, y), and where that point is."""
        return None

    def leaveEvent(self, event) -> None:
        self.hover.hide()
        super().leaveEvent(event)

    def _pixels_per_unit(self) -> tuple[float, float]:
        view_box = self.plot_item.getViewBox()
        (x_min, x_max), (y_min, y_max) = view_box.viewRange()
        rect = view_box.sceneBoundingRect()
        return rect.width() / max(1e-9, x_max - x_min), rect.height() / max(1e-9, y_max - y_min)

    # ----- export -----------------------------------------------------------------------------

    def _settle(self) -> None:
        self.layout_item.layout.activate()
        QApplication.sendPostedEvents()

    def _render(self, width: int, height: int) -> QImage:
        self.hover.hide()
        exporter = ImageExporter(self.layout_item)
        # Set both sides exactly: the exporter would otherwise derive one from the other.
        exporter.params.param("width").setValue(width, blockSignal=exporter.widthChanged)
        exporter.params.param("height").setValue(height, blockSignal=exporter.heightChanged)
        exporter.params["background"] = QColor("white")
        return exporter.export(toBytes=True)


def _flag_points(xs: Sequence[float], ys: Sequence[float], flags: Sequence[Flag | None], vetoes: Sequence[bool] = ()):
    """Where to draw 红旗 / 黑旗 / 一票否决 markers: (x, y, symbol, brush) of the marked points
    only. A vetoed point gets the veto cross (its black flag is told in the hover text)."""
    spots = []
    vetoes = list(vetoes) or [False] * len(flags)
    for x, y, flag, vetoed in zip(xs, ys, flags, vetoes):
        if math.isnan(y) or (flag is None and not vetoed):
            continue
        if vetoed:
            spots.append(
                {
                    "pos": (x, y),
                    "symbol": VETO_SYMBOL,
                    "brush": pg.mkBrush(VETO),
                    "pen": pg.mkPen("w", width=1.5),
                    "size": 22,
                    "data": VETO_TEXT,
                }
            )
            continue
        red = flag is Flag.RED
        spots.append(
            {
                "pos": (x, y),
                "symbol": RED_SYMBOL if red else BLACK_SYMBOL,
                "brush": pg.mkBrush(RED if red else BLACK),
                "pen": pg.mkPen("w", width=1.5),
                "size": 17,
                "data": flag.label,
            }
        )
    return spots


def veto_text(point) -> str:
    """The hover line of a vetoed quarter: 一票否决：<reason>."""
    return f"{VETO_TEXT}：{point.veto_reason}" if point is not None and point.vetoed else ""


# ----- chosen units: kept items, re-used with setData() ---------------------------------------


class _Slot:
    """One chosen unit's line, its flag markers and (optionally) its name at the end: made once
    and re-used with setData() when the choice changes."""

    def __init__(self, plot_item: pg.PlotItem, z: float, with_label: bool) -> None:
        self.line: pg.PlotDataItem = plot_item.plot([], [], connect="finite")
        self.line.setZValue(z)
        self.markers = pg.ScatterPlotItem()
        self.markers.setZValue(z + 5)
        plot_item.addItem(self.markers)
        self.label: pg.TextItem | None = None
        if with_label:
            self.label = pg.TextItem("", anchor=(0, 0.5))
            self.label.textItem.setFont(chart_font(NAME_SIZE, bold=True))
            self.label.setZValue(z + 10)
            plot_item.addItem(self.label, ignoreBounds=True)

    def show(
        self,
        xs,
        ys,
        style: SeriesStyle,
        width: float,
        symbol_size: float,
        flags: Sequence[Flag | None],
        vetoes: Sequence[bool] = (),
    ) -> None:
        self.line.setData(
            xs,
            ys,
            pen=series_pen(style, width),
            connect="finite",
            symbol=style.symbol,
            symbolSize=symbol_size,
            symbolBrush=pg.mkBrush(style.colour),
            symbolPen=pg.mkPen("w", width=1),
        )
        self.line.show()
        self.markers.setData(_flag_points(xs, ys, flags, vetoes))
        self.markers.show()

    def hide(self) -> None:
        self.line.setData([], [])
        self.line.hide()
        self.markers.setData([])
        self.markers.hide()
        if self.label is not None:
            self.label.hide()


class _ChosenUnitsChart(PlotChart):
    """What the score and rank charts share: the chosen units drawn by kept slots, and the
    red/black flag entries at the end of the legend."""

    LINE_WIDTH, SYMBOL_SIZE, WITH_LABELS = 3.0, 9.0, False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.trend: TrendData | None = None
        self.unit_ids: tuple[int, ...] = ()
        self._slots: list[_Slot] = []
        self._unit_entries: list[pg.PlotDataItem] = []  # legend entries after the fixed ones
        self.unit_items: dict[int, pg.PlotDataItem] = {}
        self.flag_items: dict[int, pg.ScatterPlotItem] = {}

    def _slot(self, position: int) -> _Slot:
        while len(self._slots) <= position:
            self._slots.append(_Slot(self.plot_item, 5, self.WITH_LABELS))
        return self._slots[position]

    def _choose(self, trend: TrendData, unit_ids: Sequence[int]) -> None:
        self._remember(trend, tuple(unit_ids))
        self.trend = trend
        known = {u.unit_id for u in trend.units}
        self.unit_ids = tuple(dict.fromkeys(u for u in unit_ids if u in known))
        self.hover.hide()

    def _draw_units(self, values_of) -> None:
        """One slot per chosen unit; `values_of(series)` gives its y values (NaN: a gap)."""
        trend = self.trend
        for entry in self._unit_entries:
            self.legend.removeItem(entry)
            if entry in self._legend_samples:
                self._legend_samples.remove(entry)
        self._unit_entries = []
        self.unit_items, self.flag_items = {}, {}
        xs = np.arange(len(trend.periods), dtype=float)
        any_red = any_black = any_veto = False
        for position, unit_id in enumerate(self.unit_ids):
            series = trend.unit(unit_id)
            style = style_of(position)
            ys = values_of(series)
            flags = [p.flag if p else None for p in series.points]
            vetoes = [bool(p and p.vetoed) for p in series.points]
            any_red |= Flag.RED in flags
            any_black |= any(f is Flag.BLACK and not v for f, v in zip(flags, vetoes))
            any_veto |= any(vetoes)
            slot = self._slot(position)
            slot.show(xs, ys, style, self.LINE_WIDTH, self.SYMBOL_SIZE, flags, vetoes)
            self.unit_items[unit_id] = slot.line
            self.flag_items[unit_id] = slot.markers
            self._name_unit(slot, series, style, ys)
            if self.WITH_LABELS:
                continue
            self.legend.addItem(slot.line, series.name)
            self._unit_entries.append(slot.line)
        for slot in self._slots[len(self.unit_ids) :]:
            slot.hide()
        if any_red:
            self._unit_entries.append(self._add_legend_entry("红旗", symbol=RED_SYMBOL, brush=RED, size=15))
        if any_black:
            self._unit_entries.append(self._add_legend_entry("黑旗", symbol=BLACK_SYMBOL, brush=BLACK, size=13))
        if any_veto:
            self._unit_entries.append(self._add_legend_entry(VETO_TEXT, symbol=VETO_SYMBOL, brush=VETO, size=16))
        self._font_legend()

    def _name_unit(self, slot: _Slot, series: UnitSeries, style: SeriesStyle, ys) -> None:
        """Charts that label line ends do it here."""


# ----- 1. composite score across quarters ------------------------------------------------------


class ScoreTrendChart(_ChosenUnitsChart):
    """Chosen units' composite score by quarter, with the township's mean and a band from the
    lowest to the highest total; red/black flags marked on the lines; a skipped quarter is a gap."""

    TITLE = "综合得分趋势"
    Y_LABEL = "综合得分"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Made once and updated with setData(): the band underneath, the mean over it.
        edge = pg.mkPen(QColor(150, 150, 150), width=1)
        self._low = pg.PlotCurveItem([], [], pen=edge)
        self._high = pg.PlotCurveItem([], [], pen=edge)
        self.plot_item.addItem(self._low)
        self.plot_item.addItem(self._high)
        self.band_item = pg.FillBetweenItem(self._low, self._high, brush=pg.mkBrush(BAND_COLOUR))
        self.plot_item.addItem(self.band_item)
        mean_pen = pg.mkPen(MEAN_COLOUR, width=3, style=Qt.PenStyle.CustomDashLine)
        mean_pen.setDashPattern([2, 1.5])
        self.mean_item: pg.PlotDataItem = self.plot_item.plot([], [], pen=mean_pen, name="全镇平均分")
        self._add_legend_entry("全镇最低—最高", band=BAND_COLOUR)

    def set_data(self, trend: TrendData, unit_ids: Sequence[int] = ()) -> None:
        self._choose(trend, unit_ids)
        periods = trend.periods
        self.set_title(self.title_text())
        self._set_quarters(periods)
        xs = np.arange(len(periods), dtype=float)
        self._low.setData(xs, np.array([float(s.minimum) for s in trend.stats]))
        self._high.setData(xs, np.array([float(s.maximum) for s in trend.stats]))
        self.mean_item.setData(xs, np.array([float(s.mean) for s in trend.stats]))
        self._draw_units(lambda series: np.array([number(p.total if p else None) for p in series.points]))
        self.plot_item.enableAutoRange(axis="y")

    def title_text(self) -> str:
        trend = self.trend
        if trend is None or not trend.periods:
            return self.TITLE
        return f"{self.TITLE}（{trend.periods[0].short_label}—{trend.periods[-1].short_label}）"

    def describe_at(self, x: float, y: float):
        trend = self.trend
        if trend is None or not trend.periods:
            return None
        index = round(x)
        if not 0 <= index < len(trend.periods):
            return None
        stats = trend.stats[index]
        # The nearest chosen unit with a point there, else the township's figures.
        _, y_scale = self._pixels_per_unit()
        best = None
        for unit_id in self.unit_ids:
            point = trend.unit(unit_id).point(index)
            if point is None:
                continue
            distance = abs(float(point.total) - y) * y_scale
            if best is None or distance < best[0]:
                best = (distance, unit_id, point)
        if best is not None and best[0] < 40:
            return self.point_text(best[1], index), float(index), float(best[2].total)
        if abs(float(stats.mean) - y) * y_scale < 40 or float(stats.minimum) <= y <= float(stats.maximum):
            return self.period_text(index), float(index), float(stats.mean)
        return None

    def point_text(self, unit_id: int, index: int) -> str:
        trend = self.trend
        series = trend.unit(unit_id)
        point = series.point(index)
        period = trend.periods[index]
        if point is None:
            return f"{period.label}\n{series.name}：{series.gap_reason(index)}"
        lines = [period.label, f"{series.name}：{point.total} 分"]
        rank = f"第 {point.rank} 名" if point.rank is not None else "未排名"
        lines.append(f"{rank}，{flag_text(point.flag)}" if point.flag else rank)
        if point.vetoed:
            lines.append(veto_text(point))
        lines.append("，".join(f"{name} {value}" for name, value in point.components.items()))
        lines.append(f"全镇平均 {trend.stats[index].mean}")
        return "\n".join(lines)

    def period_text(self, index: int) -> str:
        stats = self.trend.stats[index]
        return (
            f"{stats.period.label}\n全镇平均 {stats.mean} 分（{stats.count} 个村（社区））\n"
            f"最低 {stats.minimum}，最高 {stats.maximum}"
        )


# ----- 2. rank across quarters (bump chart) ----------------------------------------------------


class RankBumpChart(_ChosenUnitsChart):
    """Every unit's rank by quarter as thin grey lines (rank 1 at the top), the chosen units
    thick and coloured with their names at the right end."""

    TITLE = "排名变化"
    Y_LABEL = "名次"
    LINE_WIDTH, SYMBOL_SIZE, WITH_LABELS = 4.0, 10.0, True

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot_item.invertY(True)
        self.plot_item.showGrid(x=True, y=False)
        # All units in one item: NaN between units (and at gaps) keeps them apart, and one
        # item draws a hundred lines much faster than a hundred items.
        self.background_item: pg.PlotDataItem = self.plot_item.plot(
            [], [], pen=pg.mkPen(FADED_COLOUR, width=1), connect="finite"
        )
        # Drawn as separate segments: stroking one path of thousands of crossing segments with
        # antialiasing (as an export does) takes seconds, segments a fraction of that.
        self.background_item.curve.setSegmentedLineMode("on")
        self.name_items: dict[int, pg.TextItem] = {}
        self._ranks = np.zeros((0, 0))
        self._row_of: dict[int, int] = {}
        self._max_rank = 1

    @property
    def highlight_items(self) -> dict[int, pg.PlotDataItem]:
        return self.unit_items

    def set_data(self, trend: TrendData, unit_ids: Sequence[int] = ()) -> None:
        self._choose(trend, unit_ids)
        count = len(trend.periods)
        self.set_title(self.title_text())
        ranks = np.array(
            [[np.nan if p is None or p.rank is None else p.rank for p in series.points] for series in trend.units],
            dtype=float,
        ).reshape(len(trend.units), count)
        self._ranks = ranks
        self._row_of = {u.unit_id: i for i, u in enumerate(trend.units)}
        # One long line: each unit's quarters followed by a NaN to break it from the next.
        padded = np.hstack([ranks, np.full((len(trend.units), 1), np.nan)])
        xs = np.tile(np.arange(count + 1, dtype=float), len(trend.units))
        self.background_item.setData(xs, padded.ravel(), connect="finite")
        self._max_rank = int(np.nanmax(ranks)) if np.isfinite(ranks).any() else 1
        self._set_rank_ticks(self._max_rank)
        self._set_quarters(trend.periods, extra_right=self._label_room(count))
        self.plot_item.setYRange(0.5, self._max_rank + 0.5, padding=0.02)
        self.name_items = {}
        self._draw_units(lambda series: ranks[self._row_of[series.unit_id]])
        self._spread_names()

    def _name_unit(self, slot: _Slot, series: UnitSeries, style: SeriesStyle, ys) -> None:
        finite = np.flatnonzero(~np.isnan(ys))
        if not finite.size:
            slot.label.hide()
            return
        last = int(finite[-1])
        slot.label.setText(series.name, color=style.colour)
        slot.label.setPos(last + 0.2, float(ys[last]))
        slot.label.show()
        self.name_items[series.unit_id] = slot.label

    @staticmethod
    def _label_room(count: int) -> float:
        """Room at the right for the names, in quarters."""
        return max(1.3, count * 0.14)

    def _spread_names(self) -> None:
        """Names ending on the same or neighbouring ranks would overlap: push them apart."""
        minimum_gap = max(1.0, self._max_rank / 22)
        previous = None
        for label in sorted(self.name_items.values(), key=lambda item: item.pos().y()):
            y = label.pos().y() if previous is None else max(label.pos().y(), previous + minimum_gap)
            label.setPos(label.pos().x(), y)
            previous = y

    def _set_rank_ticks(self, max_rank: int) -> None:
        every = 1 if max_rank <= 30 else 5
        ticks = sorted({1, *range(every, max_rank + 1, every)} | {max_rank})
        self.plot_item.getAxis("left").setTicks([[(float(r), str(r)) for r in ticks]])

    def title_text(self) -> str:
        trend = self.trend
        if trend is None or not trend.periods:
            return self.TITLE
        return (
            f"各村（社区）{self.TITLE}（{trend.periods[0].short_label}—{trend.periods[-1].short_label}，第 1 名在最上）"
        )

    def describe_at(self, x: float, y: float):
        trend = self.trend
        if trend is None or not trend.periods or not self._ranks.size:
            return None
        index = round(x)
        if not 0 <= index < len(trend.periods):
            return None
        column = self._ranks[:, index]
        if np.all(np.isnan(column)):
            return None
        distance = np.abs(column - y)
        if float(np.nanmin(distance)) > 0.6:
            return None
        rank = float(column[int(np.nanargmin(distance))])
        rows = [int(i) for i in np.flatnonzero(column == rank)]
        chosen = [i for i in rows if trend.units[i].unit_id in self.unit_ids]
        return self.point_text([trend.units[i] for i in (chosen or rows)], index), float(index), rank

    def point_text(self, units: Sequence[UnitSeries], index: int) -> str:
        period = self.trend.periods[index]
        lines = [period.label]
        for series in units:
            point = series.point(index)
            if point is None:
                continue
            flag = f"，{flag_text(point.flag)}" if point.flag else ""
            veto = f"，{veto_text(point)}" if point.vetoed else ""
            lines.append(f"第 {point.rank} 名：{series.name}（{point.total} 分{flag}{veto}）")
        if len(units) > 1:
            lines.append("（并列）")
        return "\n".join(lines)


# ----- 3. a unit's breakdown -------------------------------------------------------------------


class BreakdownChart(PlotChart):
    """One unit's component scores by quarter, or (switched) its judges' mean per criterion."""

    TITLE = "得分构成"
    COMPONENTS, CRITERIA = "components", "criteria"
    MODES = {COMPONENTS: "按项目（项目得分）", CRITERIA: "按指标（评委平均分）"}
    LEGEND_COLUMNS = 4

    mode_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.breakdown: UnitBreakdown | None = None
        self.mode = self.COMPONENTS
        self.items: dict[str, pg.PlotDataItem] = {}
        self.mode_combo = QComboBox()
        for key, label in self.MODES.items():
            self.mode_combo.addItem(label, key)
        self.mode_combo.currentIndexChanged.connect(lambda _: self.set_mode(self.mode_combo.currentData()))
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 0)
        bar.addWidget(QLabel("显示："))
        bar.addWidget(self.mode_combo)
        bar.addStretch(1)
        self.note_label = QLabel("")
        self.note_label.setStyleSheet("color: #555;")
        bar.addWidget(self.note_label)
        self.layout().insertLayout(0, bar)
        self._clear()

    def _copy_state_from(self, other: ChartWidget) -> None:
        assert isinstance(other, BreakdownChart)
        self.set_mode(other.mode)

    def set_mode(self, mode: str) -> None:
        if mode not in self.MODES:
            raise ValueError(mode)
        changed = mode != self.mode
        self.mode = mode
        index = self.mode_combo.findData(mode)
        if self.mode_combo.currentIndex() != index:
            self.mode_combo.setCurrentIndex(index)
        if self.breakdown is not None:
            self._draw()
        if changed:
            self.mode_changed.emit(mode)

    def set_data(self, breakdown: UnitBreakdown | None) -> None:
        self._remember(breakdown)
        self.breakdown = breakdown
        self._draw()

    def _draw(self) -> None:
        self._clear()
        self.items = {}
        breakdown = self.breakdown
        self.set_title(self.title_text())
        if breakdown is None:
            self.note_label.setText("")
            return
        self._set_quarters(breakdown.periods)
        xs = np.arange(len(breakdown.periods), dtype=float)
        if self.mode == self.COMPONENTS:
            names = list(breakdown.components)
            self.set_y_label("项目得分")
            self.note_label.setText("项目得分：去掉一个最高分和一个最低分后的平均分（评委不足 5 人时为平均分）")
        else:
            names = [criterion for _, criterion in breakdown.criteria]
            self.set_y_label("评委平均分")
            self.note_label.setText("指标得分：该指标全体评委打分的平均值（不去掉最高最低分）")
        for position, name in enumerate(names):
            style = style_of(position)
            values = []
            for point in breakdown.points:
                value = None
                if point is not None:
                    value = point.component(name) if self.mode == self.COMPONENTS else point.criterion(name)
                values.append(number(value))
            label = name
            if self.mode == self.CRITERIA and name in breakdown.criterion_max:
                label = f"{name}（满分 {breakdown.criterion_max[name].normalize():f}）"
            self.items[name] = self.plot_item.plot(
                xs,
                np.array(values),
                pen=series_pen(style, 2.5),
                connect="finite",
                name=label,
                symbol=style.symbol,
                symbolSize=9,
                symbolBrush=pg.mkBrush(style.colour),
                symbolPen=pg.mkPen("w", width=1),
            )
        self.plot_item.enableAutoRange(axis="y")

    def title_text(self) -> str:
        if self.breakdown is None:
            return self.TITLE
        what = "项目得分" if self.mode == self.COMPONENTS else "各指标评委平均分"
        return f"{self.breakdown.name} {what}"

    def describe_at(self, x: float, y: float):
        breakdown = self.breakdown
        if breakdown is None or not breakdown.periods:
            return None
        index = round(x)
        if not 0 <= index < len(breakdown.periods):
            return None
        point = breakdown.points[index]
        if point is None:
            return f"{breakdown.periods[index].label}\n{breakdown.name}：无结果", float(index), y
        _, y_scale = self._pixels_per_unit()
        best = None
        for name in self.items:
            value = point.component(name) if self.mode == self.COMPONENTS else point.criterion(name)
            if value is None:
                continue
            distance = abs(float(value) - y) * y_scale
            if best is None or distance < best[0]:
                best = (distance, name, value)
        if best is None or best[0] > 40:
            return None
        return self.point_text(index), float(index), float(best[2])

    def point_text(self, index: int) -> str:
        breakdown = self.breakdown
        point = breakdown.points[index]
        lines = [f"{breakdown.periods[index].label} {breakdown.name}"]
        if point is None:
            return lines[0] + "\n无结果"
        if self.mode == self.COMPONENTS:
            lines += [
                f"{name}：{point.component(name)}" for name in breakdown.components if point.component(name) is not None
            ]
        else:
            for _, name in breakdown.criteria:
                value = point.criterion(name)
                if value is None:
                    continue
                maximum = breakdown.criterion_max.get(name)
                top = f" / {maximum.normalize():f}" if maximum is not None else ""
                lines.append(f"{name}：{value}{top}（{point.judges.get(name, 0)} 位评委）")
        return "\n".join(lines)


# ----- 4. the flag history grid ---------------------------------------------------------------

FLAG_CELL = {Flag.RED: ("红", RED, QColor("white")), Flag.BLACK: ("黑", QColor("#3a3a3a"), QColor("white"))}
VETO_CELL = ("否", VETO, QColor("white"))  # 一票否决 (with the black flag it brought, if any)
GAP_TEXT = "—"
GAP_FOREGROUND = QColor("#9a9a9a")


class FlagGridModel(RowTableModel):
    """Units × quarters: 红 / 黑 / empty, — where the unit has no result that quarter."""

    NAME_COLUMN, RED_COLUMN, BLACK_COLUMN, FIRST_PERIOD_COLUMN = 0, 1, 2, 3
    columns = (Column("村（社区）", lambda s: s.name),)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.periods: tuple[Period, ...] = ()

    def set_trend(self, trend: TrendData) -> None:
        self.beginResetModel()
        self.periods = trend.periods
        order = collation_order([u.name for u in trend.units])
        sheet = {u.unit_id: i for i, u in enumerate(trend.units)}
        self.sheet_order = sheet
        self.columns = (
            Column(
                "村（社区）",
                lambda s: s.name,
                sort_key=lambda s: order[s.name],
                alignment=ALIGN_LEFT,
                tooltip=lambda s: f"{s.name}（{s.district}）" if s.district else s.name,
            ),
            Column("红旗", lambda s: s.red_count, alignment=ALIGN_CENTER, header_tooltip="获红旗的季度数"),
            Column(
                "黑旗",
                lambda s: s.black_count,
                alignment=ALIGN_CENTER,
                header_tooltip="获黑旗的季度数",
                tooltip=lambda s: f"其中一票否决 {s.veto_count} 次" if s.veto_count else "",
            ),
        ) + tuple(self._period_column(i, p) for i, p in enumerate(trend.periods))
        self._rows = list(trend.units)
        self.endResetModel()

    @staticmethod
    def _period_column(index: int, period: Period) -> Column:
        def text(series: UnitSeries) -> str:
            point = series.point(index)
            if point is None:
                return GAP_TEXT
            if point.vetoed:
                return VETO_CELL[0] + (FLAG_CELL[point.flag][0] if point.flag else "")
            return FLAG_CELL[point.flag][0] if point.flag else ""

        def key(series: UnitSeries) -> int:
            point = series.point(index)
            if point is None:
                return 4
            if point.vetoed:
                return 3
            return {Flag.RED: 0, None: 1, Flag.BLACK: 2}[point.flag]

        def tip(series: UnitSeries) -> str:
            point = series.point(index)
            if point is None:
                return f"{period.label}：{series.gap_reason(index)}"
            flag = f"，{point.flag.label}" if point.flag else ""
            veto = f"，{veto_text(point)}" if point.vetoed else ""
            return f"{series.name} {period.label}：第 {point.rank} 名，{point.total} 分{flag}{veto}"

        return Column(
            period.short_label, text, sort_key=key, alignment=ALIGN_CENTER, tooltip=tip, header_tooltip=period.label
        )

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole):
        if index.isValid() and index.column() >= self.FIRST_PERIOD_COLUMN:
            series = self.row_at(index)
            if series is not None and role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
                point = series.point(index.column() - self.FIRST_PERIOD_COLUMN)
                if point is None:
                    return None if role == Qt.ItemDataRole.BackgroundRole else GAP_FOREGROUND
                if point.flag is None and not point.vetoed:
                    return None
                _, background, foreground = VETO_CELL if point.vetoed else FLAG_CELL[point.flag]
                return background if role == Qt.ItemDataRole.BackgroundRole else foreground
            if series is not None and role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
        return super().data(index, role)


class FlagGrid(ChartWidget):
    """The flag history as a table of units × quarters, sortable by name, red or black count."""

    TITLE = "红黑旗记录"
    SORTS = {
        "order": "按名册顺序",
        "name": "按名称（拼音）",
        "red": "按红旗数（多到少）",
        "black": "按黑旗数（多到少）",
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.trend: TrendData | None = None
        self.model = FlagGridModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(True)
        self.table.setStyleSheet("QTableView { gridline-color: #b0b0b0; }")
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.sort_combo = QComboBox()
        for key, label in self.SORTS.items():
            self.sort_combo.addItem(label, key)
        self.sort_combo.currentIndexChanged.connect(lambda _: self.sort_by(self.sort_combo.currentData()))
        self.legend_label = QLabel("红：红旗　黑：黑旗　否：一票否决　空白：无旗　—：未参加或未观摩")
        self.legend_label.setStyleSheet("color: #444;")
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 0)
        bar.addWidget(QLabel("排序："))
        bar.addWidget(self.sort_combo)
        bar.addStretch(1)
        bar.addWidget(self.legend_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self.sort_key = "order"
        self._copy_sort: tuple[int, Qt.SortOrder] | None = None  # an export copy sorts as its original

    def _copy_state_from(self, other: ChartWidget) -> None:
        assert isinstance(other, FlagGrid)
        self.sort_key = other.sort_key
        self._copy_sort = (
            other.table.horizontalHeader().sortIndicatorSection(),
            other.table.horizontalHeader().sortIndicatorOrder(),
        )

    def set_data(self, trend: TrendData) -> None:
        self._remember(trend)
        self.trend = trend
        self.model.set_trend(trend)
        self._size_columns()
        self.sort_by(self.sort_key)
        if self._copy_sort is not None:
            self.table.sortByColumn(*self._copy_sort)

    def _size_columns(self) -> None:
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        names = [u.name for u in self.trend.units] if self.trend else []
        header.resizeSection(0, max([metrics.horizontalAdvance(n) for n in names] + [80]) + 24)
        for column in (FlagGridModel.RED_COLUMN, FlagGridModel.BLACK_COLUMN):
            header.resizeSection(column, metrics.horizontalAdvance("黑旗") + 30)
        period_width = metrics.horizontalAdvance("2024Q4") + 18
        for column in range(FlagGridModel.FIRST_PERIOD_COLUMN, self.model.columnCount()):
            header.resizeSection(column, period_width)

    def sort_by(self, key: str) -> None:
        """order: as on the latest sheet; name: pinyin; red / black: most flags first."""
        if key not in self.SORTS:
            raise ValueError(key)
        self.sort_key = key
        index = self.sort_combo.findData(key)
        if self.sort_combo.currentIndex() != index:
            self.sort_combo.blockSignals(True)
            self.sort_combo.setCurrentIndex(index)
            self.sort_combo.blockSignals(False)
        if key == "order":
            self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
            self.proxy.sort(-1)
        elif key == "name":
            self.table.sortByColumn(FlagGridModel.NAME_COLUMN, Qt.SortOrder.AscendingOrder)
        else:
            column = FlagGridModel.RED_COLUMN if key == "red" else FlagGridModel.BLACK_COLUMN
            self.table.sortByColumn(column, Qt.SortOrder.DescendingOrder)

    def shown_names(self) -> list[str]:
        """The names in the order the table shows them."""
        return [self.proxy.index(row, 0).data() for row in range(self.proxy.rowCount())]

    def title_text(self) -> str:
        trend = self.trend
        if trend is None or not trend.periods:
            return self.TITLE
        return f"{self.TITLE}（{trend.periods[0].short_label}—{trend.periods[-1].short_label}）"

    # ----- export: the whole grid, scaled to fit the picture ------------------------------------

    def _render(self, width: int, height: int) -> QImage:
        table = self.table
        header = table.horizontalHeader()
        full_width = header.length() + 2 * table.frameWidth()
        full_height = header.height() + table.verticalHeader().length() + 2 * table.frameWidth()
        # This is the export copy: the table leaves its layout to be laid out at full size.
        self.layout().removeWidget(table)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.resize(full_width, full_height)
        QApplication.sendPostedEvents()
        image = QImage(width, height, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        title_font = chart_font(TITLE_SIZE, bold=True)
        title_height = QFontMetricsF(title_font).height() * 1.8
        note_font = chart_font(LEGEND_SIZE)
        note_height = QFontMetricsF(note_font).height() * 1.6
        # Scale the whole table (title and key included) to fit, centred.
        content_width = full_width
        content_height = title_height + full_height + note_height
        scale = min(width / content_width, height / content_height, 3.0)
        painter.translate((width - content_width * scale) / 2, (height - content_height * scale) / 2)
        painter.scale(scale, scale)
        painter.setFont(title_font)
        painter.setPen(QColor(TEXT_COLOUR))
        painter.drawText(QRectF(0, 0, content_width, title_height), Qt.AlignmentFlag.AlignCenter, self.title_text())
        painter.translate(0, title_height)
        table.render(painter, QPoint(0, 0))
        painter.translate(0, full_height)
        painter.setFont(note_font)
        painter.setPen(QColor("#444444"))
        painter.drawText(
            QRectF(0, 0, content_width, note_height),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            self.legend_label.text(),
        )
        painter.end()
        return image
