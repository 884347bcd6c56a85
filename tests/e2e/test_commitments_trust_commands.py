"""Issue 11, points 8 and 10, through the real program in a subprocess: `commitments import`
refuses a file without a year or with years that disagree, lists every 将替换 row and exits 2
unless the replacement is confirmed, never matches a carried item by 序号; `commitments export`
states the day 逾期 is counted to, and counts what the summary counts."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from factories import make_unit, write_sheet
from openpyxl import load_workbook

from lsb_desktop.core import Core
from lsb_desktop.domain.commitments import CommitmentDraft, CommitmentStatus
from tests.e2e.test_command_line import run

pytestmark = pytest.mark.e2e
HEADER = ("序号", "村（社区）", "承诺事项", "类别", "完成时限")


def rows_in(data_dir: Path) -> list[tuple]:
    connection = sqlite3.connect(data_dir / "lsb.db")
    try:
        return connection.execute(
            "SELECT year, number, content, carried_from_id IS NOT NULL FROM commitments ORDER BY unit_id, year, number"
        ).fetchall()
    finally:
        connection.close()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    with Core.open(folder) as core:
        for name in ("张五砦村", "王庄村"):
            make_unit(core, name)
    return folder


def write_file(path: Path, rows: list[list[object]], header=HEADER) -> Path:
    return write_sheet(path, header, rows, "承诺事项")


@pytest.fixture(scope="module")
def replace_flag() -> bool:
    """Whether the command line offers --replace (declared in lsb_desktop/cli.py)."""
    return "--replace" in run("commitments", "import", "-h").stdout


def test_a_file_without_a_year_or_with_a_disagreeing_year_is_refused(data: Path, tmp_path: Path) -> None:
    spans = write_file(
        tmp_path / "跨年.xlsx",
        [[1, "张五砦村", "修路", "民生实事", "2023Q3"], [1, "王庄村", "建广场", "民生实事", "2024Q2"]],
    )
    result = run("commitments", "import", str(spans), data_dir=data)
    assert result.returncode == 2
    assert (
        "工作表“承诺事项”：表中没有“年度”列，也没有指定导入年度（命令行用 --year，程序中在导入窗口选择年度），"
        "未导入任何数据；完成时限分属 2023、2024 年，程序不会按完成时限猜测年度，请加“年度”列"
    ) in result.stderr
    with_year = write_file(
        tmp_path / "年度.xlsx", [[2023, 1, "张五砦村", "修路", "民生实事", "2023Q3"]], header=("年度", *HEADER)
    )
    disagree = run("commitments", "import", str(with_year), "--year", "2024", data_dir=data)
    assert disagree.returncode == 2
    assert "年度 2023 与指定的导入年度 2024 年不一致" in disagree.stderr
    assert rows_in(data) == []
    agree = run("commitments", "import", str(with_year), "--year", "2023", data_dir=data)
    assert agree.returncode == 0, agree.stderr
    assert rows_in(data) == [(2023, 1, "修路", 0)]


def test_replacing_rows_are_listed_and_refused_until_confirmed(data: Path, tmp_path: Path, replace_flag) -> None:
    first = write_file(
        tmp_path / "第一版.xlsx",
        [
            [1, "张五砦村", "硬化村内道路1.2公里", "民生实事", "2023Q3"],
            [2, "张五砦村", "新建文化广场1处", "民生实事", ""],
        ],
    )
    assert run("commitments", "import", str(first), "--year", "2023", data_dir=data).returncode == 0
    second = write_file(
        tmp_path / "第二版.xlsx",
        [[1, "张五砦村", "硬化村内道路1.2公里", "民生实事", "2023Q3"], [2, "张五砦村", "安装路灯50盏", "民生实事", ""]],
    )
    line = "工作表“承诺事项”第 3 行 张五砦村 2023年第2项（按序号对应）将替换：内容：新建文化广场1处 → 安装路灯50盏"

    dry = run("commitments", "import", str(second), "--year", "2023", "--dry-run", data_dir=data)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("对应规则：同一村（社区）同一年度中，承诺事项内容相同的是同一项")
    assert "将替换已有的承诺事项 1 项（原来 → 导入后）：" in dry.stdout and line in dry.stdout
    assert "预览：新增 0 项，将替换 1 项，不变 1 项；未写入任何数据（--dry-run）" in dry.stdout

    refused = run("commitments", "import", str(second), "--year", "2023", data_dir=data)
    assert refused.returncode == 2
    assert "错误：文件中有 1 项将替换已有的承诺事项，未导入任何数据。" in refused.stderr
    assert "确认后加 --replace 再导入" in refused.stderr and line in refused.stderr
    assert rows_in(data) == [(2023, 1, "硬化村内道路1.2公里", 0), (2023, 2, "新建文化广场1处", 0)]

    if not replace_flag:
        pytest.skip("lsb_desktop/cli.py 的 commitments import 还没有声明 --replace")
    confirmed = run("commitments", "import", str(second), "--year", "2023", "--replace", data_dir=data)
    assert confirmed.returncode == 0, confirmed.stderr
    assert "导入完成：新增 0 项，替换 1 项，不变 1 项（写入 1 项）" in confirmed.stdout
    assert rows_in(data) == [(2023, 1, "硬化村内道路1.2公里", 0), (2023, 2, "安装路灯50盏", 0)]


def test_a_carried_item_is_not_matched_by_the_number_of_a_new_file(data: Path, tmp_path: Path) -> None:
    with Core.open(data) as core:
        unit = core.villages.list_units()[0]
        core.commitments.add(CommitmentDraft(unit_id=unit.id, year=2023, content="修建村史馆", category="民生实事"))
        assert len(core.commitments.carry_over(2023).carried) == 1  # 2024 第 1 项, carried
    path = write_file(tmp_path / "2024.xlsx", [[1, "张五砦村", "新建党群服务中心", "基层党建", ""]])
    result = run("commitments", "import", str(path), "--year", "2024", data_dir=data)
    assert result.returncode == 0, result.stderr
    assert (
        "工作表“承诺事项”第 2 行 张五砦村 2024年第2项：新增（文件中的序号 1 已是结转事项（修建村史馆）的序号，"
        "本行按第 2 项新增）"
    ) in result.stdout
    assert rows_in(data) == [(2023, 1, "修建村史馆", 0), (2024, 1, "修建村史馆", 1), (2024, 2, "新建党群服务中心", 0)]


def test_export_states_the_day_overdue_is_counted_to_and_counts_what_the_summary_counts(
    data: Path, tmp_path: Path
) -> None:
    with Core.open(data) as core:
        zhang, wang = core.villages.list_units()[:2]
        add = core.commitments.add
        add(CommitmentDraft(unit_id=zhang.id, year=2023, content="到年底没完成", category="民生实事"))  # due 12-31
        add(CommitmentDraft(unit_id=zhang.id, year=2023, content="二季度没完成", category="民生实事", target_quarter=2))
        add(
            CommitmentDraft(
                unit_id=wang.id,
                year=2023,
                content="按时完成",
                category="民生实事",
                target_quarter=3,
                status=CommitmentStatus.DONE,
                completed_on=date(2023, 9, 1),
            )
        )
        carried = add(CommitmentDraft(unit_id=wang.id, year=2023, content="结转走了", category="民生实事"))
        core.commitments.carry_over(2023, [wang.id])
        summary = core.commitments.summary(2023)
        assert sum(r.completion.overdue for r in summary) == 2
        assert core.commitments.get(carried.id).carried_text == "已结转到 2024 年第 1 项"
    output = tmp_path / "2023.xlsx"
    result = run("commitments", "export", "--year", "2023", "-o", str(output), data_dir=data)
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith("逾期（统计到 2023-12-31） 2 项")
    book = load_workbook(output)
    try:
        sheet = book["完成情况汇总表"]
        assert sheet["G3"].value == "逾期\n（统计到 2023-12-31）"
        by_unit = {sheet.cell(r, 3).value: sheet.cell(r, 7).value for r in range(4, 6)}
        assert by_unit == {"张五砦村": 2, "王庄村": 0}
        wang_sheet = book[next(t for t in book.sheetnames if "王庄村" in t)]
        progress = [wang_sheet.cell(r, 7).value for r in (4, 5)]
        assert progress == ["已完成\n（2023年9月1日）", "已结转\n（转入2024年第1项）"]
        notes = [str(sheet.cell(r, 1).value) for r in range(1, sheet.max_row + 1)]
        assert any(text.startswith("4. 逾期：统计到 2023-12-31，") and "（1项）不计逾期" in text for text in notes)
    finally:
        book.close()
