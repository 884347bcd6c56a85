"""The 备注 of a ranked unit: one function builds it for the ranking sheet and the flag list."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from lsb_desktop.domain.paper import SheetRow, remarks
from lsb_desktop.domain.rounds import AdjustmentType, RoundAdjustment, RoundUnit, UnitResult
from lsb_desktop.domain.scoring import Flag

UNIT = RoundUnit(7, 107, "马垌村", "东部管区", "马国庆", "村", "党支部", True, 7)


def result(**changes) -> UnitResult:
    values = dict(
        unit=UNIT,
        rank=24,
        composite=Fraction(9498, 100),
        components={},
        judges={},
        flag=None,
        notes=(),
        bonus=Decimal(0),
        deduction=Decimal(0),
        veto_reason="",
    )
    values.update(changes)
    return UnitResult(**values)


def adjustment(kind: AdjustmentType, amount: str | None, reason: str) -> RoundAdjustment:
    return RoundAdjustment(1, UNIT.id, kind, Decimal(amount) if amount is not None else None, reason)


def test_nothing_to_say_is_empty() -> None:
    assert remarks(result()) == ""


def test_veto_first_then_bonuses_and_deductions_with_amounts_then_notes_then_extra() -> None:
    vetoed = result(
        flag=Flag.BLACK,
        notes=("评委不足", "一票否决：发生一起较大安全生产事故"),
        bonus=Decimal("2.50"),
        deduction=Decimal("1"),
        veto_reason="发生一起较大安全生产事故",
    )
    given = [
        adjustment(AdjustmentType.BONUS, "2.00", "获评市级文明村"),
        adjustment(AdjustmentType.VETO, None, "发生一起较大安全生产事故"),
        adjustment(AdjustmentType.BONUS, "0.50", "材料报送及时"),
        adjustment(AdjustmentType.DEDUCTION, "1.00", "环境整治不达标"),
    ]
    assert remarks(vetoed, given, ("旗位并列：党委研究决定",)) == (
        "一票否决：发生一起较大安全生产事故；加分 2：获评市级文明村；加分 0.5：材料报送及时；"
        "扣分 1：环境整治不达标；评委不足；旗位并列：党委研究决定"
    )


def test_totals_without_their_adjustments_are_still_named() -> None:
    assert remarks(result(bonus=Decimal("1.5"), deduction=Decimal("2"))) == "加分 1.5；扣分 2"


def test_a_veto_known_only_from_the_adjustments_is_said() -> None:
    assert remarks(result(), [adjustment(AdjustmentType.VETO, None, "非正常上访")]) == "一票否决：非正常上访"


def test_extra_notes_never_repeat() -> None:
    assert remarks(result(notes=("评委不足",)), (), ("评委不足", "", "并列第6名按并列规则决定")) == (
        "评委不足；并列第6名按并列规则决定"
    )


def test_paper_data_remarks_use_the_rows_own_adjustments_and_extra_notes() -> None:
    from datetime import date

    from lsb_desktop.domain.paper import PaperData
    from lsb_desktop.domain.period import Period
    from lsb_desktop.domain.rounds import RoundRules
    from lsb_desktop.domain.scoring import Component, Criterion, Scheme

    row = SheetRow(result(deduction=Decimal("3")), {})
    data = PaperData(
        "清河镇",
        "中共清河镇委员会",
        Period(2024, 1),
        "评比",
        date(2024, 4, 20),
        (),
        Scheme((Component("实地观摩", Decimal(1), (Criterion("基层党建", Decimal(100)),)),)),
        RoundRules(),
        (row,),
        (),
        True,
        adjustments={UNIT.id: (adjustment(AdjustmentType.DEDUCTION, "3", "安全检查不合格"),)},
        extra_notes={UNIT.id: ("与乙村并列，党委研究决定给黑旗",)},
    )
    assert data.remarks(row) == "扣分 3：安全检查不合格；与乙村并列，党委研究决定给黑旗"
