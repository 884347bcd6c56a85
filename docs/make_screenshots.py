"""Renders the README screenshots from the demo township: `uv run python docs/make_screenshots.py`.

Offscreen on a machine without a screen; Chinese needs a CJK font (fonts-wqy-zenhei on Debian).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from openpyxl import Workbook  # noqa: E402

from lsb_desktop.config import AppConfig  # noqa: E402
from lsb_desktop.core import Core  # noqa: E402
from lsb_desktop.demo import build_demo  # noqa: E402
from ui.app import make_application  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def _bad_roster(path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["清河镇村（社区）名册（2025年）"])
    sheet.merge_cells("A1:F1")
    sheet.append(["序号", "村（社区）名称", "类型", "管区", "党组织类型", "党组织书记"])
    sheet.append(["１", "张五砦村", "村", "东部管区", "党支部", "李禛"])
    sheet.append(["2", "", "村", "东部管区", "党支部", "王五"])
    sheet.append(["3", "后营村", "镇", "西部管区", "党支部", "孙海燕"])
    sheet.append(["4", "王庄村", "村", "东部管区", "党总支", 12345])
    sheet.append(["5", "张五砦村", "村", "东部管区", "党支部", "李禛"])
    sheet.append(["合计", "", "", "", "", ""])
    book.save(path)


def main() -> None:
    app = make_application()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        with Core.open(Path(scratch) / "data") as core:
            build_demo(core)
            from ui.main_window import MainWindow
            from ui.villages.roster_dialog import RosterImportDialog

            window = MainWindow(core, AppConfig(data_dir=core.data_dir, screenshot=OUT / "x.png"))
            tab = window.villages_tab
            tab.select_unit(next(u.id for u in core.villages.list_units() if u.name == "后营村"))
            window.show()
            app.processEvents()
            window.grab().save(str(OUT / "villages.png"))

            roster = Path(scratch) / "名册.xlsx"
            _bad_roster(roster)
            dialog = RosterImportDialog(core, roster, window)
            dialog.date_edit.setDate(date(2025, 1, 1))
            dialog.show()
            app.processEvents()
            dialog.grab().save(str(OUT / "roster-import.png"))
            dialog.close()

            edit = tab.open_edit_dialog()
            app.processEvents()
            edit.grab().save(str(OUT / "unit-dialog.png"))
            edit.close()

            from ui.scoring import tab as scoring_tab

            window.select_tab("观摩评比")
            scoring = window.tabs.currentWidget()
            chosen = next(r.id for r in core.rounds.list_rounds() if r.period.short_label == "2024Q1")
            _pick_round(scoring, chosen)
            scoring.show_page(scoring_tab.PAGE_SCORES)
            app.processEvents()
            window.grab().save(str(OUT / "scoring-entry.png"))
            scoring.show_page(scoring_tab.PAGE_RESULTS)
            app.processEvents()
            window.grab().save(str(OUT / "scoring-results.png"))

            from ui.app import _wait_for_data

            window.select_tab("趋势图表")
            app.processEvents()
            _wait_for_data(app, window.tabs.currentWidget())
            window.grab().save(str(OUT / "trends.png"))

            from ui.commitments import tab as commitments_tab

            window.select_tab("承诺事项")
            commitments = window.commitments_tab
            commitments.set_year(2024)
            item = next(c for c in core.commitments.list_commitments(2024) if c.adjusted)
            commitments.select_commitment(item.id)
            app.processEvents()
            window.grab().save(str(OUT / "commitments.png"))
            commitments.ui.pages.setCurrentIndex(commitments_tab.PAGE_SUMMARY)
            app.processEvents()
            window.grab().save(str(OUT / "commitments-summary.png"))

            window.select_tab("五星创建")
            stars = window.stars_tab
            stars.set_year(2024)
            stars.select_cell(next(u.id for u in core.villages.list_units() if u.name == "马垌村"), "平安法治星")
            app.processEvents()
            window.grab().save(str(OUT / "stars.png"))
            from ui.stars.tab import PAGE_CHARTS

            loaded = []
            stars.charts_loaded.connect(lambda *_: loaded.append(True))
            stars.ui.pages.setCurrentIndex(PAGE_CHARTS)
            app.processEvents()
            deadline = time.monotonic() + 20
            while not loaded and time.monotonic() < deadline:
                app.processEvents()
                time.sleep(0.02)
            app.processEvents()
            window.grab().save(str(OUT / "stars-charts.png"))
            _tie_and_correction(app, core, window)
            window.close()
    print(f"已保存截图到 {OUT}")


def _pick_round(scoring, round_id: int) -> None:
    """Choose a round in the scoring tab's round list, as the clerk does."""
    combo = scoring.ui.round_combo
    combo.setCurrentIndex(combo.findData(round_id))


def _tie_and_correction(app, core, window) -> None:
    """A draft round whose first two units tie for the red flags, decided in the window; and the
    correction dialog of a finalised round's cell."""
    from decimal import Decimal

    from lsb_desktop.domain.period import Period
    from lsb_desktop.services.rounds import RoundDraft
    from ui.scoring import tab as scoring_tab

    detail = core.rounds.create_round(
        RoundDraft(
            Period(2025, 1),
            title="村党组织书记“亮赛比”逐村观摩评比",
            event_date=date(2025, 4, 20),
            judges=("王建军", "李秀英", "张伟", "刘洋", "陈静"),
            red=4,
            black=4,
        )
    ).value
    shares = {}
    for position, unit in enumerate(detail.units):
        # The 4th and 5th places are equal: a tie across the red line.
        shares[unit.id] = Decimal(95 - min(position, 3) - max(0, position - 4)) / 100
    core.rounds.set_scores(
        detail.id,
        [
            (judge.id, unit.id, criterion.name, (criterion.max_points * shares[unit.id]).quantize(Decimal("0.1")))
            for judge in detail.judges
            for unit in detail.units
            for component in detail.scheme.components
            for criterion in component.criteria
        ],
    )
    window.select_tab("观摩评比")
    scoring = window.tabs.currentWidget()
    scoring.reload()
    _pick_round(scoring, detail.id)
    scoring.show_page(scoring_tab.PAGE_RESULTS)
    app.processEvents()
    window.grab().save(str(OUT / "scoring-tie.png"))
    dialog = scoring.open_committee_dialog()
    dialog.unit_boxes[0].setChecked(True)
    dialog.reason_edit.setText("2025年4月22日党委会研究，按群众满意度测评结果决定")
    app.processEvents()
    dialog.grab().save(str(OUT / "tie-committee.png"))
    dialog.reject()

    chosen = next(r.id for r in core.rounds.list_rounds() if r.period.short_label == "2024Q1")
    _pick_round(scoring, chosen)
    scoring.show_page(scoring_tab.PAGE_SCORES)
    grid = scoring.grid
    correction = grid.open_correction(grid.model.index(2, 3), "23.5")
    app.processEvents()
    correction.reason_edit.setText("评委笔误，核对原始评分表后更正")
    app.processEvents()
    correction.grab().save(str(OUT / "score-correction.png"))
    correction.reject()


if __name__ == "__main__":
    main()
