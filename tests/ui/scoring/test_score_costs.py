"""What one typed score costs in the whole window: the SQL statements it sends, and the tabs
it makes reload. The grid saves the cell, the service says what that changed (a score), and
only the tabs that show scores read again: not the villages tab's 历次评比, not the trends."""

from __future__ import annotations

from decimal import Decimal

import pytest
from factories import make_unit
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sql_count import counting_sql

from lsb_desktop.config import AppConfig
from lsb_desktop.domain.period import Period
from lsb_desktop.domain.rounds import RoundStatus
from lsb_desktop.domain.scoring import Component, Criterion, Scheme
from lsb_desktop.services.rounds import RoundDraft
from ui.main_window import MainWindow
from ui.scoring.grid import FIRST_SCORE_COLUMN

pytestmark = pytest.mark.gui

SCHEME = Scheme(
    (
        Component("实地观摩", Decimal("0.7"), (Criterion("基层党建", Decimal(25)), Criterion("产业发展", Decimal(25)))),
        Component("擂台比武", Decimal("0.3"), (Criterion("述职内容", Decimal(40)),)),
    )
)
# One typed score on a round that already has scores costs only the service's own transaction:
# the round read for the checks (5), its scores, the insert, its tie decisions, the audit entry
# with its facts and chain (7). Before the service said what it changed it cost 21 here: the
# scoring tab re-read the round list for the status (3) and the villages tab its 历次评比 (3).
MOST_STATEMENTS = 15


def _shown_window(qtbot, core) -> MainWindow:
    main = MainWindow(core, AppConfig(data_dir=core.data_dir))
    qtbot.addWidget(main)
    main.resize(1200, 800)
    main.show()
    qtbot.waitExposed(main)
    main.activateWindow()
    return main


def _pick_round(tab, round_id: int) -> None:
    combo = tab.ui.round_combo  # as the clerk picks it
    assert combo.findData(round_id) >= 0
    combo.setCurrentIndex(combo.findData(round_id))
    assert tab.detail.id == round_id


@pytest.fixture
def window(qtbot, core, boxes):
    for name in ("张五砦村", "刘堌堆村", "王庄村"):
        make_unit(core, name)
    detail = core.rounds.create_round(
        RoundDraft(Period(2025, 1), judges=("王建国", "李秀英"), red=1, black=1, scheme=SCHEME)
    ).value
    core.rounds.set_score(detail.id, detail.judges[0].id, detail.units[0].id, "基层党建", "20")
    main = _shown_window(qtbot, core)
    main.villages_tab.select_unit(detail.units[1].unit_id)  # its 历次评比 is on show
    assert main.select_tab("观摩评比")
    _pick_round(main.scoring_tab, detail.id)
    return main


def _type_score(qtbot, grid, row: int, column: int, text: str) -> None:
    """Type `text` and Enter into a cell, as the keyboard sends them to the focused widget."""
    view = grid.view
    view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view)
    view.setCurrentIndex(view.model().index(row, column))
    for char in text:
        QTest.keyClicks(QApplication.focusWidget(), char)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    QApplication.processEvents()


def test_one_typed_score_costs_few_statements_and_reloads_no_round_history(qtbot, core, window, monkeypatch):
    grid = window.scoring_tab.grid
    detail = window.scoring_tab.detail
    assert detail.status is RoundStatus.SCORING
    histories = []
    flag_history = core.rounds.flag_history
    monkeypatch.setattr(core.rounds, "flag_history", lambda *a, **k: histories.append(a) or flag_history(*a, **k))
    with counting_sql(core) as statements:
        _type_score(qtbot, grid, 1, FIRST_SCORE_COLUMN, "23")
    assert {(c.round_unit_id, c.criterion): c.points for c in core.rounds.scores(detail.id, detail.judges[0].id)} == {
        (detail.units[0].id, "基层党建"): Decimal(20),
        (detail.units[1].id, "基层党建"): Decimal(23),
    }
    assert "已保存" in grid.status_label.text()
    assert histories == [], "a score on a draft round does not change any flag history"
    assert len(statements) <= MOST_STATEMENTS, str(statements)


def test_the_first_score_of_a_draft_round_shows_its_new_status(core, qtbot, boxes):
    make_unit(core, "张五砦村")
    detail = core.rounds.create_round(RoundDraft(Period(2025, 1), judges=("王建国",), scheme=SCHEME)).value
    main = _shown_window(qtbot, core)
    assert main.select_tab("观摩评比")
    tab = main.scoring_tab
    _pick_round(tab, detail.id)
    assert tab.detail.status is RoundStatus.DRAFT
    _type_score(qtbot, tab.grid, 0, FIRST_SCORE_COLUMN, "21")
    assert tab.detail.status is RoundStatus.SCORING
