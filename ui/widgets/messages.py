"""The message boxes every screen uses: a known error, a 确定/取消 confirmation, a notice."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from lsb_desktop.errors import LsbError

ERROR_TITLE = "操作未完成"
OK_TEXT = "确定"
CANCEL_TEXT = "取消"


def show_error(parent: QWidget | None, exc: LsbError) -> None:
    """Show a known failure where the user acted; the core's Chinese message is shown as it is."""
    box = QMessageBox(QMessageBox.Icon.Warning, ERROR_TITLE, exc.message, QMessageBox.StandardButton.NoButton, parent)
    if exc.details:
        box.setDetailedText("\n".join(exc.details))
    # Button texts are set here rather than left to Qt's translations, which may not be loaded.
    box.addButton(OK_TEXT, QMessageBox.ButtonRole.AcceptRole)
    box.exec()


def ask_confirm(parent: QWidget | None, title: str, text: str) -> bool:
    """Ask before an action that cannot be taken back; True only when 确定 was clicked."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    ok_button = box.addButton(OK_TEXT, QMessageBox.ButtonRole.AcceptRole)
    cancel_button = box.addButton(CANCEL_TEXT, QMessageBox.ButtonRole.RejectRole)
    # The safe answer is the default, so a reflexive Enter does not delete anything.
    box.setDefaultButton(cancel_button)
    box.setEscapeButton(cancel_button)
    box.exec()
    return box.clickedButton() is ok_button


def show_info(parent: QWidget | None, title: str, text: str) -> None:
    """Something the clerk should know about what was just done (nothing went wrong)."""
    box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.addButton(OK_TEXT, QMessageBox.ButtonRole.AcceptRole)
    box.exec()
