"""Consistent copies of the data file through SQLite's backup API, and their rotation.

Which backups are kept (the one statement of the rule; `kept_by_age` applies it):
- the newest KEEP_NEWEST (30), whatever their age;
- every backup of the last KEEP_ALL_DAYS (7) days;
- the newest backup of each day for KEEP_DAILY_DAYS (30) days;
- the newest backup of each calendar month for KEEP_MONTHLY_DAYS (365) days;
- every backup whose reason is in KEEP_ALWAYS (the first backup of the data, "initial");
- and whatever the caller's `protect` adds: the service layer keeps, for good, the last backup
  before each change of the finalised results in force (lsb_desktop.services.storage).
Ages count from the moment of the backup just taken, so 60 backups in one afternoon never push
out last month's restore points.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

KEEP_NEWEST = 30
KEEP_ALL_DAYS = 7
KEEP_DAILY_DAYS = 30
KEEP_MONTHLY_DAYS = 365
KEEP_ALWAYS = ("initial",)
_NAME = re.compile(r"^lsb-(\d{8})-(\d{6})(?:-(\d+))?-([a-z-]+)\.db$")
# A copy being written is named *.partial; SQLite may put its own files beside it.
PARTIAL_SUFFIX = ".partial"
SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken_at: datetime
    reason: str


def copy_database(source: Path, target: Path) -> None:
    """Copy a live SQLite file page by page into a NEW file (safe while others hold the source
    open in WAL mode). The target is thrown away if the copy fails, so it is written without a
    rollback journal: no `-journal` file beside it, and no disk space spent on one."""
    _copy(source, target, journal=False)


def replace_contents(source: Path, target: Path) -> None:
    """Overwrite an existing database with a copy of `source` in one transaction of the
    target's own journal: a failure part-way leaves the target as it was."""
    _copy(source, target, journal=True)


def _copy(source: Path, target: Path, journal: bool) -> None:
    src = sqlite3.connect(str(source))
    try:
        dst = sqlite3.connect(str(target))
        try:
            if not journal:
                dst.execute("PRAGMA journal_mode = OFF")
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def remove_with_side_files(path: Path) -> None:
    """Delete a database file and whatever SQLite left beside it (-journal, -wal, -shm)."""
    for candidate in (path, *(path.with_name(path.name + side) for side in SQLITE_SIDE_FILES)):
        candidate.unlink(missing_ok=True)


def remove_partials(folder: Path) -> list[Path]:
    """Delete the half-written copies a killed or failed backup left (*.partial and SQLite's
    files beside them); returns what was removed. Complete backups are never touched."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for path in folder.iterdir():
        name = path.name
        if name.endswith(PARTIAL_SUFFIX) or any(name.endswith(PARTIAL_SUFFIX + side) for side in SQLITE_SIDE_FILES):
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            removed.append(path)
    return removed


# Given every backup (newest first) and those the age rule would delete, the ones to keep anyway.
Protect = Callable[[Sequence["BackupFile"], Sequence["BackupFile"]], set[Path]]


def take_backup(
    database: Path, folder: Path, reason: str, now: datetime | None = None, protect: Protect | None = None
) -> Path:
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
    partial = target.with_suffix(PARTIAL_SUFFIX)
    try:
        copy_database(database, partial)
        partial.replace(target)
    except BaseException:
        # A full disk or a killed copy leaves no half-written file behind: neither the copy nor
        # a journal SQLite began beside it. If even that cannot be deleted now, the next open
        # clears it (remove_partials); the copy's own error is the one reported.
        try:
            remove_with_side_files(partial)
        except OSError:
            pass
        raise
    try:
        prune(folder, now=moment, protect=protect)
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


def kept_by_age(found: Sequence[BackupFile], now: datetime, keep: int = KEEP_NEWEST) -> set[Path]:
    """The backups the rule of this module keeps (see its docstring); `found` newest first.
    A backup dated after `now` (a clock set back) counts as new."""
    kept = {b.path for b in found[:keep]}
    days: dict[object, BackupFile] = {}
    months: dict[object, BackupFile] = {}
    for backup in found:
        age = now - backup.taken_at
        if backup.reason in KEEP_ALWAYS or age < timedelta(days=KEEP_ALL_DAYS):
            kept.add(backup.path)
        # found is newest first: the first one met for a day or a month is its newest
        if age < timedelta(days=KEEP_DAILY_DAYS):
            days.setdefault(backup.taken_at.date(), backup)
        if age < timedelta(days=KEEP_MONTHLY_DAYS):
            months.setdefault((backup.taken_at.year, backup.taken_at.month), backup)
    kept.update(b.path for b in days.values())
    kept.update(b.path for b in months.values())
    return kept


def prune(
    folder: Path, keep: int = KEEP_NEWEST, now: datetime | None = None, protect: Protect | None = None
) -> list[Path]:
    """Delete the backups the rule does not keep (nor `protect`); returns what was deleted."""
    found = list_backups(folder)
    kept = kept_by_age(found, now or datetime.now(), keep)
    doomed = [b for b in found if b.path not in kept]
    if doomed and protect is not None:
        kept |= set(protect(found, doomed))
    removed = []
    for old in found:
        if old.path not in kept:
            old.path.unlink(missing_ok=True)
            removed.append(old.path)
    return removed
