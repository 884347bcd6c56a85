"""Paper of a round: the ranking sheet (.xlsx), red-flag certificates and black-flag notices
(PDF), and the calibration page for pre-printed certificate stock."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Literal

from lsb_desktop.domain.paper import PaperData
from lsb_desktop.domain.rounds import RoundAdjustment
from lsb_desktop.domain.scoring import TiePolicy
from lsb_desktop.services.rounds import RoundService
from lsb_desktop.services.settings import SettingsService

Progress = Callable[[int, int], None]


class PaperService:
    def __init__(self, rounds: RoundService, settings: SettingsService) -> None:
        self._rounds = rounds
        self._settings = settings

    def placeholder_warning(self) -> str:
        """Said on stderr or in the window when the township's name or issuer is not set yet."""
        if self._settings.township().is_set:
            return ""
        return "尚未设置乡镇名称或党委名称，使用“XX镇”“中共XX镇委员会”代替（在 文件 → 乡镇信息 中设置）"

    def data(self, round_id: int, tie_policy: TiePolicy | None | Literal["round"] = "round") -> PaperData:
        """The round's paper, with each unit's 加分/扣分/一票否决 and their reasons for 备注."""
        township = self._settings.township()
        data = self._rounds.paper_data(
            round_id, township.township_or_placeholder, township.committee_or_placeholder, tie_policy
        )
        by_unit: dict[int, list[RoundAdjustment]] = defaultdict(list)
        for adjustment in self._rounds.adjustments(round_id):
            by_unit[adjustment.round_unit_id].append(adjustment)
        return replace(data, adjustments={unit: tuple(items) for unit, items in by_unit.items()})

    def export_ranking(
        self, round_id: int, path: Path, tie_policy: TiePolicy | None | Literal["round"] = "round"
    ) -> PaperData:
        from lsb_desktop.io.ranking_sheet import write_ranking_sheet  # openpyxl: when first used

        data = self.data(round_id, tie_policy)
        write_ranking_sheet(Path(path), data)
        return data

    def export_certificates(
        self,
        round_id: int,
        path: Path,
        tie_policy: TiePolicy | None | Literal["round"] = "round",
        progress: Progress | None = None,
    ) -> int:
        from lsb_desktop.io.certificates import write_certificates  # reportlab: when first used

        return write_certificates(Path(path), self.data(round_id, tie_policy), self._settings.certificates(), progress)

    def export_notices(
        self,
        round_id: int,
        path: Path,
        tie_policy: TiePolicy | None | Literal["round"] = "round",
        progress: Progress | None = None,
    ) -> int:
        from lsb_desktop.io.certificates import write_notices

        return write_notices(Path(path), self.data(round_id, tie_policy), self._settings.certificates(), progress)

    def calibration_page(self, path: Path) -> None:
        from lsb_desktop.io.certificates import write_calibration_page

        write_calibration_page(Path(path), self._settings.certificates())
