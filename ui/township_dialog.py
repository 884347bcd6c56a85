"""乡镇信息: the township's name and its Party committee, printed on every sheet."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from lsb_desktop.changes import Changes
from lsb_desktop.errors import LsbError
from ui.widgets.messages import show_error

if TYPE_CHECKING:
    from lsb_desktop.core import Core


class TownshipDialog(QDialog):
    def __init__(self, core: Core, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.changes = Changes.NONE  # what the save changed, as the core said
        self.setWindowTitle("乡镇信息")
        settings = core.settings.township()
        layout = QFormLayout(self)
        self.name_edit = QLineEdit(settings.township_name, self)
        self.name_edit.setPlaceholderText("例如：孟庄镇")
        self.committee_edit = QLineEdit(settings.party_committee, self)
        self.committee_edit.setPlaceholderText("例如：中共孟庄镇委员会")
        self.name_edit.textEdited.connect(self._suggest_committee)
        layout.addRow("乡镇名称：", self.name_edit)
        layout.addRow("党委名称（落款）：", self.committee_edit)
        hint = QLabel("用于排名表标题和证书落款。")
        hint.setStyleSheet("color: #555;")
        layout.addRow(hint)
        buttons = QDialogButtonBox(self)
        buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addRow(buttons)
        self._committee_touched = bool(settings.party_committee)
        self.committee_edit.textEdited.connect(self._touch_committee)
        self.resize(420, 150)

    def _touch_committee(self) -> None:
        self._committee_touched = True

    def _suggest_committee(self, name: str) -> None:
        if not self._committee_touched:
            self.committee_edit.setText(f"中共{name.strip()}委员会" if name.strip() else "")

    def save(self) -> None:
        try:
            self.changes = self.core.settings.save_township(self.name_edit.text(), self.committee_edit.text()).changes
        except LsbError as exc:
            show_error(self, exc)
            return
        self.accept()
