"""The values a roster import or export deals in: rows read, problems found, rows written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lsb_desktop.domain.register import OrgType, UnitKind


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One unit read from a roster, already validated and normalised."""

    sheet: str
    row: int
    name: str
    kind: UnitKind
    org_type: OrgType
    district: str
    secretary: str
    secretary_since: date | None
    display_order: int | None
    note: str
    # 在册起始日期 as written in the file; None (the usual case): in the register since always.
    start: date | None = None


@dataclass(frozen=True, slots=True)
class RosterProblem:
    """Something in the file that stops the import, located for the clerk."""

    sheet: str
    row: int | None
    column: str
    field: str
    message: str

    def where(self) -> str:
        """工作表“名册” 第5行 B列（村（社区）名称）; just the sheet for a sheet-level problem."""
        if self.row is None:
            return f"工作表“{self.sheet}”"
        place = f"工作表“{self.sheet}” 第{self.row}行" if self.sheet else f"第{self.row}行"
        if self.column:
            place += f" {self.column}列"
        if self.field:
            place += f"（{self.field}）"
        return place


@dataclass(frozen=True, slots=True)
class RosterRead:
    """The outcome of reading a roster: good rows, problems, and what was left out."""

    rows: tuple[RosterRow, ...]
    problems: tuple[RosterProblem, ...]
    skipped: tuple[str, ...]
    ignored_columns: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.problems


@dataclass(frozen=True, slots=True)
class RosterExportRow:
    """One unit as written to an exported roster; all labels already in Chinese."""

    name: str
    kind: str
    org_type: str
    district: str
    secretary: str
    secretary_since: date | None
    status: str
    note: str
    # The first registration's valid_from; REGISTER_START (since always) is written as blank.
    start: date | None = None
