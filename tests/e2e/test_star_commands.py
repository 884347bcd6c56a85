"""五星支部 through the command line on the demo township: the summary (JSON and plain text),
the exported progress sheet, and the plan import (refused with exit 2 and nothing written)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from fractions import Fraction
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from test_command_line import run

from lsb_desktop.core import Core
from lsb_desktop.domain.stars import StarState, share_text

pytestmark = pytest.mark.e2e


def counts(data: Path) -> tuple[int, int, int]:
    with closing(sqlite3.connect(data / "lsb.db")) as connection:
        return tuple(
            connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("star_cells", "star_steps", "audit_log")
        )


@pytest.fixture
def demo_folder(demo_data: Path) -> Path:
    """A fresh copy of the demo township (stars included), as the `demo` command makes it."""
    return demo_data


def test_summary_json_matches_the_year_view(demo_folder: Path) -> None:
    result = run("stars", "summary", "--year", "2024", "--json", data_dir=demo_folder)
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    with Core.open(demo_folder) as core:
        summary = core.stars.year_view(2024)
    recount = [0] * 6
    for unit in summary.units:
        recount[sum(1 for c in unit.cells if c.in_set and c.state is StarState.HELD)] += 1
    assert printed["year"] == 2024 and printed["units"] == len(summary.units) == 24
    assert printed["levels"] == {str(level): recount[level] for level in range(6)}
    assert printed["at_least"] == {str(level): share_text(Fraction(sum(recount[level:]), 24)) for level in (3, 4, 5)}
    assert printed["targets"] == {"3": "100%", "4": "70%", "5": "50%"}
    assert "\\u" not in result.stdout  # Chinese-safe output, not escaped


def test_summary_in_plain_chinese(demo_folder: Path) -> None:
    result = run("stars", "summary", "--year", "2024", data_dir=demo_folder)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("清河镇2024年五星支部创建情况")
    assert "村（社区）：24 个" in lines
    assert any(line.startswith("三星及以上：") and "目标 100%" in line and "还差" in line for line in lines)
    assert any(line.startswith("距三星及以上最近") for line in lines)


def test_export_writes_a_workbook_that_opens(demo_folder: Path, tmp_path: Path) -> None:
    output = tmp_path / "五星创建进度表.xlsx"
    result = run("stars", "export", "--year", "2024", "-o", str(output), data_dir=demo_folder)
    assert result.returncode == 0, result.stderr
    assert "24 个村（社区）" in result.stdout
    book = load_workbook(output)
    try:
        assert book.sheetnames == ["五星创建进度表", "目标完成情况"]
        sheet = book["五星创建进度表"]
        assert sheet["A1"].value == "清河镇2024年五星支部创建进度表"
        names = [sheet.cell(row, 3).value for row in range(5, 29)]
        assert "马垌村" in names and "小李庄社区" in names and len(set(names)) == 24
    finally:
        book.close()


def plan(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    book.active.append(["村（社区）", "计划创建"])
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_a_bad_plan_is_refused_with_exit_2_and_nothing_written(demo_folder: Path, tmp_path: Path) -> None:
    before = counts(demo_folder)
    bad = plan(tmp_path / "bad.xlsx", [["常庄村", "产业兴旺星"], ["东关社区", "产业兴旺星"], ["无名村", "支部过硬星"]])
    result = run("stars", "import-plan", str(bad), "--year", "2025", data_dir=demo_folder)
    assert result.returncode == 2
    assert "未导入任何数据" in result.stderr
    assert "第 3 行“计划创建”：“产业兴旺星”不在社区的五星之列" in result.stderr
    assert "第 4 行“村（社区）”：2025年在册的村（社区）中没有“无名村”" in result.stderr
    assert counts(demo_folder) == before


def test_a_good_plan_is_previewed_then_imported(demo_folder: Path, tmp_path: Path) -> None:
    good = plan(tmp_path / "good.xlsx", [["常庄村", "产业兴旺星、文明幸福星"], ["东关社区", "支部过硬星"]])
    before = counts(demo_folder)
    dry = run("stars", "import-plan", str(good), "--year", "2025", "--dry-run", data_dir=demo_folder)
    assert dry.returncode == 0, dry.stderr
    assert "常庄村：产业兴旺星、文明幸福星（新增 产业兴旺星、文明幸福星）" in dry.stdout
    assert "未写入任何数据" in dry.stdout
    assert counts(demo_folder) == before
    done = run("stars", "import-plan", str(good), "--year", "2025", data_dir=demo_folder)
    assert done.returncode == 0, done.stderr
    cells, steps, audit = counts(demo_folder)
    assert (cells, steps) == (before[0] + 3, before[1]) and audit == before[2] + 3


def test_a_plan_import_into_a_nearly_empty_folder_is_backed_up_first(tmp_path: Path) -> None:
    """One village registered and nothing else: the import still leaves a restore point."""
    from datetime import date

    from lsb_desktop.domain.register import OrgType, UnitDraft, UnitKind

    data = tmp_path / "data"
    with Core.open(data) as core:
        core.villages.add_unit(UnitDraft("王庄村", UnitKind.VILLAGE, OrgType.BRANCH, None, "", None), date(2022, 1, 1))
    first = sorted(p.name for p in (data / "backups").glob("*.db"))
    done = run(
        "stars",
        "import-plan",
        str(plan(tmp_path / "plan.xlsx", [["王庄村", "产业兴旺星"]])),
        "--year",
        "2025",
        data_dir=data,
    )
    assert done.returncode == 0, done.stderr
    taken = sorted(p.name for p in (data / "backups").glob("*.db"))
    assert [name for name in taken if name not in first and name.endswith("-pre-import.db")]
    with closing(sqlite3.connect(next((data / "backups").glob("*-pre-import.db")))) as before:
        assert before.execute("SELECT count(*) FROM star_cells").fetchone()[0] == 0
