"""恢复备份: pick one of the automatic backups (or any file) to bring the data back; and the
report of 检查数据."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lsb_desktop.errors import LsbError
from lsb_desktop.services.storage import ADVICE, KEEP_RULE_TEXT, AuditProblemsError
from ui.widgets.messages import OK_TEXT, ask_confirm, show_error
from ui.widgets.table_model import Column, RowTableModel

if TYPE_CHECKING:
    from lsb_desktop.core import Core
    from lsb_desktop.services.storage import DataFolder, RestoreResult


class BackupModel(RowTableModel):
    columns = (
        Column("备份时间", lambda b: b.taken_at.strftime("%Y-%m-%d %H:%M:%S")),
        Column("类型", lambda b: b.reason_label),
        Column("文件", lambda b: b.path.name),
    )


class RestoreDialog(QDialog):
    """Pick a backup and restore it. Works on the open data (`core.folder`), and also on a data
    folder whose file is damaged and could not be opened (`RestoreDialog.for_folder`)."""

    def __init__(
        self, core: Core | None, parent: QWidget | None = None, *, folder: DataFolder | None = None, damage: str = ""
    ) -> None:
        super().__init__(parent)
        if folder is None:
            assert core is not None  # without a folder of its own the dialog restores the open data's
            folder = core.folder
        self.folder = folder
        self.result_of_restore: RestoreResult | None = None
        self.announcement: QMessageBox | None = None
        self.safety_backup: Path | None = None
        self.setWindowTitle("恢复备份")
        layout = QVBoxLayout(self)
        self.damage_label = None
        if damage:
            self.damage_label = QLabel(damage)
            self.damage_label.setWordWrap(True)
            self.damage_label.setStyleSheet("QLabel { color: #c62828; }")
            layout.addWidget(self.damage_label)
            text = (
                "选择一份备份，用它替换损坏的数据文件。损坏的文件不会被删除：它会改名后留在数据文件夹中。"
                "备份在恢复前会先检查，损坏的备份不会被使用。"
            )
        else:
            text = (
                "选择一个备份，用它替换当前数据。恢复前会先检查这份备份，并把当前数据另存一份备份，"
                "恢复后也可以再换回来。"
            )
        note = QLabel(text)
        note.setWordWrap(True)
        layout.addWidget(note)
        self.model = BackupModel(self)
        try:
            self.model.set_rows(self.folder.list_backups())
        except OSError:
            self.model.set_rows([])  # an unreadable backup folder: 从其他文件恢复 still works
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        if self.model.rowCount():
            self.view.selectRow(0)
        layout.addWidget(self.view, 1)
        self.keep_rule_label = QLabel(KEEP_RULE_TEXT)
        self.keep_rule_label.setWordWrap(True)
        self.keep_rule_label.setStyleSheet("QLabel { color: #555555; }")
        layout.addWidget(self.keep_rule_label)
        buttons = QDialogButtonBox(self)
        self.restore_button = buttons.addButton("恢复所选备份", QDialogButtonBox.ButtonRole.AcceptRole)
        self.file_button = buttons.addButton("从其他文件恢复…", QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.restore_button.setEnabled(self.model.rowCount() > 0)
        buttons.accepted.connect(self.restore_selected)
        self.file_button.clicked.connect(self.restore_from_file)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(620, 420)

    @classmethod
    def for_folder(cls, folder: DataFolder, damage: str, parent: QWidget | None = None) -> RestoreDialog:
        """At start-up, when the data file could not be opened: `folder` holds the lock only."""
        return cls(None, parent, folder=folder, damage=damage)

    def selected_backup(self):
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_at(rows[0]) if rows else None

    def restore_selected(self) -> None:
        backup = self.selected_backup()
        if backup is None:
            return
        text = f"用 {backup.taken_at:%Y-%m-%d %H:%M} 的备份（{backup.reason_label}）替换当前数据？"
        if ask_confirm(self, "恢复备份", text):
            self.restore(backup.path)

    def restore_from_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "选择备份文件", str(self.folder.paths.backups), "亮赛比数据文件 (*.db)"
        )
        if path and ask_confirm(self, "恢复备份", f"用文件“{path}”替换当前数据？"):
            self.restore(path)

    def restore(self, path) -> None:
        try:
            try:
                result = self.folder.restore(path)
            except AuditProblemsError as problems:
                # Sound as a database, but its audit log does not add up: only on the clerk's word.
                if not ask_confirm(self, "备份的审计日志有问题", _audit_warning(problems)):
                    return
                result = self.folder.restore(path, accept_audit_problems=True)
        except LsbError as exc:
            show_error(self, exc)
            return
        self.result_of_restore = result
        self.safety_backup = result.safety_backup
        self.announcement = announce_restore(self.parentWidget(), result)
        self.accept()


def announce_restore(parent: QWidget | None, result) -> QMessageBox:
    """What the restore did (where the replaced or damaged data went), in a box that does not
    hold up the window: the work goes on underneath while the clerk reads it."""
    box = QMessageBox(
        QMessageBox.Icon.Information, "恢复备份", "\n".join(result.lines()), QMessageBox.StandardButton.NoButton, parent
    )
    box.addButton(OK_TEXT, QMessageBox.ButtonRole.AcceptRole)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.open()
    return box


def _audit_warning(error: AuditProblemsError, shown: int = 8) -> str:
    lines = [f"这份备份的审计日志有 {len(error.details)} 个问题，其中的记录可能被改动过："]
    lines.extend(f"{index}. {problem}" for index, problem in enumerate(error.details[:shown], 1))
    if len(error.details) > shown:
        lines.append(f"……另有 {len(error.details) - shown} 个问题")
    lines.append("")
    lines.append("仍要用这份备份恢复吗？恢复后请用 文件 → 检查数据 核对，并向监督人说明。")
    return "\n".join(lines)


# ----- 检查数据 ---------------------------------------------------------------------------------

OK_COLOUR, PROBLEM_COLOUR, PENDING_COLOUR = "#2e7d32", "#c62828", "#8a6d00"


class CheckReportDialog(QDialog):
    """The report of 检查数据: the verdict on top, each problem in the clerk's words, what was
    checked (integrity, the audit chain, the evidence files, the data version) and what to do."""

    def __init__(self, report, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.setWindowTitle("检查数据")
        layout = QVBoxLayout(self)
        problems = report.problems
        if problems:
            verdict, colour = f"× 发现 {len(problems)} 个问题", PROBLEM_COLOUR
        elif not report.ok:
            verdict, colour = "数据完好，但数据版本需要升级", PENDING_COLOUR
        else:
            verdict, colour = "√ 检查通过，数据完好", OK_COLOUR
        self.verdict_label = QLabel(verdict)
        self.verdict_label.setStyleSheet(f"QLabel {{ color: {colour}; font-size: 16px; font-weight: bold; }}")
        layout.addWidget(self.verdict_label)
        self.problem_list = QListWidget(self)
        self.problem_list.setWordWrap(True)
        self.problem_list.setAlternatingRowColors(True)
        for index, problem in enumerate(problems, 1):
            item = QListWidgetItem(f"{index}. {problem}")
            item.setForeground(QColor(PROBLEM_COLOUR))
            self.problem_list.addItem(item)
        self.problem_list.setVisible(bool(problems))
        layout.addWidget(self.problem_list, 1)
        layout.addWidget(QLabel("<b>已检查</b>"))
        self.checked_label = QLabel("<br>".join(self._checked_lines()))
        self.checked_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.checked_label)
        self.advice_label = QLabel(ADVICE if problems else "")
        self.advice_label.setWordWrap(True)
        self.advice_label.setVisible(bool(problems))
        layout.addWidget(self.advice_label)
        where = QLabel(f"数据文件：{report.database}")
        where.setStyleSheet("QLabel { color: #666666; }")
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(where)
        buttons = QDialogButtonBox(self)
        self.copy_button = buttons.addButton("复制报告", QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.AcceptRole)
        self.copy_button.clicked.connect(self.copy_report)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.close_button.setDefault(True)
        if problems:
            self.resize(720, 460)
        else:
            layout.addStretch(1)
            self.resize(560, self.sizeHint().height())

    def _checked_lines(self) -> list[str]:
        lines = []
        for good, line in self.report.checked_items():
            mark, colour = ("√", OK_COLOUR) if good else ("×", PROBLEM_COLOUR)
            lines.append(f"<span style='color:{colour}'>{mark}</span>&nbsp;{escape(line)}")
        return lines

    def text(self) -> str:
        return "\n".join(self.report.lines())

    def copy_report(self) -> None:
        QApplication.clipboard().setText(self.text())
