"""The services, bundled in one Core object that the UI and the command line are handed."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import NoReturn

from sqlalchemy.orm import Session

from lsb_desktop.services.audit import AuditService, write_baseline
from lsb_desktop.services.commitments import CommitmentService
from lsb_desktop.services.evidence import EvidenceStore
from lsb_desktop.services.name_check import name_problems
from lsb_desktop.services.paper import PaperService
from lsb_desktop.services.roster import RosterService
from lsb_desktop.services.rounds import RoundService
from lsb_desktop.services.settings import SettingsService
from lsb_desktop.services.stars import StarService
from lsb_desktop.services.storage import CheckReport, DataFolder, ReadOnlyError
from lsb_desktop.services.trends import TrendService
from lsb_desktop.services.villages import VillageService


class _ReadOnlyEvidence(EvidenceStore):
    """The evidence of a data folder opened read-only: files are checked and shown, never added
    (the copy would fail before the database refused the row)."""

    def __init__(self, root: Path, reason: str) -> None:
        super().__init__(root)
        self._reason = reason

    def add(self, session: Session, owner: str, source: Path, note: str = "") -> NoReturn:
        raise ReadOnlyError(self._reason)


class Core:
    """One open data folder and the services over it. Use `Core.open(...)`; `close()` at exit."""

    def __init__(self, folder: DataFolder) -> None:
        self.folder = folder
        database = folder.database
        assert database is not None
        if folder.read_only is None:
            write_baseline(database)  # once, after the upgrade to data version 6
        self.villages = VillageService(database)
        self.settings = SettingsService(database)
        self.roster = RosterService(database, self.villages, folder.backup)
        self.rounds = RoundService(database, self.villages, folder.backup)
        self.audit = AuditService(database)
        self.paper = PaperService(self.rounds, self.settings)
        self.trends = TrendService(database)
        self.evidence = (
            EvidenceStore(folder.paths.evidence)
            if folder.read_only is None
            else _ReadOnlyEvidence(folder.paths.evidence, folder.read_only)
        )
        self.commitments = CommitmentService(database, self.villages, self.evidence, folder.backup)
        self.stars = StarService(database, self.villages, self.evidence, folder.backup)

    @classmethod
    def open(cls, data_dir: Path, today: date | None = None) -> Core:
        folder = DataFolder(data_dir)
        folder.open(today)
        return cls(folder)

    @property
    def read_only(self) -> str | None:
        """Why the data can only be looked at and exported (a read-only folder or file), or None."""
        return self.folder.read_only

    @property
    def data_dir(self) -> Path:
        return self.folder.paths.root

    def is_empty(self) -> bool:
        """A first start: no unit registered and no township name set."""
        return self.villages.count_units() == 0 and not self.settings.township().township_name

    def check(self) -> CheckReport:
        """检查数据: the data file's integrity and foreign keys, the audit log's hash chain, the
        data replayed from the log with each finalised round's seal, every evidence file's
        checksum and the stored names (invisible characters, look-alikes), as a CheckReport."""
        database = self.folder.database
        assert database is not None
        with database.session() as session:
            evidence = self.evidence.check_files(session)
        chain = self.audit.check_chain()
        data = self.audit.verify_data()
        with database.engine.connect() as connection:
            names = name_problems(connection)
        return self.folder.check(audit=(chain.entries, list(chain.problems)), evidence=evidence, data=data, names=names)

    def close(self) -> None:
        self.folder.close()

    def __enter__(self) -> Core:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
