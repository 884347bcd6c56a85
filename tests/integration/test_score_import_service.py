"""Importing score files into a round on a real data file: blank per-judge sheets filled in with
openpyxl, flat tables with problems, several files at once, not-visited units, finalised rounds.
Previews write nothing; an import writes every score or none."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from factories import make_unit
from openpyxl import Workbook, load_workbook

from lsb_desktop.core import Core
from lsb_desktop.domain.period import Period
from lsb_desktop.domain.rounds import RoundDetail, RoundStatus
from lsb_desktop.domain.scoring import Component, Criterion, Scheme
from lsb_desktop.errors import ValidationError
from lsb_desktop.services.rounds import RoundDraft
from tests.integration.dbfiles import query

D = Decimal
F = Fraction
SCHEME = Scheme(
    (
        Component("实地观摩", D("0.7"), (Criterion("基层党建", D(60)), Criterion("产业发展", D(40)))),
        Component("擂台比武", D("0.3"), (Criterion("现场表现", D(100)),)),
    )
)
CRITERIA = ("基层党建", "产业发展", "现场表现")
UNITS = ("甲村", "乙村", "丙村")
JUDGES = ("张一", "张二", "张三")
# Written sheet: A 序号, B 管区, C 村（社区）, D 基层党建, E 产业发展, F 现场表现, G 合计; units from row 5.
COLUMNS = dict(zip(CRITERIA, "DEF"))
FIRST_ROW = 5
# What each judge writes on paper: unit -> (基层党建, 产业发展, 现场表现). 张三 gives every unit 30
# for 产业发展 (a warning); every total is within 20 points of the panel's median (no other warning).
PAPER = {
    "张一": {"甲村": (50, 35, 88), "乙村": (45, 32, 80), "丙村": (40, 28, 75)},
    "张二": {"甲村": (52, 36, 90), "乙村": (44.5, 31, 82), "丙村": (38, 29.5, 70)},
    "张三": {"甲村": (48, 30, 85), "乙村": (46, 30, 78), "丙村": (41, 30, 72)},
}


def create_round(core: Core, judges=JUDGES, red: int = 0, black: int = 0) -> RoundDetail:
    for name in UNITS:
        make_unit(core, name)
    return core.rounds.create_round(
        RoundDraft(Period(2025, 1), "测试评比", date(2025, 3, 20), tuple(judges), red, black, scheme=SCHEME)
    ).value


@pytest.fixture
def detail(core: Core) -> RoundDetail:
    return create_round(core)


def fill_sheets(path: Path, paper: dict[str, dict[str, tuple]]) -> Path:
    """Type the scores into the blank sheets as a judge would."""
    workbook = load_workbook(path)
    for judge, rows in paper.items():
        sheet = workbook[judge]
        for index, unit in enumerate(UNITS):
            row = FIRST_ROW + index
            assert sheet[f"C{row}"].value == unit  # the sheet lists units in round order
            for criterion, points in zip(CRITERIA, rows[unit]):
                sheet[f"{COLUMNS[criterion]}{row}"] = points
    workbook.save(path)
    return path


def flat(path: Path, rows: list[tuple]) -> Path:
    """A flat table as an office tool writes it: a title row, the header, one score a row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "一览表"
    sheet.append(["2025年第一季度评分汇总"])
    sheet.append(["评委", "村（社区）", "指标", "得分", "备注"])
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def stored(core: Core, detail: RoundDetail) -> set[tuple[str, str, str, Decimal]]:
    judges = {j.id: j.name for j in detail.judges}
    units = {u.id: u.name for u in detail.units}
    return {(judges[c.judge_id], units[c.round_unit_id], c.criterion, c.points) for c in core.rounds.scores(detail.id)}


def score_rows(core: Core) -> int:
    return query(core.folder.database.path, "SELECT count(*) FROM scores")[0][0]


def uid(detail: RoundDetail, name: str) -> int:
    return next(u.id for u in detail.units if u.name == name)


# ---------------------------------------------------------------------------- per-judge sheets


def test_filled_blank_sheets_are_previewed_then_imported(core: Core, detail: RoundDetail, tmp_path: Path) -> None:
    path = tmp_path / "评分表.xlsx"
    core.rounds.write_blank_sheets(detail.id, path, "清河镇")
    assert load_workbook(path).sheetnames == list(JUDGES)
    fill_sheets(path, PAPER)

    preview = core.rounds.preview_import(detail.id, [path])
    assert preview.problems == ()
    assert preview.ok
    assert (preview.count_new, preview.count_changed, preview.count_unchanged) == (27, 0, 0)
    assert len(preview.entries) == 27
    assert preview.warnings == ("评委张三对“产业发展”给所有村（社区）打了同样的分（30）",)
    assert score_rows(core) == 0  # a preview writes nothing

    before = [b for b in core.folder.list_backups() if b.reason == "pre-import"]
    assert core.rounds.apply_import(preview).value == 27
    assert len(core.rounds.scores(detail.id)) == 27
    # A backup was taken just before the scores went in.
    assert len([b for b in core.folder.list_backups() if b.reason == "pre-import"]) == len(before) + 1
    expected = {
        (judge, unit, criterion, D(str(points)))
        for judge, rows in PAPER.items()
        for unit, values in rows.items()
        for criterion, points in zip(CRITERIA, values)
    }
    assert stored(core, detail) == expected
    assert core.rounds.get_round(detail.id).status is RoundStatus.SCORING
    assert core.rounds.completeness(detail.id) == []
    # 乙村 实地观摩: 张一 77, 张二 75.5, 张三 76 → (77 + 75.5 + 76) / 3 = 228.5 / 3
    assert core.rounds.results(detail.id).of("乙村").components["实地观摩"] == F(457, 6)

    again = core.rounds.preview_import(detail.id, [path])
    assert again.ok
    assert (again.count_new, again.count_changed, again.count_unchanged) == (0, 0, 27)
    assert core.rounds.apply_import(again).value == 27
    assert len(core.rounds.scores(detail.id)) == 27
    assert len([e for e in core.audit.entries(f"round:{detail.id}") if e.action == "评分"]) == 27


def test_a_changed_cell_is_counted_as_changed(core: Core, detail: RoundDetail, tmp_path: Path) -> None:
    path = tmp_path / "评分表.xlsx"
    core.rounds.write_blank_sheets(detail.id, path)
    fill_sheets(path, PAPER)
    core.rounds.apply_import(core.rounds.preview_import(detail.id, [path]))

    workbook = load_workbook(path)
    workbook["张二"]["F5"] = 91.5  # 甲村 现场表现: 90 → 91.5
    workbook.save(path)
    preview = core.rounds.preview_import(detail.id, [path])
    assert (preview.count_new, preview.count_changed, preview.count_unchanged) == (0, 1, 26)
    core.rounds.apply_import(preview)
    assert ("张二", "甲村", "现场表现", D("91.5")) in stored(core, detail)


def test_blank_cells_are_not_imported_as_zero(core: Core, detail: RoundDetail, tmp_path: Path) -> None:
    path = tmp_path / "评分表.xlsx"
    core.rounds.write_blank_sheets(detail.id, path)
    fill_sheets(path, {"张一": PAPER["张一"]})  # 张二 and 张三 hand in empty sheets

    preview = core.rounds.preview_import(detail.id, [path])
    assert preview.ok
    assert preview.count_new == 9
    core.rounds.apply_import(preview)
    assert {judge for judge, *_ in stored(core, detail)} == {"张一"}
    absent = [m for m in core.rounds.completeness(detail.id) if m.absent]
    assert {(m.judge, m.unit) for m in absent} == {(j, u) for j in ("张二", "张三") for u in UNITS}


# ---------------------------------------------------------------------------- flat tables


def test_a_flat_table_with_problems_is_refused_whole(core: Core, detail: RoundDetail, tmp_path: Path) -> None:
    path = flat(
        tmp_path / "一览表.xlsx",
        [
            ("张一", "甲村", "基层党建", 50),  # row 3: fine
            ("王五", "甲村", "基层党建", 50),  # row 4: unknown judge
            ("张一", "戊村", "基层党建", 50),  # row 5: unknown unit
            ("张一", "甲村", "群众满意", 10),  # row 6: unknown criterion
            ("张一", "乙村", "产业发展", 41),  # row 7: above the maximum 40
            ("张一", "甲村", "基层党建", 51),  # row 8: a second score for row 3's cell
            ("张一", "丙村", "现场表现", "八十"),  # row 9: not a number
            ("张二", "乙村", "现场表现", 80),  # row 10: fine
        ],
    )

    preview = core.rounds.preview_import(detail.id, [path])
    assert not preview.ok
    found = {(p.row, p.column): p.message for p in preview.problems}
    assert set(found) == {(4, "A"), (5, "B"), (6, "C"), (7, "D"), (8, "D"), (9, "D")}
    assert "评委“王五”不在本轮评委名单中" in found[(4, "A")]
    assert "村（社区）“戊村”不在本轮参评名单中" in found[(5, "B")]
    assert "指标“群众满意”不在本轮评分方案中" in found[(6, "C")]
    assert "41 超过“产业发展”的满分 40" in found[(7, "D")]
    assert "分数重复" in found[(8, "D")] and "第3行" in found[(8, "D")]
    assert "不是数字" in found[(9, "D")]
    assert all(p.sheet == "一览表" for p in preview.problems)

    with pytest.raises(ValidationError) as caught:
        core.rounds.apply_import(preview)
    assert "未导入任何评分" in caught.value.message
    assert len(caught.value.details) == 6
    assert core.rounds.scores(detail.id) == []
    assert score_rows(core) == 0
    assert core.rounds.get_round(detail.id).status is RoundStatus.DRAFT
    assert [e for e in core.audit.entries(f"round:{detail.id}") if e.action == "评分"] == []


def test_a_clean_flat_table_is_imported(core: Core, detail: RoundDetail, tmp_path: Path) -> None:
    path = flat(
        tmp_path / "一览表.xlsx",
        [
            ("张一", "甲村", "基层党建", 50),
            ("张 一", "甲村", "产业发展", "３５．５"),  # spaces and full-width digits are normalised
            ("张一", "甲 村", "现场表现", "88分"),
            (None, None, None, None, "（以下空白）"),
        ],
    )
    preview = core.rounds.preview_import(detail.id, [path])
    assert preview.problems == ()
    assert preview.count_new == 3
    assert core.rounds.apply_import(preview).value == 3
    assert stored(core, detail) == {
        ("张一", "甲村", "基层党建", D(50)),
        ("张一", "甲村", "产业发展", D("35.5")),
        ("张一", "甲村", "现场表现", D(88)),
    }


def test_the_same_score_in_two_files_names_the_other_file(core: Core, detail: RoundDetail, tmp_path: Path) -> None:
    first = flat(tmp_path / "第一组.xlsx", [("张一", "甲村", "基层党建", 50), ("张一", "乙村", "基层党建", 45)])
    second = flat(tmp_path / "第二组.xlsx", [("张二", "甲村", "基层党建", 52), ("张一", "甲村", "基层党建", 50)])

    preview = core.rounds.preview_import(detail.id, [first, second])
    assert not preview.ok
    (problem,) = preview.problems
    assert (problem.sheet, problem.row, problem.column) == ("一览表", 4, "D")
    assert "重复打分" in problem.message
    assert "第一组.xlsx" in problem.message
    assert "（第二组.xlsx）" in problem.message
    with pytest.raises(ValidationError):
        core.rounds.apply_import(preview)
    assert score_rows(core) == 0


def test_a_unit_not_visited_is_a_problem_in_a_file(core: Core, detail: RoundDetail, tmp_path: Path) -> None:
    core.rounds.set_visited(detail.id, uid(detail, "乙村"), False, "本季度未观摩")

    sheets = tmp_path / "评分表.xlsx"
    core.rounds.write_blank_sheets(detail.id, sheets)
    sheet = load_workbook(sheets)["张一"]
    assert [sheet[f"C{row}"].value for row in (5, 6)] == ["甲村", "丙村"]
    assert sheet["C7"].value != "乙村"

    path = flat(tmp_path / "一览表.xlsx", [("张一", "甲村", "基层党建", 50), ("张一", "乙村", "基层党建", 45)])
    preview = core.rounds.preview_import(detail.id, [path])
    assert not preview.ok
    (problem,) = preview.problems
    assert (problem.row, problem.column) == (4, "B")
    assert "村（社区）“乙村”不在本轮参评名单中" in problem.message
    with pytest.raises(ValidationError):
        core.rounds.apply_import(preview)
    assert score_rows(core) == 0


# ---------------------------------------------------------------------------- finalised rounds


def test_an_import_into_a_final_round_needs_a_reason_and_stores_a_new_version(core: Core, tmp_path: Path) -> None:
    detail = create_round(core, judges=("张一",), red=1, black=1)
    scores = flat(
        tmp_path / "一览表.xlsx",
        [
            ("张一", "甲村", "基层党建", 50),
            ("张一", "甲村", "产业发展", 40),
            ("张一", "甲村", "现场表现", 90),
            ("张一", "乙村", "基层党建", 40),
            ("张一", "乙村", "产业发展", 40),
            ("张一", "乙村", "现场表现", 80),
            ("张一", "丙村", "基层党建", 40),
            ("张一", "丙村", "产业发展", 30),
            ("张一", "丙村", "现场表现", 70),
        ],
    )
    core.rounds.apply_import(core.rounds.preview_import(detail.id, [scores]))
    core.rounds.finalize(detail.id)

    correction = flat(tmp_path / "更正.xlsx", [("张一", "甲村", "现场表现", 50)])
    preview = core.rounds.preview_import(detail.id, [correction])
    assert preview.ok
    assert (preview.count_new, preview.count_changed, preview.count_unchanged) == (0, 1, 0)

    with pytest.raises(ValidationError, match="更正原因"):
        core.rounds.apply_import(preview)
    assert ("张一", "甲村", "现场表现", D(90)) in stored(core, detail)
    assert len(core.rounds.result_versions(detail.id)) == 1

    assert core.rounds.apply_import(preview, "按评委原始评分表更正").value == 1
    assert ("张一", "甲村", "现场表现", D(50)) in stored(core, detail)
    original, corrected = core.rounds.result_versions(detail.id)
    # 甲村: 90 × 0.7 + 90 × 0.3 = 90, corrected 90 × 0.7 + 50 × 0.3 = 78; 乙村 80; 丙村 70.
    assert {r.unit.name: (r.composite, r.rank) for r in original.results} == {
        "甲村": (F(90), 1),
        "乙村": (F(80), 2),
        "丙村": (F(70), 3),
    }
    assert {r.unit.name: (r.composite, r.rank) for r in corrected.results} == {
        "甲村": (F(78), 2),
        "乙村": (F(80), 1),
        "丙村": (F(70), 3),
    }
    assert corrected.correction_reason == "按评委原始评分表更正"
    assert core.rounds.get_round(detail.id).status is RoundStatus.FINAL
    (entry,) = [e for e in core.audit.entries(f"round:{detail.id}") if e.action == "评分" and e.reason]
    assert (D(entry.old), D(entry.new), entry.reason) == (D(90), D(50), "按评委原始评分表更正")
