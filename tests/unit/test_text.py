"""Normalisation and validation of names and dates as clerks type or paste them."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lsb_desktop.domain.text import (
    MAX_UNIT_NAME,
    canonical_name,
    clean,
    clean_text,
    parse_date,
    validate_person_name,
    validate_unit_name,
)
from lsb_desktop.errors import ValidationError

# ---------------------------------------------------------------------------- canonical_name


def test_half_width_and_full_width_parentheses_are_the_same_name() -> None:
    assert canonical_name("东关(社区)") == canonical_name("东关（社区）")


def test_canonical_name_writes_the_full_width_parentheses_of_official_paper() -> None:
    assert canonical_name("东关(社区)") == "东关（社区）"


def test_canonical_name_removes_inner_and_full_width_spaces() -> None:
    assert canonical_name("　张 五砦　村 ") == "张五砦村"
    assert canonical_name("张\u3000五砦村") == "张五砦村"


def test_canonical_name_turns_full_width_digits_and_letters_half_width() -> None:
    assert canonical_name("第１２村民组") == "第12村民组"
    assert canonical_name("ＡＢ村") == "AB村"


def test_clean_keeps_single_inner_spaces_and_makes_none_empty() -> None:
    assert clean("  张   三 ") == "张 三"
    assert clean(None) == ""


@given(st.text())
def test_canonical_name_is_idempotent(text: str) -> None:
    once = canonical_name(text)
    assert canonical_name(once) == once


def test_canonical_name_is_stable_when_removing_a_space_joins_a_combining_mark() -> None:
    # 'e', a space, a combining acute: without the space they compose to 'é'.
    once = canonical_name("Cafe \u0301")
    assert once == "Caf\u00e9"
    assert canonical_name(once) == once


# ---------------------------------------------------------------------------- free text


def test_clean_text_keeps_chinese_punctuation_as_typed() -> None:
    assert clean_text("镇发〔2024〕8号，经党委会研究：同意（试行）") == "镇发〔2024〕8号，经党委会研究：同意（试行）"


def test_clean_text_makes_full_width_letters_and_digits_half_width_and_folds_spaces() -> None:
    assert clean_text("  第１２号　ＡＢ  文件 ") == "第12号 AB 文件"
    assert clean_text(None) == ""


# ---------------------------------------------------------------------------- unit names


def test_validate_unit_name_returns_the_canonical_name() -> None:
    assert validate_unit_name(" 东关 (社区) ") == "东关（社区）"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "不能为空"),
        ("   ", "不能为空"),
        (None, "不能为空"),
        ("123", "只有数字"),
        ("１２３", "只有数字"),
        ("(12)", "只有数字"),
        ("合计", "合计行"),
        ("总计", "合计行"),
        ("=SUM(A1:A3)", "开头"),
        ("+张五砦村", "开头"),
        ("-张五砦村", "开头"),
        ("@张五砦村", "开头"),
        ("张" * (MAX_UNIT_NAME + 1), "太长"),
        ("张五\x07砦村", "控制字符"),
        ("张五砦村\x00", "控制字符"),
    ],
)
def test_validate_unit_name_refuses_with_a_chinese_reason(text: object, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_unit_name(text)
    assert reason in caught.value.message


def test_a_unit_name_of_exactly_the_maximum_length_is_accepted() -> None:
    name = "张" * MAX_UNIT_NAME
    assert validate_unit_name(name) == name


# ---------------------------------------------------------------------------- person names


def test_person_name_loses_inner_spaces() -> None:
    assert validate_person_name("张 三") == "张三"
    assert validate_person_name("　李　禛 ") == "李禛"


def test_person_name_unifies_the_middle_dot() -> None:
    assert validate_person_name("阿依•买买提") == "阿依·买买提"
    assert validate_person_name("阿依・买买提") == "阿依·买买提"


@pytest.mark.parametrize("text", ["张三1", "张三１", "007"])
def test_person_name_with_digits_is_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="含有数字"):
        validate_person_name(text)


@pytest.mark.parametrize("text", ["", "=张三", "张" * 21])
def test_person_name_empty_formula_or_too_long_is_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        validate_person_name(text)


# ---------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "value",
    [
        "2023-9-26",
        "2023-09-26",
        "2023.9.26",
        "2023/09/26",
        "2023年9月26日",
        "2023年09月26日",
        "2023年9月26",
        " 2023 - 9 - 26 ",
        "２０２３－９－２６",
        "20230926",
        45195,  # Excel's serial for 2023-09-26 (days since 1899-12-30)
        45195.0,
        "45195",
        datetime(2023, 9, 26, 14, 30),
        date(2023, 9, 26),
    ],
)
def test_parse_date_reads_the_ways_a_clerk_writes_a_date(value: object) -> None:
    assert parse_date(value) == date(2023, 9, 26)


def test_excel_serials_after_the_phantom_leap_day_of_1900_are_exact() -> None:
    # Excel counts a 1900-02-29 that never was; from serial 61 on, its calendar is right.
    assert parse_date(61) == date(1900, 3, 1)
    assert parse_date(2958465) == date(9999, 12, 31)


@pytest.mark.parametrize(
    "value",
    ["2023-2-30", "2023-13-01", "明天", "", "2023年9月", "26/9/2023", 0, 1.5, -3, True],
)
def test_parse_date_refuses_what_is_not_a_date(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_date(value, "任职时间")
    assert "任职时间" in caught.value.message
