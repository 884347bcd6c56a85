"""五星支部: plans, rating steps, losses (降星/撤星) and targets per year; the year's matrix and
summary; the plan import. Every star change goes to the audit log."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import (
    EvidenceFileRecord,
    StarCellRecord,
    StarLossRecord,
    StarStepRecord,
    StarTargetRecord,
)
from lsb_desktop.domain.commitments import EvidenceFile
from lsb_desktop.domain.period import year_day
from lsb_desktop.domain.register import UnitKind, UnitStatus
from lsb_desktop.domain.stars import (
    ALL_STARS,
    LossKind,
    StarCell,
    StarLoss,
    StarStep,
    StepRecord,
    Targets,
    UnitStars,
    YearSummary,
    cell_state,
    check_steps,
    held_on,
    parse_star,
    star_set,
)
from lsb_desktop.domain.text import canonical_name, clean_text, shown_value
from lsb_desktop.errors import NotFoundError, ValidationError
from lsb_desktop.services import audit, register
from lsb_desktop.services.evidence import EvidenceStore
from lsb_desktop.services.register import UnitHistory
from lsb_desktop.services.villages import VillageService

if TYPE_CHECKING:
    from lsb_desktop.io.star_sheets import StarPlanLine, StarPlanRead  # openpyxl: only when read

OWNER_PREFIX = "star:"
_ROW = re.compile(r"第 (\d+) 行")


@dataclass(frozen=True, slots=True)
class StarEvent:
    """One line of a unit's star history (创建计划, a step passed or 未通过, 命名, 降星/撤星)."""

    year: int
    star: str
    on: date | None
    text: str


class _PlanCell(TypedDict):
    """A plan cell as the audit log records it."""

    planned: bool
    note: str


@dataclass(frozen=True, slots=True)
class PlanImportRow:
    sheet: str
    row: int
    unit_name: str
    unit_id: int | None
    stars: tuple[str, ...]  # planned this year
    problems: tuple[str, ...] = ()
    added: tuple[str, ...] = ()  # stars the import puts into the plan
    removed: tuple[str, ...] = ()  # stars the import takes out of the plan


@dataclass(frozen=True, slots=True)
class PlanImportPreview:
    path: Path
    year: int
    rows: tuple[PlanImportRow, ...]
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.problems


def view_day(year: int, on: date | None = None, today: date | None = None) -> date:
    """The day a year is looked at: `on` if given, else `year_day` (31 Dec of a past year,
    today within the current year, 1 Jan of a future one)."""
    if on is not None:
        return on
    return year_day(year, today or date.today())


def _plain(value: Decimal) -> Decimal:
    """A stored percent as written (100, not 1E+2)."""
    return Decimal(format(Decimal(value), "f"))


def _by_row(problem: str) -> int:
    found = _ROW.search(problem)
    return int(found.group(1)) if found else 0


def _entity(unit_id: int, year: int, star: str) -> str:
    return f"star:{unit_id}/{year}/{star}"


def _owner(cell_id: int) -> str:
    return f"{OWNER_PREFIX}{cell_id}"


def _step_json(record: StepRecord) -> dict:
    return {
        "step": record.step.label,
        "result": "通过" if record.passed else "未通过",
        "on": record.on.isoformat(),
        "note": record.note,
    }


def _to_step(record: StarStepRecord) -> StepRecord:
    return StepRecord(StarStep(record.step), record.passed, record.on, record.note)


def _to_loss(record: StarLossRecord) -> StarLoss:
    return StarLoss(record.id, record.unit_id, record.star, LossKind(record.kind), record.on, record.reason)


def _first_bad_loss(namings: Sequence[date], losses: Sequence[date]) -> date | None:
    """The first loss of a star that was not held just before it (a naming on the same day
    comes first), or None when the history is consistent."""
    events = sorted([(d, 0) for d in namings] + [(d, 1) for d in losses])
    held = False
    for day, kind in events:
        if kind == 0:
            held = True
        elif not held:
            return day
        else:
            held = False
    return None


# ----- everything a view needs, loaded in one go ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Cell:
    id: int
    unit_id: int
    year: int
    star: str
    planned: bool
    note: str


class _Data:
    """The register and all star records, read inside one session; views are computed from it."""

    def __init__(self, session: Session, villages: VillageService, unit_ids: list[int] | None = None) -> None:
        self.states: dict[int, UnitHistory] = register.load_units(session, unit_ids)
        self.districts: dict[int, str] = register.district_names(session)
        cells = select(StarCellRecord)
        losses = select(StarLossRecord).order_by(StarLossRecord.on, StarLossRecord.id)
        steps = select(StarStepRecord, StarCellRecord.unit_id, StarCellRecord.star).join(
            StarCellRecord, StarStepRecord.cell_id == StarCellRecord.id
        )
        if unit_ids is not None:
            cells = cells.where(StarCellRecord.unit_id.in_(unit_ids))
            losses = losses.where(StarLossRecord.unit_id.in_(unit_ids))
            steps = steps.where(StarCellRecord.unit_id.in_(unit_ids))
        self.cells: dict[tuple[int, int, str], _Cell] = {}
        self.cell_keys: dict[tuple[int, str], list[int]] = defaultdict(list)  # (unit, star) → years
        for r in session.scalars(cells):
            self.cells[(r.unit_id, r.year, r.star)] = _Cell(r.id, r.unit_id, r.year, r.star, r.planned, r.note)
            self.cell_keys[(r.unit_id, r.star)].append(r.year)
        self.steps: dict[int, list[StepRecord]] = defaultdict(list)
        self.namings: dict[tuple[int, str], list[date]] = defaultdict(list)
        for record, unit_id, star in session.execute(steps):
            step = _to_step(record)
            self.steps[record.cell_id].append(step)
            if step.step is StarStep.NAMED and step.passed:
                self.namings[(unit_id, star)].append(step.on)
        for items in self.steps.values():
            items.sort(key=lambda s: s.step.index)
        self.losses: dict[tuple[int, str], list[StarLoss]] = defaultdict(list)
        for loss in session.scalars(losses):
            self.losses[(loss.unit_id, loss.star)].append(_to_loss(loss))
        self.evidence: dict[int, int] = {}
        counted = (
            select(EvidenceFileRecord.owner, func.count())
            .where(EvidenceFileRecord.owner.like(f"{OWNER_PREFIX}%"))
            .group_by(EvidenceFileRecord.owner)
        )
        for owner, count in session.execute(counted):
            tail = owner[len(OWNER_PREFIX) :]
            if tail.isdigit():
                self.evidence[int(tail)] = count
        self.targets: dict[int, dict[int, Decimal]] = defaultdict(dict)
        for target in session.scalars(select(StarTargetRecord)):
            self.targets[target.year][target.level] = _plain(target.percent)

    def targets_of(self, year: int) -> Targets:
        return Targets(year, dict(self.targets.get(year, {})))

    def kind_in(self, state: UnitHistory, year: int) -> UnitKind:
        """The unit's kind on 31 Dec of `year` (which decides the year's star set)."""
        version = state.version_on(date(year, 12, 31)) or state.versions[0]
        return UnitKind(version.kind)

    def has_history(self, unit_id: int, star: str, year: int, day: date) -> bool:
        return any(y <= year for y in self.cell_keys.get((unit_id, star), ())) or any(
            loss.on <= day for loss in self.losses.get((unit_id, star), ())
        )

    def cell(self, unit_id: int, year: int, star: str, in_set: bool, day: date) -> StarCell:
        row = self.cells.get((unit_id, year, star))
        steps = tuple(s for s in self.steps.get(row.id, ()) if s.on <= day) if row else ()
        losses = self.losses.get((unit_id, star), [])
        held = held_on(day, self.namings.get((unit_id, star), ()), [loss.on for loss in losses])
        this_year = [loss for loss in losses if loss.on.year == year and loss.on <= day]
        loss = max(this_year, key=lambda item: (item.on, item.id), default=None)
        planned = row.planned if row else False
        state = cell_state(planned=planned, steps=steps, held=held, lost_this_year=loss is not None)
        return StarCell(
            unit_id=unit_id,
            year=year,
            star=star,
            planned=planned,
            steps=steps,
            state=state,
            held=held,
            in_set=in_set,
            loss=loss,
            note=row.note if row else "",
            cell_id=row.id if row else None,
            evidence_count=self.evidence.get(row.id, 0) if row else 0,
        )

    def unit_cells(self, unit_id: int, year: int, kind: UnitKind, day: date) -> tuple[StarCell, ...]:
        own = star_set(kind)
        extra = tuple(s for s in ALL_STARS if s not in own and self.has_history(unit_id, s, year, day))
        return tuple(self.cell(unit_id, year, s, s in own, day) for s in own + extra)

    def summary(self, year: int, day: date) -> YearSummary:
        units = []
        for unit_id, state in self.states.items():
            version = state.version_on(day)
            if version is None or version.status != UnitStatus.ACTIVE.value:
                continue
            kind = self.kind_in(state, year)
            district = self.districts.get(version.district_id, "") if version.district_id else ""
            units.append(UnitStars(unit_id, version.name, district, kind, self.unit_cells(unit_id, year, kind, day)))
        return YearSummary(year, tuple(units), self.targets_of(year))

    def years(self) -> set[int]:
        found = {year for (_, year, _) in self.cells}
        found |= set(self.targets)
        found |= {loss.on.year for items in self.losses.values() for loss in items}
        return found


# ----- the writes, each checked and audited, inside the caller's transaction -----------------------


class StarBatch:
    """Star changes made inside one transaction, with the same checks and audit entries as the
    service's single calls (the plan import and the demo use it). Get one from
    `StarService.batch()`; leaving the block with an exception rolls every change back."""

    def __init__(
        self, session: Session, villages: VillageService, evidence: EvidenceStore, today: date | None = None
    ) -> None:
        self._session = session
        self._villages = villages
        self._evidence = evidence
        self._today = today
        self._states: dict[int, UnitHistory] = {}

    # -- the unit and its set

    def _state(self, unit_id: int) -> UnitHistory:
        if unit_id not in self._states:
            states = register.load_units(self._session, [unit_id])
            if unit_id not in states:
                raise NotFoundError("找不到该村（社区），可能已被其他操作更改，请刷新后重试")
            self._states[unit_id] = states[unit_id]
        return self._states[unit_id]

    def unit_name(self, unit_id: int, year: int) -> str:
        state = self._state(unit_id)
        return (state.version_on(date(year, 12, 31)) or state.versions[0]).name

    def kind_in(self, unit_id: int, year: int) -> UnitKind:
        """The unit's kind in `year` (on 31 Dec); refuses a unit not in the register that year."""
        state = self._state(unit_id)
        day = view_day(year, today=self._today)
        version = state.version_on(day)
        name = state.latest.name
        if version is None:
            raise ValidationError(f"“{name}”在{year}年还没有建档，不能记录{year}年的五星创建")
        if version.status != UnitStatus.ACTIVE.value:
            raise ValidationError(
                f"“{version.name}”{year}年{UnitStatus(version.status).label}，不参加{year}年的五星创建"
            )
        return UnitKind((state.version_on(date(year, 12, 31)) or version).kind)

    def require_in_set(self, unit_id: int, year: int, star: str) -> None:
        kind = self.kind_in(unit_id, year)
        stars = star_set(kind)
        if star not in stars:
            raise ValidationError(
                f"“{star}”不在{kind.label}的五星之列：{year}年“{self.unit_name(unit_id, year)}”是{kind.label}，"
                f"评定{'、'.join(stars)}"
            )

    # -- what is recorded

    def _cell(self, unit_id: int, year: int, star: str) -> StarCellRecord | None:
        return self._session.scalar(
            select(StarCellRecord).where(
                StarCellRecord.unit_id == unit_id, StarCellRecord.year == year, StarCellRecord.star == star
            )
        )

    def _cell_or_new(self, unit_id: int, year: int, star: str) -> StarCellRecord:
        record = self._cell(unit_id, year, star)
        if record is None:
            record = StarCellRecord(unit_id=unit_id, year=year, star=star, planned=False, note="")
            self._session.add(record)
            self._session.flush()
        return record

    def _steps(self, cell_id: int) -> list[StarStepRecord]:
        records = list(self._session.scalars(select(StarStepRecord).where(StarStepRecord.cell_id == cell_id)))
        return sorted(records, key=lambda r: StarStep(r.step).index)

    def _namings(self, unit_id: int, star: str) -> list[date]:
        return list(
            self._session.scalars(
                select(StarStepRecord.on)
                .join(StarCellRecord, StarStepRecord.cell_id == StarCellRecord.id)
                .where(
                    StarCellRecord.unit_id == unit_id,
                    StarCellRecord.star == star,
                    StarStepRecord.step == StarStep.NAMED.value,
                    StarStepRecord.passed.is_(True),
                )
            )
        )

    def _losses(self, unit_id: int, star: str) -> list[StarLossRecord]:
        return list(
            self._session.scalars(
                select(StarLossRecord)
                .where(StarLossRecord.unit_id == unit_id, StarLossRecord.star == star)
                .order_by(StarLossRecord.on)
            )
        )

    def held_on(self, unit_id: int, star: str, day: date) -> bool:
        return held_on(day, self._namings(unit_id, star), [r.on for r in self._losses(unit_id, star)])

    def check_plan(self, unit_id: int, year: int, star: str) -> None:
        """A star may be planned if it is in the unit's set and not held since before the year
        (a star lost during the year may be aimed at again)."""
        self.require_in_set(unit_id, year, star)
        losses = self._losses(unit_id, star)
        before = date(year, 1, 1) - timedelta(days=1)
        namings = self._namings(unit_id, star)
        if held_on(before, namings, [r.on for r in losses]) and not any(r.on.year == year for r in losses):
            named = max(d for d in namings if d <= before)
            raise ValidationError(
                f"“{self.unit_name(unit_id, year)}”已于{named.isoformat()}命名“{star}”，{year}年仍持有，"
                f"不需要列入{year}年创建计划"
            )

    def _not_ahead(self, day: date, what: str) -> None:
        """Steps and losses are recorded once they happened, never ahead (as commitments)."""
        if day > (self._today or date.today()):
            raise ValidationError(f"{what} {day.isoformat()} 晚于今天，不能预先登记")

    # -- changes

    def set_planned(
        self, unit_id: int, year: int, star: str, planned: bool, note: str = "", reason: str = ""
    ) -> int | None:
        """Returns the cell's id (None when un-planning a star that has no cell)."""
        star = parse_star(star)
        if planned:
            self.check_plan(unit_id, year, star)
        else:
            self.kind_in(unit_id, year)
        record = self._cell(unit_id, year, star)
        old: _PlanCell = {"planned": record.planned, "note": record.note} if record else {"planned": False, "note": ""}
        new: _PlanCell = {"planned": bool(planned), "note": clean_text(note) or old["note"]}
        if old == new:
            return record.id if record else None
        record = record or self._cell_or_new(unit_id, year, star)
        record.planned, record.note = new["planned"], new["note"]
        if old["planned"] != new["planned"]:
            action = "列入创建计划" if planned else "取消创建计划"
        else:
            action = "修改五星备注"
        audit.record(self._session, action, _entity(unit_id, year, star), old, new, clean_text(reason))
        return record.id

    def set_note(self, unit_id: int, year: int, star: str, note: str) -> int:
        star = parse_star(star)
        self.kind_in(unit_id, year)
        record = self._cell_or_new(unit_id, year, star)
        text = clean_text(note)
        if text != record.note:
            audit.record(self._session, "修改五星备注", _entity(unit_id, year, star), record.note, text)
            record.note = text
        return record.id

    def record_step(
        self, unit_id: int, year: int, star: str, step: StarStep | str, passed: bool, on: date, note: str = ""
    ) -> int:
        star = parse_star(star)
        step = step if isinstance(step, StarStep) else StarStep.parse(step)
        self.require_in_set(unit_id, year, star)
        if step is StarStep.NAMED and on.year != year:
            raise ValidationError(f"命名日期 {on.isoformat()} 不在{year}年内：{year}年的评星只能在{year}年命名")
        self._not_ahead(on, f"“{step.label}”的日期")
        record = self._cell(unit_id, year, star)
        existing = [_to_step(r) for r in self._steps(record.id)] if record else []
        failed = next((s for s in existing if not s.passed), None)
        if failed is not None:
            raise ValidationError(f"“{star}”{year}年在“{failed.step.label}”未通过，不能再记录“{step.label}”")
        if any(s.step is step for s in existing):
            raise ValidationError(f"“{star}”{year}年已经记录了“{step.label}”，如需更正请先撤销")
        if not existing and self.held_on(unit_id, star, on):
            raise ValidationError(f"“{self.unit_name(unit_id, year)}”在{on.isoformat()}仍持有“{star}”，不需要再评定")
        new = StepRecord(step, bool(passed), on, clean_text(note))
        if not new.passed and not new.note:
            # A 未通过 ends the star's year: the office must be able to say why, later.
            raise ValidationError(f"记录“{step.label}未通过”须写明原因（例如：哪一项未达到标准、县委组织部的意见）")
        check_steps(existing + [new])
        record = record or self._cell_or_new(unit_id, year, star)
        self._session.add(
            StarStepRecord(
                cell_id=record.id,
                step=step.value,
                passed=new.passed,
                on=on,
                note=new.note,
                recorded_at=datetime.now().replace(microsecond=0),
            )
        )
        previous = _step_json(existing[-1]) if existing else None
        action = f"{step.label}{'通过' if passed else '未通过'}"
        audit.record(
            self._session,
            action,
            _entity(unit_id, year, star),
            previous,
            _step_json(new),
            "" if new.passed else new.note,
        )
        return record.id

    def undo_step(self, unit_id: int, year: int, star: str, reason: str) -> int:
        star = parse_star(star)
        reason = clean_text(reason)
        if not reason:
            raise ValidationError("撤销评星步骤须写明原因")
        record = self._cell(unit_id, year, star)
        steps = self._steps(record.id) if record else []
        if not steps:
            raise ValidationError(f"“{star}”{year}年还没有记录任何步骤，无需撤销")
        last = steps[-1]
        step = _to_step(last)
        if step.step is StarStep.NAMED and step.passed:
            namings = [d for d in self._namings(unit_id, star)]
            namings.remove(step.on)
            losses = [r.on for r in self._losses(unit_id, star)]
            if _first_bad_loss(namings, losses) is not None:
                raise ValidationError(f"“{star}”命名之后已有降星/撤星记录，请先撤销那条记录，再撤销命名")
        self._session.delete(last)
        self._session.flush()
        audit.record(
            self._session, f"撤销{step.step.label}", _entity(unit_id, year, star), _step_json(step), None, reason
        )
        assert record is not None  # it had the steps just undone
        return record.id

    def lose_star(self, unit_id: int, star: str, kind: LossKind | str, on: date, reason: str) -> int:
        star = parse_star(star)
        kind = LossKind(kind)
        reason = clean_text(reason)
        if not reason:
            raise ValidationError(f"{kind.label}须写明原因（例如发生的事故、违纪问题）")
        self._not_ahead(on, f"{kind.label}日期")
        self.kind_in(unit_id, on.year)
        namings = self._namings(unit_id, star)
        losses = [r.on for r in self._losses(unit_id, star)]
        if not held_on(on, namings, losses):
            raise ValidationError(
                f"“{self.unit_name(unit_id, on.year)}”在{on.isoformat()}没有持有“{star}”，不能{kind.label}"
            )
        if _first_bad_loss(namings, losses + [on]) is not None:
            raise ValidationError(f"“{star}”在{on.isoformat()}之后已有降星/撤星记录，请核对日期")
        self._session.add(
            StarLossRecord(
                unit_id=unit_id,
                star=star,
                kind=kind.value,
                on=on,
                reason=reason,
                recorded_at=datetime.now().replace(microsecond=0),
            )
        )
        record = self._cell_or_new(unit_id, on.year, star)
        audit.record(
            self._session,
            kind.label,
            _entity(unit_id, on.year, star),
            {"held": True},
            {"held": False, "kind": kind.label, "on": on.isoformat(), "reason": reason},
            reason,
        )
        return record.id

    def undo_loss(self, loss_id: int, reason: str) -> tuple[int, int, str]:
        """Take back a 降星/撤星 typed by mistake; returns (unit, year, star)."""
        reason = clean_text(reason)
        if not reason:
            raise ValidationError("撤销降星/撤星须写明原因")
        record = self._session.get(StarLossRecord, loss_id)
        if record is None:
            raise NotFoundError("找不到这条降星/撤星记录，可能已被撤销，请刷新后重试")
        loss = _to_loss(record)
        self._session.delete(record)
        self._session.flush()
        audit.record(
            self._session,
            f"撤销{loss.kind.label}",
            _entity(loss.unit_id, loss.on.year, loss.star),
            {"kind": loss.kind.label, "on": loss.on.isoformat(), "reason": loss.reason},
            None,
            reason,
        )
        return loss.unit_id, loss.on.year, loss.star

    def save_targets(self, targets: Targets) -> None:
        rows = list(self._session.scalars(select(StarTargetRecord).where(StarTargetRecord.year == targets.year)))
        old = {str(r.level): str(_plain(r.percent)) for r in sorted(rows, key=lambda r: r.level)}
        new = {str(level): str(_plain(percent)) for level, percent in targets.percents.items()}
        if old == new:
            return
        for row in rows:
            self._session.delete(row)  # through the ORM, so the audit log's facts see it
        self._session.flush()
        for level, percent in targets.percents.items():
            self._session.add(StarTargetRecord(year=targets.year, level=level, percent=percent))
        audit.record(self._session, "修改五星创建目标", f"star:targets/{targets.year}", old or None, new)

    def attach(self, unit_id: int, year: int, star: str, path: Path, note: str = "") -> EvidenceFile:
        star = parse_star(star)
        if self._cell(unit_id, year, star) is None:
            self.require_in_set(unit_id, year, star)
        else:
            self.kind_in(unit_id, year)
        record = self._cell_or_new(unit_id, year, star)
        stored = self._evidence.add(self._session, _owner(record.id), Path(path), clean_text(note))
        audit.record(
            self._session,
            "附加五星佐证材料",
            _entity(unit_id, year, star),
            None,
            {"file": stored.name, "sha256": stored.sha256, "note": stored.note},
        )
        return stored


# ----- the service ------------------------------------------------------------------------------


class StarService:
    def __init__(
        self,
        database: Database,
        villages: VillageService,
        evidence: EvidenceStore,
        backup: Callable[[str], object] | None = None,
    ) -> None:
        self._db = database
        self._villages = villages
        self._evidence = evidence
        self._backup = backup

    @contextmanager
    def batch(self) -> Iterator[StarBatch]:
        """Several star changes in one transaction (all or nothing), each checked and audited."""
        with self._db.session() as session, session.begin():
            yield StarBatch(session, self._villages, self._evidence)

    # ----- reading --------------------------------------------------------------------------------

    def years(self) -> list[int]:
        """Years with any star data or target, newest first."""
        with self._db.session() as session:
            found = set(session.scalars(select(StarCellRecord.year).distinct()))
            found |= set(session.scalars(select(StarTargetRecord.year).distinct()))
            found |= {d.year for d in session.scalars(select(StarLossRecord.on))}
        return sorted(found, reverse=True)

    def year_view(self, year: int, on: date | None = None) -> YearSummary:
        """The township in `year`: every unit active on `on` (default `year_day`: 31 Dec of a
        past year, today in the current year, 1 Jan of a future one) with a cell for each star of its set that year, plus cells
        of stars outside the set that it still has history for (in_set False); the targets."""
        with self._db.session() as session:
            return _Data(session, self._villages).summary(year, view_day(year, on))

    def cell(self, unit_id: int, year: int, star: str, on: date | None = None) -> StarCell:
        star = parse_star(star)
        with self._db.session() as session:
            data = _Data(session, self._villages, [unit_id])
            if unit_id not in data.states:
                raise NotFoundError("找不到该村（社区），可能已被其他操作更改，请刷新后重试")
            kind = data.kind_in(data.states[unit_id], year)
            return data.cell(unit_id, year, star, star in star_set(kind), view_day(year, on))

    def history(self, unit_id: int) -> list[StarEvent]:
        """Everything that happened to the unit's stars, oldest first (readable across a 村改社区)."""
        with self._db.session() as session:
            data = _Data(session, self._villages, [unit_id])
            if unit_id not in data.states:
                raise NotFoundError("找不到该村（社区），可能已被其他操作更改，请刷新后重试")
            state = data.states[unit_id]
            keyed: list[tuple[tuple, StarEvent]] = []
            for (_, year, star), cell in data.cells.items():
                order = ALL_STARS.index(star)
                if cell.planned:
                    text = f"列入{year}年创建计划" + (f"（{cell.note}）" if cell.note else "")
                    keyed.append(((date(year, 1, 1), 0, order, 0), StarEvent(year, star, None, text)))
                for step in data.steps.get(cell.id, ()):
                    text = _STEP_EVENT[step.step] if step.passed else f"{step.step.label}未通过"
                    if step.note:
                        text += f"：{step.note}"
                    keyed.append(((step.on, 1, order, step.step.index), StarEvent(year, star, step.on, text)))
            for (_, star), losses in data.losses.items():
                for loss in losses:
                    keyed.append(
                        (
                            (loss.on, 2, ALL_STARS.index(star), 0),
                            StarEvent(loss.on.year, star, loss.on, f"{loss.kind.label}：{loss.reason}"),
                        )
                    )
            previous = None
            for version in state.versions:
                if previous is not None and version.kind != previous.kind:
                    kind = UnitKind(version.kind)
                    year = version.valid_from.year
                    change = f"{UnitKind(previous.kind).label}改{kind.label}"
                    renamed = (
                        f"{previous.name}改为{version.name}（{change}）"
                        if version.name != previous.name
                        else f"{version.name}{change}"
                    )
                    text = f"{renamed}，自{year}年起按{kind.label}五星评定：{'、'.join(star_set(kind))}"
                    keyed.append(((version.valid_from, -1, 0, 0), StarEvent(year, "", version.valid_from, text)))
                previous = version
        keyed.sort(key=lambda item: item[0])
        return [event for _, event in keyed]

    def level_history(self, years: Sequence[int]) -> dict[int, dict[int, int]]:
        """year → level → number of units (for the distribution chart)."""
        with self._db.session() as session:
            data = _Data(session, self._villages)
            return {year: data.summary(year, view_day(year)).levels for year in years}

    def star_count_history(self, years: Sequence[int]) -> dict[int, dict[str, int]]:
        """year → star → number of units holding it at the end of the year."""
        with self._db.session() as session:
            data = _Data(session, self._villages)
            return {year: data.summary(year, view_day(year)).star_counts() for year in years}

    def targets(self, year: int) -> Targets:
        with self._db.session() as session:
            rows = session.scalars(select(StarTargetRecord).where(StarTargetRecord.year == year))
            return Targets(year, {r.level: _plain(r.percent) for r in rows})

    def evidence(self, unit_id: int, year: int, star: str) -> list[EvidenceFile]:
        star = parse_star(star)
        with self._db.session() as session:
            cell_id = session.scalar(
                select(StarCellRecord.id).where(
                    StarCellRecord.unit_id == unit_id, StarCellRecord.year == year, StarCellRecord.star == star
                )
            )
            return self._evidence.list(session, [_owner(cell_id)]) if cell_id is not None else []

    def evidence_path(self, evidence_id: int) -> Path:
        with self._db.session() as session:
            return self._evidence.open_path(session, evidence_id)

    # ----- writing (each audited) ----------------------------------------------------------------

    def set_planned(self, unit_id: int, year: int, star: str, planned: bool, note: str = "") -> StarCell:
        """Refuses a star outside the unit's set that year, and planning a star already held.
        An empty `note` leaves the cell's note as it is (use set_note to clear it)."""
        with self.batch() as batch:
            batch.set_planned(unit_id, year, star, planned, note)
        return self.cell(unit_id, year, star)

    def set_note(self, unit_id: int, year: int, star: str, note: str) -> StarCell:
        with self.batch() as batch:
            batch.set_note(unit_id, year, star, note)
        return self.cell(unit_id, year, star)

    def record_step(
        self, unit_id: int, year: int, star: str, step: StarStep, passed: bool, on: date, note: str = ""
    ) -> StarCell:
        """The next step in order (自评申报 → 镇初审 → 县评定 → 公示 → 命名), passed or 未通过;
        a 未通过 needs its reason in `note` (kept with the step and in the audit entry)."""
        with self.batch() as batch:
            batch.record_step(unit_id, year, star, step, passed, on, note)
        return self.cell(unit_id, year, star)

    def undo_step(self, unit_id: int, year: int, star: str, reason: str) -> StarCell:
        """Take back the latest step of the year (a correction, with a reason)."""
        with self.batch() as batch:
            batch.undo_step(unit_id, year, star, reason)
        return self.cell(unit_id, year, star)

    def lose_star(self, unit_id: int, star: str, kind: LossKind, on: date, reason: str) -> StarCell:
        """降星/撤星 of a star held on `on`, with a reason (required)."""
        with self.batch() as batch:
            batch.lose_star(unit_id, star, kind, on, reason)
        return self.cell(unit_id, on.year, star)

    def undo_loss(self, loss_id: int, reason: str) -> StarCell:
        """Take back a 降星/撤星 recorded by mistake (with a reason)."""
        with self.batch() as batch:
            unit_id, year, star = batch.undo_loss(loss_id, reason)
        return self.cell(unit_id, year, star)

    def save_targets(self, targets: Targets) -> Targets:
        with self.batch() as batch:
            batch.save_targets(targets)
        return self.targets(targets.year)

    def attach(self, unit_id: int, year: int, star: str, path: Path, note: str = "") -> EvidenceFile:
        with self.batch() as batch:
            return batch.attach(unit_id, year, star, path, note)

    # ----- the progress sheet ---------------------------------------------------------------------

    def export_workbook(
        self, path: Path, year: int, *, township: str, paper: str = "A4", on: date | None = None
    ) -> YearSummary:
        """Write the year's 五星创建进度表 (with the change against the year before when there
        is star data before this year); returns the summary written."""
        from lsb_desktop.io.star_sheets import write_star_workbook  # openpyxl: only when used

        day = view_day(year, on)
        with self._db.session() as session:
            data = _Data(session, self._villages)
            summary = data.summary(year, day)
            before = any(y < year for y in data.years())
            previous = data.summary(year - 1, view_day(year - 1)) if before else None
        write_star_workbook(Path(path), summary=summary, township=township, paper=paper, previous=previous, as_of=day)
        return summary

    # ----- plan import ----------------------------------------------------------------------------

    def _plan_rows(self, batch: StarBatch, session: Session, read: StarPlanRead, year: int) -> list[PlanImportRow]:
        day = view_day(year)
        states = register.load_units(session)
        current: dict[str, int] = {}
        # Two units whose stored names fall together once normalised (a look-alike saved before
        # names were cleaned): a row naming them cannot say which one it means.
        ambiguous: set[str] = set()
        former: dict[str, set[int]] = defaultdict(set)
        unit_id: int | None
        for unit_id, state in states.items():
            version = state.version_on(day)
            if version is None or version.status != UnitStatus.ACTIVE.value:
                continue
            name = canonical_name(version.name)
            if name in current:
                ambiguous.add(name)
            current[name] = unit_id
            for old in state.versions:
                former[canonical_name(old.name)].add(unit_id)
        rows: list[PlanImportRow] = []
        seen: dict[int, int] = {}
        for line in read.rows:
            problems: list[str] = []

            def problem(column: str, message: str, line: StarPlanLine = line, problems: list[str] = problems) -> None:
                problems.append(f"工作表“{line.sheet}”第 {line.row} 行“{column}”：{message}")

            key = canonical_name(line.unit_name)
            unit_id = current.get(key)
            if unit_id is None and len(former.get(key, ())) == 1:
                unit_id = next(iter(former[key]))
            added: list[str] = []
            removed: list[str] = []
            if key in ambiguous:
                problem(
                    line.unit_label,
                    f"名册中有两个看起来都是“{shown_value(line.unit_name)}”的村（社区）"
                    "（其中一个的名称含有看不见的字符），无法确定是哪一个：请先在名册中把其中一个改名",
                )
            elif unit_id is None:
                problem(line.unit_label, f"{year}年在册的村（社区）中没有“{line.unit_name}”")
            elif unit_id in seen:
                problem(line.unit_label, f"“{line.unit_name}”与第 {seen[unit_id]} 行是同一个村（社区）")
            else:
                seen[unit_id] = line.row
                labels = dict(line.star_labels)
                for star in line.stars:
                    try:
                        batch.check_plan(unit_id, year, star)
                    except ValidationError as exc:
                        problem(labels.get(star, star), exc.message)
                if not problems:
                    kind = batch.kind_in(unit_id, year)
                    for star in star_set(kind):
                        record = batch._cell(unit_id, year, star)
                        was = bool(record and record.planned)
                        if star in line.stars and not was:
                            added.append(star)
                        elif star not in line.stars and was:
                            removed.append(star)
            rows.append(
                PlanImportRow(
                    line.sheet,
                    line.row,
                    line.unit_name,
                    unit_id,
                    tuple(line.stars),
                    tuple(problems),
                    tuple(added),
                    tuple(removed),
                )
            )
        return rows

    def preview_plan_import(self, path: Path, year: int) -> PlanImportPreview:
        from lsb_desktop.io.star_sheets import read_star_plan  # openpyxl: only when used

        path = Path(path)
        read = read_star_plan(path)
        with self._db.session() as session:
            batch = StarBatch(session, self._villages, self._evidence)
            rows = self._plan_rows(batch, session, read, year)
        # Row by row as the clerk reads the file (problems without a row, about the header, first).
        problems = tuple(sorted(tuple(read.problems) + tuple(p for row in rows for p in row.problems), key=_by_row))
        if not read.problems and not rows:
            problems += (f"“{path.name}”中没有可导入的创建计划",)
        return PlanImportPreview(path, year, tuple(rows), problems)

    def apply_plan_import(self, preview: PlanImportPreview) -> int:
        """Set the year's plan of every unit in the file, all or nothing (backup first).
        Writes what the preview showed (not the file read again), checked once more inside
        the transaction; returns the number of units whose plan was set."""
        if not preview.ok:
            raise ValidationError("创建计划有问题，未导入任何数据", list(preview.problems))
        if self._backup is not None:
            self._backup("pre-import")
        reason = f"导入创建计划（{preview.path.name}）"
        year = preview.year
        with self.batch() as batch:
            problems = []
            for row in preview.rows:
                assert row.unit_id is not None
                for star in row.stars:
                    try:
                        batch.check_plan(row.unit_id, year, star)
                    except ValidationError as exc:
                        problems.append(f"工作表“{row.sheet}”第 {row.row} 行：{exc.message}")
            if problems:
                # Leaving the block with an exception rolls the whole import back.
                raise ValidationError("数据在预览之后有变化，未导入任何数据，请重新预览", problems)
            for row in preview.rows:
                assert row.unit_id is not None  # a preview with an unknown unit is not applied
                for star in star_set(batch.kind_in(row.unit_id, year)):
                    batch.set_planned(row.unit_id, year, star, star in row.stars, reason=reason)
        return len(preview.rows)


_STEP_EVENT = {
    StarStep.DECLARED: "村自评申报",
    StarStep.TOWNSHIP: "镇初审通过",
    StarStep.COUNTY: "县评定通过",
    StarStep.PUBLICITY: "公示期满无异议",
    StarStep.NAMED: "命名授牌",
}
