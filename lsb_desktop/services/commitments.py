"""Commitments (定标亮诺): items per unit and year, their quarterly progress and evidence files,
adjustments and cancellations with reasons, carry-over into the next year, the completion rate
(which a round's 承诺完成 component reads), and the Excel import. Every change is audited."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import CommitmentRecord
from lsb_desktop.domain.commitments import (
    Commitment,
    CommitmentDraft,
    CommitmentStatus,
    Completion,
    EvidenceFile,
    ProgressEntry,
    UnitCompletion,
    completion,
)
from lsb_desktop.domain.period import Period
from lsb_desktop.services.evidence import EvidenceStore
from lsb_desktop.services.villages import VillageService


def to_commitment(record: CommitmentRecord, unit_name: str = "", district_name: str = "",
                  latest_percent: int | None = None, evidence_count: int = 0) -> Commitment:
    return Commitment(
        id=record.id, unit_id=record.unit_id, unit_name=unit_name, district_name=district_name,
        year=record.year, number=record.number, content=record.content, category=record.category,
        target=record.target, deadline=record.deadline, target_quarter=record.target_quarter,
        responsible=record.responsible, status=CommitmentStatus(record.status),
        original_content=record.original_content, original_target=record.original_target,
        original_deadline=record.original_deadline, adjust_reason=record.adjust_reason,
        adjusted_on=record.adjusted_on, cancel_reason=record.cancel_reason, cancelled_on=record.cancelled_on,
        completed_on=record.completed_on, carried_from_id=record.carried_from_id, note=record.note,
        latest_percent=latest_percent, evidence_count=evidence_count,
    )


def completion_by_unit(session: Session, unit_ids: Iterable[int], period: Period) -> dict[int, Completion]:
    """Each unit's completion on the last day of `period`, over its commitments of that year
    (used inside a round's own session, so a round and its rates are read together)."""
    wanted = list(unit_ids)
    items: dict[int, list[Commitment]] = defaultdict(list)
    for record in session.scalars(select(CommitmentRecord).where(
            CommitmentRecord.year == period.year, CommitmentRecord.unit_id.in_(wanted))):
        items[record.unit_id].append(to_commitment(record))
    return {unit_id: completion(items[unit_id], period.last_day) for unit_id in wanted}


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One row of a commitments file, as understood (for the preview)."""

    sheet: str
    row: int
    unit_name: str
    draft: CommitmentDraft | None  # None when the row has problems
    problems: tuple[str, ...] = ()
    action: str = ""  # 新增 / 更新 / 不变


@dataclass(frozen=True, slots=True)
class CommitmentImportPreview:
    """What importing a file would do; nothing is written until `apply_import`."""

    path: Path
    rows: tuple[ImportRow, ...]
    problems: tuple[str, ...]  # every problem, "工作表“…”第 N 行“列”：…"
    count_new: int = 0
    count_changed: int = 0
    count_unchanged: int = 0

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.problems


class CommitmentService:
    """One public call is one unit of work; returns domain objects, never records."""

    def __init__(self, database: Database, villages: VillageService, evidence: EvidenceStore,
                 backup=None) -> None:
        self._db = database
        self._villages = villages
        self._evidence = evidence
        self._backup = backup  # callable(reason) taking a backup before a bulk import

    # ----- settings -------------------------------------------------------------------------------

    def categories(self) -> tuple[str, ...]:
        """The category list (editable; DEFAULT_CATEGORIES until saved)."""
        raise NotImplementedError

    def save_categories(self, names: Sequence[str]) -> tuple[str, ...]:
        """Refuses an empty list, blanks and duplicates; a category still used stays allowed."""
        raise NotImplementedError

    # ----- reading --------------------------------------------------------------------------------

    def years(self) -> list[int]:
        """Years that have commitments, newest first."""
        raise NotImplementedError

    def list_commitments(self, year: int, unit_id: int | None = None) -> list[Commitment]:
        """Items of a year (one unit's, or all), by the units' register order, then number."""
        raise NotImplementedError

    def get(self, commitment_id: int) -> Commitment:
        raise NotImplementedError

    def progress(self, commitment_id: int) -> list[ProgressEntry]:
        """The item's progress entries, oldest quarter first, each with its evidence files."""
        raise NotImplementedError

    def evidence(self, commitment_id: int) -> list[EvidenceFile]:
        """Every evidence file of the item (attached to the item or to one of its entries)."""
        raise NotImplementedError

    def evidence_path(self, evidence_id: int) -> Path:
        """The file to open, checked against its checksum (raises in Chinese if gone/changed)."""
        raise NotImplementedError

    def completion_of(self, unit_id: int, period: Period) -> Completion:
        raise NotImplementedError

    def summary(self, year: int, on: date | None = None) -> list[UnitCompletion]:
        """Per unit (every unit that has items that year, and every unit active then): items,
        done, cancelled, overdue and the rate on `on` (default: today, or 31 Dec of a past year)."""
        raise NotImplementedError

    # ----- writing --------------------------------------------------------------------------------

    def add(self, draft: CommitmentDraft) -> Commitment:
        raise NotImplementedError

    def update(self, commitment_id: int, *, content: str | None = None, category: str | None = None,
               target: str | None = None, deadline: date | None = None, target_quarter: int | None = None,
               clear_due: bool = False, responsible: str | None = None, note: str | None = None) -> Commitment:
        """Correct what was typed (not an adjustment: the original text is not kept)."""
        raise NotImplementedError

    def adjust(self, commitment_id: int, *, content: str, target: str, deadline: date | None,
               target_quarter: int | None, reason: str, on: date) -> Commitment:
        """已调整: new content/target/deadline, the first original kept beside it, with a reason."""
        raise NotImplementedError

    def set_status(self, commitment_id: int, status: CommitmentStatus, *, on: date | None = None,
                   reason: str = "") -> Commitment:
        """未启动/推进中/已完成 (completed on `on`); 已取消 needs `reason`; 已调整 only via adjust."""
        raise NotImplementedError

    def cancel(self, commitment_id: int, reason: str, on: date) -> Commitment:
        raise NotImplementedError

    def record_progress(self, commitment_id: int, period: Period, percent: int, done_text: str,
                        entry_date: date, *, complete: bool = False) -> ProgressEntry:
        """Add or replace the item's entry for `period`; `complete` also marks it 已完成 on
        `entry_date` (percent must then be 100)."""
        raise NotImplementedError

    def attach(self, commitment_id: int, path: Path, period: Period | None = None,
               note: str = "") -> EvidenceFile:
        """Copy a file in with its checksum; to the period's progress entry if given (the entry
        must exist), else to the item."""
        raise NotImplementedError

    def delete(self, commitment_id: int, reason: str) -> None:
        """Remove an item typed by mistake: only one with no progress, no evidence, not carried
        on into another year."""
        raise NotImplementedError

    def carry_over(self, year: int, unit_ids: Iterable[int] | None = None) -> list[Commitment]:
        """Copy the items of `year` still not done or cancelled at its end into `year + 1`
        (linked by carried_from_id, numbered after the unit's items there). An item already
        carried over is not copied again."""
        raise NotImplementedError

    # ----- import ---------------------------------------------------------------------------------

    def preview_import(self, path: Path, default_year: int | None = None) -> CommitmentImportPreview:
        raise NotImplementedError

    def apply_import(self, preview: CommitmentImportPreview) -> int:
        """Write every row or none (a backup is taken first); returns the number written."""
        raise NotImplementedError
