"""Process options (data folder, smoke test, screenshot) in one immutable value."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from lsb_desktop import APP_ID

DATA_DIR_ENV = "LSB_DATA_DIR"


def default_data_dir() -> Path:
    """The user's data folder: %APPDATA%\\LiangSaiBi on Windows (never beside the program)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_ID, appauthor=False, roaming=True))


@dataclass(frozen=True)
class AppConfig:
    data_dir: Path
    smoke_test: bool = False
    screenshot: Path | None = None
    tab: str | None = None


@dataclass(frozen=True)
class DataPaths:
    """Where things live inside the data folder."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / "lsb.db"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def lock(self) -> Path:
        return self.root / "lsb.lock"

    @property
    def evidence(self) -> Path:
        """Evidence files (photos, documents) copied in for commitments and stars."""
        return self.root / "evidence"

    @property
    def logs(self) -> Path:
        return self.root / "logs"
