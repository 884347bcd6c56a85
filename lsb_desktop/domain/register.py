"""The register of the township: unit kinds, organisation types, units, 管区 and secretaries."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from lsb_desktop.errors import ValidationError

# A first registration without an explicit 在册起始日期 is stored with this valid_from: the unit
# has been in the register "since always", so rounds, commitments and stars of any past quarter
# can be recorded right after set-up. It is a plain date (no schema change) far before any
# contest; it is never shown as such: format_start() shows it as （建档起）.
REGISTER_START = date(1900, 1, 1)
SINCE_ALWAYS_LABEL = "（建档起）"


def is_since_always(day: date | None) -> bool:
    """True for the start of a unit (or of its first secretary's term) that was never given."""
    return day is not None and day <= REGISTER_START


def format_start(day: date | None) -> str:
    """A start date as the clerk reads it: 2023-01-01, or （建档起） for "since always"."""
    if day is None:
        return ""
    return SINCE_ALWAYS_LABEL if is_since_always(day) else day.isoformat()


class UnitKind(enum.Enum):
    """A rural administrative village or an urban community."""

    VILLAGE = "村"
    COMMUNITY = "社区"

    @property
    def label(self) -> str:
        return self.value

    @classmethod
    def parse(cls, text: str) -> UnitKind:
        from lsb_desktop.domain.text import canonical_name

        value = canonical_name(text)
        aliases = {
            "村": cls.VILLAGE,
            "行政村": cls.VILLAGE,
            "农村": cls.VILLAGE,
            "社区": cls.COMMUNITY,
            "城市社区": cls.COMMUNITY,
            "居委会": cls.COMMUNITY,
        }
        if value in aliases:
            return aliases[value]
        from lsb_desktop.domain.text import shown_value

        raise ValidationError(f"类型“{shown_value(text)}”无法识别，只能是“村”或“社区”")


class OrgType(enum.Enum):
    """The unit's Party organisation; the title on paper follows it."""

    BRANCH = "党支部"
    GENERAL_BRANCH = "党总支"
    COMMITTEE = "党委"

    @property
    def label(self) -> str:
        return self.value

    @classmethod
    def parse(cls, text: str) -> OrgType:
        from lsb_desktop.domain.text import canonical_name

        value = canonical_name(text)
        aliases = {
            "党支部": cls.BRANCH,
            "支部": cls.BRANCH,
            "党总支": cls.GENERAL_BRANCH,
            "总支": cls.GENERAL_BRANCH,
            "党总支部": cls.GENERAL_BRANCH,
            "党委": cls.COMMITTEE,
            "党委员会": cls.COMMITTEE,
        }
        if value in aliases:
            return aliases[value]
        from lsb_desktop.domain.text import shown_value

        raise ValidationError(f"党组织类型“{shown_value(text)}”无法识别，只能是党支部、党总支或党委")


class UnitStatus(enum.Enum):
    ACTIVE = "active"
    ARCHIVED = "archived"
    MERGED = "merged"

    @property
    def label(self) -> str:
        return {"active": "在册", "archived": "已归档", "merged": "已合并"}[self.value]


def organisation_title(unit_name: str, org_type: OrgType) -> str:
    """The Party organisation's name as printed: 张五砦村党支部, 幸福社区党委."""
    return f"{unit_name}{org_type.value}"


def infer_kind_from_name(name: str) -> UnitKind | None:
    """Only the unambiguous endings count: …社区 is a community, …村 a village; else None."""
    if name.endswith("社区") or name.endswith("（社区）"):
        return UnitKind.COMMUNITY
    if name.endswith("村"):
        return UnitKind.VILLAGE
    return None


@dataclass(frozen=True, slots=True)
class District:
    """A 管区: a grouping of units inside the township."""

    id: int
    name: str
    leader: str
    display_order: int
    archived: bool
    unit_count: int = 0


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit as it stands on one day (by default today)."""

    id: int
    name: str
    kind: UnitKind
    org_type: OrgType
    district_id: int | None
    district_name: str
    status: UnitStatus
    merged_into_id: int | None
    merged_into_name: str
    secretary: str
    secretary_since: date | None
    display_order: int
    note: str
    # The valid_from of the first version: REGISTER_START when registered "since always".
    registered_from: date = REGISTER_START

    @property
    def organisation_title(self) -> str:
        return organisation_title(self.name, self.org_type)

    @property
    def is_active(self) -> bool:
        return self.status is UnitStatus.ACTIVE


@dataclass(frozen=True, slots=True)
class UnitVersion:
    """One entry of a unit's effective-dated history: what it was from `valid_from` on."""

    valid_from: date
    name: str
    kind: UnitKind
    org_type: OrgType
    district_name: str
    status: UnitStatus
    merged_into_name: str
    reason: str
    changes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SecretaryTerm:
    person: str
    start: date
    end: date | None
    note: str


@dataclass(frozen=True, slots=True)
class UnitDetail:
    unit: Unit
    history: tuple[UnitVersion, ...]
    terms: tuple[SecretaryTerm, ...]


@dataclass(frozen=True, slots=True)
class UnitDraft:
    """What the add dialog or a roster row asks for; validated by the service."""

    name: str
    kind: UnitKind
    org_type: OrgType
    district_id: int | None = None
    secretary: str = ""
    secretary_since: date | None = None
    note: str = ""


START_FIX_HINT = (
    "如果它们当时已经在册，请在“村（社区）”页选中后点“编辑”，把“在册起始日期”改为“建档起”或更早的日期"
    "（还没有评比、承诺事项、五星记录和变更记录时可以更正）；否则请把活动日期改到它们的在册起始日期之后"
)


def _named(units: list[Unit], day: date, limit: int = 10) -> str:
    def one(unit: Unit) -> str:
        if unit.registered_from > day:
            return f"{unit.name}（{format_start(unit.registered_from)} 起在册）"
        return f"{unit.name}（{unit.status.label}）"

    shown = "、".join(one(unit) for unit in units[:limit])
    return shown + (f" 等 {len(units)} 个" if len(units) > limit else "")


def not_in_register_message(day: date, units: list[Unit]) -> str:
    """Why the chosen `units` (as they stand today) cannot take part in a round held on `day`."""
    return f"活动日期 {day.isoformat()} 时以下村（社区）不在册，不能参加评比：{_named(units, day)}。{START_FIX_HINT}"


def left_out_message(day: date, later: list[Unit]) -> str:
    """A round held on `day` was made without the active units in `later`, which were not yet
    in the register then: said, never left out silently."""
    return (
        f"活动日期 {day.isoformat()} 时以下村（社区）还不在册，没有列入本次评比：{_named(later, day)}。{START_FIX_HINT}"
    )


def nobody_registered_message(day: date, later: list[Unit]) -> str:
    """No unit was in the register on `day`; `later` are the active units registered after it."""
    if not later:
        return f"{day.isoformat()} 没有在册的村（社区），无法建立评比活动。请先登记村（社区）或导入花名册"
    return (
        f"{day.isoformat()} 没有在册的村（社区），无法建立评比活动：名册中的 {_named(later, day)} "
        f"都是在这一天以后才在册的。{START_FIX_HINT}"
    )


def describe_changes(before: UnitVersion | None, after: UnitVersion) -> tuple[str, ...]:
    """The Chinese lines that say what changed between two history entries."""
    if before is None:
        return ("建立档案",)
    lines = []
    if before.name != after.name:
        lines.append(f"名称：{before.name} → {after.name}")
    if before.kind != after.kind:
        lines.append(f"类型：{before.kind.label} → {after.kind.label}")
    if before.org_type != after.org_type:
        lines.append(f"党组织类型：{before.org_type.label} → {after.org_type.label}")
    if before.district_name != after.district_name:
        lines.append(f"管区：{before.district_name or '（无）'} → {after.district_name or '（无）'}")
    if before.status != after.status:
        target = f"（并入{after.merged_into_name}）" if after.status is UnitStatus.MERGED else ""
        lines.append(f"状态：{before.status.label} → {after.status.label}{target}")
    return tuple(lines)
