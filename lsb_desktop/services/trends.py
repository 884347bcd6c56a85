"""Trends across finalised quarters, read from the stored results (the latest version of each)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import Integer, and_, func, select, type_coerce
from sqlalchemy.sql import ClauseElement, Subquery

from db.engine import Database
from db.models import (
    RoundComponentRecord,
    RoundCriterionRecord,
    RoundRecord,
    RoundResultRecord,
    RoundUnitRecord,
    ScoreRecord,
)
from lsb_desktop.domain.period import Period
from lsb_desktop.domain.scoring import Flag
from lsb_desktop.domain.trends import (
    BreakdownPoint,
    ResultRow,
    TrendData,
    UnitBreakdown,
    build_trends,
    criterion_mean,
    merge_names,
    ratio,
    veto_reason_of,
)
from lsb_desktop.errors import NotFoundError

_FLAGS = {flag.value: flag for flag in Flag}
_FINAL = "final"


def _fraction(text: str) -> Fraction:
    """A stored exact value "p/q"; splitting is several times faster than Fraction(text)."""
    return Fraction(*ratio(text))


def _latest_versions() -> Subquery:
    """The latest result version of each round, as a subquery (round_id, version)."""
    return (
        select(RoundResultRecord.round_id.label("round_id"), func.max(RoundResultRecord.version).label("version"))
        .group_by(RoundResultRecord.round_id)
        .subquery()
    )


def _quarter_rounds(rounds: Iterable[tuple[int, int, int]]) -> dict[int, Period]:
    """round id -> quarter, keeping one finalised round per quarter: the highest id."""
    chosen: dict[Period, int] = {}
    for round_id, year, quarter in rounds:
        period = Period(year, quarter)
        if round_id > chosen.get(period, 0):
            chosen[period] = round_id
    return {round_id: period for period, round_id in chosen.items()}


class TrendService:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._sql: str | None = None

    def _overview_sql(self, query: ClauseElement) -> str:
        """The overview's SELECT as SQLite text (it has no parameters), compiled once."""
        if self._sql is None:
            self._sql = str(query.compile(self._db.engine, compile_kwargs={"literal_binds": True}))
        return self._sql

    def overview(self) -> TrendData:
        """Every unit's total, rank, flag and component scores in each finalised quarter, and
        the township's mean, lowest and highest total per quarter.

        Only finalised rounds count, each with its latest result version (corrections
        included). When two finalised rounds fall in the same quarter, the later one (the
        higher id) stands for that quarter and the other is left out. A unit's name and 管区
        are those of the latest round it took part in."""
        latest = _latest_versions()
        query = (
            select(
                RoundRecord.id,
                RoundRecord.year,
                RoundRecord.quarter,
                RoundUnitRecord.unit_id,
                RoundUnitRecord.name,
                RoundUnitRecord.district,
                RoundUnitRecord.position,
                RoundResultRecord.rank,
                RoundResultRecord.total,
                RoundResultRecord.composite,
                RoundResultRecord.flag,
                RoundResultRecord.components,
                RoundResultRecord.notes,
            )
            .select_from(RoundResultRecord)
            .join(
                latest,
                and_(latest.c.round_id == RoundResultRecord.round_id, latest.c.version == RoundResultRecord.version),
            )
            .join(RoundUnitRecord, RoundUnitRecord.id == RoundResultRecord.round_unit_id)
            .join(RoundRecord, RoundRecord.id == RoundResultRecord.round_id)
            .where(RoundRecord.status == _FINAL)
        )
        skipped_query = (
            select(
                RoundUnitRecord.round_id,
                RoundUnitRecord.unit_id,
                RoundUnitRecord.name,
                RoundUnitRecord.district,
                RoundUnitRecord.position,
            )
            .join(RoundRecord, RoundRecord.id == RoundUnitRecord.round_id)
            .where(RoundRecord.status == _FINAL, RoundUnitRecord.visited.is_(False))
        )
        with self._db.session() as session:
            connection = session.connection()
            # Thousands of rows of plain values: read through the driver's own cursor, which
            # saves SQLAlchemy's per-row work (a third of the time of this read).
            cursor = connection.connection.cursor()
            try:
                raw = cursor.execute(self._overview_sql(query)).fetchall()
            finally:
                cursor.close()
            not_visited = list(connection.execute(skipped_query))
        # One JSON document for all rows: a single decode is much faster than thousands.
        stored = json.loads("[" + ",".join(row[11] for row in raw) + "]")
        periods: dict[int, Period] = {}
        rows = []
        for (
            round_id,
            year,
            quarter,
            unit_id,
            name,
            district,
            position,
            rank,
            total,
            composite,
            flag,
            _,
            notes,
        ), item in zip(raw, stored):
            period = periods.get(round_id)
            if period is None:
                period = periods[round_id] = Period(year, quarter)
            rows.append(
                ResultRow(
                    round_id,
                    period,
                    unit_id,
                    name,
                    district,
                    position,
                    rank,
                    Decimal(total),
                    _fraction(composite),
                    _FLAGS.get(flag) if flag else None,
                    {key: value["score"] for key, value in item["components"].items()},
                    # Most results have no veto: look into the notes only when one is there.
                    veto_reason_of(json.loads(notes)) if notes and "一票否决" in notes else "",
                )
            )
        return build_trends(rows, not_visited)

    def vetoes(self, unit_id: int) -> dict[int, str]:
        """round id -> the reason, for each finalised round (latest result version) in which the
        unit was 一票否决."""
        latest = _latest_versions()
        with self._db.session() as session:
            rows = session.execute(
                select(RoundResultRecord.round_id, RoundResultRecord.notes)
                .join(
                    latest,
                    and_(
                        latest.c.round_id == RoundResultRecord.round_id, latest.c.version == RoundResultRecord.version
                    ),
                )
                .join(RoundUnitRecord, RoundUnitRecord.id == RoundResultRecord.round_unit_id)
                .join(RoundRecord, RoundRecord.id == RoundResultRecord.round_id)
                .where(
                    RoundUnitRecord.unit_id == unit_id,
                    RoundRecord.status == _FINAL,
                    RoundResultRecord.notes.contains("一票否决"),
                )
            ).all()
        return {round_id: veto_reason_of(json.loads(notes)) for round_id, notes in rows}

    def breakdown(self, unit_id: int) -> UnitBreakdown:
        """One unit's component scores (as finalised, latest version) and its judges' mean
        points per criterion (from the round's current scores, untrimmed) in each finalised
        quarter; the quarters are those of `overview()`, with None where it has no result."""
        latest = _latest_versions()
        with self._db.session() as session:
            chosen = _quarter_rounds(
                session.execute(
                    select(RoundRecord.id, RoundRecord.year, RoundRecord.quarter).where(RoundRecord.status == _FINAL)
                )
            )
            participations = session.execute(
                select(RoundUnitRecord.round_id, RoundUnitRecord.name).where(RoundUnitRecord.unit_id == unit_id)
            ).all()
            results = session.execute(
                select(RoundResultRecord.round_id, RoundResultRecord.components)
                .join(
                    latest,
                    and_(
                        latest.c.round_id == RoundResultRecord.round_id, latest.c.version == RoundResultRecord.version
                    ),
                )
                .join(RoundUnitRecord, RoundUnitRecord.id == RoundResultRecord.round_unit_id)
                .where(RoundUnitRecord.unit_id == unit_id)
            ).all()
            criteria = session.execute(
                select(
                    ScoreRecord.round_id,
                    RoundComponentRecord.name,
                    RoundComponentRecord.position,
                    RoundCriterionRecord.name,
                    RoundCriterionRecord.position,
                    RoundCriterionRecord.max_points,
                    func.sum(type_coerce(ScoreRecord.points, Integer)),
                    func.count(),
                )
                .join(RoundUnitRecord, RoundUnitRecord.id == ScoreRecord.round_unit_id)
                .join(RoundCriterionRecord, RoundCriterionRecord.id == ScoreRecord.criterion_id)
                .join(RoundComponentRecord, RoundComponentRecord.id == RoundCriterionRecord.component_id)
                .where(RoundUnitRecord.unit_id == unit_id)
                .group_by(ScoreRecord.round_id, ScoreRecord.criterion_id)
            ).all()
        if not participations:
            raise NotFoundError(f"编号为 {unit_id} 的村（社区）没有参加过评比")
        periods = tuple(sorted(chosen.values()))
        index_of = {round_id: periods.index(period) for round_id, period in chosen.items()}
        taken = [(index_of[r], name) for r, name in participations if r in index_of]
        name = max(taken)[1] if taken else max(participations)[1]

        components: list[dict[str, Fraction] | None] = [None] * len(periods)
        for round_id, stored in results:
            if round_id in index_of:
                components[index_of[round_id]] = {
                    key: _fraction(item["score"]) for key, item in json.loads(stored)["components"].items()
                }
        means: dict[int, dict[str, Fraction]] = defaultdict(dict)
        judges: dict[int, dict[str, int]] = defaultdict(dict)
        order: dict[int, list[tuple[int, int, str, str]]] = defaultdict(list)
        maxima: dict[str, tuple[int, Decimal]] = {}
        for round_id, component, c_pos, criterion, k_pos, maximum, hundredths, count in criteria:
            index = index_of.get(round_id)
            if index is None or components[index] is None or not count:
                continue  # not a finalised quarter, or not ranked in it (not visited)
            means[index][criterion] = criterion_mean(hundredths, count)
            judges[index][criterion] = count
            order[index].append((c_pos, k_pos, component, criterion))
            if criterion not in maxima or index > maxima[criterion][0]:
                maxima[criterion] = (index, maximum)
        # Names in the newest scheme's order first, then any that only older rounds had.
        newest_first = sorted(order, reverse=True)
        criteria_names = merge_names([(c, k) for _, _, c, k in sorted(order[i])] for i in newest_first)
        component_names = merge_names(
            [[name for name in (components[i] or {})] for i in reversed(range(len(periods)))]
            + [[c for c, _ in criteria_names]]
        )
        points = tuple(
            BreakdownPoint(scores, dict(means.get(i, {})), dict(judges.get(i, {}))) if scores is not None else None
            for i, scores in enumerate(components)
        )
        return UnitBreakdown(
            unit_id, name, periods, component_names, criteria_names, {k: m for k, (_, m) in maxima.items()}, points
        )
