"""Restore checks a backup before it replaces anything (integrity, foreign keys, data version,
audit chain) and works when the live data file is damaged; SQLite's faults become Chinese."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from factories import make_unit

from lsb_desktop.core import Core
from lsb_desktop.errors import LockedError, StorageError
from lsb_desktop.services.storage import AuditProblemsError, DamagedDataError, DataFolder, storage_fault
from tests.integration.dbfiles import sha256, sql


def names(core: Core) -> list[str]:
    return [unit.name for unit in core.villages.list_units()]


def scribble(path: Path) -> bytes:
    blob = bytearray(path.read_bytes())
    blob[4096:] = b"\xa5" * (len(blob) - 4096)
    path.write_bytes(bytes(blob))
    return bytes(blob)


def test_a_backup_with_broken_links_is_refused_naming_them(core: Core) -> None:
    make_unit(core, "张五砦村")
    broken = core.folder.backup("manual")
    sql(
        broken,
        "PRAGMA foreign_keys = OFF",
        "INSERT INTO secretary_terms (unit_id, person, start_date, end_date, note, recorded_at) "
        "VALUES (999, '张三', '2022-01-01', NULL, '', '2022-01-01 00:00:00')",
    )
    make_unit(core, "后营村")
    before = core.folder.list_backups()
    source_hash = sha256(broken)

    with pytest.raises(StorageError) as caught:
        core.folder.restore(broken)

    assert "已损坏，未恢复" in caught.value.message
    assert caught.value.details == ["一条书记任职记录“张三”所属的村（社区）已不存在（数据之间的对应关系断开）"]
    assert names(core) == ["张五砦村", "后营村"]
    assert core.folder.list_backups() == before and sha256(broken) == source_hash
    assert list(core.data_dir.glob(".lsb-restore-*")) == []


def test_a_backup_whose_audit_chain_is_broken_needs_acceptance(core: Core) -> None:
    make_unit(core, "张五砦村")
    tampered = core.folder.backup("manual")
    sql(
        tampered,
        "INSERT INTO audit_log (at, operator, action, entity, old, new, reason, prev_hash, hash) "
        "VALUES ('2030-01-01 09:00:00', '某人', 'score.set', 'score:1', '', '20', '', 'x', 'y')",
    )
    make_unit(core, "后营村")

    with pytest.raises(AuditProblemsError) as caught:
        core.folder.restore(tampered)
    assert "的审计日志有" in caught.value.message
    assert any("第 1 条" in line for line in caught.value.details)
    assert names(core) == ["张五砦村", "后营村"]

    result = core.folder.restore(tampered, accept_audit_problems=True)
    assert names(core) == ["张五砦村"]
    assert result.audit_problems == tuple(caught.value.details)
    assert result.safety_backup is not None and result.safety_backup.is_file()


def test_a_backup_whose_data_does_not_match_its_audit_log_needs_acceptance(demo_core: Core) -> None:
    """The chain of the backup is intact, but a score in it was changed by hand: the replay of the
    log names it, and the seal of its round no longer matches."""
    tampered = demo_core.folder.backup("manual")
    sql(tampered, "UPDATE scores SET points = points + 500 WHERE id = (SELECT min(id) FROM scores WHERE round_id = 8)")

    with pytest.raises(AuditProblemsError) as caught:
        demo_core.folder.restore(tampered)
    details = caught.value.details
    assert any("评分的分数被改动：审计日志记录为" in line for line in details), details
    assert any("的数据与第 1 版定稿封存时不一致" in line for line in details), details
    assert demo_core.check().ok  # the live data is untouched


def test_damaged_live_data_is_kept_aside_and_replaced(core: Core) -> None:
    make_unit(core, "张五砦村")
    good = core.folder.backup("manual")
    make_unit(core, "后营村")
    core.folder.database.engine.dispose()
    damaged = scribble(core.folder.paths.database)
    assert core.folder.live_damage() is not None

    result = core.folder.restore(good)

    assert result.safety_backup is None
    assert result.damaged_copy is not None and result.damaged_copy.read_bytes() == damaged
    assert result.damaged_copy.name.startswith("lsb-damaged-")
    assert names(core) == ["张五砦村"]
    assert core.folder.check().integrity == ()


def test_a_damaged_file_opens_for_restore_only_and_keeps_the_folder_locked(data_dir: Path) -> None:
    with Core.open(data_dir) as first:
        make_unit(first, "张五砦村")
        good = first.folder.backup("manual")
    scribble(data_dir / "lsb.db")
    with pytest.raises(DamagedDataError, match="已损坏"):
        Core.open(data_dir)

    folder = DataFolder(data_dir)
    try:
        damage = folder.open_for_restore()
        assert isinstance(damage, DamagedDataError) and folder.database is None
        with pytest.raises(LockedError):
            Core.open(data_dir)
        folder.restore(good)
        assert folder.database is not None
    finally:
        folder.close()
    with Core.open(data_dir) as reopened:
        assert names(reopened) == ["张五砦村"]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("database or disk is full", "磁盘已满"),
        ("attempt to write a readonly database", "不能写入"),
        ("database is locked", "正被其他程序占用"),
        ("disk I/O error", "读写数据文件"),
        ("unable to open database file", "无法打开数据文件"),
        ("file is not a database", "已损坏"),
    ],
)
def test_sqlite_faults_are_said_in_chinese(tmp_path: Path, words: str, expected: str) -> None:
    fault = storage_fault(sqlite3.OperationalError(words), tmp_path / "lsb.db")
    assert isinstance(fault, StorageError) and expected in fault.message


def test_a_bug_of_ours_is_not_taken_for_a_fault_of_the_disk(tmp_path: Path) -> None:
    assert storage_fault(sqlite3.IntegrityError("UNIQUE constraint failed: units.id"), tmp_path / "lsb.db") is None
    assert storage_fault(ValueError("x"), tmp_path / "lsb.db") is None


def test_a_truncated_live_file_is_kept_aside_and_replaced(core: Core) -> None:
    make_unit(core, "张五砦村")
    good = core.folder.backup("manual")
    core.folder.database.engine.dispose()
    live = core.folder.paths.database
    live.write_bytes(live.read_bytes()[: live.stat().st_size // 3])

    result = core.folder.restore(good)

    assert result.damaged_copy is not None and result.damaged_copy.exists()
    assert names(core) == ["张五砦村"]


def test_no_daily_backup_is_taken_of_damaged_data(data_dir: Path) -> None:
    """Thirty days of backups of a damaged file would push every good backup out."""
    from datetime import date

    from tests.integration.dbfiles import query

    with Core.open(data_dir, today=date(2030, 5, 1)) as first:
        for i in range(40):
            make_unit(first, f"测试{i}村")
    live = data_dir / "lsb.db"
    ((page_size,),) = query(live, "PRAGMA page_size")
    ((root,),) = query(live, "SELECT rootpage FROM sqlite_master WHERE name = 'ix_unit_versions_unit_id'")
    blob = bytearray(live.read_bytes())
    blob[(root - 1) * page_size + 8 : root * page_size] = b"\x5a" * (page_size - 8)
    live.write_bytes(bytes(blob))
    before = sorted(p.name for p in (data_dir / "backups").iterdir())

    with Core.open(data_dir, today=date(2030, 5, 2)) as damaged:
        assert "今天的自动备份没有做" in damaged.folder.backup_warning
        assert "内部结构损坏" in damaged.folder.backup_warning
    assert sorted(p.name for p in (data_dir / "backups").iterdir()) == before
