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


class FileDialogs:
    """Answers Qt's file dialogs as the clerk would: `pick(...)` queues what she chooses next
    (a path, or a list of paths for a several-files dialog; "" cancels). `asked` records each
    dialog's title, start path and filter."""

    def __init__(self) -> None:
        self.answers: list = []
        self.asked: list[tuple[str, str, str]] = []

    def pick(self, *answers) -> None:
        self.answers.extend(str(a) if not isinstance(a, list) else [str(p) for p in a] for a in answers)

    def answer(self, _parent, title, start="", file_filter="", *_args, **_kwargs):
        self.asked.append((title, start, file_filter))
        return (self.answers.pop(0) if self.answers else ""), file_filter


@pytest.fixture
def file_dialogs(monkeypatch) -> FileDialogs:
    """Qt's open and save dialogs answered from a queue instead of opening."""
    from PySide6.QtWidgets import QFileDialog

    dialogs = FileDialogs()
    for name in ("getOpenFileName", "getOpenFileNames", "getSaveFileName"):
        monkeypatch.setattr(QFileDialog, name, staticmethod(dialogs.answer))
    return dialogs
