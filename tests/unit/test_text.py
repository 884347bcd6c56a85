"""Normalisation and validation of names and dates as clerks type or paste them."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lsb_desktop.domain.text import (
    BLANK_DATE_TEXT,
    MAX_UNIT_NAME,
    canonical_name,
    clean,
    clean_text,
    date_text,
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


# ---------------------------------------------------------------------------- look-alikes and garbage
# Issue 19, point 2: one name check for every importer, dialog and service.

import sys  # noqa: E402
import unicodedata  # noqa: E402

from lsb_desktop.domain.text import (  # noqa: E402
    CUT_MARK,
    EXCEL_CELL_CHARS,
    MAX_ITEM_NAME,
    cut_cells_warning,
    fit_excel_cell,
    noting_cut_cells,
    shown_value,
    strip_invisible,
    validate_item_name,
)


def test_every_format_character_of_unicode_is_dropped() -> None:
    formats = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
    assert len(formats) > 150
    assert strip_invisible("".join(formats)) == ""


@pytest.mark.parametrize(
    "invisible",
    [
        "\u200b",
        "\u200c",
        "\u200d",
        "\u200e",
        "\u200f",
        "\u202a",
        "\u202e",
        "\u2060",
        "\u2064",
        "\u2066",
        "\u2069",
        "\ufeff",
        "\u00ad",
        "\u3164",
        "\ufe0f",
        "\U000e0041",
    ],
)
def test_a_look_alike_is_the_same_name(invisible: str) -> None:
    assert validate_unit_name(f"张五{invisible}砦村") == "张五砦村"
    assert validate_unit_name(f"{invisible}张五砦村{invisible}") == canonical_name("张五砦村")
    assert validate_person_name(f"李{invisible}禛") == "李禛"
    assert validate_item_name(f"基层{invisible}党建") == "基层党建"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("#REF!", "是 Excel 的错误值“#REF!”"),
        ("#N/A", "错误值“#N/A”"),
        ("#value!", "错误值"),
        ("#DIV/0!", "错误值"),
        ("#NAME?", "错误值"),
        ("#NULL!", "错误值"),
        ("#NUM!", "错误值"),
        (date(2025, 1, 1), "是一个日期（2025-01-01）"),
        (datetime(2025, 1, 1, 8, 30), "是一个日期（2025-01-01）"),
        ("2025-01-01", "是一个日期"),
        ("2025年1月1日", "是一个日期"),
        ("2025/1/1", "是一个日期"),
        (12, "只有数字"),
        (3.5, "只有数字"),
        ("1,200.5", "只有数字"),
        ("张五_x0000_砦村", "转义文字“_x0000_”"),
        ("_x200B_张五砦村", "转义文字"),
        ("张五\x80砦村", "控制字符"),
        ("张五\x9f砦村", "控制字符"),
    ],
)
def test_garbage_is_refused_as_a_name_of_any_kind(text: object, reason: str) -> None:
    for check in (validate_unit_name, validate_item_name):
        with pytest.raises(ValidationError) as caught:
            check(text)
        assert reason in caught.value.message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("#N/A", "错误值"),
        ("张_x0000_三", "转义文字"),
        (date(1970, 5, 1), "日期"),
        ("张三3", "含有数字"),
        ("张\u202e三" * 11, "太长（22 个字，最多 20 个字）"),
    ],
)
def test_garbage_is_refused_as_a_person_name(text: object, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_person_name(text)
    assert reason in caught.value.message


def test_a_long_name_is_quoted_as_a_short_excerpt() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_item_name("党" * 100_000)
    assert caught.value.message == f"指标名称“{'党' * 20}…”太长（100000 个字，最多 {MAX_ITEM_NAME} 个字）"


def test_shown_value_cuts_and_blanks_control_characters() -> None:
    assert shown_value("甲\x07乙") == "甲 乙"
    assert shown_value("x" * 21) == "x" * 20 + "…"
    assert shown_value(None) == ""


def test_a_text_longer_than_a_cell_is_cut_with_a_mark_and_noted() -> None:
    with noting_cut_cells() as cuts:
        short = fit_excel_cell("备注", "甲")
        cut = fit_excel_cell("长" * 100_000, "工作表“名册”第 3 行 J列")
    assert short == "备注"
    assert len(cut) == EXCEL_CELL_CHARS and cut.endswith(CUT_MARK) and cut.startswith("长" * 1000)
    assert cuts == ["工作表“名册”第 3 行 J列"]
    assert cut_cells_warning(cuts).startswith("工作表“名册”第 3 行 J列的文字超过 Excel 单元格的上限（32767 个字）")
    assert cut_cells_warning([]) == ""
    # Outside the block nothing is collected (and nothing fails).
    assert fit_excel_cell("长" * 40_000, "乙").endswith(CUT_MARK)


def test_a_private_use_character_is_kept_for_the_fonts_to_judge() -> None:
    """Offices make rare name characters in the private-use area (造字); whether they print is
    decided by the font check before any PDF is written (tests/e2e/test_round_commands.py)."""
    assert validate_unit_name("\ue000庄村") == "\ue000庄村"


def test_a_date_is_written_without_leading_zeros_and_no_date_is_a_line_to_fill_in() -> None:
    assert date_text(date(2024, 3, 5)) == "2024年3月5日"
    assert date_text(date(2022, 12, 14)) == "2022年12月14日"
    assert date_text(None) == BLANK_DATE_TEXT == "______年____月____日"
