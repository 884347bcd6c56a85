"""Scoring rules: schemes, judge totals, trimmed means, composites, ranking and red/black flags."""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType

from lsb_desktop.domain.points import check_two_places, display_points
from lsb_desktop.domain.text import canonical_name, clean_text
from lsb_desktop.errors import ValidationError

NOTE_TOO_FEW_JUDGES = "评委不足"
NOTE_INCOMPLETE = "评分不完整"

# Everything here computes on Fraction so that 1/3 stays 1/3; floats are refused outright.
Exact = Decimal | Fraction | int


def _exact(value: Exact) -> Fraction:
    if isinstance(value, (bool, float)) or not isinstance(value, (Decimal, Fraction, int)):
        raise TypeError(f"expected Decimal, Fraction or int, got {type(value).__name__}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValidationError(f"分数“{value}”不是数字")
    return Fraction(value)


def _two_places(value: Decimal | int, what: str) -> Decimal:
    """A finite Decimal with at most two decimal places (ints accepted)."""
    if isinstance(value, (bool, float)) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{what}: expected Decimal or int, got {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise ValidationError(f"{what}“{value}”不是数字")
    return check_two_places(number, what)


def _name(text: str, what: str) -> str:
    name = canonical_name(text)
    if not name:
        raise ValidationError(f"{what}不能为空")
    return name


# --- the scheme (评分方案) -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Criterion:
    """A scoring item (指标) and its maximum points (> 0, at most two decimals)."""

    name: str
    max_points: Decimal

    def __post_init__(self) -> None:
        name = _name(self.name, "指标名称")
        maximum = _two_places(self.max_points, f"指标“{name}”的满分")
        if maximum <= 0:
            raise ValidationError(f"指标“{name}”的满分必须大于 0")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "max_points", maximum)


class ComponentSource(enum.Enum):
    """Where a component's score comes from: the judges' sheets, or computed from the unit's
    commitments (承诺完成: completion rate × the component's full points; never typed)."""

    JUDGES = "judges"
    COMMITMENTS = "commitments"

    @property
    def label(self) -> str:
        return {"judges": "评委打分", "commitments": "按承诺完成率自动计算"}[self.value]


@dataclass(frozen=True, slots=True)
class Component:
    """A part of the contest (实地观摩, 擂台比武, …) with its weight and its criteria.

    A COMMITMENTS component has exactly one criterion, whose maximum is the component's full
    points; judges never score it."""

    name: str
    weight: Decimal
    criteria: tuple[Criterion, ...]
    source: ComponentSource = ComponentSource.JUDGES

    def __post_init__(self) -> None:
        name = _name(self.name, "评分项目名称")
        if isinstance(self.weight, (bool, float)) or not isinstance(self.weight, (Decimal, int)):
            raise TypeError(f"weight: expected Decimal or int, got {type(self.weight).__name__}")
        weight = Decimal(self.weight)
        if not weight.is_finite() or weight <= 0:
            raise ValidationError(f"“{name}”的权重必须大于 0")
        criteria = tuple(self.criteria)
        if not criteria:
            raise ValidationError(f"“{name}”至少要有一个指标")
        _refuse_duplicates([c.name for c in criteria], f"“{name}”中的指标")
        if self.source is ComponentSource.COMMITMENTS and len(criteria) != 1:
            raise ValidationError(f"“{name}”按承诺完成率自动计算，只能有一个指标（即它的满分）")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "weight", weight)
        object.__setattr__(self, "criteria", criteria)

    @property
    def max_total(self) -> Decimal:
        """The sum of the criteria's maximum points (usually 100)."""
        return sum((c.max_points for c in self.criteria), Decimal(0))

    @property
    def judged(self) -> bool:
        return self.source is ComponentSource.JUDGES


def commitment_score(component: Component, rate: Fraction) -> Fraction:
    """The exact score of a COMMITMENTS component for a completion rate (0 ≤ rate ≤ 1)."""
    if component.source is not ComponentSource.COMMITMENTS:
        raise ValueError(f"{component.name} is scored by the judges")
    if not 0 <= rate <= 1:
        raise ValidationError(f"完成率 {rate} 不在 0–100% 之间")
    return rate * Fraction(component.max_total)


@dataclass(frozen=True, slots=True)
class Scheme:
    """The components of a round. Criterion names are unique across the whole scheme,
    because the flat score table names a criterion without its component."""

    components: tuple[Component, ...]

    def __post_init__(self) -> None:
        components = tuple(self.components)
        if not components:
            raise ValidationError("评分方案至少要有一个评分项目")
        _refuse_duplicates([c.name for c in components], "评分项目")
        _refuse_duplicates([k.name for c in components for k in c.criteria], "指标")
        if not any(c.judged for c in components):
            raise ValidationError("评分方案至少要有一个由评委打分的项目")
        if sum(1 for c in components if not c.judged) > 1:
            raise ValidationError("评分方案中只能有一个按承诺完成率计算的项目")
        object.__setattr__(self, "components", components)

    @property
    def judged(self) -> Scheme:
        """The components the judges score (what score sheets, the grid and imports show)."""
        if all(c.judged for c in self.components):
            return self
        return Scheme(tuple(c for c in self.components if c.judged))

    @property
    def computed(self) -> tuple[Component, ...]:
        return tuple(c for c in self.components if not c.judged)

    def component(self, name: str) -> Component:
        for component in self.components:
            if component.name == name:
                return component
        raise ValidationError(f"评分方案中没有“{name}”")

    @property
    def weight_total(self) -> Decimal:
        return sum((c.weight for c in self.components), Decimal(0))

    def weights_sum_to_one(self) -> bool:
        """Whether the weights add up to exactly 1.

        Only a warning for the UI, never a refusal: some townships add the parts instead of
        weighting them (weights 1 and 1), and the composite is computed either way."""
        return self.weight_total == 1


def _refuse_duplicates(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValidationError(f"{what}“{name}”重复了")
        seen.add(name)


def _scheme(*components: tuple[str, str, tuple[tuple[str, int], ...]]) -> Scheme:
    return Scheme(
        tuple(
            Component(name, Decimal(weight), tuple(Criterion(c, Decimal(m)) for c, m in criteria))
            for name, weight, criteria in components
        )
    )


# The built-in template (documented in the README): each component's maxima sum to 100.
DEFAULT_SCHEME = _scheme(
    ("实地观摩", "0.7", (("基层党建", 25), ("产业发展", 25), ("人居环境", 20), ("乡村治理", 15), ("群众满意", 15))),
    ("擂台比武", "0.3", (("述职内容", 40), ("工作实绩", 40), ("现场表现", 20))),
)


# --- one judge's total, and a unit's component score ---------------------------------------


@dataclass(frozen=True, slots=True)
class JudgeTotal:
    """One judge's total for one unit in one component; `missing` names the criteria left empty.
    The rounds service makes them from the stored scores (summed by SQLite, for speed): a
    judge who scored none of a component's criteria has no total there (absent); 0 is a score.

    A total with missing criteria is incomplete: it counts in draft results, but the round
    cannot be finalised while one exists."""

    total: Decimal
    missing: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing


def trimmed_mean(values: Iterable[Exact], drop: int = 1, minimum: int = 5) -> tuple[Fraction, bool]:
    """The exact mean after dropping the `drop` highest and `drop` lowest values, when there
    are at least `minimum` values; otherwise the plain mean. Returns (mean, trimmed)."""
    if drop < 0:
        raise ValidationError("去掉的最高分、最低分个数不能为负数")
    if minimum < 2 * drop + 1:
        raise ValidationError(f"去掉最高、最低各 {drop} 个分数后至少要留下一个，评委人数下限至少为 {2 * drop + 1}")
    numbers = sorted(_exact(v) for v in values)
    if not numbers:
        raise ValidationError("没有评委打分，无法计算平均分")
    trimmed = drop > 0 and len(numbers) >= minimum
    if trimmed:
        numbers = numbers[drop : len(numbers) - drop]
    return Fraction(sum(numbers), len(numbers)), trimmed


@dataclass(frozen=True, slots=True)
class ComponentScore:
    """A unit's score in one component, unweighted and exact."""

    value: Fraction
    judges: int
    trimmed: bool
    too_few_judges: bool
    incomplete: bool

    @property
    def notes(self) -> tuple[str, ...]:
        notes = []
        if self.too_few_judges:
            notes.append(NOTE_TOO_FEW_JUDGES)
        if self.incomplete:
            notes.append(NOTE_INCOMPLETE)
        return tuple(notes)


def component_score(totals: Iterable[JudgeTotal | None], drop: int = 1, minimum: int = 5) -> ComponentScore | None:
    """The trimmed mean of the judges' totals for one unit and component; absent judges
    (None) do not count. None when no judge scored the unit. Fewer than `minimum` judges
    gives the plain mean, marked 评委不足."""
    present = [t for t in totals if t is not None]
    if not present:
        return None
    value, trimmed = trimmed_mean((t.total for t in present), drop, minimum)
    return ComponentScore(
        value=value,
        judges=len(present),
        trimmed=trimmed,
        too_few_judges=len(present) < minimum,
        incomplete=any(not t.complete for t in present),
    )


# --- adjustments and the composite ----------------------------------------------------------


class AdjustmentKind(enum.Enum):
    BONUS = "加分"
    DEDUCTION = "扣分"

    @property
    def label(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A bonus or deduction: a positive amount with at most two decimals, and a reason."""

    kind: AdjustmentKind
    amount: Decimal
    reason: str

    def __post_init__(self) -> None:
        what = self.kind.label
        amount = _two_places(self.amount, what)
        if amount <= 0:
            raise ValidationError(f"{what}必须大于 0")
        reason = clean_text(self.reason)
        if not reason:
            raise ValidationError(f"{what}必须写明理由")
        object.__setattr__(self, "amount", amount)
        object.__setattr__(self, "reason", reason)

    @property
    def signed(self) -> Decimal:
        return self.amount if self.kind is AdjustmentKind.BONUS else -self.amount


def composite(
    scheme: Scheme, component_scores: Mapping[str, Exact], adjustments: Iterable[Adjustment] = ()
) -> Fraction:
    """Σ(component score × weight) + bonuses − deductions, exactly.

    `component_scores` maps every component of the scheme to its unweighted score."""
    for name in component_scores:
        scheme.component(name)
    total = Fraction(0)
    for component in scheme.components:
        if component.name not in component_scores:
            raise ValidationError(f"缺少“{component.name}”的得分，无法计算综合得分")
        total += _exact(component_scores[component.name]) * Fraction(component.weight)
    return total + sum((Fraction(a.signed) for a in adjustments), Fraction(0))


# --- ranking --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RankEntry:
    """A unit to be ranked: its exact composite, its unweighted component scores (used by a
    tie-break chain) and whether it is under 一票否决."""

    unit: str
    composite: Fraction
    components: Mapping[str, Fraction] = field(default_factory=dict, hash=False)
    veto: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "composite", _exact(self.composite))
        exact = {name: _exact(value) for name, value in self.components.items()}
        object.__setattr__(self, "components", MappingProxyType(exact))


@dataclass(frozen=True, slots=True)
class RankedEntry:
    entry: RankEntry
    rank: int

    @property
    def unit(self) -> str:
        return self.entry.unit


def _chain_values(entry: RankEntry, tiebreak: Sequence[str]) -> tuple[Fraction, ...]:
    values = []
    for name in tiebreak:
        if name not in entry.components:
            raise ValidationError(f"“{entry.unit}”没有“{name}”得分，无法按它区分并列")
        values.append(entry.components[name])
    return tuple(values)


def rank(entries: Iterable[RankEntry], tiebreak: Sequence[str] = (), veto_last: bool = True) -> list[RankedEntry]:
    """Rank on the exact composite, highest first; then, among equal composites, by each
    component named in `tiebreak` in turn (higher first). Units still equal share a rank and
    the next rank is skipped (1, 2, 2, 4). With `veto_last`, 一票否决 units come below all
    others (ranked among themselves the same way). Units sharing a rank are listed by name,
    which is only a display order."""
    items = list(entries)
    _refuse_duplicates([e.unit for e in items], "参评单位")

    def key(entry: RankEntry) -> tuple[bool, Fraction, tuple[Fraction, ...]]:
        return (entry.veto and veto_last, -entry.composite, tuple(-v for v in _chain_values(entry, tiebreak)))

    ordered = sorted(items, key=lambda e: (key(e), e.unit))
    ranked: list[RankedEntry] = []
    for position, entry in enumerate(ordered, start=1):
        if ranked and key(ranked[-1].entry) == key(entry):
            ranked.append(RankedEntry(entry, ranked[-1].rank))
        else:
            ranked.append(RankedEntry(entry, position))
    return ranked


# --- red and black flags --------------------------------------------------------------------


class Flag(enum.Enum):
    RED = "红旗"
    BLACK = "黑旗"

    @property
    def label(self) -> str:
        return self.value


class TiePolicy(enum.Enum):
    """How a tie across a flag boundary is settled (the command line's --tie-policy)."""

    EXTEND = "extend"
    TIEBREAK = "tiebreak"

    @property
    def label(self) -> str:
        return {"extend": "并列的都给旗（增加旗数）", "tiebreak": "按并列规则决定"}[self.value]


# The reason of a decision the round's own tie policy made (not one the clerk recorded).
BY_ROUND_POLICY = "评比设置"


class TieMethod(enum.Enum):
    """How the clerk settled one tie across a flag line."""

    EXTEND = "extend"
    TIEBREAK = "tiebreak"
    COMMITTEE = "committee"

    @property
    def label(self) -> str:
        return {"extend": "并列的都给旗", "tiebreak": "按并列规则决定", "committee": "党委研究决定"}[self.value]


@dataclass(frozen=True, slots=True)
class BoundaryTie:
    """Units tied across a flag boundary, left for the clerk: `places` flags among `units`.
    `separable`: the round's tie-break chain would settle it (so 按并列规则决定 can be offered)."""

    flag: Flag
    rank: int
    units: tuple[str, ...]
    places: int
    separable: bool = False
    straddles: bool = False  # the same tied units also stand across the other flag's line

    def describe(self) -> str:
        return f"第 {self.rank} 名并列的{'、'.join(self.units)}争 {self.places} 面{self.flag.label}，需要决定"

    @property
    def key(self) -> tuple[str, tuple[str, ...], int]:
        return self.flag.value, tuple(sorted(self.units)), self.places


@dataclass(frozen=True, slots=True)
class TieDecision:
    """The clerk's decision on one boundary tie. It holds for exactly that tie (the same flag,
    the same tied units, the same number of places): when the scores change the tie, the
    decision no longer applies and the new tie is hers to decide again."""

    flag: Flag
    units: tuple[str, ...]  # sorted
    places: int
    method: TieMethod
    chosen: tuple[str, ...] = ()  # 党委研究决定: the units given the flag
    reason: str = ""

    @property
    def key(self) -> tuple[str, tuple[str, ...], int]:
        return self.flag.value, tuple(sorted(self.units)), self.places

    def matches(self, tie: BoundaryTie) -> bool:
        return self.key == tie.key

    def describe(self, given: Sequence[str] = ()) -> str:
        """How it was decided, as the results page and the ranking sheet's 备注 say it."""
        tied = "、".join(self.units)
        head = f"{tied}并列争 {self.places} 面{self.flag.label}"
        if self.method is TieMethod.EXTEND:
            return f"{head}：并列的都给旗"
        who = "、".join(given or self.chosen)
        if self.method is TieMethod.TIEBREAK:
            return f"{head}：按并列规则决定给{who}"
        return f"{head}：党委研究决定给{who}（{self.reason}）"


@dataclass(frozen=True, slots=True)
class FlagResult:
    """Red and black flags in rank order, and the boundary ties nobody has decided yet
    (units in an undecided tie hold neither flag until the clerk decides)."""

    red: tuple[str, ...]
    black: tuple[str, ...]
    ties: tuple[BoundaryTie, ...] = ()
    # Ties settled by a decision or the round's policy, with the units each gave the flag to.
    decided: tuple[tuple[TieDecision, tuple[str, ...]], ...] = ()

    def flag_of(self, unit: str) -> Flag | None:
        if unit in self.red:
            return Flag.RED
        if unit in self.black:
            return Flag.BLACK
        return None

    @property
    def settled(self) -> bool:
        return not self.ties


def _groups(ranked: list[RankedEntry], tiebreak: Sequence[str]) -> list[list[RankedEntry]]:
    """Runs of tied units (same rank), each split further by the tie-break chain if given."""
    runs: list[list[RankedEntry]] = []
    for item in ranked:
        if runs and runs[-1][0].rank == item.rank:
            runs[-1].append(item)
        else:
            runs.append([item])
    if not tiebreak:
        return runs
    groups: list[list[RankedEntry]] = []
    for run in runs:
        values = {r.unit: _chain_values(r.entry, tiebreak) for r in run}
        split: list[list[RankedEntry]] = []
        for item in sorted(run, key=lambda r: tuple(-v for v in values[r.unit])):
            if split and values[split[-1][0].unit] == values[item.unit]:
                split[-1].append(item)
            else:
                split.append([item])
        groups.extend(split)
    return groups


def _take(
    groups: list[list[RankedEntry]], slots: int
) -> tuple[list[RankedEntry], tuple[list[RankedEntry], int] | None]:
    """Whole groups while they fit in `slots`; then the group straddling the boundary, if any,
    with the number of places left in it."""
    taken: list[RankedEntry] = []
    for group in groups:
        if len(taken) + len(group) <= slots:
            taken.extend(group)
        else:
            places = slots - len(taken)
            return taken, ((group, places) if places else None)
    return taken, None


def _settle(
    decision: TieDecision, group: list[RankedEntry], places: int, tiebreak: Sequence[str], from_bottom: bool
) -> list[RankedEntry] | None:
    """The units of `group` that `decision` gives the flag to, or None if it cannot settle it
    (the chain does not separate them at the line; a choice that is not `places` of them)."""
    if decision.method is TieMethod.EXTEND:
        return list(group)
    if decision.method is TieMethod.COMMITTEE:
        chosen = [r for r in group if r.unit in decision.chosen]
        return chosen if len(chosen) == places == len(decision.chosen) else None
    if not tiebreak:
        return None
    split = _groups(group, tiebreak)
    taken, rest = _take(split[::-1] if from_bottom else split, places)
    return None if rest is not None else taken


def assign_flags(
    ranked: Sequence[RankedEntry],
    red: int,
    black: int,
    *,
    policy: TiePolicy | None = None,
    tiebreak: Sequence[str] = (),
    veto_black: bool = True,
    decisions: Sequence[TieDecision] = (),
) -> FlagResult:
    """Red flags to the top `red` units, black flags to the bottom `black`, from `rank()`'s list.

    一票否决 units never get a red flag; with `veto_black` each gets a black flag, and these
    count towards `black` (they are the bottom of the ranking); without it they get no flag.
    A tie across a boundary is settled only as `policy` says: EXTEND gives the flag to every
    tied unit; TIEBREAK orders the tied units by the `tiebreak` chain, and what the chain
    cannot separate is reported; None reports it. Reported ties are in `ties`, their units
    flagless until the clerk decides. One tie group straddling both boundaries (every unit
    between the top and the bottom tied) is reported even under EXTEND, as extending it
    would give its units both flags. Counts that cannot go to distinct units are refused.

    A recorded decision for exactly one of these ties (`decisions`) comes before `policy`;
    one that cannot settle its tie leaves it reported."""
    if red < 0 or black < 0:
        raise ValidationError("红旗、黑旗的面数不能为负数")
    eligible = [r for r in ranked if not r.entry.veto]
    forced_black = [r for r in ranked if r.entry.veto] if veto_black else []
    black_slots = max(0, black - len(forced_black))
    if red + black_slots > len(eligible):
        vetoed = len(ranked) - len(eligible)
        raise ValidationError(
            f"红旗 {red} 面、黑旗 {black} 面分不开：参评单位 {len(ranked)} 个"
            f"（其中一票否决 {vetoed} 个），同一单位不能既得红旗又得黑旗，请减少旗数"
        )
    groups = _groups(eligible, tiebreak if policy is TiePolicy.TIEBREAK else ())
    red_units, red_tie = _take(groups, red)
    black_units, black_tie = _take(groups[::-1], black_slots)
    straddles = red_tie is not None and black_tie is not None and red_tie[0] is black_tie[0]
    ties: list[BoundaryTie] = []
    decided: list[tuple[TieDecision, tuple[str, ...]]] = []
    taken_by_red: set[str] = set()
    for flag, units, tie in ((Flag.RED, red_units, red_tie), (Flag.BLACK, black_units, black_tie)):
        if tie is None:
            continue
        group, places = tie
        found = BoundaryTie(flag, group[0].rank, tuple(r.unit for r in group), places)
        separable = (
            bool(tiebreak)
            and _settle(
                TieDecision(flag, found.key[1], places, TieMethod.TIEBREAK), group, places, tiebreak, flag is Flag.BLACK
            )
            is not None
        )
        found = BoundaryTie(flag, found.rank, found.units, places, separable, straddles)
        decision = next((d for d in decisions if d.matches(found)), None)
        if decision is None and policy is TiePolicy.EXTEND and not straddles:
            decision = TieDecision(flag, found.key[1], places, TieMethod.EXTEND, reason=BY_ROUND_POLICY)
        settled = None
        if decision is not None and not (straddles and decision.method is TieMethod.EXTEND):
            settled = _settle(decision, group, places, tiebreak, flag is Flag.BLACK)
            if settled is not None and taken_by_red & {r.unit for r in settled}:
                settled = None  # a unit never gets both flags
        if settled is None:
            ties.append(found)
            continue
        units.extend(settled)
        if flag is Flag.RED:
            taken_by_red.update(r.unit for r in settled)
        assert decision is not None  # only a decision settles a tie
        decided.append((decision, tuple(r.unit for r in ranked if r in settled)))
    red_set = {r.unit for r in red_units}
    black_set = {r.unit for r in black_units} | {r.unit for r in forced_black}
    return FlagResult(
        red=tuple(r.unit for r in ranked if r.unit in red_set),
        black=tuple(r.unit for r in ranked if r.unit in black_set),
        ties=tuple(ties),
        decided=tuple(decided),
    )


# --- display --------------------------------------------------------------------------------


def round_points(value: Exact) -> Decimal:
    """Half-up to two places (a half goes away from zero), from the exact value; for display
    and export only, never for ranking."""
    exact = _exact(value)
    hundredths = math.floor(abs(exact) * 100 + Fraction(1, 2))
    rounded = Decimal(hundredths).scaleb(-2)
    return -rounded if exact < 0 and hundredths else rounded


def display_score(value: Exact) -> str:
    """The two-decimal text printed on the ranking sheet: 85.46."""
    return display_points(round_points(value))
