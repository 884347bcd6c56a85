"""Issue 12, point 3, in the window: a hostile file chosen for an import is refused with the
guard's Chinese message in a message box; no dialog opens on it and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_files import HEADER, rows_xml, sheet_xml, write_xlsx
from PySide6.QtWidgets import QFileDialog, QMessageBox

from lsb_desktop.config import AppConfig
from ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def _far_cell(path: Path) -> Path:
    body = rows_xml([HEADER, ["", "东关村"]]) + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return write_xlsx(path, [("名册", sheet_xml(body))])


def test_the_roster_menu_shows_the_limit_for_a_far_cell_and_imports_nothing(
    qtbot, core, boxes, tmp_path, monkeypatch
) -> None:
    path = _far_cell(tmp_path / "名册.xlsx")
    window = MainWindow(core, AppConfig(data_dir=core.data_dir))
    qtbot.addWidget(window)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(path), ""))
    window.import_action.trigger()
    assert len(boxes.texts) == 1
    assert "工作表“名册”第 1048576 行、第 XFD 列有内容或格式，超出了本程序能读取的范围" in boxes.texts[0]
    assert core.villages.list_units() == []


def test_the_refusal_renders_in_chinese(qtbot, core, tmp_path, monkeypatch) -> None:
    """The message box as the clerk sees it, saved to PNG for a look."""
    path = _far_cell(tmp_path / "名册.xlsx")
    shown: list[QMessageBox] = []

    def grab(box: QMessageBox) -> int:
        box.show()
        qtbot.waitExposed(box)
        box.grab().save(str(tmp_path / "hostile-import-refused.png"))
        shown.append(box)
        return 0

    monkeypatch.setattr(QMessageBox, "exec", grab)
    window = MainWindow(core, AppConfig(data_dir=core.data_dir))
    qtbot.addWidget(window)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(path), ""))
    window.import_action.trigger()
    assert shown and (tmp_path / "hostile-import-refused.png").stat().st_size > 0
    shown[0].close()
