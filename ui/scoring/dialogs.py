"""Dialogs of the 观摩评比 tab: new round, round settings, scoring scheme, 加扣分, score import,
党委研究决定 on a flag-line tie."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lsb_desktop.changes import Changed
from lsb_desktop.domain.commitments import COMPLETION_COMPONENT, COMPLETION_CRITERION
from lsb_desktop.domain.period import QUARTER_NAMES, Period
from lsb_desktop.domain.points import parse_points
from lsb_desktop.domain.rounds import AdjustmentType, RoundDetail, RoundRules, RoundStatus
from lsb_desktop.domain.score_files import plain_points
from lsb_desktop.domain.scoring import (
    DEFAULT_SCHEME,
    BoundaryTie,
    Component,
    ComponentSource,
    Criterion,
    Scheme,
    TieMethod,
    TiePolicy,
)
from lsb_desktop.domain.text import clean
from lsb_desktop.errors import LsbError, ValidationError
from lsb_desktop.services.rounds import RoundDraft
from ui.widgets.dialogs import ServiceDialog, make_button_box, make_hint, make_warning
from ui.widgets.messages import show_error
from ui.widgets.table_model import Column, RowTableModel, preview_table

if TYPE_CHECKING:
    from lsb_desktop.core import Core

DEFAULT_TITLE = "村党组织书记“亮赛比”逐村观摩评比"
DATE_HINT = "观摩常在下个月进行，季度按评比的季度选"
TEMPLATE_HINT = "修改的是以后新建评比使用的方案，已建立的评比不受影响"
ROUND_SCHEME_HINT = "这是本次评比建立时复制的方案，评比中不能修改；以后的评比请修改方案模板"
FINAL_SETTINGS_HINT = "该评比已定稿，设置不能再修改"
CORRECTION_TITLE = "更正原因"
CORRECTION_LABEL = "该评比已定稿。修改需写明更正原因（记入审计记录，原结果保留）："
WARNING_STYLE = "color: #c05800; font-weight: bold;"
SOURCE_ROLE = Qt.ItemDataRole.UserRole + 1  # on a component item: ComponentSource value
# 每次由我决定 is stored as no policy: every boundary tie is put to the clerk.
TIE_POLICY_CHOICES = (
    ("并列的都给旗（增加旗数）", TiePolicy.EXTEND),
    ("按并列规则决定", TiePolicy.TIEBREAK),
    ("每次由我决定", None),
)
_JUDGE_SEPARATORS = re.compile(r"[\n\r、,，;；]+")


# ----- small questions ----------------------------------------------------------------------


def ask_text(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
    """One line of text from the clerk; None when cancelled."""
    value, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
    return value if ok else None


def ask_correction_reason(parent: QWidget | None) -> str | None:
    """The reason for changing a finalised round; None when cancelled or left empty."""
    value = ask_text(parent, CORRECTION_TITLE, CORRECTION_LABEL)
    return value.strip() if value and value.strip() else None


def split_judges(text: str) -> tuple[str, ...]:
    """Judges typed one per line, or separated by 、 or commas."""
    return tuple(name.strip() for name in _JUDGE_SEPARATORS.split(text or "") if name.strip())


def make_count_spin(value: int, maximum: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, max(0, maximum))
    spin.setValue(min(value, max(0, maximum)))
    spin.setSuffix(" 面")
    return spin


def make_flag_row(red: QSpinBox, black: QSpinBox) -> QHBoxLayout:
    """红旗 [n 面]   黑旗 [n 面], as both round dialogs show the flag counts."""
    row = QHBoxLayout()
    row.addWidget(QLabel("红旗"))
    row.addWidget(red)
    row.addSpacing(16)
    row.addWidget(QLabel("黑旗"))
    row.addWidget(black)
    row.addStretch(1)
    return row


def make_round_date_edit(day: date | None) -> QDateEdit:
    """A date that may be 未定: the minimum date stands for no date."""
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(QDate(2000, 1, 1))
    edit.setSpecialValueText("未定")
    edit.setDate(QDate(day) if day else edit.minimumDate())
    return edit


def round_date_of(edit: QDateEdit) -> date | None:
    return None if edit.date() == edit.minimumDate() else edit.date().toPython()


# ----- 新建评比 ----------------------------------------------------------------------------------


class _NewRoundDialogUi:
    def setup(self, dialog: QDialog, today: date, unit_count: int) -> None:
        self.year_combo = QComboBox()
        for year in range(today.year - 3, today.year + 2):
            self.year_combo.addItem(f"{year}年", year)
        self.quarter_combo = QComboBox()
        for number, name in QUARTER_NAMES.items():
            self.quarter_combo.addItem(name, number)
        period = QHBoxLayout()
        period.addWidget(self.year_combo)
        period.addWidget(self.quarter_combo)
        period.addStretch(1)
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText(DEFAULT_TITLE)
        self.date_edit = make_round_date_edit(today)
        self.date_hint = make_hint(DATE_HINT)
        self.judges_edit = QPlainTextEdit()
        self.judges_edit.setPlaceholderText("每行一位评委，也可以用“、”或逗号隔开，例如：\n王建国\n李秀英、张伟")
        self.judges_edit.setTabChangesFocus(True)
        self.judges_count = QLabel("已填 0 位评委")
        self.red_spin = make_count_spin(3, unit_count)
        self.black_spin = make_count_spin(3, unit_count)
        flags = make_flag_row(self.red_spin, self.black_spin)
        form = QFormLayout()
        form.addRow("评比季度", period)
        form.addRow("标题", self.title_edit)
        form.addRow("活动日期", self.date_edit)
        form.addRow("", self.date_hint)
        form.addRow("评委", self.judges_edit)
        form.addRow("", self.judges_count)
        form.addRow("旗数", flags)
        self.units_label = make_hint(
            f"参评单位：活动日期在册的村（社区）全部参加（现有 {unit_count} 个）；"
            "个别单位未观摩的，建立后在“参评单位与评委”中标记“本季度未观摩”。评分方案用方案模板。"
        )
        self.button_box = make_button_box("建立评比")
        layout = QVBoxLayout(dialog)
        layout.addLayout(form)
        layout.addWidget(self.units_label)
        layout.addWidget(self.button_box)
        dialog.setMinimumWidth(520)


class NewRoundDialog(ServiceDialog):
    """新建评比: quarter, title, date, judges and flag counts → `core.rounds.create_round`."""

    def __init__(self, core: Core, parent: QWidget | None = None, today: date | None = None) -> None:
        super().__init__(parent)
        self._core = core
        today = today or date.today()
        unit_count = len(core.villages.list_units(include_inactive=False))
        self.setWindowTitle("新建评比")
        self.ui = _NewRoundDialogUi()
        self.ui.setup(self, today, unit_count)
        current = Period.of(today)
        self.ui.year_combo.setCurrentIndex(self.ui.year_combo.findData(current.year))
        self.ui.quarter_combo.setCurrentIndex(self.ui.quarter_combo.findData(current.quarter))
        self.ui.judges_edit.textChanged.connect(self._count_judges)
        self.ui.button_box.accepted.connect(self.accept)
        self.ui.button_box.rejected.connect(self.reject)

    def period(self) -> Period:
        return Period(self.ui.year_combo.currentData(), self.ui.quarter_combo.currentData())

    def judges(self) -> tuple[str, ...]:
        return split_judges(self.ui.judges_edit.toPlainText())

    def _count_judges(self) -> None:
        count = len(self.judges())
        text = f"已填 {count} 位评委"
        if 0 < count < 5:
            text += "（不足 5 位时不去掉最高分、最低分，结果将标“评委不足”）"
        self.ui.judges_count.setText(text)

    def apply(self) -> Changed[RoundDetail]:
        ui = self.ui
        return self._core.rounds.create_round(
            RoundDraft(
                period=self.period(),
                title=ui.title_edit.text(),
                event_date=round_date_of(ui.date_edit),
                judges=self.judges(),
                red=ui.red_spin.value(),
                black=ui.black_spin.value(),
            )
        )


# ----- 评比设置 ----------------------------------------------------------------------------------


class _RoundSettingsDialogUi:
    def setup(self, dialog: QDialog, unit_count: int) -> None:
        self.title_edit = QLineEdit()
        self.date_edit = make_round_date_edit(None)
        self.red_spin = make_count_spin(0, unit_count)
        self.black_spin = make_count_spin(0, unit_count)
        flags = make_flag_row(self.red_spin, self.black_spin)
        self.drop_spin = QSpinBox()
        self.drop_spin.setRange(0, 5)
        self.drop_spin.setSuffix(" 个")
        self.minimum_spin = QSpinBox()
        self.minimum_spin.setRange(1, 99)
        self.minimum_spin.setSuffix(" 人")
        trim = QHBoxLayout()
        trim.addWidget(QLabel("去掉最高分、最低分各"))
        trim.addWidget(self.drop_spin)
        trim.addSpacing(16)
        trim.addWidget(QLabel("最少评委人数"))
        trim.addWidget(self.minimum_spin)
        trim.addStretch(1)
        self.tie_combo = QComboBox()
        for label, policy in TIE_POLICY_CHOICES:
            self.tie_combo.addItem(label, policy)
        self.chain_list = QListWidget()
        self.chain_list.setMaximumHeight(110)
        self.up_button = QPushButton("上移")
        self.down_button = QPushButton("下移")
        chain_buttons = QVBoxLayout()
        chain_buttons.addWidget(self.up_button)
        chain_buttons.addWidget(self.down_button)
        chain_buttons.addStretch(1)
        chain = QHBoxLayout()
        chain.addWidget(self.chain_list, 1)
        chain.addLayout(chain_buttons)
        self.veto_black_check = QCheckBox("一票否决的单位给黑旗")
        self.veto_last_check = QCheckBox("一票否决的单位排在最后")
        form = QFormLayout()
        form.addRow("标题", self.title_edit)
        form.addRow("活动日期", self.date_edit)
        form.addRow("旗数", flags)
        form.addRow("去高去低", trim)
        form.addRow("旗位并列时", self.tie_combo)
        form.addRow("并列规则", chain)
        form.addRow("", make_hint("综合得分相同时，依次比较勾选的项目得分（高者在前）；不勾选则名次并列"))
        form.addRow("一票否决", self.veto_black_check)
        form.addRow("", self.veto_last_check)
        self.final_label = make_warning(FINAL_SETTINGS_HINT)
        self.button_box = make_button_box("保存")
        layout = QVBoxLayout(dialog)
        layout.addWidget(self.final_label)
        layout.addLayout(form)
        layout.addWidget(self.button_box)
        dialog.setMinimumWidth(520)


class RoundSettingsDialog(ServiceDialog):
    """评比设置: title, date, flag counts and the rules → `core.rounds.update_round`."""

    def __init__(self, core: Core, detail: RoundDetail, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core = core
        self.detail = detail
        self.setWindowTitle(f"评比设置：{detail.summary.label}")
        self.ui = _RoundSettingsDialogUi()
        self.ui.setup(self, len(detail.units))
        self._fill(detail)
        final = detail.status is RoundStatus.FINAL
        self.ui.final_label.setVisible(final)
        for widget in (
            self.ui.title_edit,
            self.ui.date_edit,
            self.ui.red_spin,
            self.ui.black_spin,
            self.ui.drop_spin,
            self.ui.minimum_spin,
            self.ui.tie_combo,
            self.ui.chain_list,
            self.ui.up_button,
            self.ui.down_button,
            self.ui.veto_black_check,
            self.ui.veto_last_check,
        ):
            widget.setEnabled(not final)
        self.ui.button_box.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not final)
        self.ui.up_button.clicked.connect(lambda: self.move_chain_item(-1))
        self.ui.down_button.clicked.connect(lambda: self.move_chain_item(1))
        self.ui.button_box.accepted.connect(self.accept)
        self.ui.button_box.rejected.connect(self.reject)

    def _fill(self, detail: RoundDetail) -> None:
        ui, rules = self.ui, detail.rules
        ui.title_edit.setText(detail.summary.title)
        if detail.summary.event_date:
            ui.date_edit.setDate(QDate(detail.summary.event_date))
        ui.red_spin.setValue(rules.red)
        ui.black_spin.setValue(rules.black)
        ui.drop_spin.setValue(rules.trim_drop)
        ui.minimum_spin.setValue(rules.trim_minimum)
        ui.tie_combo.setCurrentIndex(next(i for i, (_, p) in enumerate(TIE_POLICY_CHOICES) if p is rules.tie_policy))
        names = list(rules.tiebreak) + [c.name for c in detail.scheme.components if c.name not in rules.tiebreak]
        for name in names:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in rules.tiebreak else Qt.CheckState.Unchecked)
            ui.chain_list.addItem(item)
        ui.veto_black_check.setChecked(rules.veto_black)
        ui.veto_last_check.setChecked(rules.veto_last)

    def chain(self) -> tuple[str, ...]:
        items = (self.ui.chain_list.item(i) for i in range(self.ui.chain_list.count()))
        return tuple(item.text() for item in items if item.checkState() == Qt.CheckState.Checked)

    def move_chain_item(self, direction: int) -> None:
        chain = self.ui.chain_list
        row = chain.currentRow()
        target = row + direction
        if row < 0 or not 0 <= target < chain.count():
            return
        item = chain.takeItem(row)
        chain.insertItem(target, item)
        chain.setCurrentRow(target)

    def rules(self) -> RoundRules:
        ui = self.ui
        return RoundRules(
            red=ui.red_spin.value(),
            black=ui.black_spin.value(),
            trim_drop=ui.drop_spin.value(),
            trim_minimum=ui.minimum_spin.value(),
            tie_policy=ui.tie_combo.currentData(),
            tiebreak=self.chain(),
            veto_last=ui.veto_last_check.isChecked(),
            veto_black=ui.veto_black_check.isChecked(),
        )

    def apply(self) -> Changed[RoundDetail]:
        return self._core.rounds.update_round(
            self.detail.id,
            title=self.ui.title_edit.text(),
            event_date=round_date_of(self.ui.date_edit),
            rules=self.rules(),
        )


# ----- 评分方案 ----------------------------------------------------------------------------------

NAME_COLUMN, WEIGHT_COLUMN, MAX_COLUMN = 0, 1, 2


class _SchemeDelegate(QStyledItemDelegate):
    """Only 名称 and 权重 of a component, 名称 and 满分 of a criterion can be typed."""

    def __init__(self, dialog: SchemeDialog) -> None:
        super().__init__(dialog)
        self._dialog = dialog

    def createEditor(self, parent, option, index):
        if self._dialog.read_only:
            return None
        is_component = not index.parent().isValid()
        allowed = (NAME_COLUMN, WEIGHT_COLUMN) if is_component else (NAME_COLUMN, MAX_COLUMN)
        if not is_component and index.parent().data(SOURCE_ROLE) == ComponentSource.COMMITMENTS.value:
            allowed = (MAX_COLUMN,)  # the one criterion of 承诺完成 keeps its name
        return super().createEditor(parent, option, index) if index.column() in allowed else None


class _SchemeDialogUi:
    def setup(self, dialog: QDialog, read_only: bool) -> None:
        self.hint_label = make_hint("")
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["名称", "权重", "满分"])
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setStretchLastSection(False)
        self.tree.setColumnWidth(WEIGHT_COLUMN, 90)
        self.tree.setColumnWidth(MAX_COLUMN, 110)
        self.tree.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.add_component_button = QPushButton("添加项目")
        self.add_criterion_button = QPushButton("添加指标")
        self.add_commitments_button = QPushButton("添加“承诺完成”项目")
        self.add_commitments_button.setToolTip(
            "得分 = 该村（社区）本年度承诺事项到本季度末的完成率 × 满分，自动计算，评委不打分"
        )
        self.remove_button = QPushButton("删除")
        self.up_button = QPushButton("上移")
        self.down_button = QPushButton("下移")
        self.default_button = QPushButton("恢复默认方案")
        buttons = QHBoxLayout()
        for button in (
            self.add_component_button,
            self.add_criterion_button,
            self.add_commitments_button,
            self.remove_button,
            self.up_button,
            self.down_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.default_button)
        self.total_label = QLabel()
        self.total_label.setWordWrap(True)
        self.button_box = make_button_box("保存方案")
        if read_only:
            self.button_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
            self.button_box.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        layout = QVBoxLayout(dialog)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.tree, 1)
        if not read_only:
            layout.addLayout(buttons)
        layout.addWidget(self.total_label)
        layout.addWidget(self.button_box)
        dialog.resize(560, 520)


class SchemeDialog(ServiceDialog):
    """评分方案: components with a weight, criteria with their maximum points.

    Editing the template (`detail` None) saves through `save_scheme_template`; a round's own
    scheme (`detail` given) is shown read-only, since a round keeps the copy it was made with."""

    def __init__(self, core: Core, detail: RoundDetail | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core = core
        self.detail = detail
        self.read_only = detail is not None
        self.ui = _SchemeDialogUi()
        self.ui.setup(self, self.read_only)
        self.ui.tree.setItemDelegate(_SchemeDelegate(self))
        if self.read_only:
            self.setWindowTitle(f"评分方案：{detail.summary.label}")
            self.ui.hint_label.setText(ROUND_SCHEME_HINT)
            self.set_scheme(detail.scheme)
            self.ui.button_box.rejected.connect(self.reject)
        else:
            self.setWindowTitle("评分方案模板")
            self.ui.hint_label.setText(TEMPLATE_HINT)
            self.ui.hint_label.setStyleSheet("color: #0d47a1; font-weight: bold;")
            self.set_scheme(core.rounds.scheme_template())
            self.ui.button_box.accepted.connect(self.accept)
            self.ui.button_box.rejected.connect(self.reject)
        self.ui.tree.itemChanged.connect(self._update_totals)
        self.ui.add_component_button.clicked.connect(self.add_component)
        self.ui.add_criterion_button.clicked.connect(self.add_criterion)
        self.ui.add_commitments_button.clicked.connect(self.add_commitments_component)
        self.ui.remove_button.clicked.connect(self.remove_selected)
        self.ui.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.ui.down_button.clicked.connect(lambda: self.move_selected(1))
        self.ui.default_button.clicked.connect(lambda: self.set_scheme(DEFAULT_SCHEME))

    # ----- the tree ----------------------------------------------------------------------------

    def _item(self, texts: list[str]) -> QTreeWidgetItem:
        item = QTreeWidgetItem(texts)
        if not self.read_only:
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        for column in (WEIGHT_COLUMN, MAX_COLUMN):
            item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return item

    def set_scheme(self, scheme: Scheme) -> None:
        tree = self.ui.tree
        tree.blockSignals(True)
        tree.clear()
        for component in scheme.components:
            parent = self._item([component.name, plain_points(component.weight), ""])
            for criterion in component.criteria:
                parent.addChild(self._item([criterion.name, "", plain_points(criterion.max_points)]))
            if not component.judged:
                self._mark_computed(parent)
            tree.addTopLevelItem(parent)
            parent.setExpanded(True)
        tree.blockSignals(False)
        self._update_totals()

    def component_items(self) -> list[QTreeWidgetItem]:
        return [self.ui.tree.topLevelItem(i) for i in range(self.ui.tree.topLevelItemCount())]

    def add_component(self) -> QTreeWidgetItem:
        item = self._item([f"新项目{self.ui.tree.topLevelItemCount() + 1}", "0.1", ""])
        item.addChild(self._item(["新指标", "", "10"]))
        self.ui.tree.addTopLevelItem(item)
        item.setExpanded(True)
        self.ui.tree.setCurrentItem(item)
        self._update_totals()
        return item

    @staticmethod
    def _mark_computed(item: QTreeWidgetItem) -> None:
        item.setData(NAME_COLUMN, SOURCE_ROLE, ComponentSource.COMMITMENTS.value)
        tip = "按承诺事项完成率自动计算：得分 = 完成率 × 满分（完成率 = 已完成 ÷（全部 − 已取消），算到本季度末）"
        for target in (item, *(item.child(i) for i in range(item.childCount()))):
            target.setToolTip(NAME_COLUMN, tip)
            target.setForeground(NAME_COLUMN, QColor("#6a1b9a"))
        if item.childCount():
            item.child(0).setText(NAME_COLUMN, COMPLETION_CRITERION)

    def add_commitments_component(self) -> QTreeWidgetItem | None:
        if any(i.data(NAME_COLUMN, SOURCE_ROLE) == ComponentSource.COMMITMENTS.value for i in self.component_items()):
            show_error(self, ValidationError("评分方案中已经有按承诺完成率计算的项目了"))
            return None
        item = self._item([COMPLETION_COMPONENT, "0.1", ""])
        item.addChild(self._item([COMPLETION_CRITERION, "", "100"]))
        self._mark_computed(item)
        self.ui.tree.addTopLevelItem(item)
        item.setExpanded(True)
        self.ui.tree.setCurrentItem(item)
        self._update_totals()
        return item

    def add_criterion(self) -> QTreeWidgetItem | None:
        current = self.ui.tree.currentItem()
        parent = None
        if current is not None:
            parent = current.parent() if current.parent() is not None else current
        if parent is None:
            components = self.component_items()
            if not components:
                return None
            parent = components[-1]
        if parent.data(NAME_COLUMN, SOURCE_ROLE) == ComponentSource.COMMITMENTS.value:
            show_error(self, ValidationError("“承诺完成”按完成率自动计算，只有一个指标，不能再添加"))
            return None
        item = self._item(["新指标", "", "10"])
        parent.addChild(item)
        parent.setExpanded(True)
        self.ui.tree.setCurrentItem(item)
        self._update_totals()
        return item

    def remove_selected(self) -> None:
        item = self.ui.tree.currentItem()
        if item is None:
            return
        parent = item.parent()
        if parent is None:
            self.ui.tree.takeTopLevelItem(self.ui.tree.indexOfTopLevelItem(item))
        else:
            parent.removeChild(item)
        self._update_totals()

    def move_selected(self, direction: int) -> None:
        tree = self.ui.tree
        item = tree.currentItem()
        if item is None:
            return
        parent = item.parent()
        if parent is None:
            row = tree.indexOfTopLevelItem(item)
            target = row + direction
            if not 0 <= target < tree.topLevelItemCount():
                return
            expanded = item.isExpanded()
            tree.takeTopLevelItem(row)
            tree.insertTopLevelItem(target, item)
            item.setExpanded(expanded)
        else:
            row = parent.indexOfChild(item)
            target = row + direction
            if not 0 <= target < parent.childCount():
                return
            parent.takeChild(row)
            parent.insertChild(target, item)
        tree.setCurrentItem(item)

    # ----- totals and the scheme ------------------------------------------------------------------

    def _update_totals(self, *args) -> None:
        tree = self.ui.tree
        tree.blockSignals(True)
        weights: list[Decimal] = []
        problems: list[str] = []
        for component in self.component_items():
            name = clean(component.text(NAME_COLUMN))
            total = Decimal(0)
            for index in range(component.childCount()):
                try:
                    total += parse_points(component.child(index).text(MAX_COLUMN), "满分")
                except ValidationError:
                    problems.append(f"“{clean(component.child(index).text(NAME_COLUMN))}”的满分不是数字")
            component.setText(MAX_COLUMN, f"合计 {plain_points(total)}")
            off = total != 100
            component.setForeground(MAX_COLUMN, QColor("#c05800") if off else QColor("#000000"))
            component.setToolTip(MAX_COLUMN, "各指标满分之和（通常为 100 分）")
            try:
                weights.append(Decimal(clean(component.text(WEIGHT_COLUMN))))
            except InvalidOperation:
                problems.append(f"“{name}”的权重不是数字")
        tree.blockSignals(False)
        weight_total = sum(weights, Decimal(0))
        lines = [f"权重合计：{plain_points(weight_total)}"]
        warn = bool(problems) or weight_total != 1
        if weight_total != 1:
            lines.append(
                f"各项目权重合计为 {plain_points(weight_total)}，不等于 1。综合得分 = Σ（项目得分 × 权重），"
                "请确认这是有意的（例如两部分直接相加时权重都填 1）。"
            )
        lines.extend(problems)
        self.ui.total_label.setText("\n".join(lines))
        self.ui.total_label.setStyleSheet(WARNING_STYLE if warn else "color: #2e6b30;")
        self.weights_warning = weight_total != 1

    def scheme(self) -> Scheme:
        components = []
        for item in self.component_items():
            name = clean(item.text(NAME_COLUMN))
            try:
                weight = Decimal(clean(item.text(WEIGHT_COLUMN)))
            except InvalidOperation:
                raise ValidationError(f"“{name}”的权重“{item.text(WEIGHT_COLUMN)}”不是数字") from None
            criteria = tuple(
                Criterion(
                    item.child(i).text(NAME_COLUMN),
                    parse_points(item.child(i).text(MAX_COLUMN), f"“{clean(item.child(i).text(NAME_COLUMN))}”的满分"),
                )
                for i in range(item.childCount())
            )
            source = ComponentSource(item.data(NAME_COLUMN, SOURCE_ROLE) or ComponentSource.JUDGES.value)
            components.append(Component(name, weight, criteria, source))
        return Scheme(tuple(components))

    def apply(self) -> Changed[Scheme]:
        if self.read_only:
            raise ValidationError(ROUND_SCHEME_HINT)
        return self._core.rounds.save_scheme_template(self.scheme())


# ----- 加分 / 扣分 / 一票否决 --------------------------------------------------------------------

_ADJUSTMENT_HINTS = {
    AdjustmentType.BONUS: "加分计入综合得分，须写明理由（如：获市级表彰）",
    AdjustmentType.DEDUCTION: "扣分从综合得分中减去，须写明理由（如：材料迟报）",
    AdjustmentType.VETO: "一票否决的单位不能得红旗，按评比设置排在最后并给黑旗，须写明理由（如：发生重大安全事故）",
}


class _AdjustmentDialogUi:
    def setup(self, dialog: QDialog, kind: AdjustmentType, final: bool) -> None:
        self.unit_combo = QComboBox()
        self.amount_edit = QLineEdit()
        self.amount_edit.setPlaceholderText("例如：2 或 0.5")
        self.reason_edit = QLineEdit()
        self.correction_edit = QLineEdit()
        self.correction_edit.setPlaceholderText("已定稿的评比须写明更正原因")
        form = QFormLayout()
        form.addRow("村（社区）", self.unit_combo)
        if kind is not AdjustmentType.VETO:
            form.addRow("分值", self.amount_edit)
        form.addRow("理由（必填）", self.reason_edit)
        if final:
            form.addRow("更正原因（必填）", self.correction_edit)
        self.hint_label = make_hint(_ADJUSTMENT_HINTS[kind])
        self.button_box = make_button_box(kind.label)
        layout = QVBoxLayout(dialog)
        layout.addLayout(form)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.button_box)
        dialog.setMinimumWidth(440)


class AdjustmentDialog(ServiceDialog):
    """添加加分 / 添加扣分 / 一票否决 for one unit, with its reason."""

    def __init__(
        self,
        core: Core,
        detail: RoundDetail,
        kind: AdjustmentType,
        unit_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._core = core
        self.detail = detail
        self.kind = kind
        self.final = detail.status is RoundStatus.FINAL
        self.setWindowTitle(f"{'添加' if kind is not AdjustmentType.VETO else ''}{kind.label}")
        self.ui = _AdjustmentDialogUi()
        self.ui.setup(self, kind, self.final)
        for unit in detail.units:
            if unit.visited:
                self.ui.unit_combo.addItem(f"{unit.name}（{unit.district}）" if unit.district else unit.name, unit.id)
        if unit_id is not None and self.ui.unit_combo.findData(unit_id) >= 0:
            self.ui.unit_combo.setCurrentIndex(self.ui.unit_combo.findData(unit_id))
        self.ui.button_box.accepted.connect(self.accept)
        self.ui.button_box.rejected.connect(self.reject)

    def apply(self):
        unit_id = self.ui.unit_combo.currentData()
        if unit_id is None:
            raise ValidationError("没有可以选择的村（社区）")
        amount = None if self.kind is AdjustmentType.VETO else self.ui.amount_edit.text()
        if amount is not None and not clean(amount):
            raise ValidationError(f"请填写{self.kind.label}的分值")
        return self._core.rounds.add_adjustment(
            self.detail.id,
            unit_id,
            self.kind,
            amount,
            self.ui.reason_edit.text(),
            self.ui.correction_edit.text() if self.final else "",
        )


# ----- 导入评分 ----------------------------------------------------------------------------------


class ImportProblemModel(RowTableModel):
    columns = (
        Column("位置", lambda p: p.where()),
        Column("问题", lambda p: p.message, tooltip=lambda p: p.message, foreground=lambda p: QColor("#b71c1c")),
    )


class ImportWarningModel(RowTableModel):
    columns = (
        Column("提醒（不影响导入，请核对）", lambda w: w, tooltip=lambda w: w, foreground=lambda w: QColor("#8a4b00")),
    )


class ScoreImportDialog(QDialog):
    """导入评分: every problem shown before anything is written; 导入 only when there is none,
    and then all the scores go in at once (`core.rounds.apply_import`)."""

    def __init__(
        self, core: Core, detail: RoundDetail, paths: Sequence[str | Path], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._core = core
        self.detail = detail
        self.paths = [Path(p) for p in paths]
        self.preview = None
        self.import_result = None
        self.final = detail.status is RoundStatus.FINAL
        names = "、".join(p.name for p in self.paths)
        self.setWindowTitle(f"导入评分 — {names}")
        layout = QVBoxLayout(self)
        self.files_label = make_hint(f"文件：{names}")
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.problem_model = ImportProblemModel(self)
        self.warning_model = ImportWarningModel(self)
        self.problem_view = preview_table(self.problem_model)
        self.warning_view = preview_table(self.warning_model)
        self.warning_view.setMaximumHeight(140)
        self.correction_edit = QLineEdit()
        self.correction_edit.setPlaceholderText("已定稿的评比导入评分须写明更正原因")
        layout.addWidget(self.files_label)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.problem_view, 1)
        layout.addWidget(self.warning_view)
        if self.final:
            form = QFormLayout()
            form.addRow("更正原因（必填）", self.correction_edit)
            layout.addLayout(form)
        buttons = QDialogButtonBox(self)
        self.reload_button = buttons.addButton("重新读取文件", QDialogButtonBox.ButtonRole.ActionRole)
        self.import_button = buttons.addButton("导入", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.reload_button.clicked.connect(self.refresh)
        buttons.accepted.connect(self.do_import)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(820, 560)
        self.refresh()

    def refresh(self) -> None:
        try:
            self.preview = self._core.rounds.preview_import(self.detail.id, self.paths)
        except LsbError as exc:
            self.preview = None
            self.problem_model.set_rows([])
            self.warning_model.set_rows([])
            self.summary_label.setText(f"<span style='color:#b71c1c'><b>{exc.message}</b></span>")
            self.import_button.setEnabled(False)
            return
        preview = self.preview
        self.problem_model.set_rows(preview.problems)
        self.warning_model.set_rows(preview.warnings)
        self.problem_view.setVisible(bool(preview.problems))
        self.warning_view.setVisible(bool(preview.warnings))
        counts = (
            f"新增 {preview.count_new} 个分数，修改 {preview.count_changed} 个，"
            f"与已录入相同 {preview.count_unchanged} 个。"
        )
        if preview.problems:
            text = (
                f"<span style='color:#b71c1c'><b>发现 {len(preview.problems)} 个问题，请在 Excel 中改正后点"
                "“重新读取文件”。改正前不会导入任何分数。</b></span>"
            )
        elif preview.ok:
            text = f"<b>可以导入：</b>{counts}"
        else:
            text = "<b>文件中没有可导入的分数。</b>"
        if preview.warnings:
            text += f"<br><span style='color:#8a4b00'>有 {len(preview.warnings)} 条提醒，请核对后再导入。</span>"
        if preview.notes:
            # Every sheet is accounted for: read (with its count), empty, or left out and why.
            text += "<br><span style='color:#444'>" + "<br>".join(html.escape(n) for n in preview.notes) + "</span>"
        self.summary_label.setText(text)
        self.import_button.setEnabled(bool(preview.ok))

    def do_import(self) -> None:
        if self.preview is None or not self.preview.ok:
            return
        try:
            self.import_result = self._core.rounds.apply_import(
                self.preview, self.correction_edit.text() if self.final else ""
            )
        except LsbError as exc:
            show_error(self, exc)
            self.refresh()
            return
        self.accept()


# ----- 党委研究决定 ------------------------------------------------------------------------------


class CommitteeDecisionDialog(ServiceDialog):
    """党委研究决定 on one tie across a flag line: which of the tied units get the flags (exactly
    as many as there are flags to give), and the reason; saved through `core.rounds.decide_tie`."""

    def __init__(self, core: Core, round_id: int, tie: BoundaryTie, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core, self._round_id, self._tie = core, round_id, tie
        self.setWindowTitle("党委研究决定")
        intro = QLabel(
            f"第 {tie.rank} 名并列的{'、'.join(tie.units)}争 {tie.places} 面{tie.flag.label}。"
            f"请勾选党委研究决定给{tie.flag.label}的 {tie.places} 个单位："
        )
        intro.setWordWrap(True)
        self.unit_boxes = [QCheckBox(name) for name in tie.units]
        self.count_label = QLabel()
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("例如：2025年4月22日党委会研究，按群众满意度测评结果决定")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        for box in self.unit_boxes:
            box.toggled.connect(self._count)
            layout.addWidget(box)
        layout.addWidget(self.count_label)
        form = QFormLayout()
        form.addRow("理由（必填）", self.reason_edit)
        layout.addLayout(form)
        layout.addWidget(make_hint("决定记入审计记录，并写在得分汇总表的备注中"))
        self.buttons = make_button_box("保存决定")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 32)
        self._count()

    def chosen(self) -> tuple[str, ...]:
        return tuple(box.text() for box in self.unit_boxes if box.isChecked())

    def _count(self) -> None:
        picked = len(self.chosen())
        ok = picked == self._tie.places
        self.count_label.setText(f"已选 {picked} 个，应选 {self._tie.places} 个")
        self.count_label.setStyleSheet("" if ok else WARNING_STYLE)

    def apply(self):
        return self._core.rounds.decide_tie(
            self._round_id, self._tie, TieMethod.COMMITTEE, self.chosen(), self.reason_edit.text()
        )
