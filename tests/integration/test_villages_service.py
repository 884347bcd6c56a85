"""The register service on a real data file: units, their history, secretaries, 管区, settings."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from factories import make_unit

from lsb_desktop.core import Core
from lsb_desktop.domain.register import OrgType, UnitDraft, UnitKind, UnitStatus
from lsb_desktop.errors import NotFoundError, ValidationError
from tests.integration.dbfiles import query

TODAY = date.today()


def names(core: Core, on: date | None = None, **kwargs) -> list[str]:
    return [unit.name for unit in core.villages.list_units(on, **kwargs)]


def db_count(core: Core, table: str) -> int:
    return query(core.folder.database.path, f"SELECT count(*) FROM {table}")[0][0]


@pytest.fixture
def east(core: Core):
    return core.villages.add_district("东部管区", "刘建国").value


@pytest.fixture
def west(core: Core):
    return core.villages.add_district("西部管区").value


# ---------------------------------------------------------------------------- adding


def test_add_registers_a_unit_with_its_secretary_and_district(core: Core, east) -> None:
    draft = UnitDraft("张五砦村", UnitKind.VILLAGE, OrgType.GENERAL_BRANCH, east.id, "李禛", date(2021, 3, 1))
    added = core.villages.add_unit(draft, date(2022, 1, 1)).value

    (unit,) = core.villages.list_units()
    assert unit == added
    assert (unit.name, unit.kind, unit.org_type, unit.district_name) == (
        "张五砦村",
        UnitKind.VILLAGE,
        OrgType.GENERAL_BRANCH,
        "东部管区",
    )
    assert (unit.secretary, unit.secretary_since, unit.status) == ("李禛", date(2021, 3, 1), UnitStatus.ACTIVE)
    assert unit.organisation_title == "张五砦村党总支"
    detail = core.villages.get_unit(unit.id)
    assert [(v.valid_from, v.changes) for v in detail.history] == [(date(2022, 1, 1), ("建立档案",))]
    assert [(t.person, t.start, t.end) for t in detail.terms] == [("李禛", date(2021, 3, 1), None)]
    assert core.villages.list_districts()[0].unit_count == 1


def test_add_without_a_date_of_office_starts_the_term_on_the_effective_day(core: Core) -> None:
    unit = make_unit(core, "刘堌堆村", secretary="刘 喆", effective=date(2022, 5, 1))
    assert (unit.secretary, unit.secretary_since) == ("刘喆", date(2022, 5, 1))


def test_add_stores_the_canonical_name(core: Core) -> None:
    assert make_unit(core, " 东关 (社区) ").name == "东关（社区）"


def test_add_refuses_a_date_of_office_without_a_secretary_and_writes_nothing(core: Core) -> None:
    draft = UnitDraft("张五砦村", UnitKind.VILLAGE, OrgType.BRANCH, None, "", date(2021, 1, 1))
    with pytest.raises(ValidationError, match="没有填写党组织书记姓名"):
        core.villages.add_unit(draft, date(2022, 1, 1))
    assert core.villages.count_units() == 0
    assert db_count(core, "unit_versions") == 0


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("张五砦村", "张五砦村"),
        ("东关（社区）", "东关(社区)"),
        ("东关(社区)", "东关（社区）"),
        ("张五砦村", " 张 五砦村 "),
    ],
)
def test_a_duplicate_name_is_refused(core: Core, first: str, second: str) -> None:
    make_unit(core, first)
    with pytest.raises(ValidationError, match="名称不能重复"):
        make_unit(core, second)
    assert core.villages.count_units() == 1


def test_a_name_still_held_by_an_archived_unit_is_refused(core: Core) -> None:
    unit = make_unit(core, "牛王庙村")
    core.villages.archive_unit(unit.id, date(2024, 1, 1), "整村搬迁")
    with pytest.raises(ValidationError) as caught:
        make_unit(core, "牛王庙村")
    assert "已归档" in caught.value.message


def test_a_name_held_by_a_merged_unit_is_refused(core: Core) -> None:
    source = make_unit(core, "牛王庙村")
    target = make_unit(core, "新城社区")
    core.villages.merge_unit(source.id, target.id, date(2024, 1, 1), "镇发〔2023〕12号")
    with pytest.raises(ValidationError, match="已合并"):
        make_unit(core, "牛王庙村")


def test_add_into_an_archived_district_is_refused(core: Core, west) -> None:
    core.villages.update_district(west.id, "西部管区", archived=True)
    with pytest.raises(ValidationError, match="已停用"):
        make_unit(core, "西杨庄村", district_id=west.id)


def test_add_into_a_district_that_does_not_exist_is_refused(core: Core) -> None:
    with pytest.raises(NotFoundError):
        make_unit(core, "西杨庄村", district_id=999)


# ---------------------------------------------------------------------------- history


def test_a_rename_keeps_the_old_name_for_the_days_before_it(core: Core) -> None:
    unit = make_unit(core, "张五砦村", effective=date(2022, 1, 1))
    renamed = core.villages.change_unit(unit.id, name="张五寨村", effective=date(2024, 3, 1), reason="民政批复").value

    assert renamed.name == "张五寨村"
    history = core.villages.get_unit(unit.id).history
    assert [(v.valid_from, v.name) for v in history] == [(date(2022, 1, 1), "张五砦村"), (date(2024, 3, 1), "张五寨村")]
    assert history[1].changes == ("名称：张五砦村 → 张五寨村",)
    assert history[1].reason == "民政批复"
    assert names(core, date(2024, 2, 29)) == ["张五砦村"]
    assert names(core, date(2024, 3, 1)) == ["张五寨村"]
    assert names(core) == ["张五寨村"]
    # Before it was registered, the unit did not exist.
    assert names(core, date(2021, 12, 31)) == []


def test_a_rename_frees_the_old_name_only_for_other_units_in_the_future(core: Core) -> None:
    unit = make_unit(core, "张五砦村")
    core.villages.change_unit(unit.id, name="张五寨村", effective=date(2024, 3, 1))
    assert make_unit(core, "张五砦村").name == "张五砦村"
    with pytest.raises(ValidationError, match="名称不能重复"):
        core.villages.change_unit(unit.id, name="张五砦村", effective=date(2024, 4, 1))


def test_a_change_dated_before_the_last_change_is_refused(core: Core) -> None:
    unit = make_unit(core, "张五砦村", effective=date(2022, 1, 1))
    core.villages.change_unit(unit.id, name="张五寨村", effective=date(2024, 3, 1))
    with pytest.raises(ValidationError, match="只能向后追加"):
        core.villages.change_unit(unit.id, org_type=OrgType.GENERAL_BRANCH, effective=date(2024, 2, 1))
    assert len(core.villages.get_unit(unit.id).history) == 2


def test_a_change_on_the_same_day_as_the_last_one_is_accepted(core: Core) -> None:
    unit = make_unit(core, "张五砦村", effective=date(2022, 1, 1))
    core.villages.change_unit(unit.id, name="张五寨村", effective=date(2024, 3, 1))
    core.villages.change_unit(unit.id, org_type=OrgType.GENERAL_BRANCH, effective=date(2024, 3, 1))
    (unit_then,) = core.villages.list_units(date(2024, 3, 1))
    assert (unit_then.name, unit_then.org_type) == ("张五寨村", OrgType.GENERAL_BRANCH)


def test_a_village_becoming_a_community_is_kept_in_history(core: Core) -> None:
    unit = make_unit(core, "东关村", effective=date(2022, 1, 1))
    core.villages.change_unit(
        unit.id,
        name="东关社区",
        kind=UnitKind.COMMUNITY,
        org_type=OrgType.COMMITTEE,
        effective=date(2024, 1, 1),
        reason="村改居",
    )
    history = core.villages.get_unit(unit.id).history
    assert [(v.name, v.kind, v.org_type) for v in history] == [
        ("东关村", UnitKind.VILLAGE, OrgType.BRANCH),
        ("东关社区", UnitKind.COMMUNITY, OrgType.COMMITTEE),
    ]
    assert history[1].changes == ("名称：东关村 → 东关社区", "类型：村 → 社区", "党组织类型：党支部 → 党委")
    (before,) = core.villages.list_units(date(2023, 12, 31))
    assert (before.kind, before.organisation_title) == (UnitKind.VILLAGE, "东关村党支部")


def test_a_move_to_another_district_is_dated(core: Core, east, west) -> None:
    unit = make_unit(core, "黄岗村", district_id=east.id)
    core.villages.change_unit(unit.id, district_id=west.id, effective=date(2024, 7, 1))
    assert core.villages.list_units(date(2024, 6, 30))[0].district_name == "东部管区"
    assert core.villages.list_units(date(2024, 7, 1))[0].district_name == "西部管区"
    assert core.villages.get_unit(unit.id).history[1].changes == ("管区：东部管区 → 西部管区",)
    counts = {d.name: d.unit_count for d in core.villages.list_districts()}
    assert counts == {"东部管区": 0, "西部管区": 1}


def test_a_change_that_changes_nothing_is_refused(core: Core) -> None:
    unit = make_unit(core, "张五砦村")
    with pytest.raises(ValidationError, match="没有任何改动"):
        core.villages.change_unit(unit.id, name="张五砦村", effective=date(2024, 1, 1))
    assert len(core.villages.get_unit(unit.id).history) == 1


def test_the_note_is_replaced_without_a_history_entry(core: Core) -> None:
    unit = make_unit(core, "张五砦村")
    changed = core.villages.change_unit(unit.id, note="省级示范村").value
    assert changed.note == "省级示范村"
    assert len(core.villages.get_unit(unit.id).history) == 1


def test_an_archived_unit_cannot_be_changed(core: Core) -> None:
    unit = make_unit(core, "张五砦村")
    core.villages.archive_unit(unit.id, date(2024, 1, 1), "整村搬迁")
    with pytest.raises(ValidationError, match="已归档"):
        core.villages.change_unit(unit.id, name="张五寨村", effective=date(2024, 2, 1))


# ---------------------------------------------------------------------------- secretaries


def test_a_new_secretary_ends_the_old_term_the_day_before(core: Core) -> None:
    unit = make_unit(core, "后营村", secretary="孙建设", since=date(2021, 1, 1))
    core.villages.change_secretary(unit.id, "孙海燕", date(2024, 7, 15), "年中调整")

    terms = core.villages.get_unit(unit.id).terms
    assert [(t.person, t.start, t.end) for t in terms] == [
        ("孙建设", date(2021, 1, 1), date(2024, 7, 14)),
        ("孙海燕", date(2024, 7, 15), None),
    ]
    assert terms[1].note == "年中调整"
    (before,) = core.villages.list_units(date(2024, 7, 14))
    (after,) = core.villages.list_units(date(2024, 7, 15))
    assert (before.secretary, before.secretary_since) == ("孙建设", date(2021, 1, 1))
    assert (after.secretary, after.secretary_since) == ("孙海燕", date(2024, 7, 15))


def test_a_first_secretary_can_be_set_on_a_unit_without_one(core: Core) -> None:
    unit = make_unit(core, "后营村")
    assert unit.secretary == ""
    assert core.villages.change_secretary(unit.id, "孙海燕", date(2024, 7, 15)).value.secretary == "孙海燕"


def test_the_same_person_again_is_refused(core: Core) -> None:
    unit = make_unit(core, "后营村", secretary="孙建设", since=date(2021, 1, 1))
    with pytest.raises(ValidationError, match="已经是现任书记"):
        core.villages.change_secretary(unit.id, "孙 建设", date(2024, 7, 15))
    assert len(core.villages.get_unit(unit.id).terms) == 1


@pytest.mark.parametrize("day", [date(2021, 1, 1), date(2020, 6, 1)])
def test_a_new_term_not_after_the_current_start_is_refused(core: Core, day: date) -> None:
    unit = make_unit(core, "后营村", secretary="孙建设", since=date(2021, 1, 1))
    with pytest.raises(ValidationError, match="必须晚于"):
        core.villages.change_secretary(unit.id, "孙海燕", day)
    terms = core.villages.get_unit(unit.id).terms
    assert [(t.person, t.end) for t in terms] == [("孙建设", None)]


def test_a_secretary_name_with_digits_is_refused(core: Core) -> None:
    unit = make_unit(core, "后营村")
    with pytest.raises(ValidationError, match="含有数字"):
        core.villages.change_secretary(unit.id, "孙海燕2", date(2024, 7, 15))


# ---------------------------------------------------------------------------- archive, restore, merge


def test_archive_needs_a_reason(core: Core) -> None:
    unit = make_unit(core, "牛王庙村")
    with pytest.raises(ValidationError, match="原因"):
        core.villages.archive_unit(unit.id, date(2025, 1, 1), "  ")
    assert core.villages.get_unit(unit.id).unit.status is UnitStatus.ACTIVE


def test_archive_keeps_the_unit_and_all_its_history(core: Core, east) -> None:
    unit = make_unit(
        core, "牛王庙村", district_id=east.id, secretary="牛新民", since=date(2021, 1, 1), effective=date(2021, 1, 1)
    )
    core.villages.archive_unit(unit.id, date(2025, 1, 1), "整村搬迁")

    detail = core.villages.get_unit(unit.id)
    assert detail.unit.status is UnitStatus.ARCHIVED
    assert [v.status for v in detail.history] == [UnitStatus.ACTIVE, UnitStatus.ARCHIVED]
    assert detail.history[1].changes == ("状态：在册 → 已归档",)
    assert detail.history[1].reason == "整村搬迁"
    assert [(t.person, t.end) for t in detail.terms] == [("牛新民", date(2024, 12, 31))]
    assert names(core) == ["牛王庙村"]
    assert names(core, include_inactive=False) == []
    (before,) = core.villages.list_units(date(2024, 12, 31))
    assert (before.status, before.secretary) == (UnitStatus.ACTIVE, "牛新民")
    assert core.villages.list_districts()[0].unit_count == 0


@pytest.mark.parametrize("day", [date(2024, 7, 15), date(2024, 3, 1)])
def test_archive_dated_not_after_the_current_secretarys_start_is_refused(core: Core, day: date) -> None:
    unit = make_unit(core, "牛王庙村", secretary="牛新民", since=date(2024, 7, 15), effective=date(2021, 1, 1))
    with pytest.raises(ValidationError, match="请核对日期"):
        core.villages.archive_unit(unit.id, day, "整村搬迁")
    detail = core.villages.get_unit(unit.id)
    assert detail.unit.status is UnitStatus.ACTIVE
    assert len(detail.history) == 1
    assert [(t.person, t.end) for t in detail.terms] == [("牛新民", None)]


def test_restore_brings_an_archived_unit_back(core: Core) -> None:
    unit = make_unit(core, "牛王庙村")
    core.villages.archive_unit(unit.id, date(2024, 1, 1), "整村搬迁")
    restored = core.villages.restore_unit(unit.id, date(2024, 6, 1), "搬迁取消").value
    assert restored.status is UnitStatus.ACTIVE
    history = core.villages.get_unit(unit.id).history
    assert [v.status for v in history] == [UnitStatus.ACTIVE, UnitStatus.ARCHIVED, UnitStatus.ACTIVE]
    assert history[2].changes == ("状态：已归档 → 在册",)


def test_restore_of_an_active_unit_or_without_a_reason_is_refused(core: Core) -> None:
    unit = make_unit(core, "牛王庙村")
    with pytest.raises(ValidationError, match="没有归档"):
        core.villages.restore_unit(unit.id, date(2024, 6, 1), "误操作")
    core.villages.archive_unit(unit.id, date(2024, 1, 1), "整村搬迁")
    with pytest.raises(ValidationError, match="原因"):
        core.villages.restore_unit(unit.id, date(2024, 6, 1), "")


def test_merge_closes_the_unit_into_its_target(core: Core) -> None:
    source = make_unit(core, "牛王庙村", secretary="牛新民", since=date(2021, 1, 1), effective=date(2021, 1, 1))
    target = make_unit(core, "新城社区")
    merged = core.villages.merge_unit(source.id, target.id, date(2025, 1, 1), "镇发〔2024〕8号").value

    assert merged.status is UnitStatus.MERGED
    assert (merged.merged_into_id, merged.merged_into_name) == (target.id, "新城社区")
    assert merged.secretary == ""
    detail = core.villages.get_unit(source.id)
    assert detail.history[-1].changes == ("状态：在册 → 已合并（并入新城社区）",)
    assert [(t.person, t.end) for t in detail.terms] == [("牛新民", date(2024, 12, 31))]
    assert names(core, include_inactive=False) == ["新城社区"]
    assert core.villages.list_units(date(2024, 12, 31))[0].status is UnitStatus.ACTIVE
    assert detail.history[-1].reason == "镇发〔2024〕8号"  # Chinese brackets kept as typed


def test_merge_into_a_unit_registered_after_the_merge_date_is_refused(core: Core) -> None:
    source = make_unit(core, "牛王庙村", effective=date(2021, 1, 1))
    target = make_unit(core, "新城社区", effective=date(2025, 6, 1))
    with pytest.raises(ValidationError, match="才建档"):
        core.villages.merge_unit(source.id, target.id, date(2025, 1, 1), "合并")
    assert core.villages.get_unit(source.id).unit.status is UnitStatus.ACTIVE


def test_merge_into_itself_is_refused(core: Core) -> None:
    unit = make_unit(core, "牛王庙村")
    with pytest.raises(ValidationError, match="它自己"):
        core.villages.merge_unit(unit.id, unit.id, date(2025, 1, 1), "合并")


def test_merge_into_an_inactive_unit_is_refused(core: Core) -> None:
    source = make_unit(core, "牛王庙村")
    target = make_unit(core, "新城社区")
    core.villages.archive_unit(target.id, date(2024, 1, 1), "撤销")
    with pytest.raises(ValidationError, match="不能作为合并目标"):
        core.villages.merge_unit(source.id, target.id, date(2025, 1, 1), "合并")
    assert core.villages.get_unit(source.id).unit.status is UnitStatus.ACTIVE


def test_merge_needs_a_reason(core: Core) -> None:
    source = make_unit(core, "牛王庙村")
    target = make_unit(core, "新城社区")
    with pytest.raises(ValidationError, match="原因"):
        core.villages.merge_unit(source.id, target.id, date(2025, 1, 1), "")


# ---------------------------------------------------------------------------- order


def test_move_unit_reorders_the_register(core: Core) -> None:
    a, b, c = (make_unit(core, name) for name in ("甲村", "乙村", "丙村"))
    core.villages.move_unit(c.id, -2)
    assert names(core) == ["丙村", "甲村", "乙村"]
    core.villages.move_unit(c.id, 1)
    assert names(core) == ["甲村", "丙村", "乙村"]
    core.villages.move_unit(a.id, -5)  # already first: stays first
    assert names(core) == ["甲村", "丙村", "乙村"]
    core.villages.move_unit(a.id, 10)
    assert names(core) == ["丙村", "乙村", "甲村"]
    assert [u.display_order for u in core.villages.list_units()] == [1, 2, 3]
    assert b.id in {u.id for u in core.villages.list_units()}


# ---------------------------------------------------------------------------- 管区


def test_add_district_with_a_leader(core: Core) -> None:
    district = core.villages.add_district(" 东部 管区 ", "刘 建国").value
    assert (district.name, district.leader, district.archived, district.unit_count) == ("东部管区", "刘建国", False, 0)
    assert [d.name for d in core.villages.list_districts()] == ["东部管区"]


@pytest.mark.parametrize("again", ["东部管区", "东部 管区", "　东部管区"])
def test_a_duplicate_district_is_refused(core: Core, east, again: str) -> None:
    with pytest.raises(ValidationError, match="已有名为"):
        core.villages.add_district(again)
    assert len(core.villages.list_districts()) == 1


def test_rename_a_district_and_change_its_leader(core: Core, east, west) -> None:
    unit = make_unit(core, "黄岗村", district_id=east.id)
    renamed = core.villages.update_district(east.id, "一管区", "张志刚").value
    assert (renamed.name, renamed.leader) == ("一管区", "张志刚")
    assert core.villages.get_unit(unit.id).unit.district_name == "一管区"
    with pytest.raises(ValidationError, match="已有名为"):
        core.villages.update_district(east.id, "西部管区")


def test_a_district_with_active_units_cannot_be_archived(core: Core, east, west) -> None:
    unit = make_unit(core, "黄岗村", district_id=east.id)
    with pytest.raises(ValidationError, match="还有 1 个在册"):
        core.villages.update_district(east.id, "东部管区", archived=True)
    assert not core.villages.list_districts()[0].archived
    core.villages.change_unit(unit.id, district_id=west.id, effective=TODAY)
    archived = core.villages.update_district(east.id, "东部管区", archived=True).value
    assert archived.archived
    assert [d.name for d in core.villages.list_districts(include_archived=False)] == ["西部管区"]


def test_a_district_ever_used_cannot_be_deleted(core: Core, east, west) -> None:
    unit = make_unit(core, "黄岗村", district_id=east.id)
    core.villages.change_unit(unit.id, district_id=west.id, effective=date(2024, 1, 1))
    with pytest.raises(ValidationError, match="不能删除"):
        core.villages.delete_district(east.id)
    assert len(core.villages.list_districts()) == 2


def test_a_district_never_used_can_be_deleted(core: Core, east, west) -> None:
    core.villages.delete_district(west.id)
    assert [d.name for d in core.villages.list_districts()] == ["东部管区"]


@pytest.mark.parametrize("name", ["", "合计", "=管区"])
def test_a_bad_district_name_is_refused(core: Core, name: str) -> None:
    with pytest.raises(ValidationError, match="管区名称"):
        core.villages.add_district(name)


# ---------------------------------------------------------------------------- unknown ids


@pytest.mark.parametrize(
    "call",
    [
        lambda v: v.get_unit(999),
        lambda v: v.change_unit(999, name="某村", effective=date(2024, 1, 1)),
        lambda v: v.change_secretary(999, "张三", date(2024, 1, 1)),
        lambda v: v.archive_unit(999, date(2024, 1, 1), "原因"),
        lambda v: v.restore_unit(999, date(2024, 1, 1), "原因"),
        lambda v: v.merge_unit(999, 1, date(2024, 1, 1), "原因"),
        lambda v: v.merge_unit(1, 999, date(2024, 1, 1), "原因"),
        lambda v: v.move_unit(999, 1),
        lambda v: v.update_district(999, "某管区"),
        lambda v: v.delete_district(999),
    ],
    ids=[
        "get",
        "change",
        "secretary",
        "archive",
        "restore",
        "merge-source",
        "merge-target",
        "move",
        "update-district",
        "delete-district",
    ],
)
def test_unknown_ids_raise_not_found_in_chinese(core: Core, call) -> None:
    make_unit(core, "张五砦村")  # id 1 exists
    with pytest.raises(NotFoundError) as caught:
        call(core.villages)
    assert "请刷新后重试" in caught.value.message


# ---------------------------------------------------------------------------- settings


def test_township_settings_are_saved_and_read_back(core: Core) -> None:
    saved = core.settings.save_township(" 孟庄镇 ", "中共孟庄镇委员会").value
    assert saved == core.settings.township()
    assert (saved.township_name, saved.party_committee, saved.is_set) == ("孟庄镇", "中共孟庄镇委员会", True)


def test_township_settings_survive_closing_the_folder(data_dir) -> None:
    with Core.open(data_dir) as core:
        core.settings.save_township("城关街道", "中共城关街道工作委员会")
    with Core.open(data_dir) as core:
        assert core.settings.township().township_name == "城关街道"
        assert not core.is_empty()


def test_unset_township_uses_the_placeholders(core: Core) -> None:
    settings = core.settings.township()
    assert not settings.is_set
    assert settings.township_or_placeholder == "XX镇"
    assert settings.committee_or_placeholder == "中共XX镇委员会"
    assert core.is_empty()


def test_a_committee_name_follows_the_township_until_set(core: Core) -> None:
    settings = core.settings.save_township("孟庄镇", "").value
    assert settings.township_or_placeholder == "孟庄镇"
    assert settings.committee_or_placeholder == "中共孟庄镇委员会"
    assert not settings.is_set


@pytest.mark.parametrize("name", ["孟庄村", "孟庄", "孟庄社区", "镇" * 41])
def test_a_township_name_that_is_not_a_township_is_refused(core: Core, name: str) -> None:
    core.settings.save_township("孟庄镇", "中共孟庄镇委员会")
    with pytest.raises(ValidationError):
        core.settings.save_township(name, "中共孟庄镇委员会")
    assert core.settings.township().township_name == "孟庄镇"


@pytest.mark.parametrize("name", ["孟庄镇", "李集乡", "城关街道"])
def test_towns_townships_and_subdistricts_are_accepted(core: Core, name: str) -> None:
    assert core.settings.save_township(name, "").value.township_name == name


def test_secretary_terms_are_seen_on_each_side_of_a_change_far_in_the_past(core: Core) -> None:
    # A last check that dates are compared as dates, not as text, across years and months.
    unit = make_unit(core, "后营村", secretary="甲", since=date(2009, 9, 30), effective=date(2009, 9, 30))
    core.villages.change_secretary(unit.id, "乙", date(2010, 10, 1))
    day = date(2010, 10, 1)
    assert core.villages.list_units(day - timedelta(days=1))[0].secretary == "甲"
    assert core.villages.list_units(day)[0].secretary == "乙"
