"""Qt tests: QSettings and standard paths point at a throw-away test location."""

import pytest
from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QMessageBox

from qt_helpers import MessageBoxes


@pytest.fixture(autouse=True)
def _isolated_qt_settings():
    QStandardPaths.setTestModeEnabled(True)
    yield


@pytest.fixture
def boxes(monkeypatch) -> MessageBoxes:
    """Every QMessageBox is recorded and answered (accept, unless `confirm` is set False)."""
    recorder = MessageBoxes()
    monkeypatch.setattr(QMessageBox, "exec", lambda box: recorder.exec(box))
    return recorder
