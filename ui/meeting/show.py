"""会议展示: a round's results on the projector at the 点评会, full screen, revealed step by step."""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QGuiApplication,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QLabel, QWidget

from lsb_desktop.domain.period import Period
from lsb_desktop.domain.rounds import FlagHistory, FlagRecord, RoundDetail, RoundResults, UnitResult
from lsb_desktop.domain.scoring import Flag
from lsb_desktop.domain.text import date_text

if TYPE_CHECKING:
    from lsb_desktop.core import Core

# Rows of the ranking that fit one screen. Every size is a share of the window's height, so the
# count is the same on a 1920×1080 projector and a 1366×768 laptop (and step numbers don't move
# when the window is resized).
ROWS_PER_SCREEN = 10

TITLE_SLIDE = "封面"
RANKING_TITLE = "综合排名"
RED_SUMMARY_TITLE = "红旗单位"
BLACK_SUMMARY_TITLE = "黑旗单位"
KEYS_HINT = "→ / 空格 / 单击：下一步　　← / 右键：上一步　　J：显示或隐藏分项得分　　F5：全屏　　Esc：退出"

# High contrast that survives a washed-out projector: white and yellow on black; red only
# as a filled badge with text, never as the only sign of a flag.
BACKGROUND = QColor("#000000")
TEXT = QColor("#ffffff")
SOFT_TEXT = QColor("#dcdcdc")
HEADER_TEXT = QColor("#b4b4b4")
DIM_TEXT = QColor("#8a8a8a")
ACCENT = QColor("#ffd400")
RED_FILL = QColor("#d7191c")
RED_ROW = QColor("#4d0b0b")
BLACK_ROW = QColor("#2e2e2e")
PLAIN_ROW = QColor("#121212")
RULE = QColor("#555555")
WARNING_FILL = QColor("#3d2a00")
WARNING_EDGE = QColor("#ffb000")
VETO_TEXT = "一票否决"
VETO_FILL = QColor("#ffb000")  # a yellow-orange pill with black text: unlike either flag

# Screen fonts first (微软雅黑 and 黑体 on Windows), then what Linux and macOS offer. Only an
# installed family is ever asked for: a missing one makes Qt search (and warn) at every paint.
SCREEN_FAMILIES = (
    "Microsoft YaHei",
    "Microsoft YaHei UI",
    "SimHei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "PingFang SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "AR PL UKai CN",
)


# ----- slides ---------------------------------------------------------------------------------


@runtime_checkable
class Slide(Protocol):
    """One step of the show. `build` makes the widget the first time the step is shown; the
    window keeps it, sizes it to the screen and shows `title` above it. A slide that paints
    its own heading says so with a true `draws_title` attribute."""

    title: str

    def build(self, parent: QWidget) -> QWidget: ...


@dataclass(frozen=True, slots=True)
class WidgetSlide:
    """A slide made by a factory, e.g. a trend chart filled with data prepared beforehand."""

    title: str
    factory: Callable[[QWidget], QWidget]

    def build(self, parent: QWidget) -> QWidget:
        return self.factory(parent)


class Phase(enum.Enum):
    BLACK = "黑旗"
    MIDDLE = "名次"
    RED = "红旗"
    WINNER = "第一名"


@dataclass(frozen=True, slots=True)
class RevealStep:
    """What the ranking shows after one step: every row revealed so far (best rank first),
    the rows this step added, and the rows that fit the screen."""

    phase: Phase
    revealed: tuple[UnitResult, ...]
    new: tuple[UnitResult, ...]
    capacity: int = ROWS_PER_SCREEN

    @property
    def visible(self) -> tuple[UnitResult, ...]:
        if self.phase is Phase.WINNER:
            return self.new
        # From the best new row down: the rows just read out and those already read below them.
        first = min(self.revealed.index(r) for r in self.new)
        return self.revealed[first : first + self.capacity]

    @property
    def title(self) -> str:
        ranks = sorted({r.rank for r in self.new})
        where = f"第 {ranks[0]} 名" if len(ranks) == 1 else f"第 {ranks[0]}–{ranks[-1]} 名"
        if self.phase is Phase.MIDDLE:
            return f"{RANKING_TITLE} · {where}"
        return f"{RANKING_TITLE} · {self.phase.value}" + ("" if self.phase is Phase.WINNER else f" {where}")


def reveal_steps(results: Sequence[UnitResult], capacity: int = ROWS_PER_SCREEN) -> list[RevealStep]:
    """The 点评会 order: black flags one by one from the bottom, then the middle in screenfuls
    (bottom up), then red flags one by one from the lowest, and rank 1 alone at the end.
    Units without a rank (no scores) are not revealed."""
    ranked = [r for r in results if r.rank is not None]
    ranked.sort(key=lambda r: r.rank)
    winners = [r for r in ranked if r.rank == ranked[0].rank] if ranked else []
    rest = ranked[len(winners) :]
    black = [r for r in rest if r.flag is Flag.BLACK]
    red = [r for r in rest if r.flag is Flag.RED]
    middle = [r for r in rest if r.flag is None]

    groups: list[tuple[Phase, list[UnitResult]]] = [(Phase.BLACK, [r]) for r in reversed(black)]
    if middle:
        # Even screenfuls rather than a full one and a stub: 15 rows → 8 + 7, not 10 + 5.
        count = math.ceil(len(middle) / capacity)
        size, extra = divmod(len(middle), count)
        end = len(middle)
        for index in range(count):
            start = end - size - (1 if index < extra else 0)
            groups.append((Phase.MIDDLE, middle[start:end]))
            end = start
    groups += [(Phase.RED, [r]) for r in reversed(red)]
    if winners:
        groups.append((Phase.WINNER, winners))

    steps = []
    shown: set[int] = set()
    for phase, new in groups:
        shown.update(r.unit.id for r in new)
        revealed = tuple(r for r in ranked if r.unit.id in shown)
        steps.append(RevealStep(phase, revealed, tuple(new), capacity))
    return steps


def talk_warnings(results: RoundResults, period: Period, histories: Iterable[FlagHistory]) -> list[tuple[str, str]]:
    """(unit, 约谈提醒) for black-flag streaks that end with this round, lowest rank first.
    Counts the finalised rounds before this one and this round's own flag, so an older round,
    or one not yet finalised, reads as it did on its day."""
    by_unit = {h.unit_id: h for h in histories}
    warnings = []
    for result in reversed(results.results):
        if result.flag is not Flag.BLACK:
            continue
        history = by_unit.get(result.unit.unit_id)
        before = tuple(
            rec
            for rec in (history.records if history else ())
            if rec.period < period or (rec.period == period and rec.round_id < results.round_id)
        )
        now = FlagRecord(period, results.round_id, result.flag, result.rank)
        warning = FlagHistory(result.unit.unit_id, result.unit.name, before + (now,)).warning
        if warning:
            warnings.append((result.unit.name, warning))
    return warnings


@dataclass
class ShowState:
    """What every ranking slide shares: the heading and whether component scores are shown."""

    heading: str
    components: tuple[str, ...]
    show_components: bool = False


# ----- drawing ----------------------------------------------------------------------------------


@cache
def screen_family() -> str:
    installed = {name.lower(): name for name in QFontDatabase.families()}
    for wanted in SCREEN_FAMILIES:
        if wanted.lower() in installed:
            return installed[wanted.lower()]
    return QFont().family()


def make_font(pixels: float, bold: bool = False) -> QFont:
    return _font(max(1, int(pixels)), bold)


@lru_cache(maxsize=512)
def _font(pixels: int, bold: bool) -> QFont:
    # Kept, not remade at every paint: a slide draws a few hundred strings in a handful of sizes.
    font = QFont(screen_family())
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font


def scale_of(width: float, height: float) -> float:
    """The height every size is a share of; on a screen narrower than 4:3 the width limits it."""
    return max(1.0, min(height, width * 3 / 4))


def draw_text(
    painter: QPainter,
    rect: QRectF,
    text: str,
    pixels: float,
    color: QColor,
    *,
    bold: bool = False,
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
) -> float:
    """One line in `rect`, shrunk to fit its width (a name is never cut off); returns its width."""
    font = make_font(pixels, bold)
    width = QFontMetricsF(font).horizontalAdvance(text)
    if width > rect.width() > 0:
        font = make_font(math.floor(font.pixelSize() * rect.width() / width), bold)
        width = QFontMetricsF(font).horizontalAdvance(text)
    painter.setFont(font)
    painter.setPen(color)
    painter.drawText(rect, int(align | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextSingleLine), text)
    return width


def draw_flag_badge(painter: QPainter, rect: QRectF, flag: Flag) -> None:
    """A filled badge with a flag glyph and the word: red 红旗 (yellow flag on red), or
    黑旗 (white on black, with a white edge so it shows against the dark background)."""
    height = rect.height()
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    radius = height * 0.18
    if flag is Flag.RED:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(RED_FILL)
        glyph = ACCENT
    else:
        painter.setPen(QPen(TEXT, max(2.0, height * 0.06)))
        painter.setBrush(BACKGROUND)
        glyph = TEXT
    painter.drawRoundedRect(rect, radius, radius)
    # The glyph: a pole and a waving flag, then the word beside it.
    icon = QRectF(rect.left() + height * 0.28, rect.top() + height * 0.18, height * 0.62, height * 0.64)
    painter.setPen(QPen(glyph, max(2.0, height * 0.07), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    painter.drawLine(QPointF(icon.left(), icon.top()), QPointF(icon.left(), icon.bottom()))
    cloth = QPainterPath()
    top, left, w, h = icon.top(), icon.left(), icon.width(), icon.height() * 0.58
    cloth.moveTo(left, top)
    cloth.cubicTo(left + w * 0.35, top - h * 0.18, left + w * 0.65, top + h * 0.18, left + w, top)
    cloth.lineTo(left + w, top + h)
    cloth.cubicTo(left + w * 0.65, top + h * 1.18, left + w * 0.35, top + h * 0.82, left, top + h)
    cloth.closeSubpath()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(glyph)
    painter.drawPath(cloth)
    label = QRectF(icon.right() + height * 0.12, rect.top(), rect.right() - icon.right() - height * 0.3, height)
    draw_text(painter, label, flag.label, height * 0.56, TEXT, bold=True, align=Qt.AlignmentFlag.AlignCenter)
    painter.restore()


def veto_lines(rows: Iterable[UnitResult]) -> list[str]:
    """One line per vetoed unit, as read out: 马垌村：发生一起较大安全生产事故（并给黑旗）."""
    lines = []
    for result in rows:
        if result.veto_reason:
            flag = f"（并给{result.flag.label}）" if result.flag else ""
            lines.append(f"{result.unit.name}：{result.veto_reason}{flag}")
    return lines


def draw_note_box(painter: QPainter, box: QRectF, title: str, lines: Sequence[str], scale: float) -> None:
    """A boxed list under a table: a title (约谈提醒, 一票否决) and one line per unit."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(WARNING_EDGE, max(2.0, scale / 400)))
    painter.setBrush(WARNING_FILL)
    painter.drawRoundedRect(box, scale / 100, scale / 100)
    painter.restore()
    line_h = box.height() / (len(lines) + 1 + 1 / 1.6)
    line_px = min(scale / 32, line_h / 1.6)
    inner = box.adjusted(scale * 0.02, line_h * 0.3, -scale * 0.02, 0)
    draw_text(
        painter,
        QRectF(inner.left(), inner.top(), inner.width(), line_h),
        title,
        line_px * 1.05,
        WARNING_EDGE,
        bold=True,
    )
    for index, line in enumerate(lines, start=1):
        draw_text(
            painter, QRectF(inner.left(), inner.top() + index * line_h, inner.width(), line_h), line, line_px, TEXT
        )


def note_box_height(lines: int, scale: float) -> float:
    line_px = scale / 32
    return line_px * 1.6 * (lines + 1) + line_px


def draw_pill(
    painter: QPainter, rect: QRectF, text: str, fill: QColor, color: QColor, edge: QColor | None = None
) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(edge, max(2.0, rect.height() * 0.05)) if edge else Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
    draw_text(
        painter,
        rect.adjusted(rect.height() * 0.3, 0, -rect.height() * 0.3, 0),
        text,
        rect.height() * 0.62,
        color,
        bold=True,
        align=Qt.AlignmentFlag.AlignCenter,
    )
    painter.restore()


@dataclass(frozen=True, slots=True)
class RowColumn:
    header: str
    share: float
    align: Qt.AlignmentFlag


def row_columns(components: Sequence[str]) -> list[RowColumn]:
    center, left, right = Qt.AlignmentFlag.AlignCenter, Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignRight
    columns = [
        RowColumn("排名", 0.10, center),
        RowColumn("村（社区）", 0.31, left),
        RowColumn("党组织书记", 0.21, left),
    ]
    columns += [RowColumn(name, 0.0, right) for name in components]
    columns += [RowColumn("综合得分", 0.17, right), RowColumn("红/黑旗", 0.21, center)]
    if components:
        # Component columns take their room from the others, which shrink in proportion.
        taken = min(0.36, 0.12 * len(components))
        columns = [
            RowColumn(c.header, c.share * (1 - taken) if c.share else taken / len(components), c.align) for c in columns
        ]
    return columns


def draw_ranking_rows(
    painter: QPainter,
    area: QRectF,
    rows: Sequence[UnitResult],
    state: ShowState,
    scale: float,
    new: Iterable[UnitResult] = (),
    header: bool = True,
) -> float:
    """The ranking table: a header line, then one band per unit. Returns the bottom edge."""
    components = state.components if state.show_components else ()
    columns = row_columns(components)
    text_px = scale / 26
    row_height = text_px * 1.8
    if rows:
        # Shrink, never spill, when more rows are asked for than the room holds.
        row_height = min(row_height, (area.height() - (text_px * 1.4 if header else 0)) / len(rows))
        text_px = min(text_px, row_height / 1.8)
    pad = text_px * 0.5
    edges = [area.left()]
    for column in columns:
        edges.append(edges[-1] + area.width() * column.share)
    top = area.top()
    if header:
        head = QRectF(area.left(), top, area.width(), text_px * 1.2)
        for column, x0, x1 in zip(columns, edges, edges[1:]):
            draw_text(
                painter,
                QRectF(x0 + pad, head.top(), x1 - x0 - 2 * pad, head.height()),
                column.header,
                text_px * 0.62,
                HEADER_TEXT,
                align=column.align,
            )
        top = head.bottom() + text_px * 0.2
        painter.setPen(QPen(RULE, max(1.0, scale / 540)))
        painter.drawLine(QPointF(area.left(), top), QPointF(area.right(), top))
    new_ids = {r.unit.id for r in new}
    for index, result in enumerate(rows):
        band = QRectF(area.left(), top + index * row_height, area.width(), row_height)
        inner = band.adjusted(0, row_height * 0.05, 0, -row_height * 0.05)
        fill = RED_ROW if result.flag is Flag.RED else BLACK_ROW if result.flag is Flag.BLACK else PLAIN_ROW
        painter.fillRect(inner, fill)
        if result.unit.id in new_ids:
            # Just revealed: a yellow bar at the left edge.
            painter.fillRect(QRectF(inner.left(), inner.top(), max(3.0, scale / 160), inner.height()), ACCENT)
        values = [str(result.rank), result.unit.name, result.unit.secretary]
        values += [result.component_text(name) for name in components]
        values += [result.total, ""]
        for position, (column, value, x0, x1) in enumerate(zip(columns, values, edges, edges[1:])):
            cell = QRectF(x0 + pad, inner.top(), x1 - x0 - 2 * pad, inner.height())
            if column.header == "红/黑旗":
                badge_h = inner.height() * 0.86
                if result.veto_reason:
                    # 一票否决 in words beside the flag it brought (the reason is in the box below).
                    pill_h = inner.height() * 0.7
                    badge_w = min(cell.width() * 0.46, badge_h * 2.9) if result.flag is not None else 0.0
                    pill = QRectF(
                        cell.left() + badge_w + (pad if badge_w else 0),
                        cell.center().y() - pill_h / 2,
                        cell.width() - badge_w - (pad if badge_w else 0),
                        pill_h,
                    )
                    if result.flag is not None:
                        draw_flag_badge(
                            painter, QRectF(cell.left(), cell.center().y() - badge_h / 2, badge_w, badge_h), result.flag
                        )
                    draw_pill(painter, pill, VETO_TEXT, VETO_FILL, BACKGROUND)
                elif result.flag is not None:
                    badge_w = min(cell.width(), badge_h * 2.9)
                    draw_flag_badge(
                        painter,
                        QRectF(cell.center().x() - badge_w / 2, cell.center().y() - badge_h / 2, badge_w, badge_h),
                        result.flag,
                    )
                continue
            if column.header == "综合得分":
                draw_text(painter, cell, value, text_px * 1.08, ACCENT, bold=True, align=column.align)
            elif position == 0:
                draw_text(
                    painter,
                    cell,
                    value,
                    text_px * 1.12,
                    ACCENT if result.rank <= 3 else TEXT,
                    bold=True,
                    align=column.align,
                )
            elif position == 1:
                draw_text(painter, cell, value, text_px, TEXT, bold=True, align=column.align)
            else:
                draw_text(painter, cell, value, text_px * 0.92, SOFT_TEXT, align=column.align)
    return top + len(rows) * row_height


def draw_heading(painter: QPainter, area: QRectF, text: str, scale: float, reserve: float = 0.0) -> QRectF:
    """The slide's heading in yellow (leaving `reserve` at the right for a badge), a rule under
    it; returns the room left below."""
    height = scale / 16 * 1.5
    draw_text(
        painter, QRectF(area.left(), area.top(), area.width() - reserve, height), text, scale / 16, ACCENT, bold=True
    )
    y = area.top() + height + scale * 0.01
    painter.setPen(QPen(ACCENT, max(2.0, scale / 360)))
    painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
    return QRectF(area.left(), y + scale * 0.03, area.width(), area.bottom() - y - scale * 0.03)


class PaintedSlideView(QWidget):
    """A slide drawn with QPainter, every size from the widget's own height: nothing in it
    asks the window for room, so nothing grows past the screen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.fillRect(self.rect(), BACKGROUND)
        scale = scale_of(self.width(), self.height())
        margin = scale * 0.045
        area = QRectF(self.rect()).adjusted(margin * 1.4, margin, -margin * 1.4, -margin * 1.3)
        self.paint(painter, area, scale)
        painter.end()

    def paint(self, painter: QPainter, area: QRectF, scale: float) -> None:
        raise NotImplementedError


# ----- the built-in slides ----------------------------------------------------------------------


class TitleView(PaintedSlideView):
    def __init__(self, slide: TitleSlide, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slide = slide

    def paint(self, painter: QPainter, area: QRectF, scale: float) -> None:
        slide = self.slide
        title_px = scale / 14
        lines = [(slide.township_period, title_px, TEXT, True), (slide.round_title, title_px, TEXT, True)]
        lines = [line for line in lines if line[0]]
        block = sum(px * 1.5 for _, px, _, _ in lines) + scale / 9 * 1.6 + scale / 24 * 1.6
        y = area.top() + max(0.0, (area.height() - block) / 2 - scale * 0.04)
        for text, px, color, bold in lines:
            draw_text(
                painter,
                QRectF(area.left(), y, area.width(), px * 1.5),
                text,
                px,
                color,
                bold=bold,
                align=Qt.AlignmentFlag.AlignCenter,
            )
            y += px * 1.5
        y += scale * 0.02
        draw_text(
            painter,
            QRectF(area.left(), y, area.width(), scale / 9 * 1.6),
            RANKING_TITLE,
            scale / 9,
            ACCENT,
            bold=True,
            align=Qt.AlignmentFlag.AlignCenter,
        )
        y += scale / 9 * 1.6
        draw_text(
            painter,
            QRectF(area.left(), y, area.width(), scale / 24 * 1.6),
            slide.date_line,
            scale / 24,
            SOFT_TEXT,
            align=Qt.AlignmentFlag.AlignCenter,
        )
        bottom = area.bottom()
        hint_px = scale / 62
        draw_text(
            painter,
            QRectF(area.left(), bottom - hint_px * 1.5, area.width(), hint_px * 1.5),
            KEYS_HINT,
            hint_px,
            DIM_TEXT,
            align=Qt.AlignmentFlag.AlignCenter,
        )
        note_px = scale / 40
        for note in reversed(slide.notes):
            bottom -= hint_px * 2.2 if bottom == area.bottom() else note_px * 1.6
            draw_text(
                painter,
                QRectF(area.left(), bottom - note_px * 1.5, area.width(), note_px * 1.5),
                note,
                note_px,
                WARNING_EDGE,
                align=Qt.AlignmentFlag.AlignCenter,
            )


@dataclass(frozen=True, slots=True)
class TitleSlide:
    township_period: str
    round_title: str
    date_line: str
    notes: tuple[str, ...] = ()
    title: str = TITLE_SLIDE
    draws_title: bool = True

    def build(self, parent: QWidget) -> QWidget:
        return TitleView(self, parent)


class RankingView(PaintedSlideView):
    def __init__(self, slide: RankingSlide, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slide = slide

    def paint(self, painter: QPainter, area: QRectF, scale: float) -> None:
        step, state = self.slide.step, self.slide.state
        if step.phase is Phase.WINNER:
            self._paint_winners(painter, area, scale)
            return
        pill_h = scale / 16 * 1.05
        body = draw_heading(painter, area, f"{state.heading}　{RANKING_TITLE}", scale, reserve=pill_h * 4.6)
        pill = QRectF(area.right() - pill_h * 4.2, area.top() + (scale / 16 * 1.5 - pill_h) / 2, pill_h * 4.2, pill_h)
        if step.phase is Phase.RED:
            draw_pill(painter, pill, "红旗", RED_FILL, TEXT)
        elif step.phase is Phase.BLACK:
            draw_pill(painter, pill, "黑旗", BACKGROUND, TEXT, edge=TEXT)
        else:
            ranks = [r.rank for r in step.new]
            draw_pill(painter, pill, f"第 {min(ranks)}–{max(ranks)} 名", QColor("#1f1f1f"), TEXT, edge=RULE)
        rows = step.visible
        vetoes = veto_lines(rows)
        if vetoes:
            # The vetoed unit's reason is read out with it: a box under the table.
            box_h = min(note_box_height(len(vetoes), scale), body.height() * 0.3)
            draw_note_box(
                painter, QRectF(body.left(), body.bottom() - box_h, body.width(), box_h), VETO_TEXT, vetoes, scale
            )
            body = body.adjusted(0, 0, 0, -(box_h + scale * 0.03))
        # Rows fill the screen from the bottom up, as they are read out.
        text_px = scale / 26
        header_h = text_px * 1.4
        row_h = min(text_px * 1.8, (body.height() - header_h) / step.capacity)
        free = step.capacity - len(rows)
        table = QRectF(body.left(), body.top(), body.width(), header_h + row_h * step.capacity)
        if free:
            header_only = QRectF(table.left(), table.top(), table.width(), header_h)
            draw_ranking_rows(painter, header_only, (), state, scale)
            table = QRectF(table.left(), table.top() + row_h * free, table.width(), header_h + row_h * len(rows))
            draw_ranking_rows(painter, table.adjusted(0, header_h, 0, 0), rows, state, scale, step.new, header=False)
        else:
            draw_ranking_rows(painter, table, rows, state, scale, step.new)

    def _paint_winners(self, painter: QPainter, area: QRectF, scale: float) -> None:
        step = self.slide.step
        body = draw_heading(painter, area, f"{self.slide.state.heading}　综合排名第一名", scale)
        count = len(step.new)
        share = body.height() / count
        for index, result in enumerate(step.new):
            card = QRectF(body.left(), body.top() + index * share, body.width(), share)
            size = min(scale, share / 0.78)  # one winner gets the whole screen, two share it
            lines = [
                (f"第 {result.rank} 名", size / 11, ACCENT, True),
                (result.unit.name, size / 6.5, TEXT, True),
                (f"党组织书记　{result.unit.secretary}" if result.unit.secretary else "", size / 17, SOFT_TEXT, False),
                (f"综合得分　{result.total}", size / 12, ACCENT, True),
            ]
            if self.slide.state.show_components and result.components:
                parts = "　".join(f"{name} {result.component_text(name)}" for name in self.slide.state.components)
                lines.append((parts, size / 24, SOFT_TEXT, False))
            badge_h = size / 9 if result.flag else 0
            block = sum(px * 1.35 for _, px, _, _ in lines) + badge_h * 1.2
            y = card.top() + max(0.0, (card.height() - block) / 2)
            for text, px, color, bold in lines:
                draw_text(
                    painter,
                    QRectF(card.left(), y, card.width(), px * 1.35),
                    text,
                    px,
                    color,
                    bold=bold,
                    align=Qt.AlignmentFlag.AlignCenter,
                )
                y += px * 1.35
            if result.flag is not None:
                width = badge_h * 2.9
                draw_flag_badge(
                    painter, QRectF(card.center().x() - width / 2, y + badge_h * 0.15, width, badge_h), result.flag
                )


@dataclass(frozen=True, slots=True)
class RankingSlide:
    step: RevealStep
    state: ShowState = field(compare=False)
    draws_title: bool = True

    @property
    def title(self) -> str:
        return self.step.title

    def build(self, parent: QWidget) -> QWidget:
        return RankingView(self, parent)


class FlagSummaryView(PaintedSlideView):
    def __init__(self, slide: FlagSummarySlide, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slide = slide

    def paint(self, painter: QPainter, area: QRectF, scale: float) -> None:
        slide = self.slide
        badge_h = scale / 16 * 1.05
        body = draw_heading(painter, area, f"{slide.state.heading}　{slide.title}", scale, reserve=badge_h * 3.3)
        draw_flag_badge(
            painter,
            QRectF(area.right() - badge_h * 2.9, area.top() + (scale / 16 * 1.5 - badge_h) / 2, badge_h * 2.9, badge_h),
            slide.flag,
        )
        # Boxes under the table: 一票否决 with its reasons, then 约谈提醒.
        boxes = [
            (title, lines)
            for title, lines in (
                (VETO_TEXT, veto_lines(slide.rows)),
                ("约谈提醒", [f"{unit}：{warning}" for unit, warning in slide.warnings]),
            )
            if lines
        ]
        heights = [min(note_box_height(len(lines), scale), body.height() * 0.45 / len(boxes)) for _, lines in boxes]
        text_px = scale / 26
        table_h = body.height() - sum(h + scale * 0.03 for h in heights)
        needed = text_px * 1.4 + text_px * 1.8 * len(slide.rows)
        table = QRectF(body.left(), body.top(), body.width(), min(table_h, needed))
        bottom = draw_ranking_rows(painter, table, slide.rows, slide.state, scale)
        for (title, lines), box_h in zip(boxes, heights):
            box = QRectF(body.left(), bottom + scale * 0.03, body.width(), box_h)
            draw_note_box(painter, box, title, lines, scale)
            bottom = box.bottom()


@dataclass(frozen=True, slots=True)
class FlagSummarySlide:
    flag: Flag
    rows: tuple[UnitResult, ...]
    state: ShowState = field(compare=False)
    warnings: tuple[tuple[str, str], ...] = ()
    draws_title: bool = True

    @property
    def title(self) -> str:
        return RED_SUMMARY_TITLE if self.flag is Flag.RED else BLACK_SUMMARY_TITLE

    def build(self, parent: QWidget) -> QWidget:
        return FlagSummaryView(self, parent)


class FramedSlide(QWidget):
    """An extra slide: its title painted as a heading, the built widget in the room below.
    The child is placed by hand (no layout), so its size wishes never resize the window."""

    def __init__(self, slide: Slide, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.title = slide.title
        self.content = slide.build(self)
        self.content.setParent(self)

    def _room(self) -> tuple[QRectF, float]:
        scale = scale_of(self.width(), self.height())
        margin = scale * 0.045
        return QRectF(self.rect()).adjusted(margin * 1.4, margin, -margin * 1.4, -margin * 1.3), scale

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        area, scale = self._room()
        draw_heading(painter, area, self.title, scale)
        painter.end()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        area, scale = self._room()
        top = area.top() + scale / 16 * 1.5 + scale * 0.04
        self.content.setGeometry(QRectF(area.left(), top, area.width(), area.bottom() - top).toRect())


# ----- the window -------------------------------------------------------------------------------


class MeetingWindow(QWidget):
    """Full-screen show of a round: title, the ranking revealed step by step, the red and black
    flags with 约谈提醒, then any extra slides (trend charts). Reads the core once, when made."""

    step_changed = Signal(int)

    NEXT_KEYS = frozenset(
        {Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Space, Qt.Key.Key_PageDown, Qt.Key.Key_Return, Qt.Key.Key_Enter}
    )
    BACK_KEYS = frozenset({Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_PageUp, Qt.Key.Key_Backspace})

    def __init__(
        self,
        core: Core,
        round_id: int,
        extra_slides: Iterable[Slide] = (),
        show_judges: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.round_id = round_id
        detail: RoundDetail = core.rounds.get_round(round_id)
        results = core.rounds.results(round_id)
        township = core.settings.township().township_or_placeholder
        histories = core.rounds.flag_history([u.unit_id for u in detail.units])
        self.state = ShowState(
            detail.summary.period.label, tuple(c.name for c in detail.scheme.components), show_judges
        )
        self.slides: list[Slide] = self._own_slides(detail, results, township, histories) + list(extra_slides)
        self._widgets: dict[int, QWidget] = {}
        self._step = 0

        self.setWindowTitle(f"会议展示 — {detail.summary.label}")
        # A palette, not a style sheet: a style sheet would cascade into the extra slides' widgets.
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, BACKGROUND)
        self.setPalette(palette)
        self.setAutoFillBackground(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.resize(1280, 720)
        self.indicator = QLabel(self)
        self.indicator.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.indicator.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)
        self._show_step()

    # ----- what is shown ------------------------------------------------------------------------

    def _own_slides(
        self, detail: RoundDetail, results: RoundResults, township: str, histories: list[FlagHistory]
    ) -> list[Slide]:
        summary = detail.summary
        day = summary.event_date or date.today()
        notes = []
        if not results.finalised:
            notes.append("结果尚未定稿，仅供预览")
        unranked = [r.unit.name for r in results.results if r.rank is None] + [u.name for u in results.not_visited]
        if unranked:
            listed = "、".join(unranked) if len(unranked) <= 6 else f"{len(unranked)} 个村（社区）"
            notes.append(f"未参加排名：{listed}")
        slides: list[Slide] = [
            TitleSlide(f"{township}{summary.period.label}", summary.title, date_text(day), tuple(notes))
        ]
        slides += [RankingSlide(step, self.state) for step in reveal_steps(results.results)]
        ranked = [r for r in results.results if r.rank is not None]
        red = tuple(r for r in ranked if r.flag is Flag.RED)
        black = tuple(r for r in ranked if r.flag is Flag.BLACK)
        if red:
            slides.append(FlagSummarySlide(Flag.RED, red, self.state))
        warnings = tuple(talk_warnings(results, summary.period, histories))
        if black:
            slides.append(FlagSummarySlide(Flag.BLACK, black, self.state, warnings))
        return slides

    @property
    def step(self) -> int:
        """The step shown, from 0 (the title slide) to step_count - 1."""
        return self._step

    @property
    def step_count(self) -> int:
        return len(self.slides)

    @property
    def current_slide(self) -> Slide:
        return self.slides[self._step]

    @property
    def current_slide_title(self) -> str:
        return self.current_slide.title

    @property
    def current_widget(self) -> QWidget:
        return self._widgets[self._step]

    @property
    def visible_rows(self) -> tuple[UnitResult, ...]:
        """The units on screen when the ranking is shown, best rank first; else none."""
        slide = self.current_slide
        if isinstance(slide, RankingSlide):
            return slide.step.visible
        if isinstance(slide, FlagSummarySlide):
            return slide.rows
        return ()

    @property
    def show_judges(self) -> bool:
        return self.state.show_components

    # ----- moving -------------------------------------------------------------------------------

    def go_to(self, step: int) -> bool:
        step = max(0, min(step, self.step_count - 1))
        if step == self._step:
            return False
        self._step = step
        self._show_step()
        self.step_changed.emit(step)
        return True

    def advance(self) -> bool:
        return self.go_to(self._step + 1)

    def back(self) -> bool:
        return self.go_to(self._step - 1)

    def toggle_components(self) -> None:
        self.state.show_components = not self.state.show_components
        self._widgets[self._step].update()

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    def present(self) -> None:
        """Full screen; with a projector as a second screen, on the screen the program is not on."""
        screens = QGuiApplication.screens()
        owner = self.parentWidget().window().screen() if self.parentWidget() else None
        others = [s for s in screens if s is not owner]
        if owner is not None and len(screens) > 1 and others:
            self.setScreen(others[0])
            self.move(others[0].geometry().topLeft())
        self.showFullScreen()
        self.activateWindow()

    def _show_step(self) -> None:
        widget = self._widgets.get(self._step)
        if widget is None:
            widget = self._build(self.slides[self._step])
            self._widgets[self._step] = widget
        for other in self._widgets.values():
            if other is not widget:
                other.hide()
        widget.setGeometry(self.rect())
        widget.show()
        self.indicator.setText(f"{self._step + 1} / {self.step_count}")
        self.indicator.raise_()
        self.setFocus()

    def _build(self, slide: Slide) -> QWidget:
        widget = slide.build(self) if getattr(slide, "draws_title", False) else FramedSlide(slide, self)
        # Keys and clicks go to the show, not to a chart inside a slide.
        for child in (widget, *widget.findChildren(QWidget)):
            child.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            child.installEventFilter(self)
        return widget

    # ----- events -------------------------------------------------------------------------------

    def handle_key(self, key: int) -> bool:
        if key in self.NEXT_KEYS:
            self.advance()
        elif key in self.BACK_KEYS:
            self.back()
        elif key == Qt.Key.Key_Home:
            self.go_to(0)
        elif key == Qt.Key.Key_End:
            self.go_to(self.step_count - 1)
        elif key == Qt.Key.Key_Escape:
            self.close()
        elif key in (Qt.Key.Key_F5, Qt.Key.Key_F):
            self.toggle_full_screen()
        elif key == Qt.Key.Key_J:
            self.toggle_components()
        else:
            return False
        return True

    def handle_click(self, button: Qt.MouseButton) -> bool:
        if button == Qt.MouseButton.LeftButton:
            self.advance()
        elif button == Qt.MouseButton.RightButton:
            self.back()
        else:
            return False
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.handle_key(event.key()):
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if not self.handle_click(event.button()):
            super().mousePressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            return self.handle_key(event.key())
        if event.type() == QEvent.Type.MouseButtonPress:
            return self.handle_click(event.button())
        return super().eventFilter(watched, event)

    def contextMenuEvent(self, event) -> None:
        event.accept()  # the right button steps back; no menu

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._step in self._widgets:
            self._widgets[self._step].setGeometry(self.rect())
        scale = scale_of(self.width(), self.height())
        px = max(11, int(scale / 54))
        self.indicator.setFont(make_font(px))
        self.indicator.setStyleSheet("color: #6e6e6e; background: transparent;")
        width, height = int(px * 8), int(px * 1.8)
        self.indicator.setGeometry(
            self.width() - width - int(px * 1.2), self.height() - height - int(px * 0.6), width, height
        )
