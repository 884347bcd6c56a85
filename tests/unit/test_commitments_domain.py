"""Commitment rules: due dates, 逾期 derived from them, status transitions (adjusted and
cancelled included), the completion rate and how it is shown. Expected values are worked out
by hand in each test."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lsb_desktop.domain.commitments import (
    TRANSITIONS,
    Commitment,
    CommitmentStatus,
    Completion,
    check_new_status,
    check_percent,
    check_transition,
    completion,
    counted_to,
    due_date,
    overdue_heading,
    past_due,
    percent_text,
)
from lsb_desktop.errors import ValidationError

S = CommitmentStatus
F = Fraction


def item(
    number: int = 1,
    *,
    status: S = S.IN_PROGRESS,
    deadline: date | None = None,
    quarter: int | None = None,
    completed_on: date | None = None,
    cancelled_on: date | None = None,
    adjusted_on: date | None = None,
    year: int = 2024,
) -> Commitment:
    return Commitment(
        id=number,
        unit_id=1,
        unit_name="甲村",
        district_name="",
        year=year,
        number=number,
        content=f"第{number}项",
        category="民生实事",
        target="",
        deadline=deadline,
        target_quarter=quarter,
        responsible="",
        status=status,
        completed_on=completed_on,
        cancelled_on=cancelled_on,
        cancel_reason="原因" if cancelled_on else "",
        adjusted_on=adjusted_on,
        adjust_reason="原因" if adjusted_on else "",
    )


# ---------------------------------------------------------------------------- due dates


def test_due_date_is_the_deadline_then_the_quarter_end_then_the_year_end() -> None:
    assert due_date(2024, date(2024, 5, 20), 3) == date(2024, 5, 20)
    assert due_date(2024, None, 1) == date(2024, 3, 31)
    assert due_date(2024, None, 2) == date(2024, 6, 30)
    assert due_date(2024, None, 3) == date(2024, 9, 30)
    assert due_date(2024, None, 4) == date(2024, 12, 31)
    assert due_date(2023, None, None) == date(2023, 12, 31)


def test_deadline_text_follows_what_was_promised() -> None:
    assert item(deadline=date(2024, 6, 30)).deadline_text == "2024年6月30日"
    assert item(quarter=3).deadline_text == "2024年第三季度"
    assert item().deadline_text == "2024年底"


# ---------------------------------------------------------------------------- 逾期 is derived


def test_an_open_item_is_overdue_once_its_due_day_is_over() -> None:
    promised = item(status=S.NOT_STARTED, quarter=2)
    today = date(2024, 6, 30)
    assert promised.status_on(today, today) is S.NOT_STARTED  # the due day itself is still in time
    assert promised.status_on(date(2024, 7, 1), date(2024, 7, 1)) is S.OVERDUE
    # Counted to the due day once that day is over, the time limit has run out.
    assert promised.status_on(date(2024, 6, 30), date(2024, 7, 1)) is S.OVERDUE
    assert promised.status_on(date(2024, 6, 29), date(2025, 1, 1)) is S.NOT_STARTED
    started = item(status=S.IN_PROGRESS, deadline=date(2024, 5, 15))
    assert started.status_on(date(2024, 5, 15), date(2024, 5, 15)) is S.IN_PROGRESS
    assert started.status_on(date(2024, 5, 16), date(2024, 5, 16)) is S.OVERDUE


def test_one_definition_of_the_time_limit_and_the_day_counted_to() -> None:
    due = date(2024, 12, 31)
    assert not past_due(due, date(2024, 12, 31), today=date(2024, 12, 31))  # tonight is still in time
    assert past_due(due, date(2024, 12, 31), today=date(2025, 1, 1))
    assert past_due(due, date(2025, 1, 1), today=date(2025, 1, 1))
    assert not past_due(due, date(2024, 12, 30), today=date(2026, 1, 1))
    assert counted_to(2024, date(2026, 12, 1)) == date(2024, 12, 31)  # a past year: its last day
    assert counted_to(2026, date(2026, 5, 7)) == date(2026, 5, 7)  # this year: today
    assert counted_to(2026, date(2026, 5, 7), quarter=1) == date(2026, 3, 31)
    assert counted_to(2026, date(2026, 5, 7), quarter=3) == date(2026, 5, 7)
    assert counted_to(2027, date(2026, 5, 7)) == date(2027, 1, 1)  # a future year: its first day
    assert overdue_heading(date(2024, 12, 31)) == "逾期（统计到 2024-12-31）"


def test_an_item_due_at_the_years_end_and_never_done_is_overdue_for_that_year() -> None:
    # Why one place said 逾期 42 and another 18: counted to 12-31 an item due that day was in
    # time, counted to today it was late. Once the year is over both count it.
    open_item = item(status=S.IN_PROGRESS)
    end = date(2024, 12, 31)
    assert open_item.status_on(end, date(2026, 12, 1)) is S.OVERDUE
    assert open_item.status_on(date(2026, 12, 1), date(2026, 12, 1)) is S.OVERDUE
    assert completion([open_item], end, date(2026, 12, 1)).overdue == 1


def test_a_carried_item_shows_carried_and_is_never_overdue() -> None:
    carried = replace(item(status=S.IN_PROGRESS, quarter=2), carried_to_year=2025, carried_to_number=3)
    assert carried.status_on(date(2024, 12, 31), date(2026, 1, 1)) is S.CARRIED
    assert carried.status_on(date(2024, 8, 1), date(2026, 1, 1)) is S.CARRIED
    assert carried.carried_text == "已结转到 2025 年第 3 项"
    assert S.CARRIED.label == "已结转" and not S.CARRIED.stored and not S.CARRIED.open
    result = completion(
        [carried, item(2, status=S.DONE, completed_on=date(2024, 5, 1))], date(2024, 12, 31), date(2026, 1, 1)
    )
    # Still in the denominator as not done; not 逾期.
    assert (result.total, result.done, result.overdue, result.carried, result.rate) == (2, 1, 0, 1, F(1, 2))
    # Done after all (a late completion recorded later) counts as done.
    done_late = replace(carried, status=S.DONE, completed_on=date(2025, 2, 1))
    assert done_late.status_on(date(2025, 3, 1), date(2026, 1, 1)) is S.DONE
    with pytest.raises(ValidationError, match="已结转"):
        check_transition(S.IN_PROGRESS, S.CARRIED)


def test_a_late_completion_is_overdue_until_the_day_it_is_done() -> None:
    late = item(status=S.DONE, quarter=2, completed_on=date(2024, 8, 10))
    assert late.status_on(date(2024, 6, 1), date(2024, 6, 1)) is S.IN_PROGRESS  # done later: still in progress then
    assert late.status_on(date(2024, 7, 31)) is S.OVERDUE
    assert late.status_on(date(2024, 8, 10)) is S.DONE
    assert late.status_on(date(2025, 1, 1)) is S.DONE


def test_a_cancelled_item_is_never_overdue_after_it_is_cancelled() -> None:
    dropped = item(status=S.CANCELLED, quarter=1, cancelled_on=date(2024, 5, 1))
    assert dropped.status_on(date(2024, 3, 1)) is S.IN_PROGRESS
    assert dropped.status_on(date(2024, 4, 15)) is S.OVERDUE  # due 3-31, not yet cancelled
    assert dropped.status_on(date(2024, 5, 1)) is S.CANCELLED
    assert dropped.status_on(date(2024, 12, 31)) is S.CANCELLED


def test_an_adjusted_item_shows_adjusted_until_done_or_late() -> None:
    adjusted = item(status=S.ADJUSTED, deadline=date(2024, 10, 31), adjusted_on=date(2024, 5, 1))
    assert adjusted.status_on(date(2024, 9, 1)) is S.ADJUSTED
    assert adjusted.status_on(date(2024, 11, 1)) is S.OVERDUE
    done_later = item(
        status=S.DONE, deadline=date(2024, 10, 31), adjusted_on=date(2024, 5, 1), completed_on=date(2024, 10, 20)
    )
    assert done_later.status_on(date(2024, 9, 1)) is S.ADJUSTED
    assert done_later.status_on(date(2024, 10, 20)) is S.DONE


def test_overdue_and_carried_are_never_stored() -> None:
    assert not S.OVERDUE.stored and not S.CARRIED.stored
    assert all(status.stored for status in S if status not in (S.OVERDUE, S.CARRIED))
    assert S.OVERDUE not in TRANSITIONS and S.CARRIED not in TRANSITIONS
    assert {s for s in S if s.open} == {S.NOT_STARTED, S.IN_PROGRESS, S.ADJUSTED}


# ---------------------------------------------------------------------------- transitions


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (S.NOT_STARTED, S.IN_PROGRESS),
        (S.NOT_STARTED, S.DONE),
        (S.IN_PROGRESS, S.NOT_STARTED),
        (S.IN_PROGRESS, S.DONE),
        (S.ADJUSTED, S.DONE),
        (S.DONE, S.IN_PROGRESS),
        (S.DONE, S.DONE),
    ],
)
def test_allowed_transitions(old: S, new: S) -> None:
    check_transition(old, new)  # no exception


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (S.DONE, S.CANCELLED, "不能从“已完成”改为“已取消”"),
        (S.DONE, S.NOT_STARTED, "不能从“已完成”改为“未启动”"),
        (S.ADJUSTED, S.NOT_STARTED, "不能从“已调整”改为“未启动”"),
        (S.CANCELLED, S.IN_PROGRESS, "已取消的承诺事项不能再改状态"),
        (S.CANCELLED, S.DONE, "已取消的承诺事项不能再改状态"),
        (S.IN_PROGRESS, S.OVERDUE, "由截止时间自动判定"),
        (S.OVERDUE, S.DONE, "不是保存的状态"),
    ],
)
def test_refused_transitions(old: S, new: S, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        check_transition(old, new, reason="有原因")


def test_cancelling_needs_a_reason() -> None:
    for old in (S.NOT_STARTED, S.IN_PROGRESS, S.ADJUSTED):
        with pytest.raises(ValidationError, match="取消承诺事项必须写明原因"):
            check_transition(old, S.CANCELLED, reason="  ")
        check_transition(old, S.CANCELLED, reason="上级统一规划，村级不再建设")


def test_adjusting_needs_a_reason_and_may_happen_again() -> None:
    with pytest.raises(ValidationError, match="调整承诺事项必须写明原因"):
        check_transition(S.IN_PROGRESS, S.ADJUSTED)
    check_transition(S.IN_PROGRESS, S.ADJUSTED, reason="资金未到位")
    with pytest.raises(ValidationError, match="调整承诺事项必须写明原因"):
        check_transition(S.ADJUSTED, S.ADJUSTED, adjusted=True)
    check_transition(S.ADJUSTED, S.ADJUSTED, reason="再次调整", adjusted=True)


def test_an_adjusted_item_stays_adjusted_until_done_or_cancelled() -> None:
    with pytest.raises(ValidationError, match="保持“已调整”"):
        check_transition(S.DONE, S.IN_PROGRESS, adjusted=True)
    check_transition(S.ADJUSTED, S.DONE, adjusted=True)
    check_transition(S.ADJUSTED, S.CANCELLED, reason="不再实施", adjusted=True)


def test_status_labels_and_aliases_parse() -> None:
    assert [s.label for s in S] == ["未启动", "推进中", "已完成", "逾期", "已调整", "已取消", "已结转"]
    assert S.parse(" 已完成 ") is S.DONE
    assert S.parse("进行中") is S.IN_PROGRESS
    assert S.parse("已逾期") is S.OVERDUE
    assert S.parse("取消") is S.CANCELLED
    with pytest.raises(ValidationError, match="无法识别状态“差不多了”"):
        S.parse("差不多了")


# ---------------------------------------------------------------------------- percent


@pytest.mark.parametrize(("value", "expected"), [(0, 0), ("80", 80), ("80%", 80), ("８０％", 80), (100.0, 100)])
def test_check_percent_reads_whole_numbers(value: object, expected: int) -> None:
    assert check_percent(value) == expected


@pytest.mark.parametrize("value", [101, "-5", "50.5", "一半", "", None])
def test_check_percent_refuses_the_rest(value: object) -> None:
    with pytest.raises(ValidationError):
        check_percent(value)


# ---------------------------------------------------------------------------- completion


def test_completion_rate_is_done_over_all_but_cancelled() -> None:
    day = date(2024, 9, 30)
    items = [
        item(1, status=S.DONE, quarter=2, completed_on=date(2024, 6, 20)),  # done
        item(2, status=S.DONE, quarter=4, completed_on=date(2024, 9, 30)),  # done on the day itself
        item(3, status=S.DONE, quarter=3, completed_on=date(2024, 10, 8)),  # done later: not yet
        item(4, status=S.CANCELLED, quarter=4, cancelled_on=date(2024, 7, 1)),  # cancelled
        item(5, status=S.IN_PROGRESS, deadline=date(2024, 8, 31)),  # overdue
        item(6, status=S.NOT_STARTED, quarter=4),  # open, in time
    ]
    result = completion(items, day, today=day)  # as it stood on 9-30
    assert result == Completion(total=6, done=2, cancelled=1, overdue=1)
    # Counted to 9-30 once that day is over, item 3 (due 9-30, done 10-8) was late too.
    assert completion(items, day, today=date(2024, 10, 1)).overdue == 2
    assert result.counted == 5
    assert result.rate == F(2, 5)
    assert result.rate_text == "40.00%"
    assert result.explain() == "已完成 2 项 ÷（承诺 6 项 − 取消 1 项）= 40.00%"
    # A quarter later everything but the overdue one is done.
    assert completion(items, date(2024, 12, 31)).rate == F(3, 5)


def test_a_cancellation_after_the_day_still_counts_the_item() -> None:
    items = [
        item(1, status=S.DONE, completed_on=date(2024, 3, 1)),
        item(2, status=S.CANCELLED, cancelled_on=date(2024, 8, 1)),
    ]
    assert completion(items, date(2024, 6, 30)).rate == F(1, 2)
    assert completion(items, date(2024, 9, 30)).rate == F(1, 1)


def test_nothing_countable_gives_no_rate_rather_than_zero_or_full() -> None:
    assert completion([], date(2024, 12, 31)).rate is None
    only_cancelled = completion([item(status=S.CANCELLED, cancelled_on=date(2024, 2, 1))], date(2024, 3, 31))
    assert only_cancelled.rate is None
    assert only_cancelled.rate_text == "—"
    assert only_cancelled.explain() == "承诺事项 1 项（取消 1 项），无可计算的事项"


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (F(2, 3), "66.67%"),
        (F(1, 3), "33.33%"),
        (F(1, 8), "12.50%"),
        (F(1, 800), "0.13%"),
        (F(1, 1600), "0.06%"),
        (F(0), "0.00%"),
        (F(1), "100.00%"),
        (None, "—"),
    ],
)
def test_percent_text_rounds_half_up_to_two_decimals(rate: Fraction | None, text: str) -> None:
    assert percent_text(rate) == text


# ---------------------------------------------------------------------------- properties

START = date(2024, 1, 1)
days = st.integers(min_value=0, max_value=400).map(lambda n: START + timedelta(days=n))


@st.composite
def commitments(draw) -> list[Commitment]:
    result = []
    for number in range(1, draw(st.integers(min_value=0, max_value=12)) + 1):
        deadline = draw(st.none() | days.filter(lambda d: d.year == 2024))
        quarter = None if deadline else draw(st.none() | st.integers(min_value=1, max_value=4))
        end = draw(st.sampled_from(["open", "done", "cancelled"]))
        result.append(
            item(
                number,
                deadline=deadline,
                quarter=quarter,
                status={
                    "open": draw(st.sampled_from([S.NOT_STARTED, S.IN_PROGRESS])),
                    "done": S.DONE,
                    "cancelled": S.CANCELLED,
                }[end],
                completed_on=draw(days) if end == "done" else None,
                cancelled_on=draw(days) if end == "cancelled" else None,
            )
        )
    return result


@given(commitments(), days)
def test_rate_is_between_zero_and_one_and_the_counts_add_up(items: list[Commitment], day: date) -> None:
    result = completion(items, day)
    assert result.total == len(items)
    assert result.done + result.cancelled + result.overdue <= result.total
    if result.counted == 0:
        assert result.rate is None
    else:
        assert 0 <= result.rate <= 1
        assert result.rate == F(result.done, result.total - result.cancelled)


@given(commitments(), days, days)
def test_what_is_done_or_cancelled_stays_so(items: list[Commitment], first: date, second: date) -> None:
    early, late = sorted((first, second))
    before, after = completion(items, early), completion(items, late)
    assert before.done <= after.done
    assert before.cancelled <= after.cancelled


@pytest.mark.parametrize(
    ("status", "message"), [(S.OVERDUE, "由截止时间自动判定"), (S.ADJUSTED, "新事项不能直接是“已调整”")]
)
def test_a_new_item_cannot_start_overdue_or_adjusted(status: S, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        check_new_status(status)


@pytest.mark.parametrize("status", [S.NOT_STARTED, S.IN_PROGRESS, S.DONE, S.CANCELLED])
def test_a_new_item_may_start_with_a_stored_status(status: S) -> None:
    check_new_status(status)  # no exception
