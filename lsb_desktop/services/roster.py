"""Roster import and export: preview every row against the register, then all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import DistrictRecord
from lsb_desktop.domain.register import UnitDraft, UnitStatus
from lsb_desktop.domain.text import canonical_name
from lsb_desktop.errors import LsbError, ValidationError
from lsb_desktop.domain.roster import RosterExportRow, RosterProblem, RosterRead, RosterRow
from lsb_desktop.services.villages import VillageService, _State

ADDED, UPDATED, UNCHANGED = "新增", "更新", "无变化"


@dataclass(frozen=True, slots=True)
class RosterPlanRow:
    """What importing one row would do to the register."""

    row: int
    name: str
    action: str
    changes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RosterPreview:
    source: Path
    effective: date
    read: RosterRead
    plan: tuple[RosterPlanRow, ...]
    problems: tuple[RosterProblem, ...]
    new_districts: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return bool(self.plan) and not self.problems

    def count(self, action: str) -> int:
        return sum(1 for row in self.plan if row.action == action)

    def problem_lines(self) -> list[str]:
        return [f"{problem.where()}：{problem.message}" for problem in self.problems]


@dataclass(frozen=True, slots=True)
class RosterResult:
    added: int
    updated: int
    unchanged: int
    districts_created: tuple[str, ...]
    backup: Path | None


class _Planner:
    """Matches roster rows with the register inside one session; `apply=True` also writes."""

    def __init__(self, villages: VillageService, session: Session, effective: date, apply: bool) -> None:
        self.villages = villages
        self.session = session
        self.effective = effective
        self.apply = apply
        self.states = villages._load(session)
        self.districts = {
            canonical_name(record.name): record
            for record in session.scalars(select(DistrictRecord))
        }
        self.new_districts: list[str] = []
        self.problems: list[RosterProblem] = []

    def _problem(self, row: RosterRow, field: str, message: str) -> None:
        self.problems.append(RosterProblem(row.sheet, row.row, "", field, message))

    def _district_id(self, row: RosterRow) -> int | None:
        if not row.district:
            return None
        record = self.districts.get(canonical_name(row.district))
        if record is not None:
            if record.archived:
                self._problem(row, "管区", f"管区“{record.name}”已停用，不能再分入村（社区）")
            return record.id
        if row.district not in self.new_districts:
            self.new_districts.append(row.district)
        if self.apply:
            district_id = self.villages._add_district(self.session, row.district)
            self.districts[canonical_name(row.district)] = self.session.get(DistrictRecord, district_id)
            return district_id
        return None

    def _match(self, row: RosterRow) -> _State | None:
        key = canonical_name(row.name)
        for state in self.states.values():
            if canonical_name(state.latest.name) == key:
                return state
        return None

    def plan(self, row: RosterRow) -> RosterPlanRow | None:
        before = len(self.problems)
        district_id = self._district_id(row)
        state = self._match(row)
        if state is None:
            if self.apply and len(self.problems) == before:
                draft = UnitDraft(row.name, row.kind, row.org_type, district_id, row.secretary,
                                  row.secretary_since, row.note)
                self._guard(row, lambda: self.villages._add(self.session, self.states, draft, self.effective,
                                                            row.display_order))
            detail = [f"{row.kind.label}，{row.org_type.label}"]
            if row.district:
                detail.append(f"管区：{row.district}")
            if row.secretary:
                detail.append(f"书记：{row.secretary}")
            return RosterPlanRow(row.row, row.name, ADDED, ("，".join(detail),))
        latest = state.latest
        fields = {}
        changes = []
        if row.kind.value != latest.kind:
            fields["kind"] = row.kind.value
            changes.append(f"类型：{latest.kind} → {row.kind.label}")
        if row.org_type.value != latest.org_type:
            fields["org_type"] = row.org_type.value
            changes.append(f"党组织类型：{latest.org_type} → {row.org_type.label}")
        if row.district and canonical_name(row.district) != self._district_name(latest.district_id):
            fields["district_id"] = district_id
            changes.append(f"管区：{self._district_name(latest.district_id) or '（无）'} → {row.district}")
        term = state.open_term
        new_secretary = row.secretary and (term is None or term.person != row.secretary)
        if new_secretary:
            changes.append(f"书记：{term.person if term else '（无）'} → {row.secretary}")
        if not changes:
            return RosterPlanRow(row.row, row.name, UNCHANGED, ())
        status = UnitStatus(latest.status)
        if status is not UnitStatus.ACTIVE:
            self._problem(row, "名称", f"“{latest.name}”{status.label}，不能通过导入修改")
            return None
        if fields:
            self._guard(row, lambda: self.villages._check_effective(state, self.effective))
        if self.apply and len(self.problems) == before:
            if fields:
                self._guard(row, lambda: self.villages._append_version(
                    self.session, state, self.effective, "花名册导入", **fields))
            if new_secretary:
                since = row.secretary_since or self.effective
                self._guard(row, lambda: self.villages._change_secretary(
                    self.session, state, row.secretary, since, "花名册导入"))
        elif new_secretary and term is not None:
            since = row.secretary_since or self.effective
            if since <= term.start_date:
                self._problem(row, "任职时间", f"新书记的任职日期必须晚于现任书记 {term.person} 的任职日期 "
                                                f"{term.start_date.isoformat()}")
        return RosterPlanRow(row.row, row.name, UPDATED, tuple(changes))

    def _district_name(self, district_id: int | None) -> str:
        for name, record in self.districts.items():
            if record.id == district_id:
                return name
        return ""

    def _guard(self, row: RosterRow, action: Callable[[], object]) -> None:
        try:
            action()
        except LsbError as exc:
            self._problem(row, "名称", exc.message)


class RosterService:
    def __init__(self, database: Database, villages: VillageService, backup: Callable[[str], Path]) -> None:
        self._db = database
        self._villages = villages
        self._backup = backup

    def preview(self, path: Path, effective: date | None = None) -> RosterPreview:
        """Read the file and say, row by row, what importing it would do. Writes nothing."""
        from lsb_desktop.io.roster import read_roster  # openpyxl: only when first used

        read = read_roster(Path(path))
        day = effective or date.today()
        with self._db.session() as session:
            planner = _Planner(self._villages, session, day, apply=False)
            plan = [planner.plan(row) for row in read.rows]
            session.rollback()
        problems = tuple(read.problems) + tuple(planner.problems)
        return RosterPreview(Path(path), day, read, tuple(p for p in plan if p), problems,
                             tuple(planner.new_districts))

    def apply(self, preview: RosterPreview) -> RosterResult:
        """Import every row of a clean preview in one transaction, after a backup."""
        if not preview.ok:
            raise ValidationError("花名册有问题，未导入任何数据", preview.problem_lines())
        backup = self._backup("pre-import") if self._villages.count_units() else None
        with self._db.session() as session, session.begin():
            planner = _Planner(self._villages, session, preview.effective, apply=True)
            plan = [planner.plan(row) for row in preview.read.rows]
            if planner.problems:
                # Leaving the block with an exception rolls the whole import back.
                raise ValidationError(
                    "导入时发现问题，未导入任何数据",
                    [f"{p.where()}：{p.message}" for p in planner.problems],
                )
        actions = [p.action for p in plan if p]
        return RosterResult(actions.count(ADDED), actions.count(UPDATED), actions.count(UNCHANGED),
                            tuple(planner.new_districts), backup)

    def export(self, path: Path, title: str) -> int:
        from lsb_desktop.io.roster import write_roster  # openpyxl: only when first used

        units = self._villages.list_units()
        rows = [
            RosterExportRow(u.name, u.kind.label, u.org_type.label, u.district_name, u.secretary,
                            u.secretary_since, u.status.label, u.note)
            for u in units
        ]
        write_roster(Path(path), rows, title)
        return len(rows)
