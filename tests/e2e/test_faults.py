"""Faults of the machine, through the real program: a full disk (a small tmpfs, or where this
user may not mount one, a per-file size cap on the program's process), a read-only folder and
data file, a data file locked by another program; each ends in exit 2 with a Chinese message,
no traceback, no half-written file and the data as it was. And restore over damaged data."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from fault_disk import SmallDisk
from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e

SHM_BYTES = 32 * 1024  # SQLite's shared-memory file, needed even to read a WAL database
ROUND, JUDGE, UNIT, CRITERION = "1", "王建军", "张五砦村", "基层党建"


@pytest.fixture
def disk(tmp_path: Path):
    small = SmallDisk(tmp_path / "disk")
    yield small
    small.close()


@pytest.fixture
def data(disk: SmallDisk, demo_template: Path) -> Path:
    """The demo township on the small disk, opened once so today's backup is already there."""
    from lsb_desktop.core import Core

    folder = disk.root / "data"
    folder.mkdir()
    source = sqlite3.connect(demo_template / "lsb.db")
    target = sqlite3.connect(folder / "lsb.db")
    source.backup(target)
    target.close()
    source.close()
    Core.open(folder).close()
    return folder


def run(*args: str, data_dir: Path, preexec=None, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("QT_QPA_PLATFORM", "LSB_DATA_DIR")}
    env["PYTHONIOENCODING"] = "utf-8"
    command = [sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir), *args]
    return subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        preexec_fn=preexec,
    )


def snapshot(folder: Path) -> tuple:
    """What must not change: the audit log, the scores, adjustments and results."""
    connection = sqlite3.connect(f"file:{folder / 'lsb.db'}?mode=ro", uri=True)
    try:
        return tuple(
            connection.execute(statement).fetchall()
            for statement in (
                "SELECT count(*), max(hash) FROM audit_log",
                "SELECT * FROM scores ORDER BY id",
                "SELECT * FROM adjustments ORDER BY id",
                "SELECT * FROM round_results ORDER BY id",
            )
        )
    finally:
        connection.close()


def leftovers(*folders: Path) -> list[str]:
    """Half-written files of ours: backups (*.partial and SQLite's files beside them), restore
    copies and export temporaries."""
    found = []
    for folder in folders:
        for path in folder.rglob("*"):
            name = path.name
            if ".partial" in name or name.startswith((".lsb-restore-", ".~")) or name.endswith((".part", ".tmp.xlsx")):
                found.append(name)
    return found


def assert_refused(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "sqlalchemy" not in result.stderr.lower(), result.stderr
    assert "错误：" in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


def correct_args(score: str = "5") -> list[str]:
    return [
        "round",
        "correct",
        ROUND,
        "--judge",
        JUDGE,
        "--unit",
        UNIT,
        "--criterion",
        CRITERION,
        "--score",
        score,
        "--reason",
        "更正录入错误",
    ]


def score_table(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["评委", "村（社区）", "指标", "得分"])
    sheet.append([JUDGE, UNIT, CRITERION, 6])
    sheet.append([JUDGE, "刘堌堆村", CRITERION, 7])
    book.save(path)
    return path


# ---------------------------------------------------------------------------- a full disk


def test_a_correction_on_a_full_disk_is_refused_and_changes_nothing(disk, data) -> None:
    """A few pages left: the data opens, and the correction's transaction fails part-way."""
    before = snapshot(data)
    disk.fill(leave=40 * 1024 if disk.mounted else SHM_BYTES + 8 * 1024)
    result = run(*correct_args(), data_dir=data, preexec=disk.limit())
    disk.empty()
    assert_refused(result, "磁盘", "没有完成")
    assert snapshot(data) == before
    assert leftovers(data) == []


def test_a_score_import_on_a_full_disk_is_refused_and_imports_nothing(disk, data, tmp_path) -> None:
    table = score_table(tmp_path / "评分.xlsx")
    before = snapshot(data)
    disk.fill(leave=40 * 1024 if disk.mounted else SHM_BYTES + 8 * 1024)
    result = run("round", "import", ROUND, str(table), "--reason", "补录", data_dir=data, preexec=disk.limit())
    disk.empty()
    assert_refused(result, "磁盘")
    assert snapshot(data) == before
    assert leftovers(data) == []


def test_a_backup_or_a_restore_on_a_full_disk_leaves_nothing_behind(disk, data) -> None:
    backups_before = sorted(p.name for p in (data / "backups").iterdir())
    (good,) = [data / "backups" / name for name in backups_before if name.endswith("-daily.db")]
    before = snapshot(data)
    disk.fill(leave=200 * 1024 if disk.mounted else SHM_BYTES + 8 * 1024)
    backup = run("backup", data_dir=data, preexec=disk.limit())
    restore = run("restore", str(good), data_dir=data, preexec=disk.limit())
    disk.empty()
    assert_refused(backup, "写入备份", "磁盘", "没有留下不完整的备份文件")
    assert_refused(restore, "磁盘", "未恢复")
    assert sorted(p.name for p in (data / "backups").iterdir()) == backups_before
    assert snapshot(data) == before
    assert leftovers(data) == []


@pytest.mark.parametrize(("kind", "name"), [("ranking", "得分汇总表.xlsx"), ("certificates", "荣誉证书.pdf")])
def test_an_export_to_a_full_disk_leaves_no_half_file(disk, demo_template, tmp_path, kind, name) -> None:
    """The data is on the ordinary disk; the target (a USB stick, say) is full."""
    folder = tmp_path / "data"
    shutil.copytree(demo_template, folder)
    target = disk.root / name
    disk.fill(leave=0 if disk.mounted else SHM_BYTES)
    result = run("export", kind, ROUND, "-o", str(target), data_dir=folder, preexec=disk.limit())
    disk.empty()
    if not disk.mounted and result.returncode == 0:
        pytest.skip("the file is smaller than the size cap that still lets SQLite open the data")
    assert_refused(result, "无法写入")
    assert not target.exists()
    assert leftovers(disk.root, folder) == []


EXPORTS = {
    "ranking": (["export", "ranking", ROUND], "得分汇总表.xlsx"),
    "certificates": (["export", "certificates", ROUND], "荣誉证书.pdf"),
    "notices": (["export", "notices", ROUND], "通报.pdf"),
    "roster": (["villages", "export"], "花名册.xlsx"),
    "commitments": (["commitments", "export", "--year", "2023"], "承诺事项.xlsx"),
    "stars": (["stars", "export", "--year", "2024"], "五星创建.xlsx"),
    "judge-sheets": (["round", "sheets", ROUND], "评分表.xlsx"),
}


def test_every_export_into_a_read_only_folder_is_refused_in_chinese(disk, demo_template, tmp_path) -> None:
    """A folder shared read-only (or a CD): every export says so, and nothing is left there."""
    folder = tmp_path / "data"
    shutil.copytree(demo_template, folder)
    target_folder = disk.root / "只读"
    target_folder.mkdir()
    disk.read_only(target_folder)
    results = {}
    for kind, (args, name) in EXPORTS.items():
        output = ["-o", str(target_folder / name)] if args[0] != "villages" else [str(target_folder / name)]
        results[kind] = run(*args, *output, data_dir=folder)
    disk.writable()
    for kind, result in results.items():
        name = EXPORTS[kind][1]
        assert_refused(result, f"无法写入“{name}”", "没有写入权限" if not disk.mounted else "磁盘只读", "文件没有保存")
        assert "Exception ignored" not in result.stderr
    assert list(target_folder.iterdir()) == []


def test_leftover_partial_backups_are_cleared_when_the_data_is_opened(data) -> None:
    backups = data / "backups"
    for name in ("lsb-20240101-090000-daily.partial", "lsb-20240101-090000-daily.partial-journal"):
        (backups / name).write_bytes(b"half a page")
    (data / ".lsb-restore-0badf00d.db").write_bytes(b"half a copy")
    result = run("round", "list", data_dir=data)
    assert result.returncode == 0, result.stderr
    assert leftovers(data) == []
    assert [p for p in backups.iterdir() if p.name.endswith("-daily.db")]  # complete ones stay


# ---------------------------------------------------------------------------- read-only, locked


READ_ONLY = "是只读的，现在只能查看和导出，不能修改"


def files_of(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file in the folder with its size and modification time (but SQLite's -shm, an index
    in shared memory that readers update too)."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith("-shm")
    }


@pytest.mark.parametrize("what", ["folder", "file"])
def test_a_read_only_data_folder_opens_to_look_and_export_and_refuses_every_change(disk, data, tmp_path, what) -> None:
    """A data folder on a CD or a read-only share (or an lsb.db marked read-only): listing,
    checking and exporting work; a correction, an import, a backup and a restore are refused
    with the reason; nothing is written there (no lock, no -wal, no backup)."""
    before, files = snapshot(data), files_of(data)
    (good,) = [p for p in (data / "backups").iterdir() if p.name.endswith("-daily.db")]
    table = score_table(tmp_path / "评分.xlsx")
    disk.read_only(data if what == "folder" else data / "lsb.db")
    listed = run("round", "list", data_dir=data)
    checked = run("check", data_dir=data)
    exported = run("export", "ranking", ROUND, "-o", str(tmp_path / "得分汇总表.xlsx"), data_dir=data)
    refused = [run(*correct_args(), data_dir=data), run("backup", data_dir=data)]
    if what == "folder":  # (the data file alone read-only goes the same way; once is enough)
        refused += [
            run("round", "import", ROUND, str(table), "--reason", "补录", data_dir=data),
            run("restore", str(good), data_dir=data),
        ]
    disk.writable()

    for result in (listed, checked, exported):
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"提示：数据文件夹“{data}”{READ_ONLY}" in result.stderr
    assert "检查结果：通过" in checked.stdout
    assert (tmp_path / "得分汇总表.xlsx").stat().st_size > 0
    for result in refused:
        assert_refused(result, READ_ONLY, "复制到可以写入的位置")
    assert files_of(data) == files
    assert snapshot(data) == before


def test_an_old_data_file_in_a_read_only_folder_says_it_cannot_be_upgraded_there(disk) -> None:
    from tests.integration.dbfiles import old_database

    folder = disk.root / "old"
    old_database(folder)
    files = files_of(folder)
    disk.read_only(folder)
    result = run("round", "list", data_dir=folder)
    disk.writable()
    assert_refused(result, "需要升级才能打开", "是只读的，不能在这里升级", "复制到")
    assert files_of(folder) == files


def test_a_read_only_folder_without_data_is_said(disk) -> None:
    folder = disk.root / "empty"
    folder.mkdir()
    disk.read_only(folder)
    result = run("round", "list", data_dir=folder)
    disk.writable()
    assert_refused(result, "是只读的，其中还没有数据")
    assert list(folder.iterdir()) == []


def test_a_data_file_locked_by_another_program_is_said_and_nothing_changes(data) -> None:
    before = snapshot(data)
    other = sqlite3.connect(data / "lsb.db", isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        result = run(*correct_args(), data_dir=data)
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert_refused(result, "正被其他程序占用", "稍等片刻再试")
    assert snapshot(data) == before


# ---------------------------------------------------------------------------- restore over damage


@pytest.fixture
def small_data(tmp_path: Path) -> tuple[Path, Path]:
    """A data folder with two villages, and a backup holding only the first."""
    from factories import make_unit

    from lsb_desktop.core import Core

    folder = tmp_path / "data"
    with Core.open(folder) as core:
        make_unit(core, "张五砦村")
        good = core.folder.backup("manual")
        make_unit(core, "后营村")
    return folder, good


def units(folder: Path) -> list[str]:
    connection = sqlite3.connect(f"file:{folder / 'lsb.db'}?mode=ro", uri=True)
    try:
        return [row[0] for row in connection.execute("SELECT name FROM unit_versions ORDER BY id")]
    finally:
        connection.close()


def _scribble(path: Path) -> None:
    """Every page but the first (the schema) overwritten with garbage."""
    blob = bytearray(path.read_bytes())
    blob[4096:] = b"\xa5" * (len(blob) - 4096)
    path.write_bytes(bytes(blob))


def _header(path: Path) -> None:
    blob = bytearray(path.read_bytes())
    blob[:100] = b"\x00garbage" * 12 + b"\x00" * 4
    path.write_bytes(bytes(blob))


@pytest.mark.parametrize("damage", [_scribble, _header], ids=["pages", "header"])
def test_restore_replaces_damaged_data_and_keeps_the_damaged_file(small_data, damage) -> None:
    folder, good = small_data
    live = folder / "lsb.db"
    damage(live)
    damaged_bytes = live.read_bytes()
    if damage is _header:
        assert_refused(run("round", "list", data_dir=folder), "已损坏", "restore", "不会被删除")

    result = run("restore", str(good), data_dir=folder)

    assert result.returncode == 0, result.stdout + result.stderr
    (kept,) = folder.glob("lsb-damaged-*.db")
    assert kept.read_bytes() == damaged_bytes
    assert str(kept) in result.stdout and "改名保存" in result.stdout
    assert units(folder) == ["张五砦村"]
    assert leftovers(folder) == []


def test_a_backup_whose_audit_log_does_not_add_up_is_restored_only_when_accepted(small_data) -> None:
    folder, tampered = small_data
    connection = sqlite3.connect(tampered)
    connection.execute(
        "INSERT INTO audit_log (at, operator, action, entity, old, new, reason, prev_hash, hash) "
        "VALUES ('2030-01-01 09:00:00', '某人', 'score.set', 'score:1', '', '20', '', 'x', 'y')"
    )
    connection.commit()
    connection.close()

    refused = run("restore", str(tampered), data_dir=folder)
    assert_refused(refused, "的审计日志有", "--accept-audit-problems", "第 1 条")
    assert units(folder) == ["张五砦村", "后营村"]

    accepted = run("restore", str(tampered), "--accept-audit-problems", data_dir=folder)
    assert accepted.returncode == 0, accepted.stderr
    assert "恢复前的数据已备份到" in accepted.stdout and "第 1 条" in accepted.stdout
    assert units(folder) == ["张五砦村"]
