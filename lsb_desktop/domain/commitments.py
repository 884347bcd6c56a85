"""Commitments (定标亮诺): statuses and their transitions, due dates, 逾期, and the completion rate.

The rules, each explicit:
- A commitment is due on its deadline; without one, on the last day of its target quarter;
  without either, on 31 December of its year.
- 逾期 is never set by hand or stored, and has one definition (`past_due`): counted to a day, an
  item not done, cancelled or carried over by then is 逾期 when its time limit ran out by the end
  of that day. A day already over counts whole (an item due on 2024-12-31 and never done is
  逾期 counted to 2024-12-31); today counts as it stands (an item due today is still in time).
  A year's figures are counted to its last day, to today while it lasts, or to its first day
  before it begins (`counted_to`, after `period.year_day`).
- 已结转 (carried over into the next year) is shown, never stored: the item stays in its year,
  is no longer 逾期 there, and stays in the completion rate's denominator as not done.
- Completion rate of a unit on a day = items done by that day ÷ (all items − items cancelled
  by that day), over the unit's commitments of that year. With nothing left to count the rate
  is undefined (None), never 0 % or 100 %.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from lsb_desktop.domain.period import Period, year_day
from lsb_desktop.domain.points import display_points
from lsb_desktop.domain.text import clean_text, date_text
from lsb_desktop.errors import ValidationError

DEFAULT_CATEGORIES = ("基层党建", "集体经济·产业", "人居环境·基础设施", "民生实事", "平安治理", "其他")
CATEGORIES_KEY = "commitments.categories"
COMPLETION_COMPONENT = "承诺完成"
COMPLETION_CRITERION = "承诺完成率"
# How an imported file's rows find the items already stored, shown in every import preview.
MATCH_RULE = (
    "对应规则：同一村（社区）同一年度中，承诺事项内容相同的是同一项；内容不同而序号相同的也是同一项"
    "（从上一年结转来的事项不按序号对应）；其余为新增。"
    "会改动已有事项的行标为“将替换”，列出原来和导入后的内容，须核对确认后才导入。"
)


class CommitmentStatus(enum.Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    OVERDUE = "overdue"  # shown, never stored
    ADJUSTED = "adjusted"
    CANCELLED = "cancelled"
    CARRIED = "carried"  # shown, never stored: carried over into the next year

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def parse(cls, text: str) -> CommitmentStatus:
        key = clean_text(text)
        for status, label in _LABELS.items():
            if key == label:
                return status
        if key in _ALIASES:
            return _ALIASES[key]
        names = "、".join(label for status, label in _LABELS.items() if status is not CommitmentStatus.CARRIED)
        raise ValidationError(f"无法识别状态“{text}”，应为：{names}")

    @property
    def stored(self) -> bool:
        return self not in (CommitmentStatus.OVERDUE, CommitmentStatus.CARRIED)

    @property
    def open(self) -> bool:
        """Still to be delivered (can become 逾期)."""
        return self in _OPEN


_LABELS = {
    CommitmentStatus.NOT_STARTED: "未启动",
    CommitmentStatus.IN_PROGRESS: "推进中",
    CommitmentStatus.DONE: "已完成",
    CommitmentStatus.OVERDUE: "逾期",
    CommitmentStatus.ADJUSTED: "已调整",
    CommitmentStatus.CANCELLED: "已取消",
    CommitmentStatus.CARRIED: "已结转",
}
_ALIASES = {
    "未开始": CommitmentStatus.NOT_STARTED,
    "进行中": CommitmentStatus.IN_PROGRESS,
    "正在推进": CommitmentStatus.IN_PROGRESS,
    "完成": CommitmentStatus.DONE,
    "已办结": CommitmentStatus.DONE,
    "已逾期": CommitmentStatus.OVERDUE,
    "超期": CommitmentStatus.OVERDUE,
    "调整": CommitmentStatus.ADJUSTED,
    "取消": CommitmentStatus.CANCELLED,
    "结转": CommitmentStatus.CARRIED,
}
_OPEN = frozenset({CommitmentStatus.NOT_STARTED, CommitmentStatus.IN_PROGRESS, CommitmentStatus.ADJUSTED})

# Which stored status may follow which. 已调整 is reached only through `adjust` (new text with
# a reason), 已取消 only through `cancel` (with a reason); 已完成 may be reopened (a correction).
TRANSITIONS: dict[CommitmentStatus, frozenset[CommitmentStatus]] = {
    CommitmentStatus.NOT_STARTED: frozenset(
        {CommitmentStatus.IN_PROGRESS, CommitmentStatus.DONE, CommitmentStatus.ADJUSTED, CommitmentStatus.CANCELLED}
    ),
    CommitmentStatus.IN_PROGRESS: frozenset(
        {CommitmentStatus.NOT_STARTED, CommitmentStatus.DONE, CommitmentStatus.ADJUSTED, CommitmentStatus.CANCELLED}
    ),
    CommitmentStatus.ADJUSTED: frozenset(
        {CommitmentStatus.DONE, CommitmentStatus.ADJUSTED, CommitmentStatus.CANCELLED}
    ),
    CommitmentStatus.DONE: frozenset({CommitmentStatus.IN_PROGRESS}),
    CommitmentStatus.CANCELLED: frozenset(),
}


# The status messages, said the same wherever the rule is checked (here, the service, the dialogs).
OVERDUE_BY_HAND = "“逾期”由截止时间自动判定，不能手工设置"
CARRIED_BY_HAND = "“已结转”在结转到下一年时自动标记，不能手工设置"
CANCELLED_IS_FINAL = "已取消的承诺事项不能再改状态"
CANCEL_NEEDS_REASON = "取消承诺事项必须写明原因"
ADJUST_NEEDS_REASON = "调整承诺事项必须写明原因"
ADJUSTED_STAYS = "调整过的承诺事项保持“已调整”，直到完成或取消"
ADJUST_THROUGH_ADJUST = "“已调整”请用“调整”录入新的内容和调整原因（原内容会保留）"
NEW_NOT_ADJUSTED = "新事项不能直接是“已调整”：请先登记原承诺，再用“调整”写明新内容和原因"


def check_new_status(status: CommitmentStatus) -> None:
    """Refuse, in Chinese, a status a new item cannot start with (逾期 is never set by hand;
    已调整 needs an original promise to adjust)."""
    if status is CommitmentStatus.OVERDUE:
        raise ValidationError(OVERDUE_BY_HAND)
    if status is CommitmentStatus.ADJUSTED:
        raise ValidationError(NEW_NOT_ADJUSTED)


def check_transition(old: CommitmentStatus, new: CommitmentStatus, *, reason: str = "", adjusted: bool = False) -> None:
    """Refuse a status change the rules do not allow, in Chinese.

    `adjusted`: the item already carries an adjustment, so 推进中/未启动 come back as 已调整."""
    if new is CommitmentStatus.OVERDUE:
        raise ValidationError(OVERDUE_BY_HAND)
    if new is CommitmentStatus.CARRIED:
        raise ValidationError(CARRIED_BY_HAND)
    if not old.stored:
        raise ValidationError(f"“{old.label}”不是保存的状态")
    if new is old and new is not CommitmentStatus.ADJUSTED:
        return
    if new not in TRANSITIONS[old]:
        if old is CommitmentStatus.CANCELLED:
            raise ValidationError(CANCELLED_IS_FINAL)
        raise ValidationError(f"承诺事项不能从“{old.label}”改为“{new.label}”")
    if new is CommitmentStatus.CANCELLED and not clean_text(reason):
        raise ValidationError(CANCEL_NEEDS_REASON)
    if new is CommitmentStatus.ADJUSTED and not clean_text(reason):
        raise ValidationError(ADJUST_NEEDS_REASON)
    if adjusted and new in (CommitmentStatus.NOT_STARTED, CommitmentStatus.IN_PROGRESS):
        raise ValidationError(ADJUSTED_STAYS)


def due_date(year: int, deadline: date | None, target_quarter: int | None) -> date:
    """The deadline; else the last day of the target quarter; else the year's last day."""
    if deadline is not None:
        return deadline
    if target_quarter is not None:
        return Period(year, target_quarter).last_day
    return date(year, 12, 31)


def counted_to(year: int, today: date, quarter: int | None = None) -> date:
    """The day a year's figures (or those to a quarter's end) are counted to: `year_day`, the
    period's last day once it is over, today while it lasts, the year's first day before it
    begins. The list, the summary and the exported sheets use it."""
    return year_day(year, today, Period(year, quarter).last_day if quarter else None)


def past_due(due: date, day: date, today: date) -> bool:
    """The one definition of 逾期's time limit: counted to `day`, has an item due on `due` run out
    of time? A day already over counts whole (its time limit ran out with it); today counts as it
    stands, so an item due today is still in time."""
    return due < day or (due == day and day < today)


def counted_text(day: date) -> str:
    """“统计到 2024-12-31”, said wherever 逾期 or a completion figure is shown."""
    return f"统计到 {day.isoformat()}"


def overdue_heading(day: date) -> str:
    """The 逾期 figure's heading: 逾期（统计到 2024-12-31）."""
    return f"逾期（{counted_text(day)}）"


def due_text(year: int, deadline: date | None, target_quarter: int | None) -> str:
    """The 完成时限 as the clerk reads it: 2025年6月30日, 2025年第二季度, 2025年底."""
    if deadline is not None:
        return date_text(deadline)
    if target_quarter is not None:
        return Period(year, target_quarter).label
    return f"{year}年底"


def check_percent(value: object) -> int:
    """A progress percentage: a whole number 0–100 (a trailing % is accepted)."""
    text = clean_text(str(value)).rstrip("%％").strip() if value is not None else ""
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not text.isdigit():
        raise ValidationError(f"进度“{value}”应为 0–100 的整数")
    number = int(text)
    if number > 100:
        raise ValidationError(f"进度 {number}% 超过了 100%")
    return number


@dataclass(frozen=True, slots=True)
class Commitment:
    """A commitment as stored; `status` is the stored status, `status_on(day)` what to show."""

    id: int
    unit_id: int
    unit_name: str
    district_name: str
    year: int
    number: int
    content: str
    category: str
    target: str
    deadline: date | None
    target_quarter: int | None
    responsible: str
    status: CommitmentStatus
    original_content: str = ""
    original_target: str = ""
    original_deadline: date | None = None
    adjust_reason: str = ""
    adjusted_on: date | None = None
    cancel_reason: str = ""
    cancelled_on: date | None = None
    completed_on: date | None = None
    carried_from_id: int | None = None
    note: str = ""
    carried_to_year: int | None = None  # carried over into that year (shown as 已结转)
    carried_to_number: int | None = None
    latest_percent: int | None = None  # the latest progress entry's percent, if any
    evidence_count: int = 0

    @property
    def due(self) -> date:
        return due_date(self.year, self.deadline, self.target_quarter)

    @property
    def adjusted(self) -> bool:
        return self.adjusted_on is not None

    @property
    def deadline_text(self) -> str:
        return due_text(self.year, self.deadline, self.target_quarter)

    @property
    def carried(self) -> bool:
        return self.carried_to_year is not None

    @property
    def carried_text(self) -> str:
        """“已结转到 2025 年第 3 项”, or "" for an item not carried over."""
        if self.carried_to_year is None:
            return ""
        number = f"第 {self.carried_to_number} 项" if self.carried_to_number else ""
        return f"已结转到 {self.carried_to_year} 年{number}"

    def status_on(self, day: date, today: date | None = None) -> CommitmentStatus:
        """What the item was, counted to `day` (`today`: the real day, for `past_due`):
        cancelled or done by then; else 已结转 if it was carried over into the next year; else
        逾期 when its time limit had run out; else its stored open status (an item done or
        cancelled later shows 推进中 before)."""
        if self.cancelled_on is not None and self.cancelled_on <= day:
            return CommitmentStatus.CANCELLED
        if self.completed_on is not None and self.completed_on <= day:
            return CommitmentStatus.DONE
        if self.carried_to_year is not None:
            return CommitmentStatus.CARRIED
        if past_due(self.due, day, today or date.today()):
            return CommitmentStatus.OVERDUE
        if self.status.open:
            return self.status
        return CommitmentStatus.ADJUSTED if self.adjusted else CommitmentStatus.IN_PROGRESS


@dataclass(frozen=True, slots=True)
class Completion:
    """Counts behind a completion rate on one day. 已结转 items stay in the denominator as not
    done (they were not delivered in their year) and are not 逾期."""

    total: int
    done: int
    cancelled: int
    overdue: int
    carried: int = 0

    @property
    def counted(self) -> int:
        return self.total - self.cancelled

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.done, self.counted) if self.counted else None

    @property
    def rate_text(self) -> str:
        return percent_text(self.rate)

    def explain(self) -> str:
        """Where the figure comes from, as the round shows it."""
        if not self.counted:
            return f"承诺事项 {self.total} 项（取消 {self.cancelled} 项），无可计算的事项"
        return f"已完成 {self.done} 项 ÷（承诺 {self.total} 项 − 取消 {self.cancelled} 项）= {self.rate_text}"


def completion(items: Iterable[Commitment], day: date, today: date | None = None) -> Completion:
    """The completion counts of `items` (one unit's commitments of one year) counted to `day`."""
    total = done = cancelled = overdue = carried = 0
    for item in items:
        total += 1
        status = item.status_on(day, today)
        if status is CommitmentStatus.CANCELLED:
            cancelled += 1
        elif status is CommitmentStatus.DONE:
            done += 1
        elif status is CommitmentStatus.OVERDUE:
            overdue += 1
        elif status is CommitmentStatus.CARRIED:
            carried += 1
    return Completion(total, done, cancelled, overdue, carried)


def total_completion(parts: Iterable[Completion]) -> Completion:
    """The 全镇 line: every unit's counts added up."""
    parts = list(parts)
    return Completion(
        sum(p.total for p in parts),
        sum(p.done for p in parts),
        sum(p.cancelled for p in parts),
        sum(p.overdue for p in parts),
        sum(p.carried for p in parts),
    )


def percent_text(rate: Fraction | None) -> str:
    """A rate as a percentage with two decimals, half-up: 2/3 → 66.67%; None → —."""
    if rate is None:
        return "—"
    hundredths = (rate * 10000 * 2 + 1) // 2  # half-up on a non-negative value
    from decimal import Decimal

    return display_points(Decimal(int(hundredths)).scaleb(-2)) + "%"


# The township summary (tab and 完成情况汇总表) marks the last WORST_PLACES places of the ranking.
WORST_PLACES = 3


def competition_ranks(rates: Sequence[Fraction | None]) -> list[int | None]:
    """Ranks by rate, highest first; equal rates share a rank and the next is skipped
    (1, 2, 2, 4); a unit without a rate (nothing to count) has no rank."""
    known = sorted((rate for rate in rates if rate is not None), reverse=True)
    first: dict[Fraction, int] = {}
    for position, rate in enumerate(known, start=1):
        first.setdefault(rate, position)
    return [None if rate is None else first[rate] for rate in rates]


def worst_rates(rates: Sequence[Fraction | None], places: int = WORST_PLACES) -> set[int]:
    """Indexes of the rates in the last `places` places of the ranking, ties included; the
    best rate is never marked (so nothing is marked when all rates are equal)."""
    known = sorted(rate for rate in rates if rate is not None)
    if not known:
        return set()
    threshold = known[min(places, len(known)) - 1]
    best = known[-1]
    return {index for index, rate in enumerate(rates) if rate is not None and rate <= threshold and rate < best}


@dataclass(frozen=True, slots=True)
class ProgressEntry:
    id: int
    commitment_id: int
    period: Period
    percent: int
    done_text: str
    entry_date: date
    evidence: tuple[EvidenceFile, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """A file kept in the data folder with its checksum; `path` is where it is now."""

    id: int
    owner: str
    name: str
    path: str
    sha256: str
    size: int
    added_at: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class UnitCompletion:
    """One row of the township summary (完成情况汇总表)."""

    unit_id: int
    unit_name: str
    district_name: str
    completion: Completion

    @property
    def rate(self) -> Fraction | None:
        return self.completion.rate


@dataclass(frozen=True, slots=True)
class CommitmentDraft:
    """What the add/edit dialog or an import row gives; validated by the service."""

    unit_id: int
    year: int
    content: str
    category: str
    target: str = ""
    deadline: date | None = None
    target_quarter: int | None = None
    responsible: str = ""
    number: int | None = None  # None: the next free number of the unit's year
    status: CommitmentStatus = CommitmentStatus.NOT_STARTED
    completed_on: date | None = None
    cancel_reason: str = ""
    note: str = ""
