"""The frame around a set of charts: a message shown while they load, and the bar under them
with a status line, 导出图片… (with sizes) and 复制到剪贴板, and what that bar does
(`ChartExport`). Shared by the 趋势图表 and 五星创建 tabs. Qt only: no pyqtgraph here."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from lsb_desktop.errors import LsbError
from ui.widgets.folders import choose_save_file, remember_folder
from ui.widgets.messages import show_error

CHARTS = "charts"  # the kind of file for ui.widgets.folders
EXPORT_SIZES = (
    ("1920×1080（幻灯片、投影仪）", 1920, 1080),
    ("1366×768（笔记本屏幕）", 1366, 768),
    ("1280×720", 1280, 720),
)


@dataclass
class ChartPanel:
    widget: QWidget
    message: QLabel
    stack: QStackedWidget
    export_button: QToolButton
    export_menu: QMenu
    size_actions: list[QAction]
    custom_size_action: QAction
    copy_button: QPushButton
    status: QLabel


def build_chart_panel(pages: QTabWidget, loading_text: str) -> ChartPanel:
    """`pages` (the chart tabs) behind a loading message, with the export bar underneath."""
    message = QLabel(loading_text)
    message.setAlignment(Qt.AlignmentFlag.AlignCenter)
    message.setWordWrap(True)
    message.setStyleSheet("color: #666; font-size: 15px; padding: 24px;")
    stack = QStackedWidget()
    stack.addWidget(message)
    stack.addWidget(pages)
    export_button = QToolButton()
    export_button.setText("导出图片…")
    export_button.setToolTip("把当前显示的图表保存为 PNG 图片，可选尺寸")
    export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    export_menu = QMenu(export_button)
    size_actions = []
    for label, width, height in EXPORT_SIZES:
        action = export_menu.addAction(label)
        action.setData((width, height))
        size_actions.append(action)
    export_menu.addSeparator()
    custom_size_action = export_menu.addAction("自定义尺寸…")
    export_button.setMenu(export_menu)
    copy_button = QPushButton("复制到剪贴板")
    copy_button.setToolTip("把当前图表按 1920×1080 复制，可直接粘贴到幻灯片或文档")
    status = QLabel()
    status.setStyleSheet("color: #444;")
    bar = QHBoxLayout()
    bar.addWidget(status, 1)
    bar.addWidget(export_button)
    bar.addWidget(copy_button)
    widget = QWidget()
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(stack, 1)
    layout.addLayout(bar)
    return ChartPanel(
        widget, message, stack, export_button, export_menu, size_actions, custom_size_action, copy_button, status
    )


def safe_file_name(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "", text)


def save_chart_png(parent: QWidget, chart, width: int, height: int, path: str | None) -> Path | None:
    """Save `chart` as a `width`×`height` PNG; without `path` the clerk picks the file (in the
    folder charts were last saved to). None when she cancels or the file cannot be written
    (she is told why)."""
    if path is None:
        name = safe_file_name(f"{chart.title_text()}_{width}x{height}") + ".png"
        path = choose_save_file(parent, CHARTS, "导出图片", name, "PNG 图片 (*.png)")
        if not path:
            return None
    if not path.lower().endswith(".png"):
        path += ".png"
    remember_folder(CHARTS, path)
    try:
        return chart.export_png(path, width, height)
    except LsbError as exc:  # a full or read-only disk, a missing folder: said in Chinese
        show_error(parent, exc)
        return None
    except OSError as exc:
        show_error(parent, LsbError(f"无法保存图片：{exc}"))
        return None


def copy_chart_text(width: int, height: int) -> str:
    return f"已复制到剪贴板（{width}×{height}），可直接粘贴到幻灯片或文档"


class ExportSizeDialog(QDialog):
    """自定义尺寸: width and height in pixels."""

    def __init__(self, width: int, height: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("自定义图片尺寸")
        self.width_spin = QSpinBox()
        self.height_spin = QSpinBox()
        for spin, value in ((self.width_spin, width), (self.height_spin, height)):
            spin.setRange(320, 7680)
            spin.setSingleStep(10)
            spin.setSuffix(" 像素")
            spin.setValue(value)
        form = QFormLayout(self)
        form.addRow("宽度", self.width_spin)
        form.addRow("高度", self.height_spin)
        buttons = QDialogButtonBox()
        buttons.addButton("确定", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def size_chosen(self) -> tuple[int, int]:
        return self.width_spin.value(), self.height_spin.value()


class ChartExport(QObject):
    """What the bar of a `ChartPanel` does: 导出图片 at a listed or a custom size, 复制到剪贴板 at
    the size last exported, each saying what it did in the panel's status line; the buttons are
    enabled while there is a chart with data. `exportable` gives the chart shown, or None when
    there is nothing to export."""

    def __init__(self, parent: QWidget, panel: ChartPanel, exportable: Callable[[], object | None]) -> None:
        super().__init__(parent)
        self._parent = parent
        self._panel = panel
        self._exportable = exportable
        self.copy_size: tuple[int, int] = EXPORT_SIZES[0][1:]
        for action in panel.size_actions:
            action.triggered.connect(lambda _=False, a=action: self.export(*a.data()))
        panel.custom_size_action.triggered.connect(self.export_custom)
        panel.copy_button.clicked.connect(lambda: self.copy())

    def update_buttons(self) -> None:
        has = self._exportable() is not None
        self._panel.export_button.setEnabled(has)
        self._panel.copy_button.setEnabled(has)

    def export(self, width: int, height: int, path: str | None = None) -> Path | None:
        """Save the chart shown as a `width`×`height` PNG (at `path`, else where the clerk picks)."""
        chart = self._exportable()
        if chart is None:
            return None
        written = save_chart_png(self._parent, chart, width, height, path)
        if written is not None:
            self.copy_size = (width, height)
            self._panel.status.setText(f"已导出 {width}×{height} 图片：{written}")
        return written

    def export_custom(self) -> None:
        dialog = ExportSizeDialog(*self.copy_size, parent=self._parent)
        if dialog.exec():
            self.export(*dialog.size_chosen())

    def copy(self) -> bool:
        chart = self._exportable()
        if chart is None:
            return False
        width, height = self.copy_size
        chart.copy_to_clipboard(width, height)
        self._panel.status.setText(copy_chart_text(width, height))
        return True
