"""A first registration is open at the start ("since always") unless a 在册起始日期 is given."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from factories import make_unit
from openpyxl import Workbook

from lsb_desktop.core import Core
from lsb_desktop.domain.period import Period
from lsb_desktop.domain.register import REGISTER_START, OrgType, UnitDraft, UnitKind, format_start
from lsb_desktop.errors import ValidationError
from lsb_desktop.services.roster import ADDED, UNCHANGED, UPDATED
from lsb_desktop.services.rounds import RoundDraft
from tests.integration.dbfiles import query


def make_xlsx(folder: Path, rows: list[list[object]], name: str = "名册.xlsx") -> Path:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    path = folder / name
    workbook.save(path)
    return path


ROWS = [
    ["村（社区）名称", "管区", "党组织书记", "在册起始日期"],
    ["张五砦村", "东部管区", "李禛", None],
    ["刘堌堆村", "东部管区", "刘喆", None],
    ["新城社区", "西部管区", "赵丽娟", date(2024, 7, 1)],  # formed by a merger in 2024
]


def test_after_a_first_import_a_round_of_any_past_quarter_can_be_created(core: Core, tmp_path: Path) -> None:
    core.roster.apply(core.roster.preview(make_xlsx(tmp_path, ROWS)))

    old = core.rounds.create_round(RoundDraft(Period(2019, 2), judges=("甲", "乙", "丙"))).value

    assert [u.name for u in old.units] == ["张五砦村", "刘堌堆村"]
    # The secretary of a row without 任职时间 is on the round's paper too.
    assert [u.secretary for u in old.units] == ["李禛", "刘喆"]
    recent = core.rounds.create_round(RoundDraft(Period(2024, 3), judges=("甲", "乙", "丙"))).value
    assert [u.name for u in recent.units] == ["张五砦村", "刘堌堆村", "新城社区"]


def test_the_preview_says_since_when_each_new_unit_is_registered(core: Core, tmp_path: Path) -> None:
    preview = core.roster.preview(make_xlsx(tmp_path, ROWS))
    assert [(p.name, p.action) for p in preview.plan] == [("张五砦村", ADDED), ("刘堌堆村", ADDED), ("新城社区", ADDED)]
    assert "在册起始日期：（建档起）" in preview.plan[0].changes[0]
    assert "在册起始日期：2024-07-01" in preview.plan[2].changes[0]


def test_a_re_import_with_changes_dates_them_and_keeps_the_open_start(core: Core, tmp_path: Path) -> None:
    core.roster.apply(core.roster.preview(make_xlsx(tmp_path, ROWS)))
    rows = [list(row) for row in ROWS]
    rows[2][1] = "西部管区"  # 刘堌堆村 moves
    changed = make_xlsx(tmp_path, rows, "变更.xlsx")

    # No date given: the change is dated today, never "since always".
    preview = core.roster.preview(changed)
    assert [(p.name, p.action) for p in preview.plan] == [
        ("张五砦村", UNCHANGED),
        ("刘堌堆村", UPDATED),
        ("新城社区", UNCHANGED),
    ]
    core.roster.apply(preview)

    liu = next(u for u in core.villages.list_units() if u.name == "刘堌堆村")
    history = core.villages.get_unit(liu.id).history
    assert [(v.valid_from, v.district_name) for v in history] == [
        (REGISTER_START, "东部管区"),
        (date.today(), "西部管区"),
    ]
    assert liu.registered_from == REGISTER_START


def test_an_explicit_effective_date_dates_changes_but_not_new_units(core: Core, tmp_path: Path) -> None:
    core.roster.apply(core.roster.preview(make_xlsx(tmp_path, ROWS[:2])))
    rows = [list(row) for row in ROWS]
    rows[1][1] = "西部管区"
    core.roster.apply(core.roster.preview(make_xlsx(tmp_path, rows, "变更.xlsx"), date(2024, 3, 1)))

    units = {u.name: u for u in core.villages.list_units()}
    assert [v.valid_from for v in core.villages.get_unit(units["张五砦村"].id).history] == [
        REGISTER_START,
        date(2024, 3, 1),
    ]
    # A unit new in the second file is open at the start too; the column dates 新城社区.
    assert units["刘堌堆村"].registered_from == REGISTER_START
    assert units["新城社区"].registered_from == date(2024, 7, 1)


def test_a_start_for_every_new_unit_can_be_given_to_the_service(core: Core, tmp_path: Path) -> None:
    core.roster.apply(core.roster.preview(make_xlsx(tmp_path, ROWS), start=date(2022, 1, 1)))
    starts = {u.name: u.registered_from for u in core.villages.list_units()}
    assert starts == {"张五砦村": date(2022, 1, 1), "刘堌堆村": date(2022, 1, 1), "新城社区": date(2024, 7, 1)}


def test_a_start_column_corrects_a_unit_nothing_refers_to(core: Core, tmp_path: Path) -> None:
    core.roster.apply(core.roster.preview(make_xlsx(tmp_path, ROWS)))
    rows = [list(row) for row in ROWS]
    rows[2][3] = date(2021, 1, 1)
    preview = core.roster.preview(make_xlsx(tmp_path, rows, "更正.xlsx"))
    assert [(p.name, p.action, p.changes) for p in preview.plan][1] == (
        "刘堌堆村",
        UPDATED,
        ("在册起始日期：（建档起） → 2021-01-01",),
    )
    core.roster.apply(preview)
    liu = next(u for u in core.villages.list_units() if u.name == "刘堌堆村")
    assert (liu.registered_from, liu.secretary_since) == (date(2021, 1, 1), date(2021, 1, 1))
    entries = query(
        core.folder.database.path, "SELECT action, entity, old, new FROM audit_log WHERE action = '更正在册起始日期'"
    )
    assert len(entries) == 1 and "（建档起）" in entries[0][2] and "2021-01-01" in entries[0][3]


def test_a_start_column_on_a_unit_in_a_round_is_a_problem_naming_the_round(core: Core, tmp_path: Path) -> None:
    core.roster.apply(core.roster.preview(make_xlsx(tmp_path, ROWS)))
    core.rounds.create_round(RoundDraft(Period(2023, 1), judges=("甲",)))
    rows = [list(row) for row in ROWS]
    rows[1][3] = date(2021, 1, 1)
    preview = core.roster.preview(make_xlsx(tmp_path, rows, "更正.xlsx"))
    assert not preview.ok
    assert [(p.row, p.field) for p in preview.problems] == [(2, "在册起始日期")]
    assert "已参加 1 次评比" in preview.problems[0].message


# ---------------------------------------------------------------------------- by hand


def test_a_unit_added_by_hand_without_a_date_is_in_every_past_round(core: Core) -> None:
    draft = UnitDraft("黄岗村", UnitKind.VILLAGE, OrgType.BRANCH, None, "黄海涛")
    unit = core.villages.add_unit(draft).value
    assert unit.registered_from == REGISTER_START
    assert format_start(unit.registered_from) == "（建档起）"
    assert format_start(unit.secretary_since) == "（建档起）"
    detail = core.rounds.create_round(RoundDraft(Period(2020, 4), judges=("甲",))).value
    assert [(u.name, u.secretary) for u in detail.units] == [("黄岗村", "黄海涛")]


def test_the_start_can_be_corrected_while_nothing_refers_to_the_unit(core: Core) -> None:
    unit = core.villages.add_unit(UnitDraft("黄岗村", UnitKind.VILLAGE, OrgType.BRANCH, None, "黄海涛")).value
    assert core.villages.start_locks(unit.id) == []

    corrected = core.villages.change_unit(unit.id, start=date(2023, 4, 1), reason="撤并后新设").value
    assert (corrected.registered_from, corrected.secretary_since) == (date(2023, 4, 1), date(2023, 4, 1))
    assert [v.valid_from for v in core.villages.get_unit(unit.id).history] == [date(2023, 4, 1)]
    back = core.villages.change_unit(unit.id, start=None).value
    assert back.registered_from == REGISTER_START
    with pytest.raises(ValidationError, match="没有任何改动"):
        core.villages.change_unit(unit.id, start=None)


@pytest.mark.parametrize("refer", ["round", "version", "secretary"])
def test_once_something_refers_to_the_unit_its_start_is_fixed(core: Core, refer: str) -> None:
    unit = make_unit(core, "黄岗村", secretary="黄海涛", effective=date(2022, 1, 1))
    if refer == "round":
        core.rounds.create_round(RoundDraft(Period(2023, 1), judges=("甲",)))
        expected = "已参加 1 次评比"
    elif refer == "version":
        core.villages.change_unit(unit.id, effective=date(2023, 1, 1), org_type=OrgType.GENERAL_BRANCH)
        expected = "已有 1 条变更记录"
    else:
        core.villages.change_secretary(unit.id, "王五", date(2023, 1, 1))
        expected = "已有书记更换记录"
    assert core.villages.start_locks(unit.id) == [expected]
    with pytest.raises(ValidationError, match=expected) as caught:
        core.villages.change_unit(unit.id, start=date(2021, 1, 1))
    assert "2022-01-01" in caught.value.message
    assert core.villages.get_unit(unit.id).unit.registered_from == date(2022, 1, 1)


def test_a_start_after_today_is_refused(core: Core) -> None:
    unit = core.villages.add_unit(UnitDraft("黄岗村", UnitKind.VILLAGE, OrgType.BRANCH)).value
    with pytest.raises(ValidationError, match="晚于今天"):
        core.villages.change_unit(unit.id, start=date(2999, 1, 1))


# ---------------------------------------------------------------------------- a round before the start


def test_a_round_before_every_units_start_names_them_and_the_fix(core: Core) -> None:
    make_unit(core, "张五砦村", effective=date(2024, 7, 1))
    make_unit(core, "刘堌堆村", effective=date(2024, 8, 1))
    with pytest.raises(ValidationError) as caught:
        core.rounds.create_round(RoundDraft(Period(2023, 1), judges=("甲",)))
    message = caught.value.message
    assert "张五砦村（2024-07-01 起在册）、刘堌堆村（2024-08-01 起在册）" in message
    assert "在册起始日期" in message and "建档起" in message


def test_chosen_units_not_yet_registered_are_named(core: Core) -> None:
    early = make_unit(core, "张五砦村")
    late = make_unit(core, "新城社区", effective=date(2024, 7, 1))
    with pytest.raises(ValidationError) as caught:
        core.rounds.create_round(RoundDraft(Period(2023, 1), judges=("甲",), unit_ids=(early.id, late.id)))
    assert "新城社区（2024-07-01 起在册）" in caught.value.message
    assert "张五砦村" not in caught.value.message
    assert "在册起始日期" in caught.value.message


def test_an_empty_register_asks_for_the_roster(core: Core) -> None:
    with pytest.raises(ValidationError, match="请先登记村（社区）或导入花名册"):
        core.rounds.create_round(RoundDraft(Period(2023, 1), judges=("甲",)))
