"""The main window fits the laptops township offices have: 1366 × 768 at 125 % scaling (1093 × 583
logical pixels of free screen) and 1920 × 1080 at 175 % (1097 × 617), with every tab shown, and
it opens clamped to the screen's free area."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QScreen

from lsb_desktop.config import AppConfig
from ui.main_window import MainWindow

pytestmark = pytest.mark.gui

LAPTOPS = {"1366x768 at 125%": (1093, 583), "1920x1080 at 175%": (1097, 617)}
# What the title bar and the borders of a Windows 10/11 window take, in logical pixels.
FRAME = (16, 40)


@pytest.fixture
def window(qtbot, demo_core):
    shown = MainWindow(demo_core, AppConfig(data_dir=demo_core.data_dir))
    qtbot.addWidget(shown)
    shown.show()
    return shown


@pytest.mark.parametrize("laptop", sorted(LAPTOPS))
def test_every_tab_fits_a_laptop_screen(window, qtbot, tmp_path: Path, laptop: str) -> None:
    width, height = LAPTOPS[laptop]
    inner = (width - FRAME[0], height - FRAME[1])
    tabs = window.tabs
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        qtbot.wait(10)
        hint = window.minimumSizeHint()
        assert hint.width() <= inner[0] and hint.height() <= inner[1], (tabs.tabText(index), hint)
        window.resize(*inner)
        qtbot.waitUntil(lambda: (window.width(), window.height()) == inner)
        # Look at them: tmp_path/<laptop>-<tab>.png
        assert window.grab().save(str(tmp_path / f"{laptop.split()[0]}-{index}.png"))


def test_a_window_saved_on_a_bigger_monitor_opens_inside_the_laptop_screen(window, monkeypatch) -> None:
    area = QRect(0, 0, *LAPTOPS["1366x768 at 125%"])
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _screen: area)
    window.resize(1600, 1000)
    window.move(1900, 1200)  # where the second monitor was
    window._fit_to_screen()
    assert window.width() <= area.width() - FRAME[0] and window.height() <= area.height() - FRAME[1]
    assert area.contains(window.pos())
