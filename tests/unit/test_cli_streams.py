"""What the command line writes when its output goes to a file or a pipe: UTF-8, whatever the
code page (936 on Chinese Windows), and nothing breaks where there are no streams at all."""

from __future__ import annotations

import io
import os
import sys

import pytest

from lsb_desktop.cli import prepare_streams


def test_redirected_output_is_utf8_even_on_a_gbk_code_page(monkeypatch) -> None:
    raw = io.BytesIO()
    redirected = io.TextIOWrapper(raw, encoding="gbk")  # like `lsb-cli.exe check > 报告.txt` on Windows
    monkeypatch.setattr(sys, "stdout", redirected)
    prepare_streams()
    print("刘堌堆村 𪚥")  # 𪚥 is not in GBK at all
    redirected.flush()
    assert raw.getvalue().decode("utf-8") == "刘堌堆村 𪚥" + os.linesep  # Windows text mode writes \r\n


def test_no_streams_at_all_is_fine(monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    prepare_streams()  # the window exe on Windows has neither: no AttributeError on None
    assert sys.stdout is None and sys.stderr is None


def test_the_console_exe_alone_prints_its_commands_instead_of_opening_a_window(monkeypatch, capsys) -> None:
    import main

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", r"C:\Users\党建办\AppData\Local\Programs\亮赛比桌面版\lsb-cli.exe")
    monkeypatch.setattr("ui.app.run_gui", lambda _config: pytest.fail("the window must not open"), raising=False)
    assert main.main([]) == 0
    out = capsys.readouterr().out
    assert "check" in out and "round" in out


def test_the_console_exe_says_the_window_is_the_other_exe(monkeypatch, capsys) -> None:
    import main

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", r"C:\Users\党建办\AppData\Local\Programs\亮赛比桌面版\lsb-cli.exe")
    monkeypatch.setattr("ui.app.run_gui", lambda _config: pytest.fail("the window must not open"), raising=False)
    assert main.main(["--smoke-test"]) == 2
    assert "亮赛比桌面版.exe" in capsys.readouterr().err


def test_the_exit_codes_are_those_the_design_promises() -> None:
    from lsb_desktop.errors import ExitCode

    assert (ExitCode.OK, ExitCode.INTERNAL, ExitCode.BAD_INPUT) == (0, 1, 2)
    assert str(ExitCode.BAD_INPUT) == "2"  # printed as the number it is
