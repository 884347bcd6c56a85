"""One generic read-only table model: subclasses declare their columns, a proxy sorts them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

R = TypeVar("R")

# The proxy sorts on SORT_ROLE (view.proxy.setSortRole(SORT_ROLE)); OBJECT_ROLE hands out the row.
SORT_ROLE = Qt.ItemDataRole.UserRole
OBJECT_ROLE = Qt.ItemDataRole.UserRole + 1

ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
ALIGN_CENTER = Qt.AlignmentFlag.AlignCenter
ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

_AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class Column(Generic[R]):
    """One column: what it is called and how a row gives its value.

    `sort_key` must return one type per column (int, float or str): Qt cannot order an int
    against a str, and such rows would stay where they are.
    """

    header: str
    value: Callable[[R], object]
    sort_key: Callable[[R], int | float | str] | None = None
    alignment: Qt.AlignmentFlag | None = None
    tooltip: Callable[[R], str] | None = None
    foreground: Callable[[R], QColor | None] | None = None
    background: Callable[[R], QColor | None] | None = None
    header_tooltip: str = ""


def display_text(value: object) -> str:
    """How a cell shows a value: dates as 2023-09-26, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class RowTableModel(QAbstractTableModel):
    """Rows are frozen dataclasses from the core; a subclass sets `columns` and nothing else."""

    columns: ClassVar[Sequence[Column[Any]]] = ()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    # ----- what the screens call ---------------------------------------------------------

    def set_rows(self, rows: Iterable[Any]) -> None:
        # A reset, not row-by-row signals: the whole list comes fresh from the core each time.
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    @property
    def rows(self) -> tuple[Any, ...]:
        return tuple(self._rows)

    def row_at(self, index: _AnyIndex) -> Any:
        """The row object behind an index of this model (map proxy indexes to source first)."""
        if not index.isValid() or index.model() is not self:
            return None
        return self._rows[index.row()] if 0 <= index.row() < len(self._rows) else None

    def find_row(self, predicate: Callable[[Any], bool]) -> int | None:
        return next((i for i, row in enumerate(self._rows) if predicate(row)), None)

    def row_foreground(self, row: Any) -> QColor | None:
        """A colour for the whole row (e.g. grey for archived); a column's own colour wins."""
        return None

    # ----- QAbstractTableModel -------------------------------------------------------------

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def flags(self, index: _AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.ToolTipRole and column.header_tooltip:
            return column.header_tooltip
        return None

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole):
        row = self.row_at(index)
        if row is None or not 0 <= index.column() < len(self.columns):
            return None
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return display_text(column.value(row))
        if role == SORT_ROLE:
            return self._sort_value(column, row)
        if role == OBJECT_ROLE:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole:
            # Qt reads alignment as an int; an enum object would be ignored by some delegates.
            return None if column.alignment is None else int(column.alignment.value)
        if role == Qt.ItemDataRole.ToolTipRole:
            return (column.tooltip(row) or None) if column.tooltip else None
        if role == Qt.ItemDataRole.ForegroundRole:
            colour = column.foreground(row) if column.foreground else None
            return colour if colour is not None else self.row_foreground(row)
        if role == Qt.ItemDataRole.BackgroundRole:
            return column.background(row) if column.background else None
        return None

    @staticmethod
    def _sort_value(column: Column[Any], row: Any) -> int | float | str:
        if column.sort_key is not None:
            return column.sort_key(row)
        value = column.value(row)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        return display_text(value)


class FilterProxy(QSortFilterProxyModel):
    """Sorts on SORT_ROLE; a subclass keeps rows by its own filters and changes them through
    `_change`, which tells the view in the way the running Qt version wants."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)

    def _change(self, apply: Callable[[], None]) -> None:
        # Qt 6.9 added begin/endFilterChange and deprecates invalidateRowsFilter after it.
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            apply()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            apply()
            self.invalidateRowsFilter()


def shown_rows(proxy: QSortFilterProxyModel) -> list:
    """The row objects of the RowTableModel behind `proxy`, as the view shows them now:
    filtered and sorted."""
    source = proxy.sourceModel()
    return [source.row_at(proxy.mapToSource(proxy.index(row, 0))) for row in range(proxy.rowCount())]


def read_only_table(*, select_rows: bool = True, selectable: bool = True, wrap: bool = True) -> QTableView:
    """A tab's list: read-only, one row selected at a time, centred headers, compact rows."""
    table = QTableView()
    if select_rows:
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(
        QAbstractItemView.SelectionMode.SingleSelection if selectable else QAbstractItemView.SelectionMode.NoSelection
    )
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(wrap)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
    # The style's default row is tall for CJK fonts; a register of 60 rows should fit on a screen.
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    return table


def preview_table(model: RowTableModel, parent: QWidget | None = None) -> QTableView:
    """An import preview's rows or problems: read-only, columns fitted to their contents."""
    view = QTableView(parent)
    view.setModel(model)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def fit_columns(table: QTableView, padding: int = 14, limits: dict[int, int] | None = None) -> None:
    """Columns as wide as their contents plus some air (Qt's fit leaves digits touching the
    grid); `limits` caps long text columns. The last column stretches into what remains."""
    table.resizeColumnsToContents()
    for column in range(table.model().columnCount() - 1):
        width = table.columnWidth(column) + padding
        if limits and column in limits:
            width = min(width, limits[column])
        table.setColumnWidth(column, width)
