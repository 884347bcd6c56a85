"""Dialogs of the 村（社区） tab: add/edit a unit, change its secretary, archive, merge, 管区."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QItemSelectionModel, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lsb_desktop.changes import Changed
from lsb_desktop.domain.register import (
    District,
    OrgType,
    Unit,
    UnitDraft,
    UnitKind,
    format_start,
    infer_kind_from_name,
    is_since_always,
)
from lsb_desktop.domain.text import canonical_name, clean, format_date
from lsb_desktop.errors import LsbError, ValidationError
from ui.widgets.dialogs import ServiceDialog, date_of, make_button_box, make_date_edit, make_hint, make_warning
from ui.widgets.messages import ask_confirm, show_error
from ui.widgets.table_model import ALIGN_CENTER, Column, RowTableModel

if TYPE_CHECKING:
    from lsb_desktop.core import Core

NO_DISTRICT_LABEL = "（未分管区）"
INACTIVE_COLOUR = QColor(140, 140, 140)
EDIT_HINT = "名称、类型、党组织或管区的变化从生效日期起记入历史，旧的记录保留"
ADD_HINT = (
    "不指定在册起始日期时，视为建档起一直在册，可以补录以前任何季度的评比；"
    "因合并等新设立的村（社区）请勾选“指定日期”填写设立日期"
)
SINCE_ALWAYS_TEXT = "建档起（可录入以前任何季度的评比）"
SINCE_REGISTRATION_TEXT = "同在册起始日期"
START_LOCKED_HINT = "在册起始日期不能再更正：{locks}"


# ----- small building blocks ---------------------------------------------------------------


class OptionalDateField(QWidget):
    """A date that may be left out: unchecked it says `empty_text` and gives None.

    Used for 在册起始日期 (left out: in the register since always) and 任职时间."""

    def __init__(self, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QCheckBox("指定日期")
        self.date_edit = make_date_edit()
        self.empty_label = QLabel(empty_text)
        self.empty_label.setStyleSheet("color: #444;")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        layout.addWidget(self.date_edit)
        layout.addWidget(self.empty_label)
        # The stretch keeps the check box its own size: a click beside its text does nothing.
        layout.addStretch(1)
        self.check.toggled.connect(self._toggled)
        self._toggled(False)

    def _toggled(self, checked: bool) -> None:
        self.date_edit.setVisible(checked)
        self.empty_label.setVisible(not checked)
        if checked:
            self.date_edit.setFocus()

    def value(self) -> date | None:
        return date_of(self.date_edit) if self.check.isChecked() else None

    def set_value(self, day: date | None) -> None:
        given = day is not None and not is_since_always(day)
        if given:
            self.date_edit.setDate(QDate(day))
        self.check.setChecked(given)


def secretary_text(unit: Unit) -> str:
    if not unit.secretary:
        return "（空缺）"
    if unit.secretary_since is None:
        since = ""
    elif is_since_always(unit.secretary_since):
        since = "（建档起）"
    else:
        since = f"（{format_date(unit.secretary_since)} 起）"
    return f"{unit.secretary}{since}"


# ----- 新增 / 编辑 ----------------------------------------------------------------------------


class _UnitDialogUi:
    """The layout of UnitDialog; the behaviour lives in the dialog."""

    def setup(self, dialog: QDialog, adding: bool) -> None:
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("例如：张五砦村、幸福社区")
        self.kind_combo = QComboBox()
        for kind in UnitKind:
            self.kind_combo.addItem(kind.label, kind)
        self.org_combo = QComboBox()
        for org_type in OrgType:
            self.org_combo.addItem(org_type.label, org_type)
        self.district_combo = QComboBox()
        self.note_edit = QLineEdit()
        self.effective_edit = make_date_edit()
        self.start_field = OptionalDateField(SINCE_ALWAYS_TEXT)
        self.start_field.setToolTip("村（社区）从哪一天起列入名册；不指定即建档起一直在册")

        form = QFormLayout()
        form.addRow("名称", self.name_edit)
        form.addRow("类型", self.kind_combo)
        form.addRow("党组织类型", self.org_combo)
        form.addRow("管区", self.district_combo)
        if adding:
            self.secretary_edit = QLineEdit()
            self.since_field = OptionalDateField(SINCE_REGISTRATION_TEXT)
            form.addRow("党组织书记", self.secretary_edit)
            form.addRow("任职时间", self.since_field)
        else:
            self.secretary_label = QLabel()
            self.secretary_label.setToolTip("更换书记请用“更换书记”按钮，任职记录会完整保留")
            form.addRow("党组织书记", self.secretary_label)
        form.addRow("备注", self.note_edit)
        if not adding:
            self.reason_edit = QLineEdit()
            self.reason_edit.setPlaceholderText("例如：民政批复文号（可不填）")
            form.addRow("变更原因", self.reason_edit)
            form.addRow("生效日期", self.effective_edit)
        form.addRow("在册起始日期", self.start_field)

        self.hint_label = make_hint(ADD_HINT if adding else EDIT_HINT)
        self.start_hint_label = make_hint("")
        self.start_hint_label.setVisible(False)
        self.button_box = make_button_box()
        layout = QVBoxLayout(dialog)
        layout.addLayout(form)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.start_hint_label)
        layout.addWidget(self.button_box)
        dialog.setMinimumWidth(460)


class UnitDialog(ServiceDialog):
    """Add a unit (unit=None) or record a change of an existing one from an effective date."""

    def __init__(self, core: Core, unit: Unit | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core = core
        self.unit = unit
        self.ui = _UnitDialogUi()
        self.ui.setup(self, adding=unit is None)
        self._kind_touched = False
        self._fill_districts()
        if unit is None:
            self.setWindowTitle("新增村（社区）")
            self.ui.name_edit.textEdited.connect(self._guess_kind)
            # `activated` fires only when the user picks, never on setCurrentIndex.
            self.ui.kind_combo.activated.connect(self._mark_kind_touched)
        else:
            self.setWindowTitle(f"编辑村（社区）：{unit.name}")
            self._fill_from(unit)
        self.ui.button_box.accepted.connect(self.accept)
        self.ui.button_box.rejected.connect(self.reject)

    def _fill_districts(self) -> None:
        combo = self.ui.district_combo
        combo.addItem(NO_DISTRICT_LABEL, None)
        for district in self._core.villages.list_districts(include_archived=False):
            combo.addItem(district.name, district.id)

    def _fill_from(self, unit: Unit) -> None:
        self.ui.name_edit.setText(unit.name)
        self.ui.kind_combo.setCurrentIndex(self.ui.kind_combo.findData(unit.kind))
        self.ui.org_combo.setCurrentIndex(self.ui.org_combo.findData(unit.org_type))
        index = self.ui.district_combo.findData(unit.district_id)
        if index < 0:
            # A 管区 stopped since: keep showing it so saving does not move the unit silently.
            self.ui.district_combo.addItem(f"{unit.district_name}（已停用）", unit.district_id)
            index = self.ui.district_combo.count() - 1
        self.ui.district_combo.setCurrentIndex(index)
        self.ui.secretary_label.setText(secretary_text(unit))
        self.ui.note_edit.setText(unit.note)
        self.ui.start_field.set_value(unit.registered_from)
        locks = self._core.villages.start_locks(unit.id)
        if locks:
            # Something refers to the unit: its start is history now, shown but not editable.
            text = START_LOCKED_HINT.format(locks="，".join(locks))
            self.ui.start_field.setEnabled(False)
            self.ui.start_field.setToolTip(text)
            self.ui.start_hint_label.setText(f"{text}（现为{format_start(unit.registered_from)}）")
            self.ui.start_hint_label.setVisible(True)

    def _guess_kind(self, text: str) -> None:
        if self._kind_touched:
            return
        kind = infer_kind_from_name(canonical_name(text))
        if kind is not None:
            self.ui.kind_combo.setCurrentIndex(self.ui.kind_combo.findData(kind))

    def _mark_kind_touched(self) -> None:
        self._kind_touched = True

    def apply(self) -> Changed[Unit]:
        ui = self.ui
        kind = ui.kind_combo.currentData()
        org_type = ui.org_combo.currentData()
        district_id = ui.district_combo.currentData()
        effective = date_of(ui.effective_edit)
        start = ui.start_field.value()
        if self.unit is None:
            secretary = ui.secretary_edit.text()
            # Without a date of office the secretary serves from the unit's registration.
            draft = UnitDraft(
                name=ui.name_edit.text(),
                kind=kind,
                org_type=org_type,
                district_id=district_id,
                secretary=secretary,
                secretary_since=ui.since_field.value() if clean(secretary) else None,
                note=ui.note_edit.text(),
            )
            return self._core.villages.add_unit(draft, start)
        unit = self.unit
        # Only what changed is passed, so the history says exactly what happened.
        changed: dict[str, Any] = {}  # change_unit's keyword arguments, each of its own type
        if canonical_name(ui.name_edit.text()) != unit.name:
            changed["name"] = ui.name_edit.text()
        if kind is not unit.kind:
            changed["kind"] = kind
        if org_type is not unit.org_type:
            changed["org_type"] = org_type
        if district_id != unit.district_id:
            changed["district_id"] = district_id
        if clean(ui.note_edit.text()) != unit.note:
            changed["note"] = ui.note_edit.text()
        current_start = None if is_since_always(unit.registered_from) else unit.registered_from
        if ui.start_field.isEnabled() and start != current_start:
            changed["start"] = start
        return self._core.villages.change_unit(unit.id, effective=effective, reason=ui.reason_edit.text(), **changed)


# ----- 更换书记 -------------------------------------------------------------------------------


class _SecretaryDialogUi:
    def setup(self, dialog: QDialog) -> None:
        self.current_label = QLabel()
        self.person_edit = QLineEdit()
        self.start_edit = make_date_edit()
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("例如：换届选举")
        form = QFormLayout()
        form.addRow("现任书记", self.current_label)
        form.addRow("新任书记", self.person_edit)
        form.addRow("任职日期", self.start_edit)
        form.addRow("备注", self.note_edit)
        self.hint_label = make_hint("现任书记的任期到新书记任职日期的前一天结束，任职记录全部保留")
        self.button_box = make_button_box()
        layout = QVBoxLayout(dialog)
        layout.addLayout(form)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.button_box)
        dialog.setMinimumWidth(380)


class SecretaryDialog(ServiceDialog):
    """Record a new secretary from a date; the current term ends the day before."""

    def __init__(self, core: Core, unit: Unit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core = core
        self.unit = unit
        self.ui = _SecretaryDialogUi()
        self.ui.setup(self)
        self.setWindowTitle(f"更换书记：{unit.name}")
        self.ui.current_label.setText(secretary_text(unit))
        self.ui.button_box.accepted.connect(self.accept)
        self.ui.button_box.rejected.connect(self.reject)

    def apply(self) -> Changed[Unit]:
        return self._core.villages.change_secretary(
            self.unit.id, self.ui.person_edit.text(), date_of(self.ui.start_edit), self.ui.note_edit.text()
        )


# ----- 归档 / 恢复 ------------------------------------------------------------------------------


class _ArchiveDialogUi:
    def setup(self, dialog: QDialog, restoring: bool) -> None:
        self.explanation_label = make_hint("")
        self.date_edit = make_date_edit()
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("例如：撤销建制的批复文号" if not restoring else "例如：误归档，予以恢复")
        form = QFormLayout()
        form.addRow("恢复日期" if restoring else "归档日期", self.date_edit)
        form.addRow("原因（必填）", self.reason_edit)
        self.button_box = make_button_box("恢复" if restoring else "归档")
        layout = QVBoxLayout(dialog)
        layout.addWidget(self.explanation_label)
        layout.addLayout(form)
        layout.addWidget(self.button_box)
        dialog.setMinimumWidth(400)


class ArchiveDialog(ServiceDialog):
    """Take a unit off the register from a date (归档), or bring an archived one back (恢复)."""

    def __init__(self, core: Core, unit: Unit, restoring: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core = core
        self.unit = unit
        self.restoring = restoring
        self.ui = _ArchiveDialogUi()
        self.ui.setup(self, restoring)
        if restoring:
            self.setWindowTitle(f"恢复：{unit.name}")
            self.ui.explanation_label.setText(
                f"恢复后“{unit.name}”重新列入在册名单。原书记的任期已在归档时结束，如有在任书记，请再用“更换书记”登记。"
            )
        else:
            self.setWindowTitle(f"归档：{unit.name}")
            self.ui.explanation_label.setText(
                f"归档后“{unit.name}”不再列入在册名单，也不再参加评比；历史记录全部保留，需要时可以恢复。"
                "现任书记的任期到归档日期的前一天结束。"
            )
        self.ui.button_box.accepted.connect(self.accept)
        self.ui.button_box.rejected.connect(self.reject)

    def apply(self) -> Changed[Unit]:
        villages = self._core.villages
        action = villages.restore_unit if self.restoring else villages.archive_unit
        return action(self.unit.id, date_of(self.ui.date_edit), self.ui.reason_edit.text())


# ----- 合并 -------------------------------------------------------------------------------------


class _MergeDialogUi:
    def setup(self, dialog: QDialog) -> None:
        self.warning_label = make_warning("")
        self.target_combo = QComboBox()
        self.date_edit = make_date_edit()
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("例如：合并文件的文号")
        form = QFormLayout()
        form.addRow("并入", self.target_combo)
        form.addRow("合并日期", self.date_edit)
        form.addRow("原因（必填）", self.reason_edit)
        self.button_box = make_button_box("合并")
        layout = QVBoxLayout(dialog)
        layout.addWidget(self.warning_label)
        layout.addLayout(form)
        layout.addWidget(self.button_box)
        dialog.setMinimumWidth(420)


class MergeDialog(ServiceDialog):
    """Merge a unit into another active one: it leaves the register, its history stays."""

    def __init__(self, core: Core, unit: Unit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core = core
        self.unit = unit
        self.ui = _MergeDialogUi()
        self.ui.setup(self)
        self.setWindowTitle(f"合并：{unit.name}")
        self.ui.warning_label.setText(
            f"合并后“{unit.name}”将退出在册名单，不再参加评比，此操作不能撤销；"
            "它的历史记录和书记任职记录都会保留。现任书记的任期到合并日期的前一天结束。"
        )
        for other in core.villages.list_units(include_inactive=False):
            if other.id != unit.id:
                self.ui.target_combo.addItem(other.name, other.id)
        self.ui.button_box.accepted.connect(self.accept)
        self.ui.button_box.rejected.connect(self.reject)

    def apply(self) -> Changed[Unit]:
        target_id = self.ui.target_combo.currentData()
        if target_id is None:
            raise ValidationError("没有可以并入的在册村（社区）")
        return self._core.villages.merge_unit(
            self.unit.id, target_id, date_of(self.ui.date_edit), self.ui.reason_edit.text()
        )


# ----- 管区管理 ----------------------------------------------------------------------------------


class DistrictTableModel(RowTableModel):
    columns = (
        Column("管区", lambda d: d.name),
        Column("管区书记", lambda d: d.leader),
        Column("在册村（社区）", lambda d: d.unit_count, alignment=ALIGN_CENTER),
        Column("状态", lambda d: "已停用" if d.archived else "在用", alignment=ALIGN_CENTER),
    )

    def row_foreground(self, row: District) -> QColor | None:
        return INACTIVE_COLOUR if row.archived else None


class _DistrictsDialogUi:
    def setup(self, dialog: QDialog) -> None:
        self.table = QTableView()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("例如：第一管区")
        self.leader_edit = QLineEdit()
        self.leader_edit.setPlaceholderText("可不填")
        form = QFormLayout()
        form.addRow("管区名称", self.name_edit)
        form.addRow("管区书记", self.leader_edit)

        self.add_button = QPushButton("新增")
        self.save_button = QPushButton("保存修改")
        self.toggle_button = QPushButton("停用")
        self.delete_button = QPushButton("删除")
        buttons = QHBoxLayout()
        for button in (self.add_button, self.save_button, self.toggle_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.hint_label = make_hint(
            "管区停用后不能再分入村（社区），但历史记录中仍然保留；只有从未用过的管区才能删除。"
        )
        self.close_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_box.button(QDialogButtonBox.StandardButton.Close).setText("关闭")

        layout = QVBoxLayout(dialog)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.close_box)
        dialog.resize(480, 420)


class DistrictsDialog(QDialog):
    """管区管理: several changes per visit, each its own call; `changed` fires after each one."""

    changed = Signal(object)

    def __init__(self, core: Core, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core = core
        self.setWindowTitle("管区管理")
        self.ui = _DistrictsDialogUi()
        self.ui.setup(self)
        self.model = DistrictTableModel(self)
        self.ui.table.setModel(self.model)
        self._shown_id: int | None = None
        self.ui.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.ui.add_button.clicked.connect(self.add_district)
        self.ui.save_button.clicked.connect(self.save_district)
        self.ui.toggle_button.clicked.connect(self.toggle_district)
        self.ui.delete_button.clicked.connect(self.delete_district)
        self.ui.close_box.rejected.connect(self.reject)
        self.reload()

    # ----- state ---------------------------------------------------------------------------

    def selected(self) -> District | None:
        rows = self.ui.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0]) if rows else None

    def select_id(self, district_id: int | None) -> None:
        row = self.model.find_row(lambda d: d.id == district_id)
        if row is None:
            self.ui.table.clearSelection()
        else:
            self.ui.table.selectionModel().select(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
        self._selection_changed()

    def reload(self, select_id: int | None = None) -> None:
        keep = select_id if select_id is not None else (self.selected().id if self.selected() else None)
        self.model.set_rows(self._core.villages.list_districts(include_archived=True))
        self.select_id(keep)

    def _selection_changed(self) -> None:
        district = self.selected()
        has = district is not None
        for button in (self.ui.save_button, self.ui.toggle_button, self.ui.delete_button):
            button.setEnabled(has)
        self.ui.toggle_button.setText("启用" if has and district.archived else "停用")
        shown = district.id if has else None
        # Refill the form only when another 管区 is chosen, so a reload keeps what was typed.
        if shown != self._shown_id and has:
            self.ui.name_edit.setText(district.name)
            self.ui.leader_edit.setText(district.leader)
        self._shown_id = shown

    # ----- actions -------------------------------------------------------------------------

    def _run(self, action: Callable[[], Changed[District | None]]) -> bool:
        try:
            changed = action()
        except LsbError as exc:
            show_error(self, exc)
            return False
        district = changed.value
        self.reload(select_id=district.id if isinstance(district, District) else None)
        self.changed.emit(changed.changes)
        return True

    def add_district(self) -> bool:
        return self._run(lambda: self._core.villages.add_district(self.ui.name_edit.text(), self.ui.leader_edit.text()))

    def save_district(self) -> bool:
        district = self.selected()
        if district is None:
            return False
        return self._run(
            lambda: self._core.villages.update_district(
                district.id, self.ui.name_edit.text(), self.ui.leader_edit.text(), district.archived
            )
        )

    def toggle_district(self) -> bool:
        district = self.selected()
        if district is None:
            return False
        # The stored name and leader, not the form: 停用 must not also save half-typed edits.
        return self._run(
            lambda: self._core.villages.update_district(
                district.id, district.name, district.leader, not district.archived
            )
        )

    def delete_district(self) -> bool:
        district = self.selected()
        if district is None:
            return False
        if not ask_confirm(self, "删除管区", f"确定删除管区“{district.name}”吗？"):
            return False
        return self._run(lambda: self._core.villages.delete_district(district.id))
