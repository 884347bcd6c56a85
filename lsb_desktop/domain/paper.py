"""What the paper of a round is printed from: the ranking sheet, certificates and notices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from lsb_desktop.domain.period import Period
from lsb_desktop.domain.rounds import AdjustmentType, RoundAdjustment, RoundRules, RoundUnit, UnitResult
from lsb_desktop.domain.score_files import plain_points
from lsb_desktop.domain.scoring import Flag, Scheme

REMARK_SEPARATOR = "；"
VETO_REMARK = "一票否决"


def remarks(result: UnitResult, adjustments: Sequence[RoundAdjustment] = (), extra: Sequence[str] = ()) -> str:
    """The 备注 of one ranked unit on the ranking sheet and the flag list, in reading order:

    一票否决：<reason>; each 加分/扣分 with its amount and reason (加分 2：获评市级先进); the
    result's own notes (评委不足, 无评分, …); then `extra` — notes the caller adds, e.g. how a
    tie across a flag line was decided ("与甲村并列第6名，党委研究决定给红旗：…").

    `adjustments` are the unit's own adjustments (RoundAdjustment). Without them a bonus or
    deduction total on the result is still named, only without its reasons."""
    parts: list[str] = []
    if result.veto_reason:
        parts.append(f"{VETO_REMARK}：{result.veto_reason}")
    listed = {AdjustmentType.BONUS: False, AdjustmentType.DEDUCTION: False}
    for adjustment in adjustments:
        if adjustment.kind is AdjustmentType.VETO:
            if not result.veto_reason:  # a live draft before ranking, say: still say it
                parts.append(f"{VETO_REMARK}：{adjustment.reason}")
            continue
        listed[adjustment.kind] = True
        amount = f" {plain_points(adjustment.amount)}" if adjustment.amount is not None else ""
        reason = f"：{adjustment.reason}" if adjustment.reason else ""
        parts.append(f"{adjustment.kind.label}{amount}{reason}")
    for kind, total in ((AdjustmentType.BONUS, result.bonus), (AdjustmentType.DEDUCTION, result.deduction)):
        if total and not listed[kind]:
            parts.append(f"{kind.label} {plain_points(total)}")
    for note in result.notes:
        # The veto is already first, with its reason.
        if note == VETO_REMARK or note.startswith(VETO_REMARK + "："):
            continue
        if note not in parts:
            parts.append(note)
    parts += [note for note in extra if note and note not in parts]
    return REMARK_SEPARATOR.join(parts)


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
    # The 校验码 of the round's latest seal and when it was sealed (finalised rounds only): printed
    # on the 得分汇总表 and the 通报, so the paper can be checked against the file (检查数据).
    check_code: str = ""
    sealed_at: str = ""
    # round unit id -> its 加分/扣分/一票否决 with reasons (filled by the paper service)
    adjustments: dict[int, tuple[RoundAdjustment, ...]] = field(default_factory=dict, hash=False)
    # round unit id -> further 备注 lines, after everything else: how a boundary tie was
    # decided goes here (see `remarks`)
    extra_notes: dict[int, tuple[str, ...]] = field(default_factory=dict, hash=False)

    def remarks(self, row: SheetRow) -> str:
        """The 备注 of a ranked row, built by `remarks` from the row and this paper's notes."""
        unit_id = row.result.unit.id
        return remarks(row.result, self.adjustments.get(unit_id, ()), self.extra_notes.get(unit_id, ()))

    @property
    def check_line(self) -> str:
        """校验码：1A2B-3C4D-5E6F（第 1 版结果，2024-05-01 10:00:00 定稿封存）; '' for a draft."""
        if not (self.final and self.check_code):
            return ""
        return f"校验码：{self.check_code}（第 {self.version} 版结果，{self.sealed_at} 定稿封存，可用“检查数据”核对）"

    @property
    def full_title(self) -> str:
        """孟庄镇2022年第四季度村党组织书记“亮赛比”逐村观摩评比"""
        return f"{self.township}{self.period.label}{self.title}"

    def flagged(self, flag: Flag) -> tuple[SheetRow, ...]:
        return tuple(row for row in self.rows if row.result.flag is flag)
