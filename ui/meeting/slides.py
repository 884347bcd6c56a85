"""The meeting show of a round as the scoring tab starts it: the round's own slides, then the
trend and 五星 charts, read from the core's services before the show so changing slides never waits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from ui.meeting.show import MeetingWindow, WidgetSlide

if TYPE_CHECKING:
    from lsb_desktop.core import Core


def start_show(core: Core, round_id: int, parent: QWidget, replacing: MeetingWindow | None = None) -> MeetingWindow:
    """会议展示 of round `round_id`, full screen, in place of the show `replacing` (closed once
    the new one is ready). Raises LsbError when the round cannot be read; the old show stays."""
    slides = trend_slides(core, round_id) + star_slides(core)
    window = MeetingWindow(core, round_id, extra_slides=slides, parent=parent)
    if replacing is not None:
        replacing.close()
        replacing.deleteLater()
    window.present()
    return window


def trend_slides(core: Core, round_id: int) -> tuple[WidgetSlide, ...]:
    """After the ranking: this round's flag holders across the quarters, and every unit's rank;
    none while fewer than two quarters are finalised."""
    trend = core.trends.overview()
    if len(trend.periods) < 2:
        return ()
    results = core.rounds.results(round_id).results
    flagged = [r.unit.unit_id for r in results if r.flag is not None][:8]
    names = {s.unit_id for s in trend.units}
    chosen = [unit_id for unit_id in flagged if unit_id in names]

    def score_chart(parent: QWidget) -> QWidget:
        from ui.widgets.charts import ScoreTrendChart  # pyqtgraph: only when the slide is shown

        chart = ScoreTrendChart(parent)
        chart.set_data(trend, chosen)
        return chart

    def rank_chart(parent: QWidget) -> QWidget:
        from ui.widgets.charts import RankBumpChart

        chart = RankBumpChart(parent)
        chart.set_data(trend, chosen)
        return chart

    return (WidgetSlide("红黑旗单位历次综合得分", score_chart), WidgetSlide("各村（社区）历次排名", rank_chart))


def star_slides(core: Core) -> tuple[WidgetSlide, ...]:
    """The township's 五星支部 level distribution across the years, with the ≥3★ target,
    when there is star data."""
    years = sorted(core.stars.years())
    if not years:
        return ()
    levels = core.stars.level_history(years)
    targets = {year: core.stars.targets(year).percents.get(3) for year in years}

    def level_chart(parent: QWidget) -> QWidget:
        from ui.stars.charts import LevelDistributionChart  # pyqtgraph: only when shown

        chart = LevelDistributionChart(parent)
        chart.set_data(levels, targets)
        return chart

    return (WidgetSlide("五星支部星级分布", level_chart),)
