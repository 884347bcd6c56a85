"""The data folder: opening it (lock, version check, daily backup, migrations), backup,
restore and the integrity check."""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import ExceptionContext

from db import backup as backups
from db.engine import (
    KNOWN_REVISIONS,
    Database,
    DatabaseTooNew,
    NotOurDatabase,
    RevisionState,
    connect_read_only,
    file_revision,
)
from lsb_desktop.config import DataPaths
from lsb_desktop.domain.period import QUARTER_NAMES
from lsb_desktop.errors import LockedError, StorageError, ValidationError, is_read_only_refusal, os_reason
from lsb_desktop.services.location import location_warning

if TYPE_CHECKING:
    from lsb_desktop.services.ledger import LedgerCheck

REASON_LABELS = {
    "initial": "新建数据时备份",
    "daily": "每日自动备份",
    "manual": "手动备份",
    "pre-migrate": "升级前备份",
    "pre-restore": "恢复前备份",
    "pre-import": "导入前备份",
}


# The keep rule of db/backup.py in the clerk's words (shown under the list of backups).
KEEP_RULE_TEXT = (
    f"保留规则：最近 {backups.KEEP_NEWEST} 份和最近 {backups.KEEP_ALL_DAYS} 天的全部备份；"
    f"{backups.KEEP_DAILY_DAYS} 天内每天最后一份；一年内每月最后一份；"
    "第一份备份和每次定稿、更正前的最后一份备份一直保留。"
)
# The audit log's seal entries (lsb_desktop.services.ledger.SEAL_ACTION), read from backup files.
_SEAL_ACTION = "封存定稿结果"


def sealed_results(backup: Path) -> dict[str, str] | None:
    """Which finalised results a backup file holds: each round's latest seal (entity → hash);
    {} for a backup from before seals, None when the file cannot be read. The file is opened
    immutable and read-only, so nothing (not even a -wal or -shm) is written beside it."""
    try:
        connection = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return None
    try:
        rows = connection.execute(
            "SELECT entity, hash FROM audit_log WHERE entity GLOB 'round:*/seal' AND action = ? ORDER BY id",
            (_SEAL_ACTION,),
        ).fetchall()
    except sqlite3.OperationalError as exc:
        return {} if "no such" in str(exc) else None  # an old data version without the log or its hash
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    return {entity: digest for entity, digest in rows}


def finalised_restore_points(found: Sequence[backups.BackupFile], doomed: Sequence[backups.BackupFile]) -> set[Path]:
    """The backups kept for good besides the age rule: a backup after which the finalised results
    in force change (a round finalised, corrected, or data restored) is the last restore point
    before that change, and the last one of the results it holds. `found` is every backup newest
    first, `doomed` those the age rule would delete; a backup that cannot be read is left to
    the age rule and skipped in the comparison."""
    doomed_paths = {b.path for b in doomed}
    seen: dict[Path, dict[str, str] | None] = {}

    def seals(backup: backups.BackupFile) -> dict[str, str] | None:
        if backup.path not in seen:
            seen[backup.path] = sealed_results(backup.path)
        return seen[backup.path]

    keep: set[Path] = set()
    for index, backup in enumerate(found):
        if backup.path not in doomed_paths:
            continue
        mine = seals(backup)
        if mine is None:
            continue
        newer = next((s for s in (seals(b) for b in reversed(found[:index])) if s is not None), None)
        if newer is None or newer != mine:
            keep.add(backup.path)
    return keep


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
    # Stored names with invisible characters, and units whose names look the same (None: not checked).
    names: tuple[str, ...] | None = None

    @property
    def problems(self) -> tuple[str, ...]:
        return self.integrity + self.audit + tuple(d.message for d in self.data) + self.evidence + (self.names or ())

    def problem_objects(self) -> list[dict[str, object]]:
        """Every problem as an object for `check --json`: its kind, its message and what it names."""
        found: list[dict[str, object]] = [{"kind": "integrity", "message": p} for p in self.integrity]
        found += [{"kind": "audit_chain", "message": p} for p in self.audit]
        found += [d.as_json() for d in self.data]
        found += [{"kind": "evidence", "message": p} for p in self.evidence]
        found += [{"kind": "name", "message": p} for p in self.names or ()]
        return found

    @property
    def ok(self) -> bool:
        return not self.problems and self.revision == self.head

    @property
    def version(self) -> str:
        return version_text(self.revision, self.head)

    def checked_items(self) -> list[tuple[bool, str]]:
        """(passed, line) for each part checked, saying what was looked at and how it came out."""
        items = [
            (
                not self.integrity,
                "数据库完整性、外键：" + ("通过" if not self.integrity else f"发现 {len(self.integrity)} 个问题"),
            )
        ]
        if self.audit_entries is not None:
            if self.audit:
                items.append((False, f"审计日志：共 {self.audit_entries} 条记录，发现 {len(self.audit)} 处改动或缺失"))
            else:
                items.append((True, f"审计日志：{self.audit_entries} 条审计记录哈希相连，未被改动"))
        if self.data_rows is not None:
            if self.data:
                items.append((False, f"数据与审计日志：发现 {len(self.data)} 处数据与审计日志的记录不一致"))
            else:
                items.append(
                    (True, f"数据与审计日志：{self.data_rows} 条评分、结果、五星和承诺事项记录与审计日志的记录一致")
                )
            if self.seals:
                items.append(
                    (True, f"已定稿的评比 {len(self.seals)} 次，校验码如下，请与存档的得分汇总表、通报上的校验码核对：")
                )
            broken = {d.fields.get("round") for d in self.data if d.kind == "seal_mismatch"}
            for seal in self.seals:
                if seal.round_name in broken:
                    items.append((False, f"    {seal.line()}——定稿后数据被改动，与此校验码不符"))
                else:
                    items.append((True, f"    {seal.line()}"))
        if self.evidence_files is not None:
            if self.evidence:
                good = self.evidence_files - len(self.evidence)
                items.append(
                    (
                        False,
                        f"附件：共 {self.evidence_files} 个附件文件，{good} 个校验一致，{len(self.evidence)} 个有问题",
                    )
                )
            elif self.evidence_files:
                items.append((True, f"附件：{self.evidence_files} 个附件文件校验一致"))
            else:
                items.append((True, "附件：还没有附件文件"))
        if self.names is not None:
            items.append(
                (
                    not self.names,
                    "名称：没有看不见的字符，没有看起来相同的村（社区）"
                    if not self.names
                    else f"名称：发现 {len(self.names)} 处看不见的字符或看起来相同的名称",
                )
            )
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


ADVICE = (
    "建议：先不要继续录入。被改动的记录和附件可用 文件 → 恢复备份 从问题出现之前的备份中找回；"
    "如需帮助，请把本报告发给技术支持人员。"
)

# What the clerk calls the rows of each table, for a broken link between them.
TABLE_LABELS = {
    "settings": "设置",
    "districts": "管区",
    "units": "村（社区）",
    "unit_versions": "村（社区）的变更记录",
    "secretary_terms": "书记任职记录",
    "rounds": "评比活动",
    "round_components": "评比项目",
    "round_criteria": "评分指标",
    "round_units": "参评村（社区）",
    "round_judges": "评委",
    "scores": "评分",
    "adjustments": "加分、扣分或一票否决",
    "round_results": "评比结果",
    "audit_log": "审计日志",
    "commitments": "承诺事项",
    "commitment_progress": "承诺事项的季度进度",
    "evidence_files": "附件登记",
    "star_cells": "五星创建记录",
    "star_steps": "五星评定步骤",
    "star_losses": "降星/撤星记录",
    "star_targets": "五星创建目标",
}
# Columns that say which row it is, in the order tried.
_HINT_COLUMNS = ("name", "person", "title", "content", "original_name", "star")


def _row_hint(connection: Connection, table: str, rowid: int) -> str:
    """Words that say which row it is: its round, its village (when they still exist), its year
    and its own name, person, title or text."""
    try:
        row = (
            connection.execute(text(f'SELECT * FROM "{table}" WHERE rowid = :rowid'), {"rowid": rowid})
            .mappings()
            .first()
        )
    except Exception:  # noqa: BLE001 - a damaged table: the label alone must do
        return ""
    if row is None:
        return ""
    parts: list[str] = []
    try:
        if row.get("round_id") is not None:
            found = connection.execute(
                text("SELECT year, quarter, title FROM rounds WHERE id = :id"), {"id": row["round_id"]}
            ).first()
            if found is not None:
                parts.append(f"{found[0]}年{QUARTER_NAMES.get(found[1], '')}{found[2] or '评比'}")
        if row.get("unit_id") is not None:
            found = connection.execute(
                text("SELECT name FROM unit_versions WHERE unit_id = :id ORDER BY valid_from DESC, id DESC LIMIT 1"),
                {"id": row["unit_id"]},
            ).first()
            if found is not None:
                parts.append(found[0])
        # A score or an adjustment: the judge, the village and the item it is about, where they still exist.
        for column, table, prefix in (
            ("judge_id", "round_judges", "评委"),
            ("round_unit_id", "round_units", ""),
            ("criterion_id", "round_criteria", ""),
        ):
            if row.get(column) is not None:
                found = connection.execute(
                    text(f"SELECT name FROM {table} WHERE id = :id"), {"id": row[column]}
                ).first()
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
            problems.append(
                f"数据文件内部结构损坏（发现 {len(damage)} 处），部分数据可能读不出来或不正确，"
                "请用 文件 → 恢复备份 恢复最近一份完好的备份"
            )
        broken: dict[tuple[str, str], list[str]] = {}
        checks: Sequence[Any] = connection.execute(text("PRAGMA foreign_key_check")).fetchall()  # untyped rows
        for table, rowid, parent, _fk in checks:
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


def _why(exc: BaseException) -> str:
    """An operating-system or SQLite failure in the clerk's words (the system's own words
    otherwise)."""
    if isinstance(exc, OSError):
        return os_reason(exc)
    kind = _sqlite_fault_kind(exc)
    if kind is not None:
        return _FAULT_REASONS[kind]
    return str(exc)


class ReadOnlyError(StorageError):
    """A change refused because the data folder was opened read-only (DataFolder.read_only)."""


class DamagedDataError(StorageError):
    """The data file cannot be read as this program's database: it can be replaced by a good
    backup (the damaged file is kept aside first)."""


class AuditProblemsError(StorageError):
    """A backup that is sound as a database but whose audit log does not add up: restored only
    once the clerk has read `details` (the problems) and accepted them."""


# ----- faults of the environment: the one place where SQLite's errors become Chinese -------------

_FULL, _READONLY, _LOCKED, _IO, _CANTOPEN, _DAMAGED = "full", "readonly", "locked", "io", "cantopen", "damaged"
_FAULT_CODES = {
    sqlite3.SQLITE_FULL: _FULL,
    sqlite3.SQLITE_READONLY: _READONLY,
    sqlite3.SQLITE_BUSY: _LOCKED,
    sqlite3.SQLITE_LOCKED: _LOCKED,
    sqlite3.SQLITE_IOERR: _IO,
    sqlite3.SQLITE_CANTOPEN: _CANTOPEN,
    sqlite3.SQLITE_CORRUPT: _DAMAGED,
    sqlite3.SQLITE_NOTADB: _DAMAGED,
}
# The same, by SQLite's words (for errors that reach us without their code).
_FAULT_WORDS = (
    ("database or disk is full", _FULL),
    ("readonly database", _READONLY),
    ("database is locked", _LOCKED),
    ("database table is locked", _LOCKED),
    ("disk i/o error", _IO),
    ("unable to open database file", _CANTOPEN),
    ("file is not a database", _DAMAGED),
    ("database disk image is malformed", _DAMAGED),
)
_FAULT_REASONS = {
    _FULL: "磁盘已满",
    _READONLY: "文件或文件夹只读，不能写入",
    _LOCKED: "文件正被其他程序占用",
    _IO: "磁盘读写出错",
    _CANTOPEN: "无法打开文件",
    _DAMAGED: "文件已损坏",
}
_UNCHANGED = "刚才的操作没有完成，数据仍是操作之前的样子。"


def _sqlite_fault_kind(exc: BaseException | None) -> str | None:
    """Which fault of the environment an sqlite3 error stands for, or None (a bug of ours, such
    as a broken constraint, is not one)."""
    if not isinstance(exc, sqlite3.Error):
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and (code & 0xFF) in _FAULT_CODES:
        return _FAULT_CODES[code & 0xFF]
    words = str(exc).lower()
    for phrase, kind in _FAULT_WORDS:
        if phrase in words:
            return kind
    return None


def storage_fault(exc: BaseException | None, database: Path) -> StorageError | None:
    """A full disk, a read-only or locked file, a failing disk or a damaged file behind an
    sqlite3 error, as a StorageError saying what happened and what to do; None for anything
    else. Used for every SQLite call on the data file: through the engine (watch_faults) and
    by the storage code's own sqlite3 calls."""
    kind = _sqlite_fault_kind(exc)
    if kind is None:
        return None
    folder = database.parent
    if kind == _FULL:
        return StorageError(
            f"磁盘已满：数据文件夹“{folder}”所在的磁盘没有剩余空间。{_UNCHANGED}"
            "请删除不需要的文件、清空回收站，腾出空间后再试。"
        )
    if kind == _READONLY:
        return StorageError(
            f"数据文件“{database}”不能写入：文件或所在的文件夹是只读的，或没有写入权限。{_UNCHANGED}"
            "请在文件属性中去掉“只读”、让管理员给这个文件夹写入权限，"
            "或把数据文件夹放到可以写入的磁盘上，然后再试。"
        )
    if kind == _LOCKED:
        return StorageError(
            f"数据文件“{database}”正被其他程序占用（例如杀毒软件、备份软件或网盘同步程序）。"
            f"{_UNCHANGED}请稍等片刻再试；如果一直这样，请关闭这些程序或重新启动电脑后再试。"
        )
    if kind == _IO:
        return StorageError(
            f"读写数据文件“{database}”时出错（磁盘已满、U 盘或网络盘已断开，或磁盘有故障）。"
            f"{_UNCHANGED}请检查磁盘后再试；恢复正常后请用 文件 → 立即备份 另存一份备份。"
        )
    if kind == _CANTOPEN:
        return StorageError(
            f"无法打开数据文件“{database}”：文件夹不存在、没有写入权限，或磁盘已满。请检查数据文件夹能否写入后再试。"
        )
    return _damaged(database)


def _damaged(database: Path) -> DamagedDataError:
    return DamagedDataError(
        f"数据文件“{database}”已损坏，或不是亮赛比桌面版的数据文件，无法打开。"
        "可以用一份完好的备份恢复数据：在窗口中选择 从备份恢复（文件 → 恢复备份），或使用命令 restore。"
        "恢复时损坏的文件会改名后留在数据文件夹中，不会被删除。"
    )


def watch_faults(database: Database, read_only: str | None = None) -> None:
    """Every SQLite error on this database's engine that is the environment's fault is raised
    as a StorageError in Chinese (the session rolls back as for any error), so neither the
    command line nor the window ever shows a SQLAlchemy traceback for a full disk. A data folder
    opened read-only refuses every change with `read_only`, the reason."""
    path = database.path

    def translate(context: ExceptionContext) -> None:
        original = context.original_exception
        if read_only is not None and _sqlite_fault_kind(original) == _READONLY:
            raise ReadOnlyError(read_only) from original
        fault = storage_fault(original, path)
        if fault is not None:
            raise fault from original

    event.listen(database.engine, "handle_error", translate)


def _explain(exc: Exception, path: Path, live: bool = False) -> StorageError:
    if isinstance(exc, DatabaseTooNew):
        return StorageError(
            f"数据文件“{path}”由更新版本的亮赛比桌面版创建（数据版本 {exc.revision}），"
            "本程序无法打开。请安装最新版本的程序后再打开，数据文件未作任何改动。"
        )
    # A full disk or a locked file is said as such, never as a damaged file.
    fault = storage_fault(exc.__cause__, path)
    if fault is not None and not isinstance(fault, DamagedDataError):
        return fault
    if live:
        return _damaged(path)
    return StorageError(f"“{path}”不是亮赛比桌面版的数据文件，或文件已损坏，无法打开。")


@dataclass(frozen=True, slots=True)
class RestoreResult:
    """What a restore did: the backup of the data it replaced (None when that data was damaged
    and was kept aside instead, as `damaged_copy`), and the audit problems the clerk accepted."""

    source: Path
    safety_backup: Path | None
    damaged_copy: Path | None = None
    audit_problems: tuple[str, ...] = ()
    upgraded: bool = False

    def lines(self) -> list[str]:
        lines = [f"已用备份“{self.source}”恢复数据。"]
        if self.safety_backup is not None:
            lines.append(f"恢复前的数据已备份到 {self.safety_backup}")
        if self.damaged_copy is not None:
            lines.append(
                f"原来损坏的数据文件已改名保存为 {self.damaged_copy}（可交给技术支持人员查看，不需要时可删除）"
            )
        if self.upgraded:
            lines.append("这份备份来自较早的版本，已自动升级到本程序的数据版本。")
        if self.audit_problems:
            lines.append(f"注意：这份备份的审计日志有 {len(self.audit_problems)} 个问题（恢复前已确认）：")
            lines.extend(f"  {problem}" for problem in self.audit_problems)
        return lines


def audit_chain_problems(database: Database) -> list[str]:
    """The audit log's problems in a backup about to be restored: its hash chain, and its data
    replayed against the log with each finalised round's seal (lsb_desktop.services.ledger). A
    backup from before data version 6, just upgraded on the copy, first gets its starting point,
    as at an open."""
    from lsb_desktop.services.audit import AuditService, write_baseline

    write_baseline(database)
    service = AuditService(database)
    return list(service.check_chain().problems) + [d.message for d in service.verify_data().problems]


def _unusable_backup(source: Path, exc: BaseException, what: str = "已损坏") -> StorageError:
    """A backup that could not be checked: for a fault of the disk (full, read-only) say so,
    otherwise it is damaged or cannot be upgraded."""
    original = getattr(exc, "orig", None) or exc
    fault = storage_fault(original, source)
    if fault is not None and not isinstance(fault, DamagedDataError):
        return StorageError(
            f"无法检查备份文件“{source}”（{_why(original)}），未恢复，当前数据没有改动。"
            "请腾出磁盘空间或检查数据文件夹能否写入后再试。"
        )
    return StorageError(f"备份文件“{source}”{what}（{_why(original)}），未恢复，当前数据没有改动。请换一份备份再试。")


# Our own temporary files in the data folder, left behind only if the program was killed.
_RESTORE_PREFIX = ".lsb-restore-"
_PROBE_PREFIX = ".lsb-write-test-"


def read_only_message(root: Path, folder: bool) -> str:
    """Why the data can only be looked at, and what to do: the one message of read-only mode."""
    cause = (
        "这个文件夹不能写入，例如在光盘上、在只读共享的文件夹中，或没有写入权限"
        if folder
        else "其中的数据文件 lsb.db 设置了“只读”属性，或没有写入权限"
    )
    return (
        f"数据文件夹“{root}”是只读的，现在只能查看和导出，不能修改（{cause}）。"
        "要修改数据，请去掉“只读”属性或请管理员给写入权限；光盘或只读共享上的数据，"
        "请把整个数据文件夹复制到可以写入的位置（如本机的“文档”），再打开复制后的文件夹。"
    )


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
        # Why the data can only be looked at (read_only_message), or None: a folder or data file
        # that cannot be written is opened read-only, with no lock file, backup or upgrade there.
        self.read_only: str | None = None
        self._folder_writable = True
        # Why this folder is a risky place for the data (a network drive, a OneDrive folder), or None.
        self.location_warning: str | None = None

    def open(self, today: date | None = None) -> Database:
        self.location_warning = location_warning(self.paths.root)
        self._acquire_lock()
        try:
            if self.read_only is None:
                self._clean_leftovers()
            return self._open_database(today)
        except BaseException:
            self.close()
            raise

    def open_for_restore(self, today: date | None = None) -> DamagedDataError | None:
        """Lock the folder and open its data as `open` does; but when the data file is damaged,
        keep the lock (so that a backup can replace the file) and return why it cannot be
        opened instead of raising."""
        self._acquire_lock()
        try:
            if self.read_only is None:
                self._clean_leftovers()
            try:
                self._open_database(today)
            except DamagedDataError as exc:
                return exc
            return None
        except BaseException:
            self.close()
            raise

    def _acquire_lock(self) -> None:
        root = self.paths.root
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            if not root.is_dir():
                raise StorageError(
                    f"无法创建数据文件夹“{root}”（{_why(exc)}）。"
                    "请检查这个位置能否写入，或用 --data-dir 换一个数据文件夹。"
                ) from exc
        self.read_only = self._read_only_reason()
        if self.read_only is not None and not self._folder_writable:
            return  # no lock file where nothing can be written: nobody can change the data there
        lock = FileLock(str(self.paths.lock), timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise LockedError(f"另一个亮赛比桌面版正在使用数据文件夹“{root}”。请先关闭它，再打开本程序。") from None
        except OSError as exc:
            if self.read_only is not None:
                return
            raise StorageError(
                f"无法锁定数据文件夹“{root}”（{_why(exc)}）。"
                "请检查这个文件夹能否写入（磁盘是否已满、文件夹是否只读）后再试。"
            ) from exc
        self._lock = lock

    def _read_only_reason(self) -> str | None:
        """read_only_message when the folder (a file cannot be created in it) or the data file
        (it cannot be opened for writing) cannot be written; None otherwise. A full or busy
        disk is not read-only: its writes fail and are said as they happen."""
        root, live = self.paths.root, self.paths.database
        self._folder_writable = True
        probe = root / f"{_PROBE_PREFIX}{secrets.token_hex(4)}"
        try:
            os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except OSError as exc:
            if is_read_only_refusal(exc):
                self._folder_writable = False
                return read_only_message(root, folder=True)
        else:
            try:
                probe.unlink()
            except OSError:
                pass  # cleared with the other leftovers at the next open
        if live.exists():
            try:
                with open(live, "r+b"):
                    pass
            except OSError as exc:
                if is_read_only_refusal(exc):
                    return read_only_message(root, folder=False)
        return None

    def _clean_leftovers(self) -> None:
        """Half-written backups and restore copies of ours, left by a program that was killed
        or a disk that filled up, are deleted (they are never a complete copy of anything)."""
        try:
            backups.remove_partials(self.paths.backups)
            for prefix in (_RESTORE_PREFIX, _PROBE_PREFIX):
                for path in self.paths.root.glob(prefix + "*"):
                    path.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only folder: nothing can have been left there since it became one

    def _open_database(self, today: date | None) -> Database:
        path = self.paths.database
        try:
            state = file_revision(path)
        except (DatabaseTooNew, NotOurDatabase) as exc:
            raise _explain(exc, path, live=True) from exc
        except sqlite3.Error as exc:
            raise (storage_fault(exc, path) or StorageError(f"无法打开数据文件“{path}”：{exc}")) from exc
        if self.read_only is not None:
            return self._open_read_only(state)
        if state.current is not None:
            self._backup_or_warn(lambda: self.daily_backup(today or date.today()), "今天的自动备份")
        database = Database(path)
        watch_faults(database)
        try:
            self.revision = database.upgrade(before=lambda _state: self.backup("pre-migrate"))
        except (DatabaseTooNew, NotOurDatabase) as exc:
            database.close()
            raise _explain(exc, path, live=True) from exc
        except sqlite3.Error as exc:
            database.close()
            raise (storage_fault(exc, path) or StorageError(f"无法打开数据文件“{path}”：{exc}")) from exc
        except BaseException:
            database.close()
            raise
        self.database = database
        if state.current is None:
            # A new data file: a restore point from the first minute, before anything is typed.
            self._backup_or_warn(lambda: self.backup("initial"), "新建数据时的第一份备份")
        return database

    def _open_read_only(self, state: RevisionState) -> Database:
        """Open the data to look at only: never created, upgraded or backed up here."""
        path, root = self.paths.database, self.paths.root
        if state.current is None:
            raise StorageError(
                f"数据文件夹“{root}”是只读的，其中还没有数据，不能在这里新建。"
                "请用 --data-dir 选一个可以写入的数据文件夹。"
            )
        if not state.up_to_date:
            raise StorageError(
                f"数据文件“{path}”来自较早的版本（{version_text(state.current, state.head)}），"
                f"需要升级才能打开，但数据文件夹“{root}”是只读的，不能在这里升级。请把整个数据文件夹复制到"
                "可以写入的位置（如本机的“文档”），再打开复制后的文件夹：程序会先备份，再升级。"
            )
        database = Database(path, read_only=True)
        watch_faults(database, self.read_only)
        try:
            with database.engine.connect() as connection:
                connection.execute(text("SELECT count(*) FROM alembic_version")).scalar()
        except Exception as exc:
            database.close()
            raise StorageError(
                f"数据文件“{path}”在只读的文件夹中读不出来（{_why(getattr(exc, 'orig', None) or exc)}；"
                "例如程序上次没有正常关闭，数据还有一部分在 lsb.db-wal 中）。请把整个数据文件夹复制到可以写入的位置，"
                "再打开复制后的文件夹。"
            ) from exc
        self.revision = state
        self.database = database
        return database

    def _backup_or_warn(self, take: Callable[[], object], what: str) -> None:
        """A backup that cannot be written never keeps the clerk from her data: it is reported
        (backup_warning) instead. The backup before a migration or a restore is not taken
        this way: without it, those do not go ahead."""
        try:
            take()
        except DamagedDataError as exc:
            self.backup_warning = f"{what}没有做：{exc.message}"
        except StorageError as exc:
            self.backup_warning = (
                f"{what}没有完成：{exc.message.rstrip('。')}。程序照常打开，但在问题解决之前没有新的备份。"
                "请检查这个文件夹能否写入（磁盘是否已满、文件夹是否只读），然后用 文件 → 立即备份 再试一次。"
            )

    def daily_backup(self, today: date) -> Path | None:
        try:
            taken = backups.list_backups(self.paths.backups)
        except OSError as exc:
            raise StorageError(f"无法读取备份文件夹“{self.paths.backups}”（{_why(exc)}）") from exc
        if any(b.taken_at.date() == today for b in taken):
            return None
        damage = self.live_damage()
        if damage is not None:
            # The backup API copies damaged pages as they are: thirty such days would push every
            # good backup out of the rotation.
            raise DamagedDataError(
                f"数据文件“{self.paths.database}”内部结构损坏（{damage[:200]}），为免损坏的数据挤掉完好的备份，"
                "今天没有备份。请用 文件 → 检查数据 查看，并用 文件 → 恢复备份 恢复最近一份完好的备份。"
            )
        moment = backups.datetime.now()
        if moment.date() != today:
            # Stamped with the day it stands for, so the next open that day finds it.
            moment = datetime.combine(today, moment.time())
        return self.backup("daily", now=moment)

    def backup(self, reason: str = "manual", now: datetime | None = None) -> Path:
        if self.read_only is not None:
            # Imports back up first: in a read-only folder they are refused here, with the reason.
            raise ReadOnlyError(self.read_only)
        try:
            path = backups.take_backup(
                self.paths.database, self.paths.backups, reason, now, protect=finalised_restore_points
            )
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(
                f"无法在“{self.paths.backups}”中写入备份（{_why(exc)}），没有留下不完整的备份文件，"
                "当前数据没有改动。请腾出磁盘空间或检查这个文件夹能否写入后再试。"
            ) from exc
        self.backup_warning = None  # a backup taken since clears the warning of the open
        return path

    def list_backups(self) -> list[BackupInfo]:
        return [BackupInfo(b.path, b.taken_at, b.reason) for b in backups.list_backups(self.paths.backups)]

    def restore(self, source: Path, accept_audit_problems: bool = False) -> RestoreResult:
        """Replace the data with a backup file, once the backup has been checked on a copy:
        integrity and foreign keys (refused when broken), its data version (refused when newer,
        upgraded when older) and its audit log (AuditProblemsError unless accepted). Healthy
        data is backed up first; damaged data cannot be, so its file is kept aside under a new
        name instead. Nothing is replaced when any step fails."""
        source = Path(source)
        if self.read_only is not None:
            raise ReadOnlyError(self.read_only)
        if not source.is_file():
            raise ValidationError(f"找不到备份文件“{source}”")
        if self._lock is None:
            self._acquire_lock()
        live = self.paths.database
        candidate = self.paths.root / f"{_RESTORE_PREFIX}{secrets.token_hex(4)}.db"
        try:
            upgraded, audit_problems = self._checked_candidate(source, candidate)
            if audit_problems and not accept_audit_problems:
                raise AuditProblemsError(
                    f"备份文件“{source.name}”的审计日志有 {len(audit_problems)} 个问题，其中的记录可能被改动过，未恢复，"
                    "当前数据没有改动。确认仍要用它恢复时才会恢复（命令行加 --accept-audit-problems）。问题如下：",
                    audit_problems,
                )
            absent = not live.exists() or live.stat().st_size == 0
            damaged = not absent and self.live_damage() is not None
            # Sound data is backed up as usual; damaged data cannot be read by the backup API,
            # so its file is kept aside under a new name instead.
            safety = self.backup("pre-restore") if not (absent or damaged) else None
            damaged_copy = None
            if self.database is not None:
                self.database.close()
            try:
                if damaged:
                    damaged_copy = self._keep_aside(live)
                if absent or damaged:
                    try:
                        os.replace(candidate, live)
                    except OSError:
                        if damaged_copy is not None:
                            self._put_back(damaged_copy, live)
                            damaged_copy = None
                        raise
                else:
                    backups.replace_contents(candidate, live)
            except (OSError, sqlite3.Error) as exc:
                raise StorageError(
                    f"无法写入数据文件“{live}”（{_why(exc)}），未恢复，当前数据没有改动。"
                    "请腾出磁盘空间或检查文件夹能否写入后再试。"
                ) from exc
            finally:
                if self.database is not None and not damaged:
                    self.revision = self.database.upgrade()
            if self.database is None:
                self._open_database(None)
            elif damaged:
                self.revision = self.database.upgrade()
        finally:
            backups.remove_with_side_files(candidate)
        return RestoreResult(source, safety, damaged_copy, tuple(audit_problems), upgraded)

    def _checked_candidate(self, source: Path, candidate: Path) -> tuple[bool, list[str]]:
        """Copy the backup beside the data and check the copy (the backup itself is never
        written); bring it to the current data version. Returns (upgraded, audit problems)."""
        try:
            shutil.copyfile(source, candidate)
        except OSError as exc:
            raise StorageError(
                f"无法把备份文件“{source}”复制到数据文件夹“{self.paths.root}”（{_why(exc)}），"
                "未恢复，当前数据没有改动。请腾出磁盘空间或检查文件夹能否写入后再试。"
            ) from exc
        try:
            state = file_revision(candidate)
        except (DatabaseTooNew, NotOurDatabase) as exc:
            raise _explain(exc, source) from exc
        except sqlite3.Error as exc:
            raise _unusable_backup(source, exc) from exc
        if state.current is None:
            raise StorageError(f"备份文件“{source}”是空的，未恢复。")
        database = Database(candidate)
        try:
            try:
                problems, _technical = integrity_problems(database)
            except Exception as exc:
                raise _unusable_backup(source, exc) from exc
            if problems:
                raise StorageError(
                    f"备份文件“{source}”已损坏，未恢复，当前数据没有改动。请换一份备份再试。发现的问题：", problems
                )
            upgraded = not state.up_to_date
            if upgraded:
                try:
                    database.upgrade()
                except Exception as exc:
                    raise _unusable_backup(source, exc, "来自较早的版本，无法升级到本程序的数据版本") from exc
            try:
                audit = audit_chain_problems(database)
            except Exception as exc:
                raise _unusable_backup(source, exc) from exc
        finally:
            database.close()
        try:
            # Everything into the file itself, so the file alone can be moved into place.
            connection = sqlite3.connect(str(candidate))
            try:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                connection.close()
        except sqlite3.Error as exc:
            raise _unusable_backup(source, exc) from exc
        return upgraded, audit

    @staticmethod
    def _put_back(damaged_copy: Path, live: Path) -> None:
        """Undo _keep_aside after a failed replace, so the data folder is as it was."""
        try:
            os.replace(damaged_copy, live)
            for side in ("-wal", "-shm", "-journal"):
                companion = damaged_copy.with_name(damaged_copy.name + side)
                if companion.exists():
                    os.replace(companion, live.with_name(live.name + side))
        except OSError:
            pass  # the damaged file is still there under its new name; the message says so

    def live_damage(self) -> str | None:
        """Why the live data file is damaged (integrity_check fails, or SQLite does not read it
        as a database), or None when it is sound or absent."""
        live = self.paths.database
        if not live.exists() or live.stat().st_size == 0:
            return None
        try:
            file_revision(live)
        except (NotOurDatabase, sqlite3.DatabaseError) as exc:
            fault = storage_fault(exc.__cause__ or exc, live)
            if fault is not None and not isinstance(fault, DamagedDataError):
                raise fault from exc  # a full or locked disk is not damage: nothing is replaced
            return str(exc)
        except DatabaseTooNew:
            return None  # sound data of a newer program: it is backed up like any other
        try:
            connection = connect_read_only(live)
            try:
                rows = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            finally:
                connection.close()
        except sqlite3.DatabaseError as exc:
            fault = storage_fault(exc, live)
            if fault is not None and not isinstance(fault, DamagedDataError):
                raise fault from exc
            return str(exc)
        return None if rows == ["ok"] else "; ".join(rows[:3])

    def _keep_aside(self, live: Path) -> Path:
        """Rename the damaged data file (and SQLite's files beside it) next to it, so nothing of
        it is lost: lsb-damaged-YYYYMMDD-HHMMSS.db."""
        stem = f"lsb-damaged-{datetime.now():%Y%m%d-%H%M%S}"
        target = live.with_name(f"{stem}.db")
        counter = 1
        while target.exists():
            target = live.with_name(f"{stem}-{counter}.db")
            counter += 1
        for side in ("-wal", "-shm", "-journal"):
            companion = live.with_name(live.name + side)
            if companion.exists():
                os.replace(companion, target.with_name(target.name + side))
        os.replace(live, target)
        return target

    def check(
        self,
        audit: tuple[int, list[str]] | None = None,
        evidence: tuple[int, list[str]] | None = None,
        data: LedgerCheck | None = None,
        names: list[str] | None = None,
    ) -> CheckReport:
        """Integrity and foreign keys and the data version, with what the caller checked
        besides: the audit chain and the evidence files, each as (how many checked, problems),
        and the data against the log (a ledger.LedgerCheck)."""
        database = self.database
        if database is None:
            raise StorageError("数据文件尚未打开")
        state = file_revision(self.paths.database)
        integrity, technical = integrity_problems(database)
        return CheckReport(
            self.paths.database,
            state.current,
            state.head,
            integrity=tuple(integrity),
            audit=tuple(audit[1]) if audit else (),
            evidence=tuple(evidence[1]) if evidence else (),
            audit_entries=audit[0] if audit else None,
            evidence_files=evidence[0] if evidence else None,
            technical=tuple(technical),
            data=data.problems if data else (),
            data_rows=data.rows if data else None,
            seals=data.finalised if data else (),
            names=tuple(names) if names is not None else None,
        )

    def close(self) -> None:
        if self.database is not None:
            self.database.close()
            self.database = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None
