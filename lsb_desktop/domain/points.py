"""Exact points: Decimal values with at most two places, rounded half-up only for display."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from lsb_desktop.domain.text import clean, shown_value
from lsb_desktop.errors import ValidationError

HUNDREDTH = Decimal("0.01")
# No score, bonus or total comes near this; larger input is a typing or paste mistake.
MAX_POINTS = Decimal(1_000_000)
# Longer text is no score (a points value has at most 7 digits, a sign and two decimals).
MAX_POINTS_TEXT = 40


def parse_points(value: object, what: str = "分数") -> Decimal:
    """Read a score as typed or pasted (full-width digits too); refuse more than two decimals,
    NaN, infinities and anything as large as MAX_POINTS (1e308 too), always with a message."""
    if isinstance(value, bool):
        raise ValidationError(f"{what}“{value}”不是数字")
    if isinstance(value, float):
        value = repr(value)
    text = clean(value).replace(" ", "")
    shown = shown_value(text)
    if not text:
        raise ValidationError(f"{what}不能为空")
    if len(text) > MAX_POINTS_TEXT:
        raise ValidationError(f"{what}“{shown}”太长，不像分数")
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValidationError(f"{what}“{shown}”不是数字") from None
    if not number.is_finite():
        raise ValidationError(f"{what}“{shown}”不是数字")
    # adjusted() needs no arithmetic, so 1e999999999999 cannot overflow the context here.
    if number and number.adjusted() >= MAX_POINTS.adjusted():
        raise ValidationError(f"{what}“{shown}”太大，不像分数")
    check_two_places(number, what, shown)
    # -0 is 0: a score is never negative zero on paper.
    return number.quantize(HUNDREDTH) + 0


def check_two_places(number: Decimal, what: str, shown: object = None) -> Decimal:
    """`number` (finite) when it has at most two decimal places, else a ValidationError:
    {what}“{shown}”超过两位小数. The one home of the rule for typed, imported and scheme points
    (db.types.Points, below this layer, keeps its own guard on what is stored)."""
    # adjusted() first: a tiny 1E-999999999 is refused without building a huge Fraction.
    if number and (number.adjusted() < -2 or (Fraction(number) * 100).denominator != 1):
        raise ValidationError(f"{what}“{number if shown is None else shown}”超过两位小数")
    return number


def from_hundredths(count: int) -> Decimal:
    return (Decimal(count) / 100).quantize(HUNDREDTH)


def display_points(value: Decimal) -> str:
    """Two decimals, half-up (1.005 → 1.01), as printed on the ranking sheet."""
    return str(Decimal(value).quantize(HUNDREDTH, rounding=ROUND_HALF_UP))
