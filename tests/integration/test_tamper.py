"""The tamper corpus: the demo township's file changed by hand (plain sqlite3, no program code),
one way at a time. `check` must catch every case and name it in the clerk's words: the round,
the village, the judge, the criterion, the old value and the new one. A file whose log was
rewritten consistently after an edit is caught by the 校验码 printed on the paper."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import create_engine

from lsb_desktop.core import Core
from lsb_desktop.domain.period import QUARTER_NAMES
from lsb_desktop.services import audit as audit_module
from lsb_desktop.services import ledger
from lsb_desktop.services.storage import CheckReport
from tests.integration.dbfiles import query, sql
from tests.integration.test_check import assert_plain

ROOT = Path(__file__).resolve().parents[2]
FINAL_ROUND = 8  # the demo's last round: 2024 第四季度, finalised


def one(path: Path, statement: str) -> tuple:
    (row,) = query(path, statement)
    return row


def points(hundredths: int) -> str:
    return str((Decimal(hundredths) / 100).quantize(Decimal("0.01")))


def round_name(path: Path, round_id: int) -> str:
    year, quarter, title = one(path, f"SELECT year, quarter, title FROM rounds WHERE id = {round_id}")
    return f"{year}年{QUARTER_NAMES[quarter]}{title}"


def unit_name(path: Path, unit_id: int) -> str:
    return one(
        path, f"SELECT name FROM unit_versions WHERE unit_id = {unit_id} ORDER BY valid_from DESC, id DESC LIMIT 1"
    )[0]


@dataclass(frozen=True)
class Case:
    """SQL that tampers with the file, and the words `check` must say about it."""

    statements: tuple[str, ...]
    expected: tuple[str, ...]  # each must appear in one and the same problem
    kind: str  # the problem's kind (changed, removed, unrecorded, seal_mismatch, audit_chain, …)


def score_case(path: Path, change: str) -> Case:
    score_id, judge, unit, criterion, value = one(
        path,
        f"""
        SELECT s.id, j.name, u.name, k.name, s.points FROM scores s JOIN round_judges j ON j.id = s.judge_id
        JOIN round_units u ON u.id = s.round_unit_id JOIN round_criteria k ON k.id = s.criterion_id
        WHERE s.round_id = {FINAL_ROUND} ORDER BY s.id LIMIT 1 OFFSET 7""",
    )
    where = f"评比“{round_name(path, FINAL_ROUND)}”中评委{judge}给{unit}的“{criterion}”评分"
    if change == "changed":
        return Case(
            (f"UPDATE scores SET points = {value + 500} WHERE id = {score_id}",),
            (where, f"审计日志记录为 {points(value)}，现在是 {points(value + 500)}"),
            "changed",
        )
    if change == "removed":
        return Case((f"DELETE FROM scores WHERE id = {score_id}",), (where, "已被删除"), "removed")
    # Moved to a new row: the log never saw the row that is there now.
    return Case(
        (f"UPDATE scores SET id = 900000 WHERE id = {score_id}",),
        (where, "没有审计记录", f"分数 {points(value)}"),
        "unrecorded",
    )


def result_case(path: Path, column: str) -> Case:
    result_id, unit, total, rank = one(
        path,
        f"""
        SELECT r.id, u.name, r.total, r.rank FROM round_results r JOIN round_units u ON u.id = r.round_unit_id
        WHERE r.round_id = {FINAL_ROUND} AND r.flag IS NULL ORDER BY r.rank LIMIT 1""",
    )
    where = f"评比“{round_name(path, FINAL_ROUND)}”中{unit}的第 1 版定稿结果"
    if column == "total":
        return Case(
            (f"UPDATE round_results SET total = '99.99' WHERE id = {result_id}",),
            (where, "总分被改动", f"审计日志记录为 {total}，现在是 99.99"),
            "changed",
        )
    if column == "rank":
        return Case(
            (f"UPDATE round_results SET rank = 1 WHERE id = {result_id}",),
            (where, "名次被改动", f"审计日志记录为 {rank}，现在是 1"),
            "changed",
        )
    if column == "flag":
        return Case(
            (f"UPDATE round_results SET flag = '红旗' WHERE id = {result_id}",),
            (where, "旗被改动", "审计日志记录为 （空），现在是 红旗"),
            "changed",
        )
    return Case((f"DELETE FROM round_results WHERE id = {result_id}",), (where, "已被删除"), "removed")


def adjustment_case(path: Path, change: str) -> Case:
    adjustment_id, round_id, unit, amount, reason = one(
        path,
        """
        SELECT a.id, a.round_id, u.name, a.amount, a.reason FROM adjustments a
        JOIN round_units u ON u.id = a.round_unit_id WHERE a.kind = 'bonus'""",
    )
    where = f"评比“{round_name(path, round_id)}”中{unit}的加分（理由：{reason}）"
    if change == "amount":
        return Case(
            (f"UPDATE adjustments SET amount = {amount + 200} WHERE id = {adjustment_id}",),
            (where, f"分值被改动：审计日志记录为 {points(amount)}，现在是 {points(amount + 200)}"),
            "changed",
        )
    if change == "removed":
        return Case((f"DELETE FROM adjustments WHERE id = {adjustment_id}",), (where, "已被删除"), "removed")
    unit_id, unit = one(path, f"SELECT id, name FROM round_units WHERE round_id = {FINAL_ROUND} ORDER BY id LIMIT 1")
    return Case(
        (
            f"INSERT INTO adjustments (round_id, round_unit_id, kind, amount, reason, created_at) VALUES "
            f"({FINAL_ROUND}, {unit_id}, 'veto', NULL, '会后补记', '2025-01-10 09:00:00.000000')",
        ),
        (f"评比“{round_name(path, FINAL_ROUND)}”中{unit}的一票否决（理由：会后补记）", "没有审计记录"),
        "unrecorded",
    )


def round_cases(path: Path) -> dict[str, Case]:
    name = round_name(path, FINAL_ROUND)
    unit_id, unit, secretary = one(
        path, f"SELECT id, name, secretary FROM round_units WHERE round_id = {FINAL_ROUND} ORDER BY position LIMIT 1"
    )
    judge_id, judge = one(
        path, f"SELECT id, name FROM round_judges WHERE round_id = {FINAL_ROUND} ORDER BY position LIMIT 1"
    )
    criterion_id, criterion, maximum = one(
        path,
        f"""SELECT k.id, k.name, k.max_points FROM round_criteria k
        JOIN round_components c ON c.id = k.component_id WHERE c.round_id = {FINAL_ROUND} ORDER BY k.id LIMIT 1""",
    )
    component_id, component, weight = one(
        path, f"SELECT id, name, weight FROM round_components WHERE round_id = {FINAL_ROUND} ORDER BY position LIMIT 1"
    )
    return {
        "round back to scoring": Case(
            (f"UPDATE rounds SET status = 'scoring' WHERE id = {FINAL_ROUND}",),
            (f"评比“{name}”的状态被改动", "审计日志记录为 已定稿，现在是 打分中"),
            "changed",
        ),
        "red flags of a round": Case(
            (f"UPDATE rounds SET red_count = red_count + 1 WHERE id = {FINAL_ROUND}",),
            (f"评比“{name}”的红旗数被改动",),
            "changed",
        ),
        "round unit renamed": Case(
            (f"UPDATE round_units SET name = '新改村' WHERE id = {unit_id}",),
            (f"评比“{name}”的参评单位“{unit}”的名称被改动", f"审计日志记录为 {unit}，现在是 新改村"),
            "changed",
        ),
        "secretary of a participant": Case(
            (f"UPDATE round_units SET secretary = '冒名' WHERE id = {unit_id}",),
            (f"参评单位“{unit}”的书记被改动", f"审计日志记录为 {secretary}，现在是 冒名"),
            "changed",
        ),
        "judge renamed": Case(
            (f"UPDATE round_judges SET name = '替身' WHERE id = {judge_id}",),
            (f"评比“{name}”的评委“{judge}”的名称被改动",),
            "changed",
        ),
        "criterion's full marks": Case(
            (f"UPDATE round_criteria SET max_points = {maximum + 1000} WHERE id = {criterion_id}",),
            (
                f"评分指标“{criterion}”的满分被改动",
                f"审计日志记录为 {points(maximum)}，现在是 {points(maximum + 1000)}",
            ),
            "changed",
        ),
        "component weight": Case(
            (f"UPDATE round_components SET weight = '0.9' WHERE id = {component_id}",),
            (f"评比项目“{component}”的权重被改动", f"审计日志记录为 {weight}，现在是 0.9"),
            "changed",
        ),
        "seal of a finalised round": Case(
            (f"UPDATE round_units SET note = '后来写的' WHERE id = {unit_id}",),
            (f"评比“{name}”的数据与第 1 版定稿封存时不一致",),
            "seal_mismatch",
        ),
    }


def star_cases(path: Path) -> dict[str, Case]:
    step_id, unit_id, year, star, passed = one(
        path,
        """SELECT s.id, c.unit_id, c.year, c.star, s.passed
        FROM star_steps s JOIN star_cells c ON c.id = s.cell_id WHERE s.step = 'declared' ORDER BY s.id LIMIT 1""",
    )
    unit = unit_name(path, unit_id)
    loss_id, loss_unit, loss_star = one(path, "SELECT id, unit_id, star FROM star_losses LIMIT 1")
    year_target, level, percent = one(
        path, "SELECT year, level, percent FROM star_targets ORDER BY year, level LIMIT 1"
    )
    before, after = ("是", "否") if passed else ("否", "是")
    return {
        "star step passed flipped": Case(
            (f"UPDATE star_steps SET passed = {1 - passed} WHERE id = {step_id}",),
            (f"{unit} {year}年{star}的“自评申报”步骤的是否通过被改动", f"审计日志记录为 {before}，现在是 {after}"),
            "changed",
        ),
        "star step removed": Case(
            (f"DELETE FROM star_steps WHERE id = {step_id}",),
            (f"{unit} {year}年{star}的“自评申报”步骤已被删除",),
            "removed",
        ),
        "star loss removed": Case(
            (f"DELETE FROM star_losses WHERE id = {loss_id}",),
            (f"{unit_name(path, loss_unit)}{loss_star}的", "记录已被删除"),
            "removed",
        ),
        "star target": Case(
            (f"UPDATE star_targets SET percent = '99' WHERE year = {year_target} AND level = {level}",),
            (
                f"{year_target}年五星创建目标（{level} 星及以上）的完成进度被改动",
                f"审计日志记录为 {percent}，现在是 99",
            ),
            "changed",
        ),
    }


def commitment_cases(path: Path) -> dict[str, Case]:
    item_id, unit_id, year, number, content = one(
        path,
        """SELECT id, unit_id, year, number, content FROM commitments
        WHERE status = 'in_progress' ORDER BY id LIMIT 1""",
    )
    what = f"{unit_name(path, unit_id)} {year}年第 {number} 项承诺“{content[:16]}"
    progress_id, quarter, percent = one(
        path,
        f"SELECT id, quarter, percent FROM commitment_progress "
        f"WHERE commitment_id = {item_id} ORDER BY quarter DESC LIMIT 1",
    )
    return {
        "commitment status": Case(
            (f"UPDATE commitments SET status = 'done', completed_on = '2024-12-30' WHERE id = {item_id}",),
            (what, "状态被改动", "审计日志记录为 推进中，现在是 已完成"),
            "changed",
        ),
        "commitment content": Case(
            (f"UPDATE commitments SET content = '另写的承诺' WHERE id = {item_id}",),
            (what, "承诺内容被改动", "现在是 另写的承诺"),
            "changed",
        ),
        "commitment progress": Case(
            (f"UPDATE commitment_progress SET percent = 100 WHERE id = {progress_id}",),
            (what, f"{year}年{QUARTER_NAMES[quarter]}进度的完成进度被改动", f"审计日志记录为 {percent}，现在是 100"),
            "changed",
        ),
    }


def audit_cases(path: Path) -> dict[str, Case]:
    (entry,) = one(path, "SELECT id FROM audit_log WHERE action = '评分' ORDER BY id LIMIT 1 OFFSET 40")
    (last,) = one(path, "SELECT max(id) FROM audit_log")
    (with_facts,) = one(path, "SELECT id FROM audit_log WHERE facts LIKE '%\"scores:%' ORDER BY id LIMIT 1")
    return {
        "audit entry edited": Case(
            (f"UPDATE audit_log SET new = '30.00' WHERE id = {entry}",),
            (f"审计日志第 {entry} 条的内容被改动",),
            "audit_chain",
        ),
        "audit entry removed": Case(
            (f"DELETE FROM audit_log WHERE id = {entry}",),
            (f"审计日志第 {entry + 1} 条之前的记录被删除或改动",),
            "audit_chain",
        ),
        "audit tail removed": Case(
            (f"DELETE FROM audit_log WHERE id = {last}",), ("审计日志应有", "末尾的 1 条记录被删除"), "audit_chain"
        ),
        "audit facts edited": Case(
            (f"UPDATE audit_log SET facts = '{{}}' WHERE id = {with_facts}",),
            (f"审计日志第 {with_facts} 条的内容被改动",),
            "audit_chain",
        ),
    }


CASES: dict[str, Callable[[Path], Case]] = {
    "score changed": lambda p: score_case(p, "changed"),
    "score removed": lambda p: score_case(p, "removed"),
    "score put in by hand": lambda p: score_case(p, "unrecorded"),
    "result total": lambda p: result_case(p, "total"),
    "result rank": lambda p: result_case(p, "rank"),
    "result flag": lambda p: result_case(p, "flag"),
    "result removed": lambda p: result_case(p, "removed"),
    "adjustment amount": lambda p: adjustment_case(p, "amount"),
    "adjustment removed": lambda p: adjustment_case(p, "removed"),
    "veto put in by hand": lambda p: adjustment_case(p, "unrecorded"),
    **{
        name: (lambda p, n=name: round_cases(p)[n])
        for name in (
            "round back to scoring",
            "red flags of a round",
            "round unit renamed",
            "secretary of a participant",
            "judge renamed",
            "criterion's full marks",
            "component weight",
            "seal of a finalised round",
        )
    },
    **{
        name: (lambda p, n=name: star_cases(p)[n])
        for name in ("star step passed flipped", "star step removed", "star loss removed", "star target")
    },
    **{
        name: (lambda p, n=name: commitment_cases(p)[n])
        for name in ("commitment status", "commitment content", "commitment progress")
    },
    **{
        name: (lambda p, n=name: audit_cases(p)[n])
        for name in ("audit entry edited", "audit entry removed", "audit tail removed", "audit facts edited")
    },
}


@pytest.fixture
def demo_copy(demo_template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(demo_template, folder)
    return folder


def checked(folder: Path) -> CheckReport:
    with Core.open(folder) as core:
        return core.check()


def test_the_demo_as_built_passes_with_every_finalised_round_and_its_code(demo_copy: Path) -> None:
    report = checked(demo_copy)
    assert report.ok, report.problems
    assert report.data_rows and report.data_rows > 1000
    finals = [row[0] for row in query(demo_copy / "lsb.db", "SELECT id FROM rounds WHERE status = 'final' ORDER BY id")]
    assert [seal.round_id for seal in report.seals] == finals
    lines = "\n".join(report.lines())
    for seal in report.seals:
        assert f"    {seal.round_name}：第 1 版结果，校验码 {seal.code}（" in lines


def test_the_corpus_holds_the_two_dozen_cases_of_the_issue() -> None:
    assert len(CASES) >= 24


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_tampering_is_caught_and_named(demo_copy: Path, name: str) -> None:
    path = demo_copy / "lsb.db"
    case = CASES[name](path)
    sql(path, *case.statements)
    report = checked(demo_copy)
    assert not report.ok
    problems = report.problem_objects()
    matching = [p for p in problems if all(word in p["message"] for word in case.expected)]
    assert matching, (case.expected, [p["message"] for p in problems])
    assert any(p["kind"] == case.kind for p in matching), matching
    assert_plain([p["message"] for p in problems])


# ----- a file rewritten by someone who has the program's source ---------------------------------


def rewrite_chain(
    path: Path,
    edit_facts: Callable[[int, dict], dict] = lambda _id, facts: facts,
    drop: Callable[[tuple], bool] = lambda _row: False,
    reseal: bool = True,
) -> None:
    """Rewrite the whole log so every hash, every seal and the head agree again: what someone
    with this program's source and the file could do after editing the data."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        rows = connection.exec_driver_sql(
            "SELECT id, at, operator, action, entity, old, new, reason, facts FROM audit_log ORDER BY id"
        ).fetchall()
        prev = audit_module.GENESIS
        count = 0
        from datetime import datetime

        for row in rows:
            entry, at, operator, action, entity, old, new, reason, facts = row
            if drop(row):
                connection.exec_driver_sql("DELETE FROM audit_log WHERE id = ?", (entry,))
                continue
            if facts:
                edited = edit_facts(entry, json.loads(facts))
                facts = None if edited is None else ledger.canonical(edited)
            if reseal and action == ledger.SEAL_ACTION:
                round_id = int(entity.split("/")[0].split(":")[1])
                version, digest = ledger.round_seal(connection, round_id)
                new = ledger.canonical(
                    {"version": version, "digest": digest, "code": ledger.check_code(round_id, version, digest, prev)}
                )
                facts = ledger.canonical({f"{ledger.SEAL_PREFIX}{round_id}": {"version": version, "digest": digest}})
            moment = datetime.fromisoformat(str(at))
            digest = audit_module._digest(prev, moment, operator, action, entity, old, new, reason, facts)
            connection.exec_driver_sql(
                "UPDATE audit_log SET prev_hash = ?, hash = ?, new = ?, facts = ? WHERE id = ?",
                (prev, digest, new, facts, entry),
            )
            prev = digest
            count += 1
        connection.exec_driver_sql("UPDATE settings SET value = ? WHERE key = 'audit.head'", (f"{count}:{prev}",))
    engine.dispose()


def printed_code(folder: Path, round_id: int, tmp_path: Path) -> str:
    """The 校验码 on the 得分汇总表 as exported before anything was changed (the paper in the drawer)."""
    sheet = tmp_path / "汇总表.xlsx"
    with Core.open(folder) as core:
        core.paper.export_ranking(round_id, sheet)
    book = openpyxl.load_workbook(sheet)
    (line,) = [
        c.value
        for row in book["得分汇总表"].iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("校验码：")
    ]
    return line.removeprefix("校验码：")[:14]


def test_a_log_rewritten_consistently_after_an_edit_is_caught_by_the_code_on_paper(
    demo_copy: Path, tmp_path: Path
) -> None:
    path = demo_copy / "lsb.db"
    paper = printed_code(demo_copy, FINAL_ROUND, tmp_path)
    score_id, value = one(path, f"SELECT id, points FROM scores WHERE round_id = {FINAL_ROUND} ORDER BY id LIMIT 1")
    key = f"scores:{score_id}"
    sql(path, f"UPDATE scores SET points = {value + 300} WHERE id = {score_id}")

    def edited(_entry: int, facts: dict) -> dict:
        if facts.get(key):
            facts[key] = facts[key] | {"points": value + 300}
        return facts

    rewrite_chain(path, edited)
    report = checked(demo_copy)
    # The file agrees with itself again: only the paper can tell.
    assert report.ok, report.problems
    (seal,) = [s for s in report.seals if s.round_id == FINAL_ROUND]
    assert seal.code != paper
    assert paper not in "\n".join(report.lines())


def test_a_seal_removed_from_a_rewritten_log_is_named(demo_copy: Path) -> None:
    path = demo_copy / "lsb.db"
    rewrite_chain(path, drop=lambda row: row[3] == ledger.SEAL_ACTION and row[4] == f"round:{FINAL_ROUND}/seal")
    report = checked(demo_copy)
    (problem,) = report.data
    assert problem.kind == "seal_missing"
    assert problem.message == f"评比“{round_name(path, FINAL_ROUND)}”已定稿，但审计日志中没有它的定稿封存记录"


def test_a_second_starting_point_in_a_rewritten_log_is_named(demo_copy: Path) -> None:
    path = demo_copy / "lsb.db"
    (first,) = one(path, "SELECT min(id) FROM audit_log")
    sql(
        path,
        "INSERT INTO audit_log (at, operator, action, entity, old, new, reason, facts, prev_hash, hash) "
        f"SELECT at, operator, '{ledger.BASELINE_ACTION}', '', '', '', '', '{{}}', '', 'x' FROM audit_log "
        f"WHERE id = {first}",
        "INSERT INTO audit_log (at, operator, action, entity, old, new, reason, facts, "
        f"prev_hash, hash) SELECT at, operator, '{ledger.BASELINE_ACTION}', '', '', '', '', '{{}}', '', 'y' "
        f"FROM audit_log WHERE id = {first}",
    )
    rewrite_chain(path)
    report = checked(demo_copy)
    assert [p.kind for p in report.data] == ["baseline"]
    assert report.data[0].message.startswith("审计日志中有 2 个数据校验起点")


@pytest.mark.e2e
def test_check_json_lists_problems_as_objects_and_rounds_with_their_codes(demo_copy: Path) -> None:
    path = demo_copy / "lsb.db"
    case = score_case(path, "changed")
    sql(path, *case.statements)
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--data-dir", str(demo_copy), "check", "--json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is False and report["checked"]["data_ok"] is False
    (score,) = [p for p in report["problems"] if p["kind"] == "changed"]
    assert set(score) >= {"message", "round", "judge", "unit", "criterion", "field", "old", "new"}
    assert score["field"] == "分数" and score["message"].startswith(case.expected[0])
    assert [p["kind"] for p in report["problems"]] == ["changed", "seal_mismatch"]
    finals = report["finalised_rounds"]
    assert [r["round_id"] for r in finals] == list(range(1, 9))
    assert all(len(r["code"]) == 14 and r["version"] == 1 for r in finals)


# ----- seals anew on a correction; a starting point for a file from before data version 6 -------


def seal_entries(path: Path, round_id: int) -> list[dict]:
    return [
        json.loads(new)
        for (new,) in query(path, f"SELECT new FROM audit_log WHERE entity = 'round:{round_id}/seal' ORDER BY id")
    ]


def test_a_correction_seals_a_new_version_and_the_paper_carries_its_code(demo_copy: Path, tmp_path: Path) -> None:
    path = demo_copy / "lsb.db"
    first = printed_code(demo_copy, FINAL_ROUND, tmp_path)
    judge_id, unit_id, criterion, value = one(
        path,
        f"""SELECT s.judge_id, s.round_unit_id, k.name, s.points FROM scores s
        JOIN round_criteria k ON k.id = s.criterion_id WHERE s.round_id = {FINAL_ROUND} ORDER BY s.id LIMIT 1""",
    )
    with Core.open(demo_copy) as core:
        core.rounds.set_score(FINAL_ROUND, judge_id, unit_id, criterion, points(value - 50), "评委复核后更正")
        report = core.check()
        data = core.paper.data(FINAL_ROUND)
        every_code = {s.code for s in core.audit.verify_data().seals}
    assert report.ok, report.problems
    seals = seal_entries(path, FINAL_ROUND)
    assert [s["version"] for s in seals] == [1, 2]
    assert seals[0]["code"] == first and seals[1]["code"] != first
    (latest,) = [s for s in report.seals if s.round_id == FINAL_ROUND]
    assert (latest.version, latest.code) == (2, seals[1]["code"])
    assert data.check_line.startswith(f"校验码：{seals[1]['code']}（第 2 版结果，")
    # The sheet of version 1 still in the drawer is found in the log: its seal is kept.
    assert first in every_code


def test_a_file_from_before_data_version_6_gets_one_starting_point_and_its_rounds_sealed(demo_copy: Path) -> None:
    from alembic import command

    from db.engine import alembic_config

    path = demo_copy / "lsb.db"
    # What the program of data version 5 left: entries without facts, no seals.
    rewrite_chain(
        path, edit_facts=lambda _entry, _facts: None, drop=lambda row: row[3] == ledger.SEAL_ACTION, reseal=False
    )
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0005_tie_decisions")
    engine.dispose()
    assert one(path, "SELECT version_num FROM alembic_version") == ("0005_tie_decisions",)

    report = checked(demo_copy)
    assert report.ok, report.problems
    starts = query(path, f"SELECT reason FROM audit_log WHERE action = '{ledger.BASELINE_ACTION}'")
    assert starts == [("升级到数据版本 6：此前的评分、结果、五星和承诺事项以此为准",)]
    finals = [row[0] for row in query(path, "SELECT id FROM rounds WHERE status = 'final' ORDER BY id")]
    assert [seal.round_id for seal in report.seals] == finals
    assert query(path, "SELECT value FROM settings WHERE key = 'audit.baseline'") == []

    # From the starting point on, the log accounts for the data; opening again adds no second one.
    case = score_case(path, "changed")
    sql(path, *case.statements)
    report = checked(demo_copy)
    assert any(all(word in p for word in case.expected) for p in report.problems), report.problems
    assert len(query(path, f"SELECT id FROM audit_log WHERE action = '{ledger.BASELINE_ACTION}'")) == 1
