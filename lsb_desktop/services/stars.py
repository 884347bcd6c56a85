"""五星支部: plans, rating steps, losses (降星/撤星) and targets per year; the year's matrix and
summary; the plan import. Every star change goes to the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from db.engine import Database
from lsb_desktop.domain.commitments import EvidenceFile
from lsb_desktop.domain.stars import LossKind, StarCell, StarStep, Targets, YearSummary
from lsb_desktop.services.evidence import EvidenceStore
from lsb_desktop.services.villages import VillageService


@dataclass(frozen=True, slots=True)
class StarEvent:
    """One line of a unit's star history (创建计划, a step passed or 未通过, 命名, 降星/撤星)."""

    year: int
    star: str
    on: date | None
    text: str


@dataclass(frozen=True, slots=True)
class PlanImportRow:
    sheet: str
    row: int
    unit_name: str
    unit_id: int | None
    stars: tuple[str, ...]  # planned this year
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanImportPreview:
    path: Path
    year: int
    rows: tuple[PlanImportRow, ...]
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.problems


class StarService:
    def __init__(self, database: Database, villages: VillageService, evidence: EvidenceStore,
                 backup=None) -> None:
        self._db = database
        self._villages = villages
        self._evidence = evidence
        self._backup = backup

    # ----- reading --------------------------------------------------------------------------------

    def years(self) -> list[int]:
        """Years with any star data or target, newest first."""
        raise NotImplementedError

    def year_view(self, year: int, on: date | None = None) -> YearSummary:
        """The township in `year`: every unit active on `on` (default 31 Dec of the year, or
        today in the current year) with a cell for each star of its set that year, plus cells
        of stars outside the set that it still has history for (in_set False); the targets."""
        raise NotImplementedError

    def cell(self, unit_id: int, year: int, star: str) -> StarCell:
        raise NotImplementedError

    def history(self, unit_id: int) -> list[StarEvent]:
        """Everything that happened to the unit's stars, oldest first (readable across a 村改社区)."""
        raise NotImplementedError

    def level_history(self, years: Sequence[int]) -> dict[int, dict[int, int]]:
        """year → level → number of units (for the distribution chart)."""
        raise NotImplementedError

    def star_count_history(self, years: Sequence[int]) -> dict[int, dict[str, int]]:
        """year → star → number of units holding it at the end of the year."""
        raise NotImplementedError

    def targets(self, year: int) -> Targets:
        raise NotImplementedError

    def evidence(self, unit_id: int, year: int, star: str) -> list[EvidenceFile]:
        raise NotImplementedError

    def evidence_path(self, evidence_id: int) -> Path:
        raise NotImplementedError

    # ----- writing (each audited) ----------------------------------------------------------------

    def set_planned(self, unit_id: int, year: int, star: str, planned: bool, note: str = "") -> StarCell:
        """Refuses a star outside the unit's set that year, and planning a star already held."""
        raise NotImplementedError

    def record_step(self, unit_id: int, year: int, star: str, step: StarStep, passed: bool, on: date,
                    note: str = "") -> StarCell:
        """The next step in order (自评申报 → 镇初审 → 县评定 → 公示 → 命名), passed or 未通过."""
        raise NotImplementedError

    def undo_step(self, unit_id: int, year: int, star: str, reason: str) -> StarCell:
        """Take back the latest step of the year (a correction, with a reason)."""
        raise NotImplementedError

    def lose_star(self, unit_id: int, star: str, kind: LossKind, on: date, reason: str) -> StarCell:
        """降星/撤星 of a star held on `on`, with a reason (required)."""
        raise NotImplementedError

    def save_targets(self, targets: Targets) -> Targets:
        raise NotImplementedError

    def attach(self, unit_id: int, year: int, star: str, path: Path, note: str = "") -> EvidenceFile:
        raise NotImplementedError

    # ----- plan import ----------------------------------------------------------------------------

    def preview_plan_import(self, path: Path, year: int) -> PlanImportPreview:
        raise NotImplementedError

    def apply_plan_import(self, preview: PlanImportPreview) -> int:
        """Set the year's plan of every unit in the file, all or nothing (backup first)."""
        raise NotImplementedError
