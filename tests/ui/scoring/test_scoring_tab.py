"""The 观摩评比 tab: the entry grid, results, finalising and corrections, dialogs, on a real data folder."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from factories import make_unit
from openpyxl import Workbook
from PySide6.QtCore import QDate, QItemSelection, QItemSelectionModel, QPoint, Qt
from PySide6.QtGui import QGuiApplication, QImage, QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QInputDialog

from lsb_desktop.changes import Changes
from lsb_desktop.config import AppConfig
from lsb_desktop.domain.period import Period
from lsb_desktop.domain.rounds import AdjustmentType, RoundRules, RoundStatus
from lsb_desktop.domain.scoring import Component, Criterion, Scheme
from lsb_desktop.services.rounds import RoundDraft
from ui.scoring.dialogs import TEMPLATE_HINT, NewRoundDialog, SchemeDialog, split_judges
from ui.scoring.grid import FIRST_SCORE_COLUMN, CorrectionDialog, parse_block
from ui.scoring.tab import (
    BLACK_ROW,
    PAGE_ADJUSTMENTS,
    PAGE_AUDIT,
    PAGE_COMPLETENESS,
    PAGE_PARTICIPANTS,
    PAGE_RESULTS,
    PAGE_SCORES,
    RED_ROW,
    ScoringTab,
    describe_entity,
)

pytestmark = pytest.mark.gui

# A scheme with 100-point criteria, as in the "105 for a 100-point criterion".
SCHEME_100 = Scheme(
    (
        Component(
            "实地观摩", Decimal("0.7"), (Criterion("党建工作", Decimal(100)), Criterion("乡村振兴", Decimal(100)))
        ),
        Component("擂台比武", Decimal("0.3"), (Criterion("现场述职", Decimal(100)),)),
    )
)


class Answers:
    """Stands in for QInputDialog.getText: the next answers, and the questions asked."""

    def __init__(self) -> None:
        self.queue: list[tuple[str, bool]] = []
        self.asked: list[str] = []

    def get_text(self, parent, title, label, *args, **kwargs):
        self.asked.append(f"{title}：{label}")
        return self.queue.pop(0) if self.queue else ("", False)


@pytest.fixture
def answers(monkeypatch) -> Answers:
    recorder = Answers()
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(recorder.get_text))
    return recorder


@pytest.fixture
def units(core):
    return [
        make_unit(core, name, secretary=person)
        for name, person in (("张五砦村", "李禛"), ("刘堌堆村", "刘喆"), ("王庄村", "王永强"), ("东关社区", "赵丽娟"))
    ]


def new_round(core, judges=("王建国", "李秀英"), red=1, black=1, scheme=None):
    return core.rounds.create_round(
        RoundDraft(Period(2025, 1), judges=judges, red=red, black=black, scheme=scheme)
    ).value


@pytest.fixture
def tab(qtbot, core, boxes, answers):
    widget = ScoringTab(core)
    qtbot.addWidget(widget)
    widget.resize(1280, 760)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def fill(core, detail, shares: dict[str, str], judges=None) -> None:
    """Every criterion of every (or the given) judge for each named unit: the share of its maximum."""
    cells = []
    for judge in judges or detail.judges:
        for unit in detail.units:
            if unit.name not in shares:
                continue
            for component in detail.scheme.components:
                for criterion in component.criteria:
                    cells.append((judge.id, unit.id, criterion.name, criterion.max_points * Decimal(shares[unit.name])))
    core.rounds.set_scores(detail.id, cells)


def stored(core, detail, judge=0) -> dict[tuple[str, str], Decimal]:
    names = {u.id: u.name for u in detail.units}
    return {
        (names[c.round_unit_id], c.criterion): c.points for c in core.rounds.scores(detail.id, detail.judges[judge].id)
    }


def shown_correction(grid) -> CorrectionDialog | None:
    """The correction dialog the clerk sees over the grid, if one is open."""
    return next((d for d in grid.findChildren(CorrectionDialog) if d.isVisible()), None)


def open_editor(qtbot, view, row: int, column: int, first_key: str):
    index = view.model().index(row, column)
    view.setCurrentIndex(index)
    qtbot.keyClicks(view, first_key)
    editor = view.indexWidget(index)
    assert editor is not None, "typing a digit on a score cell opens its editor"
    return editor


def type_cell(qtbot, view, row: int, column: int, text: str, finish=Qt.Key.Key_Return) -> None:
    """Type as a clerk does: the first key opens the editor, the rest go into it, then Enter/Tab."""
    editor = open_editor(qtbot, view, row, column, text[0])
    qtbot.keyClicks(editor, text[1:])
    qtbot.keyClick(editor, finish)
    QApplication.processEvents()  # Enter commits through a queued call


def cell_text(model, row: int, column: int) -> str:
    return model.data(model.index(row, column))


def column_of(model, header: str) -> int:
    return next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal) == header)


def result_rows(tab) -> list[dict[str, str]]:
    model = tab.results_model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return [{h: model.data(model.index(r, c)) for c, h in enumerate(headers)} for r in range(model.rowCount())]


# ----- models -----------------------------------------------------------------------------------


@pytest.mark.qt_log_level_fail("WARNING")
@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_models_pass_the_model_tester(qtmodeltester, core, units, tab):
    detail = new_round(core, judges=("王建国", "李秀英", "张伟"))
    fill(core, detail, {"张五砦村": "0.9", "刘堌堆村": "0.8", "王庄村": "0.7"})
    core.rounds.set_score(detail.id, detail.judges[0].id, detail.units[3].id, "基层党建", "20")
    core.rounds.set_visited(detail.id, detail.units[2].id, False, "村委换届")
    core.rounds.add_adjustment(detail.id, detail.units[0].id, AdjustmentType.BONUS, "2", "获市级表彰")
    tab.reload()
    for page in (PAGE_COMPLETENESS, PAGE_ADJUSTMENTS, PAGE_PARTICIPANTS, PAGE_RESULTS, PAGE_AUDIT):
        tab.show_page(page)

    grid = tab.grid.model
    assert (grid.rowCount(), grid.columnCount()) == (4, FIRST_SCORE_COLUMN + 8 + 1)
    qtmodeltester.check(grid, force_py=True)
    assert tab.results_model.rowCount() == 4  # three ranked, one not visited
    qtmodeltester.check(tab.results_model, force_py=True)
    for model in (tab.completeness_model, tab.adjustments_model, tab.units_model, tab.judges_model, tab.audit_model):
        assert model.rowCount() > 0
        qtmodeltester.check(model, force_py=True)
    assert grid.headerData(FIRST_SCORE_COLUMN, Qt.Orientation.Horizontal) == "基层党建\n(25)"
    assert grid.headerData(grid.total_column, Qt.Orientation.Horizontal) == "合计\n(200)"


def test_the_grid_shows_units_criteria_and_the_judges_total(core, units, tab):
    detail = new_round(core)
    fill(core, detail, {"张五砦村": "0.9"}, judges=detail.judges[:1])
    core.rounds.set_score(detail.id, detail.judges[1].id, detail.units[0].id, "基层党建", "10")
    tab.reload()
    model = tab.grid.model
    assert [cell_text(model, r, 2) for r in range(4)] == ["张五砦村", "刘堌堆村", "王庄村", "东关社区"]
    assert cell_text(model, 0, FIRST_SCORE_COLUMN) == "22.5"
    assert cell_text(model, 0, model.total_column) == "180"
    assert cell_text(model, 1, model.total_column) == ""
    # Numbers line up on the right.
    assert model.data(model.index(0, FIRST_SCORE_COLUMN), Qt.ItemDataRole.TextAlignmentRole) & int(
        Qt.AlignmentFlag.AlignRight.value
    )
    assert tab.grid.ui.progress_label.text() == "本评委已打分 8 / 32 格"

    assert tab.grid.select_judge(detail.judges[1].id)
    assert cell_text(model, 0, FIRST_SCORE_COLUMN) == "10"
    assert cell_text(model, 0, model.total_column) == "10"
    assert "还没有打分：产业发展" in model.data(model.index(0, model.total_column), Qt.ItemDataRole.ToolTipRole)


# ----- typing ---------------------------------------------------------------------------------


def test_typing_saves_at_once_enter_moves_down_and_tab_moves_right(qtbot, core, units, tab):
    detail = new_round(core, scheme=SCHEME_100)
    tab.reload()
    view, model = tab.grid.view, tab.grid.model
    first = FIRST_SCORE_COLUMN

    with qtbot.waitSignal(tab.changed) as signal:
        type_cell(qtbot, view, 0, first, "85.5")
    assert signal.args == [Changes.SCORES | Changes.ROUND_SETUP]  # the first score: 草稿 → 评分中
    assert stored(core, detail) == {("张五砦村", "党建工作"): Decimal("85.50")}
    assert cell_text(model, 0, first) == "85.5"
    assert (view.currentIndex().row(), view.currentIndex().column()) == (1, first)  # Enter: down
    assert "已保存" in tab.grid.status_label.text()

    type_cell(qtbot, view, 1, first, "90", finish=Qt.Key.Key_Tab)
    assert (view.currentIndex().row(), view.currentIndex().column()) == (1, first + 1)  # Tab: right
    type_cell(qtbot, view, 1, first + 1, "70", finish=Qt.Key.Key_Backtab)
    assert (view.currentIndex().row(), view.currentIndex().column()) == (1, first)  # Shift+Tab: left
    assert stored(core, detail)[("刘堌堆村", "乡村振兴")] == Decimal("70.00")

    # Without an editor open, the keys move the same way.
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert view.currentIndex().column() == first + 1
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert view.currentIndex().row() == 2
    # Typing over a scored cell replaces its value.
    type_cell(qtbot, view, 0, first, "86")
    assert stored(core, detail)[("张五砦村", "党建工作")] == Decimal("86.00")
    assert detail.status is RoundStatus.DRAFT and core.rounds.get_round(detail.id).status is RoundStatus.SCORING
    assert "打分中" in tab.ui.round_combo.currentText()


def test_a_value_above_the_maximum_is_refused_on_the_spot(qtbot, core, units, tab, boxes):
    detail = new_round(core, scheme=SCHEME_100)
    core.rounds.set_score(detail.id, detail.judges[0].id, detail.units[0].id, "党建工作", "80")
    tab.reload()
    view, model = tab.grid.view, tab.grid.model

    type_cell(qtbot, view, 0, FIRST_SCORE_COLUMN, "105")

    message = tab.grid.status_label.text()
    assert "张五砦村" in message and "超过“党建工作”的满分" in message and "未保存" in message
    assert "b00000" in tab.grid.status_label.styleSheet()  # red
    assert cell_text(model, 0, FIRST_SCORE_COLUMN) == "80"
    assert stored(core, detail) == {("张五砦村", "党建工作"): Decimal("80.00")}
    assert view.currentIndex().row() == 0  # stays on the cell to type it again
    assert boxes.texts == []  # no message box for a typo: the line under the grid says it


@pytest.mark.parametrize(
    "typed, message",
    [
        ("26", "超过“基层党建”的满分"),
        ("-1", "不能为负数"),
        ("12.345", "超过两位小数"),
        ("十二", "不是数字"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_saved(core, units, tab, boxes, typed, message):
    detail = new_round(core)
    tab.reload()
    model = tab.grid.model
    assert not model.setData(model.index(0, FIRST_SCORE_COLUMN), typed)
    assert message in tab.grid.status_label.text()
    assert cell_text(model, 0, FIRST_SCORE_COLUMN) == ""
    assert core.rounds.scores(detail.id) == []
    assert boxes.texts == []


def test_full_width_digits_are_accepted(qtbot, core, units, tab):
    detail = new_round(core, scheme=SCHEME_100)
    tab.reload()
    model, view = tab.grid.model, tab.grid.view
    assert model.setData(model.index(0, FIRST_SCORE_COLUMN), "８５．５")
    assert stored(core, detail) == {("张五砦村", "党建工作"): Decimal("85.50")}
    assert cell_text(model, 0, FIRST_SCORE_COLUMN) == "85.5"

    # Through the editor, as a Chinese input method commits it.
    index = model.index(1, FIRST_SCORE_COLUMN)
    view.setCurrentIndex(index)
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = view.indexWidget(index)
    event = QInputMethodEvent()
    event.setCommitString("９２．５")
    QApplication.sendEvent(editor, event)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert stored(core, detail)[("刘堌堆村", "党建工作")] == Decimal("92.50")


def test_empty_is_not_scored_and_zero_is_a_score(qtbot, core, units, tab):
    detail = new_round(core)
    tab.reload()
    model, view = tab.grid.model, tab.grid.view
    first = FIRST_SCORE_COLUMN
    assert model.setData(model.index(0, first), "0")
    assert model.setData(model.index(0, first + 1), "20")
    assert cell_text(model, 0, first) == "0" and cell_text(model, 1, first) == ""
    assert stored(core, detail) == {
        ("张五砦村", "基层党建"): Decimal("0.00"),
        ("张五砦村", "产业发展"): Decimal("20.00"),
    }

    # Delete clears the selected cells: the score is removed, not set to 0.
    view.setCurrentIndex(model.index(0, first))
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert stored(core, detail) == {("张五砦村", "产业发展"): Decimal("20.00")}
    assert cell_text(model, 0, first) == ""
    assert cell_text(model, 0, model.total_column) == "20"
    entries = [e for e in core.audit.entries(f"round:{detail.id}") if "/judge:" in e.entity]
    assert (entries[0].old, entries[0].new) == ("0.00", "")


# ----- paste and copy --------------------------------------------------------------------------


def test_pasting_a_block_saves_it_in_one_call(qtbot, core, units, tab, monkeypatch):
    detail = new_round(core)
    tab.reload()
    calls = []
    original = core.rounds.set_scores
    monkeypatch.setattr(core.rounds, "set_scores", lambda *a, **k: calls.append(a) or original(*a, **k))
    view, model = tab.grid.view, tab.grid.model
    QGuiApplication.clipboard().setText("20\t21\r\n22\t23\r\n")  # as Excel copies it
    view.setCurrentIndex(model.index(1, FIRST_SCORE_COLUMN))

    qtbot.keyClick(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)

    assert len(calls) == 1
    assert stored(core, detail) == {
        ("刘堌堆村", "基层党建"): Decimal(20),
        ("刘堌堆村", "产业发展"): Decimal(21),
        ("王庄村", "基层党建"): Decimal(22),
        ("王庄村", "产业发展"): Decimal(23),
    }
    assert cell_text(model, 2, FIRST_SCORE_COLUMN + 1) == "23"
    assert tab.grid.status_label.text() == "已保存 4 个分数"

    # Copy gives the same block back.
    block = QItemSelection(model.index(1, FIRST_SCORE_COLUMN), model.index(2, FIRST_SCORE_COLUMN + 1))
    view.selectionModel().select(block, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "20\t21\n22\t23\n"


@pytest.mark.parametrize(
    "block, message",
    [
        ("20\t21\n22\t99", "王庄村：99 超过“产业发展”的满分 25"),
        ("20\t21\t1\t1\t1\t1\t1\t1\t1", "超出了评分表，没有粘贴任何分数"),
        ("20\n21\n22\n23\n24", "超出了评分表，没有粘贴任何分数"),
    ],
)
def test_a_bad_block_saves_nothing(qtbot, core, units, tab, boxes, block, message):
    detail = new_round(core)
    tab.reload()
    view, model = tab.grid.view, tab.grid.model
    QGuiApplication.clipboard().setText(block)
    view.setCurrentIndex(model.index(1, FIRST_SCORE_COLUMN))
    qtbot.keyClick(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert message in tab.grid.status_label.text()
    assert core.rounds.scores(detail.id) == []
    assert cell_text(model, 1, FIRST_SCORE_COLUMN) == ""
    assert boxes.texts == []


def test_parse_block_reads_excel_and_wps_text():
    assert parse_block("1\t2\r\n3\t4\r\n") == [["1", "2"], ["3", "4"]]
    assert parse_block("5") == [["5"]]
    assert parse_block("1\t\t3\n") == [["1", "", "3"]]


# ----- units not visited, judges, adjustments ----------------------------------------------------


def test_a_unit_not_visited_is_greyed_not_editable_and_listed_last(core, units, tab, answers):
    detail = new_round(core)
    fill(core, detail, {"张五砦村": "0.9", "刘堌堆村": "0.8", "王庄村": "0.7", "东关社区": "0.6"})
    tab.reload()
    tab.show_page(PAGE_PARTICIPANTS)
    tab.ui.units_table.selectRow(1)
    answers.queue.append(("村委换届，改期观摩", True))

    assert tab.toggle_selected_visited()

    unit = core.rounds.get_round(detail.id).units[1]
    assert (unit.visited, unit.note) == (False, "村委换届，改期观摩")
    model = tab.grid.model
    assert not model.flags(model.index(1, FIRST_SCORE_COLUMN)) & Qt.ItemFlag.ItemIsEditable
    assert model.data(model.index(1, 0), Qt.ItemDataRole.BackgroundRole) is not None
    assert "本季度未观摩" in cell_text(model, 1, 2)
    assert not model.setData(model.index(1, FIRST_SCORE_COLUMN), "20")
    assert "本季度未观摩，不能打分" in tab.grid.status_label.text()
    tab.show_page(PAGE_RESULTS)
    rows = result_rows(tab)
    assert [r["村（社区）"] for r in rows] == ["张五砦村", "王庄村", "东关社区", "刘堌堆村"]
    assert rows[-1]["排名"] == "" and rows[-1]["备注"] == "本季度未观摩；村委换届，改期观摩"

    tab.show_page(PAGE_PARTICIPANTS)
    tab.ui.units_table.selectRow(1)
    assert tab.ui.visited_button.text() == "恢复观摩"
    assert tab.toggle_selected_visited()
    assert core.rounds.get_round(detail.id).units[1].visited


def test_judges_are_added_and_removed(core, units, tab, boxes, answers):
    detail = new_round(core, judges=("王建国",))
    tab.reload()
    tab.show_page(PAGE_PARTICIPANTS)
    answers.queue.append(("李秀英", True))
    assert tab.add_judge()
    assert [j.name for j in core.rounds.get_round(detail.id).judges] == ["王建国", "李秀英"]
    assert tab.grid.judge_combo.count() == 2
    tab.ui.judges_table.selectRow(1)
    assert tab.remove_selected_judge()
    assert [j.name for j in core.rounds.get_round(detail.id).judges] == ["王建国"]
    # A judge with scores stays, and the service's reason is shown.
    core.rounds.set_score(detail.id, detail.judges[0].id, detail.units[0].id, "基层党建", "20")
    tab.reload()
    tab.ui.judges_table.selectRow(0)
    assert not tab.remove_selected_judge()
    assert "已有 1 个评分，不能移除" in boxes.texts[-1]


def test_bonus_deduction_and_veto_show_in_the_list_and_the_results(qtbot, core, units, tab, boxes):
    detail = new_round(core)
    fill(core, detail, {"张五砦村": "0.9", "刘堌堆村": "0.8", "王庄村": "0.7", "东关社区": "0.6"})
    tab.reload()
    tab.show_page(PAGE_ADJUSTMENTS)

    dialog = tab.open_adjustment_dialog(AdjustmentType.BONUS)
    dialog.ui.unit_combo.setCurrentIndex(dialog.ui.unit_combo.findData(detail.units[1].id))
    dialog.ui.amount_edit.setText("２")
    qtbot.mouseClick(dialog.ui.button_box.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert boxes.texts == ["加分必须写明理由"]  # the reason is required; the dialog stays
    assert dialog.isVisible()
    dialog.ui.reason_edit.setText("获市级表彰")
    qtbot.mouseClick(dialog.ui.button_box.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    veto = tab.open_adjustment_dialog(AdjustmentType.VETO)
    veto.ui.unit_combo.setCurrentIndex(veto.ui.unit_combo.findData(detail.units[0].id))
    veto.ui.reason_edit.setText("发生重大安全事故")
    qtbot.mouseClick(veto.ui.button_box.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    model = tab.adjustments_model
    assert [[cell_text(model, r, c) for c in range(4)] for r in range(model.rowCount())] == [
        ["刘堌堆村", "加分", "2.00", "获市级表彰"],
        ["张五砦村", "一票否决", "—", "发生重大安全事故"],
    ]
    tab.show_page(PAGE_RESULTS)
    rows = result_rows(tab)
    assert [(r["村（社区）"], r["排名"], r["红/黑旗"]) for r in rows] == [
        ("刘堌堆村", "1", "红旗"),
        ("王庄村", "2", ""),
        ("东关社区", "3", ""),
        ("张五砦村", "4", "黑旗（一票否决）"),
    ]
    model = tab.results_model
    tip = model.data(model.index(3, model.column_of("红/黑旗")), Qt.ItemDataRole.ToolTipRole)
    assert tip == "一票否决：发生重大安全事故"
    assert rows[0]["加分"] == "2.00" and rows[0]["综合得分"] == "82.00"
    assert "一票否决：发生重大安全事故" in rows[3]["备注"]

    tab.show_page(PAGE_ADJUSTMENTS)
    tab.ui.adjustments_table.selectRow(0)
    assert tab.remove_selected_adjustment()
    assert [a.kind for a in core.rounds.adjustments(detail.id)] == [AdjustmentType.VETO]


# ----- completeness -----------------------------------------------------------------------------


def test_completeness_tells_absent_from_partial(core, units, tab):
    detail = new_round(core)
    fill(
        core,
        detail,
        {"张五砦村": "0.9", "刘堌堆村": "0.8", "王庄村": "0.7", "东关社区": "0.6"},
        judges=detail.judges[:1],
    )
    fill(core, detail, {"张五砦村": "0.9", "刘堌堆村": "0.8", "王庄村": "0.7"}, judges=detail.judges[1:])
    second = detail.judges[1].id
    core.rounds.set_scores(
        detail.id, [(second, detail.units[0].id, "人居环境", None), (second, detail.units[0].id, "乡村治理", None)]
    )
    tab.reload()
    tab.show_page(PAGE_COMPLETENESS)
    model = tab.completeness_model
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())] == [
        "村（社区）",
        "李秀英",
    ]
    assert [[cell_text(model, r, c) for c in range(2)] for r in range(model.rowCount())] == [
        ["张五砦村", "缺：人居环境、乡村治理"],
        ["东关社区", "未打分"],
    ]
    assert model.data(model.index(0, 1), Qt.ItemDataRole.BackgroundRole) != model.data(
        model.index(1, 1), Qt.ItemDataRole.BackgroundRole
    )
    summary = tab.ui.completeness_label.text()
    assert "1 处只打了部分指标，必须补全才能定稿" in summary and "1 处评委未打分" in summary


# ----- results, ties, finalising, corrections -----------------------------------------------------


def test_results_show_ranks_totals_and_flags(core, units, tab):
    detail = new_round(core)
    fill(core, detail, {"张五砦村": "0.9", "刘堌堆村": "0.8", "王庄村": "0.85", "东关社区": "0.6"})
    tab.reload()
    tab.show_page(PAGE_RESULTS)
    rows = result_rows(tab)
    assert [(r["排名"], r["村（社区）"], r["综合得分"], r["红/黑旗"]) for r in rows] == [
        ("1", "张五砦村", "90.00", "红旗"),
        ("2", "王庄村", "85.00", ""),
        ("3", "刘堌堆村", "80.00", ""),
        ("4", "东关社区", "60.00", "黑旗"),
    ]
    assert rows[0]["实地观摩"] == "90.00" and rows[0]["党组织书记"] == "李禛"
    assert rows[0]["备注"] == "评委不足"  # two judges
    model = tab.results_model
    assert model.data(model.index(0, 5), Qt.ItemDataRole.BackgroundRole) == RED_ROW
    assert model.data(model.index(3, 5), Qt.ItemDataRole.BackgroundRole) == BLACK_ROW
    assert model.data(model.index(1, 5), Qt.ItemDataRole.BackgroundRole) is None
    # Black-flag rows keep dark text on grey (readable in greyscale).
    assert model.data(model.index(3, 5), Qt.ItemDataRole.ForegroundRole).lightness() < 60
    assert not tab.ui.tie_box.isVisible()

    # Typing a score in the grid makes the results page reload when shown again.
    tab.show_page(PAGE_SCORES)
    tab.grid.select_judge(detail.judges[0].id)
    assert tab.grid.model.setData(tab.grid.model.index(3, FIRST_SCORE_COLUMN), "25")
    tab.show_page(PAGE_RESULTS)
    assert result_rows(tab)[3]["实地观摩"] == "65.00"


def test_a_boundary_tie_is_shown_and_the_clerk_decides(qtbot, core, units, tab, boxes):
    detail = new_round(core)
    core.rounds.update_round(detail.id, rules=RoundRules(red=1, black=1, tie_policy=None))
    fill(core, detail, {"张五砦村": "0.9", "刘堌堆村": "0.9", "王庄村": "0.7", "东关社区": "0.6"})
    tab.reload()
    tab.show_page(PAGE_RESULTS)
    assert tab.ui.tie_box.isVisible()
    assert "第 1 名并列的刘堌堆村、张五砦村争 1 面红旗，需要决定" in tab.ui.tie_label.text()
    assert [r["红/黑旗"] for r in result_rows(tab)][:2] == ["", ""]  # never decided silently

    assert "还没有设置并列规则" in tab.ui.tie_label.text()
    assert not tab.ui.tiebreak_button.isEnabled()  # it cannot separate them, and says so
    assert "不能定稿" in tab.ui.tie_label.text()

    with qtbot.waitSignal(tab.changed):
        qtbot.mouseClick(tab.ui.extend_button, Qt.MouseButton.LeftButton)

    assert core.rounds.get_round(detail.id).rules.tie_policy is None  # decided for this tie, not for all
    assert not tab.ui.tie_box.isVisible()
    assert [(r["排名"], r["红/黑旗"]) for r in result_rows(tab)][:2] == [("1", "红旗"), ("1", "红旗")]
    assert any(e.action == "决定旗位并列" for e in core.audit.entries(f"round:{detail.id}"))
    assert tab.ui.decided_box.isVisible() and "并列的都给旗" in tab.ui.decided_label.text()

    # Taken back, then decided by the Party committee: she ticks one unit and writes why.
    qtbot.mouseClick(tab.ui.undo_decision_button, Qt.MouseButton.LeftButton)
    assert tab.ui.tie_box.isVisible()
    dialog = tab.open_committee_dialog()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    box = dialog.unit_boxes[1]
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))  # on the tick box
    assert dialog.count_label.text() == "已选 1 个，应选 1 个"
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)  # no reason yet: refused, the dialog stays
    assert "必须写明理由" in boxes.texts[-1] and dialog.isVisible()
    dialog.reason_edit.setText("党委会研究决定")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert not tab.ui.tie_box.isVisible()
    chosen = dialog.unit_boxes[1].text()
    assert {r["村（社区）"]: r["红/黑旗"] for r in result_rows(tab)}[chosen] == "红旗"
    assert "党委研究决定给" + chosen in tab.ui.decided_label.text()


def test_finalise_then_a_correction_asks_for_a_reason_and_keeps_the_original(qtbot, core, units, tab, boxes, answers):
    detail = new_round(core)
    fill(core, detail, {"张五砦村": "0.9", "刘堌堆村": "0.8", "王庄村": "0.7", "东关社区": "0.6"})
    tab.reload()
    assert tab.ui.finalize_button.isEnabled()
    qtbot.mouseClick(tab.ui.finalize_button, Qt.MouseButton.LeftButton)

    assert "确定定稿吗" in boxes.texts[-1]
    assert core.rounds.get_round(detail.id).status is RoundStatus.FINAL
    assert not tab.ui.finalize_button.isEnabled()
    assert tab.ui.final_banner.isVisible()
    assert tab.ui.final_banner.text().startswith("已定稿（20")
    assert tab.ui.final_banner.text().endswith("）：修改需写明更正原因，原结果保留")
    first = core.rounds.seal(detail.id)
    assert first is not None and first.version == 1
    assert f"校验码 {first.code}（第 1 版结果，印在得分汇总表和通报上）" in tab.ui.final_banner.text()
    assert tab.ui.pages.currentIndex() == PAGE_RESULTS

    # Typing on a finalised round opens the correction dialog, never an editor; cancelling it changes nothing.
    tab.show_page(PAGE_SCORES)
    view, model = tab.grid.view, tab.grid.model
    view.setCurrentIndex(model.index(3, FIRST_SCORE_COLUMN))
    qtbot.keyClicks(view, "2")
    assert view.indexWidget(model.index(3, FIRST_SCORE_COLUMN)) is None
    dialog = shown_correction(tab.grid)
    assert dialog is not None and dialog.new_value_text() == "2"
    dialog.reject()
    assert stored(core, detail)[("东关社区", "基层党建")] == Decimal("15.00")

    # With a reason the cell is saved, a new version of the results is stored.
    qtbot.keyClicks(view, "2")
    dialog = shown_correction(tab.grid)
    qtbot.keyClicks(dialog.value_edit, "5")
    dialog.reason_edit.setText("评委笔误，核对原始评分表后更正")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert shown_correction(tab.grid) is None
    assert answers.asked == []
    assert stored(core, detail)[("东关社区", "基层党建")] == Decimal("25.00")
    entry = [e for e in core.audit.entries(f"round:{detail.id}") if "/judge:" in e.entity][0]
    assert (entry.old, entry.new, entry.reason) == ("15.00", "25.00", "评委笔误，核对原始评分表后更正")
    # The correction sealed version 2: the banner shows the 校验码 the new paper will carry.
    second = core.rounds.seal(detail.id)
    assert second.version == 2 and second.code != first.code
    assert f"校验码 {second.code}（第 2 版结果" in tab.ui.final_banner.text()

    tab.show_page(PAGE_RESULTS)
    combo = tab.ui.version_combo
    assert tab.ui.version_row.isVisible()
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "原结果（定稿）",
        "更正 1（评委笔误，核对原始评分表后更正）",
    ]
    assert combo.currentIndex() == 1
    assert result_rows(tab)[3]["实地观摩"] == "65.00"
    combo.setCurrentIndex(0)
    assert result_rows(tab)[3]["实地观摩"] == "60.00"  # the original is kept beside the correction


def test_finalising_an_incomplete_round_is_refused_with_the_reasons(qtbot, core, units, tab, boxes):
    detail = new_round(core)
    fill(core, detail, {"张五砦村": "0.9", "刘堌堆村": "0.8", "王庄村": "0.7", "东关社区": "0.6"})
    core.rounds.set_score(detail.id, detail.judges[0].id, detail.units[0].id, "人居环境", None)
    tab.reload()
    assert not tab.finalize_round()
    assert boxes.texts[-1] == "评分还不完整或有未决定的并列，不能定稿"
    assert core.rounds.get_round(detail.id).status is RoundStatus.SCORING


# ----- rounds and dialogs --------------------------------------------------------------------------


def test_no_round_yet_says_what_to_do(core, tab):
    assert tab.ui.empty_label.isVisible()
    assert "新建评比" in tab.ui.empty_label.text()
    assert not tab.ui.pages.isVisible()
    assert not tab.ui.finalize_button.isEnabled()


def test_new_round_dialog_creates_a_round_from_typed_judges(qtbot, core, units, tab):
    dialog = tab.open_new_round_dialog()
    assert isinstance(dialog, NewRoundDialog) and dialog.isVisible()
    assert "观摩常在下个月进行" in dialog.ui.date_hint.text()
    assert dialog.ui.red_spin.maximum() == 4 and dialog.ui.red_spin.value() == 3
    dialog.ui.year_combo.setCurrentIndex(dialog.ui.year_combo.findData(2025))
    dialog.ui.quarter_combo.setCurrentIndex(dialog.ui.quarter_combo.findData(1))
    dialog.ui.date_edit.setDate(QDate(2025, 4, 20))
    event = QInputMethodEvent()
    event.setCommitString("王建国\n李秀英、张伟，刘洋")
    QApplication.sendEvent(dialog.ui.judges_edit, event)
    assert dialog.ui.judges_count.text().startswith("已填 4 位评委")
    dialog.ui.red_spin.setValue(1)
    dialog.ui.black_spin.setValue(1)

    with qtbot.waitSignal(tab.changed):
        qtbot.mouseClick(dialog.ui.button_box.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    (summary,) = core.rounds.list_rounds()
    detail = core.rounds.get_round(summary.id)
    assert summary.period == Period(2025, 1) and summary.event_date.isoformat() == "2025-04-20"
    assert [j.name for j in detail.judges] == ["王建国", "李秀英", "张伟", "刘洋"]
    assert (detail.rules.red, detail.rules.black) == (1, 1)
    assert tab.current_round_id() == summary.id
    assert tab.ui.round_combo.currentText() == "2025年第一季度 村党组织书记“亮赛比”逐村观摩评比（草稿）"
    assert tab.grid.judge_combo.count() == 4


def test_split_judges_accepts_lines_and_separators():
    assert split_judges("王建国\r\n李秀英、张伟, 刘洋；陈静\n\n") == ("王建国", "李秀英", "张伟", "刘洋", "陈静")


def test_settings_dialog_saves_the_rules(qtbot, core, units, tab):
    detail = new_round(core)
    tab.reload()
    dialog = tab.open_settings_dialog()
    dialog.ui.red_spin.setValue(2)
    dialog.ui.tie_combo.setCurrentIndex(dialog.ui.tie_combo.findText("每次由我决定"))
    chain = dialog.ui.chain_list
    chain.item(1).setCheckState(Qt.CheckState.Checked)  # 擂台比武
    chain.setCurrentRow(1)
    dialog.move_chain_item(-1)
    chain.item(1).setCheckState(Qt.CheckState.Checked)  # 实地观摩, now second
    qtbot.mouseClick(dialog.ui.button_box.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    rules = core.rounds.get_round(detail.id).rules
    assert (rules.red, rules.tie_policy, rules.tiebreak) == (2, None, ("擂台比武", "实地观摩"))
    assert "红旗 2 面" in tab.ui.status_label.text()


def test_scheme_dialog_edits_the_template_and_warns_about_weights(qtbot, core, units, tab):
    detail = new_round(core)
    tab.reload()
    dialog = tab.open_scheme_dialog(template=True)
    assert isinstance(dialog, SchemeDialog) and not dialog.read_only
    assert dialog.ui.hint_label.text() == TEMPLATE_HINT
    site = dialog.component_items()[0]
    assert site.text(2) == "合计 100"
    assert "权重合计：1" in dialog.ui.total_label.text()
    assert "不等于 1" not in dialog.ui.total_label.text()

    site.setText(1, "0.8")
    assert "不等于 1" in dialog.ui.total_label.text()
    assert "c05800" in dialog.ui.total_label.styleSheet()  # orange, a warning only
    site.child(0).setText(2, "30")
    assert site.text(2) == "合计 105"
    qtbot.mouseClick(dialog.ui.button_box.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    template = core.rounds.scheme_template()
    assert template.components[0].weight == Decimal("0.8")
    assert template.components[0].criteria[0].max_points == Decimal(30)
    # The round made before keeps its own copy.
    assert core.rounds.get_round(detail.id).scheme.components[0].weight == Decimal("0.7")

    shown = tab.open_scheme_dialog(template=False)
    assert shown.read_only and "不能修改" in shown.ui.hint_label.text()
    assert shown.component_items()[0].text(1) == "0.7"
    shown.reject()


def test_scheme_dialog_adds_the_computed_commitments_component_once(qtbot, core, units, tab, boxes):
    dialog = tab.open_scheme_dialog(template=True)
    qtbot.mouseClick(dialog.ui.add_commitments_button, Qt.MouseButton.LeftButton)
    item = dialog.component_items()[-1]
    assert item.text(0) == "承诺完成" and item.child(0).text(0) == "承诺完成率"
    assert "自动计算" in item.toolTip(0)
    dialog.ui.tree.setCurrentItem(item)
    assert dialog.add_criterion() is None  # one indicator only
    assert dialog.add_commitments_component() is None  # once per scheme
    assert any("承诺完成率计算的项目" in text for text in boxes.texts)
    for component in dialog.component_items()[:2]:
        component.setText(1, "0.35")
    item.setText(1, "0.3")
    qtbot.mouseClick(dialog.ui.button_box.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    template = core.rounds.scheme_template()
    computed = template.component("承诺完成")
    assert not computed.judged and computed.max_total == Decimal(100)
    assert [c.name for c in template.judged.components] == ["实地观摩", "擂台比武"]


# ----- files --------------------------------------------------------------------------------------


def test_blank_sheets_are_exported_where_the_clerk_chose(core, units, tab, monkeypatch, tmp_path):
    new_round(core)
    tab.reload()
    chosen = tmp_path / "评分表"
    asked = []

    def save_name(parent, title, suggested, *args):
        asked.append(suggested)
        return str(chosen), "Excel 工作簿 (*.xlsx)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_name))
    path = tab.export_blank_sheets()
    assert asked[0].endswith("2025年第一季度评分表.xlsx")
    assert path == str(chosen) + ".xlsx" and Path(path).stat().st_size > 0
    assert "已导出空白评分表" in tab.ui.notice_label.text()


def _flat_table(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["2025年第一季度评分汇总"])
    sheet.append(["评委", "村（社区）", "指标", "得分"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_import_is_previewed_and_goes_in_all_at_once(qtbot, core, units, tab, tmp_path, file_dialogs):
    detail = new_round(core)
    tab.reload()
    bad = _flat_table(
        tmp_path / "bad.xlsx", [["王建国", "张五砦村", "基层党建", 20], ["王建国", "无名村", "基层党建", 20]]
    )
    file_dialogs.pick([str(bad)])
    dialog = tab.open_import_dialog()
    assert dialog.problem_model.rowCount() >= 1
    assert "无名村" in dialog.problem_model.data(dialog.problem_model.index(0, 1))
    assert not dialog.import_button.isEnabled()
    dialog.reject()

    good = _flat_table(
        tmp_path / "good.xlsx", [["王建国", "张五砦村", "基层党建", "２０．５"], ["李秀英", "王庄村", "产业发展", 18]]
    )
    file_dialogs.pick([str(good)])
    dialog = tab.open_import_dialog()
    assert dialog.import_button.isEnabled()
    assert "新增 2 个分数" in dialog.summary_label.text()
    with qtbot.waitSignal(tab.changed):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert stored(core, detail) == {("张五砦村", "基层党建"): Decimal("20.50")}
    assert stored(core, detail, judge=1) == {("王庄村", "产业发展"): Decimal("18.00")}
    assert cell_text(tab.grid.model, 0, FIRST_SCORE_COLUMN) == "20.5"


# ----- audit --------------------------------------------------------------------------------------


def test_audit_page_lists_this_rounds_changes_newest_first(core, units, tab):
    rounds = [new_round(core) for _ in range(11)]
    first, eleventh = rounds[0], rounds[10]
    core.rounds.set_score(first.id, first.judges[0].id, first.units[0].id, "基层党建", "20")
    core.rounds.set_score(eleventh.id, eleventh.judges[0].id, eleventh.units[0].id, "基层党建", "21")
    core.rounds.set_score(first.id, first.judges[0].id, first.units[0].id, "基层党建", "22")
    tab.reload()
    assert tab.ui.round_combo.findData(first.id) >= 0
    tab.ui.round_combo.setCurrentIndex(tab.ui.round_combo.findData(first.id))
    tab.show_page(PAGE_AUDIT)
    model = tab.audit_model
    rows = [[cell_text(model, r, c) for c in range(2, 6)] for r in range(model.rowCount())]
    # round:11's entries share the prefix "round:1" and must not show here.
    assert rows == [
        ["评分", "评委王建国 · 张五砦村 · 基层党建", "20.00", "22.00"],
        ["评分", "评委王建国 · 张五砦村 · 基层党建", "", "20.00"],
        ["建立评比活动", "评比活动", "", rows[2][3]],
    ]


def test_describe_entity_reads_like_a_sentence():
    assert describe_entity("round:3") == "评比活动"
    assert describe_entity("round:3/unit:王庄村") == "王庄村"
    assert describe_entity("round:3/v1") == "定稿结果"
    assert describe_entity("round:3/v3") == "更正 2"


# ----- the main window and what it looks like -----------------------------------------------------


def test_the_main_window_has_the_tab_after_the_commitments(qtbot, core):
    from ui.main_window import MainWindow

    window = MainWindow(core, AppConfig(data_dir=core.data_dir))
    qtbot.addWidget(window)
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles.index("观摩评比") == titles.index("承诺事项") + 1
    assert window.select_tab("观摩评比")
    assert window.tabs.currentWidget() is window.scoring_tab


def _not_blank(path: Path) -> bool:
    image = QImage(str(path))
    if image.isNull() or image.width() < 100:
        return False
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 23)}
    return len(colours) > 5


def test_screenshots_with_the_demo_township(qtbot, demo_core, boxes, answers, tmp_path, screenshots):
    core = demo_core
    # A round being scored this quarter, beside the demo's finalised history.
    detail = core.rounds.create_round(
        RoundDraft(
            Period(2025, 1),
            title="",
            judges=("王建军", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "赵磊"),
            red=3,
            black=3,
        )
    ).value
    base = {u.name: str(Decimal("0.95") - Decimal(i % 9) / 50) for i, u in enumerate(detail.units)}
    fill(core, detail, base, judges=detail.judges[:6])
    fill(core, detail, dict(list(base.items())[:15]), judges=detail.judges[6:])
    core.rounds.set_visited(detail.id, detail.units[-1].id, False, "村委换届")
    core.rounds.add_adjustment(detail.id, detail.units[2].id, AdjustmentType.BONUS, "1.5", "获市级表彰")
    tab = ScoringTab(core)
    qtbot.addWidget(tab)
    tab.resize(1280, 800)
    tab.show()
    qtbot.waitExposed(tab)
    assert tab.current_round_id() == detail.id

    whole = tmp_path / "scoring.png"
    assert tab.grab().save(str(whole))
    assert _not_blank(whole)
    tab.show_page(PAGE_SCORES)
    tab.grid.select_judge(detail.judges[6].id)
    assert tab.grab().save(str(screenshots / "scoring-scores.png"))
    tab.show_page(PAGE_RESULTS)
    assert tab.results_model.rowCount() == len(detail.units)
    assert tab.grab().save(str(screenshots / "scoring-results.png"))
    tab.show_page(PAGE_COMPLETENESS)
    assert tab.grab().save(str(screenshots / "scoring-completeness.png"))
    # A finalised demo round with its banner.
    final = next(s for s in core.rounds.list_rounds() if s.status is RoundStatus.FINAL)
    tab.ui.round_combo.setCurrentIndex(tab.ui.round_combo.findData(final.id))
    tab.show_page(PAGE_RESULTS)
    assert tab.ui.final_banner.isVisible()
    assert tab.grab().save(str(screenshots / "scoring-final.png"))
    for name in ("scores", "results", "completeness", "final"):
        assert _not_blank(screenshots / f"scoring-{name}.png")


def test_a_new_round_says_which_units_it_left_out_as_not_yet_registered(qtbot, core, units, tab, boxes):
    from datetime import date

    make_unit(core, "新合村", effective=date(2025, 7, 1))  # formed by a merger in mid-2025
    dialog = tab.open_new_round_dialog()
    dialog.ui.year_combo.setCurrentIndex(dialog.ui.year_combo.findData(2025))
    dialog.ui.quarter_combo.setCurrentIndex(dialog.ui.quarter_combo.findData(1))
    dialog.ui.date_edit.setDate(QDate(2025, 4, 20))
    dialog.ui.red_spin.setValue(1)
    dialog.ui.black_spin.setValue(1)
    with qtbot.waitSignal(tab.changed):
        qtbot.mouseClick(dialog.ui.button_box.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert any("还不在册，没有列入本次评比：新合村" in text for text in boxes.texts)
    (summary,) = core.rounds.list_rounds()
    assert "新合村" not in [u.name for u in core.rounds.get_round(summary.id).units]


def test_a_judge_sheet_that_cannot_be_read_blocks_the_import_in_the_dialog(
    qtbot, core, units, tab, tmp_path, file_dialogs
):
    """Issue 19, point 1: a sheet without a header found was skipped and its note dropped, so a
    judge's whole sheet went missing with 导入 enabled."""
    detail = new_round(core)
    tab.reload()
    book = Workbook()
    book.active.title = "填表说明"
    book.active.append(["每位评委一个工作表，分数保留一位小数。"])
    for judge, header_row in (("王建国", 1), ("李秀英", 30)):
        sheet = book.create_sheet(judge)
        for number in range(1, header_row):
            sheet.append([f"（第{number}行：说明）"])
        sheet.append(["村（社区）", "基层党建（25分）"])
        sheet.append(["张五砦村", 20])
    book.create_sheet("备用").sheet_state = "hidden"
    path = tmp_path / "评分表.xlsx"
    book.save(path)

    file_dialogs.pick([str(path)])
    dialog = tab.open_import_dialog()
    qtbot.addWidget(dialog)
    assert not dialog.import_button.isEnabled()
    assert dialog.problem_model.rowCount() == 1
    where, message = (dialog.problem_model.data(dialog.problem_model.index(0, c)) for c in (0, 1))
    assert where == "工作表“李秀英” 第31行 A列"
    assert "前 20 行中找不到评分表的表头" in message
    summary = dialog.summary_label.text()
    assert "发现 1 个问题" in summary
    assert "工作表“填表说明”不是评分表" in summary and "工作表“王建国”：评委王建国，1 个分数" in summary
    assert "隐藏的工作表" in summary and "是空的，已忽略" in summary
    if os.environ.get("LSB_SHOTS"):
        dialog.grab().save(os.path.join(os.environ["LSB_SHOTS"], "score-import-blocked.png"))
    dialog.reject()
    assert stored(core, detail) == {}


def test_a_ranking_note_longer_than_a_cell_is_cut_and_the_clerk_told(
    qtbot, core, units, tab, boxes, tmp_path, file_dialogs
):
    """Issue 19, point 3: openpyxl cut a 备注 at 32,767 characters without a word."""
    from openpyxl import load_workbook

    from lsb_desktop.domain.text import CUT_MARK, EXCEL_CELL_CHARS

    detail = new_round(core)
    core.rounds.set_visited(detail.id, detail.units[2].id, False, "因道路施工改期。" * 5000)
    tab.reload()
    file_dialogs.pick(str(tmp_path / "排名"))
    path = tab.export_paper("ranking")
    assert path is not None
    assert "1 个单元格的文字超长，已截断" in tab.ui.notice_label.text()
    assert len(boxes.texts) == 1 and "的文字超过 Excel 单元格的上限（32767 个字）" in boxes.texts[0]
    book = load_workbook(path)
    try:
        cut = [
            cell.value
            for row in book["得分汇总表"].iter_rows()
            for cell in row
            if isinstance(cell.value, str) and cell.value.endswith(CUT_MARK)
        ]
    finally:
        book.close()
    assert len(cut) == 1 and len(cut[0]) == EXCEL_CELL_CHARS
    assert boxes.texts[0].count("工作表“得分汇总表”第") == 1
