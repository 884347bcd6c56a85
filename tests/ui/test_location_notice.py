"""The window says once, for that data folder, that it sits on a network drive or in a OneDrive
folder; the next start on the same folder does not ask again."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from lsb_desktop.config import AppConfig
from ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def test_a_risky_place_is_said_once_for_that_folder(qtbot, core, boxes) -> None:
    QSettings().remove("warned")
    core.folder.location_warning = f"数据文件夹“{core.data_dir}”在同步文件夹“OneDrive”中。"
    window = MainWindow(core, AppConfig(data_dir=core.data_dir))
    qtbot.addWidget(window)
    assert window.announce_location()
    assert boxes.texts == [core.folder.location_warning]
    again = MainWindow(core, AppConfig(data_dir=core.data_dir))  # the next start
    qtbot.addWidget(again)
    assert not again.announce_location()
    assert len(boxes.texts) == 1
    QSettings().remove("warned")
