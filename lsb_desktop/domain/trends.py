"""Trends across quarters: each unit's finalised results aligned by quarter, and the township's
mean, lowest and highest total per quarter (what the trend charts draw)."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple, TypeVar

from lsb_desktop.domain.period import Period
from lsb_desktop.domain.scoring import Flag

NOT_VISITED = "本季度未观摩"
NOT_TAKING_PART = "未参加本季度评比"
VETO = "一票否决"

_Name = TypeVar("_Name", bound=Hashable)  # a name, or a (component, criterion) pair


def veto_reason_of(notes: Sequence[str]) -> str:
    """The reason of a 一票否决 from a result's stored notes ("一票否决：…"), or ''."""
    for note in notes:
        if note.startswith(VETO + "："):
            return note.split("：", 1)[1]
        if note == VETO:
            return "（未写原因）"
    return ""


# An exact value as it comes: a Fraction, (numerator, denominator), or stored text "p/q".
ExactValue = Fraction | tuple[int, int] | str


def ratio(value: ExactValue) -> tuple[int, int]:
    """(numerator, denominator) of an exact value."""
    # No isinstance() against Fraction: it goes through the numbers ABCs (slow); tuple and str
    # are plain classes.
    if isinstance(value, tuple):
        return value
    if isinstance(value, str):
        numerator, _, denominator = value.partition("/")
        return int(numerator), int(denominator or 1)
    return value.numerator, value.denominator


def exact(value: ExactValue) -> Fraction:
    return value if type(value) is Fraction else Fraction(*ratio(value))


def half_up(value: ExactValue) -> Decimal:
    """Two places, half-up (away from zero), with integer arithmetic only: the same figure as
    `round_points` (the ranking sheet), but cheap enough for thousands of points."""
    numerator, denominator = ratio(value)
    hundredths = (200 * abs(numerator) + denominator) // (2 * denominator)
    rounded = Decimal(hundredths).scaleb(-2)
    return -rounded if numerator < 0 and hundredths else rounded


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One unit's finalised result in one quarter. The component scores are kept as stored
    and turned into figures when asked for (most points are only ever drawn)."""

    total: Decimal  # two places, half-up: as printed on the ranking sheet
    exact: Fraction  # the composite the ranking was made on
    rank: int | None
    flag: Flag | None
    parts: dict[str, ExactValue] = field(hash=False)  # component name -> exact score
    round_id: int = 0
    veto_reason: str = ""  # non-empty: the unit was 一票否决 that quarter, for this reason

    @property
    def vetoed(self) -> bool:
        return bool(self.veto_reason)

    @property
    def components(self) -> dict[str, Decimal]:
        """Component scores, two places half-up (as on the ranking sheet)."""
        return {name: half_up(value) for name, value in self.parts.items()}


@dataclass(frozen=True, slots=True)
class UnitSeries:
    """A unit across the quarters: `points[i]` belongs to `TrendData.periods[i]`.

    None is a gap (the unit did not take part that quarter, or was not visited): never
    interpolated. `not_visited` holds the indexes of the quarters it was 本季度未观摩."""

    unit_id: int
    name: str  # as the latest round it took part in called it
    district: str
    points: tuple[TrendPoint | None, ...]
    not_visited: frozenset[int] = frozenset()

    def point(self, index: int) -> TrendPoint | None:
        return self.points[index] if 0 <= index < len(self.points) else None

    def gap_reason(self, index: int) -> str:
        if self.point(index) is not None:
            return ""
        return NOT_VISITED if index in self.not_visited else NOT_TAKING_PART

    @property
    def veto_count(self) -> int:
        return sum(1 for p in self.points if p is not None and p.vetoed)

    @property
    def red_count(self) -> int:
        return sum(1 for p in self.points if p is not None and p.flag is Flag.RED)

    @property
    def black_count(self) -> int:
        return sum(1 for p in self.points if p is not None and p.flag is Flag.BLACK)

    @property
    def quarters(self) -> int:
        """How many quarters it has a result in."""
        return sum(1 for p in self.points if p is not None)


@dataclass(frozen=True, slots=True)
class PeriodStats:
    """The township's totals in one quarter: mean, lowest and highest (exact), and how many."""

    period: Period
    mean_exact: Fraction
    minimum_exact: Fraction
    maximum_exact: Fraction
    count: int

    @property
    def mean(self) -> Decimal:
        return half_up(self.mean_exact)

    @property
    def minimum(self) -> Decimal:
        return half_up(self.minimum_exact)

    @property
    def maximum(self) -> Decimal:
        return half_up(self.maximum_exact)


@dataclass(frozen=True, slots=True)
class TrendData:
    """Every finalised quarter, oldest first, with each unit's series and the township's figures
    (`stats[i]` belongs to `periods[i]`, as does `round_ids[i]`)."""

    periods: tuple[Period, ...]
    units: tuple[UnitSeries, ...]
    stats: tuple[PeriodStats, ...]
    round_ids: tuple[int, ...] = ()
    components: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.periods

    def unit(self, unit_id: int) -> UnitSeries:
        return next(u for u in self.units if u.unit_id == unit_id)

    def find(self, unit_id: int) -> UnitSeries | None:
        return next((u for u in self.units if u.unit_id == unit_id), None)

    @property
    def max_rank(self) -> int:
        return max((p.rank for u in self.units for p in u.points if p is not None and p.rank is not None), default=0)


def period_stats(period: Period, totals: Iterable[Fraction]) -> PeriodStats | None:
    """Mean, lowest and highest, exactly. Summed and compared as integers over the common
    denominator: the same result as Fraction arithmetic, several times faster."""
    values = list(totals)
    if not values:
        return None
    common = math.lcm(*(v.denominator for v in values))
    scaled = [v.numerator * (common // v.denominator) for v in values]
    return PeriodStats(
        period,
        Fraction(sum(scaled), common * len(values)),
        Fraction(min(scaled), common),
        Fraction(max(scaled), common),
        len(values),
    )


class ResultRow(NamedTuple):
    """One stored result as read from the database, before it is arranged by quarter (a
    named tuple: thousands are made for each overview, and a tuple is made fastest)."""

    round_id: int
    period: Period
    unit_id: int
    name: str
    district: str
    position: int
    rank: int | None
    total: Decimal
    exact: Fraction
    flag: Flag | None
    components: dict[str, ExactValue]  # component name -> exact score (as stored: "p/q")
    veto_reason: str = ""  # non-empty when the unit was 一票否决 in that round


def build_trends(
    rows: Iterable[ResultRow],
    not_visited: Iterable[tuple[int, int, str, str, int]] = (),
    component_order: Sequence[str] = (),
) -> TrendData:
    """Arrange finalised results by quarter.

    `rows` are the latest result version of finalised rounds; `not_visited` are
    (round_id, unit_id, name, district, position) of participants not visited in those rounds.
    When two finalised rounds fall in the same quarter, the one with the higher id (the later
    one made) stands for the quarter and the other is left out of the trends."""
    rows = list(rows)
    not_visited = list(not_visited)
    period_of = {row.round_id: row.period for row in rows}
    round_of: dict[Period, int] = {}
    for round_id, period in period_of.items():
        if round_id > round_of.get(period, 0):
            round_of[period] = round_id
    # A finalised round always has results (it cannot be finalised without), so the rows
    # name every quarter; the units not visited only add gaps.
    periods = tuple(sorted(round_of))
    index_of_round = {round_of[p]: i for i, p in enumerate(periods)}
    count = len(periods)

    points: dict[int, list[TrendPoint | None]] = {}
    latest: dict[int, tuple[int, int, str, str]] = {}  # unit -> (period index, position, name, district)
    totals: list[list[Fraction]] = [[] for _ in periods]
    components: list[str] = list(component_order)
    seen_components = set(components)

    def note(unit_id: int, index: int, position: int, name: str, district: str) -> None:
        known = latest.get(unit_id)
        if known is None or index > known[0]:
            latest[unit_id] = (index, position, name, district)

    for round_id, _period, unit_id, name, district, position, rank, total, composite, flag, parts, veto_reason in rows:
        index = index_of_round.get(round_id)
        if index is None:
            continue
        series = points.get(unit_id)
        if series is None:
            series = points[unit_id] = [None] * count
        series[index] = TrendPoint(total, composite, rank, flag, parts, round_id, veto_reason)
        totals[index].append(composite)
        known = latest.get(unit_id)
        if known is None or index > known[0]:
            latest[unit_id] = (index, position, name, district)
        if not seen_components.issuperset(parts):
            for key in parts:
                if key not in seen_components:
                    seen_components.add(key)
                    components.append(key)
    skipped: dict[int, set[int]] = {}
    for round_id, unit_id, name, district, position in not_visited:
        index = index_of_round.get(round_id)
        if index is None:
            continue
        points.setdefault(unit_id, [None] * count)
        skipped.setdefault(unit_id, set()).add(index)
        note(unit_id, index, position, name, district)

    # The latest participants first in their order on the sheet; units that left come after.
    order = sorted(latest, key=lambda u: (-latest[u][0], latest[u][1], latest[u][2]))
    units = tuple(
        UnitSeries(
            unit_id, latest[unit_id][2], latest[unit_id][3], tuple(points[unit_id]), frozenset(skipped.get(unit_id, ()))
        )
        for unit_id in order
    )
    stats = tuple(
        period_stats(p, totals[i]) or PeriodStats(p, Fraction(0), Fraction(0), Fraction(0), 0)
        for i, p in enumerate(periods)
    )
    return TrendData(periods, units, stats, tuple(round_of[p] for p in periods), tuple(components))


# ----- one unit's breakdown --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BreakdownPoint:
    """A unit's component scores (as finalised) and its judges' mean per criterion (from the
    current scores, untrimmed) in one quarter."""

    components: dict[str, Fraction] = field(hash=False)
    criteria: dict[str, Fraction] = field(hash=False)
    judges: dict[str, int] = field(hash=False)  # criterion -> how many judges scored it

    def component(self, name: str) -> Decimal | None:
        value = self.components.get(name)
        return None if value is None else half_up(value)

    def criterion(self, name: str) -> Decimal | None:
        value = self.criteria.get(name)
        return None if value is None else half_up(value)


@dataclass(frozen=True, slots=True)
class UnitBreakdown:
    """`points[i]` belongs to `periods[i]` (the same quarters as the overview); None is a gap."""

    unit_id: int
    name: str
    periods: tuple[Period, ...]
    components: tuple[str, ...]
    criteria: tuple[tuple[str, str], ...]  # (component, criterion) in scheme order
    criterion_max: dict[str, Decimal] = field(hash=False)
    points: tuple[BreakdownPoint | None, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not any(p is not None for p in self.points)


def criterion_mean(hundredths_sum: int, count: int) -> Fraction:
    """The mean of `count` scores whose sum is given in hundredths (as stored)."""
    return Fraction(hundredths_sum, 100 * count)


def merge_names(groups: Iterable[Sequence[_Name]]) -> tuple[_Name, ...]:
    """Names in the order first met, each once."""
    seen: dict[_Name, None] = {}
    for group in groups:
        for name in group:
            seen.setdefault(name, None)
    return tuple(seen)
