"""Period: a contest quarter (year, quarter), shown as 2022年第四季度; and the day that stands
for a year."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from lsb_desktop.errors import ValidationError

QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
_CHINESE_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4}
_PATTERNS = (
    re.compile(r"^(\d{4})\s*[Qq]\s*([1-4])$"),
    re.compile(r"^(\d{4})\s*[-/.]\s*[Qq]?\s*([1-4])$"),
    re.compile(r"^(\d{4})\s*年\s*第?\s*([1-4一二三四])\s*季度?$"),
)


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """A quarter of a year; ordered by time."""

    year: int
    quarter: int

    def __post_init__(self) -> None:
        if not 2000 <= self.year <= 2100:
            raise ValidationError(f"年份 {self.year} 不在 2000–2100 之间")
        if self.quarter not in QUARTER_NAMES:
            raise ValidationError(f"季度必须是 1–4，收到 {self.quarter}")

    @property
    def label(self) -> str:
        return f"{self.year}年{QUARTER_NAMES[self.quarter]}"

    @property
    def short_label(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def last_day(self) -> date:
        nxt = self.next()
        return date.fromordinal(nxt.first_day.toordinal() - 1)

    def next(self) -> Period:
        if self.quarter == 4:
            return Period(self.year + 1, 1)
        return Period(self.year, self.quarter + 1)

    def previous(self) -> Period:
        if self.quarter == 1:
            return Period(self.year - 1, 4)
        return Period(self.year, self.quarter - 1)

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read 2022Q4, 2022-4, 2022年第四季度 or 2022年4季度 (full-width digits too)."""
        cleaned = unicodedata.normalize("NFKC", text or "").strip()
        for pattern in _PATTERNS:
            match = pattern.match(cleaned)
            if match:
                year, quarter = match.group(1), match.group(2)
                number = _CHINESE_QUARTER.get(quarter) or int(quarter)
                return cls(int(year), number)
        raise ValidationError(f"无法识别季度“{text}”，请写成 2022Q4 或 2022年第四季度")

    def __str__(self) -> str:
        return self.label


def year_day(year: int, today: date, last: date | None = None) -> date:
    """The day that stands for `year` when it is looked at on `today`: today, held inside the
    year (or inside its part up to `last`, a quarter's end, say).

    - a past year (or part): its last day, so it shows as it ended;
    - the current year: today, as things stand;
    - a future year: its first day. Nothing can have happened in a year not yet begun, yet the
      day must lie in that year: changes entered with an effective date before the year starts
      (a unit archived on 20 December, say) count, and no item is 逾期 or done in it yet.

    The one rule for every year view: the register's names and kinds, the 五星 summary and its
    sheet, the commitments' counts, 逾期 and cancellation day."""
    end = last if last is not None else date(year, 12, 31)
    return max(date(year, 1, 1), min(today, end))


def year_day_word(year: int, today: date) -> str:
    """How the day `year_day` gives is said beside a year's figures: 年末, 今天 or 年初."""
    if year < today.year:
        return "年末"
    return "今天" if year == today.year else "年初"
