"""The 五星创建进度表 written to a real .xlsx and read back with openpyxl; the plan reader on real
.xlsx files written here, including bad rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from lsb_desktop.domain.register import UnitKind
from lsb_desktop.domain.stars import (
    ALL_STARS,
    LossKind,
    StarCell,
    StarLoss,
    StarStep,
    StepRecord,
    Targets,
    UnitStars,
    YearSummary,
    cell_state,
    star_set,
)
from lsb_desktop.errors import ValidationError
from lsb_desktop.io.star_sheets import (
    SHEET_TITLE,
    SUMMARY_SHEET_TITLE,
    read_star_plan,
    write_star_workbook,
)

LAW, BRANCH, INDUSTRY, ECOLOGY, CULTURE = "平安法治星", "支部过硬星", "产业兴旺星", "生态宜居星", "文明幸福星"
JOBS, HARMONY, SHARING = "宜业兴业星", "幸福和谐星", "共建共享星"
GREY = "D9D9D9"


def cell(
    unit_id: int,
    star: str,
    *,
    held: bool = False,
    planned: bool = False,
    reached: int = 0,
    failed: bool = False,
    loss: StarLoss | None = None,
    in_set: bool = True,
) -> StarCell:
    """A cell as the service makes it: `reached` steps recorded, the last one failed if asked."""
    steps = tuple(
        StepRecord(step, not (failed and i == reached - 1), date(2024, 3 + 2 * i, 10))
        for i, step in enumerate(list(StarStep)[:reached])
    )
    state = cell_state(planned=planned, steps=steps, held=held, lost_this_year=loss is not None)
    return StarCell(unit_id, 2024, star, planned, steps, state, held, in_set, loss)


def unit(
    unit_id: int,
    name: str,
    district: str,
    cells: dict[str, dict],
    kind: UnitKind = UnitKind.VILLAGE,
    extra: tuple[StarCell, ...] = (),
) -> UnitStars:
    made = tuple(cell(unit_id, star, **cells.get(star, {})) for star in star_set(kind))
    return UnitStars(unit_id, name, district, kind, made + extra)


LOSS = StarLoss(7, 2, LAW, LossKind.DOWNGRADE, date(2024, 5, 10), "发生安全事故")


def year(**changes) -> YearSummary:
    """Four units: a 5★ village, a village with a loss and steps under way, a community that
    used to be a village (its rural star kept in history), and a village with nothing."""
    units = (
        unit(1, "张五砦村", "东部管区", {s: {"held": True} for s in star_set(UnitKind.VILLAGE)}),
        unit(
            2,
            "马垌村",
            "东部管区",
            {
                LAW: {"loss": LOSS},
                INDUSTRY: {"held": True},
                ECOLOGY: {"held": True},
                CULTURE: {"planned": True, "reached": 2},
                BRANCH: {"planned": True, "reached": 3, "failed": True},
            },
        ),
        unit(
            3,
            "小李庄社区",
            "西部管区",
            {
                BRANCH: {"held": True},
                LAW: {"held": True},
                HARMONY: {"planned": True, "held": True, "reached": 5},
                SHARING: {"planned": True},
            },
            kind=UnitKind.COMMUNITY,
            extra=(cell(3, INDUSTRY, held=True, in_set=False),),
        ),
        unit(4, "常庄村", "北部管区", {LAW: {"planned": True, "reached": 2, "failed": True}}),
    )
    values = {"year": 2024, "units": units, "targets": Targets(2024, {3: 100, 4: 70, 5: 50})}
    values.update(changes)
    return YearSummary(**values)


def previous() -> YearSummary:
    units = (
        unit(1, "张五砦村", "东部管区", {s: {"held": True} for s in (LAW, INDUSTRY, ECOLOGY, CULTURE)}),
        unit(2, "马垌村", "东部管区", {s: {"held": True} for s in (LAW, INDUSTRY, ECOLOGY)}),
        unit(3, "小李庄村", "西部管区", {s: {"held": True} for s in (LAW, INDUSTRY, BRANCH)}),
    )
    return YearSummary(2023, units, Targets(2023))


@pytest.fixture
def written(tmp_path: Path):
    path = tmp_path / "五星.xlsx"
    write_star_workbook(path, summary=year(), township="清河镇", previous=previous())
    book = load_workbook(path)
    yield book
    book.close()


def header(sheet) -> dict[int, tuple[str, str]]:
    """column → (row 3 label, row 4 label), merged headers filled in."""
    top = {}
    for merged in sheet.merged_cells.ranges:
        if merged.min_row == 3:
            for column in range(merged.min_col, merged.max_col + 1):
                top[column] = sheet.cell(3, merged.min_col).value
    return {c: (top.get(c, sheet.cell(3, c).value), sheet.cell(4, c).value) for c in range(1, sheet.max_column + 1)}


def column_of(sheet, star: str, sub: str) -> int:
    return next(c for c, (top, bottom) in header(sheet).items() if top == star and bottom == sub)


def row_of(sheet, name: str) -> int:
    return next(r for r in range(5, sheet.max_row + 1) if sheet.cell(r, 3).value == name)


# ---------------------------------------------------------------------------- the progress sheet


def test_the_matrix_has_a_title_and_a_two_level_header(written) -> None:
    sheet = written[SHEET_TITLE]
    assert written.sheetnames == [SHEET_TITLE, SUMMARY_SHEET_TITLE]
    assert sheet["A1"].value == "清河镇2024年五星支部创建进度表"
    assert "2024年12月31日" in sheet["A2"].value and "共 4 个村（社区）" in sheet["A2"].value
    labels = header(sheet)
    assert [labels[c][0] for c in range(1, 5)] == ["序号", "管区", "村（社区）", "类型"]
    # Both sets appear (a community is in the year), each star once, in the fixed order.
    groups = [labels[c][0] for c in range(5, 5 + 2 * len(ALL_STARS), 2)]
    assert groups == list(ALL_STARS)
    for index, star in enumerate(ALL_STARS):
        assert labels[5 + 2 * index] == (star, "计划") and labels[6 + 2 * index] == (star, "结果")
    last = 5 + 2 * len(ALL_STARS)
    assert labels[last][0] == "星级" and labels[last + 1][0] == "较上年"
    assert sheet.max_column == last + 1


def test_each_unit_row_shows_plans_results_and_level(written) -> None:
    sheet = written[SHEET_TITLE]
    ma = row_of(sheet, "马垌村")
    assert [sheet.cell(ma, c).value for c in (1, 2, 4)] == [2, "东部管区", "村"]
    assert sheet.cell(ma, column_of(sheet, LAW, "结果")).value == "降星\n2024-05-10"
    assert sheet.cell(ma, column_of(sheet, LAW, "计划")).value is None
    assert sheet.cell(ma, column_of(sheet, CULTURE, "计划")).value == "✓"
    assert sheet.cell(ma, column_of(sheet, CULTURE, "结果")).value == "创建中\n（镇初审）"
    assert sheet.cell(ma, column_of(sheet, BRANCH, "结果")).value == "未通过\n（县评定）"
    assert sheet.cell(ma, column_of(sheet, INDUSTRY, "结果")).value == "已命名"
    level = 5 + 2 * len(ALL_STARS)
    assert sheet.cell(ma, level).value == 2
    assert sheet.cell(ma, level + 1).value == "-1"  # 3 stars in 2023
    zhang = row_of(sheet, "张五砦村")
    assert sheet.cell(zhang, level).value == 5 and sheet.cell(zhang, level + 1).value == "+1"
    chang = row_of(sheet, "常庄村")
    assert sheet.cell(chang, level).value == 0 and sheet.cell(chang, level + 1).value == "新增"
    assert sheet.cell(chang, column_of(sheet, LAW, "结果")).value == "未通过\n（镇初审）"
    # Each state has its own shade; nothing planned or held stays white.
    fills = {
        sheet.cell(ma, column_of(sheet, star, "结果")).fill.start_color.rgb[-6:]
        for star in (LAW, CULTURE, BRANCH, INDUSTRY)
    }
    assert len(fills) == 4


def test_a_star_outside_the_units_set_is_a_grey_dash(written) -> None:
    sheet = written[SHEET_TITLE]
    xiao = row_of(sheet, "小李庄社区")
    plan = column_of(sheet, INDUSTRY, "计划")
    assert sheet.cell(xiao, plan).value == "—"
    assert sheet.cell(xiao, plan).fill.start_color.rgb[-6:] == GREY
    assert any(m.min_row == xiao and m.min_col == plan and m.max_col == plan + 1 for m in sheet.merged_cells.ranges)
    # The community's own stars are shown; its old rural star does not count (level 3).
    assert sheet.cell(xiao, column_of(sheet, HARMONY, "结果")).value == "已命名"
    assert sheet.cell(xiao, column_of(sheet, SHARING, "计划")).value == "✓"
    assert sheet.cell(xiao, 5 + 2 * len(ALL_STARS)).value == 3
    zhang = row_of(sheet, "张五砦村")
    assert sheet.cell(zhang, column_of(sheet, JOBS, "计划")).value == "—"


def test_the_summary_line_and_print_settings(written) -> None:
    sheet = written[SHEET_TITLE]
    texts = [str(sheet.cell(r, 1).value or "") for r in range(5, sheet.max_row + 1)]
    line = next(t for t in texts if t.startswith("小结"))
    # Levels 5, 2, 3, 0 → 五星 1, 三星 1, 二星 1, 无星 1; ≥3: 2 of 4 = 50%.
    assert "五星 1 个" in line and "无星 1 个" in line and "三星及以上 50%（目标 100%，还差 2 个）" in line
    assert any(t.startswith("填表人") for t in texts)
    for name in (SHEET_TITLE, SUMMARY_SHEET_TITLE):
        page = written[name]
        assert page.page_setup.orientation == "landscape"
        assert page.page_setup.paperSize == 9
        assert page.page_setup.fitToWidth == 1 and page.page_setup.fitToHeight == 0
        assert page.sheet_properties.pageSetUpPr.fitToPage is True
        assert page.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert sheet.print_title_rows == "$1:$4"
    assert sheet.freeze_panes == "E5"


def test_a3_and_a_bad_paper(tmp_path: Path) -> None:
    path = tmp_path / "a3.xlsx"
    write_star_workbook(path, summary=year(), township="清河镇", paper="A3")
    book = load_workbook(path)
    assert book[SHEET_TITLE].page_setup.paperSize == 8
    sheet = book[SHEET_TITLE]
    assert header(sheet)[sheet.max_column][0] == "星级"  # no 较上年 without a previous year
    book.close()
    with pytest.raises(ValidationError, match="A4 或 A3"):
        write_star_workbook(tmp_path / "b.xlsx", summary=year(), township="清河镇", paper="B5")


def test_only_the_rural_set_without_communities(tmp_path: Path) -> None:
    summary = year(units=year().units[:2])
    path = tmp_path / "rural.xlsx"
    write_star_workbook(path, summary=summary, township="清河镇")
    sheet = load_workbook(path)[SHEET_TITLE]
    groups = [header(sheet)[c][0] for c in range(5, 15, 2)]
    assert groups == [BRANCH, INDUSTRY, ECOLOGY, LAW, CULTURE]
    assert header(sheet)[15][0] == "星级"


def table(sheet, caption: str) -> list[list[object]]:
    """The rows of the block under `caption` (merged cells read once, from their left cell)."""
    start = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == caption)
    hidden: dict[int, set[int]] = {}  # row → columns covered by a block starting further left
    for merged in sheet.merged_cells.ranges:
        for r in range(merged.min_row, merged.max_row + 1):
            hidden.setdefault(r, set()).update(range(merged.min_col + 1, merged.max_col + 1))
    rows = []
    for r in range(start + 1, sheet.max_row + 1):
        values = [sheet.cell(r, c).value for c in range(1, sheet.max_column + 1) if c not in hidden.get(r, set())]
        if all(v is None for v in values):
            break
        rows.append(values)
    return rows


def test_levels_targets_and_gaps(written) -> None:
    sheet = written[SUMMARY_SHEET_TITLE]
    assert sheet["A1"].value == "清河镇2024年五星支部创建目标完成情况"
    levels = table(sheet, "星级分布")
    assert levels[0] == ["星级", "五星", "四星", "三星", "二星", "一星", "无星", "合计"]
    assert levels[1] == ["2024年（个）", 1, 0, 1, 1, 0, 1, 4]
    assert levels[2] == ["占比", "25%", "0%", "25%", "25%", "0%", "25%", "100%"]
    assert levels[3] == ["2023年（个）", 0, 1, 2, 0, 0, 0, 3]
    targets = table(sheet, "目标完成情况")
    assert targets[0] == ["项目", "目标", "目标个数", "实际个数", "实际占比", "还差几个", "完成情况"]
    # 4 units: ≥3 2 (need 4 → 2 more); ≥4 1 (70% → 2.8 → 3, 2 more); 5 1 (50% → 2, 1 more).
    assert targets[1] == ["三星及以上", "100%", 4, 2, "50%", 2, "未达标"]
    assert targets[2] == ["四星及以上", "70%", 3, 1, "25%", 2, "未达标"]
    assert targets[3] == ["五星", "50%", 2, 1, "25%", 1, "未达标"]
    rows = table(sheet, "距目标最近的村（社区）")
    assert rows[1] == [
        "目标",
        "村（社区）",
        "管区",
        "现有星级",
        "还差几星",
        "缺少的星",
        "本年计划创建",
        "本年未通过",
        "计划全部创成后",
    ]
    gap_rows = [r for r in rows[2:] if r[1]]
    # ≥3 needs 2 more: 马垌村 (2★, 1 short) then 常庄村 (0★).
    assert [(r[1], r[4]) for r in gap_rows[:2]] == [("马垌村", 1), ("常庄村", 3)]
    # 马垌村 planned 支部过硬星 and 文明幸福星, but 支部过硬星 failed at 县评定: only 文明幸福星 can still
    # be won this year, and it is enough for 三星.
    assert gap_rows[0][5:] == ["支部过硬星、平安法治星、文明幸福星", "文明幸福星", "支部过硬星", "可达到"]
    # 常庄村's only planned star failed: nothing planned is left, and it is three short.
    assert gap_rows[1][6:] == ["—", "平安法治星", "仍差 3 颗"]
    # ≥4 needs 2 more: 小李庄社区 (3★) then 马垌村 (2★); 五星 needs 1: 小李庄社区.
    assert [r[1] for r in gap_rows[2:]] == ["小李庄社区", "马垌村", "小李庄社区"]
    assert gap_rows[2][0] == "四星及以上" and gap_rows[4][0] == "五星"
    assert gap_rows[2][6:] == ["共建共享星", "—", "可达到"]
    assert gap_rows[3][6:] == ["文明幸福星", "支部过硬星", "仍差 1 颗"]
    assert gap_rows[4][5:] == ["宜业兴业星、共建共享星", "共建共享星", "—", "仍差 1 颗"]


def test_a_met_target_says_so(tmp_path: Path) -> None:
    path = tmp_path / "met.xlsx"
    write_star_workbook(path, summary=year(targets=Targets(2024, {3: 50})), township="清河镇")
    sheet = load_workbook(path)[SUMMARY_SHEET_TITLE]
    targets = table(sheet, "目标完成情况")
    assert targets[1][-1] == "已达标" and targets[2][1] == "未设目标"
    gap_rows = table(sheet, "距目标最近的村（社区）")[2:]
    assert gap_rows[0][:2] == ["三星及以上", "已达到目标"]


# ---------------------------------------------------------------------------- reading a plan


def plan_file(path: Path, rows: list[list[object]], header_row: list[object], *, title: bool = True) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "计划"
    if title:
        sheet.append(["清河镇2024年五星支部创建计划表"])
    sheet.append(header_row)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_plan_with_a_column_per_star(tmp_path: Path) -> None:
    path = plan_file(
        tmp_path / "p.xlsx",
        [
            [1, "东部管区", "张五砦村", "✓", None, "√", None],
            [2, "东部管区", "马垌村 ", None, "是", None, 1],
            [3, "东部管区", "王庄村", None, "否", "—", None],
            [None, None, "合计", 1, 1, 1, 1],
        ],
        ["序号", "管区", "村(社区)", "支部过硬星", "产业兴旺", "平安法治星", "文明幸福星"],
    )
    rows, problems = read_star_plan(path)
    assert problems == ()
    assert [(r.row, r.unit_name, r.stars) for r in rows] == [
        (3, "张五砦村", (BRANCH, LAW)),
        (4, "马垌村", (INDUSTRY, CULTURE)),
        (5, "王庄村", ()),
    ]
    assert dict(rows[1].star_labels) == {INDUSTRY: "产业兴旺", CULTURE: "文明幸福星"}
    assert rows[0].unit_label == "村（社区）"


def test_a_plan_with_one_list_column(tmp_path: Path) -> None:
    path = plan_file(
        tmp_path / "p.xlsx",
        [
            ["滨河社区", "支部过硬星、幸福和谐星"],
            ["新城社区", "共建共享，宜业兴业星;平安法治"],
            ["东关社区", ""],
        ],
        ["单位", "计划创建"],
        title=False,
    )
    rows, problems = read_star_plan(path)
    assert problems == ()
    assert [(r.row, r.unit_name, r.stars) for r in rows] == [
        (2, "滨河社区", (BRANCH, HARMONY)),
        (3, "新城社区", (LAW, JOBS, SHARING)),
        (4, "东关社区", ()),
    ]


def test_a_second_plan_sheet_is_reported_not_skipped(tmp_path: Path) -> None:
    path = plan_file(tmp_path / "p.xlsx", [["张五砦村", "支部过硬星"]], ["村（社区）", "计划创建"], title=False)
    book = load_workbook(path)
    other = book.create_sheet("西部管区")
    other.append(["村（社区）", "计划创建"])
    other.append(["西杨庄村", "产业兴旺星"])
    book.save(path)
    rows, problems = read_star_plan(path)
    assert [r.unit_name for r in rows] == ["张五砦村"]
    assert len(problems) == 1 and "西部管区" in problems[0] and "一次只导入一个工作表" in problems[0]


def test_bad_rows_are_reported_by_sheet_row_and_column(tmp_path: Path) -> None:
    path = plan_file(
        tmp_path / "p.xlsx",
        [
            ["张五砦村", "✓", "x"],
            [None, "✓", None],
            ["张五砦村", None, None],
            ["12345", None, None],
        ],
        ["村（社区）", "支部过硬星", "平安法治星"],
    )
    rows, problems = read_star_plan(path)
    assert rows == ()
    assert problems == (
        "工作表“计划”第 3 行“平安法治星”：无法识别“x”，计划创建请打“✓”或“√”，不创建请留空",
        "工作表“计划”第 4 行“村（社区）”：缺少村（社区）名称",
        "工作表“计划”第 5 行“村（社区）”：“张五砦村”与第 3 行重复",
        "工作表“计划”第 6 行“村（社区）”：村（社区）名称“12345”只有数字，不像名称",
    )


def test_an_unknown_star_in_the_list_column(tmp_path: Path) -> None:
    path = plan_file(tmp_path / "p.xlsx", [["张五砦村", "支部过硬星、富裕星"]], ["村（社区）", "创建计划"])
    rows, problems = read_star_plan(path)
    assert rows == ()
    (problem,) = problems
    assert problem.startswith("工作表“计划”第 3 行“创建计划”：没有“富裕星”这颗星")


def test_header_problems(tmp_path: Path) -> None:
    both = plan_file(
        tmp_path / "both.xlsx", [["张五砦村", "✓", "平安法治星"]], ["村（社区）", "支部过硬星", "计划创建"]
    )
    rows, problems = read_star_plan(both)
    assert rows == () and "既有每颗星一列，又有“计划创建”列" in problems[0]
    twice = plan_file(tmp_path / "twice.xlsx", [["张五砦村", "✓", "✓"]], ["村（社区）", "支部过硬星", "支部过硬"])
    rows, problems = read_star_plan(twice)
    assert rows == () and "B、C列都表示“支部过硬星”" in problems[0]
    none = plan_file(tmp_path / "none.xlsx", [["张五砦村", "好"]], ["村（社区）", "备注"])
    rows, problems = read_star_plan(none)
    assert rows == () and "找不到表头" in problems[0]
    empty = plan_file(tmp_path / "empty.xlsx", [], ["村（社区）", "支部过硬星"])
    rows, problems = read_star_plan(empty)
    assert rows == () and "表头下面没有村（社区）数据" in problems[0]


def test_a_file_that_is_not_xlsx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(ValidationError, match="不是有效的 Excel 文件"):
        read_star_plan(path)


def test_the_exported_progress_sheet_reads_back_as_a_plan(tmp_path: Path) -> None:
    path = tmp_path / "进度表.xlsx"
    summary = year()
    write_star_workbook(path, summary=summary, township="清河镇", previous=previous())
    rows, problems = read_star_plan(path)
    assert problems == ()
    assert {r.unit_name: r.stars for r in rows} == {u.unit_name: u.planned for u in summary.units}
    assert [r.row for r in rows] == [5, 6, 7, 8]
