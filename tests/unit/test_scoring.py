"""Scoring rules: schemes, judge totals, trimmed means, composites, ranking and flags."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lsb_desktop.domain.scoring import (
    DEFAULT_SCHEME,
    NOTE_INCOMPLETE,
    NOTE_TOO_FEW_JUDGES,
    Adjustment,
    AdjustmentKind,
    BoundaryTie,
    Component,
    Criterion,
    Flag,
    FlagResult,
    JudgeTotal,
    RankEntry,
    Scheme,
    TiePolicy,
    assign_flags,
    component_score,
    composite,
    display_score,
    rank,
    round_points,
    trimmed_mean,
)
from lsb_desktop.errors import ValidationError

D = Decimal
F = Fraction
SITE, STAGE = "实地观摩", "擂台比武"


def entry(unit: str, total: str | int, *, veto: bool = False, **components: str | int) -> RankEntry:
    return RankEntry(unit, F(D(str(total))), {k: F(D(str(v))) for k, v in components.items()}, veto)


def units_and_ranks(ranked) -> list[tuple[str, int]]:
    return [(r.unit, r.rank) for r in ranked]


def bonus(amount: str, reason: str = "获市级表彰") -> Adjustment:
    return Adjustment(AdjustmentKind.BONUS, D(amount), reason)


def deduction(amount: str, reason: str = "材料迟交") -> Adjustment:
    return Adjustment(AdjustmentKind.DEDUCTION, D(amount), reason)


# --- scheme ---------------------------------------------------------------------------------


def test_default_scheme_is_site_visit_0_7_and_stage_0_3_each_out_of_100() -> None:
    site, stage = DEFAULT_SCHEME.components
    assert (site.name, site.weight, stage.name, stage.weight) == (SITE, D("0.7"), STAGE, D("0.3"))
    assert [(c.name, c.max_points) for c in site.criteria] == [
        ("基层党建", 25),
        ("产业发展", 25),
        ("人居环境", 20),
        ("乡村治理", 15),
        ("群众满意", 15),
    ]
    assert [(c.name, c.max_points) for c in stage.criteria] == [("述职内容", 40), ("工作实绩", 40), ("现场表现", 20)]
    assert site.max_total == 100 and stage.max_total == 100
    assert DEFAULT_SCHEME.weights_sum_to_one()


def test_weights_that_do_not_sum_to_one_are_reported_not_refused() -> None:
    crit = (Criterion("总分", D(100)),)
    summed = Scheme((Component(SITE, D(1), crit), Component(STAGE, D(1), (Criterion("台上", D(100)),))))
    assert summed.weight_total == 2
    assert not summed.weights_sum_to_one()
    halves = Scheme((Component(SITE, D("0.5"), crit), Component(STAGE, D("0.5"), (Criterion("台上", D(100)),))))
    assert halves.weights_sum_to_one()


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: Criterion("基层党建", D(0)), "大于 0"),
        (lambda: Criterion("基层党建", D(-5)), "大于 0"),
        (lambda: Criterion("基层党建", D("12.345")), "两位小数"),
        (lambda: Criterion("  ", D(10)), "不能为空"),
        (lambda: Component(SITE, D(0), (Criterion("甲", D(10)),)), "权重"),
        (lambda: Component(SITE, D("-0.3"), (Criterion("甲", D(10)),)), "权重"),
        (lambda: Component(SITE, D(1), ()), "至少要有一个指标"),
        (lambda: Component(SITE, D(1), (Criterion("甲", D(10)), Criterion("甲", D(5)))), "重复"),
        (lambda: Component(SITE, D(1), (Criterion("基层党建", D(10)), Criterion("基层 党建", D(5)))), "重复"),
        (lambda: Scheme(()), "至少要有一个"),
        (
            lambda: Scheme(
                (Component(SITE, D(1), (Criterion("甲", D(10)),)), Component(SITE, D(1), (Criterion("乙", D(10)),)))
            ),
            "重复",
        ),
        # The flat table names the criterion without its component, so names are scheme-wide.
        (
            lambda: Scheme(
                (Component(SITE, D(1), (Criterion("甲", D(10)),)), Component(STAGE, D(1), (Criterion("甲", D(10)),)))
            ),
            "指标“甲”重复",
        ),
    ],
)
def test_invalid_schemes_are_refused_in_chinese(make, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        make()


def test_two_decimal_maxima_are_accepted_and_floats_are_not() -> None:
    assert Criterion("现场表现", D("12.50")).max_points == D("12.5")
    with pytest.raises(TypeError):
        Criterion("现场表现", 12.5)  # type: ignore[arg-type]


# --- trimmed mean ---------------------------------------------------------------------------


def test_five_judges_drop_the_single_highest_and_lowest() -> None:
    assert trimmed_mean([D(70), D(80), D(90), D(96), D(100)]) == (F(266, 3), True)


def test_four_judges_give_the_plain_mean() -> None:
    # Trimmed it would be 85; the plain mean is 84.
    assert trimmed_mean([D(70), D(80), D(90), D(96)]) == (F(84), False)


def test_only_one_of_several_equal_extremes_is_dropped() -> None:
    assert trimmed_mean([D(90), D(70), D(90), D(70), D(90)]) == (F(250, 3), True)


def test_the_mean_is_exact() -> None:
    mean, trimmed = trimmed_mean([D(1), D(1), D(2)])
    assert mean == F(4, 3)
    assert isinstance(mean, Fraction) and not trimmed


def test_trimming_rules_are_settings() -> None:
    values = [D(v) for v in (60, 70, 80, 90, 95, 99)]
    assert trimmed_mean(values, drop=2, minimum=6) == (F(85), True)
    assert trimmed_mean(values, drop=1, minimum=7) == (F(494, 6), False)


@pytest.mark.parametrize(
    ("values", "drop", "minimum", "reason"),
    [([], 1, 5, "没有评委打分"), ([D(1)], 1, 2, "至少为 3"), ([D(1)], -1, 5, "负数")],
)
def test_trimmed_mean_refuses_what_it_cannot_compute(values, drop, minimum, reason) -> None:
    with pytest.raises(ValidationError, match=reason):
        trimmed_mean(values, drop=drop, minimum=minimum)


def test_trimmed_mean_refuses_floats() -> None:
    with pytest.raises(TypeError):
        trimmed_mean([80.5, D(90)])  # type: ignore[list-item]


one_decimal_totals = st.integers(min_value=0, max_value=1000).map(lambda n: D(n) / 10)


@given(st.lists(one_decimal_totals, min_size=1, max_size=40))
def test_trimming_drops_exactly_one_highest_and_one_lowest(values: list[Decimal]) -> None:
    mean, trimmed = trimmed_mean(values)
    assert trimmed == (len(values) >= 5)
    if trimmed:
        assert mean * (len(values) - 2) == sum(values) - max(values) - min(values)
    else:
        assert mean * len(values) == sum(values)


# --- component score ------------------------------------------------------------------------


def test_absent_judges_do_not_count_and_fewer_than_five_is_marked() -> None:
    score = component_score([None, JudgeTotal(D(80)), JudgeTotal(D(91)), None])
    assert score is not None
    assert (score.value, score.judges, score.trimmed) == (F(171, 2), 2, False)
    assert score.notes == (NOTE_TOO_FEW_JUDGES,) == ("评委不足",)


def test_five_judges_are_trimmed_and_carry_no_note() -> None:
    score = component_score([JudgeTotal(D(v)) for v in (70, 80, 90, 96, 100)] + [None])
    assert score is not None
    assert (score.value, score.judges, score.trimmed, score.notes) == (F(266, 3), 5, True, ())


def test_an_incomplete_judge_total_marks_the_score() -> None:
    score = component_score([JudgeTotal(D(80)), JudgeTotal(D(60), ("现场表现",))])
    assert score is not None
    assert score.incomplete
    assert score.notes == ("评委不足", NOTE_INCOMPLETE) == ("评委不足", "评分不完整")


def test_a_unit_nobody_scored_has_no_component_score() -> None:
    assert component_score([None, None]) is None


# --- composite and adjustments --------------------------------------------------------------


def test_composite_weights_components_and_applies_bonus_and_deduction() -> None:
    value = composite(DEFAULT_SCHEME, {SITE: D(90), STAGE: D(80)}, [bonus("1.5"), deduction("0.25")])
    # 0.7 × 90 + 0.3 × 80 = 87; + 1.5 − 0.25
    assert value == F("88.25")


def test_composite_of_a_trimmed_mean_stays_exact() -> None:
    value = composite(DEFAULT_SCHEME, {SITE: F(266, 3), STAGE: D(80)})
    # 0.7 × 266/3 + 24 = 931/15 + 360/15
    assert value == F(1291, 15)
    assert display_score(value) == "86.07"


def test_composite_needs_every_component_and_only_the_schemes() -> None:
    with pytest.raises(ValidationError, match="缺少“擂台比武”"):
        composite(DEFAULT_SCHEME, {SITE: D(90)})
    with pytest.raises(ValidationError, match="没有“承诺完成”"):
        composite(DEFAULT_SCHEME, {SITE: D(90), STAGE: D(80), "承诺完成": D(70)})


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [("0", "理由", "大于 0"), ("-1", "理由", "大于 0"), ("0.125", "理由", "两位小数"), ("1", "  ", "必须写明理由")],
)
def test_adjustments_need_a_positive_two_place_amount_and_a_reason(amount, reason, message) -> None:
    with pytest.raises(ValidationError, match=message):
        Adjustment(AdjustmentKind.DEDUCTION, D(amount), reason)


def test_a_deduction_counts_negative() -> None:
    assert deduction("2").signed == D(-2)
    assert bonus("2").signed == D(2)


# --- display --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (F("1.005"), "1.01"),
        (F("83.605"), "83.61"),
        (F("83.604999"), "83.60"),
        (F(4, 3), "1.33"),
        (F(5, 3), "1.67"),
        (F("-1.005"), "-1.01"),
        (F(-1, 1000), "0.00"),
        (D("85.46"), "85.46"),
    ],
)
def test_display_rounds_half_up_to_two_places(value, shown: str) -> None:
    assert display_score(value) == shown


def test_a_composite_ending_in_5_rounds_up_where_float_would_round_down() -> None:
    value = composite(DEFAULT_SCHEME, {SITE: D("85.15"), STAGE: D(80)})
    assert value == F("83.605")
    assert display_score(value) == "83.61"
    assert round_points(value) == D("83.61")
    # The float route the exact one avoids: 83.60499999999999, shown as 83.6.
    assert round(0.7 * 85.15 + 0.3 * 80, 2) == 83.6


# --- ranking --------------------------------------------------------------------------------


def test_equal_composites_share_a_rank_and_the_next_is_skipped() -> None:
    ranked = rank([entry("丁村", 80), entry("丙村", 85), entry("甲村", 90), entry("乙村", 85)])
    assert [r.rank for r in ranked] == [1, 2, 2, 4]
    assert ranked[0].unit == "甲村" and ranked[3].unit == "丁村"
    assert {ranked[1].unit, ranked[2].unit} == {"乙村", "丙村"}


def test_a_0_03_margin_decides_and_an_exact_tie_stays_a_tie() -> None:
    # A 0.03 margin is far above float error; floats go wrong on exact ties, inventing a
    # margin of 1e-14 that would rank one unit above the other. The exact composites keep
    # the 0.03 margin exactly and the tie a tie.
    scores = {"甲村": ("80.0", "80.8"), "乙村": ("80.0", "80.7"), "丙村": ("79.4", "82.1")}
    totals = {u: composite(DEFAULT_SCHEME, {SITE: D(s), STAGE: D(t)}) for u, (s, t) in scores.items()}
    assert totals["甲村"] - totals["乙村"] == F(3, 100)
    assert totals["乙村"] == totals["丙村"] == F("80.21")
    assert 0.7 * 80.0 + 0.3 * 80.7 != 0.7 * 79.4 + 0.3 * 82.1  # the float trap is real
    ranked = rank(RankEntry(u, c) for u, c in totals.items())
    assert units_and_ranks(ranked) == [("甲村", 1), ("丙村", 2), ("乙村", 2)]


def test_a_tie_break_chain_resolves_a_tie() -> None:
    entries = [
        entry("甲村", 90, 擂台比武=80),
        entry("乙村", 85, 擂台比武=70),
        entry("丙村", 85, 擂台比武=75),
        entry("丁村", 80, 擂台比武=90),
    ]
    ranked = rank(entries, tiebreak=(STAGE,))
    assert units_and_ranks(ranked) == [("甲村", 1), ("丙村", 2), ("乙村", 3), ("丁村", 4)]


def test_the_chain_goes_to_its_next_link_and_ties_that_survive_it_share() -> None:
    entries = [
        entry("甲村", 90, 擂台比武=80, 实地观摩=90),
        entry("乙村", 85, 擂台比武=70, 实地观摩=92),
        entry("丙村", 85, 擂台比武=70, 实地观摩=95),
        entry("丁村", 85, 擂台比武=70, 实地观摩=95),
        entry("戊村", 80, 擂台比武=90, 实地观摩=70),
    ]
    ranked = rank(entries, tiebreak=(STAGE, SITE))
    assert [r.rank for r in ranked] == [1, 2, 2, 4, 5]
    assert {r.unit for r in ranked[1:3]} == {"丙村", "丁村"}
    assert [r.unit for r in ranked[3:]] == ["乙村", "戊村"]


def test_a_tie_break_needs_the_component_it_names() -> None:
    with pytest.raises(ValidationError, match="没有“擂台比武”得分"):
        rank([entry("甲村", 85), entry("乙村", 85)], tiebreak=(STAGE,))


def test_veto_units_rank_below_all_others_by_their_own_composites() -> None:
    entries = [
        entry("甲村", 95, veto=True),
        entry("乙村", 90),
        entry("丙村", 70, veto=True),
        entry("丁村", 60),
        entry("戊村", 80),
    ]
    assert units_and_ranks(rank(entries)) == [("乙村", 1), ("戊村", 2), ("丁村", 3), ("甲村", 4), ("丙村", 5)]
    assert units_and_ranks(rank(entries, veto_last=False)) == [
        ("甲村", 1),
        ("乙村", 2),
        ("戊村", 3),
        ("丙村", 4),
        ("丁村", 5),
    ]


def test_a_unit_cannot_be_ranked_twice() -> None:
    with pytest.raises(ValidationError, match="“甲村”重复"):
        rank([entry("甲村", 90), entry("甲村", 80)])


# --- flags ----------------------------------------------------------------------------------

EIGHT = [entry(name, 90 - i) for i, name in enumerate("甲乙丙丁戊己庚辛")]


def test_top_n_get_red_and_bottom_n_black() -> None:
    flags = assign_flags(rank(EIGHT), 2, 3)
    assert flags == FlagResult(red=("甲", "乙"), black=("己", "庚", "辛"))
    assert flags.flag_of("甲") is Flag.RED and flags.flag_of("辛") is Flag.BLACK
    assert flags.flag_of("丁") is None


def test_a_veto_bars_red_and_gives_black_counting_towards_the_bottom_n() -> None:
    entries = [entry("甲", 99, veto=True)] + EIGHT[1:]
    flags = assign_flags(rank(entries), 2, 2)
    assert flags.red == ("乙", "丙")
    assert flags.black == ("辛", "甲")


def test_without_veto_black_a_veto_unit_gets_no_flag() -> None:
    entries = [entry("甲", 99, veto=True)] + EIGHT[1:]
    flags = assign_flags(rank(entries), 2, 2, veto_black=False)
    assert flags.red == ("乙", "丙")
    assert flags.black == ("庚", "辛")
    assert flags.flag_of("甲") is None


def test_more_flags_than_units_is_refused() -> None:
    with pytest.raises(ValidationError, match="红旗 2 面、黑旗 2 面"):
        assign_flags(rank(EIGHT[:3]), 2, 2)
    with pytest.raises(ValidationError, match="一票否决 2 个"):
        assign_flags(rank([entry("甲", 90, veto=True), entry("乙", 80, veto=True), entry("丙", 70)]), 2, 0)


# 甲 90; 乙 and 丙 tie for 2nd across the red line of 2; 庚 and 辛 tie across the black line of 1.
TIED = [
    entry("甲", 90, 擂台比武=80),
    entry("乙", 88, 擂台比武=70),
    entry("丙", 88, 擂台比武=75),
    entry("丁", 85, 擂台比武=70),
    entry("戊", 84, 擂台比武=70),
    entry("己", 83, 擂台比武=70),
    entry("庚", 80, 擂台比武=60),
    entry("辛", 80, 擂台比武=60),
]


def test_extend_gives_the_flag_to_every_unit_tied_across_the_line() -> None:
    flags = assign_flags(rank(TIED), 2, 1, policy=TiePolicy.EXTEND)
    assert flags.red[0] == "甲" and set(flags.red) == {"甲", "乙", "丙"}
    assert set(flags.black) == {"庚", "辛"}
    assert flags.settled


def test_tiebreak_settles_what_the_chain_can_and_reports_the_rest() -> None:
    flags = assign_flags(rank(TIED), 2, 1, policy=TiePolicy.TIEBREAK, tiebreak=(STAGE,))
    assert flags.red == ("甲", "丙")  # 丙 scored higher on stage than 乙
    assert flags.black == ()  # 庚 and 辛 are level on stage as well
    assert flags.ties == (BoundaryTie(Flag.BLACK, 7, ("庚", "辛"), 1),)
    assert flags.ties[0].describe() == "第 7 名并列的庚、辛争 1 面黑旗，需要决定"


def test_tiebreak_without_a_chain_reports_every_boundary_tie() -> None:
    flags = assign_flags(rank(TIED), 2, 1, policy=TiePolicy.TIEBREAK)
    assert flags.red == ("甲",)
    assert {(t.flag, frozenset(t.units), t.places) for t in flags.ties} == {
        (Flag.RED, frozenset({"乙", "丙"}), 1),
        (Flag.BLACK, frozenset({"庚", "辛"}), 1),
    }


def test_with_no_policy_a_boundary_tie_is_returned_for_the_clerk() -> None:
    flags = assign_flags(rank(TIED), 2, 1)
    assert flags.red == ("甲",) and flags.black == ()
    assert not flags.settled
    red_tie, black_tie = flags.ties
    assert (red_tie.flag, red_tie.rank, set(red_tie.units), red_tie.places) == (Flag.RED, 2, {"乙", "丙"}, 1)
    assert (black_tie.flag, black_tie.rank, set(black_tie.units), black_tie.places) == (Flag.BLACK, 7, {"庚", "辛"}, 1)
    for unit in ("乙", "丙", "庚", "辛"):
        assert flags.flag_of(unit) is None


def test_a_tie_inside_the_flagged_places_is_no_boundary_tie() -> None:
    flags = assign_flags(rank(TIED), 3, 2)
    assert set(flags.red) == {"甲", "乙", "丙"}
    assert set(flags.black) == {"庚", "辛"}
    assert flags.settled


def test_a_tie_straddling_both_lines_is_reported_even_under_extend() -> None:
    entries = [entry("甲", 90), entry("乙", 80), entry("丙", 80), entry("丁", 70)]
    flags = assign_flags(rank(entries), 2, 2, policy=TiePolicy.EXTEND)
    assert flags.red == ("甲",) and flags.black == ("丁",)
    assert {(t.flag, frozenset(t.units), t.places) for t in flags.ties} == {
        (Flag.RED, frozenset({"乙", "丙"}), 1),
        (Flag.BLACK, frozenset({"乙", "丙"}), 1),
    }


def test_zero_flags_is_allowed() -> None:
    assert assign_flags(rank(TIED), 0, 0) == FlagResult(red=(), black=())


# --- properties -----------------------------------------------------------------------------

NAMES = [f"{c}村" for c in "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未"]


@st.composite
def entries_lists(draw, most: int = len(NAMES), spread: int = 4) -> list[RankEntry]:
    """Up to `most` units with coarse scores (so ties are common) and an occasional veto."""
    count = draw(st.integers(min_value=1, max_value=most))
    entries = []
    for name in NAMES[:count]:
        site = draw(st.integers(min_value=0, max_value=spread))
        stage = draw(st.integers(min_value=0, max_value=spread))
        total = F(7, 10) * site + F(3, 10) * stage + draw(st.sampled_from([0, 0, F(-1, 2)]))
        veto = draw(st.integers(min_value=0, max_value=9)) == 0
        entries.append(RankEntry(name, total, {SITE: F(site), STAGE: F(stage)}, veto))
    return entries


chains = st.sampled_from([(), (STAGE,), (STAGE, SITE)])


def better(a: RankEntry, b: RankEntry, chain: tuple[str, ...], veto_last: bool) -> bool:
    """a strictly ahead of b, written out independently of rank()."""
    if veto_last and a.veto != b.veto:
        return b.veto
    left = [a.composite] + [a.components[c] for c in chain]
    right = [b.composite] + [b.components[c] for c in chain]
    return left > right


@given(entries_lists(), chains, st.booleans())
def test_every_unit_gets_exactly_one_competition_rank(entries, chain, veto_last) -> None:
    ranked = rank(entries, tiebreak=chain, veto_last=veto_last)
    assert sorted(r.unit for r in ranked) == sorted(e.unit for e in entries)
    ranks = [r.rank for r in ranked]
    assert ranks == sorted(ranks)
    for r in ranked:
        ahead = sum(better(other, r.entry, chain, veto_last) for other in entries)
        assert r.rank == 1 + ahead


@given(entries_lists(), chains, st.data())
def test_permuting_the_input_changes_nothing(entries, chain, data) -> None:
    shuffled = data.draw(st.permutations(entries))
    assert units_and_ranks(rank(shuffled, tiebreak=chain)) == units_and_ranks(rank(entries, tiebreak=chain))
    red = data.draw(st.integers(min_value=0, max_value=3))
    black = data.draw(st.integers(min_value=0, max_value=3))
    policy = data.draw(st.sampled_from([None, TiePolicy.EXTEND, TiePolicy.TIEBREAK]))
    try:
        expected = assign_flags(rank(entries, tiebreak=chain), red, black, policy=policy, tiebreak=chain)
    except ValidationError:
        with pytest.raises(ValidationError):
            assign_flags(rank(shuffled, tiebreak=chain), red, black, policy=policy, tiebreak=chain)
        return
    assert assign_flags(rank(shuffled, tiebreak=chain), red, black, policy=policy, tiebreak=chain) == expected


# Few units with few distinct scores, so that ties straddling one or both lines are common.
@given(
    st.one_of(entries_lists(), entries_lists(most=6, spread=1)),
    chains,
    st.integers(0, 6),
    st.integers(0, 6),
    st.sampled_from([None, TiePolicy.EXTEND, TiePolicy.TIEBREAK]),
    st.booleans(),
)
def test_red_and_black_never_overlap(entries, chain, red, black, policy, veto_black) -> None:
    vetoed = {e.unit for e in entries if e.veto}
    eligible = len(entries) - len(vetoed)
    black_from_eligible = max(0, black - len(vetoed)) if veto_black else black
    ranked = rank(entries)
    if red + black_from_eligible > eligible:
        with pytest.raises(ValidationError):
            assign_flags(ranked, red, black, policy=policy, tiebreak=chain, veto_black=veto_black)
        return
    flags = assign_flags(ranked, red, black, policy=policy, tiebreak=chain, veto_black=veto_black)
    red_units, black_units = set(flags.red), set(flags.black)
    tied = {u for t in flags.ties for u in t.units}
    assert not red_units & black_units
    assert not red_units & vetoed
    assert not tied & (red_units | black_units)
    assert black_units >= vetoed if veto_black else not black_units & vetoed
    # Every flag is given or left, in a reported tie, for the clerk; none is silently dropped.
    red_open = sum(t.places for t in flags.ties if t.flag is Flag.RED)
    black_open = sum(t.places for t in flags.ties if t.flag is Flag.BLACK)
    if policy is TiePolicy.EXTEND:
        assert len(red_units) >= red - red_open
    else:
        assert len(red_units) + red_open == red
        assert len(black_units - vetoed) + black_open == black_from_eligible
    # Red goes down the ranking: nobody eligible ranked above a red unit is left without red.
    position = {r.unit: r.rank for r in ranked}
    for unit in red_units:
        for other in entries:
            if not other.veto and position[other.unit] < position[unit]:
                assert other.unit in red_units


def panel(count: int) -> st.SearchStrategy[list[Decimal]]:
    return st.lists(one_decimal_totals, min_size=count, max_size=count)


@st.composite
def panels(draw):
    """Judges' totals per unit and component, with trimming settings, avoiding one panel size.

    Adding a judge who gives a unit exactly its component score (the mean of the judges kept)
    leaves that score unchanged when the panel is trimmed both before and after (that value
    lies between the kept extremes, so the same highest and lowest are dropped and the mean of
    the kept values is unchanged), and when it is trimmed neither before nor after (a plain
    mean with its own mean added). It does NOT hold when the new judge brings the panel up to
    the trimming minimum: n = minimum − 1 judges go from a plain mean to a trimmed one, which
    moves the score unless the dropped extremes average to the old mean (see the literal test
    below). So the property holds exactly when no unit's panel has minimum − 1 judges (or
    nothing is dropped)."""
    drop = draw(st.integers(min_value=0, max_value=2))
    minimum = draw(st.integers(min_value=2 * drop + 1, max_value=7))
    sizes = [n for n in range(1, 10) if drop == 0 or n != minimum - 1]
    count = draw(st.integers(min_value=2, max_value=6))
    units = {}
    for name in NAMES[:count]:
        units[name] = {c: draw(st.sampled_from(sizes).flatmap(panel)) for c in (SITE, STAGE)}
    return drop, minimum, units


def composites_of(units, drop: int, minimum: int) -> list[RankEntry]:
    result = []
    for name, by_component in units.items():
        scores = {c: trimmed_mean(values, drop, minimum)[0] for c, values in by_component.items()}
        result.append(RankEntry(name, composite(DEFAULT_SCHEME, scores), scores))
    return result


@given(panels())
def test_a_judge_who_gives_each_unit_its_score_never_changes_the_order(case) -> None:
    drop, minimum, units = case
    before = composites_of(units, drop, minimum)
    scores = {e.unit: e.components for e in before}
    widened = {
        name: {c: values + [scores[name][c]] for c, values in by_component.items()}
        for name, by_component in units.items()
    }
    after = composites_of(widened, drop, minimum)
    assert units_and_ranks(rank(after)) == units_and_ranks(rank(before))


def test_at_the_trimming_threshold_a_mean_judge_can_change_the_order() -> None:
    # 4 judges: plain means 甲 82.5, 乙 85. A fifth judge giving each unit its mean makes 5,
    # so the highest and lowest go: 甲 (82.5 + 90 + 90) / 3 = 87.5, 乙 still 85.
    panels = {"甲村": [D(60), D(90), D(90), D(90)], "乙村": [D(85)] * 4}
    before = {u: trimmed_mean(v)[0] for u, v in panels.items()}
    assert before == {"甲村": F("82.5"), "乙村": F(85)}
    after = {u: trimmed_mean(v + [before[u]])[0] for u, v in panels.items()}
    assert after == {"甲村": F("87.5"), "乙村": F(85)}
    assert [r.unit for r in rank(RankEntry(u, v) for u, v in before.items())] == ["乙村", "甲村"]
    assert [r.unit for r in rank(RankEntry(u, v) for u, v in after.items())] == ["甲村", "乙村"]


# --- 承诺完成: a component computed from the commitments ------------------------------------


def test_a_commitments_component_scores_its_rate_times_its_full_points() -> None:
    from lsb_desktop.domain.scoring import ComponentSource, commitment_score

    component = Component(
        "承诺完成", Decimal("0.2"), (Criterion("承诺完成率", Decimal(10)),), ComponentSource.COMMITMENTS
    )
    assert commitment_score(component, Fraction(2, 3)) == Fraction(20, 3)
    assert commitment_score(component, Fraction(1)) == 10
    with pytest.raises(ValidationError):
        commitment_score(component, Fraction(3, 2))


def test_a_scheme_needs_a_judged_component_and_at_most_one_computed_one() -> None:
    from lsb_desktop.domain.scoring import ComponentSource

    computed = Component(
        "承诺完成", Decimal("0.3"), (Criterion("承诺完成率", Decimal(100)),), ComponentSource.COMMITMENTS
    )
    with pytest.raises(ValidationError, match="由评委打分"):
        Scheme((computed,))
    other = Component("另一项", Decimal("0.1"), (Criterion("另一完成率", Decimal(10)),), ComponentSource.COMMITMENTS)
    judged = Component("实地观摩", Decimal("0.6"), (Criterion("综合", Decimal(100)),))
    with pytest.raises(ValidationError, match="只能有一个"):
        Scheme((judged, computed, other))
    with pytest.raises(ValidationError, match="只能有一个指标"):
        Component(
            "承诺完成",
            Decimal("0.3"),
            (Criterion("甲", Decimal(50)), Criterion("乙", Decimal(50))),
            ComponentSource.COMMITMENTS,
        )
    scheme = Scheme((judged, computed))
    assert scheme.judged.components == (judged,)
    assert scheme.computed == (computed,)
