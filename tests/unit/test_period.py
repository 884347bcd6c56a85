"""Period: a contest quarter as a value — labels, neighbours, days, parsing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lsb_desktop.domain.period import Period, year_day, year_day_word
from lsb_desktop.errors import ValidationError

# Years whose neighbours (previous and next quarter) are still inside the allowed range.
periods = st.builds(Period, st.integers(2001, 2099), st.integers(1, 4))


def test_label_is_the_chinese_quarter_name() -> None:
    assert Period(2022, 4).label == "2022年第四季度"
    assert Period(2023, 1).label == "2023年第一季度"
    assert str(Period(2022, 2)) == "2022年第二季度"


def test_short_label_is_year_q_quarter() -> None:
    assert Period(2022, 4).short_label == "2022Q4"
    assert Period(2025, 1).short_label == "2025Q1"


def test_next_after_the_fourth_quarter_is_the_first_of_next_year() -> None:
    assert Period(2022, 4).next() == Period(2023, 1)
    assert Period(2022, 1).next() == Period(2022, 2)


def test_previous_before_the_first_quarter_is_the_fourth_of_last_year() -> None:
    assert Period(2023, 1).previous() == Period(2022, 4)
    assert Period(2023, 3).previous() == Period(2023, 2)


def test_periods_are_ordered_by_time() -> None:
    shuffled = [Period(2023, 1), Period(2022, 4), Period(2022, 1), Period(2023, 2)]
    assert sorted(shuffled) == [Period(2022, 1), Period(2022, 4), Period(2023, 1), Period(2023, 2)]
    assert Period(2022, 4) < Period(2023, 1)
    assert Period(2022, 3) > Period(2022, 2)


@pytest.mark.parametrize(
    ("period", "first", "last"),
    [
        (Period(2022, 1), date(2022, 1, 1), date(2022, 3, 31)),
        (Period(2022, 2), date(2022, 4, 1), date(2022, 6, 30)),
        (Period(2022, 3), date(2022, 7, 1), date(2022, 9, 30)),
        (Period(2022, 4), date(2022, 10, 1), date(2022, 12, 31)),
    ],
)
def test_first_and_last_day_of_each_quarter(period: Period, first: date, last: date) -> None:
    assert period.first_day == first
    assert period.last_day == last


def test_first_quarter_has_91_days_in_a_leap_year_and_90_otherwise() -> None:
    assert (Period(2024, 1).last_day - Period(2024, 1).first_day).days + 1 == 91
    assert (Period(2023, 1).last_day - Period(2023, 1).first_day).days + 1 == 90
    assert (Period(2000, 1).last_day - Period(2000, 1).first_day).days + 1 == 91  # 2000 is leap


def test_contains_the_quarters_own_days_only() -> None:
    q = Period(2024, 1)
    assert q.contains(date(2024, 2, 29))
    assert q.contains(date(2024, 3, 31))
    assert not q.contains(date(2024, 4, 1))
    assert not q.contains(date(2023, 12, 31))


@pytest.mark.parametrize(
    ("day", "period"),
    [
        (date(2022, 1, 1), Period(2022, 1)),
        (date(2022, 3, 31), Period(2022, 1)),
        (date(2022, 4, 1), Period(2022, 2)),
        (date(2022, 9, 30), Period(2022, 3)),
        (date(2022, 10, 1), Period(2022, 4)),
        (date(2022, 12, 31), Period(2022, 4)),
    ],
)
def test_of_a_day_is_the_quarter_it_falls_in(day: date, period: Period) -> None:
    assert Period.of(day) == period


@pytest.mark.parametrize(
    "text",
    [
        "2022Q4",
        "2022q4",
        "2022 Q 4",
        "2022-4",
        "2022/4",
        "2022年第四季度",
        "2022年4季度",
        "2022年第4季度",
        "２０２２Ｑ４",
        "  2022Q4  ",
    ],
)
def test_parse_reads_the_ways_a_clerk_writes_a_quarter(text: str) -> None:
    assert Period.parse(text) == Period(2022, 4)


def test_parse_reads_the_other_quarters_in_chinese() -> None:
    assert Period.parse("2023年第一季度") == Period(2023, 1)
    assert Period.parse("2023年第二季度") == Period(2023, 2)
    assert Period.parse("2023年第三季度") == Period(2023, 3)


@pytest.mark.parametrize("text", ["2022Q5", "2022Q0", "2022年第五季度", "明年一季度", "Q4", "", "2022"])
def test_parse_refuses_what_is_not_a_quarter_with_a_chinese_message(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Period.parse(text)
    assert "无法识别季度" in caught.value.message


def test_a_year_outside_the_supported_range_is_refused() -> None:
    with pytest.raises(ValidationError, match="年份"):
        Period(1999, 4)
    with pytest.raises(ValidationError, match="季度"):
        Period(2022, 5)


@given(periods)
def test_next_then_previous_is_the_same_quarter(period: Period) -> None:
    assert period.next().previous() == period
    assert period.previous().next() == period


@given(periods)
def test_of_the_first_and_last_day_is_the_quarter_itself(period: Period) -> None:
    assert Period.of(period.first_day) == period == Period.of(period.last_day)


@given(periods)
def test_quarters_are_contiguous(period: Period) -> None:
    assert period.last_day + timedelta(days=1) == period.next().first_day
    assert period < period.next()


@given(periods)
def test_both_labels_parse_back_to_the_same_quarter(period: Period) -> None:
    assert Period.parse(period.label) == period
    assert Period.parse(period.short_label) == period


# --- the day that stands for a year ----------------------------------------------------------

TODAY = date(2026, 5, 7)


def test_a_past_year_stands_as_it_ended_the_current_year_as_today_a_future_year_as_it_opens() -> None:
    assert year_day(2024, TODAY) == date(2024, 12, 31)
    assert year_day(2026, TODAY) == TODAY
    assert year_day(2027, TODAY) == date(2027, 1, 1)
    assert [year_day_word(y, TODAY) for y in (2024, 2026, 2027)] == ["年末", "今天", "年初"]


def test_a_part_of_the_year_ends_on_its_last_day() -> None:
    assert year_day(2026, TODAY, last=date(2026, 3, 31)) == date(2026, 3, 31)
    assert year_day(2026, TODAY, last=date(2026, 9, 30)) == TODAY
    assert year_day(2027, TODAY, last=date(2027, 3, 31)) == date(2027, 1, 1)


@given(st.integers(2001, 2099), st.dates(date(2000, 1, 1), date(2100, 12, 31)))
def test_the_day_lies_in_its_year_and_moves_with_today(year: int, today: date) -> None:
    day = year_day(year, today)
    assert day.year == year
    assert day == today or today.year != year
    assert year_day(year, today + timedelta(days=1)) >= day
