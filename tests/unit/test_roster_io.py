"""Roster import and export on real .xlsx files built in a temporary folder."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from lsb_desktop.domain.register import REGISTER_START, OrgType, UnitKind
from lsb_desktop.errors import ValidationError
from lsb_desktop.io.roster import (
    MAX_DATA_ROWS,
    RosterExportRow,
    RosterProblem,
    read_roster,
    write_roster,
)


def make_xlsx(
    folder: Path,
    rows: list[list[object]],
    merges: tuple[str, ...] = (),
    name: str = "名册.xlsx",
    title: str = "Sheet1",
) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for merged in merges:
        sheet.merge_cells(merged)
    path = folder / name
    workbook.save(path)
    return path


def locations(problems: tuple[RosterProblem, ...]) -> list[tuple[int | None, str, str]]:
    return [(p.row, p.column, p.field) for p in problems]


# ---------------------------------------------------------------------------- header


def test_header_below_title_and_date_line_with_shuffled_columns(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path,
        [
            ["XX镇村（社区）党组织书记名册"],
            ["填报日期：2023年10月8日"],
            ["备注", "管区", "村(社区)名称", "序号", "党组织类型", "联系电话", "书记", "任职时间", "类型"],
            ["", "一管区", "张五砦村", 2, "党总支", "13800000000", "李禛", "2023-09-26", ""],
            [None, None, None, None, None, None, None, None, None],
            ["  ", "二管区", "幸福社区", "１", "", "", "王 芳", None, "社区"],
        ],
        merges=("A1:I1",),
    )

    result = read_roster(path)

    assert result.problems == ()
    assert result.ok
    assert result.ignored_columns == ("联系电话",)
    assert result.skipped == ()  # the blank row 5 goes silently
    first, second = result.rows
    assert (first.sheet, first.row, first.name, first.kind, first.org_type) == (
        "Sheet1",
        4,
        "张五砦村",
        UnitKind.VILLAGE,
        OrgType.GENERAL_BRANCH,
    )
    assert (first.district, first.secretary, first.secretary_since, first.display_order) == (
        "一管区",
        "李禛",
        date(2023, 9, 26),
        2,
    )
    assert (second.row, second.name, second.kind, second.org_type) == (
        6,
        "幸福社区",
        UnitKind.COMMUNITY,
        OrgType.BRANCH,
    )
    assert (second.secretary, second.secretary_since, second.display_order, second.note) == ("王芳", None, 1, "")


def test_first_sheet_with_a_header_is_used(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["本表由镇党建办填写"])
    data = workbook.create_sheet("名册")
    data.append(["名称", "类型"])
    data.append(["王庄", "村"])
    path = tmp_path / "两个表.xlsx"
    workbook.save(path)

    result = read_roster(path)

    assert result.ok
    assert [(r.sheet, r.row, r.name, r.kind) for r in result.rows] == [("名册", 2, "王庄", UnitKind.VILLAGE)]


def test_no_header_anywhere_is_a_sheet_level_problem(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path, [["张庄村", "村"], ["王庄村", "村"]], title="数据")

    result = read_roster(path)

    assert not result.ok
    assert result.rows == ()
    (problem,) = result.problems
    assert (problem.sheet, problem.row, problem.column) == ("数据", None, "")
    assert problem.message == "找不到表头：第一行应包含“村（社区）名称”或“名称”等列名"
    assert problem.where() == "工作表“数据”"


def test_two_columns_for_the_same_field_are_refused(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path, [["名称", "管区", "所属管区"], ["张庄村", "一管区", "二管区"]])

    result = read_roster(path)

    assert not result.ok
    assert result.rows == ()
    assert locations(result.problems) == [(1, "C", "管区")]
    assert "B列“管区”" in result.problems[0].message


def test_header_without_data_is_a_problem(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path, [["序号", "村（社区）名称"]])

    result = read_roster(path)

    assert not result.ok
    assert [(p.row, p.message) for p in result.problems] == [(None, "第1行表头下面没有村（社区）数据")]


# ---------------------------------------------------------------------------- bad input


def test_bad_input_roster_reports_every_problem_where_it_is(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path,
        [
            ["XX镇村（社区）名册"],  # 1 merged title
            ["序号", "村（社区）名称", "类型", "管区", "党组织书记", "备注"],  # 2 header
            [1, "１号村", None, "一管区", "张三", None],  # 3 full-width digit
            ["03", "幸福\u3000社区", "社区", "一管区", "李四", None],  # 4 full-width space
            [5, None, "村", "一管区", "赵六", None],  # 5 missing name
            [6, "张庄", "镇", "二管区", "钱七", None],  # 6 unknown 类型
            [7, "1号村", "村", "二管区", "孙八", None],  # 7 duplicate of row 3
            [8, "王庄村", None, "二管区", 12345, None],  # 8 number as secretary
            ["合计", None, None, None, None, "共5个"],  # 9 total row
        ],
        merges=("A1:F1",),
    )

    result = read_roster(path)

    assert not result.ok
    assert locations(result.problems) == [
        (5, "B", "村（社区）名称"),
        (6, "C", "类型"),
        (7, "B", "村（社区）名称"),
        (8, "E", "党组织书记"),
    ]
    messages = [p.message for p in result.problems]
    assert messages[0] == "村（社区）名称不能为空"
    assert messages[1] == "类型“镇”无法识别，只能是“村”或“社区”"
    assert messages[2] == "村（社区）名称“1号村”与第3行重名"
    assert "12345" in messages[3] and "数字" in messages[3]
    assert result.problems[1].where() == "工作表“Sheet1” 第6行 C列（类型）"
    assert result.skipped == ("第9行：合计行，已跳过",)
    assert [(r.row, r.name, r.display_order) for r in result.rows] == [(3, "1号村", 1), (4, "幸福社区", 3)]


def test_a_row_with_several_problems_reports_all_of_them(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path,
        [
            ["名称", "类型", "党组织类型", "书记", "任职时间"],
            [123, "镇", "党小组", "张3", "去年"],
            ["李庄村", None, None, None, "2023-09-26"],
        ],
    )

    result = read_roster(path)

    assert locations(result.problems) == [
        (2, "A", "村（社区）名称"),
        (2, "B", "类型"),
        (2, "C", "党组织类型"),
        (2, "D", "党组织书记"),
        (2, "E", "任职时间"),
        (3, "E", "任职时间"),
    ]
    assert result.problems[0].message == "村（社区）名称“123”只有数字，不像名称"
    assert result.problems[5].message == "填写了任职时间，但没有填写党组织书记"
    assert result.rows == ()


def test_total_words_in_name_column_are_skipped_not_reported(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path,
        [
            ["序号", "名称"],
            [1, "张庄村"],
            [None, "总 计"],
            [None, "共计"],
        ],
    )

    result = read_roster(path)

    assert result.ok
    assert result.skipped == ("第3行：总计行，已跳过", "第4行：共计行，已跳过")


def test_excel_error_value_is_reported(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path, [["名称", "管区"], ["张庄村", "#REF!"]])

    result = read_roster(path)

    assert locations(result.problems) == [(2, "B", "管区")]
    assert "#REF!" in result.problems[0].message


def test_more_rows_than_a_roster_can_have_is_refused(tmp_path: Path) -> None:
    rows: list[list[object]] = [["名称"]]
    rows += [[f"村{i}村"] for i in range(MAX_DATA_ROWS + 1)]
    path = make_xlsx(tmp_path, rows)

    result = read_roster(path)

    assert result.rows == ()
    assert [(p.row, p.column) for p in result.problems] == [(None, "")]
    assert str(MAX_DATA_ROWS) in result.problems[0].message


# ---------------------------------------------------------------------------- merged cells


def test_merged_district_cell_fills_every_row_it_spans(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path,
        [
            ["序号", "管区", "名称"],
            [1, "一管区", "张庄村"],
            [2, None, "李庄村"],
            [3, None, "王庄村"],
            [4, "二管区", "赵庄村"],
            [5, None, "钱庄村"],
        ],
        merges=("B2:B4", "B5:B6"),
    )

    result = read_roster(path)

    assert result.ok
    assert [(r.name, r.district) for r in result.rows] == [
        ("张庄村", "一管区"),
        ("李庄村", "一管区"),
        ("王庄村", "一管区"),
        ("赵庄村", "二管区"),
        ("钱庄村", "二管区"),
    ]


# ---------------------------------------------------------------------------- dates and kinds


def test_dates_in_every_usual_spelling_parse_to_the_same_day(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path,
        [
            ["名称", "书记", "任职时间"],
            ["一村", "甲", "2023.9.26"],
            ["二村", "乙", "2023年9月26日"],
            ["三村", "丙", datetime(2023, 9, 26)],
            ["四村", "丁", 45195],
            ["五村", "戊", "２０２３－０９－２６"],
        ],
    )

    result = read_roster(path)

    assert result.problems == ()
    assert [r.secretary_since for r in result.rows] == [date(2023, 9, 26)] * 5


def test_kind_is_inferred_from_the_name_when_the_column_is_absent(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path, [["名称"], ["张五砦村"], ["幸福社区"], ["城关(社区)"]])

    result = read_roster(path)

    assert result.ok
    assert [(r.name, r.kind) for r in result.rows] == [
        ("张五砦村", UnitKind.VILLAGE),
        ("幸福社区", UnitKind.COMMUNITY),
        ("城关（社区）", UnitKind.COMMUNITY),
    ]


def test_kind_that_cannot_be_inferred_is_refused(tmp_path: Path) -> None:
    absent = make_xlsx(tmp_path, [["名称"], ["张五砦村"], ["东关居委会"]], name="a.xlsx")
    empty = make_xlsx(tmp_path, [["名称", "类型"], ["东关居委会", None]], name="b.xlsx")

    without_column = read_roster(absent)
    with_empty_cell = read_roster(empty)

    assert not without_column.ok
    assert locations(without_column.problems) == [(3, "", "类型")]
    assert "增加“类型”列" in without_column.problems[0].message
    assert without_column.problems[0].where() == "工作表“Sheet1” 第3行（类型）"
    assert locations(with_empty_cell.problems) == [(2, "B", "类型")]
    assert with_empty_cell.rows == ()


# ---------------------------------------------------------------------------- unreadable files


def test_a_text_file_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "名册.xlsx"
    path.write_text("序号,名称\n1,张庄村\n", encoding="utf-8")

    with pytest.raises(ValidationError, match="不是有效的 Excel 文件（.xlsx）"):
        read_roster(path)


def test_a_damaged_zip_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "坏.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)

    with pytest.raises(ValidationError, match="“坏.xlsx”：不是有效的 Excel 文件"):
        read_roster(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="文件不存在"):
        read_roster(tmp_path / "没有.xlsx")


def test_old_xls_and_password_protected_files_say_what_to_do(tmp_path: Path) -> None:
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    old = tmp_path / "旧.xls"
    old.write_bytes(ole2 + "Workbook".encode("utf-16-le"))
    locked = tmp_path / "加密.xlsx"
    locked.write_bytes(ole2 + "EncryptionInfo".encode("utf-16-le"))

    with pytest.raises(ValidationError, match=r"旧版.*另存为"):
        read_roster(old)
    with pytest.raises(ValidationError, match="打开密码"):
        read_roster(locked)


# ---------------------------------------------------------------------------- writing


EXPORT_ROWS = (
    RosterExportRow("张五砦村", "村", "党支部", "一管区", "李禛", date(2021, 3, 5), "在册", "=SUM(A1)"),
    RosterExportRow("幸福社区", "社区", "党委", "", "王芳", date(2023, 9, 26), "在册", "", date(2023, 9, 1)),
    RosterExportRow("东关村", "村", "党总支", "二管区", "", None, "已归档", "+86 合并前", REGISTER_START),
)


def test_written_roster_reads_back_the_same(tmp_path: Path) -> None:
    path = tmp_path / "导出.xlsx"

    write_roster(path, EXPORT_ROWS, "XX镇村（社区）名册")
    result = read_roster(path)

    assert result.ok, [p.message for p in result.problems]
    assert result.ignored_columns == ("状态",)
    assert [
        (r.name, r.kind.label, r.org_type.label, r.district, r.secretary, r.secretary_since, r.note)
        for r in result.rows
    ] == [(e.name, e.kind, e.org_type, e.district, e.secretary, e.secretary_since, e.note) for e in EXPORT_ROWS]
    assert [r.display_order for r in result.rows] == [1, 2, 3]
    assert [r.row for r in result.rows] == [3, 4, 5]
    # "Since always" is a blank cell and reads back as no start date.
    assert [r.start for r in result.rows] == [None, date(2023, 9, 1), None]
    assert not list(tmp_path.glob("*.tmp*"))  # no temporary file left behind


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path: Path) -> None:
    path = tmp_path / "导出.xlsx"

    write_roster(path, EXPORT_ROWS, "XX镇村（社区）名册")
    sheet = load_workbook(path).active  # not data_only: a formula would show as 'f'

    assert (sheet["J3"].value, sheet["J3"].data_type) == ("=SUM(A1)", "s")
    assert (sheet["J5"].value, sheet["J5"].data_type) == ("+86 合并前", "s")


def test_written_sheet_is_laid_out_for_printing(tmp_path: Path) -> None:
    path = tmp_path / "导出.xlsx"

    write_roster(path, EXPORT_ROWS, "XX镇村（社区）名册")
    sheet = load_workbook(path).active

    assert sheet.title == "村（社区）名册"
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:J1"]
    assert sheet["A1"].value == "XX镇村（社区）名册"
    assert (sheet["A1"].font.b, sheet["A1"].font.sz, sheet["A1"].alignment.horizontal) == (True, 16, "center")
    assert [c.value for c in sheet[2]] == [
        "序号",
        "村（社区）名称",
        "类型",
        "管区",
        "党组织类型",
        "党组织书记",
        "任职时间",
        "状态",
        "在册起始日期",
        "备注",
    ]
    assert (sheet["I4"].value, sheet["I5"].value) == (datetime(2023, 9, 1), None)
    assert sheet["B2"].font.b and sheet["B2"].fill.fgColor.rgb.endswith("D9D9D9")
    assert (sheet["B3"].font.name, sheet["B3"].font.sz) == ("宋体", 11)
    assert sheet["B3"].border.left.style == "thin"
    assert sheet["A3"].value == 1 and sheet["A5"].value == 3
    assert sheet["G3"].value == datetime(2021, 3, 5)
    assert sheet["G3"].number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions["B"].width >= 20
    assert sheet.freeze_panes == "A3"
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.page_setup.orientation == "portrait"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.print_options.horizontalCentered is True
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"


def test_writing_replaces_an_existing_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "导出.xlsx"
    path.write_bytes(b"old")

    write_roster(path, EXPORT_ROWS[:1], "名册")

    assert [r.name for r in read_roster(path).rows] == ["张五砦村"]


def test_writing_into_a_missing_folder_is_a_validation_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="不存在"):
        write_roster(tmp_path / "没有" / "导出.xlsx", EXPORT_ROWS, "名册")


# ---------------------------------------------------------------------------- 在册起始日期


def test_a_start_column_dates_a_registration_and_blank_or_jiandangqi_means_since_always(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path,
        [
            ["村（社区）名称", "在册起始日期"],
            ["张五砦村", None],
            ["幸福社区", "2023年9月1日"],
            ["黄岗村", "（建档起）"],
            ["东关村", "明年"],
            ["西关村", date(2999, 1, 1)],
        ],
    )

    result = read_roster(path)

    assert [(r.name, r.start) for r in result.rows] == [
        ("张五砦村", None),
        ("幸福社区", date(2023, 9, 1)),
        ("黄岗村", None),
    ]
    assert locations(result.problems) == [(5, "B", "在册起始日期"), (6, "B", "在册起始日期")]
    assert "晚于今天" in result.problems[1].message
