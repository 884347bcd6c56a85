"""The round service on a real data file: creating a round, score entry, live results,
completeness, finalising and audited corrections, the audit chain, flag history.

Every expected number below is worked out by hand in the test; none comes from the code
under test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from factories import make_unit

from lsb_desktop.core import Core
from lsb_desktop.domain.period import Period
from lsb_desktop.domain.register import OrgType
from lsb_desktop.domain.rounds import AdjustmentType, MissingScores, RoundDetail, RoundRules, RoundStatus
from lsb_desktop.domain.scoring import DEFAULT_SCHEME, Component, Criterion, Flag, Scheme, TieMethod, TiePolicy
from lsb_desktop.errors import NotFoundError, ValidationError
from lsb_desktop.services.rounds import RoundDraft
from tests.integration.dbfiles import query, sql

D = Decimal
F = Fraction
FIELD, STAGE = "实地观摩", "擂台比武"
# A small scheme: 实地观摩 (0.7) = 基层党建 60 + 产业发展 40; 擂台比武 (0.3) = 现场表现 100.
SCHEME = Scheme(
    (
        Component(FIELD, D("0.7"), (Criterion("基层党建", D(60)), Criterion("产业发展", D(40)))),
        Component(STAGE, D("0.3"), (Criterion("现场表现", D(100)),)),
    )
)
Q1 = Period(2025, 1)
EVENT = date(2025, 3, 20)
FIVE = ("张一", "张二", "张三", "张四", "张五")


# ---------------------------------------------------------------------------- helpers


def create(
    core: Core,
    judges=("张一",),
    red: int = 0,
    black: int = 0,
    period: Period = Q1,
    event: date | None = EVENT,
    scheme: Scheme | None = SCHEME,
    title: str = "测试评比",
) -> RoundDetail:
    return core.rounds.create_round(RoundDraft(period, title, event, tuple(judges), red, black, scheme=scheme)).value


def new_round(
    core: Core, units=("甲村", "乙村", "丙村"), judges=("张一",), red: int = 0, black: int = 0, **kwargs
) -> RoundDetail:
    for name in units:
        make_unit(core, name)
    return create(core, judges, red, black, **kwargs)


def jid(detail: RoundDetail, name: str) -> int:
    return next(j.id for j in detail.judges if j.name == name)


def uid(detail: RoundDetail, name: str) -> int:
    return next(u.id for u in detail.units if u.name == name)


def give(
    core: Core,
    detail: RoundDetail,
    judge: str,
    unit: str,
    field: tuple[str, str] | None,
    stage: str | None,
    reason: str = "",
) -> None:
    """One judge's scores for one unit: (基层党建, 产业发展) and 现场表现; None leaves them empty."""
    j, u = jid(detail, judge), uid(detail, unit)
    cells = []
    if field is not None:
        cells += [(j, u, "基层党建", field[0]), (j, u, "产业发展", field[1])]
    if stage is not None:
        cells.append((j, u, "现场表现", stage))
    core.rounds.set_scores(detail.id, cells, reason)


def give_all(core: Core, detail: RoundDetail, unit: str, field: tuple[str, str], stage: str) -> None:
    for judge in detail.judges:
        give(core, detail, judge.name, unit, field, stage)


def ranking(results) -> dict[str, tuple[int | None, Flag | None]]:
    return {r.unit.name: (r.rank, r.flag) for r in results.results}


def db_count(core: Core, table: str) -> int:
    return query(core.folder.database.path, f"SELECT count(*) FROM {table}")[0][0]


def status(core: Core, round_id: int) -> RoundStatus:
    return core.rounds.get_round(round_id).status


def score_entries(core: Core, round_id: int) -> list:
    return [e for e in core.audit.entries(f"round:{round_id}") if e.action == "评分"]


# ---------------------------------------------------------------------------- creating a round


def test_create_round_snapshots_name_district_secretary_and_org_type(core: Core) -> None:
    east = core.villages.add_district("东部管区").value
    west = core.villages.add_district("西部管区").value
    unit = make_unit(core, "张五砦村", org_type=OrgType.GENERAL_BRANCH, district_id=east.id, secretary="李禛")
    detail = create(core, period=Period(2024, 1), event=date(2024, 3, 15))

    core.villages.change_unit(
        unit.id,
        name="张五寨村",
        org_type=OrgType.COMMITTEE,
        district_id=west.id,
        effective=date(2024, 6, 1),
        reason="民政批复",
    )
    core.villages.change_secretary(unit.id, "王磊", date(2024, 6, 1))
    assert core.villages.get_unit(unit.id).unit.name == "张五寨村"  # the register did change

    (snapshot,) = core.rounds.get_round(detail.id).units
    assert (
        snapshot.unit_id,
        snapshot.name,
        snapshot.district,
        snapshot.secretary,
        snapshot.org_type,
        snapshot.kind,
    ) == (unit.id, "张五砦村", "东部管区", "李禛", "党总支", "村")
    assert snapshot.organisation_title == "张五砦村党总支"


def test_create_round_takes_each_unit_as_it_stood_on_the_event_date(core: Core) -> None:
    unit = make_unit(core, "张五砦村", secretary="李禛")
    core.villages.change_unit(unit.id, name="张五寨村", effective=date(2024, 6, 1))
    core.villages.change_secretary(unit.id, "王磊", date(2024, 6, 1))

    before = create(core, period=Period(2024, 1), event=date(2024, 3, 15))
    after = create(core, period=Period(2024, 3), event=date(2024, 9, 15))

    assert [(u.name, u.secretary) for u in before.units] == [("张五砦村", "李禛")]
    assert [(u.name, u.secretary) for u in after.units] == [("张五寨村", "王磊")]


def test_create_round_leaves_out_archived_units_and_units_registered_later(core: Core) -> None:
    make_unit(core, "甲村")
    archived = make_unit(core, "乙村")
    core.villages.archive_unit(archived.id, date(2023, 6, 1), "整村搬迁")
    make_unit(core, "丙村", effective=date(2024, 5, 1))
    leaves_later = make_unit(core, "丁村")
    core.villages.archive_unit(leaves_later.id, date(2024, 5, 1), "整村搬迁")

    detail = create(core, period=Period(2024, 1), event=date(2024, 3, 15))

    # 丁村 was still in the register on the event day, so it takes part.
    assert [u.name for u in detail.units] == ["甲村", "丁村"]
    assert detail.summary.unit_count == 2


def test_create_round_uses_the_default_template_and_keeps_its_own_copy(core: Core) -> None:
    make_unit(core, "甲村")
    first = create(core, scheme=None)
    assert first.scheme == DEFAULT_SCHEME
    assert [(c.name, c.weight, c.max_total) for c in first.scheme.components] == [
        (FIELD, D("0.7"), D(100)),
        (STAGE, D("0.3"), D(100)),
    ]

    core.rounds.save_scheme_template(SCHEME)

    assert core.rounds.get_round(first.id).scheme == DEFAULT_SCHEME
    second = create(core, scheme=None)
    assert second.scheme == SCHEME
    assert [k.name for c in second.scheme.components for k in c.criteria] == ["基层党建", "产业发展", "现场表现"]


def test_create_round_refuses_more_flags_than_units(core: Core) -> None:
    make_unit(core, "甲村")
    make_unit(core, "乙村")
    with pytest.raises(ValidationError) as caught:
        create(core, red=2, black=1)
    assert "超过了参评单位数 2" in caught.value.message
    assert core.rounds.list_rounds() == []


@pytest.mark.parametrize("judges", [("张三", "张三"), ("张三", "张 三")])
def test_create_round_refuses_duplicate_judges(core: Core, judges) -> None:
    make_unit(core, "甲村")
    with pytest.raises(ValidationError, match="评委“张三”重复"):
        create(core, judges=judges)
    assert db_count(core, "rounds") == 0


def test_create_round_without_units_on_the_day_hints_at_the_effective_date(core: Core) -> None:
    make_unit(core, "甲村", effective=date(2024, 6, 1))
    with pytest.raises(ValidationError) as caught:
        create(core, period=Period(2024, 1), event=date(2024, 3, 15))
    message = caught.value.message
    assert "2024-03-15 没有在册的村（社区）" in message
    assert "甲村（2024-06-01 起在册）" in message and "在册起始日期" in message
    assert db_count(core, "rounds") == 0


def test_create_round_in_an_empty_register_asks_to_register_units(core: Core) -> None:
    with pytest.raises(ValidationError, match="请先登记村（社区）"):
        create(core)


# ---------------------------------------------------------------------------- score entry


@pytest.fixture
def one(core: Core) -> RoundDetail:
    """One unit (甲村), one judge (张一)."""
    return new_round(core, units=("甲村",))


def test_a_score_is_saved_exactly(core: Core, one: RoundDetail) -> None:
    j, u = jid(one, "张一"), uid(one, "甲村")
    assert core.rounds.set_score(one.id, j, u, "现场表现", D("85.5")).value == D("85.5")

    (cell,) = core.rounds.scores(one.id)
    assert (cell.judge_id, cell.round_unit_id, cell.criterion, cell.points) == (j, u, "现场表现", D("85.5"))
    # Stored as an integer count of hundredths, never a float.
    assert query(core.folder.database.path, "SELECT points, typeof(points) FROM scores") == [(8550, "integer")]


def test_full_width_digits_are_accepted(core: Core, one: RoundDetail) -> None:
    core.rounds.set_score(one.id, jid(one, "张一"), uid(one, "甲村"), "现场表现", "８５．５")
    assert [c.points for c in core.rounds.scores(one.id)] == [D("85.5")]


@pytest.mark.parametrize(
    ("criterion", "raw", "message"),
    [
        ("基层党建", "60.01", "超过“基层党建”的满分 60"),
        ("现场表现", "100.5", "超过“现场表现”的满分 100"),
        ("现场表现", "-1", "不能为负数"),
        ("现场表现", "85.555", "超过两位小数"),
        ("现场表现", "八十五", "不是数字"),
        ("现场表现", "abc", "不是数字"),
    ],
)
def test_a_bad_score_is_refused_in_chinese_and_nothing_is_saved(
    core: Core, one: RoundDetail, criterion: str, raw: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        core.rounds.set_score(one.id, jid(one, "张一"), uid(one, "甲村"), criterion, raw)
    assert message in caught.value.message
    assert core.rounds.scores(one.id) == []
    assert db_count(core, "scores") == 0
    assert score_entries(core, one.id) == []
    assert status(core, one.id) is RoundStatus.DRAFT


def test_a_criterion_not_in_the_scheme_is_refused(core: Core, one: RoundDetail) -> None:
    with pytest.raises(ValidationError, match="本次评比没有指标“群众满意”"):
        core.rounds.set_score(one.id, jid(one, "张一"), uid(one, "甲村"), "群众满意", "10")
    assert db_count(core, "scores") == 0


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_none_or_empty_clears_a_score_rather_than_storing_zero(core: Core, one: RoundDetail, empty) -> None:
    j, u = jid(one, "张一"), uid(one, "甲村")
    core.rounds.set_score(one.id, j, u, "现场表现", "85.5")
    assert core.rounds.set_score(one.id, j, u, "现场表现", empty).value is None
    assert core.rounds.scores(one.id) == []
    assert db_count(core, "scores") == 0


def test_a_judges_total_is_the_sum_of_their_criteria_and_names_those_left_empty(core: Core) -> None:
    # The totals the results, the ranking sheet and 定稿 use (summed by SQLite over the stored
    # hundredths): every criterion scored, some of them (incomplete), none (absent).
    detail = new_round(core, units=("甲村",), judges=("张一", "张二", "张三"))
    give(core, detail, "张一", "甲村", ("35.5", "38.25"), "17.25")
    core.rounds.set_score(detail.id, jid(detail, "张二"), uid(detail, "甲村"), "基层党建", "30")
    (row,) = core.rounds.paper_data(detail.id, "清河镇", "中共清河镇委员会").rows
    assert row.judge_totals == {
        FIELD: {"张一": D("73.75"), "张二": D(30), "张三": None},
        STAGE: {"张一": D("17.25"), "张二": None, "张三": None},
    }
    assert set(core.rounds.completeness(detail.id)) == {
        MissingScores("张二", "甲村", FIELD, ("产业发展",), False),
        MissingScores("张二", "甲村", STAGE, ("现场表现",), True),
        MissingScores("张三", "甲村", FIELD, ("基层党建", "产业发展"), True),
        MissingScores("张三", "甲村", STAGE, ("现场表现",), True),
    }
    result = core.rounds.results(detail.id).of("甲村")
    assert result.judges == {FIELD: 2, STAGE: 1}  # an incomplete total counts in a draft; an absent one does not
    assert result.components[FIELD] == F("51.875")  # (73.75 + 30) / 2


def test_zero_is_a_real_score(core: Core, one: RoundDetail) -> None:
    j, u = jid(one, "张一"), uid(one, "甲村")
    core.rounds.set_score(one.id, j, u, "现场表现", "0")
    assert [c.points for c in core.rounds.scores(one.id)] == [D(0)]
    assert query(core.folder.database.path, "SELECT points FROM scores") == [(0,)]
    # The judge counts as having scored 擂台比武 (0 points), not as absent.
    result = core.rounds.results(one.id).of("甲村")
    assert result.judges[STAGE] == 1
    assert result.components[STAGE] == F(0)
    assert not any(c.component == STAGE for c in core.rounds.completeness(one.id))


def test_status_goes_from_draft_to_scoring_at_the_first_score(core: Core, one: RoundDetail) -> None:
    assert one.status is RoundStatus.DRAFT
    assert one.status.label == "草稿"
    core.rounds.set_score(one.id, jid(one, "张一"), uid(one, "甲村"), "基层党建", "50")
    assert status(core, one.id) is RoundStatus.SCORING
    assert status(core, one.id).label == "打分中"
    assert [r.status for r in core.rounds.list_rounds()] == [RoundStatus.SCORING]


def test_set_scores_is_all_or_nothing(core: Core, one: RoundDetail) -> None:
    j, u = jid(one, "张一"), uid(one, "甲村")
    cells = [(j, u, "基层党建", "50"), (j, u, "产业发展", "30"), (j, u, "现场表现", "101")]
    with pytest.raises(ValidationError, match="满分 100"):
        core.rounds.set_scores(one.id, cells)
    assert core.rounds.scores(one.id) == []
    assert db_count(core, "scores") == 0
    assert status(core, one.id) is RoundStatus.DRAFT
    assert score_entries(core, one.id) == []


def test_a_block_that_sets_then_clears_the_same_cell_leaves_it_cleared(core: Core, one: RoundDetail) -> None:
    j, u = jid(one, "张一"), uid(one, "甲村")
    assert core.rounds.set_scores(one.id, [(j, u, "基层党建", "20"), (j, u, "基层党建", None)]).value == [D(20), None]
    assert core.rounds.scores(one.id) == []


def test_a_correction_of_a_block_replaces_and_clears_cells(core: Core, one: RoundDetail) -> None:
    j, u = jid(one, "张一"), uid(one, "甲村")
    core.rounds.set_scores(one.id, [(j, u, "基层党建", "50"), (j, u, "产业发展", "30")])
    core.rounds.set_scores(one.id, [(j, u, "基层党建", "55.25"), (j, u, "产业发展", None)])
    assert {(c.criterion, c.points) for c in core.rounds.scores(one.id)} == {("基层党建", D("55.25"))}


# ---------------------------------------------------------------------------- results


def test_five_judges_drop_the_single_highest_and_lowest_total(core: Core) -> None:
    detail = new_round(core, units=("甲村",), judges=FIVE)
    # 实地观摩 totals 80, 85.5, 90, 72.25, 95; 擂台比武 88, 91, 70, 99.5, 85.
    field = {
        "张一": ("45", "35"),
        "张二": ("50.5", "35"),
        "张三": ("55", "35"),
        "张四": ("37.25", "35"),
        "张五": ("60", "35"),
    }
    stage = {"张一": "88", "张二": "91", "张三": "70", "张四": "99.5", "张五": "85"}
    for judge in FIVE:
        give(core, detail, judge, "甲村", field[judge], stage[judge])

    result = core.rounds.results(detail.id).of("甲村")
    # (80 + 85.5 + 90) / 3 = 511/6; (88 + 91 + 85) / 3 = 88
    assert result.components == {FIELD: F(511, 6), STAGE: F(88)}
    # 511/6 × 7/10 + 88 × 3/10 = 3577/60 + 1584/60
    assert result.composite == F(5161, 60)
    assert result.total == "86.02"
    assert result.judges == {FIELD: 5, STAGE: 5}
    assert "评委不足" not in result.notes


def test_four_judges_give_the_plain_mean_and_the_note(core: Core) -> None:
    detail = new_round(core, units=("甲村",), judges=FIVE[:4])
    field = {"张一": ("45", "35"), "张二": ("50.5", "35"), "张三": ("55", "35"), "张四": ("37.25", "35")}
    stage = {"张一": "88", "张二": "91", "张三": "70", "张四": "99.5"}
    for judge in FIVE[:4]:
        give(core, detail, judge, "甲村", field[judge], stage[judge])

    result = core.rounds.results(detail.id).of("甲村")
    # (80 + 85.5 + 90 + 72.25) / 4 = 327.75 / 4; (88 + 91 + 70 + 99.5) / 4 = 348.5 / 4
    assert result.components == {FIELD: F(1311, 16), STAGE: F(697, 8)}
    # 1311/16 × 7/10 + 697/8 × 3/10 = 9177/160 + 4182/160
    assert result.composite == F(13359, 160)
    assert "评委不足" in result.notes


def test_five_judges_with_one_absent_give_the_plain_mean_of_four(core: Core) -> None:
    detail = new_round(core, units=("甲村",), judges=FIVE)
    field = {"张一": ("45", "35"), "张二": ("50.5", "35"), "张三": ("55", "35"), "张四": ("37.25", "35")}
    for judge in FIVE[:4]:
        give(core, detail, judge, "甲村", field[judge], "80")
    result = core.rounds.results(detail.id).of("甲村")
    assert result.components[FIELD] == F(1311, 16)
    assert result.judges[FIELD] == 4
    assert "评委不足" in result.notes


def test_weights_are_applied(core: Core, one: RoundDetail) -> None:
    give(core, one, "张一", "甲村", ("50", "35.5"), "77")
    result = core.rounds.results(one.id).of("甲村")
    assert result.components == {FIELD: F(171, 2), STAGE: F(77)}
    # 85.5 × 0.7 + 77 × 0.3 = 59.85 + 23.1 = 82.95
    assert result.composite == F(1659, 20)
    assert result.total == "82.95"


def test_bonus_and_deduction_are_applied_exactly(core: Core) -> None:
    detail = new_round(core, units=("甲村", "乙村"))
    give(core, detail, "张一", "甲村", ("50", "35.5"), "77")
    give(core, detail, "张一", "乙村", ("50", "35.5"), "77")
    core.rounds.add_adjustment(detail.id, uid(detail, "甲村"), AdjustmentType.BONUS, "1.5", "市级表彰")
    core.rounds.add_adjustment(detail.id, uid(detail, "甲村"), AdjustmentType.DEDUCTION, "0.25", "材料迟交")

    results = core.rounds.results(detail.id)
    first, second = results.of("甲村"), results.of("乙村")
    # 82.95 + 1.5 − 0.25 = 84.2
    assert first.composite == F(421, 5)
    assert (first.bonus, first.deduction, first.total) == (D("1.5"), D("0.25"), "84.20")
    assert second.composite == F(1659, 20)
    assert (second.bonus, second.deduction) == (D(0), D(0))
    assert [a.kind for a in core.rounds.adjustments(detail.id)] == [AdjustmentType.BONUS, AdjustmentType.DEDUCTION]


def test_a_unit_not_visited_is_left_out_of_the_ranking(core: Core) -> None:
    detail = new_round(core, units=("甲村", "乙村", "丙村"), red=1, black=1)
    core.rounds.set_visited(detail.id, uid(detail, "乙村"), False, "村委换届")
    give(core, detail, "张一", "甲村", ("50", "40"), "90")
    give(core, detail, "张一", "丙村", ("40", "30"), "70")

    results = core.rounds.results(detail.id)
    assert ranking(results) == {"甲村": (1, Flag.RED), "丙村": (2, Flag.BLACK)}
    assert [(u.name, u.visited, u.note) for u in results.not_visited] == [("乙村", False, "村委换届")]
    assert all(m.unit != "乙村" for m in core.rounds.completeness(detail.id))


def test_equal_composites_share_a_rank_and_skip_the_next(core: Core) -> None:
    detail = new_round(core, units=("甲村", "乙村", "丙村", "丁村"))
    give(core, detail, "张一", "甲村", ("50", "40"), "90")  # 90
    give(core, detail, "张一", "乙村", ("40", "40"), "80")  # 80
    give(core, detail, "张一", "丙村", ("45", "35"), "80")  # 80
    give(core, detail, "张一", "丁村", ("40", "30"), "70")  # 70

    results = core.rounds.results(detail.id)
    assert {name: rank for name, (rank, _) in ranking(results).items()} == {"甲村": 1, "乙村": 2, "丙村": 2, "丁村": 4}
    assert [r.rank for r in results.results] == [1, 2, 2, 4]


def test_a_vetoed_unit_ranks_last_with_a_black_flag_and_never_a_red_one(core: Core) -> None:
    detail = new_round(core, units=("甲村", "乙村", "丙村"), red=1, black=1)
    give(core, detail, "张一", "甲村", ("50", "40"), "90")  # 90, the best score
    give(core, detail, "张一", "乙村", ("40", "40"), "80")
    give(core, detail, "张一", "丙村", ("40", "30"), "70")
    core.rounds.add_adjustment(detail.id, uid(detail, "甲村"), AdjustmentType.VETO, None, "发生重大安全事故")

    results = core.rounds.results(detail.id)
    assert ranking(results) == {"乙村": (1, Flag.RED), "丙村": (2, None), "甲村": (3, Flag.BLACK)}
    assert results.results[-1].unit.name == "甲村"
    vetoed = results.of("甲村")
    assert vetoed.veto_reason == "发生重大安全事故"
    assert "一票否决：发生重大安全事故" in vetoed.notes
    assert vetoed.composite == F(90)  # the score stands; only the place and the flag change


@pytest.fixture
def boundary(core: Core) -> RoundDetail:
    """甲村 and 乙村 tied at 90 for one red flag; 丙村 70; 丁村 60 last (one black flag)."""
    detail = new_round(core, units=("甲村", "乙村", "丙村", "丁村"), red=1, black=1)
    give(core, detail, "张一", "甲村", ("50", "40"), "90")  # 90
    give(core, detail, "张一", "乙村", ("60", "30"), "90")  # 90
    give(core, detail, "张一", "丙村", ("40", "30"), "70")  # 70
    give(core, detail, "张一", "丁村", ("30", "30"), "60")  # 60
    return detail


def test_a_boundary_tie_with_no_policy_is_reported_and_flags_nobody(core: Core, boundary: RoundDetail) -> None:
    core.rounds.update_round(boundary.id, rules=RoundRules(red=1, black=1, tie_policy=None))
    results = core.rounds.results(boundary.id)
    (tie,) = results.ties
    assert (tie.flag, tie.rank, set(tie.units), tie.places) == (Flag.RED, 1, {"甲村", "乙村"}, 1)
    assert ranking(results) == {"甲村": (1, None), "乙村": (1, None), "丙村": (3, None), "丁村": (4, Flag.BLACK)}


def test_a_new_round_leaves_every_boundary_tie_to_the_clerk(core: Core, boundary: RoundDetail) -> None:
    assert core.rounds.get_round(boundary.id).rules.tie_policy is None  # 每次由我决定
    (tie,) = core.rounds.results(boundary.id).ties
    assert set(tie.units) == {"甲村", "乙村"}
    with pytest.raises(ValidationError) as refused:
        core.rounds.finalize(boundary.id)
    assert "第 1 名并列的乙村、甲村争 1 面红旗，需要决定" in refused.value.details
    assert core.rounds.get_round(boundary.id).status is not RoundStatus.FINAL


def test_a_boundary_tie_with_extend_flags_both(core: Core, boundary: RoundDetail) -> None:
    core.rounds.update_round(boundary.id, rules=RoundRules(red=1, black=1, tie_policy=TiePolicy.EXTEND))
    results = core.rounds.results(boundary.id)
    assert results.ties == ()
    assert ranking(results) == {
        "甲村": (1, Flag.RED),
        "乙村": (1, Flag.RED),
        "丙村": (3, None),
        "丁村": (4, Flag.BLACK),
    }


def test_a_tie_policy_passed_to_results_overrides_the_round_for_one_computation(
    core: Core, boundary: RoundDetail
) -> None:
    core.rounds.update_round(boundary.id, rules=RoundRules(red=1, black=1, tie_policy=TiePolicy.EXTEND))
    # The round says EXTEND; TIEBREAK without a chain cannot separate them, so the tie is reported.
    assert [set(t.units) for t in core.rounds.results(boundary.id, None).ties] == [{"甲村", "乙村"}]
    overridden = core.rounds.results(boundary.id, TiePolicy.TIEBREAK)
    assert [set(t.units) for t in overridden.ties] == [{"甲村", "乙村"}]
    assert ranking(overridden)["甲村"] == (1, None)
    assert ranking(core.rounds.results(boundary.id))["甲村"] == (1, Flag.RED)

    core.rounds.update_round(boundary.id, rules=RoundRules(red=1, black=1, tie_policy=None))
    extended = core.rounds.results(boundary.id, TiePolicy.EXTEND)
    assert extended.ties == ()
    assert {ranking(extended)[n] for n in ("甲村", "乙村")} == {(1, Flag.RED)}
    assert len(core.rounds.results(boundary.id).ties) == 1  # the round's own setting is unchanged
    assert core.rounds.get_round(boundary.id).rules.tie_policy is None


def audit_of(core: Core, detail: RoundDetail, action: str):
    return [e for e in core.audit.entries(f"round:{detail.id}") if e.action == action]


def test_the_clerk_gives_all_tied_units_the_flag_and_it_is_audited_and_noted(core: Core, boundary: RoundDetail) -> None:
    (tie,) = core.rounds.results(boundary.id).ties
    results = core.rounds.decide_tie(boundary.id, tie, TieMethod.EXTEND).value
    assert results.ties == ()
    assert ranking(results)["甲村"] == ranking(results)["乙村"] == (1, Flag.RED)
    note = "旗位并列：乙村、甲村并列争 1 面红旗：并列的都给旗"
    assert note in results.of("甲村").notes and note in results.of("乙村").notes
    (entry,) = audit_of(core, boundary, "决定旗位并列")
    assert "并列的都给旗" in entry.new and "甲村" in entry.new
    finalised = core.rounds.finalize(boundary.id).value
    assert note in finalised.of("乙村").notes  # the stored result keeps how it was decided


def test_the_tiebreak_rule_that_cannot_separate_them_is_refused_and_says_so(core: Core, boundary: RoundDetail) -> None:
    (tie,) = core.rounds.results(boundary.id).ties
    assert not tie.separable
    with pytest.raises(ValidationError, match="还没有设置并列规则；请选择“并列的都给旗”或“党委研究决定”"):
        core.rounds.decide_tie(boundary.id, tie, TieMethod.TIEBREAK)
    # Both components are equal too (50 + 40 = 60 + 30 on site, 90 on stage): the chain cannot part them.
    core.rounds.update_round(boundary.id, rules=RoundRules(red=1, black=1, tiebreak=("擂台比武", "实地观摩")))
    (tie,) = core.rounds.results(boundary.id).ties
    assert not tie.separable
    with pytest.raises(ValidationError, match="按并列规则（依次比较擂台比武、实地观摩）分不开"):
        core.rounds.decide_tie(boundary.id, tie, TieMethod.TIEBREAK)
    assert audit_of(core, boundary, "决定旗位并列") == []


def test_the_party_committee_picks_which_tied_unit_gets_the_flag_with_a_reason(
    core: Core, boundary: RoundDetail
) -> None:
    (tie,) = core.rounds.results(boundary.id).ties
    with pytest.raises(ValidationError, match="必须写明理由"):
        core.rounds.decide_tie(boundary.id, tie, TieMethod.COMMITTEE, ["乙村"], "")
    with pytest.raises(ValidationError, match="需要从乙村、甲村中选出 1 个给红旗"):
        core.rounds.decide_tie(boundary.id, tie, TieMethod.COMMITTEE, ["甲村", "乙村"], "党委会研究")
    results = core.rounds.decide_tie(
        boundary.id, tie, TieMethod.COMMITTEE, ["乙村"], "2025年4月22日党委会研究决定"
    ).value
    assert ranking(results)["乙村"] == (1, Flag.RED) and ranking(results)["甲村"] == (1, None)
    assert (
        "旗位并列：乙村、甲村并列争 1 面红旗：党委研究决定给乙村（2025年4月22日党委会研究决定）"
        in results.of("甲村").notes
    )
    (entry,) = audit_of(core, boundary, "决定旗位并列")
    assert entry.reason == "2025年4月22日党委会研究决定"
    # Taken back, the tie is hers to decide again.
    decision, _ = results.decided[0]
    assert core.rounds.undo_tie_decision(boundary.id, decision).value.ties != ()
    assert len(audit_of(core, boundary, "撤回旗位并列决定")) == 1


def test_a_decision_holds_only_for_the_tie_it_was_made_on(core: Core, boundary: RoundDetail) -> None:
    (tie,) = core.rounds.results(boundary.id).ties
    core.rounds.decide_tie(boundary.id, tie, TieMethod.EXTEND)
    # 丙村 rises to 90 as well: a three-way tie is a new question.
    give(core, boundary, "张一", "丙村", ("50", "40"), "90")
    (new_tie,) = core.rounds.results(boundary.id).ties
    assert set(new_tie.units) == {"甲村", "乙村", "丙村"}
    with pytest.raises(ValidationError, match="这个旗位并列已经不存在"):
        core.rounds.decide_tie(boundary.id, tie, TieMethod.EXTEND)


def test_finalize_with_a_policy_records_the_decision(core: Core, boundary: RoundDetail) -> None:
    finalised = core.rounds.finalize(boundary.id, TiePolicy.EXTEND).value
    assert ranking(finalised)["甲村"] == ranking(finalised)["乙村"] == (1, Flag.RED)
    (entry,) = audit_of(core, boundary, "决定旗位并列")
    assert "--tie-policy extend" in entry.reason


def test_ranking_is_on_the_exact_composite_not_the_rounded_one(core: Core) -> None:
    detail = new_round(core, units=("甲村", "乙村"), judges=("张一", "张二", "张三"))
    for judge, field in (("张一", ("40", "40")), ("张二", ("40", "40")), ("张三", ("40.01", "40"))):
        give(core, detail, judge, "甲村", field, "80")
        give(core, detail, judge, "乙村", ("40", "40"), "80")

    results = core.rounds.results(detail.id)
    # 甲村: (80 + 80 + 80.01) / 3 × 0.7 + 80 × 0.3 = 168007/3000 + 72000/3000
    assert results.of("甲村").composite == F(240007, 3000)
    assert results.of("乙村").composite == F(80)
    assert [r.total for r in results.results] == ["80.00", "80.00"]
    assert ranking(results) == {"甲村": (1, None), "乙村": (2, None)}


def test_a_tiebreak_chain_separates_equal_composites(core: Core) -> None:
    detail = new_round(core, units=("甲村", "乙村", "丙村"), red=1)
    give(core, detail, "张一", "甲村", ("50", "40"), "80")  # 90 × 0.7 + 80 × 0.3 = 87
    give(core, detail, "张一", "乙村", ("50", "34"), "94")  # 84 × 0.7 + 94 × 0.3 = 87
    give(core, detail, "张一", "丙村", ("40", "30"), "70")
    assert core.rounds.results(detail.id).of("甲村").composite == F(87)
    assert core.rounds.results(detail.id).of("乙村").composite == F(87)

    core.rounds.update_round(detail.id, rules=RoundRules(red=1, tie_policy=None, tiebreak=(STAGE,)))
    results = core.rounds.results(detail.id)
    assert results.ties == ()
    assert ranking(results) == {"乙村": (1, Flag.RED), "甲村": (2, None), "丙村": (3, None)}


# ---------------------------------------------------------------------------- completeness


def test_completeness_lists_partial_and_absent_judges(core: Core) -> None:
    detail = new_round(core, units=("甲村",), judges=("张一", "张二"))
    core.rounds.set_score(detail.id, jid(detail, "张一"), uid(detail, "甲村"), "基层党建", "50")
    core.rounds.set_score(detail.id, jid(detail, "张一"), uid(detail, "甲村"), "现场表现", "80")

    assert set(core.rounds.completeness(detail.id)) == {
        MissingScores("张一", "甲村", FIELD, ("产业发展",), False),
        MissingScores("张二", "甲村", FIELD, ("基层党建", "产业发展"), True),
        MissingScores("张二", "甲村", STAGE, ("现场表现",), True),
    }


def test_completeness_is_empty_when_everyone_scored_everything(core: Core) -> None:
    detail = new_round(core, units=("甲村", "乙村"), judges=("张一", "张二"))
    give_all(core, detail, "甲村", ("50", "30"), "80")
    give_all(core, detail, "乙村", ("40", "30"), "70")
    assert core.rounds.completeness(detail.id) == []


# ---------------------------------------------------------------------------- finalising


def test_finalize_is_refused_while_a_judge_total_is_partial(core: Core) -> None:
    detail = new_round(core, units=("甲村",), judges=("张一",))
    core.rounds.set_score(detail.id, jid(detail, "张一"), uid(detail, "甲村"), "基层党建", "50")
    core.rounds.set_score(detail.id, jid(detail, "张一"), uid(detail, "甲村"), "现场表现", "80")

    with pytest.raises(ValidationError) as caught:
        core.rounds.finalize(detail.id)
    assert "不能定稿" in caught.value.message
    assert "评委张一对甲村的“实地观摩”缺少：产业发展" in caught.value.details
    assert status(core, detail.id) is RoundStatus.SCORING
    assert core.rounds.result_versions(detail.id) == []
    assert db_count(core, "round_results") == 0


def test_finalize_is_refused_with_an_undecided_boundary_tie(core: Core, boundary: RoundDetail) -> None:
    core.rounds.update_round(boundary.id, rules=RoundRules(red=1, black=1, tie_policy=None))
    with pytest.raises(ValidationError) as caught:
        core.rounds.finalize(boundary.id)
    assert any("争 1 面红旗" in line for line in caught.value.details)
    assert status(core, boundary.id) is RoundStatus.SCORING
    assert db_count(core, "round_results") == 0


@pytest.fixture
def final(core: Core) -> RoundDetail:
    """甲村 90 (red), 乙村 80, 丙村 70 + 2 bonus = 72 (black); one judge; finalised."""
    detail = new_round(core, units=("甲村", "乙村", "丙村"), red=1, black=1)
    give(core, detail, "张一", "甲村", ("50", "40"), "90")
    give(core, detail, "张一", "乙村", ("40", "40"), "80")
    give(core, detail, "张一", "丙村", ("40", "30"), "70")
    core.rounds.add_adjustment(detail.id, uid(detail, "丙村"), AdjustmentType.BONUS, "2", "创新做法")
    core.rounds.finalize(detail.id)
    return core.rounds.get_round(detail.id)


def composites(results) -> dict[str, Fraction]:
    return {r.unit.name: r.composite for r in results.results}


def test_finalize_freezes_the_round_and_stores_the_results(core: Core, final: RoundDetail) -> None:
    assert final.status is RoundStatus.FINAL
    assert final.status.label == "已定稿"
    results = core.rounds.results(final.id)
    assert (results.finalised, results.version, results.correction_reason) == (True, 1, "")
    assert composites(results) == {"甲村": F(90), "乙村": F(80), "丙村": F(72)}
    assert ranking(results) == {"甲村": (1, Flag.RED), "乙村": (2, None), "丙村": (3, Flag.BLACK)}
    assert results.of("丙村").bonus == D(2)
    assert results.of("甲村").components == {FIELD: F(90), STAGE: F(90)}
    assert core.rounds.results(final.id) == results
    assert db_count(core, "round_results") == 3


def test_final_results_come_from_the_stored_snapshot(core: Core, final: RoundDetail) -> None:
    # A score changed behind the program's back does not move the stored results.
    sql(core.folder.database.path, "UPDATE scores SET points = 0")
    results = core.rounds.results(final.id)
    assert composites(results) == {"甲村": F(90), "乙村": F(80), "丙村": F(72)}
    assert [r.total for r in results.results] == ["90.00", "80.00", "72.00"]


def test_finalize_is_refused_while_a_visited_unit_has_no_scores(core: Core) -> None:
    detail = new_round(core, units=("甲村", "乙村"))
    give(core, detail, "张一", "甲村", ("50", "40"), "90")
    with pytest.raises(ValidationError) as caught:
        core.rounds.finalize(detail.id)
    assert "乙村：实地观摩无评分" in caught.value.details
    assert "乙村：擂台比武无评分" in caught.value.details
    assert status(core, detail.id) is RoundStatus.SCORING


def test_finalize_twice_is_refused(core: Core, final: RoundDetail) -> None:
    with pytest.raises(ValidationError, match="已经定稿"):
        core.rounds.finalize(final.id)
    assert len(core.rounds.result_versions(final.id)) == 1


def test_a_final_round_refuses_changes_to_its_settings(core: Core, final: RoundDetail) -> None:
    with pytest.raises(ValidationError, match="已定稿"):
        core.rounds.update_round(final.id, title="新标题")
    with pytest.raises(ValidationError, match="已定稿"):
        core.rounds.add_judge(final.id, "王五")
    with pytest.raises(ValidationError, match="已定稿"):
        core.rounds.set_visited(final.id, uid(final, "乙村"), False)
    after = core.rounds.get_round(final.id)
    assert after.summary.title == "测试评比"
    assert [j.name for j in after.judges] == ["张一"]
    assert all(u.visited for u in after.units)


def test_a_final_round_refuses_removing_a_judge(core: Core) -> None:
    detail = new_round(core, units=("甲村",), judges=("张一", "张二"))
    give(core, detail, "张一", "甲村", ("50", "40"), "90")  # 张二 is absent: allowed
    core.rounds.finalize(detail.id)
    with pytest.raises(ValidationError, match="已定稿"):
        core.rounds.remove_judge(detail.id, jid(detail, "张二"))
    assert [j.name for j in core.rounds.get_round(detail.id).judges] == ["张一", "张二"]


def test_a_score_change_on_a_final_round_needs_a_reason(core: Core, final: RoundDetail) -> None:
    j, u = jid(final, "张一"), uid(final, "甲村")
    for reason in ("", "   "):
        with pytest.raises(ValidationError, match="更正原因"):
            core.rounds.set_score(final.id, j, u, "现场表现", "50", reason)
    assert {
        c.points for c in core.rounds.scores(final.id, j) if c.round_unit_id == u and c.criterion == "现场表现"
    } == {D(90)}
    assert len(core.rounds.result_versions(final.id)) == 1


def test_a_correction_stores_a_new_version_beside_the_original(core: Core, final: RoundDetail) -> None:
    j, u = jid(final, "张一"), uid(final, "甲村")
    core.rounds.set_score(final.id, j, u, "现场表现", "50", "评委张一誊写错误，按原始评分表更正")

    assert [c.points for c in core.rounds.scores(final.id) if c.round_unit_id == u and c.criterion == "现场表现"] == [
        D(50)
    ]
    original, corrected = core.rounds.result_versions(final.id)
    assert (original.version, corrected.version) == (1, 2)
    assert composites(original) == {"甲村": F(90), "乙村": F(80), "丙村": F(72)}
    assert ranking(original) == {"甲村": (1, Flag.RED), "乙村": (2, None), "丙村": (3, Flag.BLACK)}
    assert original.correction_reason == ""
    # 甲村: 90 × 0.7 + 50 × 0.3 = 63 + 15 = 78
    assert composites(corrected) == {"甲村": F(78), "乙村": F(80), "丙村": F(72)}
    assert ranking(corrected) == {"乙村": (1, Flag.RED), "甲村": (2, None), "丙村": (3, Flag.BLACK)}
    assert corrected.correction_reason == "评委张一誊写错误，按原始评分表更正"
    assert core.rounds.results(final.id) == corrected
    assert status(core, final.id) is RoundStatus.FINAL

    (entry,) = [e for e in core.audit.entries(f"round:{final.id}/v2")]
    assert (entry.action, entry.reason) == ("更正结果", "评委张一誊写错误，按原始评分表更正")
    (score,) = [e for e in score_entries(core, final.id) if e.reason]
    assert (D(score.old), D(score.new)) == (D(90), D(50))


def test_a_correction_that_leaves_a_judge_total_partial_is_refused_whole(core: Core, final: RoundDetail) -> None:
    j, u = jid(final, "张一"), uid(final, "甲村")
    with pytest.raises(ValidationError, match="更正未保存"):
        core.rounds.set_score(final.id, j, u, "产业发展", None, "误录，清空")
    assert {(c.criterion, c.points) for c in core.rounds.scores(final.id) if c.round_unit_id == u} == {
        ("基层党建", D(50)),
        ("产业发展", D(40)),
        ("现场表现", D(90)),
    }
    assert len(core.rounds.result_versions(final.id)) == 1
    assert [e for e in score_entries(core, final.id) if e.reason] == []


def test_flag_history_follows_the_corrected_version(core: Core, final: RoundDetail) -> None:
    core.rounds.set_score(final.id, jid(final, "张一"), uid(final, "甲村"), "现场表现", "50", "誊写错误")
    histories = {h.unit_name: [(r.flag, r.rank) for r in h.records] for h in core.rounds.flag_history()}
    assert histories == {"甲村": [(None, 2)], "乙村": [(Flag.RED, 1)], "丙村": [(Flag.BLACK, 3)]}


def test_removing_an_adjustment_on_a_final_round_needs_a_reason(core: Core, final: RoundDetail) -> None:
    (bonus,) = core.rounds.adjustments(final.id)
    with pytest.raises(ValidationError, match="更正原因"):
        core.rounds.remove_adjustment(final.id, bonus.id)
    assert len(core.rounds.adjustments(final.id)) == 1

    core.rounds.remove_adjustment(final.id, bonus.id, "加分未经党委会研究，撤销")
    assert core.rounds.adjustments(final.id) == []
    original, corrected = core.rounds.result_versions(final.id)
    assert original.of("丙村").composite == F(72)
    assert corrected.of("丙村").composite == F(70)
    assert corrected.of("丙村").bonus == D(0)
    assert corrected.correction_reason == "加分未经党委会研究，撤销"


def test_adding_an_adjustment_on_a_final_round_needs_a_reason(core: Core, final: RoundDetail) -> None:
    with pytest.raises(ValidationError, match="更正原因"):
        core.rounds.add_adjustment(final.id, uid(final, "乙村"), AdjustmentType.DEDUCTION, "1", "材料迟交")
    assert len(core.rounds.adjustments(final.id)) == 1
    assert len(core.rounds.result_versions(final.id)) == 1


# ---------------------------------------------------------------------------- the audit log


def test_every_score_change_is_audited_with_old_and_new(core: Core, one: RoundDetail) -> None:
    j, u = jid(one, "张一"), uid(one, "甲村")
    core.rounds.set_score(one.id, j, u, "基层党建", "50")
    core.rounds.set_score(one.id, j, u, "基层党建", "55.5")
    core.rounds.set_score(one.id, j, u, "基层党建", "55.5")  # unchanged: nothing to log
    core.rounds.set_score(one.id, j, u, "基层党建", None)

    entries = core.audit.entries(f"round:{one.id}/judge:张一/unit:甲村/criterion:基层党建")
    assert [e.action for e in entries] == ["评分", "评分", "评分"]

    def value(text: str) -> Decimal | None:
        return D(text) if text else None

    # Newest first.
    assert [(value(e.old), value(e.new)) for e in entries] == [(D("55.5"), None), (D(50), D("55.5")), (None, D(50))]
    assert all(e.operator for e in entries)


def audited_round(core: Core) -> RoundDetail:
    detail = new_round(core, units=("甲村",))
    j, u = jid(detail, "张一"), uid(detail, "甲村")
    for points in ("50", "51", "52", "53"):
        core.rounds.set_score(detail.id, j, u, "基层党建", points)
    return detail


def test_the_audit_chain_verifies_normally(core: Core) -> None:
    audited_round(core)
    assert len(core.audit.entries()) >= 5
    assert core.audit.verify() == []
    assert core.check().ok


def test_an_edited_audit_entry_is_named(core: Core) -> None:
    detail = audited_round(core)
    entries = [e for e in core.audit.entries(f"round:{detail.id}") if "/judge:" in e.entity]
    target = entries[1]  # newest first: 52 → 53, then 51 → 52
    assert D(target.new) == D(52)
    sql(core.folder.database.path, f"UPDATE audit_log SET new = '99.00' WHERE id = {target.id}")

    (problem,) = core.audit.verify()
    assert problem.startswith(f"审计日志第 {target.id} 条的内容被改动：")
    assert "评委张一" in problem  # named as the clerk knows it, not by an internal id
    report = core.check()
    assert not report.ok
    assert any(p.startswith(f"审计日志第 {target.id} 条的内容被改动") for p in report.problems)


def test_a_deleted_audit_entry_in_the_middle_is_detected(core: Core) -> None:
    audited_round(core)
    ids = sorted(e.id for e in core.audit.entries())
    middle = ids[len(ids) // 2]
    following = ids[ids.index(middle) + 1]
    sql(core.folder.database.path, f"DELETE FROM audit_log WHERE id = {middle}")

    (problem,) = core.audit.verify()
    assert problem.startswith(f"审计日志第 {following} 条之前的记录被删除或改动")
    assert not core.check().ok


# ---------------------------------------------------------------------------- flag history


def finalised_rounds(core: Core, periods: list[Period]) -> None:
    """One finalised round per quarter: 甲村 first (red), 乙村 second, 丙村 last (black)."""
    for period in periods:
        detail = create(core, red=1, black=1, period=period, event=period.first_day)
        give(core, detail, "张一", "甲村", ("50", "40"), "90")
        give(core, detail, "张一", "乙村", ("40", "40"), "80")
        give(core, detail, "张一", "丙村", ("40", "30"), "70")
        core.rounds.finalize(detail.id)


def test_three_black_flags_in_a_row_are_warned(core: Core) -> None:
    units = {name: make_unit(core, name) for name in ("甲村", "乙村", "丙村")}
    finalised_rounds(core, [Period(2024, 2), Period(2024, 3), Period(2024, 4)])
    create(core, period=Period(2025, 1))  # a draft round has no flags yet

    (last,) = core.rounds.flag_history([units["丙村"].id])
    assert last.unit_name == "丙村"
    assert [(r.period, r.flag, r.rank) for r in last.records] == [
        (Period(2024, 2), Flag.BLACK, 3),
        (Period(2024, 3), Flag.BLACK, 3),
        (Period(2024, 4), Flag.BLACK, 3),
    ]
    assert last.black_streak == 3
    assert "连续 3 个季度" in last.warning

    histories = {h.unit_name: h for h in core.rounds.flag_history()}
    assert set(histories) == {"甲村", "乙村", "丙村"}
    assert [r.flag for r in histories["甲村"].records] == [Flag.RED] * 3
    assert (histories["甲村"].black_streak, histories["甲村"].warning) == (0, "")
    assert histories["乙村"].warning == ""


def test_two_black_flags_in_a_row_give_the_interview_reminder(core: Core) -> None:
    units = {name: make_unit(core, name) for name in ("甲村", "乙村", "丙村")}
    finalised_rounds(core, [Period(2024, 3), Period(2024, 4)])
    (last,) = core.rounds.flag_history([units["丙村"].id])
    assert last.black_streak == 2
    assert "约谈提醒" in last.warning
    assert "连续 3 个季度" not in last.warning


# ---------------------------------------------------------------------------- finding a round


def test_find_round_by_id_and_by_quarter(core: Core) -> None:
    detail = new_round(core, units=("甲村",))
    assert core.rounds.find_round(str(detail.id)) == detail.id
    assert core.rounds.find_round("2025Q1") == detail.id
    assert core.rounds.find_round("2025年第一季度") == detail.id
    with pytest.raises(NotFoundError, match="2024年第四季度没有评比活动"):
        core.rounds.find_round("2024Q4")


def test_find_round_with_two_rounds_in_a_quarter_asks_for_the_id(core: Core) -> None:
    first = new_round(core, units=("甲村",))
    second = create(core, title="第二场")
    with pytest.raises(ValidationError) as caught:
        core.rounds.find_round("2025Q1")
    message = caught.value.message
    assert "请用编号指定" in message
    assert str(first.id) in message and str(second.id) in message


def test_deleting_the_newest_audit_entries_or_the_whole_log_is_detected(core: Core) -> None:
    audited_round(core)
    count = len(core.audit.entries())
    sql(core.folder.database.path, "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)")
    (problem,) = core.audit.verify()
    assert problem.startswith(f"审计日志应有 {count} 条记录，现有 {count - 1} 条：末尾的 1 条记录被删除")
    sql(core.folder.database.path, "DELETE FROM audit_log")
    (problem,) = core.audit.verify()
    assert problem == f"审计日志应有 {count} 条记录，现有 0 条：末尾的 {count} 条记录被删除"
    assert not core.check().ok


def test_an_unknown_round_number_is_refused_at_once(core: Core) -> None:
    with pytest.raises(NotFoundError):
        core.rounds.find_round("999")


@pytest.fixture
def straddle(core: Core) -> RoundDetail:
    """乙村, 丙村 and 丁村 tied between 甲村 (first) and 戊村 (last), with 2 red and 2 black flags:
    one tie group stands across both lines."""
    detail = new_round(core, units=("甲村", "乙村", "丙村", "丁村", "戊村"), red=2, black=2)
    for name, stage in (("甲村", "95"), ("乙村", "80"), ("丙村", "80"), ("丁村", "80"), ("戊村", "60")):
        give(core, detail, "张一", name, ("40", "40"), stage)
    return detail


def test_a_tie_across_both_lines_cannot_be_given_all_flags_or_both_flags(core: Core, straddle: RoundDetail) -> None:
    ties = core.rounds.results(straddle.id).ties
    assert {t.flag for t in ties} == {Flag.RED, Flag.BLACK} and all(t.straddles for t in ties)
    red = next(t for t in ties if t.flag is Flag.RED)
    results = core.rounds.decide_tie(straddle.id, red, TieMethod.COMMITTEE, ["乙村"], "党委会研究").value
    (black,) = results.ties
    assert black.straddles  # still across both lines, though the red side is decided
    with pytest.raises(ValidationError, match="不能都给旗"):
        core.rounds.decide_tie(straddle.id, black, TieMethod.EXTEND)
    with pytest.raises(ValidationError, match="同一单位不能既得红旗又得黑旗"):
        core.rounds.decide_tie(straddle.id, black, TieMethod.COMMITTEE, ["乙村"], "党委会研究")
    assert len(audit_of(core, straddle, "决定旗位并列")) == 1  # the refused ones left no trace
    results = core.rounds.decide_tie(straddle.id, black, TieMethod.COMMITTEE, ["丁村"], "党委会研究").value
    assert ranking(results) == {
        "甲村": (1, Flag.RED),
        "乙村": (2, Flag.RED),
        "丙村": (2, None),
        "丁村": (2, Flag.BLACK),
        "戊村": (5, Flag.BLACK),
    }


def test_a_decision_whose_tie_is_gone_is_dropped_and_does_not_come_back_by_itself(
    core: Core, boundary: RoundDetail
) -> None:
    (tie,) = core.rounds.results(boundary.id).ties
    core.rounds.decide_tie(boundary.id, tie, TieMethod.EXTEND)
    give(core, boundary, "张一", "乙村", ("60", "30"), "91")  # 乙村 ahead: no tie
    assert core.rounds.results(boundary.id).ties == ()
    assert len(audit_of(core, boundary, "旗位并列决定失效")) == 1
    give(core, boundary, "张一", "乙村", ("60", "30"), "90")  # the same tie again: hers to decide again
    assert [t.key for t in core.rounds.results(boundary.id).ties] == [tie.key]
