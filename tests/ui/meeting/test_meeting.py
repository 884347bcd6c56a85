"""会议展示: the reveal order, moving with keys and clicks, leaving with Esc, and screenshots at
projector and laptop sizes, on the demo data's newest round."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from lsb_desktop.domain.period import Period
from lsb_desktop.domain.scoring import Flag
from lsb_desktop.services.rounds import RoundDraft
from ui.meeting.show import (
    BLACK_SUMMARY_TITLE,
    RED_SUMMARY_TITLE,
    TITLE_SLIDE,
    FlagSummarySlide,
    MeetingWindow,
    Phase,
    RankingSlide,
    TitleSlide,
    WidgetSlide,
    reveal_steps,
)
from ui.scoring.tab import ScoringTab

pytestmark = pytest.mark.gui


@pytest.fixture
def newest(demo_core) -> int:
    return demo_core.rounds.list_rounds()[0].id


@pytest.fixture
def meeting(qtbot, demo_core, newest) -> MeetingWindow:
    window = MeetingWindow(demo_core, newest)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    return window


def ranking_steps(window: MeetingWindow) -> list[int]:
    return [i for i, slide in enumerate(window.slides) if isinstance(slide, RankingSlide)]


def test_the_first_step_is_the_title_slide(meeting, demo_core, newest):
    assert meeting.step == 0
    assert meeting.current_slide_title == TITLE_SLIDE
    assert meeting.visible_rows == ()
    results = demo_core.rounds.results(newest)
    # title + one step per black flag + 2 screenfuls of the middle + the red flags below rank 1
    # + rank 1 alone + the red and black summaries.
    flags = [r.flag for r in results.results]
    black, red = flags.count(Flag.BLACK), flags.count(Flag.RED)
    middle = len(flags) - black - red
    assert (black, red, middle) == (4, 4, 15)
    assert meeting.step_count == 1 + black + 2 + (red - 1) + 1 + 2
    assert meeting.indicator.text() == f"1 / {meeting.step_count}"


def test_black_flags_come_first_and_rank_one_only_at_the_last_ranking_step(meeting, demo_core, newest):
    results = demo_core.rounds.results(newest)
    steps = ranking_steps(meeting)
    assert steps == list(range(1, len(steps) + 1))
    seen: list[str] = []  # each unit's name the first time it is on screen
    phases = []
    for _ in steps:
        assert meeting.advance()
        phases.append(meeting.current_slide.step.phase)
        rows = meeting.visible_rows
        assert rows, "every ranking step shows something"
        assert [r.rank for r in rows] == sorted(r.rank for r in rows), "best rank at the top"
        for row in reversed(rows):  # read out from the bottom of the screen up
            if row.unit.name not in seen:
                seen.append(row.unit.name)
        if meeting.step != steps[-1]:
            assert all(r.rank != 1 for r in rows), "rank 1 only at the last ranking step"
    first_flags = [results.of(name).flag for name in seen]
    last_black = max(i for i, f in enumerate(first_flags) if f is Flag.BLACK)
    first_red = min(i for i, f in enumerate(first_flags) if f is Flag.RED)
    assert last_black < first_red, "every black flag is revealed before any red flag"
    assert [results.of(name).rank for name in seen] == list(range(23, 0, -1)), "revealed from the bottom up"
    assert phases == [Phase.BLACK] * 4 + [Phase.MIDDLE] * 2 + [Phase.RED] * 3 + [Phase.WINNER]
    # The last ranking step: rank 1, alone.
    assert [r.rank for r in meeting.visible_rows] == [1]
    assert meeting.visible_rows[0].flag is Flag.RED
    # Each step adds rows: the revealed set only grows.
    revealed = [len(meeting.slides[i].step.revealed) for i in steps]
    assert revealed == sorted(revealed) and revealed[-1] == 23
    assert all(len(meeting.slides[i].step.visible) <= 10 for i in steps), "a step fits one screen"


def test_summaries_follow_with_the_talk_warnings(meeting):
    meeting.go_to(ranking_steps(meeting)[-1] + 1)
    assert meeting.current_slide_title == RED_SUMMARY_TITLE
    assert [r.rank for r in meeting.visible_rows] == [1, 2, 3, 4]
    assert meeting.advance()
    slide = meeting.current_slide
    assert isinstance(slide, FlagSummarySlide) and slide.title == BLACK_SUMMARY_TITLE
    assert all(r.flag is Flag.BLACK for r in meeting.visible_rows)
    assert slide.warnings == (
        ("王庄村", "连续 3 个季度获黑旗，请按规定处理"),
        ("石佛寺村", "连续 2 个季度获黑旗，应进行约谈（约谈提醒）"),
    )
    assert not meeting.advance(), "the black summary is the last slide without extras"


def test_an_older_round_counts_streaks_up_to_itself(qtbot, demo_core):
    rounds = demo_core.rounds.list_rounds()
    oldest = rounds[-1].id
    window = MeetingWindow(demo_core, oldest)
    qtbot.addWidget(window)
    black = next(s for s in window.slides if isinstance(s, FlagSummarySlide) and s.flag is Flag.BLACK)
    assert black.warnings == (), "the first quarter has no streak yet, whatever came later"


def test_keys_and_clicks_move_back_and_forth_and_esc_leaves(qtbot, meeting):
    QTest.keyClick(meeting, Qt.Key.Key_Right)
    QTest.keyClick(meeting, Qt.Key.Key_Space)
    QTest.keyClick(meeting, Qt.Key.Key_PageDown)
    QTest.keyClick(meeting, Qt.Key.Key_Return)
    assert meeting.step == 4
    QTest.keyClick(meeting, Qt.Key.Key_Left)
    QTest.keyClick(meeting, Qt.Key.Key_Backspace)
    assert meeting.step == 2
    assert meeting.back() and meeting.step == 1
    qtbot.mouseClick(meeting.current_widget, Qt.MouseButton.LeftButton)
    assert meeting.step == 2
    qtbot.mouseClick(meeting.current_widget, Qt.MouseButton.RightButton)
    assert meeting.step == 1
    QTest.keyClick(meeting, Qt.Key.Key_End)
    assert meeting.step == meeting.step_count - 1
    assert meeting.indicator.text() == f"{meeting.step_count} / {meeting.step_count}"
    assert not meeting.advance()
    QTest.keyClick(meeting, Qt.Key.Key_Home)
    assert meeting.step == 0 and not meeting.back()
    QTest.keyClick(meeting, Qt.Key.Key_Escape)
    assert not meeting.isVisible()


def test_j_shows_and_hides_the_component_scores(qtbot, demo_core, newest):
    window = MeetingWindow(demo_core, newest)
    qtbot.addWidget(window)
    assert not window.show_judges
    QTest.keyClick(window, Qt.Key.Key_J)
    assert window.show_judges
    QTest.keyClick(window, Qt.Key.Key_J)
    assert not window.show_judges
    shown = MeetingWindow(demo_core, newest, show_judges=True)
    qtbot.addWidget(shown)
    assert shown.show_judges


def test_extra_slides_come_last_with_their_title_and_keys_still_work(qtbot, demo_core, newest):
    made = []

    def chart(parent):
        label = QLabel("趋势图", parent)
        label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        made.append(label)
        return label

    window = MeetingWindow(demo_core, newest, extra_slides=[WidgetSlide("得分趋势", chart)])
    qtbot.addWidget(window)
    window.show()
    assert not made, "a slide is built only when it is first shown"
    QTest.keyClick(window, Qt.Key.Key_End)
    assert window.current_slide_title == "得分趋势"
    assert len(made) == 1 and made[0].isVisible()
    QTest.keyClick(made[0], Qt.Key.Key_Left)  # a key on the chart still moves the show
    assert window.current_slide_title == BLACK_SUMMARY_TITLE
    QTest.keyClick(window, Qt.Key.Key_End)
    assert len(made) == 1, "a slide is built once"


def test_the_reveal_order_with_ties_at_the_top_and_no_flags(demo_core, newest):
    results = demo_core.rounds.results(newest).results
    steps = reveal_steps(results, capacity=10)
    assert [len(s.new) for s in steps] == [1, 1, 1, 1, 8, 7, 1, 1, 1, 1]
    unflagged = [r.__class__(r.unit, r.rank, r.composite, r.components, r.judges) for r in results]
    steps = reveal_steps(unflagged, capacity=10)
    assert [s.phase for s in steps] == [Phase.MIDDLE] * 3 + [Phase.WINNER]
    assert [len(s.new) for s in steps] == [8, 7, 7, 1]
    assert reveal_steps(()) == []


def test_a_draft_round_says_so_and_leaves_out_units_not_visited(qtbot, demo_core):
    detail = demo_core.rounds.create_round(
        RoundDraft(Period(2025, 1), judges=("王建国", "李秀英"), red=1, black=1)
    ).value
    scored = dict(zip(detail.units[:3], ("0.9", "0.8", "0.7")))
    demo_core.rounds.set_scores(
        detail.id,
        [
            (judge.id, unit.id, criterion.name, criterion.max_points * Decimal(share))
            for judge in detail.judges
            for unit, share in scored.items()
            for component in detail.scheme.components
            for criterion in component.criteria
        ],
    )
    away = detail.units[3]
    demo_core.rounds.set_visited(detail.id, away.id, False, "村委换届")
    window = MeetingWindow(demo_core, detail.id)
    qtbot.addWidget(window)
    title = window.slides[0]
    assert isinstance(title, TitleSlide)
    assert title.notes == ("结果尚未定稿，仅供预览", f"未参加排名：{away.name}")
    steps = [s.step for s in window.slides if isinstance(s, RankingSlide)]
    assert away.name not in {r.unit.name for s in steps for r in s.revealed}
    assert steps[-1].phase is Phase.WINNER and [r.unit.name for r in steps[-1].new] == [detail.units[0].name]
    window.resize(1366, 768)
    window.show()
    assert not window.grab().isNull()


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1366, 768)])
def test_screenshots_at_projector_and_laptop_sizes(qtbot, demo_core, newest, width, height, screenshots):
    window = MeetingWindow(demo_core, newest, show_judges=True)
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    qtbot.waitExposed(window)
    assert window.size().width() == width and window.size().height() == height
    # The first red step: ten rows on screen, red and plain ones, with component scores.
    window.go_to(
        next(i for i, s in enumerate(window.slides) if isinstance(s, RankingSlide) and s.step.phase is Phase.RED)
    )
    assert any(r.flag is Flag.RED for r in window.visible_rows)
    path = screenshots / f"meeting-{width}.png"
    assert window.grab().save(str(path))
    image = QImage(str(path))
    assert (image.width(), image.height()) == (width, height)
    # The other slides, for looking at.
    for name, step in (
        ("title", 0),
        ("black", 1),
        ("winner", ranking_steps(window)[-1]),
        ("black-summary", window.step_count - 1),
    ):
        window.go_to(step)
        assert window.grab().save(str(screenshots / f"meeting-{width}-{name}.png"))


def test_the_scoring_tab_opens_meeting_mode_for_the_shown_round(qtbot, demo_core):
    tab = ScoringTab(demo_core)
    qtbot.addWidget(tab)
    tab.show()
    rounds = demo_core.rounds.list_rounds()
    assert tab.ui.round_combo.findData(rounds[1].id) >= 0
    tab.ui.round_combo.setCurrentIndex(tab.ui.round_combo.findData(rounds[1].id))
    assert tab.ui.meeting_button.isEnabled()
    qtbot.mouseClick(tab.ui.meeting_button, Qt.MouseButton.LeftButton)
    windows = tab.findChildren(MeetingWindow)
    assert len(windows) == 1 and windows[0].isVisible()
    assert windows[0].round_id == rounds[1].id
    window = tab.open_meeting()
    assert window is not None and window.round_id == tab.current_round_id() == rounds[1].id
    assert window.isVisible() and not windows[0].isVisible(), "a second show replaces the first"
    assert window.current_slide_title == TITLE_SLIDE
    QTest.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isVisible()


@pytest.mark.gui
def test_the_show_ends_with_the_trend_charts_and_the_star_levels(qtbot, demo_core) -> None:
    from ui.scoring.tab import ScoringTab

    tab = ScoringTab(demo_core)
    qtbot.addWidget(tab)
    window = tab.open_meeting()
    assert window is not None
    qtbot.addWidget(window)
    window.go_to(window.step_count - 1)
    assert window.current_slide_title == "五星支部星级分布"
    window.back()
    assert window.current_slide_title == "各村（社区）历次排名"
    window.back()
    assert window.current_slide_title == "红黑旗单位历次综合得分"
    window.close()
