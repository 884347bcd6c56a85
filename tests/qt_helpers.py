"""Helpers for the Qt tests (importable from any test folder: tests/ is on sys.path)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox


class MessageBoxes:
    """Stands in for QMessageBox.exec: records each box and answers it without blocking."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.confirm = True

    def exec(self, box: QMessageBox) -> int:
        self.texts.append(box.text())
        wanted = QMessageBox.ButtonRole.AcceptRole if self.confirm else QMessageBox.ButtonRole.RejectRole
        for button in box.buttons():
            if box.buttonRole(button) == wanted:
                button.click()
                break
        return 0
