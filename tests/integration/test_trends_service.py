"""The trend service on a real data file: the demo township's eight finalised quarters, gaps
for units not visited, corrections, draft rounds and two rounds in one quarter.

Expected figures are worked out in the test from the round service's own results and scores,
never taken from the code under test."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from factories import make_unit
from hypothesis import given
from hypothesis import strategies as st

from lsb_desktop.core import Core
from lsb_desktop.demo import ARCHIVED, ROUND_QUARTERS
from lsb_desktop.domain.period import Period
from lsb_desktop.domain.rounds import RoundDetail
from lsb_desktop.domain.scoring import Component, Criterion, Flag, Scheme, round_points
from lsb_desktop.domain.trends import NOT_TAKING_PART, NOT_VISITED, half_up
from lsb_desktop.errors import NotFoundError
from lsb_desktop.services.rounds import RoundDraft

D = Decimal
SCHEME = Scheme(
    (
        Component("实地观摩", D("0.7"), (Criterion("基层党建", D(60)), Criterion("产业发展", D(40)))),
        Component("擂台比武", D("0.3"), (Criterion("现场表现", D(100)),)),
    )
)


def two_places(value: Fraction) -> Decimal:
    """Half-up to two places, worked out with Decimal (independently of the code under test)."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def round_of(core: Core, period: Period) -> int:
    return next(r.id for r in core.rounds.list_rounds() if r.period == period)


def score_and_finalise(core: Core, detail: RoundDetail, skip: tuple[str, ...] = (), bump: int = 0) -> None:
    """Every judge gives every visited unit the same points, higher for units further down the
    sheet (so totals differ), then the round is finalised. `skip`: units marked not visited."""
    for unit in detail.units:
        if unit.name in skip:
            core.rounds.set_visited(detail.id, unit.id, False, "本季度未观摩")
    cells = []
    for unit in detail.units:
        if unit.name in skip:
            continue
        base = 20 + (unit.position % 30) + bump
        for judge in detail.judges:
            for component in detail.scheme.components:
                for criterion in component.criteria:
                    points = min(criterion.max_points, D(base) * criterion.max_points / 60)
                    cells.append((judge.id, unit.id, criterion.name, points.quantize(D("0.1"))))
    core.rounds.set_scores(detail.id, cells)
    core.rounds.finalize(detail.id)


# ---------------------------------------------------------------------------- rounding


@given(st.fractions(min_value=-1000, max_value=1000, max_denominator=10_000))
def test_the_fast_half_up_agrees_with_the_ranking_sheet(value: Fraction) -> None:
    # The trends round thousands of figures with integers only; they must print as the sheet does.
    assert half_up(value) == round_points(value) == half_up((value.numerator, value.denominator))
    assert half_up(f"{value.numerator}/{value.denominator}") == round_points(value)


# ---------------------------------------------------------------------------- the demo township


def test_the_demo_has_eight_quarters_with_every_unit_aligned(demo_core: Core) -> None:
    trend = demo_core.trends.overview()
    assert trend.periods == tuple(Period(y, q) for y, q in ROUND_QUARTERS)
    assert len(trend.units) == 24
    assert trend.components == ("实地观摩", "擂台比武")
    assert all(len(series.points) == 8 for series in trend.units)
    assert len(trend.stats) == 8 and len(trend.round_ids) == 8
    # Each point is the stored result of that quarter's round.
    for index, period in enumerate(trend.periods):
        results = demo_core.rounds.results(round_of(demo_core, period))
        assert trend.round_ids[index] == results.round_id
        by_unit = {r.unit.unit_id: r for r in results.results}
        for series in trend.units:
            point = series.points[index]
            result = by_unit.get(series.unit_id)
            if result is None:
                assert point is None
                continue
            assert point.exact == result.composite
            assert point.total == D(result.total)
            assert (point.rank, point.flag) == (result.rank, result.flag)
            assert point.components == {name: D(result.component_text(name)) for name in result.components}


def test_the_unit_archived_after_2024_has_no_point_in_the_round_held_after_it_left(demo_core: Core) -> None:
    # 牛王庙村 was archived on 2025-01-01; the 2024Q4 round was held on 2025-01-20 without it.
    name = ARCHIVED[0]
    series = next(s for s in demo_core.trends.overview().units if s.name == name)
    assert [p is not None for p in series.points] == [True] * 7 + [False]
    assert series.gap_reason(7) == NOT_TAKING_PART
    assert series.not_visited == frozenset()
    # Units that left come after the current ones.
    assert demo_core.trends.overview().units[-1].name == name


def test_mean_lowest_and_highest_of_one_quarter_by_hand(demo_core: Core) -> None:
    trend = demo_core.trends.overview()
    index = trend.periods.index(Period(2023, 3))
    totals = [r.composite for r in demo_core.rounds.results(trend.round_ids[index]).results]
    assert len(totals) == 24
    mean = sum(totals, Fraction(0)) / 24
    stats = trend.stats[index]
    assert stats.period == Period(2023, 3)
    assert stats.count == 24
    assert (stats.mean_exact, stats.minimum_exact, stats.maximum_exact) == (mean, min(totals), max(totals))
    assert (stats.mean, stats.minimum, stats.maximum) == (
        two_places(mean),
        two_places(min(totals)),
        two_places(max(totals)),
    )


def test_flag_counts_agree_with_the_flag_history(demo_core: Core) -> None:
    trend = demo_core.trends.overview()
    for history in demo_core.rounds.flag_history():
        series = trend.unit(history.unit_id)
        assert series.red_count == sum(1 for r in history.records if r.flag is Flag.RED)
        assert series.black_count == sum(1 for r in history.records if r.flag is Flag.BLACK)


def test_a_quarter_a_unit_was_not_visited_is_a_gap_between_its_points(demo_core: Core) -> None:
    core = demo_core
    skipped = "王庄村"
    first = core.rounds.create_round(
        RoundDraft(Period(2025, 1), "测试", date(2025, 4, 20), ("甲", "乙", "丙"), red=2, black=2)
    ).value
    score_and_finalise(core, first, skip=(skipped,))
    second = core.rounds.create_round(
        RoundDraft(Period(2025, 2), "测试", date(2025, 7, 20), ("甲", "乙", "丙"), red=2, black=2)
    ).value
    score_and_finalise(core, second, bump=3)
    trend = core.trends.overview()
    assert trend.periods[-2:] == (Period(2025, 1), Period(2025, 2))
    series = next(s for s in trend.units if s.name == skipped)
    assert len(series.points) == 10
    assert series.points[7] is not None and series.points[9] is not None
    assert series.points[8] is None  # never filled in from its neighbours
    assert series.gap_reason(8) == NOT_VISITED
    assert series.not_visited == frozenset({8})
    # The quarter's figures count only the 22 units ranked in it (23 took part, one not visited).
    assert trend.stats[8].count == 22
    assert trend.stats[9].count == 23


def test_a_correction_after_finalising_shows_the_corrected_result(demo_core: Core) -> None:
    core = demo_core
    round_id = round_of(core, Period(2024, 4))
    detail = core.rounds.get_round(round_id)
    unit = next(u for u in detail.units if u.name == "张五砦村")
    cells = [c for c in core.rounds.scores(round_id) if c.round_unit_id == unit.id and c.criterion == "基层党建"]
    core.rounds.set_scores(round_id, [(c.judge_id, unit.id, "基层党建", D(25)) for c in cells], "复核更正")
    corrected = core.rounds.results(round_id)
    assert corrected.version == 2
    series = core.trends.overview().unit(unit.unit_id)
    assert series.points[-1].exact == corrected.of("张五砦村").composite
    assert series.points[-1].rank == corrected.of("张五砦村").rank
    # The criterion mean follows the current (corrected) scores.
    breakdown = core.trends.breakdown(unit.unit_id)
    assert breakdown.points[-1].criteria["基层党建"] == Fraction(25)


def test_draft_rounds_do_not_count(demo_core: Core) -> None:
    demo_core.rounds.create_round(RoundDraft(Period(2025, 1), "草稿", date(2025, 4, 20), ("甲",)))
    assert len(demo_core.trends.overview().periods) == 8


# ---------------------------------------------------------------------------- the breakdown


def test_the_breakdown_of_a_unit_by_hand(demo_core: Core) -> None:
    core = demo_core
    trend = core.trends.overview()
    series = trend.units[0]
    breakdown = core.trends.breakdown(series.unit_id)
    assert breakdown.name == series.name
    assert breakdown.periods == trend.periods
    assert breakdown.components == ("实地观摩", "擂台比武")
    assert [k for _, k in breakdown.criteria] == [
        "基层党建",
        "产业发展",
        "人居环境",
        "乡村治理",
        "群众满意",
        "述职内容",
        "工作实绩",
        "现场表现",
    ]
    assert breakdown.criterion_max["述职内容"] == D(40)
    for index, round_id in enumerate(trend.round_ids):
        result = next(r for r in core.rounds.results(round_id).results if r.unit.unit_id == series.unit_id)
        point = breakdown.points[index]
        assert point.components == dict(result.components)
        assert point.component("实地观摩") == half_up(result.components["实地观摩"])
        cells = [c for c in core.rounds.scores(round_id) if c.round_unit_id == result.unit.id]
        for criterion in breakdown.criterion_max:
            mine = [c.points for c in cells if c.criterion == criterion]
            assert point.criteria[criterion] == Fraction(sum(mine, D(0))) / len(mine)
            assert point.judges[criterion] == len(mine)


def test_the_breakdown_has_gaps_where_the_overview_has(demo_core: Core) -> None:
    series = next(s for s in demo_core.trends.overview().units if s.name == ARCHIVED[0])
    breakdown = demo_core.trends.breakdown(series.unit_id)
    assert [p is None for p in breakdown.points] == [p is None for p in series.points]


def test_a_judge_absent_from_a_visit_counts_only_where_he_scored(demo_core: Core) -> None:
    # The demo's judge 杨帆 missed 白沙村's visit in 2023Q3 but scored its stage criteria.
    trend = demo_core.trends.overview()
    series = next(s for s in trend.units if s.name == "白沙村")
    point = demo_core.trends.breakdown(series.unit_id).points[trend.periods.index(Period(2023, 3))]
    assert point.judges["基层党建"] == 6
    assert point.judges["现场表现"] == 7


# ---------------------------------------------------------------------------- small cases


def test_no_finalised_round_gives_empty_trends(core: Core) -> None:
    trend = core.trends.overview()
    assert trend.is_empty and trend.units == () and trend.stats == ()
    with pytest.raises(NotFoundError):
        core.trends.breakdown(1)


def test_two_finalised_rounds_in_one_quarter_the_later_one_stands(core: Core) -> None:
    for name in ("甲村", "乙村", "丙村"):
        make_unit(core, name)
    period = Period(2025, 1)
    earlier = core.rounds.create_round(RoundDraft(period, "第一次", date(2025, 3, 1), ("张一",), scheme=SCHEME)).value
    score_and_finalise(core, earlier)
    later = core.rounds.create_round(RoundDraft(period, "第二次", date(2025, 3, 20), ("张一",), scheme=SCHEME)).value
    score_and_finalise(core, later, bump=5)
    trend = core.trends.overview()
    assert trend.periods == (period,)
    assert trend.round_ids == (later.id,)
    expected = {r.unit.unit_id: r.composite for r in core.rounds.results(later.id).results}
    assert {s.unit_id: s.points[0].exact for s in trend.units} == expected
    breakdown = core.trends.breakdown(trend.units[0].unit_id)
    assert breakdown.points[0].components == dict(
        next(r for r in core.rounds.results(later.id).results if r.unit.unit_id == trend.units[0].unit_id).components
    )


def test_a_renamed_unit_shows_its_latest_name(core: Core) -> None:
    unit = make_unit(core, "甲村")
    make_unit(core, "乙村")
    first = core.rounds.create_round(RoundDraft(Period(2025, 1), "", date(2025, 3, 20), ("张一",), scheme=SCHEME)).value
    score_and_finalise(core, first)
    core.villages.change_unit(unit.id, effective=date(2025, 4, 1), reason="更名", name="甲庄村")
    second = core.rounds.create_round(
        RoundDraft(Period(2025, 2), "", date(2025, 6, 20), ("张一",), scheme=SCHEME)
    ).value
    score_and_finalise(core, second)
    assert core.trends.overview().unit(unit.id).name == "甲庄村"


def test_a_vetoed_quarter_carries_its_reason_and_only_that_one(demo_core: Core) -> None:
    from lsb_desktop.demo import VETO

    trend = demo_core.trends.overview()
    (period, name, reason) = (Period(*VETO[0]), VETO[1], VETO[2])
    index = trend.periods.index(period)
    series = next(u for u in trend.units if u.name == name)
    point = series.point(index)
    assert point.vetoed and point.veto_reason == reason
    # The rounds service says the same of that quarter.
    results = demo_core.rounds.results(trend.round_ids[index])
    assert results.of(name).veto_reason == reason
    assert point.flag is results.of(name).flag
    assert series.veto_count == 1
    assert [(u.name, i) for u in trend.units for i, p in enumerate(u.points) if p is not None and p.vetoed] == [
        (name, index)
    ]
