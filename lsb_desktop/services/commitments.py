"""Commitments (定标亮诺): items per unit and year, their quarterly progress and evidence files,
adjustments and cancellations with reasons, carry-over into the next year, the completion rate
(which a round's 承诺完成 component reads), and the Excel import. Every change is audited."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import CommitmentProgressRecord, CommitmentRecord, EvidenceFileRecord, SettingRecord
from lsb_desktop.domain.commitments import (
    ADJUST_THROUGH_ADJUST,
    CANCEL_NEEDS_REASON,
    CANCELLED_IS_FINAL,
    CATEGORIES_KEY,
    DEFAULT_CATEGORIES,
    MATCH_RULE,
    Commitment,
    CommitmentDraft,
    CommitmentStatus,
    Completion,
    EvidenceFile,
    ProgressEntry,
    UnitCompletion,
    check_new_status,
    check_percent,
    check_transition,
    completion,
    counted_to,
    due_date,
    due_text,
)
from lsb_desktop.domain.period import Period, year_day
from lsb_desktop.domain.register import UnitStatus
from lsb_desktop.domain.text import canonical_name, clean_text, noting_cut_cells, shown_value
from lsb_desktop.errors import LsbError, NotFoundError, ValidationError
from lsb_desktop.services import audit, register
from lsb_desktop.services.evidence import EvidenceStore
from lsb_desktop.services.register import UnitHistory
from lsb_desktop.services.villages import VillageService

if TYPE_CHECKING:
    from lsb_desktop.io.commitments_import import FileRow  # openpyxl: only when a file is read

_V = TypeVar("_V")

ADDED, REPLACED, UNCHANGED = "新增", "将替换", "不变"
UPDATED = REPLACED  # an import row that changes an existing item replaces what it said

MAX_CONTENT = 500
MAX_SHORT = 64
MAX_CATEGORIES = 30


def to_commitment(
    record: CommitmentRecord,
    unit_name: str = "",
    district_name: str = "",
    latest_percent: int | None = None,
    evidence_count: int = 0,
    carried_to: tuple[int, int] | None = None,
) -> Commitment:
    return Commitment(
        id=record.id,
        unit_id=record.unit_id,
        unit_name=unit_name,
        district_name=district_name,
        year=record.year,
        number=record.number,
        content=record.content,
        category=record.category,
        target=record.target,
        deadline=record.deadline,
        target_quarter=record.target_quarter,
        responsible=record.responsible,
        status=CommitmentStatus(record.status),
        original_content=record.original_content,
        original_target=record.original_target,
        original_deadline=record.original_deadline,
        adjust_reason=record.adjust_reason,
        adjusted_on=record.adjusted_on,
        cancel_reason=record.cancel_reason,
        cancelled_on=record.cancelled_on,
        completed_on=record.completed_on,
        carried_from_id=record.carried_from_id,
        note=record.note,
        latest_percent=latest_percent,
        evidence_count=evidence_count,
        carried_to_year=carried_to[0] if carried_to else None,
        carried_to_number=carried_to[1] if carried_to else None,
    )


def carried_to(session: Session, ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """For items carried over into the next year: id → (year, number) of the item carried."""
    if not ids:
        return {}
    return {
        source: (year, number)
        for source, year, number in session.execute(
            select(CommitmentRecord.carried_from_id, CommitmentRecord.year, CommitmentRecord.number).where(
                CommitmentRecord.carried_from_id.in_(list(ids))
            )
        )
        if source is not None
    }


def completion_by_unit(session: Session, unit_ids: Iterable[int], period: Period) -> dict[int, Completion]:
    """Each unit's completion on the last day of `period`, over its commitments of that year
    (used inside a round's own session, so a round and its rates are read together)."""
    wanted = list(unit_ids)
    items: dict[int, list[Commitment]] = defaultdict(list)
    for record in session.scalars(
        select(CommitmentRecord).where(CommitmentRecord.year == period.year, CommitmentRecord.unit_id.in_(wanted))
    ):
        items[record.unit_id].append(to_commitment(record))
    return {unit_id: completion(items[unit_id], period.last_day) for unit_id in wanted}


@dataclass(frozen=True, slots=True)
class CarryLeftOut:
    """An open item that carry-over does not copy, and why."""

    item: Commitment
    reason: str


@dataclass(frozen=True, slots=True)
class CarryOverPlan:
    """What carrying `year` into the next year would do: `carry` is exactly what is copied."""

    year: int
    carry: tuple[Commitment, ...]
    left_out: tuple[CarryLeftOut, ...]


@dataclass(frozen=True, slots=True)
class CarryOverResult:
    """What carry-over did: the new items of `year + 1`, and the open items left out."""

    year: int
    carried: tuple[Commitment, ...]
    left_out: tuple[CarryLeftOut, ...]


@dataclass(frozen=True, slots=True)
class SheetsExport:
    """What `export_sheets` wrote: the year's 公示表 and 汇总表 as they stood on `day`."""

    path: Path
    year: int
    day: date  # the day statuses, 逾期 and the secretaries are taken on
    units: int  # units with a 公示表
    items: int
    overdue: int
    cuts: tuple[str, ...]  # cells cut to an Excel cell's limit (where), for the warning


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One row of a commitments file, as understood (for the preview)."""

    sheet: str
    row: int
    unit_name: str
    draft: CommitmentDraft | None  # None when the row has problems
    problems: tuple[str, ...] = ()
    action: str = ""  # 新增 / 将替换 / 不变
    changes: tuple[str, ...] = ()  # for 将替换: what changes, "完成时限：… → …"
    cancelled_on: date | None = None  # for an item cancelled by the import
    replaced: tuple[tuple[str, str, str], ...] = ()  # for 将替换: (what, old text, new text)
    matched_by: str = ""  # how the row found its item: 序号 or 内容 ('' for a new item)
    notes: tuple[str, ...] = ()  # e.g. the file's 序号 already taken by a carried item


@dataclass(frozen=True, slots=True)
class CommitmentImportPreview:
    """What importing a file would do; nothing is written until `apply_import`."""

    path: Path
    rows: tuple[ImportRow, ...]
    problems: tuple[str, ...]  # every problem, "工作表“…”第 N 行“列”：…"
    count_new: int = 0
    count_changed: int = 0
    count_unchanged: int = 0
    default_year: int | None = None
    notes: tuple[str, ...] = ()  # sheets skipped, columns ignored (not problems)
    year_column: bool = False  # the file has a 年度 column
    rule: str = MATCH_RULE

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.problems

    @property
    def replacing(self) -> tuple[ImportRow, ...]:
        """The rows that would change an existing item: each needs the clerk's confirmation."""
        return tuple(r for r in self.rows if r.action == REPLACED)

    @property
    def count_replaced(self) -> int:
        return self.count_changed


# ---------------------------------------------------------------------------- pure checks


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _text(value: object, what: str, limit: int, required: bool = False) -> str:
    text = clean_text(value)
    if required and not text:
        raise ValidationError(f"{what}不能为空")
    if len(text) > limit:
        raise ValidationError(f"{what}太长（{len(text)} 个字，最多 {limit} 个字）")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ValidationError(f"{what}含有不可见的控制字符")
    return text


def _content(value: object) -> str:
    return _text(value, "承诺事项内容", MAX_CONTENT, required=True)


def _check_year(year: int) -> None:
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError(f"年度 {year} 不在 2000–2100 之间")


def _check_due(year: int, deadline: date | None, target_quarter: int | None) -> None:
    if deadline is not None and target_quarter is not None:
        raise ValidationError("完成时限只能填一个：具体日期或目标季度")
    if target_quarter is not None and target_quarter not in (1, 2, 3, 4):
        raise ValidationError(f"目标季度应为 1–4，收到 {target_quarter}")
    if deadline is not None and not date(year, 1, 1) <= deadline <= date(year + 1, 12, 31):
        raise ValidationError(
            f"完成时限 {deadline.isoformat()} 不在 {year} 年（或次年）之内，{year} 年的承诺事项应在 {year} 年内完成"
        )


def _check_day(day: date, what: str, year: int, today: date) -> None:
    if day > today:
        raise ValidationError(f"{what} {day.isoformat()} 晚于今天，不能预先登记")
    if day < date(year, 1, 1):
        raise ValidationError(f"{what} {day.isoformat()} 早于 {year} 年，与承诺年度不符")


def _day_text(day: date | None) -> str:
    return day.isoformat() if day else ""


def _snapshot(record: CommitmentRecord) -> dict:
    """What the audit log keeps of an item."""
    return {
        "unit_id": record.unit_id,
        "year": record.year,
        "number": record.number,
        "content": record.content,
        "category": record.category,
        "target": record.target,
        "deadline": _day_text(record.deadline),
        "target_quarter": record.target_quarter,
        "responsible": record.responsible,
        "status": CommitmentStatus(record.status).label,
        "completed_on": _day_text(record.completed_on),
        "cancelled_on": _day_text(record.cancelled_on),
        "cancel_reason": record.cancel_reason,
        "note": record.note,
    } | (
        {
            "original_content": record.original_content,
            "original_target": record.original_target,
            "original_deadline": _day_text(record.original_deadline),
            "adjust_reason": record.adjust_reason,
            "adjusted_on": _day_text(record.adjusted_on),
        }
        if record.adjusted_on is not None
        else {}
    )


def _entity(record: CommitmentRecord) -> str:
    return f"commitment:{record.id}"


def _is_adjusted(record: CommitmentRecord) -> bool:
    return record.adjusted_on is not None


# ---------------------------------------------------------------------------- unit of work


class _Work:
    """One transaction of the service: the session, lookups loaded once, and the audit entries
    (appended in one go at the end, in the order the changes were made)."""

    def __init__(self, service: CommitmentService, session: Session, today: date) -> None:
        self.service = service
        self.session = session
        self.today = today
        self._states: dict[int, UnitHistory] | None = None
        self._categories: tuple[str, ...] | None = None
        self._numbers: dict[tuple[int, int], int] = {}
        self._progress: dict[int, dict[Period, CommitmentProgressRecord]] = {}
        self.entries: list[tuple[str, str, object, object, str]] = []

    # ----- lookups

    @property
    def states(self) -> dict[int, UnitHistory]:
        if self._states is None:
            self._states = register.load_units(self.session)
        return self._states

    @property
    def categories(self) -> tuple[str, ...]:
        if self._categories is None:
            self._categories = _read_categories(self.session)
        return self._categories

    def audit(self, action: str, entity: str, old: object, new: object, reason: str = "") -> None:
        self.entries.append((action, entity, old, new, clean_text(reason)))

    def finish(self) -> None:
        audit.record_many(self.session, self.entries)
        self.entries = []

    def record(self, commitment_id: int) -> CommitmentRecord:
        record = self.session.get(CommitmentRecord, commitment_id)
        if record is None:
            raise NotFoundError("找不到该承诺事项，可能已被删除，请刷新后重试")
        return record

    def next_number(self, unit_id: int, year: int) -> int:
        key = (unit_id, year)
        if key not in self._numbers:
            self._numbers[key] = (
                self.session.scalar(
                    select(func.max(CommitmentRecord.number)).where(
                        CommitmentRecord.unit_id == unit_id, CommitmentRecord.year == year
                    )
                )
                or 0
            )
        return self._numbers[key] + 1

    def _took_number(self, unit_id: int, year: int, number: int) -> None:
        key = (unit_id, year)
        current = self._numbers.get(key)
        if current is not None:
            self._numbers[key] = max(current, number)

    def unit_state(self, unit_id: int) -> UnitHistory:
        state = self.states.get(unit_id)
        if state is None:
            raise NotFoundError("找不到该村（社区），可能已被其他操作更改，请刷新后重试")
        return state

    def check_unit_in_year(self, unit_id: int, year: int) -> None:
        """A unit can have commitments for a year it was on the register in."""
        state = self.unit_state(unit_id)
        first = state.versions[0]
        if first.valid_from > date(year, 12, 31):
            raise ValidationError(f"“{first.name}”{first.valid_from.year} 年才建档，不能有 {year} 年的承诺事项")
        version = state.version_on(date(year, 1, 1)) or first
        status = UnitStatus(version.status)
        if status is not UnitStatus.ACTIVE:
            raise ValidationError(f"“{version.name}”在 {year} 年{status.label}，不能有该年的承诺事项")

    def check_category(self, name: str, keep: str | None = None) -> str:
        category = clean_text(name)
        if not category:
            raise ValidationError(f"类别不能为空，可选：{'、'.join(self.categories)}")
        if category in self.categories or category == keep:
            return category
        raise ValidationError(f"类别“{category}”不在类别列表中，可选：{'、'.join(self.categories)}")

    # ----- changes

    def add(
        self,
        draft: CommitmentDraft,
        *,
        cancelled_on: date | None = None,
        carried_from_id: int | None = None,
        keep_category: str | None = None,
    ) -> CommitmentRecord:
        _check_year(draft.year)
        self.check_unit_in_year(draft.unit_id, draft.year)
        content = _content(draft.content)
        category = self.check_category(draft.category, keep=keep_category)
        target = _text(draft.target, "目标", MAX_CONTENT)
        responsible = _text(draft.responsible, "责任人", MAX_SHORT)
        note = _text(draft.note, "备注", MAX_CONTENT)
        _check_due(draft.year, draft.deadline, draft.target_quarter)
        if draft.number is None:
            number = self.next_number(draft.unit_id, draft.year)
        else:
            number = draft.number
            if not isinstance(number, int) or number < 1:
                raise ValidationError(f"序号应为正整数，收到 {number}")
            taken = self.session.scalar(
                select(CommitmentRecord.id).where(
                    CommitmentRecord.unit_id == draft.unit_id,
                    CommitmentRecord.year == draft.year,
                    CommitmentRecord.number == number,
                )
            )
            if taken is not None:
                raise ValidationError(f"该村（社区）{draft.year} 年已有第 {number} 项承诺事项，序号不能重复")
        status = draft.status
        completed_on = cancel_day = None
        cancel_reason = ""
        check_new_status(status)
        if status is CommitmentStatus.DONE:
            if draft.completed_on is None:
                raise ValidationError("状态为“已完成”时必须填写完成日期")
            _check_day(draft.completed_on, "完成日期", draft.year, self.today)
            completed_on = draft.completed_on
        elif draft.completed_on is not None:
            raise ValidationError("填写了完成日期，但状态不是“已完成”")
        if status is CommitmentStatus.CANCELLED:
            cancel_reason = _text(draft.cancel_reason, "取消原因", MAX_CONTENT)
            if not cancel_reason:
                raise ValidationError(CANCEL_NEEDS_REASON)
            cancel_day = cancelled_on or year_day(draft.year, self.today)
            _check_day(cancel_day, "取消日期", draft.year, self.today)
        now = _now()
        record = CommitmentRecord(
            unit_id=draft.unit_id,
            year=draft.year,
            number=number,
            content=content,
            category=category,
            target=target,
            deadline=draft.deadline,
            target_quarter=draft.target_quarter,
            responsible=responsible,
            status=status.value,
            original_content="",
            original_target="",
            original_deadline=None,
            adjust_reason="",
            adjusted_on=None,
            cancel_reason=cancel_reason,
            cancelled_on=cancel_day,
            completed_on=completed_on,
            carried_from_id=carried_from_id,
            note=note,
            created_at=now,
            updated_at=now,
        )
        self.session.add(record)
        self.session.flush()
        self._took_number(draft.unit_id, draft.year, number)
        self.audit(
            "新增承诺事项" if carried_from_id is None else "结转承诺事项",
            _entity(record),
            None,
            _snapshot(record),
            "" if carried_from_id is None else f"由 commitment:{carried_from_id} 结转",
        )
        return record

    def update(
        self,
        record: CommitmentRecord,
        *,
        content: str | None = None,
        category: str | None = None,
        target: str | None = None,
        deadline: date | None = None,
        target_quarter: int | None = None,
        clear_due: bool = False,
        responsible: str | None = None,
        note: str | None = None,
        action: str = "修改承诺事项",
        reason: str = "",
    ) -> bool:
        """Change typed fields; True when anything changed."""
        old = _snapshot(record)
        values: dict[str, object] = {}
        if content is not None:
            values["content"] = _content(content)
        if category is not None:
            values["category"] = self.check_category(category, keep=record.category)
        if target is not None:
            values["target"] = _text(target, "目标", MAX_CONTENT)
        if responsible is not None:
            values["responsible"] = _text(responsible, "责任人", MAX_SHORT)
        if note is not None:
            values["note"] = _text(note, "备注", MAX_CONTENT)
        if clear_due:
            values["deadline"], values["target_quarter"] = None, None
        elif deadline is not None or target_quarter is not None:
            _check_due(record.year, deadline, target_quarter)
            values["deadline"], values["target_quarter"] = deadline, target_quarter
        changed = {key: value for key, value in values.items() if getattr(record, key) != value}
        if not changed:
            return False
        for key, value in changed.items():
            setattr(record, key, value)
        record.updated_at = _now()
        self.audit(action, _entity(record), old, _snapshot(record), reason)
        return True

    def adjust(
        self,
        record: CommitmentRecord,
        *,
        content: str,
        target: str,
        deadline: date | None,
        target_quarter: int | None,
        reason: str,
        on: date,
    ) -> None:
        old_status = CommitmentStatus(record.status)
        check_transition(old_status, CommitmentStatus.ADJUSTED, reason=reason, adjusted=_is_adjusted(record))
        new_content = _content(content)
        new_target = _text(target, "目标", MAX_CONTENT)
        _check_due(record.year, deadline, target_quarter)
        _check_day(on, "调整日期", record.year, self.today)
        if (new_content, new_target, deadline, target_quarter) == (
            record.content,
            record.target,
            record.deadline,
            record.target_quarter,
        ):
            raise ValidationError("调整后的内容、目标和完成时限与原来完全相同，没有可调整的地方")
        old = _snapshot(record)
        if not _is_adjusted(record):
            # The first adjustment keeps the promise as it was made; later ones keep that too.
            record.original_content = record.content
            record.original_target = record.target
            record.original_deadline = (
                record.deadline
                if record.deadline is not None or record.target_quarter is None
                else due_date(record.year, None, record.target_quarter)
            )
        record.content, record.target = new_content, new_target
        record.deadline, record.target_quarter = deadline, target_quarter
        record.adjust_reason = clean_text(reason)
        record.adjusted_on = on
        record.status = CommitmentStatus.ADJUSTED.value
        record.updated_at = _now()
        self.audit("调整承诺事项", _entity(record), old, _snapshot(record), reason)

    def set_status(
        self, record: CommitmentRecord, status: CommitmentStatus, *, on: date | None = None, reason: str = ""
    ) -> bool:
        old_status = CommitmentStatus(record.status)
        adjusted = _is_adjusted(record)
        if status is CommitmentStatus.ADJUSTED and not (old_status is CommitmentStatus.DONE and adjusted):
            if old_status is CommitmentStatus.CANCELLED:
                raise ValidationError(CANCELLED_IS_FINAL)
            raise ValidationError(ADJUST_THROUGH_ADJUST)
        if status is CommitmentStatus.CANCELLED:
            self.cancel(record, reason, on or self.today)
            return True
        if old_status is CommitmentStatus.DONE and status is CommitmentStatus.IN_PROGRESS:
            check_transition(old_status, status)
            stored = CommitmentStatus.ADJUSTED if adjusted else CommitmentStatus.IN_PROGRESS
        elif old_status is CommitmentStatus.DONE and status is CommitmentStatus.ADJUSTED and adjusted:
            check_transition(old_status, CommitmentStatus.IN_PROGRESS)  # reopening an adjusted item
            stored = CommitmentStatus.ADJUSTED
        elif status is old_status:
            check_transition(old_status, status)  # refuses 逾期
            if status is CommitmentStatus.DONE and on is not None and on != record.completed_on:
                _check_day(on, "完成日期", record.year, self.today)
                old = _snapshot(record)
                record.completed_on = on
                record.updated_at = _now()
                self.audit("更正完成日期", _entity(record), old, _snapshot(record), reason)
                return True
            return False
        else:
            check_transition(old_status, status, reason=reason, adjusted=adjusted)
            stored = status
        old = _snapshot(record)
        if stored is CommitmentStatus.DONE:
            day = on or self.today
            _check_day(day, "完成日期", record.year, self.today)
            record.completed_on = day
        else:
            record.completed_on = None
        record.status = stored.value
        record.updated_at = _now()
        action = (
            "重新打开承诺事项"
            if old_status is CommitmentStatus.DONE
            else ("完成承诺事项" if stored is CommitmentStatus.DONE else "修改承诺状态")
        )
        self.audit(action, _entity(record), old, _snapshot(record), reason)
        return True

    def cancel(self, record: CommitmentRecord, reason: str, on: date) -> None:
        old_status = CommitmentStatus(record.status)
        check_transition(old_status, CommitmentStatus.CANCELLED, reason=reason, adjusted=_is_adjusted(record))
        text = _text(reason, "取消原因", MAX_CONTENT)
        _check_day(on, "取消日期", record.year, self.today)
        old = _snapshot(record)
        record.status = CommitmentStatus.CANCELLED.value
        record.cancel_reason = text
        record.cancelled_on = on
        record.completed_on = None
        record.updated_at = _now()
        self.audit("取消承诺事项", _entity(record), old, _snapshot(record), text)

    def record_progress(
        self,
        record: CommitmentRecord,
        period: Period,
        percent: object,
        done_text: str,
        entry_date: date,
        *,
        complete: bool = False,
    ) -> CommitmentProgressRecord:
        status = CommitmentStatus(record.status)
        if status is CommitmentStatus.CANCELLED:
            raise ValidationError("已取消的承诺事项不能再登记进度")
        value = check_percent(percent)
        text = _text(done_text, "进展情况", 2000)
        last = max(Period(record.year, 4), Period.of(due_date(record.year, record.deadline, record.target_quarter)))
        if not Period(record.year, 1) <= period <= last:
            raise ValidationError(f"{period.label}不在该承诺事项的年度（{record.year}年）之内")
        if entry_date < period.first_day:
            raise ValidationError(f"登记日期 {entry_date.isoformat()} 早于{period.label}")
        if entry_date > self.today:
            raise ValidationError(f"登记日期 {entry_date.isoformat()} 晚于今天，不能预先登记")
        if complete and value != 100:
            raise ValidationError(f"标记为已完成时，进度应为 100%，现在是 {value}%")
        entries = self.progress_of(record)
        entry = entries.get(period)
        entity = f"{_entity(record)}/progress:{period.short_label}"
        new = {"percent": value, "done": text, "date": entry_date.isoformat()}
        if entry is None:
            entry = CommitmentProgressRecord(
                commitment_id=record.id,
                year=period.year,
                quarter=period.quarter,
                percent=value,
                done_text=text,
                entry_date=entry_date,
                recorded_at=_now(),
            )
            self.session.add(entry)  # flushed with the rest: a batch inserts many at once
            entries[period] = entry
            self.audit("登记进度", entity, None, new)
        else:
            old = {"percent": entry.percent, "done": entry.done_text, "date": entry.entry_date.isoformat()}
            if old != new:
                entry.percent, entry.done_text, entry.entry_date = value, text, entry_date
                entry.recorded_at = _now()
                self.audit("修改进度", entity, old, new)
        if complete and status is not CommitmentStatus.DONE:
            self.set_status(record, CommitmentStatus.DONE, on=entry_date)
        elif status is CommitmentStatus.NOT_STARTED and value > 0:
            self.set_status(record, CommitmentStatus.IN_PROGRESS)  # work has begun
        return entry

    def progress_of(self, record: CommitmentRecord) -> dict[Period, CommitmentProgressRecord]:
        """The item's entries by quarter, loaded once per transaction."""
        if record.id not in self._progress:
            with self.session.no_autoflush:
                self._progress[record.id] = {
                    Period(e.year, e.quarter): e
                    for e in self.session.scalars(
                        select(CommitmentProgressRecord).where(CommitmentProgressRecord.commitment_id == record.id)
                    )
                }
        return self._progress[record.id]

    def attach(self, record: CommitmentRecord, path: Path, period: Period | None, note: str) -> EvidenceFile:
        if period is None:
            owner = _entity(record)
        else:
            entry = self.progress_of(record).get(period)
            if entry is None:
                raise ValidationError(f"请先登记{period.label}的进度，再把附件附到该季度")
            if entry.id is None:
                self.session.flush()
            owner = f"progress:{entry.id}"
        text = _text(note, "附件说明", MAX_CONTENT)
        evidence = self.service._evidence.add(self.session, owner, Path(path), text)
        where = f"{_entity(record)}/progress:{period.short_label}" if period else _entity(record)
        self.audit(
            "添加附件",
            where,
            None,
            {"evidence": evidence.id, "name": evidence.name, "sha256": evidence.sha256, "size": evidence.size},
        )
        return evidence


def _read_categories(session: Session) -> tuple[str, ...]:
    stored = session.get(SettingRecord, CATEGORIES_KEY)
    if stored is None:
        return DEFAULT_CATEGORIES
    try:
        names = json.loads(stored.value)
    except ValueError:
        return DEFAULT_CATEGORIES
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        return DEFAULT_CATEGORIES
    return tuple(names)


class CommitmentBatch:
    """Several changes in one transaction (the demo, bulk tools). Same rules and audit as the
    service's own calls; returns ids, since the whole batch commits or rolls back together."""

    def __init__(self, work: _Work) -> None:
        self._work = work

    def add(self, draft: CommitmentDraft, *, cancelled_on: date | None = None) -> int:
        return self._work.add(draft, cancelled_on=cancelled_on).id

    def adjust(
        self,
        commitment_id: int,
        *,
        content: str,
        target: str,
        deadline: date | None,
        target_quarter: int | None,
        reason: str,
        on: date,
    ) -> None:
        self._work.adjust(
            self._work.record(commitment_id),
            content=content,
            target=target,
            deadline=deadline,
            target_quarter=target_quarter,
            reason=reason,
            on=on,
        )

    def set_status(
        self, commitment_id: int, status: CommitmentStatus, *, on: date | None = None, reason: str = ""
    ) -> None:
        self._work.set_status(self._work.record(commitment_id), status, on=on, reason=reason)

    def cancel(self, commitment_id: int, reason: str, on: date) -> None:
        self._work.cancel(self._work.record(commitment_id), reason, on)

    def record_progress(
        self,
        commitment_id: int,
        period: Period,
        percent: int,
        done_text: str,
        entry_date: date,
        *,
        complete: bool = False,
    ) -> None:
        self._work.record_progress(
            self._work.record(commitment_id), period, percent, done_text, entry_date, complete=complete
        )


# ---------------------------------------------------------------------------- the service


class CommitmentService:
    """One public call is one unit of work; returns domain objects, never records."""

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
        self._backup = backup  # callable(reason) taking a backup before a bulk import

    @contextmanager
    def _work(self, today: date | None = None) -> Iterator[_Work]:
        with self._db.session() as session, session.begin():
            work = _Work(self, session, today or date.today())
            yield work
            work.finish()

    @contextmanager
    def batch(self, today: date | None = None) -> Iterator[CommitmentBatch]:
        """`with service.batch() as batch: batch.add(...)`: all of it in one transaction."""
        with self._work(today) as work:
            yield CommitmentBatch(work)

    def _converted(
        self, session: Session, records: Sequence[CommitmentRecord], states: dict[int, UnitHistory] | None = None
    ) -> list[Commitment]:
        """Domain objects with the unit's name (as it was in the item's year), its 管区, the
        latest progress percent and the number of evidence files."""
        if not records:
            return []
        if states is None:
            states = register.load_units(session, {r.unit_id for r in records})
        districts = register.district_names(session)
        today = date.today()
        ids = [r.id for r in records]
        latest: dict[int, int] = {}
        progress_owner: dict[str, int] = {}
        for entry in session.scalars(
            select(CommitmentProgressRecord)
            .where(CommitmentProgressRecord.commitment_id.in_(ids))
            .order_by(CommitmentProgressRecord.year, CommitmentProgressRecord.quarter)
        ):
            latest[entry.commitment_id] = entry.percent
            progress_owner[f"progress:{entry.id}"] = entry.commitment_id
        counts: dict[int, int] = defaultdict(int)
        wanted = {f"commitment:{i}": i for i in ids} | progress_owner
        for owner in session.scalars(
            select(EvidenceFileRecord.owner).where(
                or_(EvidenceFileRecord.owner.like("commitment:%"), EvidenceFileRecord.owner.like("progress:%"))
            )
        ):
            if owner in wanted:
                counts[wanted[owner]] += 1
        carried = carried_to(session, ids)
        result = []
        for record in records:
            state = states.get(record.unit_id)
            name = district = ""
            if state is not None:
                version = state.version_on(year_day(record.year, today)) or state.versions[0]
                name = version.name
                district = districts.get(version.district_id, "") if version.district_id else ""
            result.append(
                to_commitment(
                    record, name, district, latest.get(record.id), counts.get(record.id, 0), carried.get(record.id)
                )
            )
        return result

    def _order(self, session: Session, records: list[CommitmentRecord]) -> list[CommitmentRecord]:
        states = register.load_units(session)
        position = {unit_id: index for index, unit_id in enumerate(states)}
        return sorted(records, key=lambda r: (r.year, position.get(r.unit_id, len(position)), r.unit_id, r.number))

    # ----- settings -------------------------------------------------------------------------------

    def categories(self) -> tuple[str, ...]:
        """The category list (editable; DEFAULT_CATEGORIES until saved)."""
        with self._db.session() as session:
            return _read_categories(session)

    def save_categories(self, names: Sequence[str]) -> tuple[str, ...]:
        """Refuses an empty list, blanks and duplicates; a category still used stays allowed."""
        cleaned = []
        for index, name in enumerate(names, start=1):
            text = clean_text(name)
            if not text:
                raise ValidationError(f"第 {index} 个类别是空的，请填写名称或删掉这一行")
            if len(text) > MAX_SHORT:
                raise ValidationError(f"类别“{text}”太长（最多 {MAX_SHORT} 个字）")
            if text in cleaned:
                raise ValidationError(f"类别“{text}”重复了")
            cleaned.append(text)
        if not cleaned:
            raise ValidationError("类别列表不能为空，至少要有一个类别")
        if len(cleaned) > MAX_CATEGORIES:
            raise ValidationError(f"类别太多（最多 {MAX_CATEGORIES} 个）")
        with self._work() as work:
            old = list(_read_categories(work.session))
            if old != cleaned:
                work.session.merge(SettingRecord(key=CATEGORIES_KEY, value=json.dumps(cleaned, ensure_ascii=False)))
                work.audit("修改承诺类别", "settings:commitments.categories", old, cleaned)
        return tuple(cleaned)

    # ----- reading --------------------------------------------------------------------------------

    def years(self) -> list[int]:
        """Years that have commitments, newest first."""
        with self._db.session() as session:
            return list(
                session.scalars(select(CommitmentRecord.year).distinct().order_by(CommitmentRecord.year.desc()))
            )

    def list_commitments(self, year: int, unit_id: int | None = None) -> list[Commitment]:
        """Items of a year (one unit's, or all), by the units' register order, then number."""
        with self._db.session() as session:
            query = select(CommitmentRecord).where(CommitmentRecord.year == year)
            if unit_id is not None:
                query = query.where(CommitmentRecord.unit_id == unit_id)
            states = register.load_units(session)
            position = {uid: index for index, uid in enumerate(states)}
            records = sorted(
                session.scalars(query), key=lambda r: (position.get(r.unit_id, len(position)), r.unit_id, r.number)
            )
            return self._converted(session, records, states)

    def get(self, commitment_id: int) -> Commitment:
        with self._db.session() as session:
            record = session.get(CommitmentRecord, commitment_id)
            if record is None:
                raise NotFoundError("找不到该承诺事项，可能已被删除，请刷新后重试")
            return self._converted(session, [record])[0]

    def progress(self, commitment_id: int) -> list[ProgressEntry]:
        """The item's progress entries, oldest quarter first, each with its evidence files."""
        with self._db.session() as session:
            if session.get(CommitmentRecord, commitment_id) is None:
                raise NotFoundError("找不到该承诺事项，可能已被删除，请刷新后重试")
            entries = list(
                session.scalars(
                    select(CommitmentProgressRecord)
                    .where(CommitmentProgressRecord.commitment_id == commitment_id)
                    .order_by(CommitmentProgressRecord.year, CommitmentProgressRecord.quarter)
                )
            )
            files: dict[str, list[EvidenceFile]] = defaultdict(list)
            for evidence in self._evidence.list(session, [f"progress:{e.id}" for e in entries]):
                files[evidence.owner].append(evidence)
            return [
                ProgressEntry(
                    e.id,
                    e.commitment_id,
                    Period(e.year, e.quarter),
                    e.percent,
                    e.done_text,
                    e.entry_date,
                    tuple(files[f"progress:{e.id}"]),
                )
                for e in entries
            ]

    def evidence(self, commitment_id: int) -> list[EvidenceFile]:
        """Every evidence file of the item (attached to the item or to one of its entries)."""
        with self._db.session() as session:
            if session.get(CommitmentRecord, commitment_id) is None:
                raise NotFoundError("找不到该承诺事项，可能已被删除，请刷新后重试")
            entry_ids = session.scalars(
                select(CommitmentProgressRecord.id).where(CommitmentProgressRecord.commitment_id == commitment_id)
            )
            owners = [f"commitment:{commitment_id}"] + [f"progress:{i}" for i in entry_ids]
            return self._evidence.list(session, owners)

    def evidence_path(self, evidence_id: int) -> Path:
        """The file to open, checked against its checksum (raises in Chinese if gone/changed)."""
        with self._db.session() as session:
            return self._evidence.open_path(session, evidence_id)

    def summary(self, year: int, on: date | None = None, today: date | None = None) -> list[UnitCompletion]:
        """Per unit (every unit that has items that year, and every unit active then): items,
        done, cancelled, overdue, carried over and the rate counted to `on` (default
        `counted_to(year, today)`: the year's end, or today while the year lasts)."""
        today = today or date.today()
        day = on or counted_to(year, today)
        with self._db.session() as session:
            states = register.load_units(session)
            districts = register.district_names(session)
            items: dict[int, list[Commitment]] = defaultdict(list)
            records = list(session.scalars(select(CommitmentRecord).where(CommitmentRecord.year == year)))
            carried = carried_to(session, [r.id for r in records])
            for record in records:
                items[record.unit_id].append(to_commitment(record, carried_to=carried.get(record.id)))
        rows = []
        for unit_id, state in states.items():
            version = state.version_on(day)
            active = version is not None and UnitStatus(version.status) is UnitStatus.ACTIVE
            if unit_id not in items and not active:
                continue
            version = version or state.versions[0]
            district = districts.get(version.district_id, "") if version.district_id else ""
            rows.append(UnitCompletion(unit_id, version.name, district, completion(items[unit_id], day, today)))
        return rows

    # ----- the 公示表 workbook ------------------------------------------------------------------------

    def export_sheets(
        self, path: Path, year: int, *, township: str, committee: str, paper: str = "A4", today: date | None = None
    ) -> SheetsExport:
        """Write the year's workbook: the 完成情况汇总表 and a 公示表 per unit, counted to the day
        that stands for the year (`period.year_day`: its last day, or today while it lasts), each
        公示表 naming the secretary in office that day. The window and the command line both
        export through here, so they write the same file."""
        from lsb_desktop.io.commitment_sheets import write_commitment_workbook  # openpyxl: when used

        today = today or date.today()
        day = year_day(year, today)
        commitments = self.list_commitments(year)
        if not commitments:
            raise ValidationError(f"{year} 年还没有承诺事项，没有可导出的公示表")
        summary = self.summary(year, day, today=today)
        with self._db.session() as session:
            secretaries = register.secretaries_on(session, day)
        with noting_cut_cells() as cuts:
            write_commitment_workbook(
                Path(path),
                year=year,
                township=township,
                committee=committee,
                commitments=commitments,
                summary=summary,
                paper=paper,
                on=day,
                secretaries=secretaries,
                today=today,
            )
        return SheetsExport(
            Path(path),
            year,
            day,
            len({item.unit_id for item in commitments}),
            len(commitments),
            sum(row.completion.overdue for row in summary),
            tuple(cuts),
        )

    # ----- writing --------------------------------------------------------------------------------

    def add(self, draft: CommitmentDraft, *, cancelled_on: date | None = None) -> Commitment:
        """A new item; `number` None takes the unit's next number of the year. A draft that is
        已取消 is cancelled on `cancelled_on` (default: today, within the item's year)."""
        with self._work() as work:
            record = work.add(draft, cancelled_on=cancelled_on)
        return self.get(record.id)

    def update(
        self,
        commitment_id: int,
        *,
        content: str | None = None,
        category: str | None = None,
        target: str | None = None,
        deadline: date | None = None,
        target_quarter: int | None = None,
        clear_due: bool = False,
        responsible: str | None = None,
        note: str | None = None,
    ) -> Commitment:
        """Correct what was typed (not an adjustment: the original text is not kept)."""
        with self._work() as work:
            record = work.record(commitment_id)
            changed = work.update(
                record,
                content=content,
                category=category,
                target=target,
                deadline=deadline,
                target_quarter=target_quarter,
                clear_due=clear_due,
                responsible=responsible,
                note=note,
            )
            if not changed:
                raise ValidationError("没有任何改动")
        return self.get(commitment_id)

    def adjust(
        self,
        commitment_id: int,
        *,
        content: str,
        target: str,
        deadline: date | None,
        target_quarter: int | None,
        reason: str,
        on: date,
    ) -> Commitment:
        """已调整: new content/target/deadline, the first original kept beside it, with a reason."""
        with self._work() as work:
            work.adjust(
                work.record(commitment_id),
                content=content,
                target=target,
                deadline=deadline,
                target_quarter=target_quarter,
                reason=reason,
                on=on,
            )
        return self.get(commitment_id)

    def set_status(
        self, commitment_id: int, status: CommitmentStatus, *, on: date | None = None, reason: str = ""
    ) -> Commitment:
        """未启动/推进中/已完成 (completed on `on`); 已取消 needs `reason`; 已调整 only via adjust."""
        with self._work() as work:
            work.set_status(work.record(commitment_id), status, on=on, reason=reason)
        return self.get(commitment_id)

    def cancel(self, commitment_id: int, reason: str, on: date) -> Commitment:
        with self._work() as work:
            work.cancel(work.record(commitment_id), reason, on)
        return self.get(commitment_id)

    def record_progress(
        self,
        commitment_id: int,
        period: Period,
        percent: int,
        done_text: str,
        entry_date: date,
        *,
        complete: bool = False,
    ) -> ProgressEntry:
        """Add or replace the item's entry for `period`; `complete` also marks it 已完成 on
        `entry_date` (percent must then be 100)."""
        with self._work() as work:
            entry = work.record_progress(
                work.record(commitment_id), period, percent, done_text, entry_date, complete=complete
            )
            work.session.flush()
            entry_id = entry.id
        return next(e for e in self.progress(commitment_id) if e.id == entry_id)

    def attach(self, commitment_id: int, path: Path, period: Period | None = None, note: str = "") -> EvidenceFile:
        """Copy a file in with its checksum; to the period's progress entry if given (the entry
        must exist), else to the item."""
        with self._work() as work:
            return work.attach(work.record(commitment_id), path, period, note)

    def delete(self, commitment_id: int, reason: str) -> None:
        """Remove an item typed by mistake: only one with no progress, no evidence, not carried
        on into another year."""
        text = clean_text(reason)
        if not text:
            raise ValidationError("删除承诺事项必须写明原因")
        with self._work() as work:
            record = work.record(commitment_id)
            session = work.session
            entries = list(
                session.scalars(
                    select(CommitmentProgressRecord.id).where(CommitmentProgressRecord.commitment_id == record.id)
                )
            )
            if entries:
                raise ValidationError(
                    f"该承诺事项已登记 {len(entries)} 个季度的进度，不能删除；如不再实施，请用“取消”并写明原因"
                )
            owners = [_entity(record)]
            if self._evidence.counts(session, owners):
                raise ValidationError("该承诺事项有附件，不能删除；如不再实施，请用“取消”并写明原因")
            carried = session.scalar(select(CommitmentRecord).where(CommitmentRecord.carried_from_id == record.id))
            if carried is not None:
                raise ValidationError(
                    f"该承诺事项已结转到 {carried.year} 年（第 {carried.number} 项），请先删除结转后的事项"
                )
            work.audit("删除承诺事项", _entity(record), _snapshot(record), None, text)
            session.delete(record)

    def carry_over_plan(self, year: int, unit_ids: Iterable[int] | None = None) -> CarryOverPlan:
        """What `carry_over` would do: the items it copies, and the open items it leaves out,
        each with the reason (the village is archived or merged in the next year, the item was
        carried before, the next year already has an item with the same content)."""
        _check_year(year + 1)
        with self._db.session() as session:
            work = _Work(self, session, date.today())
            carry, left_out = self._carry_plan(work, year, unit_ids)
            converted = {c.id: c for c in self._converted(session, carry + [r for r, _ in left_out], work.states)}
        return CarryOverPlan(
            year,
            tuple(converted[r.id] for r in carry),
            tuple(CarryLeftOut(converted[r.id], reason) for r, reason in left_out),
        )

    def _carry_plan(
        self, work: _Work, year: int, unit_ids: Iterable[int] | None
    ) -> tuple[list[CommitmentRecord], list[tuple[CommitmentRecord, str]]]:
        session = work.session
        wanted = None if unit_ids is None else set(unit_ids)
        end = date(year, 12, 31)
        query = select(CommitmentRecord).where(CommitmentRecord.year == year)
        if wanted is not None:
            query = query.where(CommitmentRecord.unit_id.in_(wanted))
        records = self._order(session, list(session.scalars(query)))
        before = carried_to(session, [r.id for r in records])
        following: dict[int, dict[str, int]] = defaultdict(dict)
        for record in session.scalars(select(CommitmentRecord).where(CommitmentRecord.year == year + 1)):
            following[record.unit_id].setdefault(clean_text(record.content), record.number)
        carry: list[CommitmentRecord] = []
        left_out: list[tuple[CommitmentRecord, str]] = []
        for record in records:
            status = to_commitment(record).status_on(end)
            if status in (CommitmentStatus.DONE, CommitmentStatus.CANCELLED):
                continue  # delivered or dropped: nothing to carry
            if record.id in before:
                next_year, number = before[record.id]
                left_out.append((record, f"已结转过（{next_year} 年第 {number} 项），不重复结转"))
                continue
            try:
                work.check_unit_in_year(record.unit_id, year + 1)
            except ValidationError as exc:
                left_out.append((record, f"{exc.message}，不结转"))
                continue
            same = following[record.unit_id].get(clean_text(record.content))
            if same is not None:
                left_out.append((record, f"{year + 1} 年已有内容相同的第 {same} 项，不重复结转"))
                continue
            carry.append(record)
        return carry, left_out

    def carry_over(
        self, year: int, unit_ids: Iterable[int] | None = None, *, expected: int | None = None
    ) -> CarryOverResult:
        """Copy the items of `year` still not done or cancelled at its end into `year + 1`
        (linked by carried_from_id, numbered after the unit's items there); the original then
        shows 已结转. Leaves out, with the reason, what `carry_over_plan` leaves out. `expected`:
        the count the clerk was shown; a different count refuses, so the preview is what happens."""
        _check_year(year + 1)
        created: list[int] = []
        with self._work() as work:
            session = work.session
            records, left_out = self._carry_plan(work, year, unit_ids)
            if expected is not None and expected != len(records):
                raise ValidationError(
                    f"可结转的事项在预览后有变化（预览 {expected} 项，现在 {len(records)} 项），"
                    "未结转任何事项，请重新打开“结转”"
                )
            with_progress = set(
                session.scalars(
                    select(CommitmentProgressRecord.commitment_id).where(
                        CommitmentProgressRecord.commitment_id.in_([r.id for r in records])
                    )
                )
            )
            for record in records:
                started = record.id in with_progress or CommitmentStatus(record.status) in (
                    CommitmentStatus.IN_PROGRESS,
                    CommitmentStatus.ADJUSTED,
                )
                draft = CommitmentDraft(
                    unit_id=record.unit_id,
                    year=year + 1,
                    content=record.content,
                    category=record.category,
                    target=record.target,
                    responsible=record.responsible,
                    status=CommitmentStatus.IN_PROGRESS if started else CommitmentStatus.NOT_STARTED,
                    note=f"由{year}年第{record.number}项结转",
                )
                # The category may have left the list since; the carried item keeps it.
                created.append(work.add(draft, carried_from_id=record.id, keep_category=record.category).id)
            left_ids = [r.id for r, _ in left_out]
            reasons = [reason for _, reason in left_out]
        with self._db.session() as session:
            records = list(session.scalars(select(CommitmentRecord).where(CommitmentRecord.id.in_(created))))
            records.sort(key=lambda r: created.index(r.id))
            left_records = list(session.scalars(select(CommitmentRecord).where(CommitmentRecord.id.in_(left_ids))))
            left_records.sort(key=lambda r: left_ids.index(r.id))
            converted = self._converted(session, left_records)
            return CarryOverResult(
                year,
                tuple(self._converted(session, records)),
                tuple(CarryLeftOut(c, reason) for c, reason in zip(converted, reasons, strict=True)),
            )

    # ----- import ---------------------------------------------------------------------------------

    def preview_import(self, path: Path, default_year: int | None = None) -> CommitmentImportPreview:
        """Read the file and say, row by row, what importing it would do. Writes nothing: the
        import is carried out in a transaction that is rolled back, so the preview and the
        import cannot disagree."""
        from lsb_desktop.io.commitments_import import read_commitments  # openpyxl: only when used

        path = Path(path)
        read = read_commitments(path)
        with self._db.session() as session:
            session.begin()
            try:
                work = _Work(self, session, date.today())
                rows, problems = _Importer(work, default_year, path.name).carry(read.rows)
            finally:
                session.rollback()
        problems = list(read.problem_lines) + problems
        return _preview(path, rows, problems, default_year, read.notes, read.year_column)

    def apply_import(self, preview: CommitmentImportPreview, *, replace: bool = False) -> int:
        """Write every row or none (a backup is taken first); returns the number written.
        Rows that replace what an existing item says are written only with `replace` (the clerk
        has checked the 将替换 list)."""
        from lsb_desktop.io.commitments_import import read_commitments

        if not preview.ok:
            raise ValidationError("承诺事项表有问题，未导入任何数据", list(preview.problems))
        if preview.count_replaced and not replace:
            raise ValidationError(
                f"文件中有 {preview.count_replaced} 项将替换已有的承诺事项，须核对后确认替换，未导入任何数据",
                [replaced_line(r) for r in preview.replacing],
            )
        read = read_commitments(preview.path)
        if read.problems:
            raise ValidationError("承诺事项表在预览后被改动，且有问题，未导入任何数据", list(read.problem_lines))
        if self._backup is not None:
            self._backup("pre-import")
        with self._work() as work:
            rows, problems = _Importer(work, preview.default_year, preview.path.name).carry(read.rows)
            if problems:
                raise ValidationError("导入时发现问题，未导入任何数据", problems)
            # What she confirmed: each row's action, its new content, and the old text it replaces.
            if [(r.sheet, r.row, r.action, r.draft, r.replaced, r.matched_by) for r in rows] != [
                (r.sheet, r.row, r.action, r.draft, r.replaced, r.matched_by) for r in preview.rows
            ]:
                raise ValidationError("承诺事项在预览后有变化，未导入任何数据，请重新预览后再导入")
            written = sum(1 for r in rows if r.action in (ADDED, REPLACED))
            work.audit(
                "导入承诺事项",
                "commitments:import",
                None,
                {
                    "file": preview.path.name,
                    "year": preview.default_year,
                    "new": sum(1 for r in rows if r.action == ADDED),
                    "replaced": sum(1 for r in rows if r.action == REPLACED),
                    "replace_confirmed": bool(replace),
                    "unchanged": sum(1 for r in rows if r.action == UNCHANGED),
                },
            )
        return written


def _preview(
    path: Path,
    rows: list[ImportRow],
    problems: list[str],
    default_year: int | None,
    notes: tuple[str, ...],
    year_column: bool,
) -> CommitmentImportPreview:
    actions = [r.action for r in rows]
    return CommitmentImportPreview(
        path=path,
        rows=tuple(rows),
        problems=tuple(problems),
        count_new=actions.count(ADDED),
        count_changed=actions.count(REPLACED),
        count_unchanged=actions.count(UNCHANGED),
        default_year=default_year,
        notes=notes,
        year_column=year_column,
    )


def replaced_line(row: ImportRow) -> str:
    """One 将替换 row as the command line and the refusal list it: where, which item, old → new."""
    draft = row.draft
    assert draft is not None
    what = "；".join(f"{label}：{old or '（空）'} → {new or '（空）'}" for label, old, new in row.replaced)
    return (
        f"工作表“{row.sheet}”第 {row.row} 行 {row.unit_name} {draft.year}年第{draft.number}项"
        f"（按{row.matched_by}对应）将替换：{what}"
    )


# ---------------------------------------------------------------------------- import


@dataclass
class _Planned:
    """A file row on its way in: resolved values (None: the file has no such column)."""

    row: FileRow
    unit_id: int | None = None
    year: int | None = None
    number: int | None = None
    record: CommitmentRecord | None = None
    problems: list[str] = field(default_factory=list)
    matched_by: str = ""
    notes: list[str] = field(default_factory=list)


class _Importer:
    """Resolves file rows against the register, the categories and the status rules, numbers
    them, and writes them through the same checks as the service's own calls."""

    def __init__(self, work: _Work, default_year: int | None, source: str) -> None:
        self.work = work
        self.default_year = default_year
        self.reason = f"从“{source}”导入"
        self.names = self._name_index()

    def _name_index(self) -> dict[str, set[int]]:
        names: dict[str, set[int]] = defaultdict(set)
        for unit_id, state in self.work.states.items():
            for version in state.versions:
                names[canonical_name(version.name)].add(unit_id)
        return names

    def _unit(self, planned: _Planned) -> None:
        row = planned.row
        candidates = self.names.get(row.unit_name, set())
        if not candidates:
            planned.problems.append(
                row.problem("unit", f"名册中没有村（社区）“{shown_value(row.unit_name)}”，请核对名称")
            )
            return
        if len(candidates) > 1 and planned.year is not None:
            first, last = date(planned.year, 1, 1), date(planned.year, 12, 31)
            in_year = set()
            for unit_id in candidates:
                state = self.work.states[unit_id]
                versions = [v for v in state.versions if first <= v.valid_from <= last]
                current = state.version_on(first)
                if current is not None:
                    versions.append(current)
                if any(canonical_name(v.name) == row.unit_name for v in versions):
                    in_year.add(unit_id)
            candidates = in_year or candidates
        if len(candidates) > 1:
            planned.problems.append(
                row.problem("unit", f"名册中有多个村（社区）叫过“{shown_value(row.unit_name)}”，无法确定是哪一个")
            )
            return
        unit_id = next(iter(candidates))
        if planned.year is not None:
            try:
                self.work.check_unit_in_year(unit_id, planned.year)
            except ValidationError as exc:
                planned.problems.append(row.problem("unit", exc.message))
                return
        planned.unit_id = unit_id

    def _year(self, planned: _Planned) -> None:
        """The row's year: its 年度 cell, else the year chosen for the import; never guessed
        from the 完成时限. A 年度 that disagrees with the chosen year is refused."""
        row = planned.row
        if "year" in row.labels:
            if row.year is None:
                planned.problems.append(row.problem("year", "年度不能为空（表中有“年度”列时，每行都要写年度）"))
                return
            if self.default_year is not None and row.year != self.default_year:
                planned.problems.append(
                    row.problem(
                        "year",
                        f"年度 {row.year} 与指定的导入年度 {self.default_year} 年不一致，请核对"
                        "（文件有“年度”列时可不指定导入年度）",
                    )
                )
                return
            year = row.year
        elif self.default_year is not None:
            year = self.default_year
        else:
            return  # told once for the sheet, in `carry`
        due_year = row.due.year if row.due is not None else None
        if row.due is not None and due_year is not None and row.due.deadline is None and due_year != year:
            planned.problems.append(row.problem("due", f"目标季度在 {due_year} 年，而承诺年度是 {year} 年"))
            return
        planned.year = year

    def _no_year(self, planned: list[_Planned]) -> None:
        """Rows of a sheet without a 年度 column when no year was chosen: one problem per sheet,
        naming the years the 完成时限 spell (a file is never split by guessing)."""
        from lsb_desktop.io.commitments_import import problem_text

        sheets: dict[str, list[_Planned]] = defaultdict(list)
        for item in planned:
            if item.year is None and not item.problems:
                sheets[item.row.sheet].append(item)
        for sheet, items in sheets.items():
            message = (
                "表中没有“年度”列，也没有指定导入年度（命令行用 --year，程序中在导入窗口选择年度），未导入任何数据"
            )
            named = sorted({i.row.due.year for i in items if i.row.due is not None and i.row.due.year})
            if len(named) > 1:
                message += f"；完成时限分属 {'、'.join(map(str, named))} 年，程序不会按完成时限猜测年度，请加“年度”列"
            text = problem_text(sheet, None, "", message)
            items[0].problems.append(text)
            for item in items[1:]:
                item.problems.append("")  # the row cannot go in; the sheet's problem says why

    def carry(self, rows: Sequence) -> tuple[list[ImportRow], list[str]]:
        planned = [_Planned(row) for row in rows]
        for item in planned:
            self._year(item)
        self._no_year(planned)
        for item in planned:
            if not item.problems:
                self._unit(item)
        self._number(planned)
        result: list[ImportRow] = []
        problems: list[str] = []
        for item in planned:
            if not item.problems:
                done = self._write(item)
                if done is not None:
                    result.append(done)
                    continue
            shown = tuple(p for p in item.problems if p)
            problems.extend(shown)
            result.append(
                ImportRow(item.row.sheet, item.row.row, item.row.unit_name, None, shown or ("见工作表的问题",))
            )
        return result, problems

    def _number(self, planned: list[_Planned]) -> None:
        """Match rows to existing items (MATCH_RULE): by the same content first (an adjusted
        item's original counts too); else by 序号, except items carried over from the year
        before, which are never matched by a new file's 序号. The rest are new: they keep the
        file's 序号 when it is free, else they are numbered after everything used, in file order."""
        session = self.work.session
        groups: dict[tuple[int, int], list[_Planned]] = defaultdict(list)
        for item in planned:
            if not item.problems:
                assert item.unit_id is not None and item.year is not None  # set for rows without problems
                groups[(item.unit_id, item.year)].append(item)
        for (unit_id, year), items in groups.items():
            stored = sorted(
                session.scalars(
                    select(CommitmentRecord).where(CommitmentRecord.unit_id == unit_id, CommitmentRecord.year == year)
                ),
                key=lambda r: r.number,
            )
            by_number = {r.number: r for r in stored}
            claimed: dict[int, _Planned] = {}
            for item in items:
                number = item.row.number
                if number is None:
                    continue
                if number in claimed:
                    first = claimed[number].row
                    item.problems.append(
                        item.row.problem(
                            "number", f"与第 {first.row} 行是同一村（社区）同一年度的第 {number} 项，序号重复"
                        )
                    )
                    continue
                claimed[number] = item
            by_content: dict[str, list[CommitmentRecord]] = defaultdict(list)
            for record in stored:
                for text in {clean_text(record.content), clean_text(record.original_content)} - {""}:
                    by_content[text].append(record)
            taken: dict[int, _Planned] = {}
            for item in items:
                if item.problems:
                    continue
                same = by_content.get(clean_text(item.row.content), [])
                free = [r for r in same if r.id not in taken]
                if same and not free:
                    first = taken[same[0].id].row
                    item.problems.append(
                        item.row.problem("content", f"与第 {first.row} 行是同一承诺事项（内容相同），请删掉重复的一行")
                    )
                    continue
                if free:
                    record = next((r for r in free if r.number == item.row.number), free[0])
                    taken[record.id] = item
                    item.record, item.number = record, record.number
                    item.matched_by = "序号和内容" if record.number == item.row.number else "内容"
            for item in items:
                if item.problems or item.record is not None or item.row.number is None:
                    continue
                numbered = by_number.get(item.row.number)
                if numbered is not None and numbered.carried_from_id is None and numbered.id not in taken:
                    taken[numbered.id] = item
                    item.record, item.number, item.matched_by = numbered, numbered.number, "序号"
            new_items = [item for item in items if not item.problems and item.record is None]
            used = set(by_number)
            for item in new_items:
                number = item.row.number
                if number is not None and number not in used:
                    item.number = number  # a new item keeps the file's free 序号
                    used.add(number)
            for item in new_items:
                if item.number is not None:
                    continue
                item.number = max(used, default=0) + 1
                used.add(item.number)
                number = item.row.number
                if number is None:
                    continue
                holder = by_number.get(number)
                if holder is not None and holder.carried_from_id is not None:
                    item.notes.append(
                        f"文件中的序号 {number} 已是结转事项（{holder.content}）的序号，本行按第 {item.number} 项新增"
                    )
                else:
                    item.notes.append(
                        f"文件中的序号 {number} 已是另一项（{holder.content if holder else ''}）的序号，"
                        f"本行按第 {item.number} 项新增"
                    )

    # ----- one row

    def _resolve_status(
        self, item: _Planned, deadline: date | None, quarter: int | None, current: CommitmentRecord | None
    ) -> tuple[CommitmentStatus, date | None, str, date | None] | None:
        """(status, completed_on, cancel_reason, cancelled_on) the row asks for."""
        year = item.year
        assert year is not None  # every row without problems has its year by now
        row = item.row
        today = self.work.today
        text = row.status or ""
        if not text:
            if row.completed_on is not None:
                item.problems.append(row.problem("completed_on", "填写了完成日期，但“状态”不是“已完成”"))
                return None
            if current is not None:
                return (
                    CommitmentStatus(current.status),
                    current.completed_on,
                    current.cancel_reason,
                    current.cancelled_on,
                )
            return CommitmentStatus.NOT_STARTED, None, "", None
        try:
            status = CommitmentStatus.parse(text)
        except ValidationError as exc:
            item.problems.append(row.problem("status", exc.message))
            return None
        if status is CommitmentStatus.CARRIED:
            item.problems.append(
                row.problem("status", "“已结转”由程序在结转到下一年时标记，不能导入；请用“结转到下一年”")
            )
            return None
        completed_on = None
        if status is CommitmentStatus.OVERDUE:
            due = due_date(year, deadline, quarter)
            if due >= today:
                item.problems.append(
                    row.problem("status", f"完成时限（{due_text(year, deadline, quarter)}）还没到，不能是“逾期”")
                )
                return None
            # 逾期 is derived from the due date, never stored: an open item keeps its status.
            kept = CommitmentStatus(current.status) if current is not None else None
            status = kept if kept is not None and kept.open else CommitmentStatus.IN_PROGRESS
        if status is CommitmentStatus.DONE:
            if row.completed_on is None:
                item.problems.append(row.problem("completed_on", "状态是“已完成”，请填写完成日期"))
                return None
            try:
                _check_day(row.completed_on, "完成日期", year, today)
            except ValidationError as exc:
                item.problems.append(row.problem("completed_on", exc.message))
                return None
            completed_on = row.completed_on
        elif row.completed_on is not None:
            item.problems.append(row.problem("completed_on", f"填写了完成日期，但状态是“{status.label}”"))
            return None
        if status is CommitmentStatus.ADJUSTED:
            if current is None or not _is_adjusted(current):
                item.problems.append(
                    row.problem(
                        "status", "“已调整”的事项请在程序中用“调整”录入新内容和调整原因（原承诺会保留），不能直接导入"
                    )
                )
                return None
        if (
            current is not None
            and _is_adjusted(current)
            and status in (CommitmentStatus.NOT_STARTED, CommitmentStatus.IN_PROGRESS)
        ):
            status = CommitmentStatus.ADJUSTED  # still open; an adjusted item stays 已调整
        if status is CommitmentStatus.CANCELLED:
            reason = row.cancel_reason or row.note or ""
            if not reason:
                item.problems.append(row.problem("status", "状态是“已取消”，请在“取消原因”或“备注”列写明取消原因"))
                return None
            if current is not None and CommitmentStatus(current.status) is CommitmentStatus.CANCELLED:
                # A cancelled item saved without its day takes the year's day, as a new cancellation does.
                on = row.cancelled_on or current.cancelled_on or year_day(year, today)
            else:
                on = row.cancelled_on or year_day(year, today)
            try:
                _check_day(on, "取消日期", year, today)
            except ValidationError as exc:
                item.problems.append(row.problem("cancelled_on" if row.cancelled_on else "status", exc.message))
                return None
            return status, None, clean_text(reason), on
        if row.cancelled_on is not None:
            item.problems.append(row.problem("cancelled_on", f"填写了取消日期，但状态是“{status.label}”"))
            return None
        return status, completed_on, "", None

    def _write(self, item: _Planned) -> ImportRow | None:
        row, work = item.row, self.work
        current = item.record
        year, unit_id = item.year, item.unit_id
        assert year is not None and unit_id is not None  # every row without problems has them by now
        if row.due is None:
            deadline = current.deadline if current is not None else None
            quarter = current.target_quarter if current is not None else None
        else:
            try:
                deadline, quarter = row.due.for_year(year)
                _check_due(year, deadline, quarter)
            except ValidationError as exc:
                item.problems.append(row.problem("due", exc.message))
                return None
        content, target = row.content, row.target
        if current is not None and _is_adjusted(current):
            # A file made before the adjustment still shows the original promise: that does not
            # undo the adjustment (the original is kept beside it), so the adjusted values stay.
            if clean_text(content) == current.original_content:
                content = current.content
            if target is not None and clean_text(target) == current.original_target:
                target = current.target
            original_due = current.original_deadline or date(year, 12, 31)
            if row.due is not None and due_date(year, deadline, quarter) == original_due:
                deadline, quarter = current.deadline, current.target_quarter
        try:
            if current is None or row.category is not None:
                work.check_category(row.category or "", keep=current.category if current is not None else None)
        except ValidationError as exc:
            item.problems.append(row.problem("category", exc.message))
            return None
        resolved = self._resolve_status(item, deadline, quarter, current)
        if resolved is None:
            return None
        status, completed_on, cancel_reason, cancelled_on = resolved

        def keep(value: _V | None, old: _V) -> _V:
            return old if value is None else value

        draft = CommitmentDraft(
            unit_id=unit_id,
            year=year,
            content=content,
            category=keep(row.category, current.category if current else ""),
            target=keep(target, current.target if current else ""),
            deadline=deadline,
            target_quarter=quarter,
            responsible=keep(row.responsible, current.responsible if current else ""),
            number=item.number,
            status=status,
            completed_on=completed_on,
            cancel_reason=cancel_reason,
            note=keep(row.note, current.note if current else ""),
        )
        try:
            if current is None:
                work.add(draft, cancelled_on=cancelled_on)
                return ImportRow(
                    row.sheet, row.row, row.unit_name, draft, (), ADDED, (), cancelled_on, notes=tuple(item.notes)
                )
            replaced = self._update(current, draft, cancelled_on)
        except LsbError as exc:
            item.problems.append(row.problem(None, exc.message))
            return None
        action = REPLACED if replaced else UNCHANGED
        changes = tuple(f"{label}：{old or '（空）'} → {new or '（空）'}" for label, old, new in replaced)
        return ImportRow(
            row.sheet,
            row.row,
            row.unit_name,
            draft,
            (),
            action,
            changes,
            cancelled_on,
            tuple(replaced),
            item.matched_by,
            tuple(item.notes),
        )

    def _update(
        self, record: CommitmentRecord, draft: CommitmentDraft, cancelled_on: date | None
    ) -> list[tuple[str, str, str]]:
        """Bring an existing item to what the row says; the changes as (what, old, new)."""
        work = self.work
        old_status = CommitmentStatus(record.status)
        new_status = draft.status
        # Check the status change first, so a refused row changes nothing.
        if new_status is not old_status:
            if new_status is CommitmentStatus.DONE and old_status is CommitmentStatus.ADJUSTED:
                check_transition(old_status, new_status, adjusted=True)
            elif old_status is CommitmentStatus.DONE and new_status is CommitmentStatus.ADJUSTED:
                check_transition(old_status, CommitmentStatus.IN_PROGRESS)
            else:
                check_transition(old_status, new_status, reason=draft.cancel_reason, adjusted=_is_adjusted(record))
        changes = []
        labels = (
            ("content", "内容"),
            ("category", "类别"),
            ("target", "目标"),
            ("responsible", "责任人"),
            ("note", "备注"),
        )
        before = {key: getattr(record, key) for key, _ in labels}
        old_due = due_text(record.year, record.deadline, record.target_quarter)
        due_changed = (record.deadline, record.target_quarter) != (draft.deadline, draft.target_quarter)
        work.update(
            record,
            content=draft.content,
            category=draft.category,
            target=draft.target,
            responsible=draft.responsible,
            note=draft.note,
            deadline=draft.deadline,
            target_quarter=draft.target_quarter,
            clear_due=draft.deadline is None and draft.target_quarter is None,
            action="导入更新承诺事项",
            reason=self.reason,
        )
        for key, label in labels:
            if getattr(record, key) != before[key]:
                changes.append((label, before[key] or "", getattr(record, key) or ""))
        if due_changed:
            changes.append(("完成时限", old_due, due_text(record.year, record.deadline, record.target_quarter)))
        if new_status is CommitmentStatus.CANCELLED:
            if old_status is not CommitmentStatus.CANCELLED:
                work.cancel(record, draft.cancel_reason, cancelled_on or work.today)  # reason: the row's
                changes.append(("状态", old_status.label, f"已取消（{draft.cancel_reason}）"))
            elif (record.cancel_reason, record.cancelled_on) != (draft.cancel_reason, cancelled_on):
                old = _snapshot(record)
                record.cancel_reason, record.cancelled_on = draft.cancel_reason, cancelled_on
                work.audit("导入更新承诺事项", _entity(record), old, _snapshot(record), self.reason)
                changes.append(("取消原因", old["cancel_reason"], draft.cancel_reason))
        elif new_status is not old_status or (
            new_status is CommitmentStatus.DONE and draft.completed_on != record.completed_on
        ):
            old_done = record.completed_on
            work.set_status(record, new_status, on=draft.completed_on, reason=self.reason)
            if new_status is CommitmentStatus.DONE and old_status is CommitmentStatus.DONE:
                changes.append(("完成日期", _day_text(old_done), _day_text(record.completed_on)))
            elif CommitmentStatus(record.status) is not old_status:
                changes.append(("状态", old_status.label, CommitmentStatus(record.status).label))
        return changes
