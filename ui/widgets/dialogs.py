"""The shared kit of dialogs: ServiceDialog (OK makes one call to the core) and the small
building blocks every tab's dialogs use (date fields, OK/取消 buttons, hints and warnings)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QDateEdit, QDialog, QDialogButtonBox, QLabel, QWidget

from lsb_desktop.errors import LsbError
from ui.widgets.messages import CANCEL_TEXT, OK_TEXT, show_error

DATE_FORMAT = "yyyy-MM-dd"


def make_date_edit(day: date | None = None) -> QDateEdit:
    """A date field as the clerk expects it: 2023-09-26, with a calendar to pick from."""
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setDate(QDate(day or date.today()))
    return edit


def date_of(edit: QDateEdit) -> date:
    return edit.date().toPython()


def make_button_box(ok_text: str = OK_TEXT) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    # Explicit texts: Qt's own translations may not be installed on the clerk's PC.
    box.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    box.button(QDialogButtonBox.StandardButton.Cancel).setText(CANCEL_TEXT)
    return box


def make_hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #666;")
    return label


def make_warning(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00000; font-weight: bold;")
    return label


class ServiceDialog(QDialog):
    """A dialog whose OK makes one call to the core.

    A refused call (LsbError) is shown and the dialog stays open with everything typed, so the
    clerk only corrects what was wrong. `saved` carries what the core returned: a
    `Changed` (its value and the Changes the call caused) from every mutating call.
    """

    saved = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result_value: object = None

    def apply(self) -> object:
        """Make the call; raise LsbError when the core refuses."""
        raise NotImplementedError

    def accept(self) -> None:
        try:
            result = self.apply()
        except LsbError as exc:
            show_error(self, exc)
            return
        self.result_value = result
        self.saved.emit(result)
        super().accept()
