"""End to end through the command line: commitments imported from Excel feed a round whose
scheme has a 承诺完成 component; the ranking uses the computed component and says how it was
computed. The expected numbers are worked out by hand in the docstrings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from test_command_line import run
from test_round_commands import UNITS, _roster

pytestmark = pytest.mark.e2e

JUDGES = ("甲", "乙")
FIELD = {"张五砦村": 90, "刘堌堆村": 80, "王庄村": 85, "东关社区": 70}


def _commitments(path: Path) -> Path:
    """Rates on 2025-03-31 (the end of 2025Q1):
    张五砦村 2 done ÷ (4 − 1 cancelled) = 2/3; 刘堌堆村 2 ÷ 2 = 1;
    王庄村 0 ÷ 2 = 0 (its item done on 2025-04-10 counts from Q2 on); 东关社区 1 ÷ 3."""
    book = Workbook()
    sheet = book.active
    sheet.append(["清河镇2025年度承诺事项"])
    sheet.append(["村（社区）", "年度", "序号", "类别", "承诺事项", "完成时限", "状态", "完成日期", "取消日期", "备注"])
    rows = [
        ("张五砦村", 1, "民生实事", "硬化村内道路1.2公里", "2025年第二季度", "已完成", "2025.3.10", None, ""),
        ("张五砦村", 2, "基层党建", "发展党员2名", "2025-06-30", "已完成", "2025年3月10日", None, ""),
        (
            "张五砦村",
            3,
            "集体经济·产业",
            "引进加工企业1家",
            "2025-12-31",
            "已取消",
            None,
            "2025-02-01",
            "企业投资计划变更，经村民代表大会同意取消",
        ),
        ("张五砦村", 4, "平安治理", "矛盾纠纷化解率98%", "2025年底", "推进中", None, None, ""),
        ("刘堌堆村", 1, "民生实事", "新建文化广场1处", "2025年第一季度", "已完成", "2025-03-01", None, ""),
        ("刘堌堆村", 2, "基层党建", "村级活动场所改造", "2025年第一季度", "已完成", 45717, None, ""),
        ("王庄村", 1, "民生实事", "改造旱厕50户", "2025年第二季度", "已完成", "2025-04-10", None, ""),
        ("王庄村", 2, "其他", "建设村史馆", "2025年底", "未启动", None, None, ""),
        ("东关社区", 1, "民生实事", "加装电梯2部", "2025年第一季度", "已完成", "2025-03-31", None, ""),
        ("东关社区", 2, "平安治理", "建成智慧安防小区1个", "2025年底", "推进中", None, None, ""),
        ("东关社区", 3, "其他", "开展志愿服务20场", "2025年底", "推进中", None, None, ""),
    ]
    for unit, number, category, content, due, status, done, cancelled, note in rows:
        sheet.append([unit, 2025, number, category, content, due, status, done, cancelled, note])
    book.save(path)
    return path


def _scheme(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["项目", "权重", "指标", "满分"])
    sheet.append(["实地观摩", 0.7, "综合表现", 100])
    sheet.append(["承诺完成", 0.3, "承诺完成率", 100])
    book.save(path)
    return path


def _scores(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["评委", "村（社区）", "指标", "得分"])
    for judge in JUDGES:
        for unit in UNITS:
            sheet.append([judge, unit, "综合表现", FIELD[unit]])
    book.save(path)
    return path


def test_a_round_ranks_with_the_completion_rate_of_the_commitments(tmp_path: Path) -> None:
    """Composite = 0.7 × 实地观摩 + 0.3 × (rate × 100):
    张五砦村 63 + 20 = 83; 刘堌堆村 56 + 30 = 86; 王庄村 59.5 + 0 = 59.5; 东关社区 49 + 10 = 59."""
    data = tmp_path / "data"
    assert (
        run(
            "villages", "import", str(_roster(tmp_path / "名册.xlsx")), "--effective", "2025-01-01", data_dir=data
        ).returncode
        == 0
    )
    imported = run("commitments", "import", str(_commitments(tmp_path / "承诺.xlsx")), data_dir=data)
    assert imported.returncode == 0, imported.stderr
    created = run(
        "round",
        "create",
        "--year",
        "2025",
        "--quarter",
        "1",
        "--date",
        "2025-04-20",
        "--judges",
        "甲,乙",
        "--red",
        "1",
        "--black",
        "1",
        "--scheme",
        str(_scheme(tmp_path / "方案.xlsx")),
        data_dir=data,
    )
    assert created.returncode == 0, created.stderr
    round_id = created.stdout.strip().splitlines()[-1]
    shown = json.loads(run("round", "show", round_id, "--json", data_dir=data).stdout)
    assert [c["source"] for c in shown["scheme"]["components"]] == ["judges", "commitments"]
    assert run("round", "import", round_id, str(_scores(tmp_path / "评分.xlsx")), data_dir=data).returncode == 0

    ranked = json.loads(run("round", "rank", round_id, "--json", data_dir=data).stdout)
    by_unit = {r["unit"]: r for r in ranked["results"]}
    assert {u: by_unit[u]["components"]["承诺完成"] for u in UNITS} == {
        "张五砦村": "66.67",
        "刘堌堆村": "100.00",
        "王庄村": "0.00",
        "东关社区": "33.33",
    }
    assert {u: by_unit[u]["total"] for u in UNITS} == {
        "张五砦村": "83.00",
        "刘堌堆村": "86.00",
        "王庄村": "59.50",
        "东关社区": "59.00",
    }
    assert [r["unit"] for r in ranked["results"]] == ["刘堌堆村", "张五砦村", "王庄村", "东关社区"]
    assert (by_unit["刘堌堆村"]["flag"], by_unit["东关社区"]["flag"]) == ("红旗", "黑旗")
    assert "取消 1 项" in by_unit["张五砦村"]["basis"]["承诺完成"]
    assert "66.67%" in by_unit["张五砦村"]["basis"]["承诺完成"]

    finalised = run("round", "finalize", round_id, data_dir=data)
    assert finalised.returncode == 0, finalised.stderr
