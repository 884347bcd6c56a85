"""The real program as a subprocess on a temporary data folder."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from lsb_desktop.core import Core

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def run(*args: str, data_dir: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("QT_QPA_PLATFORM", "LSB_DATA_DIR")}
    env["PYTHONIOENCODING"] = "utf-8"
    command = [sys.executable, str(ROOT / "main.py")]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    return subprocess.run(
        command + list(args), cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8", timeout=timeout
    )


def unit_count(data_dir: Path) -> int:
    connection = sqlite3.connect(data_dir / "lsb.db")
    try:
        return connection.execute("SELECT count(*) FROM units").fetchone()[0]
    finally:
        connection.close()


def test_demo_then_smoke_test_opens_the_window(tmp_path: Path) -> None:
    """The one test that builds the demo with the real `demo` command; the others copy the
    session's demo folder (the `demo_data` fixture)."""
    data = tmp_path / "data"
    created = run("demo", data_dir=data)
    assert created.returncode == 0, created.stderr
    assert "清河镇" in created.stdout and unit_count(data) == 24
    smoke = run("--smoke-test", data_dir=data)
    assert smoke.returncode == 0, smoke.stderr
    lines = smoke.stdout.strip().splitlines()
    assert "24 个村（社区）" in lines[0]
    assert lines[-1].isdigit() and int(lines[-1]) > 0


def test_data_dir_is_accepted_after_the_command(demo_data: Path, tmp_path: Path) -> None:
    exported = tmp_path / "名册.xlsx"
    result = run("villages", "export", str(exported), "--data-dir", str(demo_data))
    assert result.returncode == 0, result.stderr
    assert "已导出 24 个村（社区）" in result.stdout and exported.is_file()


def test_check_backup_and_restore(demo_data: Path, tmp_path: Path) -> None:
    data = demo_data
    check = run("check", "--json", data_dir=data)
    assert check.returncode == 0, check.stderr
    report = json.loads(check.stdout)
    assert report["ok"] is True and report["integrity"] == "ok" and report["revision"] == report["head"]

    backup = run("backup", data_dir=data)
    assert backup.returncode == 0, backup.stderr
    saved = Path(backup.stdout.strip().split("已备份到 ", 1)[1])
    assert saved.is_file()

    roster = tmp_path / "extra.xlsx"
    sheet_book = Workbook()
    sheet_book.active.append(["村（社区）名称", "类型", "管区"])
    sheet_book.active.append(["新建村", "村", "东部管区"])
    sheet_book.save(roster)
    assert run("villages", "import", str(roster), data_dir=data).returncode == 0
    assert unit_count(data) == 25

    restored = run("restore", str(saved), data_dir=data)
    assert restored.returncode == 0, restored.stderr
    assert unit_count(data) == 24
    assert "恢复前的数据已备份到" in restored.stdout


def test_roster_export_and_reimport_changes_nothing(demo_data: Path, tmp_path: Path) -> None:
    data = demo_data
    exported = tmp_path / "名册.xlsx"
    result = run("villages", "export", str(exported), data_dir=data)
    assert result.returncode == 0, result.stderr
    sheet = load_workbook(exported).active
    names = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert "张五砦村" in names and len(names) == 24
    again = run("villages", "import", str(exported), data_dir=data)
    assert again.returncode == 0, again.stderr
    assert "新增 0 个，更新 0 个，无变化 24 个" in again.stdout


def test_bad_roster_is_refused_with_chinese_reasons_and_writes_nothing(demo_data: Path, tmp_path: Path) -> None:
    data = demo_data
    roster = tmp_path / "坏名册.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["清河镇村（社区）名册"])
    sheet.merge_cells("A1:D1")
    sheet.append(["序号", "村（社区）名称", "类型", "管区"])
    sheet.append(["１", "好村", "村", "东部管区"])
    sheet.append(["2", None, "村", "东部管区"])
    sheet.append(["3", "好村", "村", "东部管区"])
    sheet.append(["4", "某某", "镇", "西部管区"])
    sheet.append(["合计", None, None, None])
    book.save(roster)
    result = run("villages", "import", str(roster), data_dir=data)
    assert result.returncode == 2
    assert "未导入任何数据" in result.stderr
    assert "第4行" in result.stderr and "第5行" in result.stderr and "第6行" in result.stderr
    assert "类型“镇”无法识别" in result.stderr
    assert unit_count(data) == 24


def test_a_second_instance_on_the_same_data_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Core.open(data):
        result = run("check", data_dir=data)
    assert result.returncode == 2
    assert "另一个亮赛比桌面版正在使用" in result.stderr


def test_a_newer_database_is_refused_and_left_alone(demo_data: Path, tmp_path: Path) -> None:
    data = demo_data
    connection = sqlite3.connect(data / "lsb.db")
    connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    connection.commit()
    connection.close()
    before = (data / "lsb.db").read_bytes()
    result = run("check", data_dir=data)
    assert result.returncode == 2
    assert "更新版本" in result.stderr
    assert (data / "lsb.db").read_bytes() == before


def test_bad_arguments_exit_2_in_chinese(tmp_path: Path) -> None:
    result = run("villages", "frobnicate", data_dir=tmp_path / "data")
    assert result.returncode == 2
    assert "命令行参数有误" in result.stderr
    missing = run("villages", "import", str(tmp_path / "没有这个文件.xlsx"), data_dir=tmp_path / "data")
    assert missing.returncode == 2
    assert "没有这个文件.xlsx" in missing.stderr


def test_screenshot_writes_a_picture_of_the_window(demo_data: Path, tmp_path: Path) -> None:
    data = demo_data
    picture = tmp_path / "window.png"
    result = run("--screenshot", str(picture), "--tab", "村（社区）", data_dir=data)
    assert result.returncode == 0, result.stderr
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    unknown = run("--screenshot", str(tmp_path / "x.png"), "--tab", "没有的标签", data_dir=data)
    assert unknown.returncode == 2


def test_commands_never_import_qt(tmp_path: Path) -> None:
    code = (
        "import sys, runpy; sys.argv = ['main.py', '--data-dir', sys.argv[1], 'check'];\n"
        "try:\n    runpy.run_path('main.py', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'reportlab'))\n"
        "print('QT:' + ','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "data")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "QT:"


def test_the_window_refuses_a_data_folder_in_use(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Core.open(data):
        result = run("--smoke-test", data_dir=data)
    assert result.returncode == 2
    assert "另一个亮赛比桌面版正在使用" in result.stderr


# ---------------------------------------------------------------------------- a backup that fails, 检查数据


def small_township(data: Path, tmp_path: Path) -> dict[str, object]:
    """Two villages, a round created, a star planned with a file attached, built in-process."""
    from datetime import date

    from lsb_desktop.domain.period import Period
    from lsb_desktop.domain.register import OrgType, UnitDraft, UnitKind
    from lsb_desktop.services.rounds import RoundDraft

    with Core.open(data) as core:
        ids = {
            name: core.villages.add_unit(
                UnitDraft(name, UnitKind.VILLAGE, OrgType.BRANCH, None, "", None), date(2022, 1, 1)
            ).value.id
            for name in ("王庄村", "刘堌堆村")
        }
        core.rounds.create_round(RoundDraft(Period(2024, 1), "逐村观摩评比", date(2024, 4, 20), ("王建军",), 0, 0))
        core.stars.set_planned(ids["王庄村"], 2024, "产业兴旺星", True)
        scan = tmp_path / "申报材料.pdf"
        scan.write_bytes(b"%PDF-1.4 " + b"material" * 100)
        stored = core.stars.attach(ids["王庄村"], 2024, "产业兴旺星", scan)
    return {"ids": ids, "file": Path(stored.path)}


def block_backups(data: Path) -> None:
    """A file where the backups folder should be: no backup can be written, whoever runs it."""
    import shutil

    shutil.rmtree(data / "backups", ignore_errors=True)
    (data / "backups").write_text("不是文件夹")


def test_a_failed_daily_backup_warns_on_stderr_and_the_command_still_runs(tmp_path: Path) -> None:
    data = tmp_path / "data"
    small_township(data, tmp_path)
    block_backups(data)
    exported = tmp_path / "名册.xlsx"
    result = run("villages", "export", str(exported), data_dir=data)
    assert result.returncode == 0, result.stderr
    assert "警告：今天的自动备份没有完成" in result.stderr and "程序照常打开" in result.stderr
    assert exported.is_file() and "已导出 2 个村（社区）" in result.stdout
    # The window opens too (the smoke test), and says the same on stderr.
    smoke = run("--smoke-test", data_dir=data)
    assert smoke.returncode == 0, smoke.stderr
    assert "警告：今天的自动备份没有完成" in smoke.stderr
    assert "主窗口已显示，共 2 个村（社区）" in smoke.stdout


def test_a_new_data_folder_has_a_backup_from_the_first_command(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = run("check", data_dir=data)
    assert result.returncode == 0, result.stderr
    (backup,) = (data / "backups").glob("*.db")
    assert backup.name.endswith("-initial.db")


def test_check_all_clear_says_what_it_checked(tmp_path: Path) -> None:
    data = tmp_path / "data"
    small_township(data, tmp_path)
    plain = run("check", data_dir=data)
    assert plain.returncode == 0, plain.stderr
    lines = plain.stdout.splitlines()
    assert lines[1] == "检查结果：通过，未发现问题"
    assert "  数据库完整性、外键：通过" in lines
    assert any(line.startswith("  审计日志：") and line.endswith("条审计记录哈希相连，未被改动") for line in lines)
    assert "  附件：1 个附件文件校验一致" in lines
    assert any(line.startswith("  数据版本 ") and line.endswith("（最新）") for line in lines)
    assert "0004_" not in plain.stdout and "revision" not in plain.stdout

    report = json.loads(run("check", "--json", data_dir=data).stdout)
    assert report["ok"] is True and report["integrity"] == "ok" and report["revision"] == report["head"]
    assert report["checked"]["integrity"] is True and report["checked"]["evidence_files"] == 1
    assert report["checked"]["audit_entries"] >= 3 and report["checked"]["audit_ok"] is True
    assert report["version"].endswith("（最新）")


def test_check_names_the_round_village_star_and_file_it_found_changed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    made = small_township(data, tmp_path)
    connection = sqlite3.connect(data / "lsb.db")
    try:
        connection.execute("UPDATE audit_log SET operator = '别人' WHERE action = '建立评比活动'")
        connection.commit()
    finally:
        connection.close()
    made["file"].unlink()

    plain = run("check", data_dir=data)
    assert plain.returncode == 2
    problems = [line for line in plain.stdout.splitlines() if line.startswith("  ") and ". " in line[:6]]
    assert len(problems) == 2
    assert "的内容被改动：" in problems[0] and problems[0].endswith("“建立评比活动”，2024年第一季度逐村观摩评比")
    assert "附件“申报材料.pdf”（王庄村 2024年产业兴旺星，" in problems[1] and "的文件不见了" in problems[1]
    for word in ("round:", "star:", "audit_log", "evidence_files", "0004_"):
        assert word not in plain.stdout

    machine = run("check", "--json", data_dir=data)
    assert machine.returncode == 2
    report = json.loads(machine.stdout)
    assert report["ok"] is False
    assert [f"  {i}. {p}" for i, p in enumerate(report["integrity"], 1)] == problems
    assert (report["checked"]["audit_ok"], report["checked"]["evidence_ok"]) == (False, False)
    assert report["checked"]["evidence_files"] == 1
