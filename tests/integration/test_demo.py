"""The demo township, built on a real data file."""

from __future__ import annotations

from datetime import date

import pytest
from factories import make_unit

from lsb_desktop.core import Core
from lsb_desktop.demo import build_demo
from lsb_desktop.domain.register import UnitKind, UnitStatus
from lsb_desktop.errors import ValidationError


def test_the_demo_has_24_units_in_4_districts(demo_core: Core) -> None:
    units = demo_core.villages.list_units()
    districts = demo_core.villages.list_districts()
    assert len(units) == 24
    assert len(districts) == 4
    assert all(d.leader for d in districts)
    assert {u.district_id for u in units} == {d.id for d in districts}
    # Every 管区 holds six units (one of them archived).
    assert sorted(sum(1 for u in units if u.district_id == d.id) for d in districts) == [6, 6, 6, 6]


def test_the_demo_has_villages_and_communities(demo_core: Core) -> None:
    kinds = {u.kind for u in demo_core.villages.list_units()}
    assert kinds == {UnitKind.VILLAGE, UnitKind.COMMUNITY}


def test_the_demo_has_the_hard_characters(demo_core: Core) -> None:
    units = {u.name: u for u in demo_core.villages.list_units()}
    assert "张五砦村" in units
    assert units["张五砦村"].secretary == "李禛"


def test_the_demo_has_a_secretary_replaced_mid_year(demo_core: Core) -> None:
    two_terms = [
        detail
        for detail in (demo_core.villages.get_unit(u.id) for u in demo_core.villages.list_units())
        if len(detail.terms) == 2
    ]
    assert len(two_terms) == 1
    old, new = two_terms[0].terms
    assert old.end is not None and new.end is None
    assert (new.start - old.end).days == 1
    assert new.start.month not in (1, 12)  # mid-year, not at a year's turn
    assert two_terms[0].unit.secretary == new.person


def test_the_demo_has_one_archived_unit_with_its_history(demo_core: Core) -> None:
    units = demo_core.villages.list_units()
    archived = [u for u in units if u.status is UnitStatus.ARCHIVED]
    assert len(archived) == 1
    assert len(demo_core.villages.list_units(include_inactive=False)) == 23
    history = demo_core.villages.get_unit(archived[0].id).history
    assert [v.status for v in history] == [UnitStatus.ACTIVE, UnitStatus.ARCHIVED]
    assert history[-1].reason


def test_the_demo_sets_the_township(demo_core: Core) -> None:
    settings = demo_core.settings.township()
    assert settings.is_set
    assert settings.township_name.endswith("镇")
    assert not demo_core.is_empty()


def test_the_demo_register_is_dated_before_its_first_changes(demo_core: Core) -> None:
    # Looking back to the start of 2021 shows all 24 active, with their first secretaries.
    units = demo_core.villages.list_units(date(2021, 1, 1))
    assert len(units) == 24
    assert all(u.status is UnitStatus.ACTIVE and u.secretary for u in units)


def test_building_the_demo_twice_is_refused(demo_core: Core) -> None:
    with pytest.raises(ValidationError, match="空白数据"):
        build_demo(demo_core)
    assert demo_core.villages.count_units() == 24
    assert len(demo_core.villages.list_districts()) == 4


def test_the_demo_is_refused_over_a_register_someone_started(core: Core) -> None:
    make_unit(core, "张五砦村")
    with pytest.raises(ValidationError):
        build_demo(core)
    assert core.villages.count_units() == 1
    assert core.settings.township().township_name == ""
