"""五星支部 rules: star sets by kind, steps, holding, levels, shares and targets, gap lists.

Every expected number is worked out by hand here, never taken from the code under test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lsb_desktop.domain.register import UnitKind
from lsb_desktop.domain.stars import (
    ALL_STARS,
    RURAL_STARS,
    URBAN_STARS,
    LossKind,
    StarCell,
    StarLoss,
    StarState,
    StarStep,
    StepRecord,
    Targets,
    UnitStars,
    YearSummary,
    at_least,
    cell_result_text,
    cell_state,
    check_steps,
    check_target,
    distribution,
    gaps,
    held_on,
    parse_star,
    share_text,
    star_set,
    target_status,
)
from lsb_desktop.errors import ValidationError

D = Decimal
F = Fraction


def steps(*spec: tuple[StarStep, bool, date]) -> list[StepRecord]:
    return [StepRecord(step, passed, on) for step, passed, on in spec]


def full_steps(year: int = 2023) -> list[StepRecord]:
    return steps(
        (StarStep.DECLARED, True, date(year, 3, 1)),
        (StarStep.TOWNSHIP, True, date(year, 5, 1)),
        (StarStep.COUNTY, True, date(year, 10, 1)),
        (StarStep.PUBLICITY, True, date(year, 11, 1)),
        (StarStep.NAMED, True, date(year, 12, 1)),
    )


def unit(
    name: str, held: tuple[str, ...], kind: UnitKind = UnitKind.VILLAGE, planned: tuple[str, ...] = (), unit_id: int = 1
) -> UnitStars:
    cells = tuple(
        StarCell(
            unit_id,
            2024,
            star,
            star in planned,
            (),
            StarState.HELD if star in held else StarState.NONE,
            star in held,
            True,
        )
        for star in star_set(kind)
    )
    return UnitStars(unit_id, name, "东部管区", kind, cells)


# ---------------------------------------------------------------------------- sets and names


def test_each_kind_has_its_own_five_stars_and_two_are_shared() -> None:
    assert star_set(UnitKind.VILLAGE) == RURAL_STARS
    assert star_set(UnitKind.COMMUNITY) == URBAN_STARS
    assert len(RURAL_STARS) == len(URBAN_STARS) == 5
    assert set(RURAL_STARS) & set(URBAN_STARS) == {"支部过硬星", "平安法治星"}
    assert len(ALL_STARS) == 8 and ALL_STARS[:5] == RURAL_STARS


def test_a_unit_switching_kind_switches_its_set_and_level() -> None:
    # 小李庄 held four rural stars; as a community only the shared two still count.
    held = ("支部过硬星", "产业兴旺星", "生态宜居星", "平安法治星")
    as_village = unit("小李庄村", held)
    cells = tuple(
        StarCell(
            1,
            2024,
            star,
            False,
            (),
            StarState.HELD if star in held else StarState.NONE,
            star in held,
            star in URBAN_STARS,
        )
        for star in URBAN_STARS + ("产业兴旺星", "生态宜居星")
    )
    as_community = UnitStars(1, "小李庄社区", "东部管区", UnitKind.COMMUNITY, cells)
    assert as_village.level == 4
    assert as_community.level == 2
    assert as_community.held == ("支部过硬星", "平安法治星")
    assert set(as_community.lacking) == {"宜业兴业星", "幸福和谐星", "共建共享星"}


@pytest.mark.parametrize(
    "text, star",
    [
        ("支部过硬星", "支部过硬星"),
        ("支部过硬", "支部过硬星"),
        (" 平安 法治星 ", "平安法治星"),
        ("共建共享", "共建共享星"),
    ],
)
def test_a_star_is_read_with_or_without_its_last_character(text: str, star: str) -> None:
    assert parse_star(text) == star


def test_an_unknown_star_is_refused_in_chinese() -> None:
    with pytest.raises(ValidationError, match="没有“富裕星”这颗星"):
        parse_star("富裕星")


@pytest.mark.parametrize(
    "text, step",
    [
        ("自评申报", StarStep.DECLARED),
        ("申报", StarStep.DECLARED),
        ("初审", StarStep.TOWNSHIP),
        ("县评定", StarStep.COUNTY),
        ("公示", StarStep.PUBLICITY),
        ("命名", StarStep.NAMED),
    ],
)
def test_steps_are_read_by_their_chinese_names(text: str, step: StarStep) -> None:
    assert StarStep.parse(text) is step


def test_loss_kinds_never_say_zhaixing() -> None:
    labels = {kind.label for kind in LossKind}
    assert labels == {"降星", "撤星"}
    assert all("摘" not in state.label for state in StarState)


# ---------------------------------------------------------------------------- steps


def test_steps_in_order_pass() -> None:
    check_steps(full_steps())


def test_a_step_out_of_order_is_refused() -> None:
    with pytest.raises(ValidationError, match="之前还没有记录“镇初审”"):
        check_steps(steps((StarStep.DECLARED, True, date(2023, 3, 1)), (StarStep.COUNTY, True, date(2023, 10, 1))))


def test_a_date_going_back_is_refused() -> None:
    with pytest.raises(ValidationError, match="日期早于"):
        check_steps(steps((StarStep.DECLARED, True, date(2023, 6, 1)), (StarStep.TOWNSHIP, True, date(2023, 5, 1))))


def test_nothing_follows_a_failed_step() -> None:
    with pytest.raises(ValidationError, match="未通过，之后不能再有步骤"):
        check_steps(
            steps(
                (StarStep.DECLARED, True, date(2023, 3, 1)),
                (StarStep.TOWNSHIP, False, date(2023, 5, 1)),
                (StarStep.COUNTY, True, date(2023, 10, 1)),
            )
        )
    check_steps(steps((StarStep.DECLARED, True, date(2023, 3, 1)), (StarStep.TOWNSHIP, False, date(2023, 5, 1))))


# ---------------------------------------------------------------------------- holding


def test_held_from_naming_until_loss_and_again_after_renaming() -> None:
    named = [date(2022, 12, 9), date(2024, 11, 29)]
    lost = [date(2024, 4, 26)]
    assert not held_on(date(2022, 12, 8), named, lost)
    assert held_on(date(2022, 12, 9), named, lost)
    assert held_on(date(2023, 12, 31), named, lost)  # carried over into the next year
    assert held_on(date(2024, 4, 25), named, lost)
    assert not held_on(date(2024, 4, 26), named, lost)
    assert not held_on(date(2024, 11, 28), named, lost)
    assert held_on(date(2024, 11, 29), named, lost)


def test_a_loss_on_the_naming_day_counts_after_it() -> None:
    assert not held_on(date(2023, 12, 1), [date(2023, 12, 1)], [date(2023, 12, 1)])


@given(
    st.lists(st.dates(date(2022, 1, 1), date(2026, 12, 31)), max_size=6),
    st.lists(st.dates(date(2022, 1, 1), date(2026, 12, 31)), max_size=6),
    st.dates(date(2022, 1, 1), date(2026, 12, 31)),
)
def test_holding_follows_the_latest_event_up_to_the_day(namings, losses, day) -> None:
    events = sorted(
        [(d, "named") for d in namings if d <= day] + [(d, "lost") for d in losses if d <= day],
        key=lambda e: (e[0], e[1] == "lost"),
    )
    expected = bool(events) and events[-1][1] == "named"
    assert held_on(day, namings, losses) is expected


@pytest.mark.parametrize(
    "planned, spec, held, lost, state",
    [
        (False, (), False, False, StarState.NONE),
        (True, (), False, False, StarState.PLANNED),
        (True, ((StarStep.DECLARED, True),), False, False, StarState.IN_PROGRESS),
        (True, ((StarStep.DECLARED, True), (StarStep.TOWNSHIP, False)), False, False, StarState.FAILED),
        (False, (), True, False, StarState.HELD),
        (False, (), False, True, StarState.LOST),
        (True, ((StarStep.DECLARED, True),), True, True, StarState.HELD),  # lost, then named again
    ],
)
def test_the_state_a_cell_shows(planned, spec, held, lost, state) -> None:
    records = [StepRecord(step, passed, date(2024, 3 + i, 1)) for i, (step, passed) in enumerate(spec)]
    assert cell_state(planned=planned, steps=records, held=held, lost_this_year=lost) is state


def test_result_texts() -> None:
    def cell(state, *, in_set=True, spec=(), loss=None):
        records = tuple(StepRecord(step, passed, date(2024, 3 + i, 1)) for i, (step, passed) in enumerate(spec))
        return StarCell(1, 2024, "平安法治星", True, records, state, state is StarState.HELD, in_set, loss)

    loss = StarLoss(1, 1, "平安法治星", LossKind.DOWNGRADE, date(2024, 5, 10), "发生安全事故")
    assert cell_result_text(cell(StarState.HELD)) == "已命名"
    assert cell_result_text(cell(StarState.LOST, loss=loss)) == "降星 2024-05-10"
    assert (
        cell_result_text(cell(StarState.IN_PROGRESS, spec=((StarStep.DECLARED, True), (StarStep.TOWNSHIP, True))))
        == "创建中（镇初审）"
    )
    assert (
        cell_result_text(
            cell(
                StarState.FAILED, spec=((StarStep.DECLARED, True), (StarStep.TOWNSHIP, True), (StarStep.COUNTY, False))
            )
        )
        == "未通过（县评定）"
    )
    assert cell_result_text(cell(StarState.PLANNED)) == ""
    assert cell_result_text(cell(StarState.HELD, in_set=False)) == "—"


# ---------------------------------------------------------------------------- levels and shares


def test_distribution_counts_each_level() -> None:
    assert distribution([0, 3, 3, 5, 2, 3]) == {0: 1, 1: 0, 2: 1, 3: 3, 4: 0, 5: 1}
    with pytest.raises(ValueError):
        distribution([6])


def test_at_least_is_cumulative() -> None:
    counts = {0: 1, 1: 0, 2: 1, 3: 3, 4: 0, 5: 1}  # six units
    assert at_least(counts, 3) == F(4, 6)
    assert at_least(counts, 4) == F(1, 6)
    assert at_least(counts, 5) == F(1, 6)
    assert at_least(distribution([]), 3) is None


@pytest.mark.parametrize(
    "share, text",
    [
        (F(2, 3), "66.7%"),
        (F(1, 3), "33.3%"),
        (F(1, 8), "12.5%"),
        (F(1, 16), "6.3%"),  # 6.25 → 6.3
        (F(17, 24), "70.8%"),
        (F(1), "100%"),
        (F(0), "0%"),
        (D("0.7"), "70%"),
        (D("0.125"), "12.5%"),
        (F(1, 2000), "0.1%"),
        (F(1, 2001), "0%"),
        (None, "—"),
    ],
)
def test_share_text_rounds_half_up_to_one_decimal(share, text) -> None:
    assert share_text(share) == text


@given(st.integers(0, 200), st.integers(1, 200))
def test_share_text_is_within_a_twentieth_of_a_percent(have, units) -> None:
    have = min(have, units)
    text = share_text(F(have, units))
    shown = F(D(text.rstrip("%")))
    assert abs(shown - F(have * 100, units)) <= F(1, 20)


def test_targets_are_checked_and_cumulative() -> None:
    targets = Targets(2024, {3: "100", 4: "70%", 5: D(50)})
    assert targets.percents == {3: D(100), 4: D(70), 5: D(50)}
    with pytest.raises(ValidationError, match="三星及以上 ≥ 四星及以上 ≥ 五星"):
        Targets(2024, {3: 60, 4: 70})
    with pytest.raises(ValidationError, match="0–100%"):
        Targets(2024, {3: 120})
    with pytest.raises(ValidationError, match="不是百分数"):
        check_target("七成")
    with pytest.raises(ValidationError, match="收到 2 星"):
        Targets(2024, {2: 50})


def test_target_status_says_how_many_more_units_are_needed() -> None:
    counts = {0: 1, 1: 2, 2: 4, 3: 8, 4: 5, 5: 4}  # 24 units
    statuses = {s.level: s for s in target_status(counts, Targets(2024, {3: 100, 4: 70, 5: 50}))}
    # ≥3: 17 of 24, needs 24 → 7 more; ≥4: 9, needs ⌈16.8⌉ = 17 → 8; 5: 4, needs 12 → 8.
    assert (statuses[3].units_needed, statuses[4].units_needed, statuses[5].units_needed) == (7, 8, 8)
    assert statuses[3].actual == F(17, 24) and statuses[3].met is False
    met = {s.level: s for s in target_status(counts, Targets(2024, {3: 70, 4: 30}))}
    # 70% of 24 = 16.8 → 17 units; 17 reached. 30% → 7.2 → 8; 9 reached.
    assert met[3].units_needed == 0 and met[3].met is True
    assert met[4].units_needed == 0 and met[4].met is True
    assert met[5].target is None and met[5].met is None and met[5].units_needed == 0


@given(st.lists(st.integers(0, 5), min_size=1, max_size=60), st.integers(0, 100))
def test_reaching_the_needed_units_meets_the_target(levels, percent) -> None:
    counts = distribution(levels)
    status = target_status(counts, Targets(2024, {3: percent}))[0]
    have = sum(1 for lv in levels if lv >= 3)
    after = F(have + status.units_needed, len(levels))
    assert after * 100 >= percent
    if status.units_needed:
        assert F(have + status.units_needed - 1, len(levels)) * 100 < percent


# ---------------------------------------------------------------------------- summaries and gaps


def test_gaps_are_closest_first_then_by_name() -> None:
    units = [
        unit("乙村", ("支部过硬星", "平安法治星"), planned=("产业兴旺星",), unit_id=1),
        unit("甲村", ("平安法治星",), unit_id=2),
        unit("丙村", ("平安法治星", "生态宜居星"), unit_id=3),
        unit("丁村", ("平安法治星", "生态宜居星", "文明幸福星"), unit_id=4),
    ]
    found = gaps(units, 3)
    assert [(g.unit_name, g.missing) for g in found] == [("丙村", 1), ("乙村", 1), ("甲村", 2)]
    first = found[1]
    assert first.lacking == ("产业兴旺星", "生态宜居星", "文明幸福星")
    assert first.planned == ("产业兴旺星",)


def planned_unit(name: str, held: tuple[str, ...], cells: dict[str, list[StepRecord]], unit_id: int = 1) -> UnitStars:
    """A village holding `held` that planned each star of `cells` this year, with those steps."""
    made = []
    for star in star_set(UnitKind.VILLAGE):
        planned = star in cells
        recorded = tuple(cells.get(star, ()))
        state = cell_state(planned=planned, steps=recorded, held=star in held, lost_this_year=False)
        made.append(StarCell(unit_id, 2024, star, planned, recorded, state, star in held, True))
    return UnitStars(unit_id, name, "东部管区", UnitKind.VILLAGE, tuple(made))


FAILED_AT_COUNTY = steps(
    (StarStep.DECLARED, True, date(2024, 3, 1)),
    (StarStep.TOWNSHIP, True, date(2024, 5, 1)),
    (StarStep.COUNTY, False, date(2024, 10, 1)),
)
UNDER_WAY = steps(
    (StarStep.DECLARED, True, date(2024, 3, 1)),
)


def test_a_star_that_failed_this_year_is_not_counted_as_reachable() -> None:
    # 2★, planned 产业兴旺星 (under way) and 生态宜居星 (未通过 at 县评定).
    village = planned_unit(
        "甲村", ("支部过硬星", "平安法治星"), {"产业兴旺星": UNDER_WAY, "生态宜居星": FAILED_AT_COUNTY}
    )
    assert village.planned == ("产业兴旺星", "生态宜居星")  # the plan itself is what it was
    assert village.reachable == ("产业兴旺星",)
    assert village.failed == ("生态宜居星",)
    (three,) = gaps([village], 3)
    assert (three.planned, three.failed, three.missing_after_plan, three.reachable) == (
        ("产业兴旺星",),
        ("生态宜居星",),
        0,
        True,
    )
    assert three.after_plan_text == "可达到"
    (four,) = gaps([village], 4)
    # Counting the failed star would make 四星 look reachable; it is one short.
    assert (four.missing, four.missing_after_plan, four.reachable, four.after_plan_text) == (2, 1, False, "仍差 1 颗")


def test_a_unit_whose_only_planned_star_failed_has_nothing_reachable() -> None:
    village = planned_unit("乙村", ("支部过硬星", "平安法治星"), {"文明幸福星": FAILED_AT_COUNTY})
    (gap,) = gaps([village], 3)
    assert (gap.planned, gap.failed, gap.after_plan_text) == ((), ("文明幸福星",), "仍差 1 颗")


def test_a_held_star_is_neither_reachable_nor_failed() -> None:
    village = planned_unit("丙村", ("支部过硬星", "平安法治星", "产业兴旺星"), {"产业兴旺星": full_steps(2024)})
    assert village.reachable == () and village.failed == ()


def test_the_summary_json() -> None:
    units = (
        unit("甲村", RURAL_STARS, unit_id=1),
        unit("乙村", RURAL_STARS[:3], unit_id=2),
        unit("丙社区", ("支部过硬星",), kind=UnitKind.COMMUNITY, unit_id=3),
    )
    summary = YearSummary(2024, units, Targets(2024, {3: 100, 4: 70, 5: D("33.3")}))
    assert summary.to_json() == {
        "year": 2024,
        "units": 3,
        "levels": {"0": 0, "1": 1, "2": 0, "3": 1, "4": 0, "5": 1},
        "at_least": {"3": "66.7%", "4": "33.3%", "5": "33.3%"},
        "targets": {"3": "100%", "4": "70%", "5": "33.3%"},
    }
    counts = summary.star_counts()
    assert counts["支部过硬星"] == 3 and counts["文明幸福星"] == 1 and counts["宜业兴业星"] == 0
