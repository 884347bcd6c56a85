"""The ranking sheet's 备注, exported through the paper service and read back with openpyxl:
一票否决 with its reason, 加分/扣分 with amount and reason, 评委不足."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from factories import make_unit
from openpyxl import load_workbook

from lsb_desktop.core import Core
from lsb_desktop.demo import BONUS, DEDUCTION, VETO
from lsb_desktop.domain.period import Period
from lsb_desktop.domain.rounds import AdjustmentType
from lsb_desktop.services.rounds import RoundDraft


def remarks_by_unit(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """备注 by unit name on the 得分汇总表 and on the 红黑旗名单."""
    book = load_workbook(path)
    try:
        summary = book["得分汇总表"]
        header = [summary.cell(3, c).value for c in range(1, summary.max_column + 1)]
        note_column, unit_column = header.index("备注") + 1, header.index("村（社区）") + 1
        on_summary = {
            summary.cell(r, unit_column).value: summary.cell(r, note_column).value or ""
            for r in range(5, summary.max_row + 1)
            if summary.cell(r, 1).value is not None and isinstance(summary.cell(r, 1).value, int)
        }
        flags = book["红黑旗名单"]
        on_flags = {
            flags.cell(r, 2).value: flags.cell(r, 6).value or ""
            for r in range(3, flags.max_row + 1)
            if isinstance(flags.cell(r, 1).value, int)
        }
    finally:
        book.close()
    return on_summary, on_flags


def test_demo_veto_bonus_and_deduction_reach_the_remarks(demo_core: Core, tmp_path: Path) -> None:
    for (year, quarter), name, expected in (
        (VETO[0], VETO[1], f"一票否决：{VETO[2]}"),
        (BONUS[0], BONUS[1], f"加分 {BONUS[2]}：{BONUS[3]}"),
        (DEDUCTION[0], DEDUCTION[1], f"扣分 {DEDUCTION[2]}：{DEDUCTION[3]}"),
    ):
        round_id = demo_core.rounds.find_round(Period(year, quarter).short_label)
        path = tmp_path / f"{year}Q{quarter}.xlsx"
        demo_core.paper.export_ranking(round_id, path)
        on_summary, on_flags = remarks_by_unit(path)
        assert on_summary[name] == expected, (year, quarter)
        # Nobody else in the round has a remark (seven judges everywhere).
        assert [n for n, text in on_summary.items() if text and n != name] == []
        if name in on_flags:
            assert on_flags[name] == expected
    vetoed = remarks_by_unit(tmp_path / f"{VETO[0][0]}Q{VETO[0][1]}.xlsx")[1]
    assert vetoed[VETO[1]] == f"一票否决：{VETO[2]}"


def test_a_draft_with_three_judges_says_too_few_judges_and_every_adjustment(core: Core, tmp_path: Path) -> None:
    for name in ("甲村", "乙村", "丙村"):
        make_unit(core, name)
    detail = core.rounds.create_round(RoundDraft(Period(2024, 1), judges=("王", "李", "张"), red=1, black=1)).value
    cells = [
        (judge.id, unit.id, criterion.name, criterion.max_points * Decimal("0.8"))
        for judge in detail.judges
        for unit in detail.units
        for component in detail.scheme.components
        for criterion in component.criteria
    ]
    core.rounds.set_scores(detail.id, cells)
    units = {u.name: u.id for u in detail.units}
    core.rounds.add_adjustment(detail.id, units["甲村"], AdjustmentType.BONUS, "1.5", "获评市级先进")
    core.rounds.add_adjustment(detail.id, units["甲村"], AdjustmentType.DEDUCTION, "0.5", "材料迟交")
    core.rounds.add_adjustment(detail.id, units["丙村"], AdjustmentType.VETO, None, "非正常上访")
    path = tmp_path / "草稿.xlsx"

    core.paper.export_ranking(detail.id, path)

    on_summary, on_flags = remarks_by_unit(path)
    assert on_summary == {
        "甲村": "加分 1.5：获评市级先进；扣分 0.5：材料迟交；评委不足",
        "乙村": "评委不足",
        "丙村": "一票否决：非正常上访；评委不足",
    }
    assert on_flags == {"甲村": on_summary["甲村"], "丙村": on_summary["丙村"]}
