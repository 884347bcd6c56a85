"""The first start on an empty data folder: open the demo township or start blank."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from lsb_desktop.errors import LsbError
from ui.widgets.messages import show_error

if TYPE_CHECKING:
    from lsb_desktop.core import Core


class FirstRunDialog(QDialog):
    def __init__(self, core: Core, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.setWindowTitle("欢迎使用亮赛比 桌面版")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "<b>数据文件夹是空的。</b><br><br>"
            "可以先打开示例数据（“清河镇”，24 个村和社区）熟悉程序，以后再换成本镇的数据；"
            "也可以从空白数据开始，录入或导入本镇的村（社区）花名册。<br><br>"
            f"数据文件夹：{core.data_dir}"
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.demo_button = QPushButton("打开示例数据", self)
        self.blank_button = QPushButton("新建空白数据", self)
        self.blank_button.setDefault(True)
        layout.addWidget(self.demo_button)
        layout.addWidget(self.blank_button)
        self.demo_button.clicked.connect(self.open_demo)
        self.blank_button.clicked.connect(self.accept)
        self.resize(460, 260)

    def open_demo(self) -> None:
        from lsb_desktop.demo import build_demo

        try:
            build_demo(self.core)
        except LsbError as exc:
            show_error(self, exc)
            return
        self.accept()
