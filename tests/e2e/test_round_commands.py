"""A quarterly round through the command line: create, import a flat table, rank, finalise,
and an audited correction afterwards."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from test_command_line import run

pytestmark = pytest.mark.e2e

JUDGES = ("甲", "乙", "丙", "丁", "戊")
UNITS = ("张五砦村", "刘堌堆村", "王庄村", "东关社区")
CRITERIA = {
    "基层党建": 25,
    "产业发展": 25,
    "人居环境": 20,
    "乡村治理": 15,
    "群众满意": 15,
    "述职内容": 40,
    "工作实绩": 40,
    "现场表现": 20,
}


def _roster(path: Path) -> Path:
    book = Workbook()
    book.active.append(["村（社区）名称", "管区", "党组织书记"])
    for name, secretary in zip(UNITS, ("李禛", "刘喆", "王永强", "张镛")):
        book.active.append([name, "东部管区", secretary])
    book.save(path)
    return path


def _flat_table(path: Path, points: dict[str, int]) -> Path:
    """Every judge gives unit U `points[U]`% of each criterion's maximum (exact in hundredths)."""
    book = Workbook()
    sheet = book.active
    sheet.append(["2025年第一季度观摩评分"])
    sheet.append(["备注", "指标", "得分", "村(社区)", "评委"])
    for judge in JUDGES:
        for unit in UNITS:
            for criterion, maximum in CRITERIA.items():
                sheet.append(["", criterion, maximum * points[unit] / 100, unit, judge])
    book.save(path)
    return path


@pytest.fixture(scope="module")
def township_template(tmp_path_factory) -> Path:
    """Four units imported once through the command line; each test works on its own copy."""
    folder = tmp_path_factory.mktemp("township")
    data = folder / "data"
    roster = _roster(folder / "名册.xlsx")
    assert run("villages", "import", str(roster), "--effective", "2025-01-01", data_dir=data).returncode == 0
    return data


@pytest.fixture
def township(township_template: Path, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(township_template, data)
    return data


def _create(data: Path) -> str:
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
        "、".join(JUDGES),
        "--red",
        "1",
        "--black",
        "1",
        data_dir=data,
    )
    assert created.returncode == 0, created.stderr
    return created.stdout.strip().splitlines()[-1]


def test_a_round_from_creation_to_an_audited_correction(township: Path, tmp_path: Path) -> None:
    data = township
    round_id = _create(data)
    shown = json.loads(run("round", "show", round_id, "--json", data_dir=data).stdout)
    assert shown["period"] == "2025Q1" and shown["judges"] == list(JUDGES)
    assert shown["units"] == list(UNITS)
    assert shown["scheme"]["components"][0] == {
        "name": "实地观摩",
        "weight": "0.7",
        "source": "judges",
        "criteria": [
            {"name": "基层党建", "max": "25"},
            {"name": "产业发展", "max": "25"},
            {"name": "人居环境", "max": "20"},
            {"name": "乡村治理", "max": "15"},
            {"name": "群众满意", "max": "15"},
        ],
    }

    table = _flat_table(tmp_path / "评分.xlsx", {"张五砦村": 90, "刘堌堆村": 80, "王庄村": 85, "东关社区": 70})
    imported = run("round", "import", round_id, str(table), data_dir=data)
    assert imported.returncode == 0, imported.stderr
    assert "新增 160 个评分" in imported.stdout

    ranked = json.loads(run("round", "rank", round_id, "--json", data_dir=data).stdout)
    assert [(r["unit"], r["rank"], r["total"], r["flag"]) for r in ranked["results"]] == [
        ("张五砦村", 1, "90.00", "红旗"),
        ("王庄村", 2, "85.00", None),
        ("刘堌堆村", 3, "80.00", None),
        ("东关社区", 4, "70.00", "黑旗"),
    ]
    assert ranked["results"][0]["components"] == {"实地观摩": "90.00", "擂台比武": "90.00"}

    finalised = run("round", "finalize", round_id, data_dir=data)
    assert finalised.returncode == 0, finalised.stderr

    refused = run(
        "round",
        "correct",
        round_id,
        "--judge",
        "甲",
        "--unit",
        "东关社区",
        "--criterion",
        "基层党建",
        "--score",
        "25",
        data_dir=data,
    )
    assert refused.returncode == 2 and "更正原因" in refused.stderr

    corrected = run(
        "round",
        "correct",
        round_id,
        "--judge",
        "甲",
        "--unit",
        "东关社区",
        "--criterion",
        "基层党建",
        "--score",
        "25",
        "--reason",
        "评委甲书面更正笔误",
        data_dir=data,
    )
    assert corrected.returncode == 0, corrected.stderr
    after = json.loads(run("round", "rank", round_id, "--json", data_dir=data).stdout)
    assert after["final"] is True and after["version"] == 2
    # 17.5 → 25 for one of five judges: the trimmed mean drops it as the highest, so nothing moves.
    assert after["results"][-1]["total"] == "70.00"

    with sqlite3.connect(data / "lsb.db") as connection:
        versions = connection.execute("SELECT DISTINCT version FROM round_results ORDER BY version").fetchall()
        audit = connection.execute(
            "SELECT action, old, new, reason FROM audit_log WHERE entity LIKE '%东关社区/criterion:基层党建' "
            "AND reason != ''"
        ).fetchall()
        corrections = connection.execute("SELECT reason FROM audit_log WHERE action = '更正结果'").fetchall()
    assert versions == [(1,), (2,)]
    assert audit == [("评分", "17.50", "25.00", "评委甲书面更正笔误")]
    assert corrections == [("评委甲书面更正笔误",)]
    assert run("check", data_dir=data).returncode == 0


def test_tampering_with_the_audit_log_is_detected(township: Path, tmp_path: Path) -> None:
    data = township
    round_id = _create(data)
    table = _flat_table(tmp_path / "评分.xlsx", {"张五砦村": 90, "刘堌堆村": 80, "王庄村": 85, "东关社区": 70})
    assert run("round", "import", round_id, str(table), data_dir=data).returncode == 0
    with sqlite3.connect(data / "lsb.db") as connection:
        connection.execute("UPDATE audit_log SET new = '15.00' WHERE id = 5")
    check = run("check", data_dir=data)
    assert check.returncode == 2
    assert "审计日志第 5 条的内容被改动" in check.stdout


def test_a_bad_score_table_is_refused_whole(township: Path, tmp_path: Path) -> None:
    data = township
    round_id = _create(data)
    book = Workbook()
    sheet = book.active
    sheet.append(["评委", "村（社区）", "指标", "得分"])
    sheet.append(["甲", "张五砦村", "基层党建", 20])
    sheet.append(["甲", "张五砦村", "基层党建", 21])
    sheet.append(["己", "张五砦村", "基层党建", 20])
    sheet.append(["甲", "不存在村", "基层党建", 20])
    sheet.append(["甲", "王庄村", "不存在的指标", 20])
    sheet.append(["甲", "王庄村", "人居环境", 21])
    sheet.append(["甲", "王庄村", "产业发展", "八十"])
    book.save(tmp_path / "坏.xlsx")
    result = run("round", "import", round_id, str(tmp_path / "坏.xlsx"), data_dir=data)
    assert result.returncode == 2
    for expected in ("第3行", "第4行", "第5行", "第6行", "第7行", "第8行", "未导入任何评分"):
        assert expected in result.stderr
    ranked = json.loads(run("round", "rank", round_id, "--json", data_dir=data).stdout)
    assert all("无评分" in " ".join(r["notes"]) for r in ranked["results"])


def test_blank_score_sheets_have_one_sheet_per_judge(township: Path, tmp_path: Path) -> None:
    data = township
    round_id = _create(data)
    target = tmp_path / "评分表.xlsx"
    result = run("round", "sheets", round_id, "-o", str(target), data_dir=data)
    assert result.returncode == 0, result.stderr
    assert load_workbook(target).sheetnames == list(JUDGES)


def _finalised_round(data: Path, tmp_path: Path) -> str:
    round_id = _create(data)
    table = _flat_table(tmp_path / "评分.xlsx", {"张五砦村": 90, "刘堌堆村": 80, "王庄村": 85, "东关社区": 70})
    assert run("round", "import", round_id, str(table), data_dir=data).returncode == 0
    assert run("round", "finalize", round_id, data_dir=data).returncode == 0
    return round_id


def test_export_ranking_certificates_and_notices(township: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    data = township
    round_id = _finalised_round(data, tmp_path)
    ranking = run("export", "ranking", round_id, "-o", str(tmp_path / "排名.xlsx"), data_dir=data)
    assert ranking.returncode == 0, ranking.stderr
    assert "XX镇" in ranking.stderr  # township not set: placeholder, with a warning
    sheet = load_workbook(tmp_path / "排名.xlsx")["得分汇总表"]
    assert sheet["A1"].value.startswith("XX镇2025年第一季度")
    certificates = run("export", "certificates", round_id, "-o", str(tmp_path / "证书.pdf"), data_dir=data)
    assert certificates.returncode == 0, certificates.stderr
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "证书.pdf").pages)
    assert "张五砦村党支部" in text and "中共XX镇委员会" in text
    notices = run("export", "notices", round_id, "-o", str(tmp_path / "通报.pdf"), data_dir=data)
    assert notices.returncode == 0, notices.stderr
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "通报.pdf").pages)
    assert "东关社区" in text and "整改" in text


def test_a_name_no_font_can_print_is_refused_with_the_character_named(tmp_path: Path) -> None:
    data = tmp_path / "data"
    book = Workbook()
    book.active.append(["村（社区）名称", "管区"])
    for name in ("张五砦村", "刘堌堆村", "王庄村", "\ue000庄村"):
        book.active.append([name, "东部管区"])
    book.save(tmp_path / "名册.xlsx")
    assert (
        run("villages", "import", str(tmp_path / "名册.xlsx"), "--effective", "2025-01-01", data_dir=data).returncode
        == 0
    )
    round_id = _create(data)
    table = _flat_table(tmp_path / "评分.xlsx", {"张五砦村": 70, "刘堌堆村": 80, "王庄村": 85, "东关社区": 90})
    book = load_workbook(table)
    for row in book.active.iter_rows(min_row=3):
        if row[3].value == "东关社区":
            row[3].value = "\ue000庄村"
    book.save(table)
    assert run("round", "import", round_id, str(table), data_dir=data).returncode == 0
    target = tmp_path / "证书.pdf"
    result = run("export", "certificates", round_id, "-o", str(target), data_dir=data)
    assert result.returncode == 2
    assert "\ue000" in result.stderr and "\ue000庄村" in result.stderr
    assert not target.exists()


def test_finalize_with_an_undecided_boundary_tie_exits_2_naming_the_units_unless_a_policy_is_given(
    township: Path, tmp_path: Path
):
    round_id = _create(township)
    # 张五砦村 and 刘堌堆村 tie for the one red flag.
    table = _flat_table(tmp_path / "评分.xlsx", {"张五砦村": 90, "刘堌堆村": 90, "王庄村": 80, "东关社区": 70})
    assert run("round", "import", round_id, str(table), data_dir=township).returncode == 0

    refused = run("round", "finalize", round_id, data_dir=township)
    assert refused.returncode == 2
    assert "旗位上有未决定的并列" in refused.stderr and "刘堌堆村、张五砦村争 1 面红旗" in refused.stderr
    shown = json.loads(run("round", "show", round_id, "--json", data_dir=township).stdout)
    assert shown["status"] != "已定稿"

    # rank and export keep extend as their default for an undecided tie.
    ranked = json.loads(run("round", "rank", round_id, "--json", data_dir=township).stdout)
    flags = {row["unit"]: row["flag"] for row in ranked["results"]}
    assert flags["张五砦村"] == flags["刘堌堆村"] == "红旗"

    done = run("round", "finalize", round_id, "--tie-policy", "extend", data_dir=township)
    assert done.returncode == 0, done.stderr
    ranked = json.loads(run("round", "rank", round_id, "--json", data_dir=township).stdout)
    notes = {row["unit"]: row["notes"] for row in ranked["results"]}
    assert any("并列的都给旗" in note for note in notes["刘堌堆村"])
