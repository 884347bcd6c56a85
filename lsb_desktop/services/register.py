"""The register's public read model: each unit's records loaded in one go, and the units as of a day.

Other services read the register through this module, inside their own session; they change it
only through VillageService's calls (the `…_in(session, …)` ones join the caller's transaction).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import DistrictRecord, SecretaryTermRecord, UnitRecord, UnitVersionRecord
from lsb_desktop.domain.register import OrgType, Unit, UnitKind, UnitStatus


@dataclass
class UnitHistory:
    """A unit's records, loaded together: the row, its versions (oldest first), its secretary
    terms (by start). The records belong to the session that loaded them: read them; change
    them only through VillageService."""

    record: UnitRecord
    versions: list[UnitVersionRecord]
    terms: list[SecretaryTermRecord]

    def version_on(self, day: date) -> UnitVersionRecord | None:
        """The version in force on `day`; None before the unit was registered."""
        chosen = None
        for version in self.versions:
            if version.valid_from <= day:
                chosen = version
        return chosen

    @property
    def first(self) -> UnitVersionRecord:
        """The first registration (its valid_from is the 在册起始日期)."""
        return self.versions[0]

    @property
    def latest(self) -> UnitVersionRecord:
        return self.versions[-1]

    def term_on(self, day: date) -> SecretaryTermRecord | None:
        for term in self.terms:
            if term.start_date <= day and (term.end_date is None or day <= term.end_date):
                return term
        return None

    @property
    def open_term(self) -> SecretaryTermRecord | None:
        for term in self.terms:
            if term.end_date is None:
                return term
        return None


def load_units(session: Session, unit_ids: Iterable[int] | None = None) -> dict[int, UnitHistory]:
    """Every unit's history (or those of `unit_ids`), in the register's display order."""
    units = select(UnitRecord).order_by(UnitRecord.display_order, UnitRecord.id)
    versions = select(UnitVersionRecord).order_by(
        UnitVersionRecord.unit_id, UnitVersionRecord.valid_from, UnitVersionRecord.id
    )
    terms = select(SecretaryTermRecord).order_by(
        SecretaryTermRecord.unit_id, SecretaryTermRecord.start_date, SecretaryTermRecord.id
    )
    if unit_ids is not None:
        ids = list(unit_ids)
        units = units.where(UnitRecord.id.in_(ids))
        versions = versions.where(UnitVersionRecord.unit_id.in_(ids))
        terms = terms.where(SecretaryTermRecord.unit_id.in_(ids))
    by_unit: dict[int, list[UnitVersionRecord]] = defaultdict(list)
    for version in session.scalars(versions):
        by_unit[version.unit_id].append(version)
    terms_by_unit: dict[int, list[SecretaryTermRecord]] = defaultdict(list)
    for term in session.scalars(terms):
        terms_by_unit[term.unit_id].append(term)
    return {
        record.id: UnitHistory(record, by_unit[record.id], terms_by_unit[record.id])
        for record in session.scalars(units)
    }


def district_names(session: Session) -> dict[int, str]:
    """管区 id → name, every 管区 (also those no longer used)."""
    return dict(session.execute(select(DistrictRecord.id, DistrictRecord.name)).all())


def names_on(histories: dict[int, UnitHistory], day: date) -> dict[int, str]:
    """Each unit's name on `day` (its first name before it was registered)."""
    names = {}
    for unit_id, history in histories.items():
        version = history.version_on(day) or history.versions[0]
        names[unit_id] = version.name
    return names


def unit_as_of(history: UnitHistory, day: date, districts: dict[int, str], names: dict[int, str]) -> Unit:
    """The unit as it stood on `day` (as first registered, before that): name, kind, 管区,
    status and the secretary in office that day. `names` gives a merge target's name."""
    version = history.version_on(day) or history.versions[0]
    term = history.term_on(day)
    return Unit(
        id=history.record.id,
        name=version.name,
        kind=UnitKind(version.kind),
        org_type=OrgType(version.org_type),
        district_id=version.district_id,
        district_name=districts.get(version.district_id, "") if version.district_id else "",
        status=UnitStatus(version.status),
        merged_into_id=version.merged_into_id,
        merged_into_name=names.get(version.merged_into_id, "") if version.merged_into_id else "",
        secretary=term.person if term else "",
        secretary_since=term.start_date if term else None,
        display_order=history.record.display_order,
        note=history.record.note,
        registered_from=history.versions[0].valid_from,
    )


def units_on(session: Session, day: date) -> list[Unit]:
    """The units registered by `day`, each as it stood that day, in display order."""
    histories = load_units(session)
    districts = district_names(session)
    names = names_on(histories, day)
    return [
        unit_as_of(history, day, districts, names)
        for history in histories.values()
        if history.versions[0].valid_from <= day
    ]


def secretaries_on(session: Session, day: date) -> dict[int, str]:
    """Unit id → the secretary in office on `day`, for the units that had one."""
    return {unit.id: unit.secretary for unit in units_on(session, day) if unit.secretary}
