"""What the paper of a round is printed from: the ranking sheet, certificates and notices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from lsb_desktop.domain.period import Period
from lsb_desktop.domain.rounds import RoundRules, RoundUnit, UnitResult
from lsb_desktop.domain.scoring import Flag, Scheme


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One ranked unit and each judge's total per component (None: that judge did not score)."""

    result: UnitResult
    judge_totals: dict[str, dict[str, Decimal | None]] = field(hash=False)


@dataclass(frozen=True, slots=True)
class PaperData:
    township: str  # e.g. 孟庄镇 (or the placeholder XX镇)
    committee: str  # the issuer: 中共孟庄镇委员会
    period: Period
    title: str  # the round's title: 村党组织书记“亮赛比”逐村观摩评比
    event_date: date | None
    judges: tuple[str, ...]
    scheme: Scheme
    rules: RoundRules
    rows: tuple[SheetRow, ...]  # in rank order
    not_visited: tuple[RoundUnit, ...]
    final: bool
    version: int = 0
    correction_reason: str = ""

    @property
    def full_title(self) -> str:
        """孟庄镇2022年第四季度村党组织书记“亮赛比”逐村观摩评比"""
        return f"{self.township}{self.period.label}{self.title}"

    def flagged(self, flag: Flag) -> tuple[SheetRow, ...]:
        return tuple(row for row in self.rows if row.result.flag is flag)
