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
from lsb_desktop.changes import Changed, Changes
from lsb_desktop.domain.register import REGISTER_START, UnitDraft, UnitStatus, format_start
from lsb_desktop.domain.roster import RosterExportRow, RosterProblem, RosterRead, RosterRow
from lsb_desktop.domain.text import canonical_name, shown_value
from lsb_desktop.errors import LsbError, ValidationError
from lsb_desktop.services import register
from lsb_desktop.services.register import UnitHistory
from lsb_desktop.services.villages import VillageService

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
    """`effective` dates the changes to units already registered; a new unit starts at its
    在册起始日期 column, else at `start`, else since always (REGISTER_START)."""

    source: Path
    effective: date
    read: RosterRead
    plan: tuple[RosterPlanRow, ...]
    problems: tuple[RosterProblem, ...]
    new_districts: tuple[str, ...]
    start: date | None = None

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
    backup: Path


class _Planner:
    """Carries roster rows into the register inside one session.

    The preview runs the very same writes and rolls them back, so what the clerk is shown
    and what the import does can never disagree.
    """

    def __init__(self, villages: VillageService, session: Session, effective: date, start: date | None = None) -> None:
        self.villages = villages
        self.session = session
        self.effective = effective
        self.start = start
        self.states = register.load_units(session)
        self.districts = {canonical_name(record.name): record for record in session.scalars(select(DistrictRecord))}
        self.new_districts: list[str] = []
        self.problems: list[RosterProblem] = []

    def _problem(self, row: RosterRow, field: str, message: str) -> None:
        self.problems.append(RosterProblem(row.sheet, row.row, "", field, message))

    def _guard(self, row: RosterRow, field: str, action: Callable[[], object]) -> bool:
        try:
            action()
        except LsbError as exc:
            self._problem(row, field, exc.message)
            return False
        return True

    def _district_id(self, row: RosterRow) -> int | None:
        if not row.district:
            return None
        record = self.districts.get(canonical_name(row.district))
        if record is None:
            district_id = self.villages.add_district_in(self.session, row.district)
            record = self.session.get(DistrictRecord, district_id)
            assert record is not None  # just added in this session
            self.districts[canonical_name(row.district)] = record
            self.new_districts.append(record.name)
        elif record.archived:
            self._problem(row, "管区", f"管区“{record.name}”已停用，不能再分入村（社区）")
        return record.id

    def _match(self, row: RosterRow) -> UnitHistory | None:
        key = canonical_name(row.name)
        for state in self.states.values():
            if canonical_name(state.latest.name) == key:
                return state
        return None

    def _district_name(self, district_id: int | None) -> str:
        for record in self.districts.values():
            if record.id == district_id:
                return record.name
        return ""

    def carry(self, row: RosterRow) -> RosterPlanRow | None:
        """Write one row; returns what it did, or None (with problems noted) if refused."""
        before = len(self.problems)
        district_id = self._district_id(row)
        if len(self.problems) > before:
            return None
        state = self._match(row)
        if state is None:
            draft = UnitDraft(
                row.name, row.kind, row.org_type, district_id, row.secretary, row.secretary_since, row.note
            )
            # A first registration is open at the start unless the file or the caller dates it.
            start = row.start or self.start or REGISTER_START
            if not self._guard(
                row,
                "名称",
                lambda: self.villages.add_unit_in(self.session, self.states, draft, start, row.display_order),
            ):
                return None
            detail = [f"{row.kind.label}，{row.org_type.label}", f"在册起始日期：{format_start(start)}"]
            if row.district:
                detail.append(f"管区：{row.district}")
            if row.secretary:
                detail.append(f"书记：{row.secretary}")
            return RosterPlanRow(row.row, row.name, ADDED, ("，".join(detail),))
        latest = state.latest
        fields: dict[str, object] = {}
        changes = []
        if row.kind.value != latest.kind:
            fields["kind"] = row.kind.value
            changes.append(f"类型：{latest.kind} → {row.kind.label}")
        if row.org_type.value != latest.org_type:
            fields["org_type"] = row.org_type.value
            changes.append(f"党组织类型：{latest.org_type} → {row.org_type.label}")
        if district_id is not None and district_id != latest.district_id:
            fields["district_id"] = district_id
            changes.append(f"管区：{self._district_name(latest.district_id) or '（无）'} → {row.district}")
        new_start = row.start is not None and row.start != state.versions[0].valid_from
        if new_start:
            changes.append(f"在册起始日期：{format_start(state.versions[0].valid_from)} → {format_start(row.start)}")
        term = state.open_term
        new_secretary = bool(row.secretary) and (term is None or term.person != row.secretary)
        if new_secretary:
            changes.append(f"书记：{term.person if term else '（无）'} → {row.secretary}")
        # A blank 备注 cell keeps the note, as a blank 管区 or 书记 keeps those.
        new_note = bool(row.note) and row.note != state.record.note
        if new_note:
            changes.append(f"备注：{_quoted(state.record.note)} → {_quoted(row.note)}")
        if not changes:
            return RosterPlanRow(row.row, row.name, UNCHANGED, ())
        status = UnitStatus(latest.status)
        if status is not UnitStatus.ACTIVE:
            self._problem(row, "名称", f"“{latest.name}”{status.label}，不能通过导入修改")
            return None
        if new_start and not self._guard(
            row, "在册起始日期", lambda: self.villages.correct_start_in(self.session, state, row.start, "花名册导入")
        ):
            return None
        if fields:

            def change() -> None:
                self.villages.append_change_in(self.session, state, self.effective, "花名册导入", **fields)

            if not self._guard(row, "名称", change):
                return None
        if new_note:
            # The note is not history: replaced, as the unit dialog replaces it (change_unit).
            self.villages.replace_note_in(state, row.note)
        if new_secretary:
            since = row.secretary_since or self.effective
            if not self._guard(
                row,
                "任职时间",
                lambda: self.villages.change_secretary_in(self.session, state, row.secretary, since, "花名册导入"),
            ):
                return None
        return RosterPlanRow(row.row, row.name, UPDATED, tuple(changes))


def _quoted(note: str) -> str:
    return f"“{shown_value(note)}”" if note else "（无）"


class RosterService:
    def __init__(self, database: Database, villages: VillageService, backup: Callable[[str], Path]) -> None:
        self._db = database
        self._villages = villages
        self._backup = backup

    def _carry_all(
        self, session: Session, read: RosterRead, effective: date, start: date | None
    ) -> tuple[list[RosterPlanRow], _Planner]:
        planner = _Planner(self._villages, session, effective, start)
        plan = [done for done in (planner.carry(row) for row in read.rows) if done is not None]
        return plan, planner

    def preview(self, path: Path, effective: date | None = None, start: date | None = None) -> RosterPreview:
        """Read the file and say, row by row, what importing it would do. Writes nothing:
        the import is carried out inside a transaction that is then rolled back.

        `effective` (today by default) dates changes to registered units; new units start at
        their 在册起始日期 column, else at `start`, else since always."""
        from lsb_desktop.io.roster import read_roster  # openpyxl: only when first used

        read = read_roster(Path(path))
        day = effective or date.today()
        with self._db.session() as session:
            session.begin()
            try:
                plan, planner = self._carry_all(session, read, day, start)
            finally:
                session.rollback()
        problems = tuple(read.problems) + tuple(planner.problems)
        return RosterPreview(Path(path), day, read, tuple(plan), problems, tuple(planner.new_districts), start)

    def apply(self, preview: RosterPreview) -> Changed[RosterResult]:
        """Import every row of a clean preview in one transaction, after a backup."""
        if not preview.ok:
            raise ValidationError("花名册有问题，未导入任何数据", preview.problem_lines())
        # Even into an empty register: the import also sets up 管区 and is the first data.
        backup = self._backup("pre-import")
        with self._db.session() as session, session.begin():
            plan, planner = self._carry_all(session, preview.read, preview.effective, preview.start)
            if planner.problems:
                # Leaving the block with an exception rolls the whole import back.
                raise ValidationError(
                    "导入时发现问题，未导入任何数据",
                    [f"{p.where()}：{p.message}" for p in planner.problems],
                )
        actions = [p.action for p in plan]
        result = RosterResult(
            actions.count(ADDED), actions.count(UPDATED), actions.count(UNCHANGED), tuple(planner.new_districts), backup
        )
        return Changed(result, Changes.UNITS | (Changes.DISTRICTS if planner.new_districts else Changes.NONE))

    def export(self, path: Path, title: str) -> int:
        from lsb_desktop.io.roster import write_roster  # openpyxl: only when first used

        units = self._villages.list_units()
        rows = [
            RosterExportRow(
                u.name,
                u.kind.label,
                u.org_type.label,
                u.district_name,
                u.secretary,
                u.secretary_since,
                u.status.label,
                u.note,
                u.registered_from,
            )
            for u in units
        ]
        write_roster(Path(path), rows, title)
        return len(rows)
