"""The data folder: opening it (lock, version check, daily backup, migrations), backup,
restore and the integrity check."""

from __future__ import annotations

import errno
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import text

from db import backup as backups
from db.engine import KNOWN_REVISIONS, Database, DatabaseTooNew, NotOurDatabase, RevisionState, file_revision
from lsb_desktop.config import DataPaths
from lsb_desktop.domain.period import QUARTER_NAMES
from lsb_desktop.errors import LockedError, StorageError, ValidationError

REASON_LABELS = {
    "initial": "新建数据时备份",
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


def version_text(revision: str | None, head: str) -> str:
    """The data version as a clerk reads it: 数据版本 4（最新）, never a migration's name."""

    def number(name: str | None) -> str:
        return str(KNOWN_REVISIONS.index(name) + 1) if name in KNOWN_REVISIONS else "未知"

    if revision is None:
        return "数据版本：（空白数据文件）"
    if revision == head:
        return f"数据版本 {number(revision)}（最新）"
    return f"数据版本 {number(revision)}（本程序使用数据版本 {number(head)}，打开时会自动升级）"


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What 检查数据 found, section by section, in the clerk's words. `audit_entries` and
    `evidence_files` are None when that part was not checked."""

    database: Path
    revision: str | None
    head: str
    integrity: tuple[str, ...] = ()
    audit: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    audit_entries: int | None = None
    evidence_files: int | None = None
    technical: tuple[str, ...] = ()  # SQLite's own words about a damaged file, for the support staff
    # The data replayed from the audit log: what differs (objects with .kind, .message and the
    # round/unit/judge/criterion/field/old/new they name), how many rows were compared (None:
    # not checked), and the latest seal of each finalised round (its 校验码).
    data: tuple = ()
    data_rows: int | None = None
    seals: tuple = ()

    @property
    def problems(self) -> tuple[str, ...]:
        return self.integrity + self.audit + tuple(d.message for d in self.data) + self.evidence

    def problem_objects(self) -> list[dict[str, object]]:
        """Every problem as an object for `check --json`: its kind, its message and what it names."""
        found: list[dict[str, object]] = [{"kind": "integrity", "message": p} for p in self.integrity]
        found += [{"kind": "audit_chain", "message": p} for p in self.audit]
        found += [d.as_json() for d in self.data]
        found += [{"kind": "evidence", "message": p} for p in self.evidence]
        return found

    @property
    def ok(self) -> bool:
        return not self.problems and self.revision == self.head

    @property
    def version(self) -> str:
        return version_text(self.revision, self.head)

    def checked_items(self) -> list[tuple[bool, str]]:
        """(passed, line) for each part checked, saying what was looked at and how it came out."""
        items = [(not self.integrity,
                  "数据库完整性、外键：" + ("通过" if not self.integrity else f"发现 {len(self.integrity)} 个问题"))]
        if self.audit_entries is not None:
            if self.audit:
                items.append((False, f"审计日志：共 {self.audit_entries} 条记录，发现 {len(self.audit)} 处改动或缺失"))
            else:
                items.append((True, f"审计日志：{self.audit_entries} 条审计记录哈希相连，未被改动"))
        if self.data_rows is not None:
            if self.data:
                items.append((False, f"数据与审计日志：发现 {len(self.data)} 处数据与审计日志的记录不一致"))
            else:
                items.append((True, f"数据与审计日志：{self.data_rows} 条评分、结果、五星和承诺事项记录"
                                    "与审计日志的记录一致"))
            for seal in self.seals:
                items.append((True, f"已定稿：{seal.line()}，请与存档的纸质汇总表核对"))
        if self.evidence_files is not None:
            if self.evidence:
                good = self.evidence_files - len(self.evidence)
                items.append((False, f"附件：共 {self.evidence_files} 个附件文件，{good} 个校验一致，"
                                     f"{len(self.evidence)} 个有问题"))
            elif self.evidence_files:
                items.append((True, f"附件：{self.evidence_files} 个附件文件校验一致"))
            else:
                items.append((True, "附件：还没有附件文件"))
        items.append((self.revision == self.head, self.version))
        return items

    def checked(self) -> list[str]:
        return [line for _, line in self.checked_items()]

    def lines(self) -> list[str]:
        lines = [f"数据文件：{self.database}"]
        problems = self.problems
        if problems:
            lines.append(f"检查结果：发现 {len(problems)} 个问题")
            lines.extend(f"  {index}. {problem}" for index, problem in enumerate(problems, 1))
        elif self.revision != self.head:
            lines.append("检查结果：数据完好，但数据版本需要升级")
        else:
            lines.append("检查结果：通过，未发现问题")
        lines.append("已检查：")
        lines.extend(f"  {line}" for line in self.checked())
        if problems:
            lines.append(ADVICE)
        return lines


ADVICE = ("建议：先不要继续录入。被改动的记录和附件可用 文件 → 恢复备份 从问题出现之前的备份中找回；"
          "如需帮助，请把本报告发给技术支持人员。")

# What the clerk calls the rows of each table, for a broken link between them.
TABLE_LABELS = {
    "settings": "设置", "districts": "管区", "units": "村（社区）", "unit_versions": "村（社区）的变更记录",
    "secretary_terms": "书记任职记录", "rounds": "评比活动", "round_components": "评比项目",
    "round_criteria": "评分指标", "round_units": "参评村（社区）", "round_judges": "评委", "scores": "评分",
    "adjustments": "加分、扣分或一票否决", "round_results": "评比结果", "audit_log": "审计日志",
    "commitments": "承诺事项", "commitment_progress": "承诺事项的季度进度", "evidence_files": "附件登记",
    "star_cells": "五星创建记录", "star_steps": "五星评定步骤", "star_losses": "降星/撤星记录",
    "star_targets": "五星创建目标",
}
# Columns that say which row it is, in the order tried.
_HINT_COLUMNS = ("name", "person", "title", "content", "original_name", "star")


def _row_hint(connection, table: str, rowid: int) -> str:
    """Words that say which row it is: its round, its village (when they still exist), its year
    and its own name, person, title or text."""
    try:
        row = connection.execute(text(f'SELECT * FROM "{table}" WHERE rowid = :rowid'), {"rowid": rowid}).mappings().first()
    except Exception:  # noqa: BLE001 - a damaged table: the label alone must do
        return ""
    if row is None:
        return ""
    parts: list[str] = []
    try:
        if row.get("round_id") is not None:
            found = connection.execute(text("SELECT year, quarter, title FROM rounds WHERE id = :id"),
                                       {"id": row["round_id"]}).first()
            if found is not None:
                parts.append(f"{found[0]}年{QUARTER_NAMES.get(found[1], '')}{found[2] or '评比'}")
        if row.get("unit_id") is not None:
            found = connection.execute(text("SELECT name FROM unit_versions WHERE unit_id = :id "
                                            "ORDER BY valid_from DESC, id DESC LIMIT 1"), {"id": row["unit_id"]}).first()
            if found is not None:
                parts.append(found[0])
        # A score or an adjustment: the judge, the village and the item it is about, where they still exist.
        for column, table, prefix in (("judge_id", "round_judges", "评委"), ("round_unit_id", "round_units", ""),
                                      ("criterion_id", "round_criteria", "")):
            if row.get(column) is not None:
                found = connection.execute(text(f"SELECT name FROM {table} WHERE id = :id"), {"id": row[column]}).first()
                if found is not None:
                    parts.append(prefix + found[0])
    except Exception:  # noqa: BLE001 - the related table is damaged too: say what the row itself says
        pass
    if row.get("year") is not None and not row.get("round_id"):
        parts.append(f"{row['year']}年")
    parts.extend(str(row[c])[:20] for c in _HINT_COLUMNS if c in row and row[c] not in (None, ""))
    return " ".join(parts[:5])


def integrity_problems(database: Database) -> tuple[list[str], list[str]]:
    """(problems in Chinese, SQLite's own lines) from integrity_check and foreign_key_check."""
    problems: list[str] = []
    technical: list[str] = []
    with database.engine.connect() as connection:
        damage = [row[0] for row in connection.execute(text("PRAGMA integrity_check")) if row[0] != "ok"]
        if damage:
            technical.extend(damage)
            problems.append(f"数据文件内部结构损坏（发现 {len(damage)} 处），部分数据可能读不出来或不正确，"
                            "请用 文件 → 恢复备份 恢复最近一份完好的备份")
        broken: dict[tuple[str, str], list[str]] = {}
        for table, rowid, parent, _fk in connection.execute(text("PRAGMA foreign_key_check")).fetchall():
            technical.append(f"foreign_key_check: {table} {rowid} -> {parent}")
            broken.setdefault((table, parent), []).append(_row_hint(connection, table, rowid) if rowid else "")
        for (table, parent), hints in broken.items():
            label = TABLE_LABELS.get(table, "一部分记录")
            target = TABLE_LABELS.get(parent, "记录")
            shown = list(dict.fromkeys(h for h in hints if h))
            named = "、".join(f"“{h}”" for h in shown[:5]) + ("等" if len(shown) > 5 else "")
            count = f"{len(hints)} 条" if len(hints) > 1 else "一条"
            problems.append(f"{count}{label}{named}所属的{target}已不存在（数据之间的对应关系断开）")
    return problems, technical


_OS_REASONS = {
    errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.ENOSPC: "磁盘已满",
    errno.EROFS: "磁盘只读", errno.EEXIST: "该位置已有一个同名文件，不是文件夹",
    errno.ENOTDIR: "该位置已有一个同名文件，不是文件夹",
}


def _why(exc: Exception) -> str:
    """An operating-system failure in the clerk's words (the system's own words otherwise)."""
    if isinstance(exc, OSError):
        return _OS_REASONS.get(exc.errno, exc.strerror or str(exc))
    return str(exc)


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
        # Why the backup due at this open (the first one, or the daily one) was not taken; the
        # program opens anyway, and the window and the command line say so.
        self.backup_warning: str | None = None

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
                self._backup_or_warn(lambda: self.daily_backup(today or date.today()), "今天的自动备份")
            database = Database(path)
            self.revision = database.upgrade(before=lambda _state: self.backup("pre-migrate"))
            self.database = database
            if state.current is None:
                # A new data file: a restore point from the first minute, before anything is typed.
                self._backup_or_warn(lambda: self.backup("initial"), "新建数据时的第一份备份")
            return database
        except BaseException:
            self.close()
            raise

    def _backup_or_warn(self, take, what: str) -> None:
        """A backup that cannot be written never keeps the clerk from her data: it is reported
        (backup_warning) instead. The backup before a migration or a restore is not taken
        this way: without it, those do not go ahead."""
        try:
            take()
        except StorageError as exc:
            self.backup_warning = (
                f"{what}没有完成：{exc.message}。程序照常打开，但在问题解决之前没有新的备份。"
                "请检查这个文件夹能否写入（磁盘是否已满、文件夹是否只读），然后用 文件 → 立即备份 再试一次。")

    def daily_backup(self, today: date) -> Path | None:
        try:
            taken = backups.list_backups(self.paths.backups)
        except OSError as exc:
            raise StorageError(f"无法读取备份文件夹“{self.paths.backups}”（{_why(exc)}）") from exc
        if any(b.taken_at.date() == today for b in taken):
            return None
        moment = backups.datetime.now()
        if moment.date() != today:
            # Stamped with the day it stands for, so the next open that day finds it.
            moment = datetime.combine(today, moment.time())
        return self.backup("daily", now=moment)

    def backup(self, reason: str = "manual", now: datetime | None = None) -> Path:
        try:
            path = backups.take_backup(self.paths.database, self.paths.backups, reason, now)
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"无法在“{self.paths.backups}”中写入备份（{_why(exc)}）") from exc
        self.backup_warning = None  # a backup taken since clears the warning of the open
        return path

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

    def check(self, audit: tuple[int, list[str]] | None = None,
              evidence: tuple[int, list[str]] | None = None, data=None) -> CheckReport:
        """Integrity and foreign keys and the data version, with what the caller checked
        besides: the audit chain and the evidence files, each as (how many checked, problems),
        and the data against the log (a ledger.LedgerCheck)."""
        database = self.database
        if database is None:
            raise StorageError("数据文件尚未打开")
        state = file_revision(self.paths.database)
        integrity, technical = integrity_problems(database)
        return CheckReport(
            self.paths.database, state.current, state.head, integrity=tuple(integrity),
            audit=tuple(audit[1]) if audit else (), evidence=tuple(evidence[1]) if evidence else (),
            audit_entries=audit[0] if audit else None, evidence_files=evidence[0] if evidence else None,
            technical=tuple(technical), data=data.problems if data else (),
            data_rows=data.rows if data else None, seals=data.finalised if data else ())

    def close(self) -> None:
        if self.database is not None:
            self.database.close()
            self.database = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None
