"""导入花名册: a preview of every row and every problem before anything is written."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from lsb_desktop.errors import LsbError
from ui.widgets.messages import show_error
from ui.widgets.table_model import Column, RowTableModel, preview_table

if TYPE_CHECKING:
    from lsb_desktop.core import Core

_ACTION_COLOURS = {"新增": QColor("#1b5e20"), "更新": QColor("#0d47a1"), "无变化": QColor("#616161")}


class RosterPlanModel(RowTableModel):
    columns = (
        Column("行号", lambda r: r.row),
        Column("村（社区）名称", lambda r: r.name),
        Column("操作", lambda r: r.action, foreground=lambda r: _ACTION_COLOURS.get(r.action)),
        Column("内容", lambda r: "；".join(r.changes)),
    )


class RosterProblemModel(RowTableModel):
    columns = (
        Column("位置", lambda p: p.where()),
        Column("问题", lambda p: p.message, foreground=lambda p: QColor("#b71c1c")),
    )


class RosterImportDialog(QDialog):
    """Shows what the import would do; 导入 is enabled only for a file without problems."""

    def __init__(self, core: Core, path: str | Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.path = Path(path)
        self.preview = None
        self.import_result = None
        self.setWindowTitle(f"导入村（社区）花名册 — {self.path.name}")
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("变化的生效日期："))
        self.date_edit = QDateEdit(QDate.currentDate(), self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.dateChanged.connect(self.refresh)
        top.addWidget(self.date_edit)
        top.addStretch(1)
        self.reload_button = QPushButton("重新读取文件", self)
        self.reload_button.clicked.connect(self.refresh)
        top.addWidget(self.reload_button)
        layout.addLayout(top)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.pages = QTabWidget(self)
        self.problem_model = RosterProblemModel(self)
        self.plan_model = RosterPlanModel(self)
        self.pages.addTab(preview_table(self.problem_model, self), "问题")
        self.pages.addTab(preview_table(self.plan_model, self), "导入内容")
        layout.addWidget(self.pages, 1)
        buttons = QDialogButtonBox(self)
        self.import_button = buttons.addButton("导入", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.do_import)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(820, 560)
        self.refresh()

    def effective(self) -> date:
        return self.date_edit.date().toPython()

    def refresh(self) -> None:
        try:
            self.preview = self.core.roster.preview(self.path, self.effective())
        except LsbError as exc:
            self.preview = None
            show_error(self, exc)
            return
        preview = self.preview
        self.problem_model.set_rows(preview.problems)
        self.plan_model.set_rows(preview.plan)
        self.pages.setTabText(0, f"问题（{len(preview.problems)}）")
        self.pages.setTabText(1, f"导入内容（{len(preview.plan)}）")
        parts = []
        if preview.problems:
            parts.append(
                f"<span style='color:#b71c1c'><b>发现 {len(preview.problems)} 个问题，"
                "请在 Excel 中改正后点“重新读取文件”。改正前不会导入任何数据。</b></span>"
            )
        elif not preview.plan:
            parts.append("<b>文件中没有可导入的村（社区）。</b>")
        else:
            parts.append(
                f"<b>可以导入：</b>新增 {preview.count('新增')} 个，更新 {preview.count('更新')} 个，"
                f"无变化 {preview.count('无变化')} 个。"
            )
        if preview.count("新增") and not preview.problems:
            parts.append(
                "新增的村（社区）没有填写“在册起始日期”的，视为建档起一直在册（可以补录以前各季度的评比）；"
                "“变化的生效日期”只用于已有村（社区）的变化。"
            )
        if preview.new_districts:
            parts.append(f"将新建管区：{'、'.join(preview.new_districts)}。")
        if preview.read.skipped:
            parts.append("已跳过：" + "；".join(preview.read.skipped))
        if preview.read.ignored_columns:
            parts.append("未使用的列：" + "、".join(preview.read.ignored_columns))
        self.summary.setText("<br>".join(parts))
        self.import_button.setEnabled(preview.ok)
        self.pages.setCurrentIndex(0 if preview.problems else 1)

    def do_import(self) -> None:
        if self.preview is None or not self.preview.ok:
            return
        try:
            self.import_result = self.core.roster.apply(self.preview)
        except LsbError as exc:
            show_error(self, exc)
            self.refresh()
            return
        self.accept()
