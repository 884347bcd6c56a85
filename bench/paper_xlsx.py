"""Ranking-sheet benchmark: write_ranking_sheet for 100 units × 15 judges against the same
cells written with bare openpyxl calls, measured in the same run.

Run: uv run python -m bench.paper_xlsx [--runs N]. Goal: within 1.5× of bare.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from bench.tools import measure

GOAL_RATIO = 1.5
UNITS, JUDGES = 100, 15
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = "建国秀英伟洋静帆磊军红霞海涛志勇丽娟永强爱民长青"


def sample_paper(units: int = UNITS, judges: int = JUDGES, *, not_visited: int = 0, seed: int = 7):
    """A made-up round's PaperData (two components, trimmed means, 6 red and 6 black flags),
    built in memory without a database."""
    from lsb_desktop.domain.paper import PaperData, SheetRow
    from lsb_desktop.domain.period import Period
    from lsb_desktop.domain.rounds import RoundRules, RoundUnit, UnitResult
    from lsb_desktop.domain.scoring import Component, Criterion, Flag, Scheme

    rng = random.Random(seed)
    scheme = Scheme(
        (
            Component(
                "实地观摩", Decimal("0.7"), (Criterion("基层党建", Decimal(50)), Criterion("产业发展", Decimal(50)))
            ),
            Component("擂台比武", Decimal("0.3"), (Criterion("擂台比武", Decimal(100)),)),
        )
    )
    names = tuple(
        _SURNAMES[i % len(_SURNAMES)]
        + _GIVEN[(3 * i) % len(_GIVEN)]
        + ("" if i < len(_SURNAMES) else _GIVEN[i % len(_GIVEN)])
        for i in range(judges)
    )
    districts = ("东部管区", "西部管区", "南部管区", "北部管区")

    def person(i: int) -> str:
        return _SURNAMES[(i * 7) % len(_SURNAMES)] + _GIVEN[(i * 5) % len(_GIVEN)] + _GIVEN[(i * 11 + 1) % len(_GIVEN)]

    def unit(i: int, visited: bool) -> RoundUnit:
        return RoundUnit(i, i, f"测试{i:03d}村", districts[i % 4], person(i), "村", "党支部", visited, i)

    entries = []
    for i in range(1, units + 1):
        level = rng.randint(700, 960)
        totals = {
            c.name: {name: Decimal(min(1000, max(500, level + rng.randint(-40, 40)))) / 10 for name in names}
            for c in scheme.components
        }
        components = {}
        for component in scheme.components:
            values = sorted(totals[component.name].values())
            kept = values[1:-1] if len(values) >= 5 else values
            components[component.name] = Fraction(sum(kept, Decimal(0))) / len(kept)
        composite = sum(Fraction(c.weight) * components[c.name] for c in scheme.components)
        entries.append((composite, unit(i, True), components, totals))
    entries.sort(key=lambda item: -item[0])
    rows = []
    for position, (composite, round_unit, components, totals) in enumerate(entries, start=1):
        flag = Flag.RED if position <= 6 else Flag.BLACK if position > units - 6 else None
        notes = ("村务公开栏未及时更新",) if position % 9 == 0 else ()
        result = UnitResult(
            round_unit, position, composite, components, {c.name: judges for c in scheme.components}, flag, notes
        )
        rows.append(SheetRow(result, totals))
    absent = tuple(unit(units + i, False) for i in range(1, not_visited + 1))
    return PaperData(
        "孟庄镇",
        "中共孟庄镇委员会",
        Period(2024, 4),
        "村党组织书记“亮赛比”逐村观摩评比",
        date(2025, 1, 20),
        names,
        scheme,
        RoundRules(red=6, black=6),
        tuple(rows),
        absent,
        True,
        1,
    )


def write_bare(path: Path, data) -> None:
    """The same two sheets, cell for cell, with bare openpyxl calls and fixed widths."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from lsb_desktop.domain.scoring import Flag, round_points

    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    body = Font(name="宋体", size=11)
    bold = Font(name="宋体", size=11, bold=True)
    header_fill = PatternFill(fill_type="solid", start_color="F2F2F2", end_color="F2F2F2")
    fills = {
        Flag.RED: PatternFill(fill_type="solid", start_color="FFE0E0", end_color="FFE0E0"),
        Flag.BLACK: PatternFill(fill_type="solid", start_color="D9D9D9", end_color="D9D9D9"),
    }
    component = data.scheme.components[0].name
    names = [c.name for c in data.scheme.components]
    judges = len(data.judges)
    width = 4 + judges + 2 + len(names) + 2 + 4

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "得分汇总表"
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(1, 1, f"{data.full_title}得分汇总表").font = Font(name="宋体", size=18, bold=True)
    sheet.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    half = width // 2
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=half)
    sheet.merge_cells(start_row=2, start_column=half + 1, end_row=2, end_column=width)
    sheet.cell(2, 1, "观摩日期：2025年1月20日").font = Font(name="宋体", size=12)
    sheet.cell(2, half + 1, "（已定稿）").font = Font(name="宋体", size=12)
    sheet.cell(2, half + 1).alignment = Alignment(horizontal="right", vertical="center")
    labels = (
        ["序号", "管区", "村（社区）", "党组织书记"]
        + list(data.judges)
        + ["最高分", "最低分"]
        + [f"{n}\n得分" for n in names]
        + ["加分", "扣分", "综合得分", "排名", "红/黑旗", "备注"]
    )
    for row in (3, 4):
        for column in range(1, width + 1):
            cell = sheet.cell(row, column)
            cell.font, cell.fill, cell.border, cell.alignment = bold, header_fill, border, centre
    group_first, group_last = 5, 4 + judges + 2
    sheet.cell(3, group_first, f"{component}评委打分")
    sheet.merge_cells(start_row=3, start_column=group_first, end_row=3, end_column=group_last)
    for column, label in enumerate(labels, start=1):
        if group_first <= column <= group_last:
            sheet.cell(4, column, label)
        else:
            sheet.cell(3, column, label)
            sheet.merge_cells(start_row=3, start_column=column, end_row=4, end_column=column)

    row_number = 5
    for index, item in enumerate(data.rows, start=1):
        result = item.result
        given = [item.judge_totals[component][name] for name in data.judges]
        values = (
            [index, result.unit.district, result.unit.name, result.unit.secretary]
            + [float(v) for v in given]
            + [float(max(given)), float(min(given))]
            + [float(round_points(result.components[n])) for n in names]
            + [
                None,
                None,
                float(round_points(result.composite)),
                result.rank,
                result.flag.label if result.flag else None,
                "；".join(result.notes) or None,
            ]
        )
        fill = fills.get(result.flag)
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row_number, column, value)
            cell.font, cell.border = body, border
            cell.alignment = left if column in (3, width) else centre
            if 5 <= column <= width - 3:
                cell.number_format = "0.00"
            if fill is not None:
                cell.fill = fill
        sheet.row_dimensions[row_number].height = 20
        row_number += 1
    row_number += 1
    sheet.merge_cells(start_row=row_number, start_column=1, end_row=row_number, end_column=width)
    sheet.cell(row_number, 1, "评委签字：__________    记分人：__________    监督人：__________    审核：__________")
    for column in range(1, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 8
    sheet.freeze_panes = "E5"
    sheet.print_title_rows = "1:4"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A3
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "第 &P 页 共 &N 页"

    flags = workbook.create_sheet("红黑旗名单")
    flags.merge_cells("A1:F1")
    flags["A1"] = f"{data.full_title}红黑旗名单"
    flags["A1"].font = Font(name="宋体", size=18, bold=True)
    flags.merge_cells("A2:C2")
    flags.merge_cells("D2:F2")
    flags["A2"] = "观摩日期：2025年1月20日"
    flags["D2"] = "（已定稿）"
    row_number = 3
    for flag in (Flag.RED, Flag.BLACK):
        chosen = [r for r in data.rows if r.result.flag is flag]
        flags.merge_cells(start_row=row_number, start_column=1, end_row=row_number, end_column=6)
        flags.cell(row_number, 1, f"{flag.label}（{len(chosen)}个）").font = bold
        row_number += 1
        for column, label in enumerate(("序号", "村（社区）", "党组织书记", "综合得分", "排名", "备注"), 1):
            cell = flags.cell(row_number, column, label)
            cell.font, cell.fill, cell.border, cell.alignment = bold, header_fill, border, centre
        row_number += 1
        for index, item in enumerate(chosen, start=1):
            result = item.result
            values = (
                index,
                result.unit.name,
                result.unit.secretary,
                float(round_points(result.composite)),
                result.rank,
                None,
            )
            for column, value in enumerate(values, start=1):
                cell = flags.cell(row_number, column, value)
                cell.font, cell.border, cell.alignment = body, border, centre
            flags.cell(row_number, 4).number_format = "0.00"
            row_number += 1
        row_number += 1
    flags.print_title_rows = "1:2"
    flags.page_setup.orientation = flags.ORIENTATION_LANDSCAPE
    flags.oddFooter.center.text = "第 &P 页 共 &N 页"
    workbook.save(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="得分汇总表基准：100 个村 × 15 位评委")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    from lsb_desktop.io.ranking_sheet import write_ranking_sheet

    data = sample_paper()
    with tempfile.TemporaryDirectory() as scratch:
        ours_path, bare_path = Path(scratch) / "ours.xlsx", Path(scratch) / "bare.xlsx"
        write_ranking_sheet(ours_path, data)  # warm imports and caches once, for both sides
        write_bare(bare_path, data)
        ours, bare = [], []
        for _ in range(args.runs):  # interleaved, so drift in the machine hits both alike
            ours += measure(lambda: write_ranking_sheet(ours_path, data), 1)
            bare += measure(lambda: write_bare(bare_path, data), 1)
        sizes = ours_path.stat().st_size, bare_path.stat().st_size
    ours_ms, bare_ms = statistics.median(ours), statistics.median(bare)
    ratio = ours_ms / bare_ms
    print(f"得分汇总表 + 红黑旗名单（{UNITS} 个村 × {JUDGES} 位评委，中位数，{args.runs} 次）")
    print(f"  裸 openpyxl（同样的单元格、合并、底色）：{bare_ms:8.1f} ms（{sizes[1] // 1024} KB）")
    print(f"  write_ranking_sheet：                   {ours_ms:8.1f} ms（{sizes[0] // 1024} KB）")
    print(f"  比值：{ratio:.2f}×（目标 ≤ {GOAL_RATIO}×）{'达标' if ratio <= GOAL_RATIO else '未达标'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
