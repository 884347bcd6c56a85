"""Dialogs of the 承诺事项 tab: item, progress, adjust, cancel, complete, delete, files, categories, Excel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from lsb_desktop.domain.commitments import (
    ADJUST_NEEDS_REASON,
    CANCEL_NEEDS_REASON,
    DEFAULT_CATEGORIES,
    MATCH_RULE,
    Commitment,
    CommitmentDraft,
    CommitmentStatus,
    ProgressEntry,
    counted_text,
    counted_to,
    due_text,
)
from lsb_desktop.domain.period import QUARTER_NAMES, Period, year_day_word
from lsb_desktop.domain.text import clean_text, cut_cells_warning
from lsb_desktop.errors import LsbError, ValidationError
from ui.widgets.dialogs import ServiceDialog, date_of, make_button_box, make_date_edit, make_hint, make_warning
from ui.widgets.folders import browse_save_path
from ui.widgets.messages import CANCEL_TEXT, show_error, show_info
from ui.widgets.table_model import ALIGN_CENTER, Column, RowTableModel, preview_table

if TYPE_CHECKING:
    from lsb_desktop.core import Core

XLSX_FILTER = "Excel 工作簿 (*.xlsx)"
PAPERS = (("A4", "A4 纸"), ("A3", "A3 纸"))
ERROR_TEXT = QColor("#b71c1c")
ORIGINAL_BOX_STYLE = (
    "QFrame#originalBox { background: #fff8e1; border: 1px solid #e0b040; border-radius: 3px; }"
    " QLabel { color: #4a3b00; }"
)
_ACTION_COLOURS = {"新增": QColor("#1b5e20"), "将替换": QColor("#0d47a1"), "不变": QColor("#616161")}
REPLACED_OLD = QColor("#8d2a2a")
REPLACED_NEW = QColor("#1b5e20")
LEFT_OUT_TEXT = QColor("#8d2a2a")
NO_YEAR_TEXT = "请选择年度"
FILE_YEAR_TEXT = "按文件中的“年度”列"


# ----- small building blocks ---------------------------------------------------------------


def original_text(item: Commitment) -> str:
    """An adjusted item's first wording, as kept beside the new one (several lines)."""
    lines = [f"原承诺：{item.original_content or item.content}"]
    if item.original_target:
        lines.append(f"原目标：{item.original_target}")
    if item.adjusted:
        # The service keeps the original due day (a quarter as its last day); none means 年底.
        lines.append(f"原时限：{due_text(item.year, item.original_deadline, None)}")
    if item.adjust_reason:
        when = f"（{item.adjusted_on.isoformat()}）" if item.adjusted_on else ""
        lines.append(f"调整原因：{item.adjust_reason}{when}")
    return "\n".join(lines)


def _text_edit(lines: int = 3, placeholder: str = "") -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setPlaceholderText(placeholder)
    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 14)
    return edit


def _read_only_table(model: RowTableModel) -> QTableView:
    view = preview_table(model)
    view.setWordWrap(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    # Columns fitted to their contents otherwise leave the text touching the grid lines.
    view.setStyleSheet("QTableView::item { padding: 0px 6px; }")
    return view


class DueEdit(QWidget):
    """完成时限: a date, a target quarter of the item's year, or the year's end."""

    DATE, QUARTER, YEAR_END = range(3)

    def __init__(self, year: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._year = year
        self.date_radio = QRadioButton("具体日期")
        self.quarter_radio = QRadioButton("目标季度")
        self.year_end_radio = QRadioButton("年底前")
        self.group = QButtonGroup(self)
        for kind, radio in enumerate((self.date_radio, self.quarter_radio, self.year_end_radio)):
            self.group.addButton(radio, kind)
        self.date_edit = make_date_edit(date(year, 12, 31))
        self.quarter_combo = QComboBox()
        for quarter, name in QUARTER_NAMES.items():
            self.quarter_combo.addItem(name, quarter)
        self.year_end_label = QLabel()
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.date_radio, 0, 0)
        layout.addWidget(self.date_edit, 0, 1)
        layout.addWidget(self.quarter_radio, 1, 0)
        layout.addWidget(self.quarter_combo, 1, 1)
        layout.addWidget(self.year_end_radio, 2, 0)
        layout.addWidget(self.year_end_label, 2, 1)
        layout.setColumnStretch(2, 1)
        self.group.idToggled.connect(self._sync)
        self.set_year(year)
        self.set_due(None, None)

    def set_year(self, year: int) -> None:
        self._year = year
        self.year_end_label.setText(f"即 {year}-12-31")
        self.quarter_combo.setToolTip(f"{year}年的这个季度末")

    def set_due(self, deadline: date | None, target_quarter: int | None) -> None:
        if deadline is not None:
            self.date_edit.setDate(deadline)
            self.date_radio.setChecked(True)
        elif target_quarter is not None:
            self.quarter_combo.setCurrentIndex(max(0, self.quarter_combo.findData(target_quarter)))
            self.quarter_radio.setChecked(True)
        else:
            self.year_end_radio.setChecked(True)
        self._sync()

    def kind(self) -> int:
        return self.group.checkedId()

    def value(self) -> tuple[date | None, int | None]:
        """(deadline, target_quarter); (None, None) is the year's end."""
        kind = self.kind()
        if kind == self.DATE:
            return date_of(self.date_edit), None
        if kind == self.QUARTER:
            return None, self.quarter_combo.currentData()
        return None, None

    def _sync(self, *args) -> None:
        self.date_edit.setEnabled(self.kind() == self.DATE)
        self.quarter_combo.setEnabled(self.kind() == self.QUARTER)


def _fill_categories(combo: QComboBox, categories: tuple[str, ...], current: str = "") -> None:
    combo.clear()
    for name in categories:
        combo.addItem(name)
    if current and combo.findText(current) < 0:
        # A category since removed from the list: keep it, so saving does not change it silently.
        combo.addItem(current)
    if current:
        combo.setCurrentIndex(combo.findText(current))


# ----- 新增 / 编辑 ------------------------------------------------------------------------------


class _CommitmentDialogUi:
    def setup(self, dialog: QDialog, year: int, adding: bool) -> None:
        self.unit_combo = QComboBox()
        self.unit_combo.setMinimumWidth(220)
        self.year_spin = QSpinBox()
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setValue(year)
        self.year_spin.setSuffix(" 年")
        self.number_spin = QSpinBox()
        self.number_spin.setRange(0, 999)
        self.number_spin.setSpecialValueText("自动（排在最后）")
        self.number_spin.setToolTip("留“自动”即排在该村（社区）本年度已有事项之后")
        self.category_combo = QComboBox()
        self.content_edit = _text_edit(3, "例如：硬化村内主干道 1.2 公里")
        self.target_edit = QLineEdit()
        self.target_edit.setPlaceholderText("可量化的目标，例如：1.2 公里、500 户、集体收入 20 万元")
        self.due_edit = DueEdit(year)
        self.responsible_edit = QLineEdit()
        self.responsible_edit.setPlaceholderText("默认为本村（社区）党组织书记")
        self.note_edit = QLineEdit()
        form = QFormLayout()
        form.addRow("村（社区）", self.unit_combo)
        form.addRow("年度", self.year_spin)
        if adding:
            form.addRow("序号", self.number_spin)
        else:
            self.number_label = QLabel()
            form.addRow("序号", self.number_label)
        form.addRow("类别", self.category_combo)
        form.addRow("承诺事项", self.content_edit)
        form.addRow("量化目标", self.target_edit)
        form.addRow("完成时限", self.due_edit)
        form.addRow("责任人", self.responsible_edit)
        form.addRow("备注", self.note_edit)
        self.hint_label = make_hint(
            "这里改的是录入错误，不留原文。已公开承诺的内容、目标或时限有变化，请用“调整…”，原承诺会保留。"
            if not adding
            else "逾期由完成时限自动判定，不用手工标记。"
        )
        self.button_box = make_button_box("保存")
        layout = QVBoxLayout(dialog)
        layout.addLayout(form)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.button_box)
        dialog.setMinimumWidth(560)


class CommitmentDialog(ServiceDialog):
    """Add an item (commitment=None) or correct what was typed for one (`update`)."""

    def __init__(
        self,
        core: Core,
        commitment: Commitment | None = None,
        *,
        year: int | None = None,
        unit_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._core = core
        self.commitment = commitment
        adding = commitment is None
        year = commitment.year if commitment is not None else (year or date.today().year)
        self.ui = _CommitmentDialogUi()
        self.ui.setup(self, year, adding)
        self._responsible_touched = False
        self._units = {u.id: u for u in core.villages.list_units()}
        current_category = commitment.category if commitment is not None else ""
        _fill_categories(self.ui.category_combo, core.commitments.categories(), current_category)
        if adding:
            self.setWindowTitle("新增承诺事项")
            for unit in core.villages.list_units(include_inactive=False):
                label = f"{unit.name}（{unit.district_name}）" if unit.district_name else unit.name
                self.ui.unit_combo.addItem(label, unit.id)
            if unit_id is not None and self.ui.unit_combo.findData(unit_id) >= 0:
                self.ui.unit_combo.setCurrentIndex(self.ui.unit_combo.findData(unit_id))
            self.ui.unit_combo.currentIndexChanged.connect(self._unit_changed)
            self.ui.year_spin.valueChanged.connect(self.ui.due_edit.set_year)
            self.ui.responsible_edit.textEdited.connect(self._mark_responsible_touched)
            self._unit_changed()
        else:
            self.setWindowTitle(f"编辑承诺事项：{commitment.unit_name} 第 {commitment.number} 项")
            self.ui.unit_combo.addItem(commitment.unit_name, commitment.unit_id)
            self.ui.unit_combo.setEnabled(False)
            self.ui.year_spin.setEnabled(False)
            self.ui.number_label.setText(f"第 {commitment.number} 项")
            self.ui.content_edit.setPlainText(commitment.content)
            self.ui.target_edit.setText(commitment.target)
            self.ui.due_edit.set_due(commitment.deadline, commitment.target_quarter)
            self.ui.responsible_edit.setText(commitment.responsible)
            self.ui.note_edit.setText(commitment.note)
        self.ui.button_box.accepted.connect(self.accept)
        self.ui.button_box.rejected.connect(self.reject)

    def _mark_responsible_touched(self) -> None:
        self._responsible_touched = True

    def _unit_changed(self) -> None:
        # The secretary answers for the village's commitments unless the clerk names someone.
        unit = self._units.get(self.ui.unit_combo.currentData())
        if not self._responsible_touched:
            self.ui.responsible_edit.setText(unit.secretary if unit is not None else "")

    def unchanged(self) -> bool:
        """Editing, and nothing differs from what is stored (the service would refuse)."""
        item, ui = self.commitment, self.ui
        if item is None:
            return False
        return (
            clean_text(ui.content_edit.toPlainText()),
            ui.category_combo.currentText(),
            clean_text(ui.target_edit.text()),
            ui.due_edit.value(),
            clean_text(ui.responsible_edit.text()),
            clean_text(ui.note_edit.text()),
        ) == (
            item.content,
            item.category,
            item.target,
            (item.deadline, item.target_quarter),
            item.responsible,
            item.note,
        )

    def accept(self) -> None:
        if self.unchanged():
            self.reject()  # 保存 without a change: nothing to write, nothing to complain about
            return
        super().accept()

    def apply(self) -> Commitment:
        ui = self.ui
        deadline, quarter = ui.due_edit.value()
        if self.commitment is None:
            unit_id = ui.unit_combo.currentData()
            if unit_id is None:
                raise ValidationError("请先选择村（社区）")
            draft = CommitmentDraft(
                unit_id=unit_id,
                year=ui.year_spin.value(),
                content=ui.content_edit.toPlainText(),
                category=ui.category_combo.currentText(),
                target=ui.target_edit.text(),
                deadline=deadline,
                target_quarter=quarter,
                responsible=ui.responsible_edit.text(),
                number=ui.number_spin.value() or None,
                note=ui.note_edit.text(),
            )
            return self._core.commitments.add(draft)
        return self._core.commitments.update(
            self.commitment.id,
            content=ui.content_edit.toPlainText(),
            category=ui.category_combo.currentText(),
            target=ui.target_edit.text(),
            deadline=deadline,
            target_quarter=quarter,
            clear_due=deadline is None and quarter is None,
            responsible=ui.responsible_edit.text(),
            note=ui.note_edit.text(),
        )


# ----- 登记进度 ----------------------------------------------------------------------------------


def progress_periods(year: int, due: date) -> list[Period]:
    """The quarters progress may be recorded for: those of the item's year, and on to the
    quarter of its due date when that falls in the next year."""
    periods = [Period(year, quarter) for quarter in range(1, 5)]
    last = Period.of(due)
    while periods[-1] < last:
        periods.append(periods[-1].next())
    return periods


def default_period(periods: list[Period], today: date) -> Period:
    """This quarter if progress can be entered for it; else the nearest one that can."""
    now = Period.of(today)
    if now in periods:
        return now
    return periods[0] if now < periods[0] else periods[-1]


class _ProgressDialogUi:
    def setup(self, dialog: QDialog) -> None:
        self.item_label = QLabel()
        self.item_label.setWordWrap(True)
        self.item_label.setStyleSheet("font-weight: bold;")
        self.period_combo = QComboBox()
        self.percent_spin = QSpinBox()
        self.percent_spin.setRange(0, 100)
        self.percent_spin.setSingleStep(10)
        self.percent_spin.setSuffix(" %")
        self.text_edit = _text_edit(4, "本季度做了什么、到了什么程度，例如：完成路基 0.8 公里，铺设完成 60%")
        self.date_edit = make_date_edit()
        self.complete_check = QCheckBox("本季度已完成（事项标记为“已完成”，完成日期取登记日期）")
        self.existing_label = make_hint("")
        form = QFormLayout()
        form.addRow("季度", self.period_combo)
        form.addRow("进度", self.percent_spin)
        form.addRow("完成情况", self.text_edit)
        form.addRow("登记日期", self.date_edit)
        form.addRow("", self.complete_check)
        self.button_box = make_button_box("保存")
        layout = QVBoxLayout(dialog)
        layout.addWidget(self.item_label)
        layout.addLayout(form)
        layout.addWidget(self.existing_label)
        layout.addWidget(self.button_box)
        dialog.setMinimumWidth(520)


class ProgressDialog(ServiceDialog):
    """登记本季度进度: one entry per item and quarter; a quarter already entered is replaced."""

    def __init__(
        self, core: Core, commitment: Commitment, parent: QWidget | None = None, today: date | None = None
    ) -> None:
        super().__init__(parent)
        self._core = core
        self.commitment = commitment
        today = today or date.today()
        self.today = today
        self.ui = _ProgressDialogUi()
        self.ui.setup(self)
        self.ui.date_edit.setDate(today)
        self.setWindowTitle(f"登记进度：{commitment.unit_name} 第 {commitment.number} 项")
        self.ui.item_label.setText(
            f"{commitment.unit_name} {commitment.year}年第 {commitment.number} 项：{commitment.content}"
        )
        self._entries: dict[Period, ProgressEntry] = {e.period: e for e in core.commitments.progress(commitment.id)}
        periods = progress_periods(commitment.year, commitment.due)
        for period in sorted(set(periods) | set(self._entries)):
            suffix = "（已登记）" if period in self._entries else ""
            # Combos find their data by identity for Python objects: keep the period as text.
            self.ui.period_combo.addItem(period.label + suffix, period.short_label)
        self.ui.period_combo.setCurrentIndex(self.ui.period_combo.findData(default_period(periods, today).short_label))
        self.ui.period_combo.currentIndexChanged.connect(self._period_changed)
        self.ui.percent_spin.valueChanged.connect(self._percent_changed)
        self._period_changed()
        self.ui.button_box.accepted.connect(self.accept)
        self.ui.button_box.rejected.connect(self.reject)

    def period(self) -> Period:
        return Period.parse(self.ui.period_combo.currentData())

    def set_period(self, period: Period) -> bool:
        index = self.ui.period_combo.findData(period.short_label)
        if index >= 0:
            self.ui.period_combo.setCurrentIndex(index)
        return index >= 0

    def _period_changed(self) -> None:
        entry = self._entries.get(self.period())
        if entry is not None:
            self.ui.percent_spin.setValue(entry.percent)
            self.ui.text_edit.setPlainText(entry.done_text)
            self.ui.date_edit.setDate(entry.entry_date)
            self.ui.existing_label.setText(
                f"{entry.period.label}已登记过（{entry.entry_date.isoformat()}），保存将替换原来的登记。"
            )
        else:
            earlier = [e for p, e in self._entries.items() if p < self.period()]
            self.ui.percent_spin.setValue(max((e.percent for e in earlier), default=0))
            self.ui.date_edit.setDate(self.today)
            self.ui.text_edit.setPlainText("")
            self.ui.existing_label.setText("")
        self._percent_changed()

    def _percent_changed(self) -> None:
        full = self.ui.percent_spin.value() == 100
        done_already = self.commitment.status is CommitmentStatus.DONE
        self.ui.complete_check.setEnabled(full and not done_already)
        if not full:
            self.ui.complete_check.setChecked(False)

    def apply(self) -> ProgressEntry:
        ui = self.ui
        return self._core.commitments.record_progress(
            self.commitment.id,
            self.period(),
            ui.percent_spin.value(),
            ui.text_edit.toPlainText(),
            date_of(ui.date_edit),
            complete=ui.complete_check.isChecked() and ui.complete_check.isEnabled(),
        )


# ----- 调整 --------------------------------------------------------------------------------------


class _AdjustDialogUi:
    def setup(self, dialog: QDialog, year: int) -> None:
        self.original_box = QFrame()
        self.original_box.setObjectName("originalBox")
        self.original_box.setStyleSheet(ORIGINAL_BOX_STYLE)
        self.original_label = QLabel()
        self.original_label.setWordWrap(True)
        self.original_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box = QVBoxLayout(self.original_box)
        box.addWidget(self.original_label)
        self.content_edit = _text_edit(3)
        self.target_edit = QLineEdit()
        self.due_edit = DueEdit(year)
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("例如：上级项目资金未到位，经村“两委”会议研究调整")
        self.date_edit = make_date_edit()
        form = QFormLayout()
        form.addRow("调整后的承诺", self.content_edit)
        form.addRow("调整后的目标", self.target_edit)
        form.addRow("调整后的时限", self.due_edit)
        form.addRow("调整原因（必填）", self.reason_edit)
        form.addRow("调整日期", self.date_edit)
        self.button_box = make_button_box("调整")
        layout = QVBoxLayout(dialog)
        layout.addWidget(QLabel("原承诺（保留，公示表和记录中可查）："))
        layout.addWidget(self.original_box)
        layout.addLayout(form)
        layout.addWidget(make_hint("调整后事项显示为“已调整”，按调整后的时限判定逾期，完成率照常计算。"))
        layout.addWidget(self.button_box)
        dialog.setMinimumWidth(560)


class AdjustDialog(ServiceDialog):
    """调整: new content/target/时限 with a reason; the first original wording is kept."""

    def __init__(
        self, core: Core, commitment: Commitment, parent: QWidget | None = None, today: date | None = None
    ) -> None:
        super().__init__(parent)
        self._core = core
        self.commitment = commitment
        self.ui = _AdjustDialogUi()
        self.ui.setup(self, commitment.year)
        self.setWindowTitle(f"调整承诺事项：{commitment.unit_name} 第 {commitment.number} 项")
        if commitment.adjusted:
            shown = original_text(commitment) + f"\n\n现承诺：{commitment.content}"
        else:
            shown = f"承诺：{commitment.content}\n目标：{commitment.target or '—'}\n时限：{commitment.deadline_text}"
        self.ui.original_label.setText(shown)
        self.ui.content_edit.setPlainText(commitment.content)
        self.ui.target_edit.setText(commitment.target)
        self.ui.due_edit.set_due(commitment.deadline, commitment.target_quarter)
        self.ui.date_edit.setDate(today or date.today())
        self.ui.button_box.accepted.connect(self.accept)
        self.ui.button_box.rejected.connect(self.reject)

    def apply(self) -> Commitment:
        ui = self.ui
        if not clean_text(ui.reason_edit.text()):
            raise ValidationError(ADJUST_NEEDS_REASON)
        deadline, quarter = ui.due_edit.value()
        return self._core.commitments.adjust(
            self.commitment.id,
            content=ui.content_edit.toPlainText(),
            target=ui.target_edit.text(),
            deadline=deadline,
            target_quarter=quarter,
            reason=ui.reason_edit.text(),
            on=date_of(ui.date_edit),
        )


# ----- 取消 / 删除 / 标记完成 --------------------------------------------------------------------


class _ReasonDialogUi:
    def setup(self, dialog: QDialog, ok_text: str, with_date: bool, date_label: str) -> None:
        self.explanation_label = make_hint("")
        self.item_label = QLabel()
        self.item_label.setWordWrap(True)
        self.item_label.setStyleSheet("font-weight: bold;")
        self.reason_edit = QLineEdit()
        self.date_edit = make_date_edit()
        form = QFormLayout()
        form.addRow("原因（必填）", self.reason_edit)
        if with_date:
            form.addRow(date_label, self.date_edit)
        self.button_box = make_button_box(ok_text)
        layout = QVBoxLayout(dialog)
        layout.addWidget(self.item_label)
        layout.addWidget(self.explanation_label)
        layout.addLayout(form)
        layout.addWidget(self.button_box)
        dialog.setMinimumWidth(480)


class CancelDialog(ServiceDialog):
    """取消: needs a reason; the item stays listed as 已取消 and no longer counts in the rate."""

    def __init__(
        self, core: Core, commitment: Commitment, parent: QWidget | None = None, today: date | None = None
    ) -> None:
        super().__init__(parent)
        self._core = core
        self.commitment = commitment
        self.ui = _ReasonDialogUi()
        self.ui.setup(self, "取消事项", True, "取消日期")
        self.setWindowTitle(f"取消承诺事项：{commitment.unit_name} 第 {commitment.number} 项")
        self.ui.item_label.setText(commitment.content)
        self.ui.explanation_label.setText(
            "取消后事项仍列在名单中，显示为“已取消”，不再计入完成率（完成率 = 已完成 ÷（全部 − 已取消））。"
            "取消不能撤销。"
        )
        self.ui.reason_edit.setPlaceholderText("例如：项目由县交通局统一实施，经镇党委研究同意取消")
        self.ui.button_box.button(QDialogButtonBox.StandardButton.Cancel).setText("不取消")
        self.ui.date_edit.setDate(today or date.today())
        self.ui.button_box.accepted.connect(self.accept)
        self.ui.button_box.rejected.connect(self.reject)

    def apply(self) -> Commitment:
        reason = self.ui.reason_edit.text()
        if not clean_text(reason):
            raise ValidationError(CANCEL_NEEDS_REASON)
        return self._core.commitments.cancel(self.commitment.id, reason, date_of(self.ui.date_edit))


class DeleteDialog(ServiceDialog):
    """删除 an item typed by mistake (no progress, no files, not carried on); audited."""

    def __init__(self, core: Core, commitment: Commitment, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core = core
        self.commitment = commitment
        self.ui = _ReasonDialogUi()
        self.ui.setup(self, "删除", False, "")
        self.setWindowTitle(f"删除承诺事项：{commitment.unit_name} 第 {commitment.number} 项")
        self.ui.item_label.setText(commitment.content)
        self.ui.explanation_label.setText(
            "删除只用于录错的事项：没有登记过进度、没有附件、也没有结转到下一年的才能删除。"
            "已公开的承诺不再做的，请用“取消…”。"
        )
        self.ui.explanation_label.setStyleSheet("color: #b00000;")
        self.ui.reason_edit.setPlaceholderText("例如：重复录入")
        self.ui.button_box.accepted.connect(self.accept)
        self.ui.button_box.rejected.connect(self.reject)

    def apply(self) -> None:
        reason = self.ui.reason_edit.text()
        if not clean_text(reason):
            raise ValidationError("删除承诺事项必须写明原因")
        self._core.commitments.delete(self.commitment.id, reason)
        return None


class CompleteDialog(ServiceDialog):
    """标记完成 on a date."""

    def __init__(
        self, core: Core, commitment: Commitment, parent: QWidget | None = None, today: date | None = None
    ) -> None:
        super().__init__(parent)
        self._core = core
        self.commitment = commitment
        self.setWindowTitle(f"标记完成：{commitment.unit_name} 第 {commitment.number} 项")
        self.item_label = QLabel(commitment.content)
        self.item_label.setWordWrap(True)
        self.item_label.setStyleSheet("font-weight: bold;")
        self.date_edit = make_date_edit(today)
        form = QFormLayout()
        form.addRow("完成日期", self.date_edit)
        self.button_box = make_button_box("标记完成")
        layout = QVBoxLayout(self)
        layout.addWidget(self.item_label)
        layout.addLayout(form)
        layout.addWidget(make_hint("完成日期决定它计入哪个季度的完成率。可以同时“登记本季度进度”写明完成情况。"))
        layout.addWidget(self.button_box)
        self.setMinimumWidth(440)
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)

    def apply(self) -> Commitment:
        return self._core.commitments.set_status(self.commitment.id, CommitmentStatus.DONE, on=date_of(self.date_edit))


# ----- 附加文件 ---------------------------------------------------------------------------------


class AttachDialog(QDialog):
    """附加文件: files (photos, scans, documents) to the item or to one quarter's entry. Each file
    is copied into the data folder with its checksum; `attached` lists what went in."""

    def __init__(
        self,
        core: Core,
        commitment: Commitment,
        paths: list[str | Path],
        entries: list[ProgressEntry],
        period: Period | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._core = core
        self.commitment = commitment
        self.paths = [Path(p) for p in paths]
        self.attached: list = []
        self.setWindowTitle(f"附加文件：{commitment.unit_name} 第 {commitment.number} 项")
        self.files_list = QListWidget()
        for path in self.paths:
            self.files_list.addItem(path.name)
        self.files_list.setMaximumHeight(120)
        self.owner_combo = QComboBox()
        self.owner_combo.addItem("整个事项（不限季度）", None)
        for entry in entries:
            self.owner_combo.addItem(f"{entry.period.label}的进度（{entry.percent}%）", entry.period.short_label)
        if period is not None and self.owner_combo.findData(period.short_label) >= 0:
            self.owner_combo.setCurrentIndex(self.owner_combo.findData(period.short_label))
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("例如：竣工照片、验收单（可不填）")
        form = QFormLayout()
        form.addRow("附到", self.owner_combo)
        form.addRow("说明", self.note_edit)
        self.button_box = make_button_box("附加")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"要附加的文件（{len(self.paths)} 个）："))
        layout.addWidget(self.files_list)
        layout.addLayout(form)
        layout.addWidget(make_hint("文件会复制到数据文件夹并记下校验值；原文件可以移走或删除。"))
        layout.addWidget(self.button_box)
        self.setMinimumWidth(480)
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)

    def period(self) -> Period | None:
        """The quarter's entry the files go to; None: the item itself."""
        value = self.owner_combo.currentData()
        return Period.parse(value) if value else None

    def accept(self) -> None:
        period = self.period()
        for path in self.paths[len(self.attached) :]:
            try:
                self.attached.append(
                    self._core.commitments.attach(self.commitment.id, path, period, self.note_edit.text())
                )
            except LsbError as exc:
                show_error(self, exc)
                if self.attached:
                    # Those before the failing one are in; close so the tab shows them.
                    break
                return
        super().accept()


# ----- 类别设置 ----------------------------------------------------------------------------------


class CategoriesDialog(ServiceDialog):
    """类别设置: add, rename, remove and reorder; saved as one list."""

    def __init__(self, core: Core, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core = core
        self.setWindowTitle("承诺事项类别")
        self.list_widget = QListWidget()
        self.list_widget.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.add_button = QPushButton("新增")
        self.rename_button = QPushButton("改名")
        self.remove_button = QPushButton("删除")
        self.up_button = QPushButton("上移")
        self.down_button = QPushButton("下移")
        self.default_button = QPushButton("恢复默认")
        buttons = QVBoxLayout()
        for button in (self.add_button, self.rename_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.default_button)
        body = QHBoxLayout()
        body.addWidget(self.list_widget, 1)
        body.addLayout(buttons)
        self.button_box = make_button_box("保存")
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(make_hint("双击类别可以改名。删除或改名不影响已登记的事项，它们保留原来的类别。"))
        layout.addWidget(self.button_box)
        self.resize(420, 380)
        self.set_names(core.commitments.categories())
        self.add_button.clicked.connect(self.add_category)
        self.rename_button.clicked.connect(self.rename_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.default_button.clicked.connect(lambda: self.set_names(DEFAULT_CATEGORIES))
        self.list_widget.currentRowChanged.connect(self._update_buttons)
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)
        self._update_buttons()

    def _item(self, name: str) -> QListWidgetItem:
        item = QListWidgetItem(name)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        return item

    def set_names(self, names) -> None:
        self.list_widget.clear()
        for name in names:
            self.list_widget.addItem(self._item(name))
        self._update_buttons()

    def names(self) -> list[str]:
        return [self.list_widget.item(row).text() for row in range(self.list_widget.count())]

    def add_category(self, name: str = "新类别") -> QListWidgetItem:
        item = self._item(name)
        self.list_widget.addItem(item)
        self.list_widget.setCurrentItem(item)
        self.list_widget.editItem(item)
        return item

    def rename_selected(self) -> None:
        item = self.list_widget.currentItem()
        if item is not None:
            self.list_widget.editItem(item)

    def remove_selected(self) -> None:
        row = self.list_widget.currentRow()
        if row >= 0:
            self.list_widget.takeItem(row)
        self._update_buttons()

    def move_selected(self, direction: int) -> None:
        row = self.list_widget.currentRow()
        target = row + direction
        if row < 0 or not 0 <= target < self.list_widget.count():
            return
        item = self.list_widget.takeItem(row)
        self.list_widget.insertItem(target, item)
        self.list_widget.setCurrentRow(target)

    def _update_buttons(self, *args) -> None:
        row = self.list_widget.currentRow()
        has = row >= 0
        self.rename_button.setEnabled(has)
        self.remove_button.setEnabled(has)
        self.up_button.setEnabled(has and row > 0)
        self.down_button.setEnabled(has and row < self.list_widget.count() - 1)

    def apply(self) -> tuple[str, ...]:
        return self._core.commitments.save_categories(self.names())


# ----- 导入 --------------------------------------------------------------------------------------


def _draft_due(row) -> str:
    draft = row.draft
    return due_text(draft.year, draft.deadline, draft.target_quarter) if draft is not None else ""


class ImportRowModel(RowTableModel):
    """Every row of the file as understood; rows with problems in red."""

    columns = (
        Column("工作表", lambda r: r.sheet),
        Column("行号", lambda r: r.row, alignment=ALIGN_CENTER),
        Column("村（社区）", lambda r: r.unit_name),
        Column("年度", lambda r: r.draft.year if r.draft else "", alignment=ALIGN_CENTER),
        Column("序号", lambda r: (r.draft.number or "自动") if r.draft else "", alignment=ALIGN_CENTER),
        Column("类别", lambda r: r.draft.category if r.draft else ""),
        Column(
            "承诺事项",
            lambda r: r.draft.content if r.draft else "",
            tooltip=lambda r: r.draft.content if r.draft else "",
        ),
        Column("完成时限", _draft_due),
        Column(
            "操作",
            lambda r: "有问题" if r.problems else r.action,
            alignment=ALIGN_CENTER,
            foreground=lambda r: ERROR_TEXT if r.problems else _ACTION_COLOURS.get(r.action),
        ),
        Column("对应方式", lambda r: f"按{r.matched_by}" if r.matched_by else "", alignment=ALIGN_CENTER),
        Column(
            "问题或变化",
            lambda r: "；".join(r.problems or (r.changes + r.notes)),
            tooltip=lambda r: "\n".join(r.problems or (r.changes + r.notes)),
        ),
    )
    CONTENT_COLUMN = 6

    def row_foreground(self, row) -> QColor | None:
        return ERROR_TEXT if row.problems else None


@dataclass(frozen=True, slots=True)
class ReplacedRow:
    """One field of an existing item that a file row would replace."""

    row: object  # ImportRow
    what: str
    old: str
    new: str


class ReplacedModel(RowTableModel):
    """将替换: every existing item the file would change, with the old and the new text."""

    columns = (
        Column("行号", lambda r: r.row.row, alignment=ALIGN_CENTER),
        Column("村（社区）", lambda r: r.row.unit_name),
        Column("年度", lambda r: r.row.draft.year, alignment=ALIGN_CENTER),
        Column("序号", lambda r: r.row.draft.number, alignment=ALIGN_CENTER),
        Column("承诺事项（导入后）", lambda r: r.row.draft.content, tooltip=lambda r: r.row.draft.content),
        Column("对应方式", lambda r: f"按{r.row.matched_by}", alignment=ALIGN_CENTER),
        Column("项目", lambda r: r.what, alignment=ALIGN_CENTER),
        Column("原来", lambda r: r.old or "（空）", tooltip=lambda r: r.old, foreground=lambda r: REPLACED_OLD),
        Column("导入后", lambda r: r.new or "（空）", tooltip=lambda r: r.new, foreground=lambda r: REPLACED_NEW),
    )


class ImportProblemModel(RowTableModel):
    columns = (
        Column("问题（改正后点“重新读取文件”）", lambda p: p, tooltip=lambda p: p, foreground=lambda p: ERROR_TEXT),
    )


class CommitmentImportDialog(QDialog):
    """导入承诺事项: the year asked for (never the year on screen), the file's rows and problems,
    and every existing item the file would change (将替换, old beside new) before anything is
    written; 导入 only for a file without a problem, after the clerk has ticked that she checked
    the 将替换 list, and then every row goes in at once."""

    PAGE_PROBLEMS, PAGE_REPLACED, PAGE_ROWS = range(3)

    def __init__(self, core: Core, path: str | Path, years: list[int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core = core
        self.path = Path(path)
        self.preview = None
        self.import_count: int | None = None
        self.setWindowTitle(f"导入承诺事项 — {self.path.name}")
        self.year_combo = QComboBox()
        self.year_combo.addItem(NO_YEAR_TEXT, None)
        for value in years:
            self.year_combo.addItem(f"{value}年", value)
        self.year_combo.setToolTip("文件中没有“年度”列时必须选择；有“年度”列时可不选，选了则须与文件一致")
        self.year_hint = QLabel()
        self.year_hint.setStyleSheet("color: #666;")
        year_row = QHBoxLayout()
        year_row.addWidget(QLabel("导入年度"))
        year_row.addWidget(self.year_combo)
        year_row.addWidget(self.year_hint, 1)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.pages = QTabWidget()
        self.problem_model = ImportProblemModel(self)
        self.replaced_model = ReplacedModel(self)
        self.row_model = ImportRowModel(self)
        self.problem_view = _read_only_table(self.problem_model)
        self.replaced_view = _read_only_table(self.replaced_model)
        self.row_view = _read_only_table(self.row_model)
        for view in (self.row_view, self.replaced_view):
            view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.pages.addTab(self.problem_view, "问题")
        self.pages.addTab(self.replaced_view, "将替换")
        self.pages.addTab(self.row_view, "文件内容")
        self.rule_label = make_hint(MATCH_RULE)
        self.confirm_box = QCheckBox()
        self.confirm_box.setStyleSheet("QCheckBox { color: #0d47a1; font-weight: bold; }")
        buttons = QDialogButtonBox(self)
        self.reload_button = buttons.addButton("重新读取文件", QDialogButtonBox.ButtonRole.ActionRole)
        self.import_button = buttons.addButton("导入", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(CANCEL_TEXT, QDialogButtonBox.ButtonRole.RejectRole)
        self.reload_button.clicked.connect(self.refresh)
        buttons.accepted.connect(self.do_import)
        buttons.rejected.connect(self.reject)
        self.year_combo.currentIndexChanged.connect(lambda _: self.refresh())
        self.confirm_box.toggled.connect(lambda _: self._update_import_button())
        layout = QVBoxLayout(self)
        layout.addLayout(year_row)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.rule_label)
        layout.addWidget(self.confirm_box)
        layout.addWidget(buttons)
        self.resize(1040, 620)
        self.refresh()

    def year(self) -> int | None:
        return self.year_combo.currentData()

    def set_year(self, year: int | None) -> None:
        index = self.year_combo.findData(year)
        if index < 0 and year is not None:
            self.year_combo.addItem(f"{year}年", year)
            index = self.year_combo.count() - 1
        self.year_combo.setCurrentIndex(max(0, index))

    def refresh(self) -> None:
        self.confirm_box.setChecked(False)  # a new reading needs a new check
        try:
            self.preview = self._core.commitments.preview_import(self.path, self.year())
        except LsbError as exc:
            self.preview = None
            self.problem_model.set_rows([exc.message, *exc.details])
            self.row_model.set_rows([])
            self.replaced_model.set_rows([])
            self.summary_label.setText(f"<span style='color:#b71c1c'><b>{exc.message}</b></span>")
            self.confirm_box.hide()
            self._update_import_button()
            self.pages.setCurrentIndex(self.PAGE_PROBLEMS)
            return
        preview = self.preview
        self.year_combo.setItemText(0, FILE_YEAR_TEXT if preview.year_column else NO_YEAR_TEXT)
        self.year_hint.setText(
            "文件有“年度”列，按每行的年度导入"
            if preview.year_column
            else "文件中没有“年度”列，请选择这些承诺事项属于哪一年"
        )
        replacing = preview.replacing
        self.problem_model.set_rows(preview.problems)
        self.replaced_model.set_rows(
            ReplacedRow(row, what, old, new) for row in replacing for what, old, new in row.replaced
        )
        self.row_model.set_rows(preview.rows)
        self._fit_rows()
        self.pages.setTabText(self.PAGE_PROBLEMS, f"问题（{len(preview.problems)}）")
        self.pages.setTabText(self.PAGE_REPLACED, f"将替换（{len(replacing)}）")
        self.pages.setTabText(self.PAGE_ROWS, f"文件内容（{len(preview.rows)} 行）")
        needs_year = not preview.year_column and self.year() is None
        if needs_year:
            text = (
                "<span style='color:#b71c1c'><b>文件中没有“年度”列：请先在上方选择导入年度。"
                "程序不会用屏幕上的年度或完成时限猜测。</b></span>"
            )
        elif preview.problems:
            text = (
                f"<span style='color:#b71c1c'><b>发现 {len(preview.problems)} 个问题，请在 Excel 中改正后点"
                "“重新读取文件”。改正前不会导入任何事项。</b></span>"
            )
        elif not preview.rows:
            text = "<b>文件中没有可导入的承诺事项。</b>"
        else:
            text = (
                f"<b>可以导入：</b>新增 {preview.count_new} 项，"
                f"<span style='color:#0d47a1'><b>将替换 {preview.count_replaced} 项</b></span>，"
                f"无变化 {preview.count_unchanged} 项。导入前会自动备份。"
            )
            if replacing:
                text += "<br>将替换的事项会改掉程序中已有的内容，请在“将替换”页逐项核对原来的和导入后的文字。"
        if preview.notes:
            text += "<br><span style='color:#666'>" + "；".join(preview.notes) + "</span>"
        self.summary_label.setText(text)
        self.confirm_box.setText(f"我已核对将替换的 {len(replacing)} 项，确认用文件中的内容替换")
        self.confirm_box.setVisible(bool(preview.ok and replacing))
        self._update_import_button()
        if preview.problems:
            self.pages.setCurrentIndex(self.PAGE_PROBLEMS)
        elif replacing:
            self.pages.setCurrentIndex(self.PAGE_REPLACED)
        else:
            self.pages.setCurrentIndex(self.PAGE_ROWS)

    def _update_import_button(self) -> None:
        preview = self.preview
        ready = preview is not None and preview.ok and (not preview.count_replaced or self.confirm_box.isChecked())
        self.import_button.setEnabled(bool(ready))
        if preview is not None and preview.ok and preview.count_replaced and not self.confirm_box.isChecked():
            self.import_button.setToolTip("请先核对“将替换”页，并勾选下面的确认")
        else:
            self.import_button.setToolTip("")

    def _fit_rows(self) -> None:
        for view, limits in (
            (self.row_view, {ImportRowModel.CONTENT_COLUMN: 320}),
            (self.replaced_view, {4: 220, 7: 280, 8: 280}),
        ):
            view.resizeColumnsToContents()
            for column, most in limits.items():
                view.setColumnWidth(column, min(view.columnWidth(column), most))

    def do_import(self) -> None:
        preview = self.preview
        if preview is None or not preview.ok:
            return
        replace = self.confirm_box.isChecked()
        if preview.count_replaced and not replace:
            return
        try:
            self.import_count = self._core.commitments.apply_import(preview, replace=replace)
        except LsbError as exc:
            show_error(self, exc)
            self.refresh()
            return
        self.accept()


# ----- 导出 --------------------------------------------------------------------------------------


# Why the sheets count to the day `counted_to` gives, after the year's place in time.
_COUNTED_WHY = {
    "年末": "统计到该年度最后一天",
    "今天": "本年度尚未结束，统计到今天",
    "年初": "本年度尚未开始，统计到该年度第一天",
}


class ExportDialog(ServiceDialog):
    """导出公示表/汇总表: one workbook with a 公示表 sheet per village and the 完成情况汇总表."""

    def __init__(
        self,
        core: Core,
        years: list[int],
        year: int,
        folder: str,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self._core = core
        self._folder = folder
        self._today = today or date.today()
        self.setWindowTitle("导出承诺事项公示表和完成情况汇总表")
        self.year_combo = QComboBox()
        for value in years:
            self.year_combo.addItem(f"{value}年", value)
        self.year_combo.setCurrentIndex(max(0, self.year_combo.findData(year)))
        self.paper_group = QButtonGroup(self)
        paper_row = QHBoxLayout()
        for index, (value, label) in enumerate(PAPERS):
            radio = QRadioButton(label)
            radio.setProperty("paper", value)
            self.paper_group.addButton(radio, index)
            paper_row.addWidget(radio)
        paper_row.addStretch(1)
        self.paper_group.button(0).setChecked(True)
        self.path_edit = QLineEdit()
        self.browse_button = QPushButton("浏览…")
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)
        form = QFormLayout()
        form.addRow("年度", self.year_combo)
        form.addRow("纸张", paper_row)
        form.addRow("保存到", path_row)
        self.button_box = make_button_box("导出")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(
            make_hint(
                "每个村（社区）一张《年度承诺事项公示表》（横向，一页宽，可贴在村务公开栏），"
                "另有一张全镇《完成情况汇总表》（按完成率排名，后 3 位标红）。"
            )
        )
        self.counted_label = make_hint("")
        layout.addWidget(self.counted_label)
        self.placeholder_label = make_warning("")
        layout.addWidget(self.placeholder_label)
        layout.addWidget(self.button_box)
        self.setMinimumWidth(560)
        township = core.settings.township()
        if not township.township_name:
            self.placeholder_label.setText("乡镇名称还没有设置，表头将写「XX镇」。可在“文件 → 乡镇信息…”中设置。")
        self.placeholder_label.setVisible(not township.township_name)
        self._suggest()
        self.year_combo.currentIndexChanged.connect(self._suggest)
        self.browse_button.clicked.connect(lambda: browse_save_path(self, self.path_edit, "导出承诺事项", XLSX_FILTER))
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)

    def year(self) -> int:
        return self.year_combo.currentData()

    def paper(self) -> str:
        return self.paper_group.checkedButton().property("paper")

    def counted_day(self) -> date:
        """The day the sheets count to, as the tab's list does: the year's end, or today."""
        return counted_to(self.year(), self._today)

    def _suggest(self) -> None:
        day = self.counted_day()
        why = _COUNTED_WHY[year_day_word(self.year(), self._today)]
        self.counted_label.setText(f"表中的状态、逾期和完成率都{counted_text(day)}（{why}）。")
        township = self._core.settings.township().township_or_placeholder
        current = Path(self.path_edit.text()) if self.path_edit.text() else None
        folder = current.parent if current is not None else Path(self._folder)
        self.path_edit.setText(str(folder / f"{township}{self.year()}年承诺事项公示表.xlsx"))

    def path(self) -> Path:
        text = clean_text(self.path_edit.text())
        if not text:
            raise ValidationError("请选择保存的位置")
        if not text.lower().endswith(".xlsx"):
            text += ".xlsx"
        return Path(text)

    def apply(self) -> Path:
        path = self.path()
        township = self._core.settings.township()
        done = self._core.commitments.export_sheets(
            path,
            self.year(),
            township=township.township_or_placeholder,
            committee=township.committee_or_placeholder,
            paper=self.paper(),
            today=self._today,
        )
        if done.cuts:
            # The file is written; the clerk must know which cells hold less than the program.
            show_info(self, "部分内容已截断", f"已导出：{path}\n\n{cut_cells_warning(list(done.cuts))}")
        return path


# ----- 结转 --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CarryRow:
    item: Commitment
    status: CommitmentStatus
    reason: str = ""  # for an item left out: why


class CarryTableModel(RowTableModel):
    columns = (
        Column("村（社区）", lambda r: r.item.unit_name),
        Column("序号", lambda r: r.item.number, alignment=ALIGN_CENTER),
        Column("承诺事项", lambda r: r.item.content, tooltip=lambda r: r.item.content),
        Column("年底状态", lambda r: r.status.label, alignment=ALIGN_CENTER),
        Column(
            "最新进度",
            lambda r: f"{r.item.latest_percent}%" if r.item.latest_percent is not None else "",
            alignment=ALIGN_CENTER,
        ),
    )


class LeftOutTableModel(RowTableModel):
    columns = (
        Column("村（社区）", lambda r: r.item.unit_name),
        Column("序号", lambda r: r.item.number, alignment=ALIGN_CENTER),
        Column("承诺事项", lambda r: r.item.content, tooltip=lambda r: r.item.content),
        Column("不结转的原因", lambda r: r.reason, tooltip=lambda r: r.reason, foreground=lambda r: LEFT_OUT_TEXT),
    )


class CarryOverDialog(ServiceDialog):
    """结转到下一年: lists exactly what will be copied (open at the year's end, not carried yet),
    and the open items left out with the reason (a village archived or merged since, an item
    carried before, the next year already holding the same item)."""

    ALL = "all"
    CONTENT_COLUMN = 2

    def __init__(self, core: Core, year: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core = core
        self.year = year
        self.setWindowTitle(f"结转到 {year + 1} 年")
        self.plan = core.commitments.carry_over_plan(year)
        self.scope_combo = QComboBox()
        self.scope_combo.addItem("全部村（社区）", self.ALL)
        units: dict[int, str] = {}
        for item in list(self.plan.carry) + [left.item for left in self.plan.left_out]:
            units.setdefault(item.unit_id, item.unit_name)
        for unit_id, name in units.items():
            self.scope_combo.addItem(name, unit_id)
        self.model = CarryTableModel(self)
        self.table = _read_only_table(self.model)
        self.left_model = LeftOutTableModel(self)
        self.left_table = _read_only_table(self.left_model)
        for table, stretch in ((self.table, self.CONTENT_COLUMN), (self.left_table, 3)):
            header = table.horizontalHeader()
            header.setStretchLastSection(False)
            header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.left_label = QLabel()
        self.left_label.setWordWrap(True)
        scope = QHBoxLayout()
        scope.addWidget(QLabel("结转范围"))
        scope.addWidget(self.scope_combo)
        scope.addStretch(1)
        self.button_box = make_button_box("结转")
        layout = QVBoxLayout(self)
        layout.addLayout(scope)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table, 2)
        layout.addWidget(self.left_label)
        layout.addWidget(self.left_table, 1)
        layout.addWidget(
            make_hint(
                f"结转会把上面的事项复制为 {year + 1} 年的事项（排在该村（社区）{year + 1} 年已有事项之后，"
                f"注明从 {year} 年结转）。{year} 年的原事项留在原年度，显示“已结转”，不再计为逾期；"
                f"在 {year} 年的完成率中仍按未完成计算（分母不变）。"
            )
        )
        layout.addWidget(self.button_box)
        self.resize(820, 560)
        self.scope_combo.currentIndexChanged.connect(self._show)
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)
        self._show()

    def unit_ids(self) -> list[int] | None:
        scope = self.scope_combo.currentData()
        return None if scope == self.ALL else [scope]

    def shown(self) -> list[Commitment]:
        wanted = self.unit_ids()
        return [item for item in self.plan.carry if wanted is None or item.unit_id in wanted]

    def shown_left_out(self) -> list:
        wanted = self.unit_ids()
        return [left for left in self.plan.left_out if wanted is None or left.item.unit_id in wanted]

    def _show(self) -> None:
        shown = self.shown()
        left = self.shown_left_out()
        end = date(self.year, 12, 31)
        self.model.set_rows(CarryRow(item, item.status_on(end)) for item in shown)
        self.left_model.set_rows(CarryRow(line.item, line.item.status_on(end), line.reason) for line in left)
        units = len({item.unit_id for item in shown})
        if shown:
            self.summary_label.setText(
                f"将把 {units} 个村（社区）的 <b>{len(shown)}</b> 项未完成事项结转到 {self.year + 1} 年："
            )
        else:
            self.summary_label.setText(f"{self.year} 年没有需要结转的事项（都已完成、取消或已结转）。")
        self.left_label.setText(
            f"<b>不结转 {len(left)} 项</b>（到 {self.year} 年底也未完成，原因如下）："
            if left
            else "没有被排除的未完成事项。"
        )
        self.left_table.setVisible(bool(left))
        ok = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(shown))
        ok.setText(f"结转 {len(shown)} 项" if shown else "结转")

    def apply(self):
        return self._core.commitments.carry_over(self.year, self.unit_ids(), expected=len(self.shown()))
