"""The commitments file reader on real .xlsx files written here with openpyxl: the header found
below title rows, columns in any order and under other names, blank rows, dates and target
quarters in the spellings clerks use, and problems located by sheet, row and column."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from lsb_desktop.errors import ValidationError
from lsb_desktop.io.commitments_import import Due, parse_due, problem_text, read_commitments


def make_xlsx(
    folder: Path,
    rows: list[list[object]],
    *,
    merges: tuple[str, ...] = (),
    title: str = "承诺事项",
    name: str = "承诺.xlsx",
    extra: dict[str, list[list[object]]] | None = None,
    date_cells: dict[str, str] | None = None,
) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for merged in merges:
        sheet.merge_cells(merged)
    for ref, number_format in (date_cells or {}).items():
        sheet[ref].number_format = number_format
    for sheet_title, sheet_rows in (extra or {}).items():
        other = workbook.create_sheet(sheet_title)
        for row in sheet_rows:
            other.append(row)
    path = folder / name
    workbook.save(path)
    return path


# ---------------------------------------------------------------------------- header and columns


def test_header_below_title_rows_with_columns_in_any_order(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path,
        [
            ["清河镇2024年度村（社区）党组织书记承诺事项汇总表"],
            ["填报单位：清河镇党建办", None, None, "填报日期：2024年1月15日"],
            [],
            ["责任人", "承诺内容", "年度", "村(社区)", "分类", "编号", "量化目标", "截止时间", "联系电话"],
            [
                "李禛",
                "硬化村内道路1.2公里",
                2024,
                "张五砦村",
                "人居环境·基础设施",
                1,
                "1.2公里",
                "2024-09-30",
                "13800000000",
            ],
            ["王 芳", "村集体经济收入突破30万元", "2024年", "幸福社区", "集体经济·产业", "2", "30万元", "2024Q4", ""],
        ],
        merges=("A1:I1",),
    )

    read = read_commitments(path)

    assert read.problems == ()
    first, second = read.rows
    assert (
        first.sheet,
        first.row,
        first.unit_name,
        first.number,
        first.content,
        first.category,
        first.target,
        first.responsible,
        first.year,
    ) == ("承诺事项", 5, "张五砦村", 1, "硬化村内道路1.2公里", "人居环境·基础设施", "1.2公里", "李禛", 2024)
    assert first.due == Due(deadline=date(2024, 9, 30), year=2024)
    assert (second.row, second.unit_name, second.number, second.responsible, second.year) == (
        6,
        "幸福社区",
        2,
        "王 芳",
        2024,
    )
    assert second.due == Due(target_quarter=4, year=2024)
    assert first.label("content") == "承诺内容" and first.label("unit") == "村（社区）"
    assert any("联系电话" in note for note in read.notes)


@pytest.mark.parametrize(
    ("unit_label", "content_label"),
    [
        ("村（社区）", "承诺事项"),
        ("村", "内容"),
        ("社区", "承诺内容"),
        ("单位", "承诺事项"),
        ("村/社区", "内容"),
    ],
)
def test_unit_and_content_column_aliases(tmp_path: Path, unit_label: str, content_label: str) -> None:
    path = make_xlsx(tmp_path, [[unit_label, "序号", content_label], ["东关社区", 1, "新建日间照料中心1处"]])
    (row,) = read_commitments(path).rows
    assert (row.unit_name, row.number, row.content) == ("东关社区", 1, "新建日间照料中心1处")


def test_absent_columns_are_none_and_blank_cells_are_empty(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path, [["村", "承诺事项", "目标", "完成时限"], ["甲村", "修路", None, None]])
    (row,) = read_commitments(path).rows
    assert row.number is None and row.category is None and row.status is None and row.year is None
    assert row.target == "" and row.due == Due()


def test_blank_rows_and_pre_numbered_empty_rows_are_skipped(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path,
        [
            ["序号", "村（社区）", "承诺事项"],
            [1, "甲村", "修路"],
            [None, None, None],
            [2, None, None],  # the template's numbers run further than the items
            ["", "  ", ""],
            [3, "甲村", "建广场"],
            ["合计", None, "2项"],
        ],
    )
    read = read_commitments(path)
    assert [(r.row, r.content) for r in read.rows] == [(2, "修路"), (6, "建广场")]
    assert read.problems == ()
    assert any("第 7 行是合计行" in note for note in read.notes)


def test_a_merged_unit_cell_fills_the_rows_below(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path,
        [
            ["村（社区）", "序号", "承诺事项"],
            ["甲村", 1, "修路"],
            [None, 2, "建广场"],
            ["乙村", 1, "打井"],
        ],
        merges=("A2:A3",),
    )
    assert [(r.unit_name, r.number) for r in read_commitments(path).rows] == [("甲村", 1), ("甲村", 2), ("乙村", 1)]


def test_every_sheet_with_a_header_is_read_and_others_are_noted(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path,
        [["村", "承诺事项"], ["甲村", "修路"]],
        extra={
            "说明": [["本表由各村填报，镇党建办汇总"]],
            "第二批": [["村", "承诺事项"], ["乙村", "打井"]],
        },
    )
    read = read_commitments(path)
    assert [(r.sheet, r.unit_name) for r in read.rows] == [("承诺事项", "甲村"), ("第二批", "乙村")]
    assert any("工作表“说明”" in note for note in read.notes)


def test_no_header_is_one_problem_for_the_file(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path, [["姓名", "电话"], ["张三", "123"]])
    read = read_commitments(path)
    assert read.rows == ()
    (problem,) = read.problem_lines
    assert problem.startswith("工作表“承诺事项”：找不到表头")


def test_a_header_without_a_unit_column_is_refused(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path, [["序号", "承诺事项"], [1, "修路"]])
    (problem,) = read_commitments(path).problem_lines
    assert problem == "工作表“承诺事项”第 1 行：表头中没有“村（社区）”列（也可写作 村、社区 或 单位）"


def test_two_columns_for_one_field_are_refused(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path, [["村", "承诺事项", "内容"], ["甲村", "修路", "修路"]])
    (problem,) = read_commitments(path).problem_lines
    assert problem == "工作表“承诺事项”第 1 行“内容”：与“承诺事项”列都表示承诺事项，请删掉或改名其中一列"


def test_not_an_xlsx_file_is_refused_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "承诺.xlsx"
    path.write_text("这不是表格", encoding="utf-8")
    with pytest.raises(ValidationError, match="不是有效的 Excel 文件"):
        read_commitments(path)


# ---------------------------------------------------------------------------- dates


def test_dates_in_every_spelling_and_as_excel_cells(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path,
        [
            ["村", "承诺事项", "完成时限", "状态", "完成日期"],
            ["甲村", "一", "2023.9.26", "已完成", "2023.9.26"],
            ["甲村", "二", "2023年9月26日", "已完成", "2023年9月26日"],
            ["甲村", "三", "2023-09-26", "已完成", "2023-09-26"],
            ["甲村", "四", 45195, "已完成", 45195],  # an Excel serial number
            ["甲村", "五", datetime(2023, 9, 26), "已完成", datetime(2023, 9, 26)],  # a date cell
            ["甲村", "六", "45195", "已完成", "20230926"],  # a serial typed as text, a compact date
        ],
        date_cells={"C6": "yyyy-mm-dd", "E6": "yyyy-mm-dd"},
    )
    read = read_commitments(path)
    assert read.problems == ()
    assert len(read.rows) == 6
    for row in read.rows:
        assert row.due == Due(deadline=date(2023, 9, 26), year=2023), row.content
        assert row.completed_on == date(2023, 9, 26), row.content


@pytest.mark.parametrize(
    ("written", "due"),
    [
        ("2024Q3", Due(target_quarter=3, year=2024)),
        ("2024q1", Due(target_quarter=1, year=2024)),
        ("2024年第三季度", Due(target_quarter=3, year=2024)),
        ("2024年三季度", Due(target_quarter=3, year=2024)),
        ("2024年度第4季度", Due(target_quarter=4, year=2024)),
        ("第三季度", Due(target_quarter=3)),
        ("第二季度末前", Due(target_quarter=2)),
        ("Q2", Due(target_quarter=2)),
        ("2024年6月底", Due(deadline=date(2024, 6, 30), year=2024)),
        ("2024年2月", Due(deadline=date(2024, 2, 29), year=2024)),
        ("6月底前", Due(month=6)),
        ("2024年9月30日前", Due(deadline=date(2024, 9, 30), year=2024)),
        ("年底", Due()),
        ("2024年底", Due(year=2024)),  # as the program itself writes a year-end due date
        ("2024年末前", Due(year=2024)),
        ("", Due()),
    ],
)
def test_due_spellings(written: str, due: Due) -> None:
    assert parse_due(written) == due


def test_a_month_without_its_year_takes_the_items_year() -> None:
    assert parse_due("6月底前").for_year(2023) == (date(2023, 6, 30), None)
    assert parse_due("2024Q3").for_year(2024) == (None, 3)


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("2024.3", "不明确"),
        ("尽快", "无法识别完成时限“尽快”"),
        ("2024年13月", "没有 13 月"),
        ("第五季度", "无法识别"),
    ],
)
def test_due_spellings_refused(written: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_due(written)


# ---------------------------------------------------------------------------- row problems


def test_problems_are_reported_row_by_row_with_sheet_row_and_column(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path,
        [
            ["XX镇承诺事项"],
            ["序号", "村（社区）", "承诺内容", "完成时限", "年度", "完成日期"],
            ["一", "甲村", "修路", "2024-09-30", 2024, None],  # 序号 not a number
            [2, "甲村", None, "2024Q3", 2024, None],  # no content
            [3, None, "打井", "2024Q3", 2024, None],  # no unit
            [4, "甲村", "建广场", "下个月", "明年", "昨天"],  # three bad cells in one row
            [5, "甲村", "建桥", "2024Q4", 2024, None],  # fine
        ],
    )
    read = read_commitments(path)
    assert [r.row for r in read.rows] == [7]
    assert list(read.problem_lines) == [
        "工作表“承诺事项”第 3 行“序号”：序号“一”应为正整数",
        "工作表“承诺事项”第 4 行“承诺内容”：承诺事项内容不能为空",
        "工作表“承诺事项”第 5 行“村（社区）”：村（社区）不能为空",
        "工作表“承诺事项”第 6 行“年度”：年度“明年”应为 2000–2100 之间的年份，如 2024",
        "工作表“承诺事项”第 6 行“完成时限”：无法识别完成时限“下个月”，请写成 2024-09-30、2024年9月30日、"
        "2024Q3（季度）或 2024年6月底",
        "工作表“承诺事项”第 6 行“完成日期”：无法识别完成日期“昨天”，请写成 2023-09-26 或 2023年9月26日",
    ]


def test_text_keeps_chinese_punctuation_and_refuses_overlong_content(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path,
        [
            ["村", "承诺事项", "备注"],
            ["甲村", "  新建文化广场１处（含健身器材）", "资金：县财政、村自筹"],
            ["甲村", "长" * 501, ""],
        ],
    )
    read = read_commitments(path)
    (row,) = read.rows
    assert row.content == "新建文化广场1处（含健身器材）"
    assert row.note == "资金：县财政、村自筹"
    assert read.problem_lines == ("工作表“承诺事项”第 3 行“承诺事项”：内容太长（501 个字，最多 500 个字）",)


def test_problem_text_without_row_or_column() -> None:
    assert problem_text("表1", None, "", "找不到表头") == "工作表“表1”：找不到表头"
    assert problem_text("表1", 4, "", "重复") == "工作表“表1”第 4 行：重复"
    assert problem_text("表1", 4, "状态", "无法识别") == "工作表“表1”第 4 行“状态”：无法识别"
