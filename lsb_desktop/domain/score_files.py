"""The values a score-sheet export or import deals in, and the warnings shown before importing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lsb_desktop.domain.scoring import Scheme
from lsb_desktop.domain.text import canonical_name, canonical_person

FORMAT_JUDGE_SHEETS = "judge_sheets"
FORMAT_FLAT = "flat"
# Neither layout was recognised; the ScoreRead then carries one problem explaining both.
FORMAT_UNKNOWN = ""

# A judge's component total this far from the panel's median, as a share of the component's
# maximum, is worth a second look (a typing slip, or a row filled in for the wrong village).
OUTLIER_SHARE = Decimal("0.2")
# Fewer judges make a median that means nothing, and fewer units a "same score" that is chance.
MIN_PANEL_FOR_OUTLIER = 3
MIN_UNITS_FOR_SAME_SCORE = 3


@dataclass(frozen=True, slots=True)
class ScoreSheetSpec:
    """What blank per-judge score sheets are written from: one sheet per judge, units as rows."""

    title: str
    judges: tuple[str, ...]
    units: tuple[tuple[str, str], ...]  # (unit name, 管区 name or '') in display order
    scheme: Scheme
    event_date: date | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "judges", tuple(self.judges))
        object.__setattr__(self, "units", tuple((name, district) for name, district in self.units))


@dataclass(frozen=True, slots=True)
class ScoreContext:
    """What a score file is checked against: the round's judges, units and scheme.

    Names are stored canonical (canonical_person for judges, canonical_name for units), so
    the reader can compare them with names from a file put through the same functions."""

    judges: tuple[str, ...]
    units: tuple[str, ...]
    scheme: Scheme

    def __post_init__(self) -> None:
        object.__setattr__(self, "judges", tuple(canonical_person(j) for j in self.judges))
        object.__setattr__(self, "units", tuple(canonical_name(u) for u in self.units))


@dataclass(frozen=True, slots=True)
class ScoreEntry:
    """One score read from a file, already checked against the context, with its cell."""

    sheet: str
    row: int
    column: str
    judge: str
    unit: str
    criterion: str
    points: Decimal


@dataclass(frozen=True, slots=True)
class ScoreProblem:
    """Something in a score file that stops the import, located for the clerk."""

    sheet: str
    row: int | None
    column: str
    message: str

    def where(self) -> str:
        """工作表“张三” 第5行 D列; just the sheet for a sheet-level problem."""
        if not self.sheet:
            return "整个文件"
        place = f"工作表“{self.sheet}”"
        if self.row is not None:
            place += f" 第{self.row}行"
        if self.column:
            place += f" {self.column}列"
        return place


@dataclass(frozen=True, slots=True)
class ScoreRead:
    """The outcome of reading a score file: scores, problems, and what was left out.

    `blanks` counts score cells left empty (not scored, which is not the same as 0)."""

    format: str
    entries: tuple[ScoreEntry, ...]
    problems: tuple[ScoreProblem, ...]
    blanks: int
    notes: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return bool(self.entries) and not self.problems


def plain_points(value: Decimal) -> str:
    """Points as a clerk writes them: 20, 85.5 (no trailing zeros, never an exponent)."""
    text = format(Decimal(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _median(values: list[Decimal]) -> Decimal:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    # Half of a sum of two-decimal numbers has at most three places: exact in Decimal.
    return (ordered[middle - 1] + ordered[middle]) / 2


def score_warnings(entries: Iterable[ScoreEntry], scheme: Scheme) -> tuple[str, ...]:
    """Patterns worth a second look before importing; they never block the import.

    (a) a judge who gave every unit the same score on a criterion (at least 3 units);
    (b) a judge whose complete component total for a unit is more than 20% of the
    component's maximum away from the median of the panel (at least 3 judges)."""
    items = list(entries)
    criterion_component = {
        criterion.name: component for component in scheme.components for criterion in component.criteria
    }
    judges = list(dict.fromkeys(e.judge for e in items))
    units = list(dict.fromkeys(e.unit for e in items))
    warnings: list[str] = []
    share = plain_points(OUTLIER_SHARE * 100)

    # (a) the same score for every unit
    given: dict[tuple[str, str], dict[str, Decimal]] = {}
    for entry in items:
        if entry.criterion in criterion_component:
            given.setdefault((entry.judge, entry.criterion), {})[entry.unit] = entry.points
    for judge in judges:
        for component in scheme.components:
            for criterion in component.criteria:
                points = given.get((judge, criterion.name), {})
                if len(points) >= MIN_UNITS_FOR_SAME_SCORE and len(set(points.values())) == 1:
                    value = plain_points(next(iter(points.values())))
                    warnings.append(f"评委{judge}对“{criterion.name}”给所有村（社区）打了同样的分（{value}）")

    # (b) a component total far from the panel's median
    scores: dict[tuple[str, str, str], dict[str, Decimal]] = {}
    for entry in items:
        owner = criterion_component.get(entry.criterion)
        if owner is not None:
            key = (entry.unit, owner.name, entry.judge)
            scores.setdefault(key, {})[entry.criterion] = entry.points
    for unit in units:
        for component in scheme.components:
            names = {c.name for c in component.criteria}
            # A judge who left a criterion empty has a partial total; comparing it with full
            # ones would flag the gap, which the round already reports as 评分不完整.
            totals = {
                judge: sum(scores[(unit, component.name, judge)].values(), Decimal(0))
                for judge in judges
                if set(scores.get((unit, component.name, judge), {})) == names
            }
            if len(totals) < MIN_PANEL_FOR_OUTLIER:
                continue
            median = _median(list(totals.values()))
            limit = component.max_total * OUTLIER_SHARE
            for judge, total in totals.items():
                gap = abs(total - median)
                if gap > limit:
                    warnings.append(
                        f"评委{judge}给{unit}的“{component.name}”合计 {plain_points(total)} 分，"
                        f"与评委中位数 {plain_points(median)} 分相差 {plain_points(gap)} 分"
                        f"（超过满分 {plain_points(component.max_total)} 分的 {share}%）"
                    )
    return tuple(warnings)
