"""What each mutating service call says it changed (`Changed.changes`), on a real data file:
the window broadcasts exactly this, so a wrong flag would leave a tab stale or reload one for
nothing. A typed score on a draft round says SCORES, never RESULTS."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from factories import make_unit

from lsb_desktop.changes import Changed, Changes
from lsb_desktop.domain.period import Period
from lsb_desktop.domain.register import OrgType, UnitDraft, UnitKind
from lsb_desktop.domain.rounds import AdjustmentType
from lsb_desktop.domain.scoring import Component, Criterion, Scheme
from lsb_desktop.services.rounds import RoundDraft

SCHEME = Scheme((Component("实地观摩", Decimal(1), (Criterion("基层党建", Decimal(100)),)),))


def test_a_round_says_set_up_scores_and_results_apart(core) -> None:
    for name in ("甲村", "乙村"):
        make_unit(core, name)
    rounds = core.rounds
    created = rounds.create_round(
        RoundDraft(Period(2025, 1), "测试", date(2025, 3, 20), ("张一",), 1, 0, scheme=SCHEME)
    )
    assert isinstance(created, Changed) and created.changes == Changes.ROUND_SETUP
    detail = created.value
    judge, first, second = detail.judges[0].id, detail.units[0].id, detail.units[1].id
    # The first score moves the draft to 评分中; the next ones are scores only.
    assert rounds.set_score(detail.id, judge, first, "基层党建", "90").changes == Changes.SCORES | Changes.ROUND_SETUP
    assert rounds.set_score(detail.id, judge, second, "基层党建", "80").changes == Changes.SCORES
    assert rounds.set_score(detail.id, judge, second, "基层党建", "80") == Changed(Decimal(80), Changes.NONE)
    bonus = rounds.add_adjustment(detail.id, second, AdjustmentType.BONUS, "1", "获市级表彰")
    assert bonus.changes == Changes.SCORES
    assert rounds.remove_adjustment(detail.id, bonus.value.id).changes == Changes.SCORES
    assert rounds.add_judge(detail.id, "张二").changes == Changes.ROUND_SETUP
    assert rounds.finalize(detail.id).changes == Changes.RESULTS | Changes.ROUND_SETUP
    # A correction of a finalised round stores its results anew: what the flag history shows.
    corrected = rounds.set_score(detail.id, judge, second, "基层党建", "95", "按原始评分表更正")
    assert corrected.changes == Changes.SCORES | Changes.RESULTS
    assert Changes.SCORES in Changes.ROUNDS and Changes.RESULTS in Changes.ROUNDS


def test_the_register_and_the_settings_say_what_they_changed(core) -> None:
    villages = core.villages
    district = villages.add_district("东部管区")
    assert district.changes == Changes.DISTRICTS
    added = villages.add_unit(UnitDraft("甲村", UnitKind.VILLAGE, OrgType.BRANCH, district.value.id))
    assert added.changes == Changes.UNITS and added.value.name == "甲村"
    assert villages.change_secretary(added.value.id, "李四", date(2024, 1, 1)).changes == Changes.UNITS
    assert villages.move_unit(added.value.id, 0).changes == Changes.UNITS
    assert villages.update_district(district.value.id, "一管区").changes == Changes.DISTRICTS
    assert core.settings.save_township("孟庄镇", "").changes == Changes.SETTINGS
