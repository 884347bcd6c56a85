"""The 打分 grid: one judge's scores typed like the paper sheet (units × criteria, then 合计)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QRadioButton,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lsb_desktop.domain.rounds import RoundDetail, RoundStatus, RoundUnit, ScoreCell
from lsb_desktop.domain.score_files import plain_points
from lsb_desktop.domain.scoring import TieMethod
from lsb_desktop.domain.text import clean
from lsb_desktop.errors import LsbError, TieUndecidedError, ValidationError
from lsb_desktop.services.rounds import check_points
from ui.widgets.table_model import ALIGN_CENTER, ALIGN_RIGHT

if TYPE_CHECKING:
    from lsb_desktop.core import Core

FIXED_HEADERS = ("序号", "管区", "村（社区）")
FIRST_SCORE_COLUMN = len(FIXED_HEADERS)
TOTAL_HEADER = "合计"
NOT_VISITED_TEXT = "本季度未观摩"
NO_ROUND_TEXT = "请先选择或新建一个评比活动"
NO_JUDGE_TEXT = "这个评比还没有评委，请在“参评单位与评委”中增加评委"

NOT_VISITED_BACKGROUND = QColor("#e6e6e6")
NOT_VISITED_FOREGROUND = QColor("#8a8a8a")
TOTAL_BACKGROUND = QColor("#f1f1f1")
# Every other component's criteria get a faint tint, so the groups show without a second header row.
BAND_BACKGROUND = QColor("#eef4fb")
ERROR_STYLE = "color: #b00000; font-weight: bold;"
OK_STYLE = "color: #2e6b30;"

_AnyIndex = QModelIndex | QPersistentModelIndex
Edit = tuple[int, int, object]  # (row, column, typed text or None to clear)
Cells = list[tuple[int, str, Decimal | None]]  # (round unit id, criterion, points or None)


@dataclass(frozen=True, slots=True)
class GridCriterion:
    component: str
    name: str
    maximum: Decimal
    band: bool  # tinted: the component is an odd one in the scheme


def parse_block(text: str) -> list[list[str]]:
    """A block copied from Excel or WPS: rows by newline, cells by tab; the final newline that
    both programs add is not an empty row."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.split("\t") for line in lines]


def next_cell(
    model: ScoreGridModel, row: int, column: int, rows: int, columns: int, wraps: bool = False
) -> tuple[int, int]:
    """Where the cursor goes from (row, column): `rows` up or down to the next unit visited this
    quarter (same column); `columns` left or right, and with `wraps` through the score cells in
    reading order (past the row's last score to the next row's first, and back), skipping units
    not visited. Where there is nowhere to go, the cursor stays."""
    if columns:
        if not wraps:
            return row, max(FIRST_SCORE_COLUMN, min(model.last_score_column, column + columns))
        cells = [
            (r, c)
            for r, unit in enumerate(model.units)
            if unit.visited
            for c in range(FIRST_SCORE_COLUMN, model.last_score_column + 1)
        ]
        if columns > 0:
            return next((cell for cell in cells if cell > (row, column)), (row, column))
        return next((cell for cell in reversed(cells) if cell < (row, column)), (row, column))
    if rows:
        step = row + rows
        while 0 <= step < model.rowCount() and not model.unit_at(step).visited:
            step += rows
        if 0 <= step < model.rowCount():
            return step, column
    return row, column


def _typed_text(event) -> bool:
    """A key that types a character (a digit, a point, a letter), not a shortcut."""
    if event.modifiers() & (
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier
    ):
        return False
    text = event.text()
    return bool(text) and text.isprintable() and not text.isspace()


# ----- the model ----------------------------------------------------------------------------


class ScoreGridModel(QAbstractTableModel):
    """One judge's scores for every participating unit. Empty (not scored) is not 0.

    Every accepted change goes through `writer` (one call for a whole pasted block) before it
    shows; a refused value leaves the cell as it was and is reported through `refused`."""

    refused = Signal(str)
    saved = Signal(str)  # a short Chinese note of what was saved
    # every saved change as (round unit id, criterion, old points, new points): one undo step
    changed_cells = Signal(list)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._units: tuple[RoundUnit, ...] = ()
        self._criteria: tuple[GridCriterion, ...] = ()
        self._scores: dict[tuple[int, str], Decimal] = {}
        self._writer: Callable[[Cells], None] | None = None
        self._writing = False
        self.last_refused = False

    # ----- what the grid widget calls -------------------------------------------------------

    def set_sheet(self, detail: RoundDetail | None, scores: Iterable[ScoreCell]) -> None:
        self.beginResetModel()
        if detail is None:
            self._units, self._criteria = (), ()
        else:
            self._units = detail.units
            self._criteria = tuple(
                GridCriterion(component.name, criterion.name, criterion.max_points, position % 2 == 1)
                for position, component in enumerate(detail.scheme.judged.components)
                for criterion in component.criteria
            )
        self._scores = {(cell.round_unit_id, cell.criterion): cell.points for cell in scores}
        self.endResetModel()

    def set_writer(self, writer: Callable[[Cells], None] | None) -> None:
        self._writer = writer

    @property
    def criteria(self) -> tuple[GridCriterion, ...]:
        return self._criteria

    @property
    def units(self) -> tuple[RoundUnit, ...]:
        return self._units

    @property
    def total_column(self) -> int:
        return FIRST_SCORE_COLUMN + len(self._criteria)

    @property
    def last_score_column(self) -> int:
        return FIRST_SCORE_COLUMN + len(self._criteria) - 1

    def criterion_at(self, column: int) -> GridCriterion | None:
        offset = column - FIRST_SCORE_COLUMN
        return self._criteria[offset] if 0 <= offset < len(self._criteria) else None

    def column_of(self, criterion: str) -> int:
        return FIRST_SCORE_COLUMN + next(i for i, c in enumerate(self._criteria) if c.name == criterion)

    def row_of(self, round_unit_id: int) -> int:
        return next(i for i, u in enumerate(self._units) if u.id == round_unit_id)

    def unit_at(self, row: int) -> RoundUnit | None:
        return self._units[row] if 0 <= row < len(self._units) else None

    def score(self, row: int, column: int) -> Decimal | None:
        unit, criterion = self.unit_at(row), self.criterion_at(column)
        if unit is None or criterion is None:
            return None
        return self._scores.get((unit.id, criterion.name))

    def is_editable(self, row: int, column: int) -> bool:
        unit = self.unit_at(row)
        return unit is not None and unit.visited and self.criterion_at(column) is not None

    def scored_count(self) -> tuple[int, int]:
        """(cells scored, cells to score) over the visited units."""
        visited = {u.id for u in self._units if u.visited}
        done = sum(1 for (unit_id, _), _ in self._scores.items() if unit_id in visited)
        return done, len(visited) * len(self._criteria)

    def total(self, row: int) -> tuple[Decimal | None, tuple[str, ...]]:
        """The judge's sum for the unit over every criterion, and the criteria left empty."""
        unit = self.unit_at(row)
        if unit is None:
            return None, ()
        values = [(c.name, self._scores.get((unit.id, c.name))) for c in self._criteria]
        given = [v for _, v in values if v is not None]
        if not given:
            return None, ()
        return sum(given, Decimal(0)), tuple(name for name, v in values if v is None)

    # ----- writing ---------------------------------------------------------------------------

    def _check(self, row: int, column: int, raw: object) -> tuple[RoundUnit, GridCriterion, Decimal | None]:
        unit, criterion = self.unit_at(row), self.criterion_at(column)
        if unit is None or criterion is None:
            raise ValidationError("这一格不是分数格")
        if not unit.visited:
            raise ValidationError(f"{unit.name}本季度未观摩，不能打分")
        if raw is None or not clean(raw):
            return unit, criterion, None
        try:
            return unit, criterion, check_points(clean(raw), criterion.name, criterion.maximum)
        except ValidationError as exc:
            raise ValidationError(f"{unit.name}：{exc.message}，未保存") from None

    def write(self, edits: Sequence[Edit]) -> bool:
        """Check every edit, then save them all in one call, or none. True when saved (or when
        nothing changed); False when refused or cancelled."""
        self.last_refused = False
        if self._writing:
            # A modal question during a save can make the editor commit a second time.
            return False
        try:
            checked = [self._check(row, column, raw) for row, column, raw in edits]
        except ValidationError as exc:
            return self._refuse(exc.message)
        cells = [
            (unit.id, criterion.name, value)
            for unit, criterion, value in checked
            if self._scores.get((unit.id, criterion.name)) != value
        ]
        if not cells:
            return True
        if self._writer is None:
            return self._refuse("没有选择评委，不能打分")
        self._writing = True
        try:
            self._writer(cells)
        except LsbError as exc:
            return self._refuse(exc.message + ("：" + "；".join(exc.details) if exc.details else ""))
        finally:
            self._writing = False
        before = [
            (unit_id, criterion, self._scores.get((unit_id, criterion)), value) for unit_id, criterion, value in cells
        ]
        for unit_id, criterion, value in cells:
            if value is None:
                self._scores.pop((unit_id, criterion), None)
            else:
                self._scores[(unit_id, criterion)] = value
        rows = sorted({self.row_of(unit_id) for unit_id, _, _ in cells})
        first_column = min(self.column_of(criterion) for _, criterion, _ in cells)
        self.dataChanged.emit(self.index(rows[0], first_column), self.index(rows[-1], self.total_column))
        self.saved.emit(self._describe(cells))
        self.changed_cells.emit(before)
        return True

    def _refuse(self, message: str) -> bool:
        self.last_refused = True
        self.refused.emit(message)
        return False

    def _describe(self, cells: Cells) -> str:
        if len(cells) == 1:
            unit_id, criterion, value = cells[0]
            unit = self._units[self.row_of(unit_id)]
            shown = "（清空，未打分）" if value is None else plain_points(value)
            return f"已保存：{unit.name} {criterion} {shown}"
        return f"已保存 {len(cells)} 个分数"

    # ----- QAbstractTableModel ---------------------------------------------------------------

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._units)

    def columnCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or not self._criteria:
            return 0
        return FIRST_SCORE_COLUMN + len(self._criteria) + 1

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        criterion = self.criterion_at(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if criterion is not None:
                return f"{criterion.name}\n({plain_points(criterion.maximum)})"
            if section == self.total_column:
                return f"{TOTAL_HEADER}\n({plain_points(sum((c.maximum for c in self._criteria), Decimal(0)))})"
            return FIXED_HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            if criterion is not None:
                return f"{criterion.component} · {criterion.name}，满分 {plain_points(criterion.maximum)} 分"
            if section == self.total_column:
                return "本评委对该村（社区）所有指标的合计（自动计算，不能输入）"
        if role == Qt.ItemDataRole.BackgroundRole and criterion is not None and criterion.band:
            return BAND_BACKGROUND
        return None

    def flags(self, index: _AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if self.is_editable(index.row(), index.column()):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: _AnyIndex, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """A typed value for one cell: checked, saved at once, or refused and left as it was."""
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.model() is not self:
            return False
        return self.write([(index.row(), index.column(), value)])

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.model() is not self:
            return None
        row, column = index.row(), index.column()
        unit = self.unit_at(row)
        if unit is None or not 0 <= column < self.columnCount():
            return None
        criterion = self.criterion_at(column)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(unit, row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column == 0:
                return int(ALIGN_CENTER.value)
            return int(ALIGN_RIGHT.value) if column >= FIRST_SCORE_COLUMN else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return None if unit.visited else NOT_VISITED_FOREGROUND
        if role == Qt.ItemDataRole.BackgroundRole:
            if not unit.visited:
                return NOT_VISITED_BACKGROUND
            if column == self.total_column:
                return TOTAL_BACKGROUND
            if criterion is not None and criterion.band:
                return BAND_BACKGROUND
            return None
        if role == Qt.ItemDataRole.FontRole and column == self.total_column:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(unit, row, column)
        return None

    def _text(self, unit: RoundUnit, row: int, column: int) -> str:
        if column == 0:
            return str(row + 1)
        if column == 1:
            return unit.district
        if column == 2:
            return unit.name if unit.visited else f"{unit.name}（{NOT_VISITED_TEXT}）"
        if column == self.total_column:
            total, _ = self.total(row)
            return "" if total is None else plain_points(total)
        value = self.score(row, column)
        return "" if value is None else plain_points(value)

    def _tooltip(self, unit: RoundUnit, row: int, column: int) -> str | None:
        if not unit.visited:
            return f"{unit.name}{NOT_VISITED_TEXT}，不打分"
        criterion = self.criterion_at(column)
        if criterion is not None:
            value = self.score(row, column)
            state = "未打分" if value is None else f"{plain_points(value)} 分"
            return f"{unit.name} · {criterion.component} · {criterion.name}（满分 {plain_points(criterion.maximum)}）：{state}"
        if column == self.total_column:
            total, missing = self.total(row)
            if total is not None and missing:
                return "还没有打分：" + "、".join(missing)
        if column == 2:
            return unit.organisation_title
        return None


# ----- the view -----------------------------------------------------------------------------


class ScoreDelegate(QStyledItemDelegate):
    """A plain line editor, right-aligned like the numbers it replaces.

    The keys that leave a cell (Enter, Tab, Shift+Tab, Up, Down) are handled here, not by Qt's
    default: the value is saved first, and only when it was accepted does the editor close and
    the cursor move. A refused value keeps its editor open, with the typed text, on the cell
    it was typed in, so nothing typed after it can land in another cell."""

    # key -> (rows, columns, wraps): where the cursor goes once the value is saved
    LEAVING_KEYS = {
        Qt.Key.Key_Return: (1, 0, False),
        Qt.Key.Key_Enter: (1, 0, False),
        Qt.Key.Key_Down: (1, 0, False),
        Qt.Key.Key_Up: (-1, 0, False),
        Qt.Key.Key_Tab: (0, 1, True),
        Qt.Key.Key_Backtab: (0, -1, True),
    }

    def __init__(self, view: ScoreTableView) -> None:
        super().__init__(view)
        self._view = view

    def createEditor(self, parent: QWidget, option, index: QModelIndex) -> QWidget:
        editor = QLineEdit(parent)
        editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        editor.setFrame(False)
        editor.setProperty("score_row", index.row())
        editor.setProperty("score_column", index.column())
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:
        editor.setText(index.data(Qt.ItemDataRole.EditRole) or "")
        editor.selectAll()

    def setModelData(self, editor: QWidget, model, index: QModelIndex) -> None:
        if editor.text() != (index.data(Qt.ItemDataRole.EditRole) or ""):
            model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)
        else:
            model.last_refused = False

    def eventFilter(self, editor, event) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(editor, QLineEdit):
            modifiers = event.modifiers() & ~(Qt.KeyboardModifier.KeypadModifier | Qt.KeyboardModifier.ShiftModifier)
            step = self.LEAVING_KEYS.get(Qt.Key(event.key()))
            if step is not None and modifiers == Qt.KeyboardModifier.NoModifier:
                if event.key() == Qt.Key.Key_Tab and event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                    step = self.LEAVING_KEYS[Qt.Key.Key_Backtab]
                self._leave(editor, step)
                return True
        return super().eventFilter(editor, event)

    def _leave(self, editor: QLineEdit, step: tuple[int, int, bool]) -> None:
        model = self._view.grid_model()
        index = model.index(editor.property("score_row"), editor.property("score_column"))
        self.setModelData(editor, model, index)
        if model.last_refused:
            editor.setFocus()
            return
        self._view.pending_step = step
        self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)


_EDIT_HINT = QAbstractItemDelegate.EndEditHint
_EDITING = QAbstractItemView.State.EditingState
_OPENING_TRIGGERS = (
    QAbstractItemView.EditTrigger.AnyKeyPressed
    | QAbstractItemView.EditTrigger.DoubleClicked
    | QAbstractItemView.EditTrigger.EditKeyPressed
)


class ScoreTableView(QTableView):
    """Keyboard entry as on a spreadsheet (Excel, WPS): a typed number replaces the cell, Enter
    goes down, Tab right and Shift+Tab left (wrapping to the next or previous row), Home/End to
    the row's first or last score, Esc cancels the edit, Delete clears, Ctrl+C / Ctrl+V copy and
    paste blocks, Ctrl+Z / Ctrl+Y undo and redo.

    Typing on the 序号/管区/村名 columns starts editing that row's first score; typing where no
    score can go is refused with a message, never turned into a search that moves the cursor."""

    correction_requested = Signal(QModelIndex, str)  # a finalised round: the cell and what was typed
    typing_refused = Signal(str)
    undo_requested = Signal()
    redo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(ScoreDelegate(self))
        self.setEditTriggers(_OPENING_TRIGGERS)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setTabKeyNavigation(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        header.setMinimumHeight(2 * self.fontMetrics().height() + 12)
        # True on a finalised round: no editor opens, a correction is asked for instead.
        self.corrections_only = False
        self.pending_step: tuple[int, int, bool] | None = None
        # While a correction dialog is open, keys that still reach the grid are passed to it.
        self.keys_go_to: QWidget | None = None
        self.on_clear: Callable[[list[QModelIndex]], None] | None = None
        self.on_paste: Callable[[QModelIndex, list[list[str]]], None] | None = None

    def grid_model(self) -> ScoreGridModel:
        return self.model()

    # ----- editing -----------------------------------------------------------------------------

    def edit(self, index, trigger=None, event=None):
        if trigger is None:
            return super().edit(index)
        opens = trigger == QAbstractItemView.EditTrigger.AllEditTriggers or bool(trigger & self.editTriggers())
        editable = index.isValid() and bool(self.model().flags(index) & Qt.ItemFlag.ItemIsEditable)
        if opens and editable and self.state() != _EDITING and self.corrections_only:
            typed = event.text() if trigger == QAbstractItemView.EditTrigger.AnyKeyPressed and event else None
            value = index.data(Qt.ItemDataRole.EditRole) or ""
            self.correction_requested.emit(QModelIndex(index), value if typed is None else typed)
            return False
        return super().edit(index, trigger, event)

    def keyboardSearch(self, search: str) -> None:
        """Never: a typed digit that finds a row by its 序号 would move the cursor to another unit."""

    def closeEditor(self, editor: QWidget, hint) -> None:
        step, self.pending_step = self.pending_step, None
        super().closeEditor(editor, hint)
        if step is not None:
            self.move_current(*step)

    def move_current(self, rows: int, columns: int, wraps: bool = False) -> None:
        model = self.grid_model()
        if model.rowCount() == 0 or model.columnCount() == 0:
            return
        current = self.currentIndex()
        if not current.isValid():
            self.setCurrentIndex(model.index(0, FIRST_SCORE_COLUMN))
            return
        row, column = next_cell(model, current.row(), current.column(), rows, columns, wraps)
        self.setCurrentIndex(model.index(row, column))

    # ----- keys ---------------------------------------------------------------------------------

    def keyPressEvent(self, event) -> None:
        target = self.keys_go_to
        if target is not None and target.isVisible():
            # Typed faster than the correction dialog came up: the keys belong to it.
            QCoreApplication.sendEvent(target.focusWidget() or target, event)
            return
        if self.state() == _EDITING:
            super().keyPressEvent(event)
            return
        key = event.key()
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        plain = modifiers == Qt.KeyboardModifier.NoModifier
        model = self.grid_model()
        current = self.currentIndex()
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
        elif event.matches(QKeySequence.StandardKey.Paste):
            self.paste_clipboard()
        elif event.matches(QKeySequence.StandardKey.Undo):
            self.undo_requested.emit()
        elif event.matches(QKeySequence.StandardKey.Redo) or (
            key == Qt.Key.Key_Y and modifiers == Qt.KeyboardModifier.ControlModifier
        ):
            self.redo_requested.emit()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain:
            self.move_current(1, 0)
        elif key == Qt.Key.Key_Tab and plain:
            self.move_current(0, 1, True)
        elif key == Qt.Key.Key_Backtab or (key == Qt.Key.Key_Tab and modifiers == Qt.KeyboardModifier.ShiftModifier):
            self.move_current(0, -1, True)
        elif key in (Qt.Key.Key_Home, Qt.Key.Key_End) and plain and current.isValid() and model.criteria:
            column = FIRST_SCORE_COLUMN if key == Qt.Key.Key_Home else model.last_score_column
            self.setCurrentIndex(model.index(current.row(), column))
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and plain:
            if self.on_clear is not None:
                self.on_clear(self.selectedIndexes() or [current])
        elif _typed_text(event) and current.isValid():
            self._type_into(current, event)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _type_into(self, current: QModelIndex, event) -> None:
        """A printable key with no editor open: edit the score cell it belongs to, or say why not."""
        model = self.grid_model()
        row, column = current.row(), current.column()
        unit = model.unit_at(row)
        if unit is None or not model.criteria:
            return
        if not unit.visited:
            self.typing_refused.emit(f"{unit.name}本季度未观摩，不能打分")
            return
        if column == model.total_column:
            self.typing_refused.emit("“合计”自动计算，不能输入；请在左边的指标格中输入分数")
            return
        if column < FIRST_SCORE_COLUMN:
            # The name columns never take input: the typing goes to the row's first score.
            current = model.index(row, FIRST_SCORE_COLUMN)
            self.setCurrentIndex(current)
        self.edit(current, QAbstractItemView.EditTrigger.AnyKeyPressed, event)

    def selection_text(self) -> str:
        """The selected cells as a tab-separated block (its bounding rectangle), as Excel copies."""
        indexes = [i for i in self.selectedIndexes() if i.isValid()] or (
            [self.currentIndex()] if self.currentIndex().isValid() else []
        )
        if not indexes:
            return ""
        rows = range(min(i.row() for i in indexes), max(i.row() for i in indexes) + 1)
        columns = range(min(i.column() for i in indexes), max(i.column() for i in indexes) + 1)
        chosen = {(i.row(), i.column()) for i in indexes}
        model = self.model()
        lines = ["\t".join(model.index(r, c).data() or "" if (r, c) in chosen else "" for c in columns) for r in rows]
        return "\n".join(lines) + "\n"

    def copy_selection(self) -> None:
        text = self.selection_text()
        if text:
            QGuiApplication.clipboard().setText(text)

    def paste_clipboard(self) -> None:
        text = QGuiApplication.clipboard().text()
        if self.on_paste is not None:
            self.on_paste(self.currentIndex(), parse_block(text))


# ----- the widget ---------------------------------------------------------------------------


class _ScoreGridUi:
    def setup(self, widget: QWidget) -> None:
        self.judge_combo = QComboBox()
        self.judge_combo.setMinimumWidth(160)
        self.judge_combo.setToolTip("一次录入一位评委的评分表")
        self.progress_label = QLabel()
        self.progress_label.setStyleSheet("color: #555;")
        self.legend_label = QLabel()
        self.legend_label.setStyleSheet("color: #555;")
        self.legend_label.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("评委"))
        top.addWidget(self.judge_combo)
        top.addSpacing(12)
        top.addWidget(self.progress_label)
        top.addStretch(1)
        self.view = ScoreTableView()
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setMinimumHeight(self.status_label.fontMetrics().height() + 6)
        hint = QLabel(
            "直接输入分数，回车到下一行，Tab 到右边一格（行末转到下一行），Esc 取消输入；"
            "Delete 清空（清空表示未打分，不是 0 分）；可从 Excel、WPS 复制一块分数后 Ctrl+V 粘贴；"
            "Ctrl+Z 撤销、Ctrl+Y 重做。每格输入后立即保存。"
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666;")
        layout = QVBoxLayout(widget)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.legend_label)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status_label)
        layout.addWidget(hint)


@dataclass(frozen=True, slots=True)
class UndoStep:
    """One saved change of the grid (a typed cell, a cleared selection, a pasted block):
    each cell's points before and after, so Ctrl+Z and Ctrl+Y can put either back."""

    round_id: int
    judge_id: int
    cells: tuple[tuple[int, str, Decimal | None, Decimal | None], ...]  # unit, criterion, old, new


class ScoreGrid(QWidget):
    """The entry sheet of one round: pick a judge, type the scores; each accepted cell is saved
    at once through `core.rounds.set_scores`. `saved` fires after each save with the Changes
    the service said it caused.

    On a finalised round no editor opens: typing (or F2, a double click, Delete) opens the
    correction dialog, which shows the cell and takes the new value and the reason."""

    saved = Signal(object)  # Changes

    def __init__(self, core: Core, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core = core
        self._detail: RoundDetail | None = None
        self._reason = ""
        self._action = "评分"
        self._tie_decision: tuple[TieMethod, Sequence[str]] | None = None
        self._tie_error: TieUndecidedError | None = None
        self._undo: list[UndoStep] = []
        self._redo: list[UndoStep] = []
        self._recording = True
        # Asks for a correction reason on a finalised round (pasted blocks, undo); None: cancelled.
        self.ask_reason: Callable[[], str | None] = lambda: None
        self.ui = _ScoreGridUi()
        self.ui.setup(self)
        self.model = ScoreGridModel(self)
        self.model.set_writer(self._write)
        self.ui.view.setModel(self.model)
        self.view = self.ui.view
        self.view.on_clear = self.clear_cells
        self.view.on_paste = self.paste_block
        self.view.correction_requested.connect(self.open_correction)
        self.view.typing_refused.connect(self._show_refusal)
        self.view.undo_requested.connect(self.undo)
        self.view.redo_requested.connect(self.redo)
        self.model.refused.connect(self._show_refusal)
        self.model.saved.connect(self._show_saved)
        self.model.changed_cells.connect(self._remember)
        self.model.modelReset.connect(self._update_progress)
        self.model.dataChanged.connect(self._update_progress)
        self.ui.judge_combo.currentIndexChanged.connect(self._judge_changed)
        self._show_message(NO_ROUND_TEXT, ok=True)

    # ----- round and judge -------------------------------------------------------------------

    @property
    def judge_combo(self) -> QComboBox:
        return self.ui.judge_combo

    @property
    def status_label(self) -> QLabel:
        return self.ui.status_label

    def current_judge_id(self) -> int | None:
        return self.ui.judge_combo.currentData()

    def set_round(self, detail: RoundDetail | None) -> None:
        """Show `detail` (None: nothing), keeping the judge chosen if the round still has them."""
        same = self._detail is not None and detail is not None and self._detail.id == detail.id
        keep = self.current_judge_id() if same else None
        if not same:
            self._undo.clear()
            self._redo.clear()
        self._detail = detail
        self.view.corrections_only = self._final()
        combo = self.ui.judge_combo
        combo.blockSignals(True)
        combo.clear()
        for number, judge in enumerate(detail.judges if detail else (), start=1):
            label = f"{number}. {judge.name}" + (f"（{judge.group}）" if judge.group else "")
            combo.addItem(label, judge.id)
        index = combo.findData(keep) if keep is not None else 0
        combo.setCurrentIndex(max(index, 0) if combo.count() else -1)
        combo.blockSignals(False)
        self._fill_legend()
        self.reload_scores()
        if detail is None:
            self._show_message(NO_ROUND_TEXT, ok=True)
        elif not detail.judges:
            self._show_message(NO_JUDGE_TEXT, ok=False)
        else:
            self._show_message("", ok=True)

    def select_judge(self, judge_id: int) -> bool:
        index = self.ui.judge_combo.findData(judge_id)
        if index >= 0:
            self.ui.judge_combo.setCurrentIndex(index)
        return index >= 0

    def _judge_changed(self) -> None:
        self.reload_scores()
        self._show_message("", ok=True)

    def reload_scores(self) -> None:
        detail, judge_id = self._detail, self.current_judge_id()
        if detail is None or judge_id is None:
            self.model.set_sheet(detail if detail is not None and judge_id is not None else None, ())
            return
        self.model.set_sheet(detail, self._core.rounds.scores(detail.id, judge_id))
        view = self.view
        view.resizeColumnsToContents()
        for column in range(FIRST_SCORE_COLUMN):
            view.setColumnWidth(column, view.columnWidth(column) + 12)
        # Equal widths for the score columns, wide enough for 100.25 and the header.
        for column in range(FIRST_SCORE_COLUMN, self.model.columnCount()):
            view.setColumnWidth(column, max(view.columnWidth(column) + 8, 76))
        view.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        if self.model.rowCount():
            first = next((r for r, u in enumerate(self.model.units) if u.visited), 0)
            view.setCurrentIndex(self.model.index(first, FIRST_SCORE_COLUMN))

    def _fill_legend(self) -> None:
        detail = self._detail
        if detail is None:
            self.ui.legend_label.setText("")
            return
        parts = []
        for position, component in enumerate(detail.scheme.judged.components):
            names = "、".join(c.name for c in component.criteria)
            tint = "（浅蓝底色）" if position % 2 == 1 and len(detail.scheme.judged.components) > 1 else ""
            parts.append(f"{component.name}{tint}：{names}，满分 {plain_points(component.max_total)}")
        parts.extend(f"{component.name}：按承诺事项完成率自动计算，不需打分" for component in detail.scheme.computed)
        self.ui.legend_label.setText("；".join(parts))

    def _update_progress(self, *args) -> None:
        done, total = self.model.scored_count()
        self.ui.progress_label.setText(f"本评委已打分 {done} / {total} 格" if total else "")

    # ----- saving ------------------------------------------------------------------------------

    def _final(self) -> bool:
        return self._detail is not None and self._detail.status is RoundStatus.FINAL

    def _write(self, cells: Cells) -> None:
        detail, judge_id = self._detail, self.current_judge_id()
        if detail is None or judge_id is None:
            raise ValidationError("没有选择评委，不能打分")
        if detail.status is RoundStatus.FINAL and not self._reason:
            # Every way into a finalised round's cells asks for the reason first; this is the guard.
            raise ValidationError("该评比活动已定稿，修改必须写明更正原因")
        try:
            changed = self._core.rounds.set_scores(
                detail.id,
                [(judge_id, unit_id, name, value) for unit_id, name, value in cells],
                self._reason,
                action=self._action,
                tie_decision=self._tie_decision,
            )
        except TieUndecidedError as exc:
            self._tie_error = exc
            raise
        self.saved.emit(changed.changes)

    def _write_with(
        self,
        edits: Sequence[Edit],
        reason: str = "",
        action: str = "评分",
        tie_decision: tuple[TieMethod, Sequence[str]] | None = None,
    ) -> bool:
        self._reason, self._action, self._tie_decision, self._tie_error = reason, action, tie_decision, None
        try:
            return self.model.write(edits)
        finally:
            self._reason, self._action, self._tie_decision = "", "评分", None

    def _block_reason(self) -> str | None:
        """The correction reason for a change of several cells on a finalised round ("" if not final)."""
        if not self._final():
            return ""
        reason = self.ask_reason()
        if not reason:
            self._show_message("没有写更正原因，未作修改", ok=False)
            return None
        return reason

    def clear_cells(self, indexes: Sequence[QModelIndex]) -> bool:
        """Delete: the selected scores become empty (not scored). Read-only cells are skipped."""
        edits = [
            (i.row(), i.column(), None)
            for i in indexes
            if i.isValid()
            and self.model.is_editable(i.row(), i.column())
            and self.model.score(i.row(), i.column()) is not None
        ]
        if not edits:
            return False
        if self._final() and len(edits) == 1:
            self.open_correction(self.model.index(edits[0][0], edits[0][1]), "")
            return False
        reason = self._block_reason()
        if reason is None:
            return False
        return self._write_with(edits, reason)

    def paste_block(self, start: QModelIndex, block: list[list[str]]) -> bool:
        """A block from Excel or WPS, its top-left at `start`: all of it in one save, or none."""
        model = self.model
        if not block or not any(cell.strip() for row in block for cell in row):
            return self._refuse("剪贴板里没有可以粘贴的分数")
        if not start.isValid() or model.criterion_at(start.column()) is None:
            return self._refuse("请先点选要粘贴的第一个分数格，再按 Ctrl+V")
        width = max(len(row) for row in block)
        room_columns = model.last_score_column - start.column() + 1
        room_rows = model.rowCount() - start.row()
        if width > room_columns or len(block) > room_rows:
            return self._refuse(
                f"粘贴的内容有 {len(block)} 行 {width} 列，从这一格起只有 {room_rows} 行 {room_columns} 个指标列，"
                "超出了评分表，没有粘贴任何分数"
            )
        edits = [
            (start.row() + r, start.column() + c, text) for r, row in enumerate(block) for c, text in enumerate(row)
        ]
        reason = self._block_reason()
        if reason is None or not self._write_with(edits, reason):
            return False
        view = self.view
        view.clearSelection()
        for row, column, _ in edits:
            view.selectionModel().select(model.index(row, column), QItemSelectionModel.SelectionFlag.Select)
        return True

    # ----- corrections of a finalised round ----------------------------------------------------

    def open_correction(self, index: QModelIndex, typed: str) -> CorrectionDialog | None:
        """The correction dialog of one cell, shown at once so the keys typed after the first
        one go into its 新分数 field; nothing is saved until it is confirmed with a reason."""
        detail, judge_id = self._detail, self.current_judge_id()
        unit, criterion = self.model.unit_at(index.row()), self.model.criterion_at(index.column())
        if detail is None or judge_id is None or unit is None or criterion is None:
            return None
        current = self.model.score(index.row(), index.column())
        dialog = CorrectionDialog(self, detail.judge(judge_id).name, unit.name, criterion, current, typed)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        cell = QPersistentModelIndex(index)

        def accept() -> None:
            saved = self._write_with(
                [(cell.row(), cell.column(), dialog.new_value_text())],
                dialog.reason(),
                tie_decision=dialog.tie_decision(),
            )
            if saved:
                dialog.accept()
            elif self._tie_error is not None:
                # The corrected score ties units across a flag line: she decides it here, in one step.
                dialog.ask_tie(self._tie_error)
            else:
                dialog.show_problem(self.ui.status_label.text())

        dialog.save_requested.connect(accept)
        dialog.rejected.connect(lambda: self._show_message("更正已取消，未作修改", ok=True))
        dialog.finished.connect(lambda _result: self._forget_dialog(dialog))
        self.view.keys_go_to = dialog
        dialog.open()
        dialog.place_caret()
        return dialog

    def _forget_dialog(self, dialog: CorrectionDialog) -> None:
        if self.view.keys_go_to is dialog:
            self.view.keys_go_to = None
        self.view.setFocus()

    # ----- undo and redo ---------------------------------------------------------------------

    def _remember(self, cells: list) -> None:
        judge_id = self.current_judge_id()
        if not self._recording or self._detail is None or judge_id is None:
            return
        self._undo.append(UndoStep(self._detail.id, judge_id, tuple(cells)))
        self._redo.clear()

    def undo(self) -> bool:
        """Ctrl+Z: the last saved change of this grid is put back, audited as 撤销评分."""
        if not self._undo:
            self._show_message("没有可以撤销的评分修改", ok=False)
            return False
        return self._replay(self._undo, self._redo, undo=True)

    def redo(self) -> bool:
        """Ctrl+Y: the change undone last is made again, audited as 重做评分."""
        if not self._redo:
            self._show_message("没有可以重做的评分修改", ok=False)
            return False
        return self._replay(self._redo, self._undo, undo=False)

    def _replay(self, source: list[UndoStep], target: list[UndoStep], undo: bool) -> bool:
        step = source[-1]
        detail = self._detail
        if detail is None or detail.id != step.round_id:
            source.clear()
            return False
        if self.current_judge_id() != step.judge_id:
            self.select_judge(step.judge_id)
        # Put back only what this grid wrote: a cell changed since (an import, say) is left alone.
        expected = {(unit, criterion): (new if undo else old) for unit, criterion, old, new in step.cells}
        now = {(c.round_unit_id, c.criterion): c.points for c in self._core.rounds.scores(detail.id, step.judge_id)}
        moved = [key for key, value in expected.items() if now.get(key) != value]
        word = "撤销" if undo else "重做"
        if moved:
            names = "、".join(f"{self.model.unit_at(self.model.row_of(u)).name} {c}" for u, c in moved[:3])
            source.pop()
            return self._refuse(f"不能{word}：{names} 的分数在这之后已被别处修改（如导入评分），请直接改正")
        reason = self._block_reason()
        if reason is None:
            return False
        edits = [
            (self.model.row_of(unit), self.model.column_of(criterion), old if undo else new)
            for unit, criterion, old, new in step.cells
        ]
        self._recording = False
        try:
            saved = self._write_with(
                [(r, c, None if v is None else str(v)) for r, c, v in edits],
                reason,
                action="撤销评分" if undo else "重做评分",
            )
        finally:
            self._recording = True
        if not saved:
            return False
        source.pop()
        target.append(step)
        first = edits[0]
        self.view.setCurrentIndex(self.model.index(first[0], first[1]))
        self._show_message(
            f"已{word}：{len(edits)} 个分数"
            if len(edits) > 1
            else f"已{word}：{self.ui.status_label.text().removeprefix('已保存：')}",
            ok=True,
        )
        return True

    # ----- messages ----------------------------------------------------------------------------

    def _refuse(self, message: str) -> bool:
        self.model.last_refused = True
        self._show_refusal(message)
        return False

    def _show_refusal(self, message: str) -> None:
        self._show_message(message, ok=False)

    def _show_saved(self, message: str) -> None:
        self._show_message(message, ok=True)

    def _show_message(self, message: str, ok: bool) -> None:
        self.ui.status_label.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.ui.status_label.setText(message)


class CorrectionDialog(QDialog):
    """更正评分: a finalised round's cell, its current value, the new value (with everything
    the clerk typed) and the reason; nothing is saved until 保存更正."""

    save_requested = Signal()

    def __init__(
        self, parent: QWidget, judge: str, unit: str, criterion: GridCriterion, current: Decimal | None, typed: str
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("更正评分（已定稿）")
        self.setModal(True)
        self._maximum = criterion.maximum
        self._criterion = criterion.name
        form = QFormLayout()
        form.addRow("村（社区）", QLabel(unit))
        form.addRow("评委", QLabel(judge))
        form.addRow(
            "指标", QLabel(f"{criterion.component} · {criterion.name}（满分 {plain_points(criterion.maximum)}）")
        )
        form.addRow("现在的分数", QLabel("未打分" if current is None else plain_points(current)))
        self.value_edit = QLineEdit(typed)
        self.value_edit.setPlaceholderText("空白表示清空（未打分）")
        self.value_edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("必须填写，例如：评委笔误，核对原始评分表后更正")
        form.addRow("新分数", self.value_edit)
        form.addRow("更正原因", self.reason_edit)
        self.problem_label = QLabel()
        self.problem_label.setStyleSheet(ERROR_STYLE)
        self.problem_label.setWordWrap(True)
        # Shown only when the correction would leave a tie across a flag line undecided.
        self.tie_box = QGroupBox("旗位并列怎样决定（与更正一起保存，记入审计记录）")
        self.tie_label = QLabel()
        self.tie_label.setWordWrap(True)
        self.extend_radio = QRadioButton("并列的都给旗")
        self.committee_radio = QRadioButton("党委研究决定，给以下勾选的单位（理由同更正原因）：")
        self.tie_units: list[QCheckBox] = []
        self._tie_layout = QVBoxLayout(self.tie_box)
        self._tie_layout.addWidget(self.tie_label)
        self._tie_layout.addWidget(self.extend_radio)
        self._tie_layout.addWidget(self.committee_radio)
        self.tie_box.hide()
        note = QLabel("该评比已定稿：保存后生成新的结果版本，原结果保留，修改记入审计记录。")
        note.setWordWrap(True)
        note.setStyleSheet("color: #666;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存更正")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.tie_box)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 30)

    def place_caret(self) -> None:
        """After showing (QDialog's own focus-in selects the text): the keys typed after the
        first one go on after it, never over it."""
        self.value_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.value_edit.deselect()
        self.value_edit.setCursorPosition(len(self.value_edit.text()))

    def new_value_text(self) -> str:
        return self.value_edit.text()

    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def show_problem(self, message: str) -> None:
        self.problem_label.setText(message)

    def ask_tie(self, error: TieUndecidedError) -> None:
        """The correction ties units across a flag line: offer 并列的都给旗 or 党委研究决定 for it."""
        ties = error.ties
        self.show_problem(error.message)
        self.tie_label.setText("；".join(tie.describe() for tie in ties))
        first = ties[0]
        self.extend_radio.setEnabled(not first.straddles)
        for box in self.tie_units:
            self._tie_layout.removeWidget(box)
            box.deleteLater()
        self.tie_units = [QCheckBox(name) for name in first.units] if len(ties) == 1 else []
        for box in self.tie_units:
            self._tie_layout.addWidget(box)
        self.committee_radio.setEnabled(bool(self.tie_units))
        self.tie_box.show()
        self.adjustSize()

    def tie_decision(self) -> tuple[TieMethod, tuple[str, ...]] | None:
        if self.tie_box.isHidden():
            return None
        if self.extend_radio.isChecked():
            return TieMethod.EXTEND, ()
        if self.committee_radio.isChecked():
            return TieMethod.COMMITTEE, tuple(box.text() for box in self.tie_units if box.isChecked())
        return None

    def _save(self) -> None:
        text = clean(self.value_edit.text())
        if text:
            try:
                check_points(text, self._criterion, self._maximum)
            except ValidationError as exc:
                self.show_problem(f"{exc.message}，请改正新分数")
                self.value_edit.setFocus()
                return
        if not self.reason():
            self.show_problem("请写明更正原因")
            self.reason_edit.setFocus()
            return
        if not self.tie_box.isHidden() and self.tie_decision() is None:
            self.show_problem("请选择旗位并列怎样决定")
            return
        self.show_problem("")
        self.save_requested.emit()
