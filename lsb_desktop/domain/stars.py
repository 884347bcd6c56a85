"""五星支部: star sets by unit kind, the rating steps, who holds which star, levels and targets.

The rules, each explicit:
- A village (村) is rated on the rural set, a community (社区) on the urban set; the set of a
  year follows the unit's kind on 31 December of that year (a 村改社区 switches from that year on).
- A star is held from the day it is named (命名) until it is lost (降星/撤星); holding carries
  over from year to year. A star that is not in the unit's set of a year does not count in that
  year (after 村改社区, 产业兴旺星 of the old village no longer counts); it stays in the history.
- Level = number of stars held at the end of the year (or on the day asked).
- Targets are cumulative shares: ≥3★, ≥4★ and 5★ as a percentage of the township's units.
Wording: 创星/评星 for winning a star, 降星/撤星 for losing one. 摘星 means WINNING a star
(摘星夺旗) and is never used for losing one.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from lsb_desktop.domain.register import UnitKind
from lsb_desktop.domain.text import clean_text
from lsb_desktop.errors import ValidationError

RURAL_STARS = ("支部过硬星", "产业兴旺星", "生态宜居星", "平安法治星", "文明幸福星")
URBAN_STARS = ("支部过硬星", "宜业兴业星", "平安法治星", "幸福和谐星", "共建共享星")
ALL_STARS = tuple(dict.fromkeys(RURAL_STARS + URBAN_STARS))
TARGET_LEVELS = (3, 4, 5)


def star_set(kind: UnitKind) -> tuple[str, ...]:
    return URBAN_STARS if kind is UnitKind.COMMUNITY else RURAL_STARS


def parse_star(text: str) -> str:
    """A star's name as written (支部过硬 or 支部过硬星)."""
    name = clean_text(text).replace(" ", "")
    if name and not name.endswith("星"):
        name += "星"
    if name not in ALL_STARS:
        raise ValidationError(
            f"没有“{text}”这颗星，五星为：{'、'.join(RURAL_STARS)}（村）；{'、'.join(URBAN_STARS)}（社区）"
        )
    return name


class StarStep(enum.Enum):
    """The rating steps in order: 自评申报 → 镇初审 → 县评定 → 公示 → 命名."""

    DECLARED = "declared"
    TOWNSHIP = "township"
    COUNTY = "county"
    PUBLICITY = "publicity"
    NAMED = "named"

    @property
    def label(self) -> str:
        return _STEP_LABELS[self]

    @property
    def index(self) -> int:
        return list(StarStep).index(self)

    @classmethod
    def parse(cls, text: str) -> StarStep:
        key = clean_text(text)
        for step, label in _STEP_LABELS.items():
            if key in (label, step.value) or (len(key) >= 2 and label.endswith(key)):
                return step
        raise ValidationError(f"无法识别步骤“{text}”，应为：{'、'.join(_STEP_LABELS.values())}")


_STEP_LABELS = {
    StarStep.DECLARED: "自评申报",
    StarStep.TOWNSHIP: "镇初审",
    StarStep.COUNTY: "县评定",
    StarStep.PUBLICITY: "公示",
    StarStep.NAMED: "命名",
}


class LossKind(enum.Enum):
    DOWNGRADE = "downgrade"
    REVOKE = "revoke"

    @property
    def label(self) -> str:
        return "降星" if self is LossKind.DOWNGRADE else "撤星"


class StarState(enum.Enum):
    """What a matrix cell shows for one unit, year and star."""

    HELD = "held"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    FAILED = "failed"
    LOST = "lost"
    NONE = "none"

    @property
    def label(self) -> str:
        return {
            "held": "已命名",
            "planned": "计划创建",
            "in_progress": "创建中",
            "failed": "未通过",
            "lost": "已降星/撤星",
            "none": "",
        }[self.value]


@dataclass(frozen=True, slots=True)
class StepRecord:
    step: StarStep
    passed: bool
    on: date
    note: str = ""


@dataclass(frozen=True, slots=True)
class StarLoss:
    id: int
    unit_id: int
    star: str
    kind: LossKind
    on: date
    reason: str


@dataclass(frozen=True, slots=True)
class StarCell:
    """One unit, year and star: its plan, its steps that year, and the state shown."""

    unit_id: int
    year: int
    star: str
    planned: bool
    steps: tuple[StepRecord, ...]
    state: StarState
    held: bool  # held at the end of the year (or on the day asked)
    in_set: bool  # the star belongs to the unit's set that year
    loss: StarLoss | None = None  # a loss dated in that year
    note: str = ""
    cell_id: int | None = None
    evidence_count: int = 0

    @property
    def reached(self) -> StepRecord | None:
        """The furthest step recorded this year."""
        return max(self.steps, key=lambda s: s.step.index) if self.steps else None


def check_steps(steps: Sequence[StepRecord]) -> None:
    """Steps come in order, each passed before the next, dates not going back; 未通过 ends it."""
    ordered = sorted(steps, key=lambda s: s.step.index)
    for index, record in enumerate(ordered):
        if record.step.index != index:
            missing = list(StarStep)[index]
            raise ValidationError(f"“{record.step.label}”之前还没有记录“{missing.label}”")
        if index and ordered[index - 1].on > record.on:
            raise ValidationError(f"“{record.step.label}”的日期早于“{ordered[index - 1].step.label}”")
        if not record.passed and index != len(ordered) - 1:
            raise ValidationError(f"“{record.step.label}”未通过，之后不能再有步骤")


def cell_state(*, planned: bool, steps: Sequence[StepRecord], held: bool, lost_this_year: bool) -> StarState:
    """The state a cell shows: a loss that year wins, then holding, then 未通过, then steps
    under way, then the plan."""
    if lost_this_year and not held:
        return StarState.LOST
    if held:
        return StarState.HELD
    if any(not s.passed for s in steps):
        return StarState.FAILED
    if steps:
        return StarState.IN_PROGRESS
    if planned:
        return StarState.PLANNED
    return StarState.NONE


def held_on(day: date, namings: Iterable[date], losses: Iterable[date]) -> bool:
    """Whether a star is held on `day`: the latest naming up to `day` came after the latest
    loss up to `day` (a loss on the naming day itself counts as after it)."""
    named = max((d for d in namings if d <= day), default=None)
    if named is None:
        return False
    lost = max((d for d in losses if d <= day), default=None)
    return lost is None or lost < named


def distribution(levels: Iterable[int]) -> dict[int, int]:
    """How many units hold 0, 1, …, 5 stars."""
    counts = {level: 0 for level in range(6)}
    for level in levels:
        if not 0 <= level <= 5:
            raise ValueError(f"level {level} out of 0..5")
        counts[level] += 1
    return counts


def at_least(counts: Mapping[int, int], level: int) -> Fraction | None:
    """The share of units at `level` stars or more; None for a township without units."""
    units = sum(counts.values())
    if not units:
        return None
    return Fraction(sum(n for lv, n in counts.items() if lv >= level), units)


def share_text(share: Fraction | Decimal | None) -> str:
    """A share as a percentage with one decimal, half-up: 2/3 → 66.7%; None → —."""
    if share is None:
        return "—"
    value = Fraction(share) * 100
    tenths = (value * 10 * 2 + 1) // 2
    whole, rest = divmod(int(tenths), 10)
    return f"{whole}.{rest}%" if rest else f"{whole}%"


def check_target(percent: Decimal | str | int) -> Decimal:
    try:
        value = Decimal(clean_text(str(percent)).rstrip("%％"))
    except ArithmeticError:
        raise ValidationError(f"目标“{percent}”不是百分数") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise ValidationError(f"目标 {percent} 应在 0–100% 之间")
    return value


@dataclass(frozen=True, slots=True)
class Targets:
    """A year's targets: level → percent of units at that level or more (e.g. {3: 100, 4: 70})."""

    year: int
    percents: Mapping[int, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        values = {int(k): check_target(v) for k, v in self.percents.items()}
        for level in values:
            if level not in TARGET_LEVELS:
                raise ValidationError(f"目标只设三星及以上、四星及以上、五星，收到 {level} 星")
        ordered = [values[lv] for lv in TARGET_LEVELS if lv in values]
        if ordered != sorted(ordered, reverse=True):
            raise ValidationError("目标是累计比例：三星及以上 ≥ 四星及以上 ≥ 五星")
        object.__setattr__(self, "percents", dict(sorted(values.items())))


@dataclass(frozen=True, slots=True)
class UnitStars:
    """One unit in one year: its set, the cells of its stars, and its level."""

    unit_id: int
    unit_name: str
    district_name: str
    kind: UnitKind
    cells: tuple[StarCell, ...]

    @property
    def level(self) -> int:
        return sum(1 for c in self.cells if c.held and c.in_set)

    @property
    def held(self) -> tuple[str, ...]:
        return tuple(c.star for c in self.cells if c.held and c.in_set)

    @property
    def lacking(self) -> tuple[str, ...]:
        return tuple(c.star for c in self.cells if c.in_set and not c.held)

    @property
    def planned(self) -> tuple[str, ...]:
        return tuple(c.star for c in self.cells if c.planned and c.in_set)

    @property
    def failed(self) -> tuple[str, ...]:
        """Stars not held whose rating this year ended 未通过: they cannot be won this year."""
        return tuple(c.star for c in self.cells if c.in_set and not c.held and c.state is StarState.FAILED)

    @property
    def reachable(self) -> tuple[str, ...]:
        """Stars lacking that can still be won this year: planned, and not 未通过."""
        return tuple(
            c.star for c in self.cells if c.in_set and c.planned and not c.held and c.state is not StarState.FAILED
        )

    def cell(self, star: str) -> StarCell:
        return next(c for c in self.cells if c.star == star)


@dataclass(frozen=True, slots=True)
class Gap:
    """A unit below a threshold, with the stars it lacks (closest first in a gap list).
    `planned` holds only the stars that can still be won this year; a planned star whose
    rating failed (未通过) is in `failed` and counts for nothing."""

    unit_name: str
    level: int
    threshold: int
    lacking: tuple[str, ...]
    planned: tuple[str, ...]
    failed: tuple[str, ...] = ()

    @property
    def missing(self) -> int:
        return self.threshold - self.level

    @property
    def missing_after_plan(self) -> int:
        """Stars still missing if every star that can still be won this year is won."""
        return max(0, self.missing - len(self.planned))

    @property
    def reachable(self) -> bool:
        """The threshold can be reached this year by the plan still under way."""
        return self.missing_after_plan == 0

    @property
    def after_plan_text(self) -> str:
        return REACHABLE_TEXT if self.reachable else f"仍差 {self.missing_after_plan} 颗"


REACHABLE_TEXT = "可达到"


def gaps(units: Iterable[UnitStars], threshold: int) -> list[Gap]:
    """Units below `threshold` stars, closest first (then by name); each with what it lacks,
    which of those it can still win this year (planned, not 未通过) and which failed."""
    result = [
        Gap(
            u.unit_name,
            u.level,
            threshold,
            u.lacking,
            tuple(s for s in u.reachable if s in u.lacking),
            tuple(s for s in u.failed if s in u.lacking),
        )
        for u in units
        if u.level < threshold
    ]
    return sorted(result, key=lambda g: (g.missing, g.unit_name))


@dataclass(frozen=True, slots=True)
class TargetStatus:
    level: int
    actual: Fraction | None
    target: Decimal | None
    units_needed: int  # how many more units must reach the level to meet the target

    @property
    def met(self) -> bool | None:
        if self.target is None or self.actual is None:
            return None
        return self.actual * 100 >= self.target


def target_status(counts: Mapping[int, int], targets: Targets) -> list[TargetStatus]:
    units = sum(counts.values())
    result = []
    for level in TARGET_LEVELS:
        target = targets.percents.get(level)
        actual = at_least(counts, level)
        have = sum(n for lv, n in counts.items() if lv >= level)
        needed = 0
        if target is not None and units:
            want = Fraction(target) * units / 100
            needed = max(0, -(-want.numerator // want.denominator) - have)
        result.append(TargetStatus(level, actual, target, needed))
    return result


@dataclass(frozen=True, slots=True)
class YearSummary:
    """The township in a year: what `stars summary --json` prints and the tab's panel shows."""

    year: int
    units: tuple[UnitStars, ...]
    targets: Targets

    @property
    def levels(self) -> dict[int, int]:
        return distribution(u.level for u in self.units)

    def at_least(self, level: int) -> Fraction | None:
        return at_least(self.levels, level)

    def star_counts(self) -> dict[str, int]:
        counts = {star: 0 for star in ALL_STARS}
        for unit in self.units:
            for star in unit.held:
                counts[star] += 1
        return counts

    def to_json(self) -> dict:
        levels = self.levels
        return {
            "year": self.year,
            "units": len(self.units),
            "levels": {str(level): levels[level] for level in range(6)},
            "at_least": {str(level): share_text(at_least(levels, level)) for level in TARGET_LEVELS},
            "targets": {str(level): share_text(Decimal(value) / 100) for level, value in self.targets.percents.items()},
        }


# ----- wording for the matrix, the sheet and the summary -------------------------------------------

LEVEL_LABELS = {5: "五星", 4: "四星", 3: "三星", 2: "二星", 1: "一星", 0: "无星"}
TARGET_LABELS = {3: "三星及以上", 4: "四星及以上", 5: "五星"}


def cell_result_text(cell: StarCell) -> str:
    """What a cell's result reads: 已命名, 创建中（镇初审）, 未通过（县评定）, 降星 2024-05-10;
    '' for a star only planned or not aimed at; — for a star outside the unit's set."""
    if not cell.in_set:
        return "—"
    if cell.state is StarState.HELD:
        return "已命名"
    if cell.state is StarState.LOST and cell.loss is not None:
        return f"{cell.loss.kind.label} {cell.loss.on.isoformat()}"
    if cell.state is StarState.FAILED:
        failed = next(s for s in cell.steps if not s.passed)
        return f"未通过（{failed.step.label}）"
    if cell.state is StarState.IN_PROGRESS and cell.reached is not None:
        return f"创建中（{cell.reached.step.label}）"
    return ""
