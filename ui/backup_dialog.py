"""恢复备份: pick one of the automatic backups (or any file) to bring the data back."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lsb_desktop.errors import LsbError
from ui.messages import ask_confirm, show_error
from ui.table_model import Column, RowTableModel


class BackupModel(RowTableModel):
    columns = (
        Column("备份时间", lambda b: b.taken_at.strftime("%Y-%m-%d %H:%M:%S")),
        Column("类型", lambda b: b.reason_label),
        Column("文件", lambda b: b.path.name),
    )


class RestoreDialog(QDialog):
    def __init__(self, core, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.safety_backup = None
        self.setWindowTitle("恢复备份")
        layout = QVBoxLayout(self)
        note = QLabel(
            "选择一个备份，用它替换当前数据。恢复前会先把当前数据另存一份备份，恢复后也可以再换回来。"
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        self.model = BackupModel(self)
        self.model.set_rows(core.folder.list_backups())
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
        path, _ = QFileDialog.getOpenFileName(self, "选择备份文件", str(self.core.folder.paths.backups),
                                              "亮赛比数据文件 (*.db)")
        if path and ask_confirm(self, "恢复备份", f"用文件“{path}”替换当前数据？"):
            self.restore(path)

    def restore(self, path) -> None:
        try:
            self.safety_backup = self.core.folder.restore(path)
        except LsbError as exc:
            show_error(self, exc)
            return
        self.accept()
