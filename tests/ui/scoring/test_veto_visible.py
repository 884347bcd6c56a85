"""一票否决 is visible wherever a rank or flag is shown: the meeting show (the vetoed unit's slide
and the black-flag list, with the reason), the trend charts (a marker of its own, the reason in
the hover text) and the flag grid, on the demo township's 2024Q1 round."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

import ui.meeting.show as meeting_module
from lsb_desktop.demo import VETO
from lsb_desktop.domain.period import Period
from lsb_desktop.domain.scoring import Flag
from ui.meeting.show import BLACK_SUMMARY_TITLE, FlagSummarySlide, MeetingWindow, Phase, RankingSlide
from ui.widgets.charts import VETO_SYMBOL, VETO_TEXT, FlagGrid, FlagGridModel, RankBumpChart, ScoreTrendChart

pytestmark = pytest.mark.gui

PERIOD, UNIT, REASON = Period(*VETO[0]), VETO[1], VETO[2]


@pytest.fixture
def veto_round(demo_core) -> int:
    return demo_core.rounds.find_round(PERIOD.short_label)


@pytest.fixture
def drawn_texts(monkeypatch) -> list[str]:
    """Every text the meeting slides paint, in order."""
    texts: list[str] = []
    original = meeting_module.draw_text

    def recording(painter, rect, text, *args, **kwargs):
        texts.append(text)
        return original(painter, rect, text, *args, **kwargs)

    monkeypatch.setattr(meeting_module, "draw_text", recording)
    return texts


def show(qtbot, widget, size=(1366, 768)):
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def has_colour(image: QImage, colour: QColor) -> bool:
    wanted = colour.rgb()
    return any(image.pixel(x, y) == wanted for x in range(0, image.width(), 3) for y in range(0, image.height(), 3))


# ----- the meeting show ------------------------------------------------------------------------


def test_the_vetoed_units_slide_says_veto_and_the_reason(
    qtbot, demo_core, veto_round, drawn_texts, tmp_path: Path
) -> None:
    result = demo_core.rounds.results(veto_round).of(UNIT)
    assert result.veto_reason == REASON and result.flag is Flag.BLACK  # the demo's own setting
    window = show(qtbot, MeetingWindow(demo_core, veto_round), (1920, 1080))
    step = next(
        i
        for i, s in enumerate(window.slides)
        if isinstance(s, RankingSlide) and [r.unit.name for r in s.step.new] == [UNIT]
    )
    assert window.slides[step].step.phase is Phase.BLACK

    window.go_to(step)
    drawn_texts.clear()
    image = window.grab().toImage()
    image.save(str(tmp_path / "meeting-veto.png"))

    assert "一票否决" in drawn_texts  # the pill in the unit's row and the box's title
    assert f"{UNIT}：{REASON}（并给黑旗）" in drawn_texts
    assert has_colour(image, meeting_module.VETO_FILL)

    # While its row stays on the screen, so does the reason.
    later = [
        i
        for i, sl in enumerate(window.slides)
        if isinstance(sl, RankingSlide) and i > step and UNIT in [r.unit.name for r in sl.step.visible]
    ]
    for index in later:
        window.go_to(index)
        drawn_texts.clear()
        window.grab()
        assert f"{UNIT}：{REASON}（并给黑旗）" in drawn_texts

    # A round without a veto: its black flags' slides have no such pill or box.
    newest = show(qtbot, MeetingWindow(demo_core, demo_core.rounds.list_rounds()[0].id), (1920, 1080))
    assert not any(r.veto_reason for r in demo_core.rounds.results(newest.round_id).results)
    newest.go_to(
        next(i for i, sl in enumerate(newest.slides) if isinstance(sl, RankingSlide) and sl.step.phase is Phase.BLACK)
    )
    drawn_texts.clear()
    assert not has_colour(newest.grab().toImage(), meeting_module.VETO_FILL)
    assert "一票否决" not in drawn_texts


def test_the_black_flag_list_names_the_veto_and_its_reason(
    qtbot, demo_core, veto_round, drawn_texts, tmp_path: Path
) -> None:
    window = show(qtbot, MeetingWindow(demo_core, veto_round), (1366, 768))
    summary = next(
        i for i, s in enumerate(window.slides) if isinstance(s, FlagSummarySlide) and s.title == BLACK_SUMMARY_TITLE
    )
    assert UNIT in [r.unit.name for r in window.slides[summary].rows]
    window.go_to(summary)
    drawn_texts.clear()
    window.grab().save(str(tmp_path / "meeting-black-summary-veto.png"))
    assert drawn_texts.count("一票否决") == 2  # the row's pill and the box's title
    assert f"{UNIT}：{REASON}（并给黑旗）" in drawn_texts


# ----- trend charts and the flag grid ---------------------------------------------------------


def test_the_score_chart_marks_the_vetoed_quarter_and_says_why(qtbot, demo_core, tmp_path: Path) -> None:
    trend = demo_core.trends.overview()
    series = next(u for u in trend.units if u.name == UNIT)
    index = trend.periods.index(PERIOD)
    chart = show(qtbot, ScoreTrendChart(), (1000, 620))
    chart.set_data(trend, [series.unit_id])

    spots = chart.flag_items[series.unit_id].points()
    veto_spots = [s for s in spots if s.symbol() == VETO_SYMBOL]
    assert [(s.pos().x(), s.data()) for s in veto_spots] == [(float(index), VETO_TEXT)]
    # Other quarters' black flags keep their square.
    assert all(s.symbol() == "s" for s in spots if s.data() == "黑旗")
    assert VETO_TEXT in [label.text for _sample, label in chart.legend.items]
    text = chart.point_text(series.unit_id, index)
    assert f"一票否决：{REASON}" in text and "黑旗" in text
    # The hover box shows it where the mouse is.
    described = chart.describe_at(float(index), float(series.point(index).total))
    assert described is not None and REASON in described[0]
    chart.export_png(tmp_path / "score-veto.png", 1280, 720)

    rank_chart = show(qtbot, RankBumpChart(), (1000, 620))
    rank_chart.set_data(trend, [series.unit_id])
    assert [s.symbol() for s in rank_chart.flag_items[series.unit_id].points()].count(VETO_SYMBOL) == 1
    assert f"一票否决：{REASON}" in rank_chart.point_text([series], index)


def test_the_flag_grid_shows_the_veto_with_its_reason(qtbot, demo_core, tmp_path: Path) -> None:
    trend = demo_core.trends.overview()
    grid = show(qtbot, FlagGrid(), (1200, 700))
    grid.set_data(trend)
    model = grid.model
    row = model.find_row(lambda s: s.name == UNIT)
    index = model.index(row, FlagGridModel.FIRST_PERIOD_COLUMN + trend.periods.index(PERIOD))
    assert model.data(index) == "否黑"
    assert f"一票否决：{REASON}" in model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert model.data(index, Qt.ItemDataRole.BackgroundRole) == QColor("#6a1b9a")
    assert "否：一票否决" in grid.legend_label.text()
    # Every other cell of the grid says nothing of a veto.
    others = [
        model.data(model.index(r, c))
        for r in range(model.rowCount())
        for c in range(FlagGridModel.FIRST_PERIOD_COLUMN, model.columnCount())
        if (r, c) != (row, index.column())
    ]
    assert not any("否" in (text or "") for text in others)
    grid.export_png(tmp_path / "flag-grid-veto.png", 1600, 900)


def test_the_villages_tab_says_veto_beside_the_flag(qtbot, demo_core) -> None:
    from ui.villages.tab import VillagesTab

    tab = show(qtbot, VillagesTab(demo_core), (1100, 700))
    unit = next(u for u in demo_core.villages.list_units() if u.name == UNIT)
    assert tab.select_unit(unit.id)
    model = tab.flags_model
    row = model.find_row(lambda r: r.period == PERIOD)
    index = model.index(row, 2)
    assert model.data(index) == "黑旗（一票否决）"
    assert model.data(index, Qt.ItemDataRole.ToolTipRole) == f"一票否决：{REASON}"
    others = [model.data(model.index(r, 2)) for r in range(model.rowCount()) if r != row]
    assert not any("一票否决" in text for text in others)
