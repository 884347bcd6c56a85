"""Business settings of the township (name, Party committee), with declared defaults."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from db.engine import Database
from db.models import SettingRecord
from lsb_desktop.changes import Changed, Changes
from lsb_desktop.domain.text import clean
from lsb_desktop.errors import ValidationError

if TYPE_CHECKING:
    from lsb_desktop.domain.paper_settings import CertificateSettings

PLACEHOLDER_TOWNSHIP = "XX镇"
PLACEHOLDER_COMMITTEE = "中共XX镇委员会"


@dataclass(frozen=True, slots=True)
class TownshipSettings:
    township_name: str = ""
    party_committee: str = ""

    @property
    def is_set(self) -> bool:
        return bool(self.township_name and self.party_committee)

    @property
    def township_or_placeholder(self) -> str:
        return self.township_name or PLACEHOLDER_TOWNSHIP

    @property
    def committee_or_placeholder(self) -> str:
        if self.party_committee:
            return self.party_committee
        if self.township_name:
            return f"中共{self.township_name}委员会"
        return PLACEHOLDER_COMMITTEE


_KEYS = {"township_name": "township.name", "party_committee": "township.party_committee"}
CERTIFICATE_KEY = "paper.certificates"


class SettingsService:
    def __init__(self, database: Database) -> None:
        self._db = database

    def township(self) -> TownshipSettings:
        with self._db.session() as session:
            stored = {row.key: row.value for row in session.query(SettingRecord)}
        return TownshipSettings(**{field: stored.get(key, "") for field, key in _KEYS.items()})

    def save_township(self, township_name: str, party_committee: str) -> Changed[TownshipSettings]:
        values = {"township_name": clean(township_name), "party_committee": clean(party_committee)}
        for label, value in (("乡镇名称", values["township_name"]), ("党委名称", values["party_committee"])):
            if len(value) > 40:
                raise ValidationError(f"{label}太长（最多 40 个字）")
        if values["township_name"] and not values["township_name"].endswith(("镇", "乡", "街道", "办事处")):
            raise ValidationError("乡镇名称应以“镇”“乡”或“街道”结尾，例如“孟庄镇”")
        with self._db.session() as session, session.begin():
            for field, key in _KEYS.items():
                session.merge(SettingRecord(key=key, value=values[field]))
        return Changed(TownshipSettings(**values), Changes.SETTINGS)

    def certificates(self) -> CertificateSettings:
        """The certificate and notice settings (wording, page, offsets, fonts), or the defaults."""
        from lsb_desktop.domain.paper_settings import CertificateSettings

        with self._db.session() as session:
            stored = session.get(SettingRecord, CERTIFICATE_KEY)
        if stored is None:
            return CertificateSettings()
        return CertificateSettings.from_dict(json.loads(stored.value))

    def save_certificates(self, settings: CertificateSettings) -> Changed[CertificateSettings]:
        with self._db.session() as session, session.begin():
            session.merge(SettingRecord(key=CERTIFICATE_KEY, value=json.dumps(settings.to_dict(), ensure_ascii=False)))
        return Changed(settings, Changes.SETTINGS)
