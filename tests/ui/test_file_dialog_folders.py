"""File dialogs start in 文档 (Documents), never in the data folder's parent (on Windows the
hidden AppData\\Roaming), and remember the last folder per kind of file while it exists."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog

from lsb_desktop.config import AppConfig
from ui.main_window import MainWindow
from ui.widgets.folders import (
    browse_save_path,
    choose_open_file,
    choose_open_files,
    choose_save_file,
    documents_folder,
    last_folder,
    remember_folder,
)

pytestmark = pytest.mark.gui


@pytest.fixture
def forgotten():
    settings = QSettings()
    settings.remove("folders")
    yield
    settings.remove("folders")


def test_a_first_dialog_starts_in_documents_then_in_the_folder_last_used(
    qtbot, core, tmp_path: Path, forgotten, monkeypatch
) -> None:
    window = MainWindow(core, AppConfig(data_dir=core.data_dir))
    qtbot.addWidget(window)
    asked: list[str] = []
    picked = tmp_path / "来自组织办" / "名册.xlsx"
    picked.parent.mkdir()

    def dialog(_parent, _title, start, _filter):
        asked.append(start)
        return str(picked), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", dialog)
    monkeypatch.setattr(
        "ui.villages.roster_dialog.RosterImportDialog", lambda *a, **k: type("D", (), {"preview": None})()
    )
    window.import_roster()
    window.import_roster()
    assert asked[0] == documents_folder()
    assert Path(asked[0]) != core.data_dir.parent
    assert asked[1] == str(picked.parent)


def test_a_remembered_folder_that_is_gone_falls_back_to_documents(tmp_path: Path, forgotten) -> None:
    folder = tmp_path / "U盘"
    folder.mkdir()
    remember_folder("export", folder / "排名表.xlsx")
    assert last_folder("export") == str(folder)
    assert last_folder("scores") == documents_folder()  # each kind of file keeps its own
    folder.rmdir()  # the USB stick is out
    assert last_folder("export") == documents_folder()


def test_the_file_choosers_start_in_their_kinds_folder_and_remember_the_choice(
    tmp_path: Path, forgotten, monkeypatch
) -> None:
    asked: list[tuple[str, str, str]] = []
    answers: list[object] = []

    def dialog(_parent, title, start, file_filter):
        asked.append((title, start, file_filter))
        return answers.pop(0), ""

    for name in ("getOpenFileName", "getOpenFileNames", "getSaveFileName"):
        monkeypatch.setattr(QFileDialog, name, dialog)
    stick = tmp_path / "U盘"
    stick.mkdir()
    answers[:] = [str(stick / "计划表.xlsx")]
    assert choose_open_file(None, "stars", "选择五星创建计划表", "Excel 工作簿 (*.xlsx)") == str(stick / "计划表.xlsx")
    assert asked[-1] == ("选择五星创建计划表", documents_folder(), "Excel 工作簿 (*.xlsx)")
    assert last_folder("stars") == str(stick)
    # A save dialog offers the suggested name in the folder of its kind, and remembers where it went.
    saved = tmp_path / "汇报"
    saved.mkdir()
    answers[:] = [str(saved / "名册.xlsx")]
    assert choose_save_file(None, "stars", "导出", "进度表.xlsx", "Excel 工作簿 (*.xlsx)") == str(saved / "名册.xlsx")
    assert asked[-1][1] == str(stick / "进度表.xlsx")
    assert last_folder("stars") == str(saved)
    # Several files: the folder of the first is remembered; other kinds keep theirs.
    photos = tmp_path / "照片"
    photos.mkdir()
    answers[:] = [[str(photos / "1.jpg"), str(photos / "2.jpg")]]
    assert choose_open_files(None, "evidence", "选择附件", "所有文件 (*)") == [
        str(photos / "1.jpg"),
        str(photos / "2.jpg"),
    ]
    assert asked[-1][1] == documents_folder()
    assert (last_folder("evidence"), last_folder("stars")) == (str(photos), str(saved))
    # Cancelled: None (or no files), and the folder stays as it was.
    answers[:] = ["", "", []]
    assert choose_open_file(None, "stars", "t", "*") is None
    assert choose_save_file(None, "stars", "t", "x.xlsx", "*") is None
    assert choose_open_files(None, "evidence", "t", "*") == []
    assert (last_folder("evidence"), last_folder("stars")) == (str(photos), str(saved))


def test_browse_beside_a_save_field_starts_at_its_path_and_fills_it(qtbot, tmp_path: Path, file_dialogs) -> None:
    from PySide6.QtWidgets import QLineEdit

    field = QLineEdit(str(tmp_path / "清河镇2024年五星创建进度表.xlsx"))
    qtbot.addWidget(field)
    file_dialogs.pick(tmp_path / "汇报.xlsx", "")
    browse_save_path(None, field, "导出五星创建进度表", "Excel 工作簿 (*.xlsx)")
    assert file_dialogs.asked == [
        ("导出五星创建进度表", str(tmp_path / "清河镇2024年五星创建进度表.xlsx"), "Excel 工作簿 (*.xlsx)")
    ]
    assert field.text() == str(tmp_path / "汇报.xlsx")
    browse_save_path(None, field, "导出五星创建进度表", "Excel 工作簿 (*.xlsx)")  # cancelled: the field stays
    assert field.text() == str(tmp_path / "汇报.xlsx")


def test_every_tab_file_dialog_goes_through_the_folder_helpers() -> None:
    """One home for start folders: only ui/widgets/folders.py asks QFileDialog for a file to open
    or save (the backup and font choosers start in the backup and font folders, nothing remembered)."""
    root = Path(__file__).resolve().parents[2] / "ui"
    callers = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "QFileDialog.get" in path.read_text(encoding="utf-8")
    )
    assert callers == ["backup_dialog.py", "scoring/paper_dialogs.py", "widgets/folders.py"]


def test_a_file_no_program_opens_is_said_with_where_it_is(qtbot, tmp_path: Path, boxes, monkeypatch) -> None:
    from PySide6.QtGui import QDesktopServices

    from ui.widgets.print_preview import open_file

    monkeypatch.setattr(QDesktopServices, "openUrl", lambda _url: False)  # no program for .xlsx
    sheet = tmp_path / "得分汇总表.xlsx"
    sheet.write_bytes(b"PK")
    assert open_file(sheet) is False
    assert boxes.texts == [
        f"这台电脑上没有能打开“.xlsx”文件的程序（或没有设定默认程序）。文件已保存在：\n{sheet}\n"
        "可以点“在文件夹中显示”找到它，再用 WPS 或 Office（PDF 可用浏览器）打开。"
    ]
