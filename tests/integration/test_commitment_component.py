"""A round whose scheme includes 承诺完成: the component is computed from the commitments
(completion rate on the last day of the round's quarter × its full points), never typed, shown
with where it came from, and frozen with the rest when the round is finalised.

Every expected number is worked out by hand below."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from factories import make_unit
from openpyxl import load_workbook

from lsb_desktop.core import Core
from lsb_desktop.domain.commitments import COMPLETION_COMPONENT, COMPLETION_CRITERION, CommitmentDraft, CommitmentStatus
from lsb_desktop.domain.period import Period
from lsb_desktop.domain.scoring import Component, ComponentSource, Criterion, Scheme
from lsb_desktop.errors import ValidationError
from lsb_desktop.services.rounds import NOTE_NO_COMMITMENTS, RoundDraft

D = Decimal
F = Fraction
Q1 = Period(2025, 1)
# 实地观摩 (0.7) = 综合表现 100; 承诺完成 (0.3) = completion rate × 100.
SCHEME = Scheme(
    (
        Component("实地观摩", D("0.7"), (Criterion("综合表现", D(100)),)),
        # as the scheme dialog and the scheme file make it: one criterion, its full points
        Component(
            COMPLETION_COMPONENT, D("0.3"), (Criterion(COMPLETION_CRITERION, D(100)),), ComponentSource.COMMITMENTS
        ),
    )
)


def add_items(core: Core, unit_id: int, count: int) -> list[int]:
    return [
        core.commitments.add(CommitmentDraft(unit_id, 2025, f"承诺事项{n}", "民生实事")).id for n in range(1, count + 1)
    ]


@pytest.fixture
def township(core: Core):
    """甲村: 4 items, 3 done in Q1 and 1 cancelled → 3 ÷ (4 − 1) = 100 %.
    乙村: 4 items, 2 done in Q1 and 1 more in Q2 → 2 ÷ 4 = 50 % in Q1.
    丙村: no commitments at all."""
    units = {name: make_unit(core, name).id for name in ("甲村", "乙村", "丙村")}
    first = add_items(core, units["甲村"], 4)
    for item in first[:3]:
        core.commitments.set_status(item, CommitmentStatus.DONE, on=date(2025, 3, 10))
    core.commitments.cancel(first[3], "上级规划调整，项目不再实施", date(2025, 2, 1))
    second = add_items(core, units["乙村"], 4)
    for item in second[:2]:
        core.commitments.set_status(item, CommitmentStatus.DONE, on=date(2025, 3, 31))
    core.commitments.set_status(second[2], CommitmentStatus.DONE, on=date(2025, 4, 1))
    return units


def make_round(core: Core, judges=("张一", "张二")):
    return core.rounds.create_round(RoundDraft(Q1, "测试评比", date(2025, 4, 20), judges, 1, 1, scheme=SCHEME)).value


def score(core: Core, detail, points: dict[str, str]) -> None:
    cells = [(j.id, u.id, "综合表现", D(points[u.name])) for j in detail.judges for u in detail.units]
    core.rounds.set_scores(detail.id, cells)


def test_the_component_is_the_completion_rate_times_its_full_points(core: Core, township) -> None:
    detail = make_round(core)
    # Judges alone would put 乙村 first (90 > 85); commitments turn it round.
    score(core, detail, {"甲村": "85", "乙村": "90", "丙村": "80"})
    results = core.rounds.results(detail.id)
    first, second = results.of("甲村"), results.of("乙村")
    assert first.components[COMPLETION_COMPONENT] == F(100)
    assert second.components[COMPLETION_COMPONENT] == F(50)  # the Q2 completion does not count in Q1
    assert first.composite == F(85) * F(7, 10) + F(100) * F(3, 10)  # 89.5
    assert second.composite == F(90) * F(7, 10) + F(50) * F(3, 10)  # 78
    assert (first.rank, second.rank) == (1, 2)
    assert "已完成 3 项" in first.basis[COMPLETION_COMPONENT]
    assert "取消 1 项" in first.basis[COMPLETION_COMPONENT]
    assert "50.00%" in second.basis[COMPLETION_COMPONENT]
    assert first.judges[COMPLETION_COMPONENT] == 0


def test_a_unit_without_commitments_blocks_finalising(core: Core, township) -> None:
    detail = make_round(core)
    score(core, detail, {"甲村": "85", "乙村": "90", "丙村": "80"})
    third = core.rounds.results(detail.id).of("丙村")
    assert f"{COMPLETION_COMPONENT}{NOTE_NO_COMMITMENTS}" in third.notes
    with pytest.raises(ValidationError) as refused:
        core.rounds.finalize(detail.id)
    assert any(NOTE_NO_COMMITMENTS in line for line in refused.value.details)


def test_nobody_can_type_a_score_for_the_computed_component(core: Core, township) -> None:
    detail = make_round(core)
    judge, unit = detail.judges[0].id, detail.units[0].id
    with pytest.raises(ValidationError, match="自动计算"):
        core.rounds.set_score(detail.id, judge, unit, COMPLETION_CRITERION, D(50))
    assert core.rounds.scores(detail.id) == []


def test_the_finalised_result_keeps_its_rate_when_commitments_change_later(core: Core, township) -> None:
    add_items(core, township["丙村"], 2)
    detail = make_round(core)
    score(core, detail, {"甲村": "85", "乙村": "90", "丙村": "80"})
    final = core.rounds.finalize(detail.id).value
    assert final.of("丙村").components[COMPLETION_COMPONENT] == F(0)
    item = core.commitments.list_commitments(2025, township["乙村"])[3]
    core.commitments.set_status(item.id, CommitmentStatus.DONE, on=date(2025, 3, 1))
    stored = core.rounds.results(detail.id)
    assert stored.of("乙村").components[COMPLETION_COMPONENT] == F(50)
    assert "50.00%" in stored.of("乙村").basis[COMPLETION_COMPONENT]


def test_the_scheme_keeps_its_source_through_the_template_and_the_round(core: Core, township) -> None:
    core.rounds.save_scheme_template(SCHEME)
    assert core.rounds.scheme_template() == SCHEME
    detail = core.rounds.create_round(RoundDraft(Q1, "", date(2025, 4, 20), ("张一",))).value
    assert detail.scheme.component(COMPLETION_COMPONENT).source is ComponentSource.COMMITMENTS
    assert [c.name for c in detail.scheme.judged.components] == ["实地观摩"]


def test_blank_score_sheets_leave_the_computed_component_out(core: Core, township, tmp_path) -> None:
    detail = make_round(core)
    path = tmp_path / "评分表.xlsx"
    core.rounds.write_blank_sheets(detail.id, path)
    texts = {
        str(cell.value)
        for sheet in load_workbook(path).worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }
    assert any("综合表现" in text for text in texts)
    assert not any(COMPLETION_CRITERION in text for text in texts)
