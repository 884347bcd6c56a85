"""Rounds (评比活动) as the program shows them: status, rules, participants, judges, results."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from lsb_desktop.domain.period import Period
from lsb_desktop.domain.scoring import BoundaryTie, Flag, Scheme, TieDecision, TiePolicy, display_score


class RoundStatus(enum.Enum):
    DRAFT = "draft"
    SCORING = "scoring"
    FINAL = "final"

    @property
    def label(self) -> str:
        return {"draft": "草稿", "scoring": "打分中", "final": "已定稿"}[self.value]


class AdjustmentType(enum.Enum):
    BONUS = "bonus"
    DEDUCTION = "deduction"
    VETO = "veto"

    @property
    def label(self) -> str:
        return {"bonus": "加分", "deduction": "扣分", "veto": "一票否决"}[self.value]


@dataclass(frozen=True, slots=True)
class RoundRules:
    """The settings of the rules a round is scored by (each an explicit setting)."""

    red: int = 0
    black: int = 0
    trim_drop: int = 1
    trim_minimum: int = 5
    tie_policy: TiePolicy | None = None  # None: 每次由我决定
    tiebreak: tuple[str, ...] = ()
    veto_last: bool = True
    veto_black: bool = True

    def describe(self) -> list[str]:
        policy = self.tie_policy.label if self.tie_policy else "每次由我决定"
        chain = "、".join(self.tiebreak) if self.tiebreak else "（无）"
        return [
            f"红旗 {self.red} 面，黑旗 {self.black} 面",
            f"评委满 {self.trim_minimum} 人时去掉 {self.trim_drop} 个最高分和 {self.trim_drop} 个最低分",
            f"并列规则：依次比较 {chain}",
            f"旗位并列时：{policy}",
            "一票否决：排在最后" + ("，并给黑旗" if self.veto_black else "，不给旗"),
        ]


@dataclass(frozen=True, slots=True)
class RoundJudge:
    id: int
    name: str
    group: str
    position: int


@dataclass(frozen=True, slots=True)
class RoundUnit:
    """A participant as it was when the round was made (name, 管区, secretary kept)."""

    id: int
    unit_id: int
    name: str
    district: str
    secretary: str
    kind: str
    org_type: str
    visited: bool
    position: int
    note: str = ""

    @property
    def organisation_title(self) -> str:
        return f"{self.name}{self.org_type}"


@dataclass(frozen=True, slots=True)
class RoundSummary:
    id: int
    period: Period
    title: str
    event_date: date | None
    status: RoundStatus
    unit_count: int
    judge_count: int
    finalized_at: datetime | None = None

    @property
    def label(self) -> str:
        return f"{self.period.label} {self.title}".strip()


@dataclass(frozen=True, slots=True)
class RoundDetail:
    summary: RoundSummary
    scheme: Scheme
    rules: RoundRules
    judges: tuple[RoundJudge, ...]
    units: tuple[RoundUnit, ...]

    @property
    def id(self) -> int:
        return self.summary.id

    @property
    def status(self) -> RoundStatus:
        return self.summary.status

    def judge(self, judge_id: int) -> RoundJudge:
        return next(j for j in self.judges if j.id == judge_id)

    def unit(self, round_unit_id: int) -> RoundUnit:
        return next(u for u in self.units if u.id == round_unit_id)


@dataclass(frozen=True, slots=True)
class ScoreCell:
    judge_id: int
    round_unit_id: int
    criterion: str
    points: Decimal


@dataclass(frozen=True, slots=True)
class RoundAdjustment:
    id: int
    round_unit_id: int
    kind: AdjustmentType
    amount: Decimal | None
    reason: str


@dataclass(frozen=True, slots=True)
class MissingScores:
    """A judge who scored a unit's component only in part (the round cannot be finalised),
    or not at all (absent: allowed, the unit is then scored by fewer judges)."""

    judge: str
    unit: str
    component: str
    criteria: tuple[str, ...]
    absent: bool


@dataclass(frozen=True, slots=True)
class UnitResult:
    unit: RoundUnit
    rank: int | None
    composite: Fraction
    components: dict[str, Fraction] = field(hash=False)
    judges: dict[str, int] = field(hash=False)  # component -> judges who scored it
    flag: Flag | None = None
    notes: tuple[str, ...] = ()
    bonus: Decimal = Decimal(0)
    deduction: Decimal = Decimal(0)
    veto_reason: str = ""
    basis: dict[str, str] = field(default_factory=dict, hash=False)  # computed component -> how

    @property
    def total(self) -> str:
        return display_score(self.composite)

    def component_text(self, name: str) -> str:
        value = self.components.get(name)
        return display_score(value) if value is not None else ""


@dataclass(frozen=True, slots=True)
class RoundResults:
    """Results of a round: live for a draft, the stored snapshot (latest version) once final."""

    round_id: int
    results: tuple[UnitResult, ...]
    not_visited: tuple[RoundUnit, ...]
    ties: tuple[BoundaryTie, ...]
    incomplete: tuple[MissingScores, ...]
    finalised: bool
    version: int = 0
    correction_reason: str = ""
    # Boundary ties settled (by the clerk's decision or the round's policy): the decision and
    # the units it gave the flag to. Live results only; a finalised round keeps them in notes.
    decided: tuple[tuple[TieDecision, tuple[str, ...]], ...] = ()

    def of(self, unit_name: str) -> UnitResult:
        return next(r for r in self.results if r.unit.name == unit_name)


@dataclass(frozen=True, slots=True)
class FlagRecord:
    period: Period
    round_id: int
    flag: Flag | None
    rank: int | None


@dataclass(frozen=True, slots=True)
class FlagHistory:
    unit_id: int
    unit_name: str
    records: tuple[FlagRecord, ...]

    @property
    def black_streak(self) -> int:
        """Black flags in a row up to the latest finalised round."""
        streak = 0
        for record in reversed(self.records):
            if record.flag is not Flag.BLACK:
                break
            streak += 1
        return streak

    @property
    def warning(self) -> str:
        streak = self.black_streak
        if streak >= 3:
            return f"连续 {streak} 个季度获黑旗，请按规定处理"
        if streak == 2:
            return "连续 2 个季度获黑旗，应进行约谈（约谈提醒）"
        return ""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: str
    operator: str
    action: str
    entity: str
    old: str
    new: str
    reason: str
