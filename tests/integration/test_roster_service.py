"""Roster import through the service: preview on the real register, then all or nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from lsb_desktop.core import Core
from lsb_desktop.domain.register import REGISTER_START, OrgType, UnitDraft, UnitKind
from lsb_desktop.errors import ValidationError
from lsb_desktop.services.roster import ADDED, UNCHANGED, UPDATED
from tests.integration.dbfiles import query, sha256

HEADER = ["序号", "村（社区）名称", "类型", "管区", "党组织类型", "党组织书记", "任职时间"]
FIRST_IMPORT = date(2023, 1, 1)


def make_xlsx(folder: Path, rows: list[list[object]], name: str = "名册.xlsx", merges: tuple[str, ...] = ()) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "名册"
    for row in rows:
        sheet.append(row)
    for merged in merges:
        sheet.merge_cells(merged)
    path = folder / name
    workbook.save(path)
    return path


def township_rows() -> list[list[object]]:
    return [
        HEADER,
        [1, "张五砦村", "村", "东部管区", "党支部", "李禛", date(2021, 1, 1)],
        [2, "刘堌堆村", "村", "东部管区", "党支部", "刘喆", date(2021, 3, 15)],
        [3, "东关社区", "社区", "东部管区", "党委", "赵丽娟", date(2021, 1, 1)],
        [4, "西杨庄村", "村", "西部管区", "党总支", "杨金堃", date(2022, 6, 1)],
        [5, "黄岗村", "村", "西部管区", "党支部", "黄海涛", None],
    ]


def snapshot(core: Core) -> list[tuple]:
    """Everything a clerk sees of the register, plus the raw row counts of the file."""
    units = [
        (u.name, u.kind, u.org_type, u.district_name, u.status, u.secretary, u.secretary_since)
        for u in core.villages.list_units()
    ]
    path = core.folder.database.path
    counts = [
        query(path, f"SELECT count(*) FROM {table}")[0][0]
        for table in ("units", "unit_versions", "secretary_terms", "districts")
    ]
    return units + [tuple(counts)]


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    return make_xlsx(tmp_path, township_rows())


@pytest.fixture
def imported(core: Core, roster: Path) -> Core:
    """A register whose units were explicitly registered from FIRST_IMPORT on."""
    core.roster.apply(core.roster.preview(roster, FIRST_IMPORT, start=FIRST_IMPORT))
    return core


# ---------------------------------------------------------------------------- a first import


def test_preview_on_an_empty_register_adds_every_row_and_writes_nothing(core: Core, roster: Path) -> None:
    before = snapshot(core)
    preview = core.roster.preview(roster, FIRST_IMPORT)

    assert preview.ok
    assert preview.problems == ()
    assert [(p.row, p.name, p.action) for p in preview.plan] == [
        (2, "张五砦村", ADDED),
        (3, "刘堌堆村", ADDED),
        (4, "东关社区", ADDED),
        (5, "西杨庄村", ADDED),
        (6, "黄岗村", ADDED),
    ]
    assert preview.count(ADDED) == 5
    assert preview.new_districts == ("东部管区", "西部管区")
    assert "书记：李禛" in preview.plan[0].changes[0]
    assert snapshot(core) == before
    assert core.villages.count_units() == 0
    assert core.villages.list_districts() == []


def test_apply_imports_every_row_with_districts_and_secretaries(core: Core, roster: Path) -> None:
    result = core.roster.apply(core.roster.preview(roster, FIRST_IMPORT)).value

    assert (result.added, result.updated, result.unchanged) == (5, 0, 0)
    assert result.districts_created == ("东部管区", "西部管区")
    # Even an empty register is backed up before the import writes.
    assert result.backup is not None and result.backup.is_file()
    assert [b.reason for b in core.folder.list_backups() if b.path == result.backup] == ["pre-import"]
    assert query(result.backup, "SELECT count(*) FROM units") == [(0,)]
    units = {u.name: u for u in core.villages.list_units()}
    assert list(units) == ["张五砦村", "刘堌堆村", "东关社区", "西杨庄村", "黄岗村"]
    assert (units["张五砦村"].secretary, units["张五砦村"].secretary_since) == ("李禛", date(2021, 1, 1))
    assert units["刘堌堆村"].secretary_since == date(2021, 3, 15)
    # No date of office: the term runs from the unit's registration, here since always.
    assert (units["黄岗村"].secretary, units["黄岗村"].secretary_since) == ("黄海涛", REGISTER_START)
    assert units["东关社区"].organisation_title == "东关社区党委"
    assert units["西杨庄村"].district_name == "西部管区"
    assert [(d.name, d.unit_count) for d in core.villages.list_districts()] == [("东部管区", 3), ("西部管区", 2)]
    # A first registration without 在册起始日期 is open at the start, not dated by the import.
    assert {u.registered_from for u in units.values()} == {REGISTER_START}
    history = core.villages.get_unit(units["张五砦村"].id).history
    assert [(v.valid_from, v.reason) for v in history] == [(REGISTER_START, "建立档案")]
    assert [u.name for u in core.villages.list_units(on=date(2005, 3, 31))] == list(units)


def test_importing_the_same_file_again_changes_nothing(imported: Core, roster: Path) -> None:
    before = snapshot(imported)
    preview = imported.roster.preview(roster, date(2024, 1, 1))
    assert preview.ok
    assert [p.action for p in preview.plan] == [UNCHANGED] * 5
    assert all(p.changes == () for p in preview.plan)
    assert preview.new_districts == ()

    result = imported.roster.apply(preview).value
    assert (result.added, result.updated, result.unchanged) == (0, 0, 5)
    assert snapshot(imported) == before


def test_a_pre_import_backup_is_taken_when_the_register_is_not_empty(imported: Core, roster: Path) -> None:
    result = imported.roster.apply(imported.roster.preview(roster, date(2024, 1, 1))).value
    assert result.backup is not None and result.backup.is_file()
    assert [b.reason for b in imported.folder.list_backups() if b.path == result.backup] == ["pre-import"]
    assert len(query(result.backup, "SELECT id FROM units")) == 5


# ---------------------------------------------------------------------------- changes


def test_a_changed_file_updates_with_the_given_effective_date(imported: Core, tmp_path: Path) -> None:
    rows = township_rows()
    rows[2][5:7] = ["王五", date(2024, 3, 1)]  # 刘堌堆村: a new secretary
    rows[3][3] = "西部管区"  # 东关社区: moved to the west
    changed = make_xlsx(tmp_path, rows, "变更.xlsx")
    effective = date(2024, 3, 1)

    preview = imported.roster.preview(changed, effective)
    assert preview.ok
    assert [(p.name, p.action, p.changes) for p in preview.plan] == [
        ("张五砦村", UNCHANGED, ()),
        ("刘堌堆村", UPDATED, ("书记：刘喆 → 王五",)),
        ("东关社区", UPDATED, ("管区：东部管区 → 西部管区",)),
        ("西杨庄村", UNCHANGED, ()),
        ("黄岗村", UNCHANGED, ()),
    ]
    result = imported.roster.apply(preview).value
    assert (result.added, result.updated, result.unchanged) == (0, 2, 3)

    units = {u.name: u for u in imported.villages.list_units()}
    liu = imported.villages.get_unit(units["刘堌堆村"].id)
    assert [(t.person, t.start, t.end) for t in liu.terms] == [
        ("刘喆", date(2021, 3, 15), date(2024, 2, 29)),  # the day before, in a leap year
        ("王五", date(2024, 3, 1), None),
    ]
    east = imported.villages.get_unit(units["东关社区"].id)
    assert [(v.valid_from, v.district_name) for v in east.history] == [
        (FIRST_IMPORT, "东部管区"),
        (effective, "西部管区"),
    ]
    assert east.history[1].changes == ("管区：东部管区 → 西部管区",)
    assert east.history[1].reason == "花名册导入"
    assert imported.villages.list_units(date(2024, 2, 29))[2].district_name == "东部管区"


def test_a_move_to_a_new_district_creates_it(imported: Core, tmp_path: Path) -> None:
    rows = township_rows()
    rows[5][3] = "北部管区"
    preview = imported.roster.preview(make_xlsx(tmp_path, rows, "新管区.xlsx"), date(2024, 3, 1))
    assert preview.new_districts == ("北部管区",)
    assert [d.name for d in imported.villages.list_districts()] == ["东部管区", "西部管区"]
    result = imported.roster.apply(preview).value
    assert result.districts_created == ("北部管区",)
    assert imported.villages.list_units()[4].district_name == "北部管区"


def test_a_change_dated_before_the_units_last_change_is_a_problem(imported: Core, tmp_path: Path) -> None:
    rows = township_rows()
    rows[3][3] = "西部管区"
    path = make_xlsx(tmp_path, rows, "倒签.xlsx")
    before = snapshot(imported)
    preview = imported.roster.preview(path, date(2022, 6, 1))  # before the first import
    assert not preview.ok
    assert [p.row for p in preview.problems] == [4]
    assert "只能向后追加" in preview.problems[0].message
    with pytest.raises(ValidationError):
        imported.roster.apply(preview)
    assert snapshot(imported) == before


def test_a_new_secretary_not_after_the_current_one_is_a_problem(imported: Core, tmp_path: Path) -> None:
    rows = township_rows()
    rows[2][5:7] = ["王五", date(2020, 1, 1)]
    preview = imported.roster.preview(make_xlsx(tmp_path, rows, "倒签书记.xlsx"), date(2024, 3, 1))
    assert not preview.ok
    assert [(p.row, p.field) for p in preview.problems] == [(3, "任职时间")]
    assert "必须晚于" in preview.problems[0].message


def test_a_row_naming_an_archived_unit_with_changes_is_a_problem(imported: Core, tmp_path: Path) -> None:
    units = {u.name: u for u in imported.villages.list_units()}
    imported.villages.archive_unit(units["黄岗村"].id, date(2024, 1, 1), "整村搬迁")
    rows = township_rows()
    rows[5][4] = "党总支"
    before = snapshot(imported)

    preview = imported.roster.preview(make_xlsx(tmp_path, rows, "归档.xlsx"), date(2024, 3, 1))

    assert not preview.ok
    assert [(p.row, p.field) for p in preview.problems] == [(6, "名称")]
    assert "已归档" in preview.problems[0].message
    with pytest.raises(ValidationError):
        imported.roster.apply(preview)
    assert snapshot(imported) == before


def _archive_and_restore_zhang(core: Core) -> None:
    """Leaves 张五砦村 active with no open term: 李禛's term (from 2021-01-01) ended 2023-12-31."""
    unit = next(u for u in core.villages.list_units() if u.name == "张五砦村")
    core.villages.archive_unit(unit.id, date(2024, 1, 1), "误操作")
    core.villages.restore_unit(unit.id, date(2024, 2, 1), "恢复")


def test_preview_reports_a_secretary_date_that_apply_would_refuse(imported: Core, roster: Path) -> None:
    _archive_and_restore_zhang(imported)
    # The same roster again: 李禛's date of office (2021-01-01) lies inside his ended term.
    preview = imported.roster.preview(roster, date(2024, 3, 1))
    assert not preview.ok
    assert any("离任日期" in p.message for p in preview.problems)


def test_apply_checks_every_row_again_and_writes_nothing_when_one_fails(imported: Core, roster: Path) -> None:
    _archive_and_restore_zhang(imported)
    preview = imported.roster.preview(roster, date(2024, 3, 1))
    before = snapshot(imported)
    with pytest.raises(ValidationError) as caught:
        imported.roster.apply(preview)
    assert "未导入任何数据" in caught.value.message
    assert any(line.startswith("工作表“名册” 第2行") for line in caught.value.details)
    assert snapshot(imported) == before


# ---------------------------------------------------------------------------- a bad file


def bad_rows() -> list[list[object]]:
    return [
        ["清河镇村（社区）名册", None, None, None, None, None, None],  # merged title row
        HEADER,
        ["１", "张五砦村　", "村", "东部管区", "党支部", "李　禛", "2023.9.26"],  # full-width: fine
        ["2", None, "村", "东部管区", "党支部", "王五", None],  # no name
        ["3", "幸福(社区)", "", "西部管区", "", "周敏", "20220601"],  # fine: kind from the name
        ["4", "幸福（社区）", "社区", "西部管区", "党委", "何晓燕", None],  # same as row 5
        ["5", "王庄村", "乡", "东部管区", "党支部", "王永强", None],  # unknown kind
        ["6", 123, "村", "东部管区", "党支部", "高保国", None],  # a number, not a name
        ["7", "黄岗村", "村", "东部管区", "党支部", "黄海涛2", None],  # digits in a person's name
        ["合计", None, None, None, None, None, None],
    ]


def test_a_bad_roster_shows_every_problem_by_row_and_column_and_imports_nothing(core: Core, tmp_path: Path) -> None:
    path = make_xlsx(tmp_path, bad_rows(), "坏名册.xlsx", merges=("A1:G1",))
    before = snapshot(core)
    file_before = sha256(core.folder.database.path)

    preview = core.roster.preview(path, FIRST_IMPORT)

    assert not preview.ok
    assert [(p.row, p.column, p.field) for p in preview.problems] == [
        (4, "B", "村（社区）名称"),
        (6, "B", "村（社区）名称"),
        (7, "C", "类型"),
        (8, "B", "村（社区）名称"),
        (9, "F", "党组织书记"),
    ]
    messages = [p.message for p in preview.problems]
    assert "不能为空" in messages[0]
    assert "与第5行重名" in messages[1]
    assert "只能是“村”或“社区”" in messages[2]
    assert "只有数字" in messages[3]
    assert "含有数字" in messages[4]
    assert preview.problem_lines()[0].startswith("工作表“名册” 第4行 B列（村（社区）名称）：")
    assert any("合计" in note for note in preview.read.skipped)
    # The good rows were read through their full-width characters.
    good = {row.name: row for row in preview.read.rows}
    assert set(good) == {"张五砦村", "幸福（社区）"}
    assert (good["张五砦村"].secretary, good["张五砦村"].secretary_since, good["张五砦村"].display_order) == (
        "李禛",
        date(2023, 9, 26),
        1,
    )
    assert good["幸福（社区）"].secretary_since == date(2022, 6, 1)

    with pytest.raises(ValidationError) as caught:
        core.roster.apply(preview)
    assert "未导入任何数据" in caught.value.message
    assert len(caught.value.details) == 5
    assert snapshot(core) == before
    assert core.villages.list_districts() == []
    assert "pre-import" not in [b.reason for b in core.folder.list_backups()]
    assert query(core.folder.database.path, "SELECT count(*) FROM units") == [(0,)]
    # Nothing reached the file either (the WAL may differ, the main file must not).
    assert sha256(core.folder.database.path) == file_before


def test_a_bad_roster_over_an_existing_register_changes_nothing(imported: Core, tmp_path: Path) -> None:
    rows = township_rows()
    rows[1][5] = "李四"  # a fine change …
    rows.append([6, "张五砦村", "村", "东部管区", "党支部", "李禛", None])  # … and a duplicate row
    before = snapshot(imported)
    preview = imported.roster.preview(make_xlsx(tmp_path, rows, "重名.xlsx"), date(2024, 3, 1))
    assert not preview.ok
    with pytest.raises(ValidationError):
        imported.roster.apply(preview)
    assert snapshot(imported) == before
    assert imported.villages.list_units()[0].secretary == "李禛"


def test_a_file_that_is_not_a_workbook_is_refused_in_chinese(core: Core, tmp_path: Path) -> None:
    path = tmp_path / "名册.xlsx"
    path.write_text("序号,名称\n1,张五砦村\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="不是有效的 Excel 文件"):
        core.roster.preview(path)
    assert core.villages.count_units() == 0


# ---------------------------------------------------------------------------- export and re-import


def test_the_demo_township_exported_and_imported_again_is_unchanged(demo_core: Core, tmp_path: Path) -> None:
    path = tmp_path / "导出.xlsx"
    count = demo_core.roster.export(path, "清河镇村（社区）名册")
    units = demo_core.villages.list_units()
    assert count == len(units)
    before = snapshot(demo_core)

    preview = demo_core.roster.preview(path)

    assert preview.problems == ()
    assert preview.ok
    assert [(p.name, p.action) for p in preview.plan] == [(u.name, UNCHANGED) for u in units]
    assert preview.new_districts == ()
    result = demo_core.roster.apply(preview).value
    assert (result.added, result.updated, result.unchanged) == (0, 0, len(units))
    assert snapshot(demo_core) == before


def test_an_export_holds_the_register_as_it_stands(demo_core: Core, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "导出.xlsx"
    demo_core.roster.export(path, "清河镇村（社区）名册")
    workbook = load_workbook(path)
    try:
        sheet = workbook.active
        rows = {row[1]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
        assert sheet["A1"].value == "清河镇村（社区）名册"
    finally:
        workbook.close()
    assert rows["后营村"][5] == "孙海燕"
    assert rows["后营村"][6].date() == date(2024, 7, 15)
    assert rows["牛王庙村"][7] == "已归档"
    assert rows["东关社区"][2:5] == ("社区", "东部管区", "党委")


# ---------------------------------------------------------------------------- issue 19


def _with_notes(notes: dict[str, str]) -> list[list[object]]:
    rows = township_rows()
    rows[0] = rows[0] + ["备注"]
    for row in rows[1:]:
        row.append(notes.get(row[1], ""))
    return rows


def test_a_changed_note_is_shown_as_a_change_and_applied(imported: Core, tmp_path: Path) -> None:
    """备注 used to be dropped on re-import and shown as 无变化."""
    first = make_xlsx(tmp_path, _with_notes({"张五砦村": "省级示范村"}), "备注1.xlsx")
    imported.roster.apply(imported.roster.preview(first, date(2024, 3, 1)))
    long_note = "人居环境整治重点村，" * 10
    changed = make_xlsx(tmp_path, _with_notes({"张五砦村": "市级示范村", "黄岗村": long_note}), "备注2.xlsx")

    preview = imported.roster.preview(changed, date(2024, 4, 1))
    assert preview.ok
    plan = {p.name: (p.action, p.changes) for p in preview.plan}
    assert plan["张五砦村"] == (UPDATED, ("备注：“省级示范村” → “市级示范村”",))
    assert plan["黄岗村"] == (UPDATED, (f"备注：（无） → “{long_note[:20]}…”",))  # quoted short
    assert plan["刘堌堆村"] == (UNCHANGED, ())
    result = imported.roster.apply(preview).value
    assert (result.updated, result.unchanged) == (2, 3)
    notes = {u.name: u.note for u in imported.villages.list_units()}
    assert notes["张五砦村"] == "市级示范村" and notes["黄岗村"] == long_note

    # A blank 备注 cell keeps the note, as a blank 管区 or 书记 keeps those.
    blank = imported.roster.preview(make_xlsx(tmp_path, _with_notes({}), "备注3.xlsx"), date(2024, 5, 1))
    assert {p.name: p.action for p in blank.plan}["张五砦村"] == UNCHANGED


def test_a_look_alike_name_is_the_registered_unit(imported: Core, tmp_path: Path) -> None:
    """A zero-width space or a direction override used to make a second, identical-looking unit."""
    rows = township_rows()
    rows[1][1] = "张五\u200b砦村"
    rows[2][1] = "\u202e刘堌堆村\u202c"
    before = snapshot(imported)
    preview = imported.roster.preview(make_xlsx(tmp_path, rows, "相似.xlsx"), date(2024, 3, 1))
    assert preview.ok
    assert [(p.name, p.action) for p in preview.plan][:2] == [("张五砦村", UNCHANGED), ("刘堌堆村", UNCHANGED)]
    imported.roster.apply(preview)
    assert snapshot(imported) == before
    with pytest.raises(ValidationError, match="已有|重名|同名"):
        imported.villages.add_unit(UnitDraft("张五砦村\ufeff", UnitKind.VILLAGE, OrgType.BRANCH, None, "", None, ""))


def test_a_note_longer_than_a_cell_is_cut_with_a_mark_and_reported(imported: Core, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from lsb_desktop.domain.text import CUT_MARK, EXCEL_CELL_CHARS, noting_cut_cells

    unit = next(u for u in imported.villages.list_units() if u.name == "黄岗村")
    imported.villages.change_unit(unit.id, note="长" * 40_000)
    path = tmp_path / "导出.xlsx"
    with noting_cut_cells() as cuts:
        imported.roster.export(path, "名册")
    workbook = load_workbook(path)
    try:
        note = {row[1]: row[9] for row in workbook.active.iter_rows(min_row=3, values_only=True)}["黄岗村"]
    finally:
        workbook.close()
    assert len(note) == EXCEL_CELL_CHARS and note.endswith(CUT_MARK)
    assert cuts == ["工作表“村（社区）名册”第 7 行 J列"]
    assert imported.villages.get_unit(unit.id).unit.note == "长" * 40_000  # the program keeps it whole
