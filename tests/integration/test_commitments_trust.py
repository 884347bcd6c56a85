"""Issue 11, points 8–10, on a real data file: the import's year is explicit and every row that
would change an existing item is 将替换 and needs a confirmation; items carried over are never
matched by 序号; carry-over does what its preview said, lists what it leaves out and marks the
original 已结转; and 逾期 has one definition, counted to a stated day, everywhere."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from factories import make_unit, write_sheet
from openpyxl import load_workbook

from lsb_desktop.core import Core
from lsb_desktop.domain.commitments import CommitmentDraft, CommitmentStatus, counted_to
from lsb_desktop.errors import ValidationError
from tests.integration.dbfiles import query

S = CommitmentStatus
F = Fraction


def draft(unit_id: int, content: str, *, year: int = 2023, **fields) -> CommitmentDraft:
    return CommitmentDraft(unit_id=unit_id, year=year, content=content, category="民生实事", **fields)


def contents(core: Core, year: int) -> list[tuple[str, int, str]]:
    return [(c.unit_name, c.number, c.content) for c in core.commitments.list_commitments(year)]


def workbook(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    return write_sheet(path, header, rows, "承诺事项")


HEADER = ["序号", "村（社区）", "承诺事项", "类别", "完成时限"]


@pytest.fixture
def units(core: Core):
    return {name: make_unit(core, name) for name in ("张五砦村", "王庄村")}


# ---------------------------------------------------------------------------- 8: the year


def test_the_year_is_never_guessed_and_a_year_column_must_agree_with_the_chosen_year(
    core: Core, units, tmp_path: Path
) -> None:
    spans = workbook(
        tmp_path / "跨年.xlsx",
        HEADER,
        [
            [1, "张五砦村", "修路", "民生实事", "2023Q3"],
            [1, "王庄村", "建广场", "民生实事", "2024年第二季度"],
        ],
    )
    preview = core.commitments.preview_import(spans)
    assert preview.problems == (
        "工作表“承诺事项”：表中没有“年度”列，也没有指定导入年度（命令行用 --year，程序中在导入窗口选择年度），"
        "未导入任何数据；完成时限分属 2023、2024 年，程序不会按完成时限猜测年度，请加“年度”列",
    )
    assert all(row.draft is None for row in preview.rows)
    # Chosen explicitly, each row is of that year: the other year's quarter is a problem, not a split.
    assert core.commitments.preview_import(spans, 2023).problems == (
        "工作表“承诺事项”第 3 行“完成时限”：目标季度在 2024 年，而承诺年度是 2023 年",
    )

    with_years = workbook(
        tmp_path / "年度列.xlsx",
        ["年度", *HEADER],
        [
            [2023, 1, "张五砦村", "修路", "民生实事", "2023Q3"],
            [2024, 1, "王庄村", "建广场", "民生实事", "2024年第二季度"],
            [None, 2, "王庄村", "装路灯", "民生实事", ""],
        ],
    )
    read = core.commitments.preview_import(with_years)
    assert read.year_column
    assert read.problems == ("工作表“承诺事项”第 4 行“年度”：年度不能为空（表中有“年度”列时，每行都要写年度）",)
    disagree = core.commitments.preview_import(with_years, 2024)
    assert disagree.problems[0] == (
        "工作表“承诺事项”第 2 行“年度”：年度 2023 与指定的导入年度 2024 年不一致，"
        "请核对（文件有“年度”列时可不指定导入年度）"
    )
    fixed = workbook(
        tmp_path / "年度列2.xlsx",
        ["年度", *HEADER],
        [
            [2023, 1, "张五砦村", "修路", "民生实事", "2023Q3"],
            [2024, 1, "王庄村", "建广场", "民生实事", "2024年第二季度"],
        ],
    )
    assert core.commitments.apply_import(core.commitments.preview_import(fixed)) == 2
    assert contents(core, 2023) == [("张五砦村", 1, "修路")]
    assert contents(core, 2024) == [("王庄村", 1, "建广场")]


def test_a_carried_status_cannot_be_imported(core: Core, units, tmp_path: Path) -> None:
    path = workbook(tmp_path / "结转.xlsx", [*HEADER, "状态"], [[1, "张五砦村", "修路", "民生实事", "", "已结转"]])
    assert core.commitments.preview_import(path, 2023).problems == (
        "工作表“承诺事项”第 2 行“状态”：“已结转”由程序在结转到下一年时标记，不能导入；请用“结转到下一年”",
    )


# ---------------------------------------------------------------------------- 8: 将替换


def test_a_row_that_changes_an_item_is_replaced_only_when_confirmed(core: Core, units, tmp_path: Path) -> None:
    first = workbook(
        tmp_path / "第一版.xlsx",
        HEADER,
        [
            [1, "张五砦村", "硬化村内道路1.2公里", "民生实事", "2023Q3"],
            [2, "张五砦村", "新建文化广场1处", "民生实事", ""],
        ],
    )
    assert core.commitments.apply_import(core.commitments.preview_import(first, 2023)) == 2
    audit_before = query(core.folder.database.path, "SELECT count(*) FROM audit_log")[0][0]
    # The village renumbered its list: 序号 2 now names another promise.
    second = workbook(
        tmp_path / "第二版.xlsx",
        HEADER,
        [
            [1, "张五砦村", "硬化村内道路1.2公里", "民生实事", "2023Q3"],
            [2, "张五砦村", "安装路灯50盏", "民生实事", "2023Q4"],
        ],
    )
    preview = core.commitments.preview_import(second, 2023)
    assert preview.ok and preview.rule.startswith("对应规则：同一村（社区）同一年度中，承诺事项内容相同的是同一项")
    assert [(r.row, r.action, r.matched_by) for r in preview.rows] == [(2, "不变", "序号和内容"), (3, "将替换", "序号")]
    assert preview.replacing[0].replaced == (
        ("内容", "新建文化广场1处", "安装路灯50盏"),
        ("完成时限", "2023年底", "2023年第四季度"),
    )

    with pytest.raises(ValidationError, match="有 1 项将替换已有的承诺事项") as refused:
        core.commitments.apply_import(preview)
    assert refused.value.details == [
        "工作表“承诺事项”第 3 行 张五砦村 2023年第2项（按序号对应）将替换：内容：新建文化广场1处 → 安装路灯50盏；"
        "完成时限：2023年底 → 2023年第四季度"
    ]
    assert contents(core, 2023)[1] == ("张五砦村", 2, "新建文化广场1处")  # nothing replaced
    assert query(core.folder.database.path, "SELECT count(*) FROM audit_log")[0][0] == audit_before

    assert core.commitments.apply_import(preview, replace=True) == 1
    assert contents(core, 2023)[1] == ("张五砦村", 2, "安装路灯50盏")
    (entry, *_) = [e for e in core.audit.entries("commitments:import")]
    assert '"replaced": 1' in entry.new and '"replace_confirmed": true' in entry.new


def test_items_carried_over_are_never_matched_by_the_number_of_a_new_file(core: Core, units, tmp_path: Path) -> None:
    old = core.commitments.add(draft(units["张五砦村"].id, "修建村史馆"))
    result = core.commitments.carry_over(2023)
    (carried,) = result.carried
    assert (carried.year, carried.number) == (2024, 1)
    # The 2024 file numbers its own promises from 1; row 1 is not the carried item.
    path = workbook(
        tmp_path / "2024.xlsx",
        HEADER,
        [
            [1, "张五砦村", "新建党群服务中心", "基层党建", ""],
            [2, "张五砦村", "修建村史馆", "民生实事", ""],  # the carried item, listed again: same content
        ],
    )
    preview = core.commitments.preview_import(path, 2024)
    assert preview.ok, preview.problems
    assert [(r.action, r.draft.number, r.matched_by) for r in preview.rows] == [("新增", 2, ""), ("不变", 1, "内容")]
    assert preview.rows[1].draft.number == 1  # the carried item keeps its number
    assert preview.rows[0].notes == ("文件中的序号 1 已是结转事项（修建村史馆）的序号，本行按第 2 项新增",)
    assert preview.count_replaced == 0
    assert core.commitments.apply_import(preview) == 1
    assert contents(core, 2024) == [("张五砦村", 1, "修建村史馆"), ("张五砦村", 2, "新建党群服务中心")]
    assert core.commitments.get(carried.id).carried_from_id == old.id
    again = core.commitments.preview_import(path, 2024)  # the same file again changes nothing
    assert [r.action for r in again.rows] == ["不变", "不变"]


# ---------------------------------------------------------------------------- 9: carry-over


def test_carry_over_does_what_its_preview_said_and_lists_what_it_leaves_out(core: Core, units) -> None:
    zhang, wang = units["张五砦村"], units["王庄村"]
    merged = make_unit(core, "刘堌堆村")
    a = core.commitments.add(draft(zhang.id, "修路", target_quarter=2))
    b = core.commitments.add(draft(merged.id, "建广场"))
    c = core.commitments.add(draft(wang.id, "装路灯"))
    core.commitments.add(draft(wang.id, "已完成", status=S.DONE, completed_on=date(2023, 5, 1)))
    core.commitments.add(draft(wang.id, "装路灯", year=2024))  # already promised again for 2024
    core.villages.merge_unit(merged.id, zhang.id, date(2023, 12, 31), "撤村并村")

    plan = core.commitments.carry_over_plan(2023)
    assert [i.id for i in plan.carry] == [a.id]
    assert [(left.item.id, left.reason) for left in plan.left_out] == [  # in register order
        (c.id, "2024 年已有内容相同的第 1 项，不重复结转"),
        (b.id, "“刘堌堆村”在 2024 年已合并，不能有该年的承诺事项，不结转"),
    ]
    with pytest.raises(ValidationError, match="预览 2 项，现在 1 项"):
        core.commitments.carry_over(2023, expected=2)
    assert core.commitments.list_commitments(2024)[0].content == "装路灯"  # nothing carried

    result = core.commitments.carry_over(2023, expected=len(plan.carry))
    assert [i.carried_from_id for i in result.carried] == [a.id]
    assert [left.item.id for left in result.left_out] == [c.id, b.id]

    original = next(i for i in core.commitments.list_commitments(2023) if i.id == a.id)
    assert original.carried_text == "已结转到 2024 年第 1 项"
    assert original.status_on(date(2023, 12, 31), date(2025, 1, 1)) is S.CARRIED
    rows = {r.unit_name: r.completion for r in core.commitments.summary(2023, today=date(2025, 1, 1))}
    # 张五砦村: its only item carried — not 逾期, still not done in 2023's rate.
    assert (rows["张五砦村"].overdue, rows["张五砦村"].carried, rows["张五砦村"].rate) == (0, 1, F(0))
    # 王庄村 and 刘堌堆村: not carried, so 逾期 (due at the year's end and never done).
    assert (rows["王庄村"].overdue, rows["王庄村"].done, rows["王庄村"].rate) == (1, 1, F(1, 2))
    assert rows["刘堌堆村"].overdue == 1


# ---------------------------------------------------------------------------- 10: one 逾期


def test_list_summary_and_exported_sheet_count_the_same_overdue_to_the_same_day(
    demo_core: Core, tmp_path: Path
) -> None:
    from lsb_desktop.io.commitment_sheets import write_commitment_workbook

    today = date.today()
    for year in (2023, 2024):
        day = counted_to(year, today)
        assert day == date(year, 12, 31)
        items = demo_core.commitments.list_commitments(year)
        in_list = sum(1 for i in items if i.status_on(day, today) is S.OVERDUE)
        summary = demo_core.commitments.summary(year, today=today)
        in_summary = sum(r.completion.overdue for r in summary)
        path = tmp_path / f"{year}.xlsx"
        write_commitment_workbook(
            path,
            year=year,
            township="清河镇",
            committee="中共清河镇委员会",
            commitments=items,
            summary=summary,
            on=day,
            today=today,
        )
        book = load_workbook(path)
        try:
            sheet = book["完成情况汇总表"]
            assert sheet["G3"].value == f"逾期\n（统计到 {year}-12-31）"
            total_row = next(r for r in range(4, sheet.max_row + 1) if sheet.cell(r, 1).value == "合计")
            in_sheet = sheet.cell(total_row, 7).value
            notices = sum(
                1
                for title in book.sheetnames
                if title != "完成情况汇总表"
                for r in book[title].iter_rows(min_row=4, min_col=7, max_col=7)
                if str(r[0].value or "").startswith("逾期")
            )
        finally:
            book.close()
        assert in_list == in_summary == in_sheet == notices, (year, in_list, in_summary, in_sheet, notices)
    # The demo's 2024: open items due at the year's end are 逾期 too (they were not before: 18).
    assert in_list == 42 and in_summary == 42
    # 2023's unfinished items were all carried into 2024: 已结转, none 逾期.
    summary_2023 = demo_core.commitments.summary(2023, today=today)
    assert sum(r.completion.overdue for r in summary_2023) == 0
    assert sum(r.completion.carried for r in summary_2023) == 37


def test_an_item_edited_after_the_preview_is_not_replaced_by_the_confirmed_import(
    core: Core, units, tmp_path: Path
) -> None:
    first = workbook(tmp_path / "第一版.xlsx", HEADER, [[1, "张五砦村", "硬化村内道路1.2公里", "民生实事", "2023Q3"]])
    assert core.commitments.apply_import(core.commitments.preview_import(first, 2023)) == 1
    second = workbook(tmp_path / "第二版.xlsx", HEADER, [[1, "张五砦村", "安装路灯50盏", "民生实事", "2023Q3"]])
    preview = core.commitments.preview_import(second, 2023)
    assert [r.action for r in preview.rows] == ["将替换"]
    # Someone corrects the item in the window before the clerk confirms the old preview.
    item = core.commitments.list_commitments(2023)[0]
    core.commitments.update(item.id, content="硬化村内道路1.5公里")
    with pytest.raises(ValidationError, match="预览后有变化"):
        core.commitments.apply_import(preview, replace=True)
    assert contents(core, 2023)[0] == ("张五砦村", 1, "硬化村内道路1.5公里")
