"""Start-up pieces of ui/app.py: translations and the crash handler."""

from __future__ import annotations

import sys

import pytest

import ui.app as app_module
from lsb_desktop.errors import ValidationError

pytestmark = pytest.mark.gui


@pytest.fixture
def shown(monkeypatch):
    messages = []
    monkeypatch.setattr(
        app_module, "_message", lambda icon, title, text, details="": messages.append((title, text, details))
    )
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    return messages


def test_a_bug_is_logged_and_reported_in_one_crash_dialog(qapp, tmp_path, shown, capsys) -> None:
    app_module.install_crash_handler(tmp_path / "logs")
    try:
        raise RuntimeError("测试用的意外错误")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    log = (tmp_path / "logs" / "crash.log").read_text(encoding="utf-8")
    assert "RuntimeError: 测试用的意外错误" in log
    assert len(shown) == 1
    title, text, details = shown[0]
    assert title == "程序出错" and "crash.log" in text and "RuntimeError" in details
    assert "测试用的意外错误" in capsys.readouterr().err


def test_in_the_window_exe_without_a_console_the_crash_dialog_still_shows(qapp, tmp_path, shown, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stderr", None)  # what a windowed (console-less) Windows exe has
    app_module.install_crash_handler(tmp_path / "logs")
    try:
        raise RuntimeError("没有控制台时的意外错误")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    assert [title for title, _text, _details in shown] == ["程序出错"]
    assert "没有控制台时的意外错误" in (tmp_path / "logs" / "crash.log").read_text(encoding="utf-8")


def test_a_known_error_that_escapes_is_shown_with_its_chinese_message(qapp, tmp_path, shown) -> None:
    app_module.install_crash_handler(tmp_path / "logs")
    try:
        raise ValidationError("名称不能为空")
    except ValidationError:
        sys.excepthook(*sys.exc_info())
    assert shown == [("操作未完成", "名称不能为空", "")]


def test_the_chinese_qt_translation_is_installed(qapp) -> None:
    from PySide6.QtCore import QCoreApplication

    app_module.install_translations(qapp)
    # Standard buttons (确定, 取消, 打开…) come from the platform theme's context.
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    assert QCoreApplication.translate("QFileDialog", "Open") == "打开"


def test_void_qt_calls_leave_none_alone(qapp) -> None:
    """PySide6 6.12.0 under Python 3.11 dropped a reference to None on every void call and
    the program died with 'none_dealloc'; pyproject.toml keeps us below it."""
    from PySide6.QtGui import QFont

    font = QFont()
    before = sys.getrefcount(None)
    for _ in range(1000):
        font.setBold(True)
    assert abs(sys.getrefcount(None) - before) < 50
