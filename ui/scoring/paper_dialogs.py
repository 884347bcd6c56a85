"""证书和通知书设置: recipient, date style, page, printer offsets, text-only mode, font and
the wording templates with their placeholders."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from lsb_desktop.domain.paper_settings import TEMPLATE_FIELDS, TEMPLATE_LABELS, CertificateSettings
from lsb_desktop.errors import LsbError
from ui.widgets.messages import show_error

if TYPE_CHECKING:
    from lsb_desktop.core import Core

RECIPIENTS = (("organisation", "村（社区）党组织，如“张五砦村党支部”"), ("secretary", "党组织书记本人"))
DATE_STYLES = (("chinese", "汉字：二〇二五年一月二十日"), ("arabic", "数字：2025年1月20日"))
PAGES = (("A4L", "A4 横向（默认）"), ("A3L", "A3 横向"), ("custom", "自定义尺寸（证书内芯）"))


def _combo(choices: tuple[tuple[str, str], ...], current: str) -> QComboBox:
    combo = QComboBox()
    for value, label in choices:
        combo.addItem(label, value)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


def _mm(value: float, low: float, high: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setDecimals(1)
    box.setSingleStep(0.5)
    box.setSuffix(" 毫米")
    box.setValue(value)
    return box


class CertificateSettingsDialog(QDialog):
    """Edits `core.settings.certificates()`; nothing is saved until 保存 and only if valid."""

    def __init__(self, core: Core, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.setWindowTitle("证书和通知书设置")
        current = core.settings.certificates()
        tabs = QTabWidget(self)

        page = QWidget()
        form = QFormLayout(page)
        self.recipient = _combo(RECIPIENTS, current.recipient)
        self.date_style = _combo(DATE_STYLES, current.date_style)
        self.issue_date_check = QCheckBox("指定落款日期（不勾选则用活动日期）")
        self.issue_date = QDateEdit(QDate(current.issue_date) if current.issue_date else QDate.currentDate())
        self.issue_date.setCalendarPopup(True)
        self.issue_date.setDisplayFormat("yyyy-MM-dd")
        self.issue_date_check.setChecked(current.issue_date is not None)
        self.page = _combo(PAGES, current.page)
        self.width = _mm(current.width_mm, 50, 600)
        self.height = _mm(current.height_mm, 50, 600)
        self.offset_x = _mm(current.offset_x_mm, -50, 50)
        self.offset_y = _mm(current.offset_y_mm, -50, 50)
        self.text_only = QCheckBox("只打印文字（用于预先印好的证书纸，不画边框和“荣誉证书”标题）")
        self.text_only.setChecked(current.text_only)
        self.font_path = QLineEdit(current.font_path)
        self.font_path.setPlaceholderText(
            "留空：依次使用 楷体、仿宋、黑体、宋体、宋体-ExtB、方正小标宋，最后用程序自带字体"
        )
        browse = QPushButton("选择字体…")
        self.font_menu = QMenu(browse)
        self.font_menu.aboutToShow.connect(self._fill_font_menu)
        browse.setMenu(self.font_menu)
        self.font_button = browse
        font_row = QHBoxLayout()
        font_row.addWidget(self.font_path, 1)
        font_row.addWidget(browse)
        size_row = QHBoxLayout()
        size_row.addWidget(QLabel("宽"))
        size_row.addWidget(self.width)
        size_row.addWidget(QLabel("高"))
        size_row.addWidget(self.height)
        offset_row = QHBoxLayout()
        offset_row.addWidget(QLabel("向右"))
        offset_row.addWidget(self.offset_x)
        offset_row.addWidget(QLabel("向下"))
        offset_row.addWidget(self.offset_y)
        form.addRow("证书授予：", self.recipient)
        form.addRow("日期写法：", self.date_style)
        form.addRow(self.issue_date_check, self.issue_date)
        form.addRow("纸张：", self.page)
        form.addRow("自定义尺寸：", size_row)
        form.addRow("打印偏移：", offset_row)
        hint = QLabel("先用“打印校准页”在普通纸上试印，对着证书纸量出偏差，再填写偏移（负数表示向左、向上）。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        form.addRow(hint)
        form.addRow(self.text_only)
        form.addRow("字体：", font_row)
        tabs.addTab(page, "证书")

        notice = QWidget()
        notice_form = QFormLayout(notice)
        self.deadline_check = QCheckBox("指定整改期限（不勾选则留空手填）")
        self.deadline = QDateEdit(QDate(current.deadline) if current.deadline else QDate.currentDate().addMonths(1))
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy-MM-dd")
        self.deadline_check.setChecked(current.deadline is not None)
        self.responsible = QLineEdit(current.responsible)
        self.responsible.setPlaceholderText("留空则留出横线手填")
        notice_form.addRow(self.deadline_check, self.deadline)
        notice_form.addRow("责任人：", self.responsible)
        tabs.addTab(notice, "整改通知书")

        self.templates: dict[str, QPlainTextEdit] = {}
        for name, allowed in TEMPLATE_FIELDS.items():
            holder = QWidget()
            box = QVBoxLayout(holder)
            edit = QPlainTextEdit(getattr(current, name))
            self.templates[name] = edit
            fields = QLabel("可用的占位符：" + "、".join("{" + field + "}" for field in allowed))
            fields.setWordWrap(True)
            fields.setStyleSheet("color: #555;")
            box.addWidget(edit, 1)
            box.addWidget(fields)
            tabs.addTab(holder, TEMPLATE_LABELS[name])

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.reset_button = buttons.addButton("恢复默认措辞", QDialogButtonBox.ButtonRole.ResetRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.reset_button.clicked.connect(self._reset_templates)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs, 1)
        layout.addWidget(buttons)
        self.resize(640, 520)

    def _fill_font_menu(self) -> None:
        """The Chinese fonts found on this computer by name, then 其他字体文件… for any other."""
        from lsb_desktop.io.pdf_fonts import installed_fonts

        menu = self.font_menu
        menu.clear()
        fonts = installed_fonts()
        for label, path in fonts:
            action = menu.addAction(f"{label}（{path.name}）")
            action.triggered.connect(lambda _checked=False, p=str(path): self._use_font(p))
        if not fonts:
            menu.addAction("（这台电脑上没有找到常用的中文字体）").setEnabled(False)
        menu.addSeparator()
        menu.addAction("其他字体文件…").triggered.connect(self._choose_font_file)
        menu.addAction("不指定（使用默认顺序）").triggered.connect(lambda: self.font_path.clear())

    def _choose_font_file(self) -> None:
        from lsb_desktop.io.pdf_fonts import system_font_dirs

        start = next((str(folder) for folder in system_font_dirs() if folder.is_dir()), "")
        path, _ = QFileDialog.getOpenFileName(self, "选择字体文件", start, "TrueType 字体 (*.ttf *.ttc)")
        if path:
            self._use_font(path)

    def _use_font(self, path: str) -> None:
        from lsb_desktop.io.pdf_fonts import check_font_file

        try:
            check_font_file(path)
        except LsbError as exc:
            show_error(self, exc)
            return
        self.font_path.setText(path)

    def _reset_templates(self) -> None:
        defaults = CertificateSettings()
        for name, edit in self.templates.items():
            edit.setPlainText(getattr(defaults, name))

    def settings(self) -> CertificateSettings:
        """The settings as typed (raises ValidationError in Chinese when a template is wrong)."""
        values = {
            "recipient": self.recipient.currentData(),
            "date_style": self.date_style.currentData(),
            "issue_date": self.issue_date.date().toPython() if self.issue_date_check.isChecked() else None,
            "page": self.page.currentData(),
            "width_mm": self.width.value(),
            "height_mm": self.height.value(),
            "offset_x_mm": self.offset_x.value(),
            "offset_y_mm": self.offset_y.value(),
            "text_only": self.text_only.isChecked(),
            "font_path": self.font_path.text().strip(),
            "deadline": self.deadline.date().toPython() if self.deadline_check.isChecked() else None,
            "responsible": self.responsible.text().strip(),
        }
        values.update({name: edit.toPlainText() for name, edit in self.templates.items()})
        return dataclasses.replace(CertificateSettings(), **values)

    def save(self) -> None:
        try:
            settings = self.settings()
            if settings.font_path:
                from lsb_desktop.io.pdf_fonts import check_font_file

                check_font_file(settings.font_path)
            self.core.settings.save_certificates(settings)
        except LsbError as exc:
            show_error(self, exc)
            return
        self.accept()
