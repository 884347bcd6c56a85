"""Paper from the 观摩评比 tab: exports, the certificate settings, and the print preview."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter

from lsb_desktop.errors import ValidationError
from ui.scoring.paper_dialogs import CertificateSettingsDialog
from ui.scoring.tab import ScoringTab
from ui.widgets.print_preview import page_sizes_pt, paint_pdf, render_page

pytestmark = pytest.mark.gui


@pytest.fixture
def tab(qtbot, demo_core):
    widget = ScoringTab(demo_core)
    qtbot.addWidget(widget)
    chosen = next(r.id for r in demo_core.rounds.list_rounds() if r.period.short_label == "2024Q1")
    assert widget.ui.round_combo.findData(chosen) >= 0
    widget.ui.round_combo.setCurrentIndex(widget.ui.round_combo.findData(chosen))
    return widget


def test_the_ranking_sheet_exports_from_the_tab(tab, tmp_path: Path, file_dialogs) -> None:
    file_dialogs.pick(str(tmp_path / "排名"))
    path = tab.export_paper("ranking")
    assert path is not None and path.endswith(".xlsx")
    sheet = load_workbook(path)["得分汇总表"]
    assert sheet["A1"].value == "清河镇2024年第一季度村党组织书记“亮赛比”逐村观摩评比得分汇总表"
    assert tab.ui.open_export_button.isVisibleTo(tab) and tab.ui.folder_export_button.isVisibleTo(tab)
    assert "已导出得分汇总表" in tab.ui.notice_label.text()


def test_certificates_export_with_every_red_flag_name(tab, demo_core, tmp_path: Path, file_dialogs) -> None:
    file_dialogs.pick(str(tmp_path / "证书.pdf"))
    path = tab.export_paper("certificates")
    text = "".join(page.extract_text() for page in PdfReader(path).pages)
    results = demo_core.rounds.results(tab.current_round_id())
    red = [r.unit.name for r in results.results if r.flag and r.flag.value == "红旗"]
    assert len(PdfReader(path).pages) == len(red) == 4
    for name in red:
        assert name in text


def test_the_settings_dialog_saves_and_refuses_an_unknown_placeholder(qtbot, demo_core) -> None:
    dialog = CertificateSettingsDialog(demo_core)
    qtbot.addWidget(dialog)
    dialog.offset_x.setValue(3.5)
    dialog.text_only.setChecked(True)
    dialog.save()
    saved = demo_core.settings.certificates()
    assert (saved.offset_x_mm, saved.text_only) == (3.5, True)

    dialog = CertificateSettingsDialog(demo_core)
    qtbot.addWidget(dialog)
    dialog.templates["certificate_template"].setPlainText("{recipient}：{不存在的占位符}")
    with pytest.raises(ValidationError):
        dialog.settings()
    assert demo_core.settings.certificates().certificate_template != "{recipient}：{不存在的占位符}"


# The offscreen platform cannot raise a popup or grab the keyboard for it; the menu works all the same.
@pytest.mark.qt_log_ignore("This plugin does not support raise", "This plugin does not support grabbing the keyboard")
def test_the_font_chooser_lists_the_chinese_fonts_found_by_name(qtbot, demo_core, tmp_path: Path, monkeypatch) -> None:
    import shutil

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from lsb_desktop.io import pdf_fonts

    # Stand-ins named like the Windows files (any TrueType font will do for the lookup).
    for name in ("simkai.ttf", "msyh.ttc"):
        shutil.copy(pdf_fonts.BUNDLED_FONT, tmp_path / name)
    monkeypatch.setattr(pdf_fonts, "system_font_dirs", lambda: [tmp_path])
    dialog = CertificateSettingsDialog(demo_core)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.font_button, Qt.MouseButton.LeftButton)  # the menu opens
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None)
    menu = QApplication.activePopupWidget()
    seen = [a.text() for a in menu.actions()]
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Return):  # 微软雅黑, with the keyboard
        qtbot.keyClick(menu, key)
    assert seen[:2] == ["楷体（simkai.ttf）", "微软雅黑（msyh.ttc）"]
    assert "其他字体文件…" in seen
    qtbot.waitUntil(lambda: dialog.font_path.text() != "")
    assert Path(dialog.font_path.text()) == tmp_path / "msyh.ttc"


def test_preview_renders_and_prints_every_page_at_its_own_size(tab, tmp_path: Path, file_dialogs) -> None:
    file_dialogs.pick(str(tmp_path / "通报.pdf"))
    path = Path(tab.export_paper("notices"))
    sizes = page_sizes_pt(path)
    assert len(sizes) >= 2
    image = render_page(path, 0, 72)
    # PDFium rounds the bitmap up to whole pixels: 595.28 pt at 72 dpi is 596 pixels wide.
    assert abs(image.width() - sizes[0][0]) <= 1 and abs(image.height() - sizes[0][1]) <= 1
    assert not image.isNull() and image.pixelColor(0, 0).name() == "#ffffff"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert paint_pdf(printer, path) == len(sizes)
    printed = PdfReader(tmp_path / "printed.pdf")
    assert len(printed.pages) == len(sizes)
    width, height = float(printed.pages[0].mediabox.width), float(printed.pages[0].mediabox.height)
    assert abs(width - sizes[0][0]) < 2 and abs(height - sizes[0][1]) < 2
