"""Consistent copies of the data file through SQLite's backup API, and their rotation."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

KEEP = 30
_NAME = re.compile(r"^lsb-(\d{8})-(\d{6})(?:-(\d+))?-([a-z-]+)\.db$")


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken_at: datetime
    reason: str


def copy_database(source: Path, target: Path) -> None:
    """Copy a live SQLite file page by page (safe while others hold it open in WAL mode)."""
    src = sqlite3.connect(str(source))
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def take_backup(database: Path, folder: Path, reason: str, now: datetime | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    moment = now or datetime.now()
    stem = f"lsb-{moment:%Y%m%d-%H%M%S}"
    # Several backups in one second (whatever their reasons) are told apart by a counter, so
    # the newest always sorts first.
    taken = {path.name for path in folder.glob(f"{stem}-*.db")}
    if not taken:
        target = folder / f"{stem}-{reason}.db"
    else:
        counter = 1
        while any(name.startswith(f"{stem}-{counter}-") for name in taken):
            counter += 1
        target = folder / f"{stem}-{counter}-{reason}.db"
    partial = target.with_suffix(".partial")
    try:
        copy_database(database, partial)
        partial.replace(target)
    except BaseException:
        # A full disk or a killed copy leaves no half-written file behind.
        partial.unlink(missing_ok=True)
        raise
    try:
        prune(folder)
    except OSError:
        pass  # the backup itself is complete; an old one that cannot be removed is kept
    return target


def list_backups(folder: Path) -> list[BackupFile]:
    """Backups newest first."""
    found: list[tuple[datetime, int, BackupFile]] = []
    if folder.is_dir():
        for path in folder.iterdir():
            match = _NAME.match(path.name)
            if match:
                taken = datetime.strptime(match.group(1) + match.group(2), "%Y%m%d%H%M%S")
                counter = int(match.group(3) or 0)
                found.append((taken, counter, BackupFile(path, taken, match.group(4))))
    # Several backups in one second carry a counter: -2- comes after -1-, and -10- after -9-.
    found.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [item[2] for item in found]


def prune(folder: Path, keep: int = KEEP) -> None:
    for old in list_backups(folder)[keep:]:
        old.path.unlink(missing_ok=True)
