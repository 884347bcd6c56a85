"""The data folder: opening it (lock, version check, daily backup, migrations), backup,
restore and the integrity check."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from db import backup as backups
from db.engine import Database, DatabaseTooNew, NotOurDatabase, RevisionState, file_revision
from lsb_desktop.config import DataPaths
from lsb_desktop.errors import LockedError, StorageError, ValidationError

REASON_LABELS = {
    "daily": "每日自动备份",
    "manual": "手动备份",
    "pre-migrate": "升级前备份",
    "pre-restore": "恢复前备份",
    "pre-import": "导入前备份",
}


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    taken_at: datetime
    reason: str

    @property
    def reason_label(self) -> str:
        return REASON_LABELS.get(self.reason, self.reason)


@dataclass(frozen=True, slots=True)
class CheckReport:
    database: Path
    problems: tuple[str, ...]
    revision: str | None
    head: str

    @property
    def ok(self) -> bool:
        return not self.problems and self.revision == self.head

    def lines(self) -> list[str]:
        lines = [f"数据文件：{self.database}"]
        lines.append("完整性检查：通过" if not self.problems else f"完整性检查：发现 {len(self.problems)} 个问题")
        lines.extend(f"  {problem}" for problem in self.problems)
        state = "最新" if self.revision == self.head else "需要升级"
        lines.append(f"数据版本：{self.revision or '（空）'}（程序版本 {self.head}，{state}）")
        return lines


def _explain(exc: Exception, path: Path) -> StorageError:
    if isinstance(exc, DatabaseTooNew):
        return StorageError(
            f"数据文件“{path}”由更新版本的亮赛比桌面版创建（数据版本 {exc.revision}），"
            "本程序无法打开。请安装最新版本的程序后再打开，数据文件未作任何改动。"
        )
    return StorageError(f"“{path}”不是亮赛比桌面版的数据文件，或文件已损坏，无法打开。")


class DataFolder:
    """The lock on a data folder and the database inside it; `close()` releases both."""

    def __init__(self, root: Path) -> None:
        self.paths = DataPaths(Path(root))
        self._lock: FileLock | None = None
        self.database: Database | None = None
        self.revision: RevisionState | None = None

    def open(self, today: date | None = None) -> Database:
        root = self.paths.root
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"无法创建数据文件夹“{root}”：{exc.strerror or exc}") from exc
        lock = FileLock(str(self.paths.lock), timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise LockedError(
                f"另一个亮赛比桌面版正在使用数据文件夹“{root}”。请先关闭它，再打开本程序。"
            ) from None
        except OSError as exc:
            raise StorageError(f"无法锁定数据文件夹“{root}”：{exc.strerror or exc}") from exc
        self._lock = lock
        try:
            path = self.paths.database
            try:
                state = file_revision(path)
            except (DatabaseTooNew, NotOurDatabase) as exc:
                raise _explain(exc, path) from exc
            if state.current is not None:
                self.daily_backup(today or date.today())
            database = Database(path)
            self.revision = database.upgrade(before=lambda _state: self.backup("pre-migrate"))
            self.database = database
            return database
        except BaseException:
            self.close()
            raise

    def daily_backup(self, today: date) -> Path | None:
        if any(b.taken_at.date() == today for b in backups.list_backups(self.paths.backups)):
            return None
        moment = backups.datetime.now()
        if moment.date() != today:
            # Stamped with the day it stands for, so the next open that day finds it.
            moment = datetime.combine(today, moment.time())
        return self.backup("daily", now=moment)

    def backup(self, reason: str = "manual", now: datetime | None = None) -> Path:
        try:
            return backups.take_backup(self.paths.database, self.paths.backups, reason, now)
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"备份失败：{exc}") from exc

    def list_backups(self) -> list[BackupInfo]:
        return [BackupInfo(b.path, b.taken_at, b.reason) for b in backups.list_backups(self.paths.backups)]

    def restore(self, source: Path) -> Path:
        """Replace the data with a backup file; the current data is backed up first.
        Returns the path of that safety backup."""
        source = Path(source)
        if not source.is_file():
            raise ValidationError(f"找不到备份文件“{source}”")
        with tempfile.TemporaryDirectory() as scratch:
            # Check a copy, so a damaged or foreign file never touches the live data.
            candidate = Path(scratch) / "candidate.db"
            try:
                shutil.copyfile(source, candidate)
                state = file_revision(candidate)
                conn = sqlite3.connect(str(candidate))
                try:
                    result = conn.execute("PRAGMA integrity_check").fetchone()[0]
                finally:
                    conn.close()
            except (DatabaseTooNew, NotOurDatabase) as exc:
                raise _explain(exc, source) from exc
            except (OSError, sqlite3.Error) as exc:
                raise StorageError(f"无法读取备份文件“{source}”：{exc}") from exc
            if result != "ok":
                raise StorageError(f"备份文件“{source}”已损坏（{result}），未恢复。")
            if state.current is None:
                raise StorageError(f"备份文件“{source}”是空的，未恢复。")
            safety = self.backup("pre-restore")
            database = self.database
            if database is not None:
                database.close()
            backups.copy_database(candidate, self.paths.database)
        if database is not None:
            self.revision = database.upgrade()
        return safety

    def check(self, extra_problems: tuple[str, ...] = ()) -> CheckReport:
        """Integrity and foreign keys, the migration state, and what the caller adds
        (the audit chain's verdict)."""
        database = self.database
        if database is None:
            raise StorageError("数据文件尚未打开")
        state = file_revision(self.paths.database)
        problems = tuple(database.integrity_problems()) + tuple(extra_problems)
        return CheckReport(self.paths.database, problems, state.current, state.head)

    def close(self) -> None:
        if self.database is not None:
            self.database.close()
            self.database = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None
