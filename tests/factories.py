"""Factories for test data (importable from any test folder: tests/ is on sys.path)."""

from __future__ import annotations

from datetime import date

from lsb_desktop.core import Core
from lsb_desktop.domain.register import OrgType, UnitDraft, UnitKind


def make_unit(
    core: Core,
    name: str,
    *,
    kind: UnitKind | None = None,
    org_type: OrgType = OrgType.BRANCH,
    district_id: int | None = None,
    secretary: str = "",
    since: date | None = None,
    effective: date | None = None,
):
    """Factory: register a unit; the kind follows the name unless given."""
    if kind is None:
        kind = UnitKind.COMMUNITY if name.endswith(("社区", "社区）")) else UnitKind.VILLAGE
    draft = UnitDraft(name, kind, org_type, district_id, secretary, since)
    return core.villages.add_unit(draft, effective or date(2022, 1, 1)).value


def write_sheet(path, header, rows, title: str | None = None):
    """Factory: an .xlsx file with one sheet (named `title` if given): a header row, then `rows`."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    if title:
        sheet.title = title
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path
