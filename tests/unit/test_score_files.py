"""Score sheets: blank per-judge sheets written, filled-in and flat score files read back,
and the warnings shown before an import; on real .xlsx files in a temporary folder."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from lsb_desktop.domain.score_files import (
    FORMAT_FLAT,
    FORMAT_JUDGE_SHEETS,
    FORMAT_UNKNOWN,
    ScoreContext,
    ScoreEntry,
    ScoreProblem,
    ScoreSheetSpec,
    score_warnings,
)
from lsb_desktop.domain.scoring import DEFAULT_SCHEME, Component, Criterion, Scheme
from lsb_desktop.errors import ValidationError
from lsb_desktop.io.scores import SIGNATURE_LINE, read_score_file, write_judge_sheets

D = Decimal
TITLE = "清河镇2025年第一季度村党组织书记“亮赛比”逐村观摩评分表"
JUDGES = ("张三", "李四", "阿依·买买提")
UNITS = (
    ("张五砦村", "一管区"),
    ("禛园社区", "一管区"),
    ("东关村", "二管区"),
    ("=危险", "二管区"),
    ("堌堆村", ""),
)
CONTEXT = ScoreContext(JUDGES, tuple(name for name, _ in UNITS), DEFAULT_SCHEME)
SPEC = ScoreSheetSpec(TITLE, JUDGES, UNITS, DEFAULT_SCHEME, date(2025, 4, 20))
# Columns of the written sheet: A 序号, B 管区, C 村（社区）, D-H 实地观摩, I-K 擂台比武, L 合计.
FIRST_UNIT_ROW = 5


def blank_sheets(folder: Path, spec: ScoreSheetSpec = SPEC) -> Path:
    path = folder / "评分表.xlsx"
    write_judge_sheets(path, spec)
    return path


def fill(path: Path, cells: dict[str, dict[str, object]]) -> Path:
    """Type values into a workbook as a judge would (sheet -> {cell: value})."""
    workbook = load_workbook(path)
    for title, values in cells.items():
        for coordinate, value in values.items():
            workbook[title][coordinate] = value
    workbook.save(path)
    return path


def make_xlsx(folder: Path, rows: list[list[object]], title: str = "Sheet1", name: str = "分数.xlsx") -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    path = folder / name
    workbook.save(path)
    return path


def places(problems: tuple[ScoreProblem, ...]) -> list[tuple[str, int | None, str]]:
    return [(p.sheet, p.row, p.column) for p in problems]


def messages(problems: tuple[ScoreProblem, ...]) -> str:
    return "\n".join(f"{p.where()}：{p.message}" for p in problems)


def entry_values(entries: tuple[ScoreEntry, ...]) -> set[tuple[str, str, str, Decimal]]:
    return {(e.judge, e.unit, e.criterion, e.points) for e in entries}


# ---------------------------------------------------------------------------- writing


def test_blank_sheets_have_one_sheet_per_judge_with_a_two_level_header(tmp_path: Path) -> None:
    workbook = load_workbook(blank_sheets(tmp_path))

    assert workbook.sheetnames == ["张三", "李四", "阿依·买买提"]
    sheet = workbook["李四"]
    assert sheet["A1"].value == TITLE
    assert sheet["A2"].value == "评委：李四\u3000\u3000\u3000日期：2025年4月20日"
    assert {str(r) for r in sheet.merged_cells.ranges} >= {
        "A1:L1",
        "A2:L2",
        "A3:A4",
        "B3:B4",
        "C3:C4",
        "D3:H3",
        "I3:K3",
        "L3:L4",
    }
    assert [sheet.cell(3, c).value for c in (1, 2, 3, 4, 9, 12)] == [
        "序号",
        "管区",
        "村（社区）",
        "实地观摩（满分100分）",
        "擂台比武（满分100分）",
        "合计",
    ]
    headers = [sheet.cell(4, c).value.replace("\n", "") for c in range(4, 12)]
    assert headers == [
        "基层党建（25分）",
        "产业发展（25分）",
        "人居环境（20分）",
        "乡村治理（15分）",
        "群众满意（15分）",
        "述职内容（40分）",
        "工作实绩（40分）",
        "现场表现（20分）",
    ]
    assert [sheet.cell(r, 3).value for r in range(5, 10)] == [u for u, _ in UNITS]
    assert [sheet.cell(r, 2).value for r in range(5, 10)] == [d or None for _, d in UNITS]
    assert [sheet.cell(r, 1).value for r in range(5, 10)] == [1, 2, 3, 4, 5]
    assert sheet["D5"].value is None  # score cells are left blank for the judge
    assert sheet["L5"].value == '=IF(COUNT(D5:K5)=0,"",SUM(D5:K5))'  # a real formula
    assert sheet["A11"].value == SIGNATURE_LINE
    assert "评委签字" in SIGNATURE_LINE and "记分人" in SIGNATURE_LINE and "监督人" in SIGNATURE_LINE
    assert "A11:L11" in {str(r) for r in sheet.merged_cells.ranges}


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path: Path) -> None:
    sheet = load_workbook(blank_sheets(tmp_path))["张三"]  # not data_only: a formula shows as 'f'

    assert (sheet["C8"].value, sheet["C8"].data_type) == ("=危险", "s")
    assert sheet["C8"].quotePrefix is True


def test_score_cells_only_accept_points_up_to_the_criterion_maximum(tmp_path: Path) -> None:
    sheet = load_workbook(blank_sheets(tmp_path))["张三"]

    rules = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert set(rules) == {f"{c}5:{c}9" for c in "DEFGHIJK"}
    first = rules["D5:D9"]
    assert (first.type, first.operator, first.formula1, first.formula2) == ("decimal", "between", "0", "25")
    assert first.error == "分数必须在 0 到 25 之间" and first.showErrorMessage
    assert rules["F5:F9"].formula2 == "20"


def test_blank_sheets_are_laid_out_for_printing(tmp_path: Path) -> None:
    sheet = load_workbook(blank_sheets(tmp_path))["张三"]

    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == "$1:$4"
    assert sheet.print_options.horizontalCentered is True
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert sheet.freeze_panes == "D5"
    assert (sheet["C5"].font.name, sheet["D4"].font.name) == ("宋体", "宋体")
    assert sheet["D4"].font.b and sheet["A1"].font.b
    assert sheet["D4"].alignment.wrap_text
    for coordinate in ("A3", "D4", "C5", "K9", "L9"):
        assert sheet[coordinate].border.left.style == "thin", coordinate
    assert sheet["A11"].border.left.style is None  # the signature line is outside the table
    assert sheet.column_dimensions["C"].width >= 14
    assert sheet.column_dimensions["A"].width < sheet.column_dimensions["C"].width


def test_many_criteria_go_on_a3_and_a_missing_date_leaves_room_to_write_it(tmp_path: Path) -> None:
    many = Scheme((Component("实地观摩", D(1), tuple(Criterion(f"指标{i}", D("7.5")) for i in range(1, 14))),))
    spec = ScoreSheetSpec("评分表", ("张三",), UNITS[:2], many, None)

    sheet = load_workbook(blank_sheets(tmp_path, spec))["张三"]

    assert sheet.page_setup.paperSize == 8  # A3
    assert sheet.page_setup.orientation == "landscape"
    assert sheet["A2"].value == "评委：张三\u3000\u3000\u3000日期：______年____月____日"
    assert sheet["D3"].value == "实地观摩（满分97.5分）"
    assert sheet["D4"].value.replace("\n", "") == "指标1（7.5分）"


def test_sheet_titles_are_legal_in_excel_and_unique(tmp_path: Path) -> None:
    long_a = "欧阳" + "甲" * 35
    long_b = "欧阳" + "甲" * 35 + "乙"
    spec = ScoreSheetSpec("评分表", ("张/三", "李[四]:*?", long_a, long_b), UNITS[:1], DEFAULT_SCHEME, None)

    workbook = load_workbook(blank_sheets(tmp_path, spec))

    titles = workbook.sheetnames
    assert titles[:2] == ["张_三", "李_四____"]
    assert all(len(t) <= 31 for t in titles)
    assert len(set(titles)) == 4
    assert titles[3].endswith("(2)")
    # The full name is on the sheet even when the title had to be shortened.
    assert workbook[titles[3]]["A2"].value.startswith(f"评委：{long_b}\u3000")


def test_the_same_judge_twice_or_nothing_to_write_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="“张三”重复了"):
        blank_sheets(tmp_path, ScoreSheetSpec("表", ("张三", "张 三"), UNITS, DEFAULT_SCHEME, None))
    with pytest.raises(ValidationError, match="没有评委"):
        blank_sheets(tmp_path, ScoreSheetSpec("表", (), UNITS, DEFAULT_SCHEME, None))
    with pytest.raises(ValidationError, match="没有参评的村（社区）"):
        blank_sheets(tmp_path, ScoreSheetSpec("表", JUDGES, (), DEFAULT_SCHEME, None))
    assert not list(tmp_path.iterdir())


def test_writing_replaces_the_file_whole_and_reports_an_unwritable_place(tmp_path: Path) -> None:
    path = tmp_path / "评分表.xlsx"
    path.write_bytes(b"old")

    write_judge_sheets(path, SPEC)

    assert load_workbook(path).sheetnames == list(JUDGES)
    assert [p.name for p in tmp_path.iterdir()] == ["评分表.xlsx"]  # no temporary file left
    with pytest.raises(ValidationError, match="文件夹.*不存在"):
        write_judge_sheets(tmp_path / "没有" / "评分表.xlsx", SPEC)
    (tmp_path / "是文件夹.xlsx").mkdir()
    with pytest.raises(ValidationError, match="无法写入“是文件夹.xlsx”"):
        write_judge_sheets(tmp_path / "是文件夹.xlsx", SPEC)


# ---------------------------------------------------------------------------- per-judge sheets


def test_filled_in_sheets_read_back_as_entries(tmp_path: Path) -> None:
    path = fill(
        blank_sheets(tmp_path),
        {
            "张三": {"D5": 22, "E5": 20.5, "F5": 0, "D6": "２０．５", "I5": 38},
            "李四": {"D5": 23, "E5": "19分"},
            "阿依·买买提": {"H9": 12.25},
        },
    )

    result = read_score_file(path, CONTEXT)

    assert result.ok, messages(result.problems)
    assert result.format == FORMAT_JUDGE_SHEETS
    assert entry_values(result.entries) == {
        ("张三", "张五砦村", "基层党建", D(22)),
        ("张三", "张五砦村", "产业发展", D("20.5")),
        ("张三", "张五砦村", "人居环境", D(0)),  # 0 is a score, not a blank
        ("张三", "禛园社区", "基层党建", D("20.5")),  # full-width digits in a text cell
        ("张三", "张五砦村", "述职内容", D(38)),
        ("李四", "张五砦村", "基层党建", D(23)),
        ("李四", "张五砦村", "产业发展", D(19)),  # a trailing 分 is accepted
        ("阿依·买买提", "堌堆村", "群众满意", D("12.25")),
    }
    # 3 judges x 5 units x 8 criteria cells, 8 of them filled in.
    assert result.blanks == 3 * 5 * 8 - 8
    first = next(e for e in result.entries if e.criterion == "人居环境")
    assert (first.sheet, first.row, first.column) == ("张三", 5, "F")
    assert "工作表“张三”：评委张三，5 个分数" in result.notes


def test_judge_sheets_saved_with_extra_rows_and_removed_ones_still_read(tmp_path: Path) -> None:
    path = blank_sheets(tmp_path)
    workbook = load_workbook(path)
    sheet = workbook["张三"]
    sheet.delete_rows(6)  # the judge removed 禛园社区's row
    sheet.insert_rows(6, 2)  # and added two blank rows
    sheet["C7"] = "  东关村 "  # a unit typed again, with stray spaces, in a new row ...
    sheet["D7"] = 18
    workbook.save(path)
    # ... which leaves 东关村 twice on the sheet: its old row (now row 8) stays blank.

    result = read_score_file(path, CONTEXT)

    assert result.ok, messages(result.problems)
    assert entry_values(result.entries) == {("张三", "东关村", "基层党建", D(18))}


def test_problems_in_judge_sheets_are_all_reported_where_they_are(tmp_path: Path) -> None:
    path = fill(
        blank_sheets(tmp_path),
        {
            "张三": {
                "D5": 105,
                "E5": 20.555,
                "F5": "abc",
                "G5": "八十五",
                "H5": -1,
                "C7": "西关村",
                "D7": 10,
                "D6": 20,
            },
            "李四": {"D5": "=1/0"},
        },
    )
    workbook = load_workbook(path)
    workbook["阿依·买买提"].title = "王五"
    workbook["王五"]["A2"] = "评委：王五"
    workbook.save(path)

    result = read_score_file(path, CONTEXT)

    assert not result.ok
    text = messages(result.problems)
    assert places(result.problems) == [
        ("张三", 5, "D"),
        ("张三", 5, "E"),
        ("张三", 5, "F"),
        ("张三", 5, "G"),
        ("张三", 5, "H"),
        ("张三", 7, "C"),
        ("李四", 5, "D"),
        ("王五", 2, "A"),
    ], text
    problem = result.problems
    assert problem[0].message == "105 超过“基层党建”的满分 25"
    assert "超过两位小数" in problem[1].message
    assert "“abc”不是数字" in problem[2].message
    assert "“八十五”不是数字" in problem[3].message
    assert "不能为负数" in problem[4].message
    assert problem[5].message == "村（社区）“西关村”不在本轮参评名单中"
    assert "没有计算结果" in problem[6].message and "保存" in problem[6].message
    assert "评委“王五”" in problem[7].message and "不在本轮评委名单中" in problem[7].message
    assert problem[0].where() == "工作表“张三” 第5行 D列"
    # The good score on the same sheet is still read (the import is blocked by the problems).
    assert ("张三", "禛园社区", "基层党建", D(20)) in entry_values(result.entries)


def test_a_formula_with_a_cached_result_is_read_as_its_value(tmp_path: Path) -> None:
    path = fill(blank_sheets(tmp_path), {"张三": {"D5": "=20+2"}})
    # Excel stores a formula's last result beside it; put one there as Excel would.
    import zipfile

    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    sheet_xml = "xl/worksheets/sheet1.xml"
    members[sheet_xml] = members[sheet_xml].replace(b"<f>20+2</f><v />", b"<f>20+2</f><v>22</v>")
    assert b"<v>22</v>" in members[sheet_xml]
    with zipfile.ZipFile(path, "w") as target:
        for name, content in members.items():
            target.writestr(name, content)

    result = read_score_file(path, CONTEXT)

    assert result.ok, messages(result.problems)
    assert entry_values(result.entries) == {("张三", "张五砦村", "基层党建", D(22))}


def test_without_a_judge_line_the_sheet_title_names_the_judge(tmp_path: Path) -> None:
    path = fill(
        blank_sheets(tmp_path),
        {
            "张三": {"A2": None, "D5": 20},
            "李四": {"A2": None, "D5": 21},
        },
    )
    workbook = load_workbook(path)
    workbook["李四"].title = "评委乙"
    workbook.save(path)

    result = read_score_file(path, CONTEXT)

    assert entry_values(result.entries) == {("张三", "张五砦村", "基层党建", D(20))}
    assert places(result.problems) == [("评委乙", None, "")]
    assert "评委“评委乙”（按工作表名称识别）不在本轮评委名单中" == result.problems[0].message
    assert result.problems[0].where() == "工作表“评委乙”"


def test_two_sheets_for_one_judge_are_refused(tmp_path: Path) -> None:
    path = fill(blank_sheets(tmp_path), {"李四": {"A2": "评委：张 三", "D5": 1}})

    result = read_score_file(path, CONTEXT)

    assert "工作表“张三”和“李四”都是评委张三的评分表" in messages(result.problems)


def test_a_header_from_another_scheme_is_refused(tmp_path: Path) -> None:
    path = fill(blank_sheets(tmp_path), {"张三": {"D4": "基层党建（30分）", "E4": "党风廉政（25分）"}})

    result = read_score_file(path, CONTEXT)

    assert places(result.problems)[:2] == [("张三", 4, "D"), ("张三", 4, "E")]
    assert "满分与本轮评分方案不一致" in result.problems[0].message
    assert "“党风廉政（25分）”不是本轮评分方案中的指标" in result.problems[1].message


def test_a_score_without_a_unit_is_not_dropped_silently(tmp_path: Path) -> None:
    path = fill(blank_sheets(tmp_path), {"张三": {"C12": None, "E12": 20, "A12": 6}})

    result = read_score_file(path, CONTEXT)

    assert places(result.problems) == [("张三", 12, "C")]
    assert "没有填写村（社区）名称" in result.problems[0].message


# ---------------------------------------------------------------------------- flat tables


def test_flat_table_below_a_title_with_shuffled_columns(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path,
        [
            ["清河镇2025年第一季度评分汇总"],
            [],
            ["得分", "备注", "指标", "村(社区)", "序号", "评委"],
            [22, "", "基层党建", "张五砦村", 1, "张三"],
            ["２０．５", None, "产业发展", "禛园 社区", 2, "张 三"],
            [38.5, "上台", "述职内容（40分）", "张五砦村", 3, "阿依•买买提"],
            [None, None, "人居环境", "东关村", 4, "李四"],
            [0, None, "人居环境", "堌堆村", 5, "李四"],
        ],
    )

    result = read_score_file(path, CONTEXT)

    assert result.ok, messages(result.problems)
    assert result.format == FORMAT_FLAT
    assert entry_values(result.entries) == {
        ("张三", "张五砦村", "基层党建", D(22)),
        ("张三", "禛园社区", "产业发展", D("20.5")),
        ("阿依·买买提", "张五砦村", "述职内容", D("38.5")),
        ("李四", "堌堆村", "人居环境", D(0)),
    }
    assert result.blanks == 1
    first = result.entries[0]
    assert (first.sheet, first.row, first.column) == ("Sheet1", 4, "A")
    assert any("备注" in note and "序号" in note for note in result.notes)


@pytest.mark.parametrize("unit_label", ["村（社区）", "村/社区", "单位", "村（社区）名称", "名称"])
def test_flat_table_unit_column_spellings(tmp_path: Path, unit_label: str) -> None:
    path = make_xlsx(tmp_path, [["评委", unit_label, "指标", "得分"], ["李四", "东关村", "基层党建", 20]])

    assert entry_values(read_score_file(path, CONTEXT).entries) == {("李四", "东关村", "基层党建", D(20))}


def test_problems_in_a_flat_table_are_all_reported_where_they_are(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path,
        [
            ["评委", "村（社区）", "指标", "得分"],
            ["王五", "张五砦村", "基层党建", 20],  # 2 unknown judge
            ["张三", "西关村", "基层党建", 20],  # 3 unknown unit
            ["张三", "张五砦村", "党风廉政", 20],  # 4 unknown criterion
            ["张三", "张五砦村", "基层党建", 26],  # 5 above the maximum
            ["张三", "张五砦村", "产业发展", "八十五"],  # 6 not a number
            ["张三", "东关村", "基层党建", 20],  # 7
            ["李四", "东关村", "基层党建", 21],  # 8
            ["张三", "东关村", "基层党建", 19],  # 9 duplicate of row 7
            ["", "东关村", "乡村治理", 10],  # 10 no judge
            ["张三", "东关村", "乡村治理", 85.49999999],  # 11 a formula's float
        ],
    )

    result = read_score_file(path, CONTEXT)

    assert places(result.problems) == [
        ("Sheet1", 2, "A"),
        ("Sheet1", 3, "B"),
        ("Sheet1", 4, "C"),
        ("Sheet1", 5, "D"),
        ("Sheet1", 6, "D"),
        ("Sheet1", 9, "D"),
        ("Sheet1", 10, "A"),
        ("Sheet1", 11, "D"),
    ], messages(result.problems)
    found = [p.message for p in result.problems]
    assert found[0] == "评委“王五”不在本轮评委名单中"
    assert found[1] == "村（社区）“西关村”不在本轮参评名单中"
    assert found[2].startswith("指标“党风廉政”不在本轮评分方案中")
    assert found[3] == "26 超过“基层党建”的满分 25"
    assert "“八十五”不是数字" in found[4]
    # Both places of a duplicate are named: the problem sits on the second, names the first.
    assert "重复" in found[5] and "工作表“Sheet1” 第7行 D列" in found[5]
    assert found[6] == "评委为空"
    assert "超过两位小数" in found[7]
    assert entry_values(result.entries) == {
        ("张三", "东关村", "基层党建", D(20)),
        ("李四", "东关村", "基层党建", D(21)),
    }


def test_a_flat_header_missing_a_column_says_which(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path, [["评委", "村（社区）", "得分"], ["张三", "东关村", 20]])

    result = read_score_file(path, CONTEXT)

    assert result.format == FORMAT_FLAT and not result.entries
    assert "表头缺少“指标”列" in result.problems[0].message


def test_every_two_decimal_score_survives_a_float_cell_exactly(tmp_path: Path) -> None:
    # Excel stores numbers as floats; every hundredth from 0 to 25 must come back exact.
    values = [D(n).scaleb(-2) for n in range(2501)]
    units = tuple(f"村{n}" for n in range(len(values)))
    rows: list[list[object]] = [["评委", "村（社区）", "指标", "得分"]]
    rows += [["张三", unit, "基层党建", float(value)] for unit, value in zip(units, values)]
    path = make_xlsx(tmp_path, rows)

    result = read_score_file(path, ScoreContext(("张三",), units, DEFAULT_SCHEME))

    assert result.ok, messages(result.problems[:3])
    assert [e.points for e in result.entries] == values


# ---------------------------------------------------------------------------- other files


def test_a_workbook_in_neither_format_explains_both(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path, [["序号", "姓名", "电话"], [1, "张三", "13800000000"]])

    result = read_score_file(path, CONTEXT)

    assert result.format == FORMAT_UNKNOWN and not result.ok
    assert len(result.problems) == 1
    message = result.problems[0].message
    assert "逐评委评分表" in message and "“评委”“村（社区）”“指标”“得分”" in message
    assert result.problems[0].where() == "整个文件"


def test_a_file_that_is_not_xlsx_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "分数.xlsx"
    path.write_text("评委,村（社区）,指标,得分\n张三,东关村,基层党建,20\n", encoding="utf-8")

    with pytest.raises(ValidationError, match="不是有效的 Excel 文件（.xlsx）"):
        read_score_file(path, CONTEXT)


# ---------------------------------------------------------------------------- warnings

UNIT_NAMES = tuple(name for name, _ in UNITS)
SITE = DEFAULT_SCHEME.components[0]


def site_entries(judge: str, unit: str, points: tuple[int, ...]) -> list[ScoreEntry]:
    return [ScoreEntry("表", 1, "A", judge, unit, c.name, D(p)) for c, p in zip(SITE.criteria, points)]


def test_no_warning_for_a_normal_panel() -> None:
    entries = []
    for offset, judge in enumerate(("张三", "李四", "王五", "赵六")):
        for index, unit in enumerate(UNIT_NAMES):
            # Every criterion varies across units; every judge's total is the same.
            entries += site_entries(
                judge, unit, (20 + offset - index, 19 + index, 18 - index, 12 + index % 2, 13 - offset + index % 3)
            )

    assert score_warnings(entries, DEFAULT_SCHEME) == ()


def test_a_judge_giving_every_unit_the_same_score_is_warned_about() -> None:
    entries = []
    for index, unit in enumerate(UNIT_NAMES[:3]):
        entries += site_entries("张三", unit, (20, 20 - index, 18, 12, 13))
        entries += site_entries("李四", unit, (21 - index, 22, 17, 12 - index, 12))

    assert score_warnings(entries, DEFAULT_SCHEME) == (
        "评委张三对“基层党建”给所有村（社区）打了同样的分（20）",
        "评委张三对“人居环境”给所有村（社区）打了同样的分（18）",
        "评委张三对“乡村治理”给所有村（社区）打了同样的分（12）",
        "评委张三对“群众满意”给所有村（社区）打了同样的分（13）",
        "评委李四对“产业发展”给所有村（社区）打了同样的分（22）",
        "评委李四对“人居环境”给所有村（社区）打了同样的分（17）",
        "评委李四对“群众满意”给所有村（社区）打了同样的分（12）",
    )
    # Two units alike is chance, not a pattern.
    assert score_warnings(entries[:20], DEFAULT_SCHEME) == ()


def test_a_judge_far_from_the_panel_median_is_warned_about() -> None:
    entries = (
        site_entries("张三", "东关村", (22, 22, 18, 13, 13))  # 88
        + site_entries("李四", "东关村", (21, 22, 18, 12, 12))  # 85
        + site_entries("王五", "东关村", (10, 10, 10, 10, 4))  # 44: 41 below 85
        + site_entries("赵六", "东关村", (20, 20, 18, 13, 13))
    )  # 84: median 84.5

    warnings = score_warnings(entries, DEFAULT_SCHEME)

    assert warnings == (
        ("评委王五给东关村的“实地观摩”合计 44 分，与评委中位数 84.5 分相差 40.5 分（超过满分 100 分的 20%）"),
    )


def test_the_outlier_limit_is_exclusive_and_needs_three_judges() -> None:
    # 20 points from the median of a 100-point component is still within 20%.
    at_limit = (
        site_entries("张三", "东关村", (20, 20, 20, 10, 10))  # 80
        + site_entries("李四", "东关村", (20, 20, 20, 10, 10))  # 80
        + site_entries("王五", "东关村", (15, 15, 10, 10, 10))
    )  # 60
    assert score_warnings(at_limit, DEFAULT_SCHEME) == ()
    beyond = at_limit[:-1] + [ScoreEntry("表", 1, "A", "王五", "东关村", "群众满意", D("9.99"))]
    assert len(score_warnings(beyond, DEFAULT_SCHEME)) == 1
    assert score_warnings(beyond[5:], DEFAULT_SCHEME) == ()  # only two judges
