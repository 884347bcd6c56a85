"""The 打分 grid driven with the keys a clerk presses, as in Excel/WPS: each value lands in the
cell it was typed in, Tab wraps, the name columns never swallow input, undo and redo, and the
correction dialog of a finalised round. Keys go to whichever widget has the focus, as a real
keyboard's do."""

from __future__ import annotations

from decimal import Decimal

import pytest
from factories import make_unit
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication, QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from lsb_desktop.domain.period import Period
from lsb_desktop.domain.rounds import RoundStatus
from lsb_desktop.domain.scoring import Component, Criterion, Flag, Scheme
from lsb_desktop.errors import ValidationError
from lsb_desktop.services.rounds import RoundDraft, check_points
from ui.scoring.grid import FIRST_SCORE_COLUMN, CorrectionDialog, ScoreGrid

pytestmark = pytest.mark.gui

# Two components, three criteria: small enough to reason about, big enough to wrap and band.
SCHEME = Scheme(
    (
        Component("实地观摩", Decimal("0.7"), (Criterion("基层党建", Decimal(25)), Criterion("产业发展", Decimal(25)))),
        Component("擂台比武", Decimal("0.3"), (Criterion("述职内容", Decimal(40)),)),
    )
)
CRITERIA = ("基层党建", "产业发展", "述职内容")
MAXIMA = (Decimal(25), Decimal(25), Decimal(40))
UNITS = ("张五砦村", "刘堌堆村", "王庄村", "东关社区")
FIRST, LAST = FIRST_SCORE_COLUMN, FIRST_SCORE_COLUMN + len(CRITERIA) - 1
TOTAL = LAST + 1


@pytest.fixture
def round_detail(core):
    for name in UNITS:
        make_unit(core, name)
    detail = core.rounds.create_round(
        RoundDraft(Period(2025, 1), judges=("王建国", "李秀英"), red=1, black=1, scheme=SCHEME)
    ).value
    # 王庄村 was not visited this quarter: its row takes no scores and the cursor jumps over it.
    core.rounds.set_visited(detail.id, detail.units[2].id, False, "因故未观摩")
    return core.rounds.get_round(detail.id)


@pytest.fixture
def grid(qtbot, core, round_detail, boxes):
    widget = ScoreGrid(core)
    qtbot.addWidget(widget)
    widget.resize(1100, 420)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    widget.set_round(round_detail)
    widget.view.setFocus()
    return widget


def focused():
    widget = QApplication.focusWidget()
    assert widget is not None, "a widget has the keyboard focus"
    return widget


def press(*keys) -> None:
    """Each key as the keyboard sends it: to the widget that has the focus now."""
    for key in keys:
        if isinstance(key, str) and not key.isascii():
            # Chinese comes from the input method as one committed string.
            event = QInputMethodEvent()
            event.setCommitString(key)
            QApplication.sendEvent(focused(), event)
        elif isinstance(key, str):
            for char in key:
                QTest.keyClicks(focused(), char)
        elif isinstance(key, tuple):
            QTest.keyClick(focused(), key[0], key[1])
        else:
            QTest.keyClick(focused(), key)
        QApplication.processEvents()


TAB, ENTER, ESC, HOME, END = Qt.Key.Key_Tab, Qt.Key.Key_Return, Qt.Key.Key_Escape, Qt.Key.Key_Home, Qt.Key.Key_End
BACKTAB = (Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
UNDO = (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
REDO = (Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)


def saved(core, detail, judge=0) -> dict[tuple[str, str], Decimal]:
    names = {u.id: u.name for u in detail.units}
    return {
        (names[c.round_unit_id], c.criterion): c.points for c in core.rounds.scores(detail.id, detail.judges[judge].id)
    }


def shown_correction(grid) -> CorrectionDialog | None:
    """The correction dialog the clerk sees over the grid, if one is open."""
    return next((d for d in grid.findChildren(CorrectionDialog) if d.isVisible()), None)


def click(qtbot, grid, row: int, column: int) -> None:
    view = grid.view
    rect = view.visualRect(view.model().index(row, column))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert (view.currentIndex().row(), view.currentIndex().column()) == (row, column)


def where(grid) -> tuple[int, int]:
    index = grid.view.currentIndex()
    return index.row(), index.column()


def test_typing_after_clicking_the_village_name_goes_into_that_rows_scores(qtbot, core, round_detail, grid):
    click(qtbot, grid, 1, 2)  # the 村（社区） cell of 刘堌堆村
    press("23.5", TAB, "23", TAB, "38", TAB)
    assert saved(core, round_detail) == {
        ("刘堌堆村", "基层党建"): Decimal("23.5"),
        ("刘堌堆村", "产业发展"): Decimal("23"),
        ("刘堌堆村", "述职内容"): Decimal("38"),
    }
    # Tab after the row's last score wraps to the next visited unit (王庄村 was not visited).
    assert where(grid) == (3, FIRST)


def test_home_and_end_stay_in_the_row_and_typing_after_home_edits_this_row(qtbot, core, round_detail, grid):
    click(qtbot, grid, 3, LAST)
    press(HOME)
    assert where(grid) == (3, FIRST)
    press("2", ENTER)
    assert where(grid) == (3, FIRST)  # Enter on the last unit stays on it
    press(END)
    assert where(grid) == (3, LAST)
    assert saved(core, round_detail) == {("东关社区", "基层党建"): Decimal("2")}


def test_shift_tab_wraps_back_and_enter_jumps_over_units_not_visited(qtbot, core, round_detail, grid):
    click(qtbot, grid, 3, FIRST)
    press(BACKTAB)
    assert where(grid) == (1, LAST)  # back over 王庄村, to 刘堌堆村's last score
    press("30", ENTER)
    assert where(grid) == (3, LAST)
    press("31", BACKTAB)
    assert where(grid) == (3, LAST - 1)
    assert saved(core, round_detail) == {
        ("刘堌堆村", "述职内容"): Decimal("30"),
        ("东关社区", "述职内容"): Decimal("31"),
    }


def test_escape_cancels_the_edit_and_keeps_the_old_value(qtbot, core, round_detail, grid):
    core.rounds.set_score(round_detail.id, round_detail.judges[0].id, round_detail.units[0].id, "基层党建", "20")
    grid.reload_scores()
    click(qtbot, grid, 0, FIRST)
    press("9", ESC)
    assert grid.view.indexWidget(grid.model.index(0, FIRST)) is None
    assert grid.model.data(grid.model.index(0, FIRST)) == "20"
    assert saved(core, round_detail) == {("张五砦村", "基层党建"): Decimal("20")}


def test_a_refused_value_stays_where_it_was_typed_and_nothing_after_it_lands_elsewhere(qtbot, core, round_detail, grid):
    click(qtbot, grid, 0, FIRST)
    press("99", TAB, "23", TAB)
    message = grid.status_label.text()
    assert "张五砦村" in message and "基层党建" in message and "未保存" in message
    editor = grid.view.indexWidget(grid.model.index(0, FIRST))
    assert isinstance(editor, QLineEdit) and editor.text() == "9923"
    assert where(grid) == (0, FIRST)
    assert saved(core, round_detail) == {}
    # Esc gives up on it; the clerk goes on from the same cell.
    press(ESC, "21", TAB, "22", TAB)
    assert saved(core, round_detail) == {
        ("张五砦村", "基层党建"): Decimal("21"),
        ("张五砦村", "产业发展"): Decimal("22"),
    }


def test_typing_on_the_total_or_a_unit_not_visited_is_refused_with_a_message(qtbot, core, round_detail, grid):
    click(qtbot, grid, 0, TOTAL)
    press("5")
    assert "合计" in grid.status_label.text() and "不能输入" in grid.status_label.text()
    click(qtbot, grid, 2, 2)
    press("5", TAB)
    assert "王庄村本季度未观摩" in grid.status_label.text()
    assert saved(core, round_detail) == {}


def test_undo_and_redo_a_typed_cell_and_a_pasted_block_each_as_one_step(qtbot, core, round_detail, grid):
    click(qtbot, grid, 0, FIRST)
    press("20", ENTER)
    click(qtbot, grid, 1, FIRST)
    QGuiApplication.clipboard().setText("21\t22\t23\n")
    press((Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier))
    assert len(saved(core, round_detail)) == 4

    press(UNDO)
    assert saved(core, round_detail) == {("张五砦村", "基层党建"): Decimal("20")}
    press(UNDO)
    assert saved(core, round_detail) == {}
    assert grid.model.data(grid.model.index(0, FIRST)) == ""
    press(REDO)
    assert saved(core, round_detail) == {("张五砦村", "基层党建"): Decimal("20")}
    assert "已重做" in grid.status_label.text()
    actions = [e.action for e in core.audit.entries(f"round:{round_detail.id}") if "/judge:" in e.entity]
    assert actions.count("撤销评分") == 4 and actions.count("重做评分") == 1
    # A new change after undoing clears what could be redone.
    press(UNDO)
    click(qtbot, grid, 3, FIRST)
    press("5", ENTER)
    press(REDO)
    assert "没有可以重做" in grid.status_label.text()


def test_undo_refuses_a_cell_changed_elsewhere_since(qtbot, core, round_detail, grid):
    click(qtbot, grid, 0, FIRST)
    press("20", ENTER)
    core.rounds.set_score(round_detail.id, round_detail.judges[0].id, round_detail.units[0].id, "基层党建", "24")
    press(UNDO)
    assert "不能撤销" in grid.status_label.text()
    assert saved(core, round_detail) == {("张五砦村", "基层党建"): Decimal("24")}


SHARES = {"张五砦村": Decimal("0.8"), "刘堌堆村": Decimal("0.7"), "东关社区": Decimal("0.6")}


def finalise(core, detail) -> None:
    cells = [
        (judge.id, unit.id, name, maximum * SHARES[unit.name])
        for judge in detail.judges
        for unit in detail.units
        if unit.visited
        for name, maximum in zip(CRITERIA, MAXIMA, strict=True)
    ]
    core.rounds.set_scores(detail.id, cells)
    core.rounds.finalize(detail.id)


def test_a_correction_after_finalising_takes_every_typed_key_into_its_new_value(qtbot, core, round_detail, grid):
    finalise(core, round_detail)
    grid.set_round(core.rounds.get_round(round_detail.id))
    click(qtbot, grid, 1, FIRST)
    press("24")
    dialog = shown_correction(grid)
    assert isinstance(dialog, CorrectionDialog) and dialog.isVisible()
    assert dialog.new_value_text() == "24"  # both keys, none in the reason, none left in the cell
    assert dialog.reason() == ""
    assert grid.view.indexWidget(grid.model.index(1, FIRST)) is None
    labels = " ".join(label.text() for label in dialog.findChildren(type(grid.status_label)))
    assert "刘堌堆村" in labels and "王建国" in labels and "基层党建" in labels and "17.5" in labels

    press(TAB, "评委笔误，核对原始评分表后更正")
    assert dialog.reason() == "评委笔误，核对原始评分表后更正"
    press(ENTER)
    assert shown_correction(grid) is None
    assert saved(core, round_detail)[("刘堌堆村", "基层党建")] == Decimal("24")
    entry = [e for e in core.audit.entries(f"round:{round_detail.id}") if "/judge:" in e.entity][0]
    assert (entry.old, entry.new, entry.reason) == ("17.50", "24.00", "评委笔误，核对原始评分表后更正")
    assert len(core.rounds.result_versions(round_detail.id)) == 2


def test_a_correction_without_a_reason_or_cancelled_saves_nothing(qtbot, core, round_detail, grid):
    finalise(core, round_detail)
    grid.set_round(core.rounds.get_round(round_detail.id))
    click(qtbot, grid, 0, LAST)
    press("39", ENTER)
    dialog = shown_correction(grid)
    assert dialog is not None and dialog.isVisible()
    assert "请写明更正原因" in dialog.problem_label.text()
    press(ESC)
    assert shown_correction(grid) is None
    assert saved(core, round_detail)[("张五砦村", "述职内容")] == Decimal("32")
    assert core.rounds.get_round(round_detail.id).status is RoundStatus.FINAL
    assert len(core.rounds.result_versions(round_detail.id)) == 1


# ----- a state machine: random key sequences against a plain model of the sheet ---------------


class PlainSheet:
    """Where each key should go, written down without Qt: the cursor, the open editor (its text
    and caret), and every saved cell."""

    def __init__(self, visited: list[bool]) -> None:
        self.visited = visited
        self.row, self.column = 0, FIRST
        self.editing: list | None = None  # [text, caret]
        self.cells: dict[tuple[int, int], Decimal] = {}
        self.undo_steps: list = []
        self.redo_steps: list = []

    def score_cells(self):
        return [(r, c) for r, v in enumerate(self.visited) if v for c in range(FIRST, LAST + 1)]

    def go(self, rows: int, columns: int, wraps: bool) -> None:
        here = (self.row, self.column)
        if columns and wraps:
            cells = self.score_cells()
            if columns > 0:
                self.row, self.column = next((c for c in cells if c > here), here)
            else:
                self.row, self.column = next((c for c in reversed(cells) if c < here), here)
        elif rows:
            step = self.row + rows
            while 0 <= step < len(self.visited) and not self.visited[step]:
                step += rows
            if 0 <= step < len(self.visited):
                self.row = step

    def type_char(self, char: str) -> None:
        if self.editing is not None:
            text, caret = self.editing
            self.editing = [text[:caret] + char + text[caret:], caret + 1]
            return
        if not self.visited[self.row] or self.column == TOTAL:
            return  # refused with a message
        if self.column < FIRST:
            self.column = FIRST
        self.editing = [char, 1]

    def leave(self, rows: int, columns: int, wraps: bool) -> None:
        if self.editing is None:
            self.go(rows, columns, wraps)
            return
        text = self.editing[0]
        try:
            value = check_points(text, CRITERIA[self.column - FIRST], MAXIMA[self.column - FIRST])
        except ValidationError:
            return  # refused: the editor stays open with its text
        self.save([((self.row, self.column), value)])
        self.editing = None
        self.go(rows, columns, wraps)

    def save(self, changes) -> None:
        step = [(cell, self.cells.get(cell), value) for cell, value in changes if self.cells.get(cell) != value]
        if not step:
            return
        for cell, _, value in step:
            self.cells[cell] = value
        self.undo_steps.append(step)
        self.redo_steps.clear()

    def replay(self, undo: bool) -> None:
        source, target = (self.undo_steps, self.redo_steps) if undo else (self.redo_steps, self.undo_steps)
        if not source:
            return
        step = source.pop()
        for cell, old, new in step:
            value = old if undo else new
            if value is None:
                self.cells.pop(cell, None)
            else:
                self.cells[cell] = value
        target.append(step)
        self.row, self.column = step[0][0]

    def escape(self) -> None:
        self.editing = None

    def home_end(self, home: bool) -> None:
        if self.editing is not None:
            self.editing[1] = 0 if home else len(self.editing[0])
        else:
            self.column = FIRST if home else LAST

    def arrow(self, key) -> None:
        if self.editing is not None:
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self.leave(-1 if key == Qt.Key.Key_Up else 1, 0, False)
            else:
                text, caret = self.editing
                self.editing[1] = max(0, caret - 1) if key == Qt.Key.Key_Left else min(len(text), caret + 1)
            return
        rows, columns = {
            Qt.Key.Key_Up: (-1, 0),
            Qt.Key.Key_Down: (1, 0),
            Qt.Key.Key_Left: (0, -1),
            Qt.Key.Key_Right: (0, 1),
        }[key]
        self.row = max(0, min(len(self.visited) - 1, self.row + rows))
        self.column = max(0, min(TOTAL, self.column + columns))

    def paste(self, block: list[list[str]]) -> None:
        if self.column < FIRST or self.column > LAST or not self.visited[self.row]:
            return
        edits = {}
        for r, line in enumerate(block):
            for c, text in enumerate(line):
                row, column = self.row + r, self.column + c
                if row >= len(self.visited) or column > LAST or not self.visited[row]:
                    return  # the whole block is refused
                try:
                    edits[(row, column)] = check_points(text, CRITERIA[column - FIRST], MAXIMA[column - FIRST])
                except ValidationError:
                    return
        self.save(list(edits.items()))


# Digits come more often than the rest, as they do when a clerk types a sheet.
KEYS = list("0123456789.") + [
    "tab",
    "tab",
    "backtab",
    "enter",
    "enter",
    "home",
    "end",
    "esc",
    "up",
    "down",
    "left",
    "right",
]
KEY_CODES = {
    "tab": TAB,
    "backtab": BACKTAB,
    "enter": ENTER,
    "home": HOME,
    "end": END,
    "esc": ESC,
    "up": Qt.Key.Key_Up,
    "down": Qt.Key.Key_Down,
    "left": Qt.Key.Key_Left,
    "right": Qt.Key.Key_Right,
}


def test_random_key_sequences_land_where_a_plain_model_says(qtbot, core, round_detail, grid):
    detail = round_detail
    judge = detail.judges[0].id

    class GridKeys(RuleBasedStateMachine):
        @initialize()
        def start(self):
            core.rounds.set_scores(
                detail.id, [(judge, unit.id, name, None) for unit in detail.units if unit.visited for name in CRITERIA]
            )
            grid.set_round(None)  # a fresh sheet: nothing to undo from an earlier example
            grid.set_round(detail)
            grid.view.setFocus()
            self.plain = PlainSheet([u.visited for u in detail.units])

        @rule(keys=st.lists(st.sampled_from(KEYS), min_size=1, max_size=12))
        def type_keys(self, keys):
            for key in keys:
                if key in KEY_CODES:
                    press(KEY_CODES[key])
                else:
                    press(key)
                {
                    "tab": lambda: self.plain.leave(0, 1, True),
                    "backtab": lambda: self.plain.leave(0, -1, True),
                    "enter": lambda: self.plain.leave(1, 0, False),
                    "home": lambda: self.plain.home_end(True),
                    "end": lambda: self.plain.home_end(False),
                    "esc": self.plain.escape,
                    "up": lambda: self.plain.arrow(Qt.Key.Key_Up),
                    "down": lambda: self.plain.arrow(Qt.Key.Key_Down),
                    "left": lambda: self.plain.arrow(Qt.Key.Key_Left),
                    "right": lambda: self.plain.arrow(Qt.Key.Key_Right),
                }.get(key, lambda: self.plain.type_char(key))()  # noqa: B023 - called at once
                self.same_place_and_same_cells()

        @precondition(lambda self: self.plain.editing is None)
        @rule(
            block=st.lists(
                st.lists(st.sampled_from(["5", "12.5", "20", "30", "x"]), min_size=1, max_size=2),
                min_size=1,
                max_size=2,
            )
        )
        def paste(self, block):
            QGuiApplication.clipboard().setText("\n".join("\t".join(line) for line in block) + "\n")
            press((Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier))
            self.plain.paste(block)

        @precondition(lambda self: self.plain.editing is None)
        @rule(row=st.integers(0, len(UNITS) - 1), column=st.integers(0, TOTAL))
        def click(self, row, column):
            click(qtbot, grid, row, column)
            self.plain.row, self.plain.column = row, column

        @precondition(lambda self: self.plain.editing is None)
        @rule(undo=st.booleans())
        def undo_redo(self, undo):
            press(UNDO if undo else REDO)
            self.plain.replay(undo)

        @invariant()
        def same_place_and_same_cells(self):
            assert where(grid) == (self.plain.row, self.plain.column)
            editor = grid.view.indexWidget(grid.view.currentIndex())
            if self.plain.editing is None:
                assert editor is None
            else:
                assert isinstance(editor, QLineEdit) and editor.text() == self.plain.editing[0]
                assert editor.cursorPosition() == self.plain.editing[1]
            names = {u.id: r for r, u in enumerate(detail.units)}
            stored = {
                (names[c.round_unit_id], FIRST + CRITERIA.index(c.criterion)): c.points
                for c in core.rounds.scores(detail.id, judge)
            }
            assert stored == self.plain.cells

    run_state_machine_as_test(
        GridKeys,
        settings=settings(
            max_examples=50,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )


def test_a_correction_that_ties_units_on_the_flag_line_is_decided_in_the_same_dialog(qtbot, core, round_detail, grid):
    detail = round_detail
    shares = {"张五砦村": Decimal("0.8"), "刘堌堆村": Decimal("0.8"), "东关社区": Decimal("0.6")}
    cells = [
        (judge.id, unit.id, name, maximum * shares[unit.name])
        for judge in detail.judges
        for unit in detail.units
        if unit.visited
        for name, maximum in zip(CRITERIA, MAXIMA, strict=True)
    ]
    cells.append((detail.judges[0].id, detail.units[1].id, "基层党建", Decimal("19")))  # 刘堌堆村 one point short
    core.rounds.set_scores(detail.id, cells)
    core.rounds.finalize(detail.id)
    grid.set_round(core.rounds.get_round(detail.id))

    click(qtbot, grid, 1, FIRST)
    press("20", TAB, "核对原始评分表，评委笔误", ENTER)  # now level with 张五砦村 for the one red flag
    dialog = shown_correction(grid)
    assert dialog is not None and dialog.isVisible()
    assert dialog.tie_box.isVisible()
    assert "刘堌堆村、张五砦村争 1 面红旗" in dialog.tie_label.text()
    assert saved(core, detail)[("刘堌堆村", "基层党建")] == Decimal("19")  # nothing saved yet

    qtbot.mouseClick(
        dialog.committee_radio, Qt.MouseButton.LeftButton, pos=QPoint(8, dialog.committee_radio.height() // 2)
    )
    box = next(b for b in dialog.tie_units if b.text() == "张五砦村")
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert shown_correction(grid) is None
    assert saved(core, detail)[("刘堌堆村", "基层党建")] == Decimal("20")
    results = core.rounds.results(detail.id)
    assert results.version == 2
    assert {r.unit.name: r.flag for r in results.results}["张五砦村"] is Flag.RED
    assert {r.unit.name: r.flag for r in results.results}["刘堌堆村"] is None
    decision = [e for e in core.audit.entries(f"round:{detail.id}") if e.action == "决定旗位并列"]
    assert len(decision) == 1 and decision[0].reason == "核对原始评分表，评委笔误"
