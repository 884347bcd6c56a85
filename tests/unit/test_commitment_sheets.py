"""The commitments workbook (完成情况汇总表 + one 公示表 per unit) written to a real .xlsx and
read back with openpyxl."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from openpyxl import load_workbook

from lsb_desktop.domain.commitments import (
    Commitment,
    CommitmentStatus,
    Completion,
    UnitCompletion,
    competition_ranks,
    completion,
    worst_rates,
)
from lsb_desktop.errors import ValidationError
from lsb_desktop.io.commitment_sheets import write_commitment_workbook

ON = date(2024, 7, 15)
RED = "FFE0E0"
S = CommitmentStatus
NOTICE_HEADER = ["序号", "类别", "承诺事项", "量化目标", "完成时限", "责任人", "进展情况", "备注"]
SUMMARY_HEADER = [
    "序号",
    "管区",
    "村（社区）",
    "承诺事项\n（项）",
    "已完成",
    "已取消",
    "逾期\n（统计到 2024-07-15）",
    "完成率",
    "排名",
]


def item(
    ident: int,
    unit_id: int,
    unit: str,
    district: str,
    number: int,
    content: str,
    status: CommitmentStatus,
    **changes: object,
) -> Commitment:
    base = Commitment(
        id=ident,
        unit_id=unit_id,
        unit_name=unit,
        district_name=district,
        year=2024,
        number=number,
        content=content,
        category="民生实事",
        target="",
        deadline=None,
        target_quarter=None,
        responsible="王建军",
        status=status,
    )
    return replace(base, **changes)


def dong_gang() -> list[Commitment]:
    """东岗村: done, overdue, adjusted, cancelled and carried-over items."""
    unit = (1, "东岗村", "东部管区")
    return [
        item(
            1,
            *unit,
            1,
            "硬化村内主干道路",
            S.DONE,
            category="人居环境·基础设施",
            target="新修水泥路1.2公里",
            deadline=date(2024, 6, 30),
            completed_on=date(2024, 6, 20),
        ),
        item(
            2,
            *unit,
            2,
            "完成宅基地不动产权证书发放",
            S.IN_PROGRESS,
            target="500户",
            deadline=date(2024, 3, 31),
            latest_percent=70,
            responsible="李秀英",
        ),
        item(
            3,
            *unit,
            3,
            "建设村级养老服务站",
            S.ADJUSTED,
            target="服务老人80人",
            deadline=date(2024, 11, 30),
            original_content="新建村级幸福院一处",
            original_target="建筑面积300平方米",
            original_deadline=date(2024, 9, 30),
            adjust_reason="原选址土地性质不符",
            adjusted_on=date(2024, 5, 10),
        ),
        item(
            4,
            *unit,
            4,
            "修建村文化广场",
            S.CANCELLED,
            category="基层党建",
            cancel_reason="县里统一规划建设",
            cancelled_on=date(2024, 4, 2),
            note="经镇党委同意",
        ),
        item(5, *unit, 5, "争创支部过硬星", S.NOT_STARTED, category="基层党建", target_quarter=4, carried_from_id=99),
    ]


def commitments() -> list[Commitment]:
    """Units interleaved: 小李庄社区 appears first, then 东岗村, then 牛王庙村 (all cancelled)."""
    xiao = (2, "小李庄社区", "西部管区")
    niu = (3, "牛王庙村", "西部管区")
    return [
        item(20, *xiao, 2, "建成社区平安联防队", S.IN_PROGRESS, deadline=date(2024, 9, 30)),
        *dong_gang(),
        item(21, *xiao, 1, "完成老旧小区改造", S.DONE, deadline=date(2024, 5, 1), completed_on=date(2024, 4, 28)),
        item(30, *niu, 1, "清理河道", S.CANCELLED, cancel_reason="上级统一实施", cancelled_on=date(2024, 3, 1)),
    ]


def summary(items: list[Commitment]) -> list[UnitCompletion]:
    """The units with commitments, plus 南岗村 (2 of 3 done: 66.67 %, tied with 北岗村) and
    中岗村 (no items), in register order."""
    by_unit: dict[int, list[Commitment]] = {}
    for entry in items:
        by_unit.setdefault(entry.unit_id, []).append(entry)
    rows = [
        UnitCompletion(unit_id, entries[0].unit_name, entries[0].district_name, completion(entries, ON))
        for unit_id, entries in by_unit.items()
    ]
    rows += [
        UnitCompletion(4, "南岗村", "南部管区", Completion(3, 2, 0, 0)),
        UnitCompletion(5, "中岗村", "北部管区", Completion(0, 0, 0, 0)),
        UnitCompletion(6, "北岗村", "北部管区", Completion(4, 2, 1, 1)),
    ]
    return rows


def write(
    tmp_path: Path,
    *,
    paper: str = "A4",
    name: str = "承诺事项.xlsx",
    items: list[Commitment] | None = None,
    **options: object,
):
    items = commitments() if items is None else items
    path = tmp_path / name
    arguments: dict[str, object] = dict(
        year=2024,
        township="清河镇",
        committee="中共清河镇委员会",
        commitments=items,
        summary=summary(items),
        paper=paper,
        on=ON,
    )
    arguments.update(options)
    write_commitment_workbook(path, **arguments)
    return load_workbook(path), path


def values(sheet, number: int) -> list[object]:
    return [cell.value for cell in sheet[number]]


def merged(sheet) -> set[str]:
    return {str(r) for r in sheet.merged_cells.ranges}


def fill_of(cell) -> str:
    return cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type == "solid" else ""


def find_row(sheet, text: str) -> int:
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell.row
    raise AssertionError(f"{text!r} not found")


# ---------------------------------------------------------------------------- sheets


def test_summary_first_then_units_in_order_of_first_appearance(tmp_path: Path) -> None:
    book, _ = write(tmp_path)
    assert book.sheetnames == ["完成情况汇总表", "小李庄社区", "东岗村", "牛王庙村"]


def test_sheet_titles_made_safe_for_excel(tmp_path: Path) -> None:
    long_name = "清河镇东部管区第一网格幸福里社区居民委员会党总支部联合体第二支部委员会"
    units = [(7, "东/岗[村]"), (8, "东:岗*村?"), (9, long_name), (10, "完成情况汇总表"), (11, "History")]
    items = [item(100 + uid, uid, name, "东部管区", 1, "修路", S.NOT_STARTED) for uid, name in units]
    book, _ = write(tmp_path, items=items)
    titles = book.sheetnames[1:]
    assert titles[0] == "东_岗_村_"
    assert titles[1] == "东_岗_村_(2)"  # the same once made safe: numbered
    assert titles[2] == long_name[:31] and len(long_name) > 31
    assert titles[3] == "完成情况汇总表(2)"
    assert titles[4] == "History_"
    assert all(len(title) <= 31 for title in book.sheetnames)
    # The title on the sheet keeps the real name.
    assert book[titles[0]]["A1"].value.startswith("东/岗[村]2024年度")


def test_nothing_to_export_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="没有承诺事项"):
        write_commitment_workbook(
            tmp_path / "x.xlsx", year=2024, township="清河镇", committee="中共清河镇委员会", commitments=[], summary=[]
        )
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("paper", ["A5", "letter", "", "A4L"])
def test_paper_other_than_a4_or_a3_is_refused(tmp_path: Path, paper: str) -> None:
    with pytest.raises(ValidationError, match="只能用 A4 或 A3") as raised:
        write(tmp_path, paper=paper)
    assert f"“{paper}”" in raised.value.message
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary file left


def test_lower_case_paper_name_is_accepted(tmp_path: Path) -> None:
    book, _ = write(tmp_path, paper="a3")
    assert book["东岗村"].page_setup.paperSize == 8


# ---------------------------------------------------------------------------- 公示表


def test_notice_title_info_line_and_header(tmp_path: Path) -> None:
    book, _ = write(tmp_path, secretaries={1: "杨金堃"})
    sheet = book["东岗村"]
    assert sheet["A1"].value == "东岗村2024年度党组织书记“定标亮诺”承诺事项公示表"
    assert "A1:H1" in merged(sheet)
    assert sheet["A1"].font.b is True and sheet["A1"].font.sz >= 16
    assert sheet["A1"].alignment.horizontal == "center"
    assert sheet["A2"].value == "管区：东部管区　　党组织书记：杨金堃"
    assert sheet["F2"].value == "公示日期：2024年7月15日"
    assert sheet["F2"].alignment.horizontal == "right"
    assert values(sheet, 3) == NOTICE_HEADER
    assert all(cell.font.b and cell.border.top.style == "thin" for cell in sheet[3])
    # Without a known secretary the line names the 管区 only.
    assert book["小李庄社区"]["A2"].value == "管区：西部管区"


def test_notice_rows_in_number_order(tmp_path: Path) -> None:
    book, _ = write(tmp_path)
    sheet = book["东岗村"]
    rows = [values(sheet, number) for number in range(4, 9)]
    assert [row[0] for row in rows] == [1, 2, 3, 4, 5]
    assert rows[0] == [
        1,
        "人居环境·\n基础设施",
        "硬化村内主干道路",
        "新修水泥路1.2公里",
        "2024年6月30日",
        "王建军",
        "已完成\n（2024年6月20日）",
        None,
    ]
    assert rows[1][1:6] == ["民生实事", "完成宅基地不动产权证书发放", "500户", "2024年3月31日", "李秀英"]
    assert rows[4][1:] == ["基层党建", "争创支部过硬星", None, "2024年第四季度", "王建军", "未启动", "上年度结转"]
    # 小李庄社区's items, listed out of order in the input, come by number.
    other = book["小李庄社区"]
    assert [other.cell(row, 3).value for row in (4, 5)] == ["完成老旧小区改造", "建成社区平安联防队"]
    assert all(cell.border.left.style == "thin" for row in sheet.iter_rows(min_row=3, max_row=8) for cell in row)


def test_progress_of_overdue_adjusted_and_cancelled_items(tmp_path: Path) -> None:
    book, _ = write(tmp_path)
    sheet = book["东岗村"]
    # Overdue: due 31 March, still open on 15 July; shown bold with its latest percent.
    assert sheet["G5"].value == "逾期\n（进度70%）"
    assert sheet["G5"].font.b is True
    assert sheet["G4"].font.b is not True
    # Adjusted: the new text, and beneath it the original with the reason.
    assert sheet["C6"].value == (
        "建设村级养老服务站\n原承诺：新建村级幸福院一处；原目标：建筑面积300平方米；"
        "原时限：2024年9月30日（调整原因：原选址土地性质不符）"
    )
    assert sheet["G6"].value == "已调整"
    assert sheet["E6"].value == "2024年11月30日"
    # Cancelled: the status and its reason.
    assert sheet["G7"].value == "已取消\n（原因：县里统一规划建设）"
    assert sheet["H7"].value == "经镇党委同意"


def test_progress_is_shown_as_of_the_day_given(tmp_path: Path) -> None:
    book, _ = write(tmp_path, on=date(2024, 3, 1))
    sheet = book["东岗村"]
    assert sheet["F2"].value == "公示日期：2024年3月1日"
    assert sheet["G4"].value == "推进中"  # done only on 20 June
    assert sheet["G5"].value == "推进中\n（进度70%）"  # not yet past its deadline
    assert sheet["G7"].value == "推进中"  # cancelled only on 2 April


def test_default_day_of_a_past_year_is_its_last_day(tmp_path: Path) -> None:
    items = [replace(entry, year=2020) for entry in dong_gang()]
    book, _ = write(tmp_path, items=items, on=None, year=2020)
    assert book["东岗村"]["F2"].value == "公示日期：2020年12月31日"
    assert book["完成情况汇总表"]["A2"].value == "统计截至：2020年12月31日"


def test_notice_footer_leaves_room_for_the_seal(tmp_path: Path) -> None:
    book, _ = write(tmp_path)
    sheet = book["东岗村"]
    supervision = find_row(sheet, sheet.cell(10, 1).value)
    assert supervision == 10  # one blank row after the last item (row 8)
    assert sheet.cell(10, 1).value.startswith("监督电话：____")
    assert "群众" in sheet.cell(10, 1).value
    seal = find_row(sheet, "东岗村党组织（盖章）")
    assert seal > supervision + 1
    assert sheet.cell(seal + 1, 6).value == "2024年7月15日"
    # Room for a 42 mm (about 120 pt) seal over the 落款 and the date.
    room = sum(sheet.row_dimensions[row].height for row in range(supervision + 1, seal + 3))
    assert room >= 110
    assert sheet._images == [] and sheet._charts == []  # the seal is stamped, never drawn


def test_formula_like_text_stays_text(tmp_path: Path) -> None:
    items = [item(1, 1, "=危险村", "东部管区", 1, "=SUM(A1)", S.NOT_STARTED, target="+3户")]
    book, path = write(tmp_path, items=items)
    sheet = book["=危险村"]
    assert sheet["C4"].value == "=SUM(A1)" and sheet["C4"].data_type == "s"
    assert sheet["D4"].value == "+3户"
    assert sheet["A1"].value.startswith("=危险村")
    formulas = load_workbook(path, data_only=False)["=危险村"]
    assert formulas["C4"].data_type == "s"


def test_long_text_gets_taller_rows(tmp_path: Path) -> None:
    long = "围绕乡村振兴战略，发展壮大村集体经济，" * 4
    items = [
        item(1, 1, "东岗村", "东部管区", 1, "修路", S.NOT_STARTED),
        item(2, 1, "东岗村", "东部管区", 2, long, S.NOT_STARTED),
    ]
    book, _ = write(tmp_path, items=items)
    sheet = book["东岗村"]
    assert sheet.row_dimensions[5].height > sheet.row_dimensions[4].height * 1.5
    assert sheet["C5"].alignment.wrap_text is True


# ---------------------------------------------------------------------------- 汇总表


def test_summary_title_and_header(tmp_path: Path) -> None:
    book, _ = write(tmp_path)
    sheet = book["完成情况汇总表"]
    assert sheet["A1"].value == "清河镇2024年度村（社区）党组织书记承诺事项完成情况汇总表"
    assert "A1:I1" in merged(sheet)
    assert sheet["A2"].value == "统计截至：2024年7月15日"
    assert sheet["E2"].value == "填报单位：中共清河镇委员会"
    assert values(sheet, 3) == SUMMARY_HEADER


def test_summary_rows_ranked_by_rate_with_ties_and_no_rate_last(tmp_path: Path) -> None:
    book, _ = write(tmp_path)
    sheet = book["完成情况汇总表"]
    rows = [values(sheet, number) for number in range(4, 10)]
    # 小李庄社区 1/2; 东岗村 1/(5−1) with 1 overdue; 牛王庙村 all cancelled (no rate);
    # 南岗村 2/3 and 北岗村 2/(4−1): equal rates share rank 1, the next is 3.
    assert rows == [
        [1, "南部管区", "南岗村", 3, 2, 0, 0, "66.67%", 1],
        [2, "北部管区", "北岗村", 4, 2, 1, 1, "66.67%", 1],
        [3, "西部管区", "小李庄社区", 2, 1, 0, 0, "50.00%", 3],
        [4, "东部管区", "东岗村", 5, 1, 1, 1, "25.00%", 4],
        [5, "西部管区", "牛王庙村", 1, 0, 1, 0, "—", None],
        [6, "北部管区", "中岗村", 0, 0, 0, 0, "—", None],
    ]
    # Rates are text, exactly as the program shows them.
    assert sheet["H4"].data_type == "s"


def test_summary_total_row_and_township_rate(tmp_path: Path) -> None:
    book, _ = write(tmp_path)
    sheet = book["完成情况汇总表"]
    total = values(sheet, 10)
    # Items 3+4+2+5+1+0 = 15; done 2+2+1+1 = 6; cancelled 1+1+1 = 3; overdue 1+1 = 2;
    # township rate 6 ÷ (15 − 3) = 50.00%.
    assert total == ["合计", None, "6个", 15, 6, 3, 2, "50.00%", None]
    assert "A10:B10" in merged(sheet)
    assert all(sheet.cell(10, column).font.b for column in (1, *range(3, 10)))


def test_worst_rates_are_marked_and_the_rule_explained(tmp_path: Path) -> None:
    book, _ = write(tmp_path)
    sheet = book["完成情况汇总表"]
    fills = {sheet.cell(row, 3).value: fill_of(sheet.cell(row, 3)) for row in range(4, 10)}
    # Ranked rates 2/3, 2/3, 1/2, 1/4: the last three places are 2/3 (tied), 1/2 and 1/4, but
    # the best rate is never marked; units without a rate are not ranked, so not marked.
    assert fills == {"南岗村": "", "北岗村": "", "小李庄社区": RED, "东岗村": RED, "牛王庙村": "", "中岗村": ""}
    assert all(fill_of(cell) == RED for cell in sheet[7])
    notes = [sheet.cell(row, 1).value for row in range(11, 15)]
    assert notes[0] == "注：1. 完成率 = 已完成 ÷（承诺事项 − 已取消），统计截至2024年7月15日。"
    assert "后3位" in notes[2] and "红色底纹" in notes[2]
    assert "不排名" in notes[1]
    assert notes[3].startswith("4. 逾期：统计到 2024-07-15，已过完成时限仍未完成、未取消的承诺事项；已结转到下一年的")
    assert sheet.cell(15, 1).value.startswith("制表人：")


def test_competition_ranks() -> None:
    rates = [Fraction(1, 2), None, Fraction(2, 3), Fraction(1, 2), Fraction(0), Fraction(2, 3)]
    assert competition_ranks(rates) == [3, None, 1, 3, 5, 1]
    assert competition_ranks([]) == []


def test_worst_rates_rule() -> None:
    half, third, zero, one = Fraction(1, 2), Fraction(1, 3), Fraction(0), Fraction(1)
    assert worst_rates([one, half, third, zero, one]) == {1, 2, 3}
    # A tie at the third-worst place marks all who share it.
    assert worst_rates([one, half, half, zero, third]) == {1, 2, 3, 4}
    # All equal: nobody is worse than anybody.
    assert worst_rates([half, half, half, half]) == set()
    assert worst_rates([None, one, None]) == set()
    assert worst_rates([]) == set()


# ---------------------------------------------------------------------------- printing


@pytest.mark.parametrize(("paper", "size"), [("A4", 9), ("A3", 8)])
def test_print_settings(tmp_path: Path, paper: str, size: int) -> None:
    book, _ = write(tmp_path, paper=paper)
    for name in book.sheetnames:
        sheet = book[name]
        assert sheet.page_setup.paperSize == size
        assert sheet.page_setup.fitToWidth == 1
        assert sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert sheet.print_title_rows == "$1:$3"
        assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
        assert sheet.sheet_view.showGridLines is False
        assert not sheet.print_options.gridLines
    assert book["完成情况汇总表"].page_setup.orientation == "portrait"
    assert book["完成情况汇总表"].print_area == "'完成情况汇总表'!$A$1:$I$15"
    notice = book["东岗村"]
    assert notice.page_setup.orientation == "landscape"
    seal = find_row(notice, "东岗村党组织（盖章）")
    assert notice.print_area == f"'东岗村'!$A$1:$H${seal + 2}"


def test_a3_has_larger_type_and_wider_columns(tmp_path: Path) -> None:
    a4, _ = write(tmp_path, paper="A4", name="a4.xlsx")
    a3, _ = write(tmp_path, paper="A3", name="a3.xlsx")
    for name in ("东岗村", "完成情况汇总表"):
        small, large = a4[name], a3[name]
        assert large["A1"].font.sz > small["A1"].font.sz
        assert large["B4"].font.sz > small["B4"].font.sz
        wide = sum(large.column_dimensions[c].width for c in "ABCDEFGH")
        narrow = sum(small.column_dimensions[c].width for c in "ABCDEFGH")
        assert wide > narrow * 1.3


def test_table_is_laid_out_to_the_page_width(tmp_path: Path) -> None:
    # The notice is landscape and the summary portrait: laid out to about the page's width
    # (A4 landscape ≈ 140 column units at 100 %), so fit-to-width hardly has to shrink them.
    book, _ = write(tmp_path)
    notice = sum(book["东岗村"].column_dimensions[c].width for c in "ABCDEFGH")
    summary_width = sum(book["完成情况汇总表"].column_dimensions[c].width for c in "ABCDEFGHI")
    assert 120 <= notice <= 150
    assert 80 <= summary_width <= 100


def test_an_existing_file_is_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "承诺事项.xlsx"
    path.write_bytes(b"old")
    write(tmp_path)
    assert load_workbook(path).sheetnames[0] == "完成情况汇总表"
    assert [p.name for p in tmp_path.iterdir()] == ["承诺事项.xlsx"]


def test_a_carried_item_shows_where_it_went_and_the_sheets_count_to_the_years_end(tmp_path: Path) -> None:
    from lsb_desktop.domain.commitments import completion

    east = (1, "东岗村", "南部管区")
    carried = replace(item(1, *east, 1, "修建文化广场", S.IN_PROGRESS), carried_to_year=2025, carried_to_number=3)
    year_end = item(2, *east, 2, "村集体经济增收", S.IN_PROGRESS)  # due 2024年底, never done
    day, today = date(2024, 12, 31), date(2026, 3, 1)
    done = completion([carried, year_end], day, today)
    assert (done.overdue, done.carried) == (1, 1)
    book, _ = write(
        tmp_path,
        items=[carried, year_end],
        on=day,
        today=today,
        summary=[UnitCompletion(1, "东岗村", "南部管区", done)],
    )
    notice = book["东岗村"]
    assert notice["G4"].value == "已结转\n（转入2025年第3项）"
    assert notice["G5"].value == "逾期"
    summary_sheet = book["完成情况汇总表"]
    assert summary_sheet["G3"].value == "逾期\n（统计到 2024-12-31）"
    assert summary_sheet["G4"].value == 1
