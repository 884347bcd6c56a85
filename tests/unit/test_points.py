"""Exact points: parsing what is typed or pasted, half-up display, integer hundredths."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from db.types import Points
from lsb_desktop.domain.points import check_two_places, display_points, from_hundredths, parse_points
from lsb_desktop.errors import ValidationError

two_place_decimals = st.decimals(
    min_value=Decimal("-100000"),
    max_value=Decimal("100000"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("95.5", Decimal("95.5")),
        ("９５.５", Decimal("95.5")),
        ("９５．５", Decimal("95.5")),
        (95.5, Decimal("95.5")),
        (" 100 ", Decimal("100")),
        (100, Decimal("100")),
        ("0.01", Decimal("0.01")),
        ("88.80", Decimal("88.8")),
        (Decimal("12.34"), Decimal("12.34")),
    ],
)
def test_parse_points_reads_typed_and_pasted_scores(value: object, expected: Decimal) -> None:
    assert parse_points(value) == expected


def test_parsed_points_carry_exactly_two_places() -> None:
    assert str(parse_points("95.5")) == "95.50"
    assert str(parse_points(" 100 ")) == "100.00"


def test_a_float_is_read_by_its_shortest_repr_not_its_binary_value() -> None:
    # Decimal(0.1) would be 0.1000000000000000055511151231257827...; the clerk typed 0.1.
    assert parse_points(0.1) == Decimal("0.1")
    assert parse_points(1.15) == Decimal("1.15")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("95.555", "两位小数"),
        (0.1 + 0.2, "两位小数"),  # 0.30000000000000004: refused, never rounded silently
        ("abc", "不是数字"),
        ("", "不能为空"),
        ("   ", "不能为空"),
        (None, "不能为空"),
        ("NaN", "不是数字"),
        ("Infinity", "不是数字"),
        ("-Infinity", "不是数字"),
        (float("nan"), "不是数字"),
        (True, "不是数字"),
        (False, "不是数字"),
        ("9５.５分", "不是数字"),
    ],
)
def test_parse_points_refuses_with_a_chinese_reason(value: object, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_points(value, "实地观摩得分")
    assert reason in caught.value.message
    assert "实地观摩得分" in caught.value.message


@pytest.mark.parametrize("value", ["1e30", "1" * 30, "１０００００００", 1e300, "-1e30"])
def test_parse_points_refuses_a_huge_number_with_a_validation_error(value: object) -> None:
    # Too long to quantize under Decimal's 28 digits, or simply no score: a Chinese refusal.
    with pytest.raises(ValidationError, match="太大"):
        parse_points(value)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1.005"), "1.01"),
        (Decimal("2.675"), "2.68"),
        (Decimal("2.665"), "2.67"),
        (Decimal("1.004999"), "1.00"),
        (Decimal("95"), "95.00"),
        (Decimal("88.8"), "88.80"),
        (Decimal("0"), "0.00"),
    ],
)
def test_display_points_rounds_half_up_to_two_places(value: Decimal, shown: str) -> None:
    assert display_points(value) == shown


def test_display_points_rounds_an_exact_weighted_score_half_up() -> None:
    # 0.7 × 90.15 is exactly 63.105: half-up gives 63.11 where float arithmetic gives 63.10.
    assert display_points(Decimal("0.7") * Decimal("90.15")) == "63.11"
    assert display_points(Decimal("272.025") / 3) == "90.68"  # 90.675 exactly


def _stored(value: Decimal) -> int:
    """What the Points column writes for `value` (the stored integer hundredths)."""
    return Points().process_bind_param(value, None)


def _read(count: int) -> Decimal:
    return Points().process_result_value(count, None)


def test_stored_hundredths_count_exactly() -> None:
    assert _stored(Decimal("12.34")) == 1234
    assert _stored(Decimal("0.01")) == 1
    assert _stored(Decimal("100")) == 10000
    assert _stored(Decimal("-2.5")) == -250


def test_from_hundredths_gives_two_places() -> None:
    assert from_hundredths(1234) == Decimal("12.34")
    assert str(from_hundredths(10000)) == "100.00"
    assert str(from_hundredths(1)) == "0.01"


def test_stored_hundredths_refuse_a_finer_value() -> None:
    with pytest.raises(ValueError, match="两位小数"):
        _stored(Decimal("1.234"))


@given(two_place_decimals)
def test_hundredths_round_trip_is_exact(value: Decimal) -> None:
    count = _stored(value)
    assert isinstance(count, int)
    assert from_hundredths(count) == value
    assert _read(count) == value


@given(st.integers(-10_000_000, 10_000_000))
def test_from_hundredths_then_stored_is_the_same_count(count: int) -> None:
    assert _stored(from_hundredths(count)) == count
    assert _read(count) == from_hundredths(count)


@pytest.mark.parametrize("value", ["12.34", "0.01", "100", "-2.5", "0", "1.230", "-0.00"])
def test_two_places_or_fewer_pass(value: str) -> None:
    assert check_two_places(Decimal(value), "分数") == Decimal(value)


@pytest.mark.parametrize("value", ["1.234", "0.001", "1E-999999999", "-0.005"])
def test_more_than_two_places_are_refused_naming_the_value(value: str) -> None:
    with pytest.raises(ValidationError, match=f"得分“{value}”超过两位小数"):
        check_two_places(Decimal(value), "得分")
    with pytest.raises(ValidationError, match="得分“原文”超过两位小数"):
        check_two_places(Decimal(value), "得分", "原文")


@given(two_place_decimals)
def test_parse_points_accepts_every_two_place_decimal_as_text(value: Decimal) -> None:
    assert parse_points(str(value)) == value
    assert display_points(parse_points(str(value))) == str(value.quantize(Decimal("0.01")))
