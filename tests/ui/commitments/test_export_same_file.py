"""The window and the command line write the same commitments workbook (issue 14, seam 5).

The 承诺事项 tab's 导出 button, its dialog and a chosen file on one side; `commitments export` on
the other; for a past year whose secretary changed after it: both files are read back cell by
cell, and the 公示表 names the secretary in office that year, not today's."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from factories import make_unit
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

from lsb_desktop.cli import parse_args
from lsb_desktop.cli.commitments import run_commitments_command
from lsb_desktop.domain.commitments import CommitmentDraft
from ui.commitments.dialogs import ExportDialog
from ui.commitments.tab import CommitmentsTab

pytestmark = pytest.mark.gui

YEAR = date.today().year - 2  # a past year: counted to its 31 December


def _add(core, unit, content: str, deadline: date) -> None:
    core.commitments.add(
        CommitmentDraft(
            unit_id=unit.id, year=YEAR, content=content, category="基层党建", target="1 项", deadline=deadline
        )
    )


def _window_export(qtbot, core, target: Path, monkeypatch) -> None:
    tab = CommitmentsTab(core, today=date.today())
    qtbot.addWidget(tab)
    tab.set_year(YEAR)
    qtbot.mouseClick(tab.ui.export_button, Qt.MouseButton.LeftButton)
    dialogs = tab.findChildren(ExportDialog)
    assert len(dialogs) == 1
    dialog = dialogs[0]
    dialog.year_combo.setCurrentIndex(dialog.year_combo.findData(YEAR))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), ""))
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    assert dialog.path_edit.text() == str(target)
    qtbot.mouseClick(dialog.button_box.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: target.is_file())
    assert str(target) in tab.ui.notice_label.text()


def _command_line_export(core, target: Path, capsys) -> str:
    args, _config = parse_args(["commitments", "export", "--year", str(YEAR), "-o", str(target)])
    assert run_commitments_command(core, args) == 0
    return capsys.readouterr().out


def _cells(path: Path) -> dict[str, object]:
    """Every sheet's cells (value, font, fill, alignment), merged ranges and print settings."""
    book = load_workbook(path)
    try:
        seen: dict[str, object] = {"sheets": book.sheetnames}
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    seen[f"{sheet.title}!{cell.coordinate}"] = (
                        cell.value,
                        cell.font.name,
                        cell.font.sz,
                        cell.font.b,
                        cell.fill.fgColor.rgb,
                        cell.alignment.horizontal,
                        cell.alignment.wrap_text,
                        cell.number_format,
                    )
            seen[f"{sheet.title}!merged"] = sorted(str(r) for r in sheet.merged_cells.ranges)
            seen[f"{sheet.title}!widths"] = {k: v.width for k, v in sheet.column_dimensions.items()}
            seen[f"{sheet.title}!heights"] = {k: v.height for k, v in sheet.row_dimensions.items()}
            seen[f"{sheet.title}!page"] = (
                sheet.page_setup.paperSize,
                sheet.page_setup.orientation,
                sheet.print_title_rows,
                sheet.oddFooter.center.text,
            )
        return seen
    finally:
        book.close()


def _texts(path: Path, unit: str) -> list[str]:
    book = load_workbook(path)
    try:
        sheet = book[next(title for title in book.sheetnames if unit in title)]
        return [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    finally:
        book.close()


def test_window_and_command_line_write_the_same_past_year(qtbot, core, boxes, tmp_path, monkeypatch, capsys) -> None:
    district = core.villages.add_district("第一管区").value
    changed = make_unit(core, "王庄村", district_id=district.id, secretary="张建国")
    kept = make_unit(core, "幸福社区", district_id=district.id, secretary="李秀英")
    _add(core, changed, "硬化村内主干道 1.2 公里", date(YEAR, 6, 30))
    _add(core, changed, "建成村级养老服务站", date(YEAR, 12, 31))
    _add(core, kept, "集体经济收入 20 万元", date(YEAR, 9, 30))
    # The secretary changes after the year: its 公示表 still names the one in office then.
    core.villages.change_secretary(changed.id, "赵新民", date(YEAR + 1, 3, 1))

    from_window = tmp_path / "窗口" / "公示表.xlsx"
    from_window.parent.mkdir()
    _window_export(qtbot, core, from_window, monkeypatch)
    from_command = tmp_path / "命令行" / "公示表.xlsx"
    from_command.parent.mkdir()
    out = _command_line_export(core, from_command, capsys)
    assert f"已导出 {YEAR} 年承诺事项公示表（2 个村（社区），3 项）" in out
    assert boxes.texts == []

    window_cells, command_cells = _cells(from_window), _cells(from_command)
    assert window_cells["sheets"] == command_cells["sheets"]
    assert len(window_cells["sheets"]) == 3
    differing = {
        key: (window_cells.get(key), command_cells.get(key))
        for key in window_cells.keys() | command_cells.keys()
        if window_cells.get(key) != command_cells.get(key)
    }
    assert differing == {}

    for path in (from_window, from_command):
        texts = _texts(path, "王庄村")
        assert any("党组织书记：张建国" in text for text in texts), texts
        assert not any("赵新民" in text for text in texts)
        assert any(f"公示日期：{YEAR}年12月31日" in text for text in texts)
        assert any("党组织书记：李秀英" in text for text in _texts(path, "幸福社区"))
