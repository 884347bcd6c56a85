"""The ranking sheet (得分汇总表 + 红黑旗名单) written to a real .xlsx and read back with openpyxl."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from openpyxl import load_workbook

from lsb_desktop.domain.paper import PaperData, SheetRow
from lsb_desktop.domain.period import Period
from lsb_desktop.domain.rounds import AdjustmentType, RoundAdjustment, RoundRules, RoundUnit, UnitResult
from lsb_desktop.domain.scoring import Component, Criterion, Flag, Scheme
from lsb_desktop.errors import ValidationError
from lsb_desktop.io.ranking_sheet import RankingSheetOptions, write_ranking_sheet

JUDGES = ("王建军", "李秀英", "张伟")
SCHEME = Scheme(
    (
        Component("实地观摩", Decimal("0.7"), (Criterion("基层党建", Decimal(50)), Criterion("产业发展", Decimal(50)))),
        Component("擂台比武", Decimal("0.3"), (Criterion("擂台比武", Decimal(100)),)),
    )
)
TITLE = "清河镇2024年第四季度村党组织书记“亮赛比”逐村观摩评比"
SIGNATURE = "评委签字：__________    记分人：__________    监督人：__________    审核：__________"
RED, GREY = "FFE0E0", "D9D9D9"


def unit(number: int, name: str, district: str, secretary: str, visited: bool = True, note: str = "") -> RoundUnit:
    return RoundUnit(number, 100 + number, name, district, secretary, "村", "党支部", visited, number, note)


def row(
    number: int,
    name: str,
    secretary: str,
    rank: int,
    composite: Fraction,
    components: tuple[Fraction, Fraction],
    field: tuple[str, str, str],
    stage: tuple[str, str, str],
    *,
    flag: Flag | None = None,
    notes: tuple[str, ...] = ("评委不足",),
    bonus: str = "0",
    deduction: str = "0",
    veto: str = "",
    district: str = "东部管区",
) -> SheetRow:
    result = UnitResult(
        unit(number, name, district, secretary),
        rank,
        composite,
        {"实地观摩": components[0], "擂台比武": components[1]},
        {"实地观摩": 3, "擂台比武": 3},
        flag,
        notes,
        Decimal(bonus),
        Decimal(deduction),
        veto,
    )
    totals = {
        "实地观摩": {j: Decimal(v) if v else None for j, v in zip(JUDGES, field, strict=True)},
        "擂台比武": {j: Decimal(v) if v else None for j, v in zip(JUDGES, stage, strict=True)},
    }
    return SheetRow(result, totals)


def paper(**changes: object) -> PaperData:
    """Five ranked units (a red flag, a tie for 2nd, a veto with a black flag) and one unit
    not visited this quarter."""
    rows = (
        # 0.7 × 85.215 + 0.3 × 90.49 + 1.5 = 88.2975 → 88.30
        row(
            1,
            "东岗村",
            "杨金堃",
            1,
            Fraction(882975, 10000),
            (Fraction(8521, 100) + Fraction(1, 200), Fraction(9049, 100)),
            ("90.50", "88.00", "92.25"),
            ("91.00", "90.00", "90.50"),
            flag=Flag.RED,
            bonus="1.5",
        ),
        row(
            2,
            "=危险村",
            "李禛",
            2,
            Fraction(169, 2),
            (Fraction(845, 10), Fraction(845, 10)),
            ("85.00", "84.00", "84.50"),
            ("84.50", "84.50", "84.50"),
            district="西部管区",
        ),
        row(
            3,
            "南岗村",
            "张镛",
            2,
            Fraction(169, 2),
            (Fraction(85), Fraction(253, 3)),
            ("85.00", "86.00", ""),
            ("84.00", "84.00", "85.00"),
            district="南部管区",
            deduction="2",
        ),
        row(
            4,
            "西岗村",
            "王永强",
            4,
            Fraction(8012, 100),
            (Fraction(80), Fraction(16845, 200)),
            ("80.00", "79.00", "81.00"),
            ("80.00", "81.00", "80.20"),
        ),
        row(
            5,
            "北岗村",
            "赵丽娟",
            5,
            Fraction(90),
            (Fraction(90), Fraction(90)),
            ("90.00", "90.00", "90.00"),
            ("90.00", "90.00", "90.00"),
            flag=Flag.BLACK,
            notes=("评委不足", "一票否决：发生安全生产事故"),
            veto="发生安全生产事故",
        ),
    )
    data = PaperData(
        township="清河镇",
        committee="中共清河镇委员会",
        period=Period(2024, 4),
        title="村党组织书记“亮赛比”逐村观摩评比",
        event_date=date(2025, 1, 20),
        judges=JUDGES,
        scheme=SCHEME,
        rules=RoundRules(red=1, black=1),
        rows=rows,
        not_visited=(unit(6, "中岗村", "北部管区", "刘喆", visited=False),),
        final=True,
        version=1,
        adjustments={
            1: (RoundAdjustment(1, 1, AdjustmentType.BONUS, Decimal("1.50"), "村史馆建设突出"),),
            3: (RoundAdjustment(2, 3, AdjustmentType.DEDUCTION, Decimal("2.00"), "材料迟交"),),
            5: (RoundAdjustment(3, 5, AdjustmentType.VETO, None, "发生安全生产事故"),),
        },
    )
    return replace(data, **changes)


def write(tmp_path: Path, data: PaperData, options: RankingSheetOptions | None = None, name: str = "汇总表.xlsx"):
    path = tmp_path / name
    if options is None:
        write_ranking_sheet(path, data)
    else:
        write_ranking_sheet(path, data, options)
    return load_workbook(path), path


def merged(sheet) -> set[str]:
    return {str(r) for r in sheet.merged_cells.ranges}


def values(sheet, number: int) -> list[object]:
    return [cell.value for cell in sheet[number]]


def fill_of(cell) -> str:
    return cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type == "solid" else ""


# ---------------------------------------------------------------------------- 得分汇总表


def test_sheets_title_and_date_line(tmp_path: Path) -> None:
    book, _ = write(tmp_path, paper())
    assert book.sheetnames == ["得分汇总表", "红黑旗名单"]
    sheet = book["得分汇总表"]
    # 4 + 3 judges + 最高分/最低分 + 2 components + 加分/扣分 + 综合得分/排名/红黑旗/备注 = 17: Q
    assert sheet["A1"].value == f"{TITLE}得分汇总表"
    assert "A1:Q1" in merged(sheet)
    assert sheet["A1"].font.b is True
    assert 16 <= sheet["A1"].font.sz <= 18
    assert sheet["A1"].alignment.horizontal == "center"
    assert sheet["A2"].value == "观摩日期：2025年1月20日"
    assert sheet["A2"].alignment.horizontal == "left"
    assert sheet["I2"].value == "（已定稿）"
    assert sheet["I2"].alignment.horizontal == "right"
    assert {"A2:H2", "I2:Q2"} <= merged(sheet)


def test_status_of_a_draft_and_of_a_correction(tmp_path: Path) -> None:
    book, _ = write(tmp_path, paper(final=False, version=0), name="草稿.xlsx")
    assert book["得分汇总表"]["I2"].value == "（草稿，仅供核对）"
    book, _ = write(tmp_path, paper(version=2, correction_reason="评委分数录入错误"), name="更正.xlsx")
    assert book["得分汇总表"]["I2"].value == "（已定稿）（更正第 2 版：评委分数录入错误）"
    assert book["红黑旗名单"]["D2"].value == "（已定稿）（更正第 2 版：评委分数录入错误）"


def test_two_level_header(tmp_path: Path) -> None:
    sheet = write(tmp_path, paper())[0]["得分汇总表"]
    top, bottom = values(sheet, 3), values(sheet, 4)
    assert top == [
        "序号",
        "管区",
        "村（社区）",
        "党组织书记",
        "实地观摩评委打分",
        None,
        None,
        None,
        None,
        "实地观摩\n得分",
        "擂台比武\n得分",
        "加分",
        "扣分",
        "综合得分",
        "排名",
        "红/黑旗",
        "备注",
    ]
    assert bottom[4:9] == ["王建军", "李秀英", "张伟", "最高分", "最低分"]
    assert bottom[:4] == [None] * 4 and bottom[9:] == [None] * 8
    # The group spans the judges and 最高分/最低分; every other label spans both rows.
    assert "E3:I3" in merged(sheet)
    for letter in "ABCDJKLMNOPQ":
        assert f"{letter}3:{letter}4" in merged(sheet), letter
    assert sheet["E4"].font.b is True and sheet["E4"].border.left.style == "thin"
    assert sheet.freeze_panes == "E5"


def test_one_row_by_hand(tmp_path: Path) -> None:
    sheet = write(tmp_path, paper())[0]["得分汇总表"]
    assert values(sheet, 5) == [
        1,
        "东部管区",
        "东岗村",
        "杨金堃",
        90.5,
        88,
        92.25,  # each judge's 实地观摩 total
        92.25,
        88,  # highest, lowest
        85.22,  # 85.215 half-up from the exact value (a float 85.215 would round to 85.21)
        90.49,
        1.5,
        None,
        88.3,  # 0.7 × 85.215 + 0.3 × 90.49 + 1.5 = 88.2975 → 88.30
        1,
        "红旗",
        "加分 1.5：村史馆建设突出；评委不足",
    ]
    for letter in "EFGHIJKLMN":
        assert sheet[f"{letter}5"].number_format == "0.00", letter
        assert sheet[f"{letter}5"].data_type == "n", letter
    assert isinstance(sheet["O5"].value, int)
    assert sheet["P5"].font.b is True


def test_rank_order_tie_absent_judge_and_deduction(tmp_path: Path) -> None:
    sheet = write(tmp_path, paper())[0]["得分汇总表"]
    assert [sheet.cell(r, 3).value for r in range(5, 11)] == [
        "东岗村",
        "=危险村",
        "南岗村",
        "西岗村",
        "北岗村",
        "中岗村",
    ]
    assert [sheet.cell(r, 1).value for r in range(5, 11)] == [1, 2, 3, 4, 5, 6]
    assert [sheet.cell(r, 15).value for r in range(5, 11)] == [1, 2, 2, 4, 5, None]
    assert sheet["N6"].value == sheet["N7"].value == 84.5
    # 南岗村: the third judge did not score; high and low come from the two who did.
    assert values(sheet, 7)[4:9] == [85, 86, None, 86, 85]
    assert sheet["K7"].value == 84.33  # 253/3 = 84.333…
    assert sheet["K8"].value == 84.23  # 84.225: half-up, where round-half-even gives 84.22
    assert sheet["M7"].value == 2 and sheet["L7"].value is None
    assert sheet["Q7"].value == "扣分 2：材料迟交；评委不足"
    assert sheet["Q7"].data_type == "s"
    assert sheet["Q9"].value == "一票否决：发生安全生产事故；评委不足"
    assert sheet["P9"].value == "黑旗"


def test_flag_rows_are_shaded(tmp_path: Path) -> None:
    sheet = write(tmp_path, paper())[0]["得分汇总表"]
    assert {fill_of(sheet.cell(5, c)) for c in range(1, 18)} == {RED}
    assert {fill_of(sheet.cell(9, c)) for c in range(1, 18)} == {GREY}
    for number in (6, 7, 8, 10):
        assert {fill_of(sheet.cell(number, c)) for c in range(1, 18)} == {""}, number
    # The header is shaded lighter than a black-flag row, so the two never look alike.
    assert fill_of(sheet["A3"]) not in ("", RED, GREY)


def test_not_visited_row_and_signature_line(tmp_path: Path) -> None:
    sheet = write(tmp_path, paper())[0]["得分汇总表"]
    assert values(sheet, 10) == [6, "北部管区", "中岗村", "刘喆"] + [None] * 12 + ["本季度未观摩"]
    assert sheet["Q10"].border.bottom.style == "thin"
    assert values(sheet, 11) == [None] * 17
    assert sheet["A12"].value == SIGNATURE
    assert "A12:Q12" in merged(sheet)
    assert sheet.max_row == 12


def test_print_settings_a4(tmp_path: Path) -> None:
    sheet = write(tmp_path, paper())[0]["得分汇总表"]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.print_title_rows == "$1:$4"
    assert sheet.print_options.horizontalCentered is True
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert sheet["A5"].font.name == "宋体"
    assert sheet.column_dimensions["C"].width >= 10


def test_eleven_judges_print_on_a3(tmp_path: Path) -> None:
    judges = tuple(f"评委{chr(0x7532 + i)}" for i in range(11))
    data = paper(judges=judges, rows=(), not_visited=())
    sheet = write(tmp_path, data)[0]["得分汇总表"]
    assert sheet.page_setup.paperSize == 8  # A3
    assert sheet.page_setup.orientation == "landscape"
    assert values(sheet, 4)[4:17] == list(judges) + ["最高分", "最低分"]
    ten = write(tmp_path, paper(judges=judges[:10], rows=()), name="十.xlsx")[0]
    assert ten["得分汇总表"].page_setup.paperSize == 9


def test_options_hide_columns_and_choose_the_component(tmp_path: Path) -> None:
    bare = RankingSheetOptions(
        judge_component=None, show_components=False, show_adjustments=False, signature=("记分人", "审核"), font="仿宋"
    )
    sheet = write(tmp_path, paper(), bare, "简.xlsx")[0]["得分汇总表"]
    assert values(sheet, 3) == ["序号", "管区", "村（社区）", "党组织书记", "综合得分", "排名", "红/黑旗", "备注"]
    assert values(sheet, 5) == [
        1,
        "东部管区",
        "东岗村",
        "杨金堃",
        88.3,
        1,
        "红旗",
        "加分 1.5：村史馆建设突出；评委不足",
    ]
    assert sheet["A12"].value == "记分人：__________    审核：__________"
    assert sheet["A5"].font.name == "仿宋" and sheet["A1"].font.name == "仿宋"

    stage = RankingSheetOptions(judge_component="擂台比武", show_high_low=False)
    sheet = write(tmp_path, paper(), stage, "擂台.xlsx")[0]["得分汇总表"]
    assert sheet["E3"].value == "擂台比武评委打分"
    assert "E3:G3" in merged(sheet)
    assert values(sheet, 4)[4:8] == ["王建军", "李秀英", "张伟", None]
    assert values(sheet, 5)[4:9] == [91, 90, 90.5, 85.22, 90.49]

    with pytest.raises(ValidationError, match="评分方案中没有“承诺完成”"):
        write_ranking_sheet(tmp_path / "x.xlsx", paper(), RankingSheetOptions("承诺完成"))
    assert not (tmp_path / "x.xlsx").exists()


def test_judges_without_a_name_are_numbered(tmp_path: Path) -> None:
    data = paper(judges=("王建军", "", "张伟"))
    sheet = write(tmp_path, data)[0]["得分汇总表"]
    assert values(sheet, 4)[4:7] == ["王建军", "评委2", "张伟"]


def test_text_like_a_formula_stays_text(tmp_path: Path) -> None:
    book, path = write(tmp_path, paper())
    cell = book["得分汇总表"]["C6"]
    assert cell.value == "=危险村"
    assert cell.data_type == "s"
    with zipfile.ZipFile(path) as archive:
        xml = "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml


# ---------------------------------------------------------------------------- 红黑旗名单


def test_flag_list(tmp_path: Path) -> None:
    sheet = write(tmp_path, paper())[0]["红黑旗名单"]
    assert sheet["A1"].value == f"{TITLE}红黑旗名单"
    assert "A1:F1" in merged(sheet)
    assert sheet["A2"].value == "观摩日期：2025年1月20日"
    header = ["序号", "村（社区）", "党组织书记", "综合得分", "排名", "备注"]
    assert sheet["A3"].value == "红旗（1个）"
    assert values(sheet, 4) == header
    assert values(sheet, 5) == [1, "东岗村", "杨金堃", 88.3, 1, "加分 1.5：村史馆建设突出；评委不足"]
    assert sheet["D5"].number_format == "0.00"
    assert values(sheet, 6) == [None] * 6
    assert sheet["A7"].value == "黑旗（1个）"
    assert values(sheet, 8) == header
    assert values(sheet, 9) == [1, "北岗村", "赵丽娟", 90, 5, "一票否决：发生安全生产事故；评委不足"]
    assert {"A3:F3", "A7:F7"} <= merged(sheet)
    assert sheet.max_row == 9
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"


def test_flag_list_without_flags(tmp_path: Path) -> None:
    plain = tuple(SheetRow(replace(r.result, flag=None), r.judge_totals) for r in paper().rows)
    sheet = write(tmp_path, paper(rows=plain))[0]["红黑旗名单"]
    assert [sheet.cell(r, 1).value for r in range(3, 10)] == [
        "红旗（0个）",
        "序号",
        "（无）",
        None,
        "黑旗（0个）",
        "序号",
        "（无）",
    ]


# ---------------------------------------------------------------------------- saving


def test_a_file_open_in_excel_is_reported_in_chinese(tmp_path: Path, monkeypatch) -> None:
    import lsb_desktop.io.xlsx as xlsx

    def locked(source, target):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(xlsx.os, "replace", locked)
    with pytest.raises(ValidationError, match="正在被 Excel 或 WPS 打开"):
        write_ranking_sheet(tmp_path / "汇总表.xlsx", paper())
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


# ---------------------------------------------------------------------------- the demo township


def test_demo_township_sheet(tmp_path: Path, demo_core) -> None:
    round_id = demo_core.rounds.list_rounds()[0].id
    results = demo_core.rounds.results(round_id)
    data = demo_core.rounds.paper_data(round_id, "清河镇", "中共清河镇委员会")
    book, _ = write(tmp_path, data)
    sheet = book["得分汇总表"]
    assert sheet["A1"].value == f"{TITLE}得分汇总表"
    assert values(sheet, 4)[4:13] == ["王建军", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "最高分", "最低分"]
    count = len(results.results)
    listed = [
        (sheet.cell(r, 3).value, sheet.cell(r, 19).value, Decimal(str(sheet.cell(r, 18).value)))
        for r in range(5, 5 + count)
    ]
    assert listed == [(r.unit.name, r.rank, Decimal(r.total)) for r in results.results]
    reds = [r.unit.name for r in results.results if r.flag is Flag.RED]
    blacks = [r.unit.name for r in results.results if r.flag is Flag.BLACK]
    assert len(reds) == 4 and len(blacks) == 4

    def shaded(colour: str) -> list[str]:
        return [sheet.cell(r, 3).value for r in range(5, 5 + count) if fill_of(sheet.cell(r, 1)) == colour]

    assert shaded(RED) == reds and shaded(GREY) == blacks
    names = {sheet.cell(r, c).value for r in range(5, 5 + count) for c in (3, 4)}
    assert {"张五砦村", "李禛", "张镛"} <= names
    assert sheet.cell(5 + count + 1, 1).value == SIGNATURE
    flags = book["红黑旗名单"]
    assert flags["A3"].value == "红旗（4个）"
    assert [flags.cell(r, 2).value for r in range(5, 9)] == reds
