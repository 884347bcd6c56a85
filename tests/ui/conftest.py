"""Qt tests: QSettings and standard paths point at a throw-away test location."""

import pytest
from PySide6.QtCore import QStandardPaths


@pytest.fixture(autouse=True)
def _isolated_qt_settings():
    QStandardPaths.setTestModeEnabled(True)
    yield
