"""`commitments import` and `commitments export` run as the real program in a subprocess on a
temporary data folder."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from factories import make_unit
from openpyxl import Workbook, load_workbook

from lsb_desktop.core import Core
from tests.e2e.test_command_line import run

pytestmark = pytest.mark.e2e
UNITS = ("张五砦村", "王庄村", "东关社区")


def commitments_in(data_dir: Path) -> list[tuple]:
    connection = sqlite3.connect(data_dir / "lsb.db")
    try:
        return connection.execute(
            "SELECT year, number, content, status FROM commitments ORDER BY unit_id, year, number"
        ).fetchall()
    finally:
        connection.close()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    with Core.open(folder) as core:
        for name in UNITS:
            make_unit(core, name)
    return folder


def write_file(
    path: Path,
    rows: list[list[object]],
    header=("序号", "村（社区）", "承诺事项", "类别", "完成时限", "状态", "完成日期", "备注"),
) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "承诺事项"
    sheet.append(["清河镇2023年度承诺事项"])
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


GOOD = [
    [1, "张五砦村", "硬化村内道路1.2公里", "人居环境·基础设施", "2023Q3", "已完成", "2023.9.26", ""],
    [2, "张五砦村", "村集体经济收入突破30万元", "集体经济·产业", "2023年12月31日", "推进中", None, ""],
    [1, "王庄村", "完成500户不动产登记颁证", "民生实事", "第二季度", "逾期", None, ""],
    [1, "东关社区", "新建日间照料中心1处", "民生实事", "2023-10-31", "已取消", None, "县里统一在镇区建设"],
]


def test_import_writes_the_rows_and_a_second_import_changes_nothing(data: Path, tmp_path: Path) -> None:
    path = write_file(tmp_path / "承诺.xlsx", GOOD)
    result = run("commitments", "import", str(path), "--year", "2023", data_dir=data)
    assert result.returncode == 0, result.stderr
    assert "工作表“承诺事项”第 3 行 张五砦村 2023年第1项：新增" in result.stdout
    assert "导入完成：新增 4 项，替换 0 项，不变 0 项（写入 4 项）" in result.stdout
    assert commitments_in(data) == [
        (2023, 1, "硬化村内道路1.2公里", "done"),
        (2023, 2, "村集体经济收入突破30万元", "in_progress"),
        (2023, 1, "完成500户不动产登记颁证", "in_progress"),
        (2023, 1, "新建日间照料中心1处", "cancelled"),
    ]

    again = run("commitments", "import", str(path), "--year", "2023", data_dir=data)
    assert again.returncode == 0, again.stderr
    assert "新增 0 项，替换 0 项，不变 4 项（写入 0 项）" in again.stdout
    assert len(commitments_in(data)) == 4


def test_dry_run_previews_and_writes_nothing(data: Path, tmp_path: Path) -> None:
    path = write_file(tmp_path / "承诺.xlsx", GOOD)
    result = run("commitments", "import", str(path), "--year", "2023", "--dry-run", data_dir=data)
    assert result.returncode == 0, result.stderr
    assert "预览：新增 4 项，将替换 0 项，不变 0 项；未写入任何数据（--dry-run）" in result.stdout
    assert commitments_in(data) == []


def test_a_file_with_problems_is_refused_row_by_row_and_nothing_is_written(data: Path, tmp_path: Path) -> None:
    path = write_file(
        tmp_path / "有问题.xlsx",
        [
            [1, "张五砦村", "硬化道路", "人居环境·基础设施", "2023.9.26", "已完成", "2023.9.26", ""],
            [2, "张五砦村", None, "民生实事", "2023年9月26日", "推进中", None, ""],
            [1, "李家寨村", "打机井3眼", "民生实事", 45195, "推进中", None, ""],
            [1, "王庄村", "建广场", "民生实事", "2023Q3", "差不多了", None, ""],
        ],
    )
    result = run("commitments", "import", str(path), "--year", "2023", data_dir=data)
    assert result.returncode == 2
    assert "错误：承诺事项表“有问题.xlsx”有 3 个问题，未导入任何数据：" in result.stderr
    assert "工作表“承诺事项”第 4 行“承诺事项”：承诺事项内容不能为空" in result.stderr
    assert "工作表“承诺事项”第 5 行“村（社区）”：名册中没有村（社区）“李家寨村”，请核对名称" in result.stderr
    assert "工作表“承诺事项”第 6 行“状态”：无法识别状态“差不多了”" in result.stderr
    assert result.stdout == ""
    assert commitments_in(data) == []


def test_a_file_without_a_year_needs_the_year_option(data: Path, tmp_path: Path) -> None:
    path = write_file(tmp_path / "无年度.xlsx", [[1, "张五砦村", "修路", "人居环境·基础设施", "", "", None, ""]])
    result = run("commitments", "import", str(path), data_dir=data)
    assert result.returncode == 2
    assert "表中没有“年度”列，也没有指定导入年度" in result.stderr
    missing = run("commitments", "import", str(tmp_path / "没有.xlsx"), data_dir=data)
    assert missing.returncode == 2
    assert "文件不存在" in missing.stderr
    assert commitments_in(data) == []


def test_export_writes_one_notice_per_unit_and_the_summary(data: Path, tmp_path: Path) -> None:
    assert (
        run(
            "commitments", "import", str(write_file(tmp_path / "承诺.xlsx", GOOD)), "--year", "2023", data_dir=data
        ).returncode
        == 0
    )
    output = tmp_path / "公示表.xlsx"
    result = run("commitments", "export", "--year", "2023", "-o", str(output), "--paper", "A3", data_dir=data)
    assert result.returncode == 0, result.stderr
    assert "XX镇" in result.stderr  # no township name set yet: a placeholder, with a warning
    assert (
        f"已导出 2023 年承诺事项公示表（3 个村（社区），4 项）和完成情况汇总表到 {output.resolve()}；"
        "逾期（统计到 2023-12-31） 2 项"
    ) in result.stdout  # 王庄村 due Q2 and 张五砦村 due 12-31
    book = load_workbook(output)
    try:
        assert len(book.sheetnames) == len(UNITS) + 1
        assert "完成情况汇总表" in book.sheetnames
        for name in UNITS:
            assert any(name in title for title in book.sheetnames), (name, book.sheetnames)
        notice = book[next(title for title in book.sheetnames if "张五砦村" in title)]
        texts = {str(cell.value) for row in notice.iter_rows() for cell in row if cell.value is not None}
        assert any("硬化村内道路1.2公里" in text for text in texts)
        assert str(notice.page_setup.paperSize) == notice.PAPERSIZE_A3  # "8": A3
    finally:
        book.close()


def test_export_of_a_year_without_commitments_is_refused(data: Path, tmp_path: Path) -> None:
    output = tmp_path / "空.xlsx"
    result = run("commitments", "export", "--year", "2030", "-o", str(output), data_dir=data)
    assert result.returncode == 2
    assert "2030 年还没有承诺事项" in result.stderr
    assert not output.exists()
