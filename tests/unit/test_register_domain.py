"""The register's pure rules: kinds, organisation types, titles, history lines."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from lsb_desktop.domain.register import (
    OrgType,
    UnitKind,
    UnitStatus,
    UnitVersion,
    describe_changes,
    infer_kind_from_name,
    organisation_title,
)
from lsb_desktop.errors import ValidationError


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("村", UnitKind.VILLAGE),
        ("行政村", UnitKind.VILLAGE),
        ("农村", UnitKind.VILLAGE),
        (" 村 ", UnitKind.VILLAGE),
        ("社区", UnitKind.COMMUNITY),
        ("社 区", UnitKind.COMMUNITY),
        ("城市社区", UnitKind.COMMUNITY),
        ("居委会", UnitKind.COMMUNITY),
    ],
)
def test_unit_kind_parse_accepts_the_usual_words(text: str, kind: UnitKind) -> None:
    assert UnitKind.parse(text) is kind


@pytest.mark.parametrize("text", ["乡", "镇", "村委", "", "village", "1"])
def test_unit_kind_parse_refuses_anything_else_in_chinese(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        UnitKind.parse(text)
    assert "只能是“村”或“社区”" in caught.value.message


@pytest.mark.parametrize(
    ("text", "org_type"),
    [
        ("党支部", OrgType.BRANCH),
        ("支部", OrgType.BRANCH),
        ("党总支", OrgType.GENERAL_BRANCH),
        ("总支", OrgType.GENERAL_BRANCH),
        ("党总支部", OrgType.GENERAL_BRANCH),
        ("党委", OrgType.COMMITTEE),
        ("党委员会", OrgType.COMMITTEE),
        (" 党 委 ", OrgType.COMMITTEE),
    ],
)
def test_org_type_parse_accepts_the_usual_words(text: str, org_type: OrgType) -> None:
    assert OrgType.parse(text) is org_type


@pytest.mark.parametrize("text", ["党小组", "支委", "", "委员会"])
def test_org_type_parse_refuses_anything_else_in_chinese(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        OrgType.parse(text)
    assert "党支部、党总支或党委" in caught.value.message


def test_labels_are_the_chinese_words() -> None:
    assert UnitKind.VILLAGE.label == "村"
    assert UnitKind.COMMUNITY.label == "社区"
    assert OrgType.GENERAL_BRANCH.label == "党总支"
    assert [status.label for status in UnitStatus] == ["在册", "已归档", "已合并"]


@pytest.mark.parametrize(
    ("name", "org_type", "title"),
    [
        ("张五砦村", OrgType.BRANCH, "张五砦村党支部"),
        ("王庄村", OrgType.GENERAL_BRANCH, "王庄村党总支"),
        ("幸福社区", OrgType.COMMITTEE, "幸福社区党委"),
    ],
)
def test_organisation_title_is_the_name_followed_by_the_organisation(name: str, org_type: OrgType, title: str) -> None:
    assert organisation_title(name, org_type) == title


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("张五砦村", UnitKind.VILLAGE),
        ("幸福社区", UnitKind.COMMUNITY),
        ("东关（社区）", UnitKind.COMMUNITY),
        ("新村社区", UnitKind.COMMUNITY),
        ("村口社区", UnitKind.COMMUNITY),
        ("社区村", UnitKind.VILLAGE),
    ],
)
def test_infer_kind_follows_an_unambiguous_ending(name: str, kind: UnitKind) -> None:
    assert infer_kind_from_name(name) is kind


@pytest.mark.parametrize("name", ["幸福里", "村委会", "张五砦", "东关街道"])
def test_infer_kind_guesses_nothing_from_other_endings(name: str) -> None:
    assert infer_kind_from_name(name) is None


BASE = UnitVersion(
    valid_from=date(2022, 1, 1),
    name="张五砦村",
    kind=UnitKind.VILLAGE,
    org_type=OrgType.BRANCH,
    district_name="东部管区",
    status=UnitStatus.ACTIVE,
    merged_into_name="",
    reason="建立档案",
    changes=(),
)


def test_describe_changes_of_the_first_entry_says_the_record_was_created() -> None:
    assert describe_changes(None, BASE) == ("建立档案",)


def test_describe_changes_names_every_changed_field_with_before_and_after() -> None:
    after = replace(
        BASE,
        valid_from=date(2024, 1, 1),
        name="张五砦社区",
        kind=UnitKind.COMMUNITY,
        org_type=OrgType.GENERAL_BRANCH,
        district_name="西部管区",
    )
    assert describe_changes(BASE, after) == (
        "名称：张五砦村 → 张五砦社区",
        "类型：村 → 社区",
        "党组织类型：党支部 → 党总支",
        "管区：东部管区 → 西部管区",
    )


def test_describe_changes_shows_a_missing_district_as_none() -> None:
    left = replace(BASE, district_name="")
    assert describe_changes(BASE, left) == ("管区：东部管区 → （无）",)
    assert describe_changes(left, BASE) == ("管区：（无） → 东部管区",)


def test_describe_changes_of_a_merge_names_the_target() -> None:
    merged = replace(BASE, status=UnitStatus.MERGED, merged_into_name="东关社区")
    assert describe_changes(BASE, merged) == ("状态：在册 → 已合并（并入东关社区）",)


def test_describe_changes_of_an_archive_has_no_target() -> None:
    archived = replace(BASE, status=UnitStatus.ARCHIVED)
    assert describe_changes(BASE, archived) == ("状态：在册 → 已归档",)


def test_describe_changes_ignores_date_and_reason_alone() -> None:
    later = replace(BASE, valid_from=date(2025, 1, 1), reason="复核")
    assert describe_changes(BASE, later) == ()


# ----- "since always" ------------------------------------------------------------------------


def test_since_always_is_shown_in_words_never_as_a_date() -> None:
    from lsb_desktop.domain.register import REGISTER_START, format_start, is_since_always

    assert format_start(REGISTER_START) == "（建档起）"
    assert format_start(date(2023, 4, 1)) == "2023-04-01"
    assert format_start(None) == ""
    assert is_since_always(REGISTER_START) and not is_since_always(date(1900, 1, 2))
    assert not is_since_always(None)


def test_messages_for_a_round_before_a_units_start_name_the_units_and_the_fix() -> None:
    from lsb_desktop.domain.register import (
        OrgType,
        Unit,
        UnitKind,
        UnitStatus,
        nobody_registered_message,
        not_in_register_message,
    )

    def unit(name: str, start: date, status: UnitStatus = UnitStatus.ACTIVE) -> Unit:
        return Unit(1, name, UnitKind.VILLAGE, OrgType.BRANCH, None, "", status, None, "", "", None, 1, "", start)

    day = date(2023, 3, 31)
    late = [unit(f"{n}村", date(2024, 7, 1)) for n in "甲乙丙丁戊己庚辛壬癸子丑"]
    message = nobody_registered_message(day, late)
    assert "甲村（2024-07-01 起在册）" in message and "等 12 个" in message and "子村" not in message
    assert "在册起始日期" in message and "建档起" in message
    assert nobody_registered_message(day, []).endswith("请先登记村（社区）或导入花名册")
    archived = not_in_register_message(day, [unit("西王村", date(1900, 1, 1), UnitStatus.ARCHIVED)])
    assert "西王村（已归档）" in archived
