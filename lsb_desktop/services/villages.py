"""The register service: units, their history, secretaries and 管区; one transaction per call."""

from __future__ import annotations

import enum
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import (
    CommitmentRecord,
    DistrictRecord,
    RoundUnitRecord,
    SecretaryTermRecord,
    StarCellRecord,
    StarLossRecord,
    UnitRecord,
    UnitVersionRecord,
)
from lsb_desktop.changes import Changed, Changes
from lsb_desktop.domain.register import (
    REGISTER_START,
    District,
    OrgType,
    SecretaryTerm,
    Unit,
    UnitDetail,
    UnitDraft,
    UnitKind,
    UnitStatus,
    UnitVersion,
    describe_changes,
    format_start,
)
from lsb_desktop.domain.text import (
    canonical_name,
    clean,
    clean_text,
    validate_person_name,
    validate_unit_name,
)
from lsb_desktop.errors import NotFoundError, ValidationError
from lsb_desktop.services import audit, register
from lsb_desktop.services.register import UnitHistory


class _Keep(enum.Enum):
    """ "Leave this field as it is" in change_unit."""

    KEEP = enum.auto()


_KEEP: Final = _Keep.KEEP


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


class VillageService:
    """Everything the 村（社区） tab and the roster commands do to the register."""

    def __init__(self, database: Database) -> None:
        self._db = database

    # ----- reading -------------------------------------------------------------------------

    def _state(self, session: Session, unit_id: int) -> UnitHistory:
        states = register.load_units(session, [unit_id])
        if unit_id not in states:
            raise NotFoundError("找不到该村（社区），可能已被其他操作更改，请刷新后重试")
        return states[unit_id]

    def list_units(self, on: date | None = None, include_inactive: bool = True) -> list[Unit]:
        """Every unit as it stood on `on` (today by default), in display order."""
        day = on or date.today()
        with self._db.session() as session:
            states = register.load_units(session)
            districts = register.district_names(session)
        names = register.names_on(states, day)
        units = [
            register.unit_as_of(state, day, districts, names)
            for state in states.values()
            # Asked about a past day, a unit registered later did not exist yet.
            if on is None or state.versions[0].valid_from <= day
        ]
        if not include_inactive:
            units = [unit for unit in units if unit.is_active]
        return units

    def get_unit(self, unit_id: int) -> UnitDetail:
        today = date.today()
        with self._db.session() as session:
            states = register.load_units(session)
            districts = register.district_names(session)
        if unit_id not in states:
            raise NotFoundError("找不到该村（社区），可能已被其他操作更改，请刷新后重试")
        state = states[unit_id]
        names = register.names_on(states, today)
        history: list[UnitVersion] = []
        previous = None
        for record in state.versions:
            entry = UnitVersion(
                valid_from=record.valid_from,
                name=record.name,
                kind=UnitKind(record.kind),
                org_type=OrgType(record.org_type),
                district_name=districts.get(record.district_id, "") if record.district_id else "",
                status=UnitStatus(record.status),
                merged_into_name=names.get(record.merged_into_id, "") if record.merged_into_id else "",
                reason=record.reason,
                changes=(),
            )
            entry = UnitVersion(**{**_as_dict(entry), "changes": describe_changes(previous, entry)})
            history.append(entry)
            previous = entry
        terms = tuple(SecretaryTerm(term.person, term.start_date, term.end_date, term.note) for term in state.terms)
        return UnitDetail(register.unit_as_of(state, today, districts, names), tuple(history), terms)

    def count_units(self) -> int:
        with self._db.session() as session:
            return session.scalar(select(func.count()).select_from(UnitRecord)) or 0

    # ----- checks shared by the dialogs and the roster import ------------------------------

    @staticmethod
    def _check_name_free(states: dict[int, UnitHistory], name: str, except_id: int | None = None) -> None:
        key = canonical_name(name)
        for unit_id, state in states.items():
            if unit_id == except_id:
                continue
            latest = state.latest
            if canonical_name(latest.name) == key:
                status = UnitStatus(latest.status)
                where = "" if status is UnitStatus.ACTIVE else f"（{status.label}）"
                raise ValidationError(f"本镇已有名为“{latest.name}”的村（社区）{where}，名称不能重复")

    @staticmethod
    def _check_district(session: Session, district_id: int | None) -> None:
        if district_id is None:
            return
        record = session.get(DistrictRecord, district_id)
        if record is None:
            raise NotFoundError("所选管区已不存在，请刷新后重试")
        if record.archived:
            raise ValidationError(f"管区“{record.name}”已停用，不能再分入村（社区）")

    @staticmethod
    def _check_effective(state: UnitHistory, effective: date) -> None:
        latest = state.latest
        if effective < latest.valid_from:
            raise ValidationError(
                f"生效日期 {effective.isoformat()} 早于上一次变更的日期 {latest.valid_from.isoformat()}，"
                "历史记录只能向后追加"
            )

    @staticmethod
    def _require_active(state: UnitHistory, action: str) -> None:
        status = UnitStatus(state.latest.status)
        if status is not UnitStatus.ACTIVE:
            raise ValidationError(f"“{state.latest.name}”{status.label}，不能{action}")

    # ----- changes ----------------------------------------------------------------------------

    # The `…_in(session, …)` calls join the caller's transaction (the roster import's): the same
    # checks as the single calls, on histories read through `register.load_units(session)`.

    def add_unit_in(
        self,
        session: Session,
        states: dict[int, UnitHistory],
        draft: UnitDraft,
        effective: date,
        display_order: int | None = None,
    ) -> int:
        """Register a unit from `effective` on; `states` (all units) gains it, so a later
        name in the same transaction is checked against it. Returns its id."""
        name = validate_unit_name(draft.name)
        self._check_name_free(states, name)
        self._check_district(session, draft.district_id)
        now = _now()
        if display_order is None:
            display_order = (session.scalar(select(func.max(UnitRecord.display_order))) or 0) + 1
        record = UnitRecord(display_order=display_order, note=clean_text(draft.note), created_at=now)
        session.add(record)
        session.flush()
        version = UnitVersionRecord(
            unit_id=record.id,
            valid_from=effective,
            name=name,
            kind=draft.kind.value,
            org_type=draft.org_type.value,
            district_id=draft.district_id,
            status="active",
            merged_into_id=None,
            reason="建立档案",
            recorded_at=now,
        )
        session.add(version)
        terms = []
        if clean(draft.secretary):
            person = validate_person_name(draft.secretary)
            since = draft.secretary_since or effective
            term = SecretaryTermRecord(
                unit_id=record.id, person=person, start_date=since, end_date=None, note="", recorded_at=now
            )
            session.add(term)
            terms.append(term)
        elif draft.secretary_since is not None:
            raise ValidationError("填写了任职时间，但没有填写党组织书记姓名")
        states[record.id] = UnitHistory(record, [version], terms)
        return record.id

    def add_unit(self, draft: UnitDraft, effective: date | None = None) -> Changed[Unit]:
        """Register a new unit from `effective` on; without one it has been in the register
        since always (REGISTER_START), so past quarters' rounds can be entered at once."""
        with self._db.session() as session, session.begin():
            states = register.load_units(session)
            unit_id = self.add_unit_in(session, states, draft, effective or REGISTER_START)
        return Changed(self.get_unit(unit_id).unit, Changes.UNITS)

    # ----- correcting the start of a registration -------------------------------------------

    @staticmethod
    def _start_locks(session: Session, state: UnitHistory) -> list[str]:
        """Why the unit's 在册起始日期 can no longer be corrected: what refers to it."""
        unit_id = state.record.id

        def count(model: type[RoundUnitRecord | CommitmentRecord | StarCellRecord | StarLossRecord]) -> int:
            return session.scalar(select(func.count()).select_from(model).where(model.unit_id == unit_id)) or 0

        locks = []
        if len(state.versions) > 1:
            locks.append(f"已有 {len(state.versions) - 1} 条变更记录")
        if rounds := count(RoundUnitRecord):
            locks.append(f"已参加 {rounds} 次评比")
        if commitments := count(CommitmentRecord):
            locks.append(f"已有 {commitments} 项承诺事项")
        if stars := count(StarCellRecord) + count(StarLossRecord):
            locks.append(f"已有 {stars} 条五星创建记录")
        if len(state.terms) > 1:
            locks.append("已有书记更换记录")
        return locks

    def start_locks(self, unit_id: int) -> list[str]:
        """Empty while nothing refers to the unit, so its start date can still be corrected."""
        with self._db.session() as session:
            return self._start_locks(session, self._state(session, unit_id))

    def correct_start_in(self, session: Session, state: UnitHistory, start: date | None, reason: str = "") -> bool:
        """Move the first registration to `start` (None: since always); False if unchanged.

        History is otherwise never rewritten; this is allowed only while nothing refers to the
        unit, and is audited. A secretary taken on at registration moves with it."""
        new_start = start or REGISTER_START
        first = state.versions[0]
        old_start = first.valid_from
        if new_start == old_start:
            return False
        locks = self._start_locks(session, state)
        if locks:
            raise ValidationError(
                f"“{state.latest.name}”{'，'.join(locks)}，在册起始日期不能再更正"
                f"（现为{format_start(old_start)}）；如需记录变化，请用生效日期登记"
            )
        if new_start > date.today():
            raise ValidationError(f"在册起始日期 {new_start.isoformat()} 晚于今天")
        for term in state.terms:
            if term.start_date == old_start:
                term.start_date = new_start
            elif term.start_date < new_start:
                raise ValidationError(
                    f"书记 {term.person} 的任职时间 {format_start(term.start_date)} 早于新的在册起始日期 "
                    f"{new_start.isoformat()}，请先核对任职时间"
                )
        first.valid_from = new_start
        audit.record(
            session,
            "更正在册起始日期",
            f"unit:{state.record.id}",
            {"name": state.latest.name, "start": format_start(old_start)},
            {"name": state.latest.name, "start": format_start(new_start)},
            clean_text(reason),
        )
        return True

    def append_change_in(
        self, session: Session, state: UnitHistory, effective: date, reason: str, **fields: object
    ) -> None:
        """A new version from `effective` on (not before the last one) with `fields` changed
        (name, kind, org_type, district_id, status, merged_into_id)."""
        self._check_effective(state, effective)
        self._append_version(session, state, effective, reason, **fields)

    @staticmethod
    def replace_note_in(state: UnitHistory, note: str) -> None:
        """The note is not history: it is simply replaced (as change_unit replaces it)."""
        state.record.note = note

    def _append_version(
        self, session: Session, state: UnitHistory, effective: date, reason: str, **fields: object
    ) -> None:
        latest = state.latest
        values: dict[str, object] = {
            "name": latest.name,
            "kind": latest.kind,
            "org_type": latest.org_type,
            "district_id": latest.district_id,
            "status": latest.status,
            "merged_into_id": latest.merged_into_id,
        }
        values.update(fields)
        if all(values[key] == getattr(latest, key) for key in values):
            raise ValidationError("没有任何改动")
        version = UnitVersionRecord(
            unit_id=state.record.id, valid_from=effective, reason=clean_text(reason), recorded_at=_now(), **values
        )
        session.add(version)
        state.versions.append(version)

    def change_unit(
        self,
        unit_id: int,
        *,
        effective: date | None = None,
        reason: str = "",
        name: str | _Keep = _KEEP,
        kind: UnitKind | str | _Keep = _KEEP,
        org_type: OrgType | str | _Keep = _KEEP,
        district_id: int | None | _Keep = _KEEP,
        note: str | _Keep = _KEEP,
        start: date | None | _Keep = _KEEP,
    ) -> Changed[Unit]:
        """Record a change of name, kind, organisation type or 管区 from `effective` on.

        The note is not history: it is simply replaced. `start` (a date, or None for since
        always) corrects the 在册起始日期 while nothing refers to the unit. Nothing else is
        ever overwritten.
        """
        day = effective or date.today()
        with self._db.session() as session, session.begin():
            states = register.load_units(session)
            if unit_id not in states:
                raise NotFoundError("找不到该村（社区），可能已被其他操作更改，请刷新后重试")
            state = states[unit_id]
            self._require_active(state, "修改")
            fields: dict[str, object] = {}
            if name is not _KEEP:
                fields["name"] = new_name = validate_unit_name(name)
                self._check_name_free(states, new_name, except_id=unit_id)
            if kind is not _KEEP:
                fields["kind"] = UnitKind(kind).value
            if org_type is not _KEEP:
                fields["org_type"] = OrgType(org_type).value
            if district_id is not _KEEP:
                self._check_district(session, district_id)
                fields["district_id"] = district_id
            start_changed = start is not _KEEP and self.correct_start_in(session, state, start, reason)
            note_changed = note is not _KEEP and clean_text(note) != state.record.note
            if note_changed:
                state.record.note = clean_text(note)
            latest = state.latest
            if any(fields[key] != getattr(latest, key) for key in fields):
                self._check_effective(state, day)
                self._append_version(session, state, day, reason, **fields)
            elif not (note_changed or start_changed):
                raise ValidationError("没有任何改动")
        return Changed(self.get_unit(unit_id).unit, Changes.UNITS)

    def change_secretary(self, unit_id: int, person: str, effective: date, note: str = "") -> Changed[Unit]:
        """The current secretary's term ends the day before `effective`; the new one starts then."""
        with self._db.session() as session, session.begin():
            state = self._state(session, unit_id)
            self.change_secretary_in(session, state, person, effective, note)
        return Changed(self.get_unit(unit_id).unit, Changes.UNITS)

    def change_secretary_in(
        self, session: Session, state: UnitHistory, person: str, effective: date, note: str
    ) -> None:
        """The open term ends the day before `effective`; `person` takes office then."""
        new_person = validate_person_name(person)
        self._require_active(state, "更换书记")
        current = state.open_term
        if current is not None:
            if current.person == new_person:
                raise ValidationError(f"{new_person} 已经是现任书记")
            if effective <= current.start_date:
                raise ValidationError(
                    f"新书记的任职日期必须晚于现任书记 {current.person} 的任职日期 {current.start_date.isoformat()}"
                )
            current.end_date = effective - timedelta(days=1)
        latest_end = max((t.end_date for t in state.terms if t.end_date), default=None)
        if current is None and latest_end is not None and effective <= latest_end:
            raise ValidationError(f"任职日期必须晚于上一任书记的离任日期 {latest_end.isoformat()}")
        term = SecretaryTermRecord(
            unit_id=state.record.id,
            person=new_person,
            start_date=effective,
            end_date=None,
            note=clean_text(note),
            recorded_at=_now(),
        )
        session.add(term)
        state.terms.append(term)

    def _close_term(self, state: UnitHistory, effective: date) -> None:
        """The open term ends the day before the unit leaves the register."""
        term = state.open_term
        if term is None:
            return
        if effective <= term.start_date:
            raise ValidationError(
                f"日期 {effective.isoformat()} 不晚于现任书记 {term.person} 的任职日期 "
                f"{term.start_date.isoformat()}，请核对日期"
            )
        term.end_date = effective - timedelta(days=1)

    def archive_unit(self, unit_id: int, effective: date, reason: str) -> Changed[Unit]:
        if not clean(reason):
            raise ValidationError("请填写归档原因")
        with self._db.session() as session, session.begin():
            state = self._state(session, unit_id)
            self._require_active(state, "归档")
            self._check_effective(state, effective)
            self._append_version(session, state, effective, reason, status="archived")
            self._close_term(state, effective)
        return Changed(self.get_unit(unit_id).unit, Changes.UNITS)

    def restore_unit(self, unit_id: int, effective: date, reason: str) -> Changed[Unit]:
        if not clean(reason):
            raise ValidationError("请填写恢复原因")
        with self._db.session() as session, session.begin():
            states = register.load_units(session)
            if unit_id not in states:
                raise NotFoundError("找不到该村（社区），可能已被其他操作更改，请刷新后重试")
            state = states[unit_id]
            if UnitStatus(state.latest.status) is not UnitStatus.ARCHIVED:
                raise ValidationError(f"“{state.latest.name}”没有归档，无需恢复")
            self._check_name_free(states, state.latest.name, except_id=unit_id)
            self._check_effective(state, effective)
            self._append_version(session, state, effective, reason, status="active")
        return Changed(self.get_unit(unit_id).unit, Changes.UNITS)

    def merge_unit(self, unit_id: int, into_id: int, effective: date, reason: str) -> Changed[Unit]:
        """`unit_id` is merged into `into_id`: it leaves the register from `effective` on, its
        history stays, and its secretary's term ends."""
        if unit_id == into_id:
            raise ValidationError("不能把村（社区）合并到它自己")
        if not clean(reason):
            raise ValidationError("请填写合并原因（例如合并文件文号）")
        with self._db.session() as session, session.begin():
            states = register.load_units(session, [unit_id, into_id])
            if unit_id not in states or into_id not in states:
                raise NotFoundError("找不到该村（社区），可能已被其他操作更改，请刷新后重试")
            source, target = states[unit_id], states[into_id]
            self._require_active(source, "合并")
            if UnitStatus(target.latest.status) is not UnitStatus.ACTIVE:
                raise ValidationError(f"“{target.latest.name}”不在册，不能作为合并目标")
            if target.versions[0].valid_from > effective:
                raise ValidationError(
                    f"“{target.latest.name}”从 {target.versions[0].valid_from.isoformat()} 起才建档，"
                    f"不能在 {effective.isoformat()} 接收合并"
                )
            self._check_effective(source, effective)
            self._append_version(session, source, effective, reason, status="merged", merged_into_id=into_id)
            self._close_term(source, effective)
        return Changed(self.get_unit(unit_id).unit, Changes.UNITS)

    def move_unit(self, unit_id: int, offset: int) -> Changed[None]:
        """Move a unit up (offset < 0) or down in the display order of the register."""
        with self._db.session() as session, session.begin():
            records = list(session.scalars(select(UnitRecord).order_by(UnitRecord.display_order, UnitRecord.id)))
            index = next((i for i, r in enumerate(records) if r.id == unit_id), None)
            if index is None:
                raise NotFoundError("找不到该村（社区），可能已被其他操作更改，请刷新后重试")
            target = min(max(index + offset, 0), len(records) - 1)
            records.insert(target, records.pop(index))
            for position, record in enumerate(records, start=1):
                record.display_order = position
        return Changed(None, Changes.UNITS)

    # ----- 管区 ------------------------------------------------------------------------------

    def list_districts(self, include_archived: bool = True) -> list[District]:
        today = date.today()
        with self._db.session() as session:
            records = list(
                session.scalars(select(DistrictRecord).order_by(DistrictRecord.display_order, DistrictRecord.id))
            )
            states = register.load_units(session)
        counts: dict[int, int] = defaultdict(int)
        for state in states.values():
            version = state.version_on(today) or state.versions[0]
            if version.district_id and version.status == "active":
                counts[version.district_id] += 1
        return [
            District(r.id, r.name, r.leader, r.display_order, r.archived, counts[r.id])
            for r in records
            if include_archived or not r.archived
        ]

    def add_district_in(self, session: Session, name: str, leader: str = "") -> int:
        """A new 管区 at the end of the list; returns its id."""
        clean_name = validate_unit_name(name, "管区名称")
        existing = {canonical_name(n) for n in session.scalars(select(DistrictRecord.name))}
        if clean_name in existing:
            raise ValidationError(f"已有名为“{clean_name}”的管区")
        order = (session.scalar(select(func.max(DistrictRecord.display_order))) or 0) + 1
        record = DistrictRecord(
            name=clean_name,
            leader=validate_person_name(leader, "管区书记姓名") if clean(leader) else "",
            display_order=order,
            archived=False,
        )
        session.add(record)
        session.flush()
        return record.id

    def add_district(self, name: str, leader: str = "") -> Changed[District]:
        with self._db.session() as session, session.begin():
            district_id = self.add_district_in(session, name, leader)
        return Changed(next(d for d in self.list_districts() if d.id == district_id), Changes.DISTRICTS)

    def update_district(
        self, district_id: int, name: str, leader: str = "", archived: bool = False
    ) -> Changed[District]:
        """Rename a 管区, set its leader, or stop using it (only when no unit is in it today)."""
        with self._db.session() as session, session.begin():
            record = session.get(DistrictRecord, district_id)
            if record is None:
                raise NotFoundError("所选管区已不存在，请刷新后重试")
            clean_name = validate_unit_name(name, "管区名称")
            others = {
                canonical_name(n)
                for n in session.scalars(select(DistrictRecord.name).where(DistrictRecord.id != district_id))
            }
            if clean_name in others:
                raise ValidationError(f"已有名为“{clean_name}”的管区")
            if archived and not record.archived:
                today = date.today()
                members = [
                    state.latest.name
                    for state in register.load_units(session).values()
                    if (state.version_on(today) or state.latest).district_id == district_id
                    and state.latest.status == "active"
                ]
                if members:
                    raise ValidationError(
                        f"管区“{record.name}”还有 {len(members)} 个在册村（社区），请先把它们调整到其他管区"
                    )
            record.name = clean_name
            record.leader = validate_person_name(leader, "管区书记姓名") if clean(leader) else ""
            record.archived = archived
        return Changed(next(d for d in self.list_districts() if d.id == district_id), Changes.DISTRICTS)

    def delete_district(self, district_id: int) -> Changed[None]:
        """Only a 管区 that no unit has ever belonged to can be deleted; others are 停用."""
        with self._db.session() as session, session.begin():
            record = session.get(DistrictRecord, district_id)
            if record is None:
                raise NotFoundError("所选管区已不存在，请刷新后重试")
            used = session.scalar(
                select(func.count()).select_from(UnitVersionRecord).where(UnitVersionRecord.district_id == district_id)
            )
            if used:
                raise ValidationError(f"管区“{record.name}”在历史记录中被引用，不能删除，只能停用")
            session.delete(record)
        return Changed(None, Changes.DISTRICTS)


def _as_dict(value: UnitVersion) -> dict[str, Any]:
    return {name: getattr(value, name) for name in value.__slots__}
