"""Dialogs of the 五星创建 tab: record a step, 降星/撤星, take back a step, the year's targets,
the plan import preview and the export of the 五星创建进度表."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lsb_desktop.domain.period import year_day
from lsb_desktop.domain.stars import (
    TARGET_LABELS,
    TARGET_LEVELS,
    LossKind,
    StarCell,
    StarStep,
    Targets,
    YearSummary,
)
from lsb_desktop.domain.text import clean_text, cut_cells_warning, noting_cut_cells
from lsb_desktop.errors import LsbError, ValidationError
from ui.widgets.dialogs import ServiceDialog, date_of, make_button_box, make_date_edit, make_hint, make_warning
from ui.widgets.folders import browse_save_path, remember_folder, suggested_path
from ui.widgets.messages import show_error
from ui.widgets.table_model import ALIGN_CENTER, Column, RowTableModel

if TYPE_CHECKING:
    from lsb_desktop.core import Core

LEVEL_TITLES = TARGET_LABELS  # 三星及以上, 四星及以上, 五星: the same words as the sheet
PROBLEM_COLOUR = QColor("#b71c1c")
XLSX_FILTER = "Excel 工作簿 (*.xlsx)"
PAPERS = (("A4", "A4 横向"), ("A3", "A3 横向"))
NOTE_LABEL, REASON_LABEL = "备注", "原因（必填）"
NOTE_PLACEHOLDER = "例如：镇党委会议研究通过；县委组织部文件号（可不填）"
REASON_PLACEHOLDER = "例如：村集体经济收入未达到申报标准；县委组织部实地核查意见"
LOSS_HINTS = {
    LossKind.DOWNGRADE: "降星：考核不达标等原因，按规定降低星级，这颗星不再计入",
    LossKind.REVOKE: "撤星：发生安全事故、违纪违法等问题，撤销已命名的星",
}


def default_day(year: int, after: date | None = None, today: date | None = None) -> date:
    """A sensible date for something recorded in `year`: the day that stands for the year
    (`year_day`); never before `after` (the previous step)."""
    day = year_day(year, today or date.today())
    if after is not None and day < after:
        day = after
    return day


def next_step(cell: StarCell) -> StarStep | None:
    """The step to record next, or None when the cell cannot go on (命名 reached, 未通过)."""
    reached = cell.reached
    if reached is None:
        return StarStep.DECLARED
    if not reached.passed or reached.step is StarStep.NAMED:
        return None
    return list(StarStep)[reached.step.index + 1]


def required_text(text: str, what: str) -> str:
    value = clean_text(text)
    if not value:
        raise ValidationError(f"请填写{what}")
    return value


class _CellDialog(ServiceDialog):
    """A dialog about one unit's star in one year, with its title line on top."""

    def __init__(self, core: Core, unit_name: str, cell: StarCell, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core = core
        self.unit_name = unit_name
        self.cell = cell
        self.heading = QLabel(f"<b>{unit_name}</b>　{cell.star}（{cell.year}年）")
        self.form = QFormLayout()
        self.button_box = make_button_box()
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.form)
        self.hint_label = make_hint("")
        self.hint_label.hide()
        layout.addWidget(self.hint_label)
        layout.addWidget(self.button_box)
        self.setMinimumWidth(440)

    def set_hint(self, text: str) -> None:
        self.hint_label.setText(text)
        self.hint_label.setVisible(bool(text))


# ----- 记录步骤 ------------------------------------------------------------------------------


class StepDialog(_CellDialog):
    """Record the next step of the year: passed (通过) or 未通过, its date and a note."""

    def __init__(
        self,
        core: Core,
        unit_name: str,
        cell: StarCell,
        passed: bool = True,
        parent: QWidget | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__(core, unit_name, cell, parent)
        step = next_step(cell)
        if step is None:
            raise ValueError("no step left to record")
        self.step = step
        self.setWindowTitle(f"记录{'创建' if passed else '未通过'}步骤：{unit_name} {cell.star}")
        done = " → ".join(
            f"{s.step.label}（{s.on.isoformat()}）" for s in sorted(cell.steps, key=lambda s: s.step.index)
        )
        self.step_label = QLabel(f"<b>{self.step.label}</b>")
        self.passed_radio = QRadioButton("通过")
        self.failed_radio = QRadioButton("未通过")
        self.result_group = QButtonGroup(self)
        self.result_group.addButton(self.passed_radio)
        self.result_group.addButton(self.failed_radio)
        (self.passed_radio if passed else self.failed_radio).setChecked(True)
        result_row = QHBoxLayout()
        result_row.addWidget(self.passed_radio)
        result_row.addWidget(self.failed_radio)
        result_row.addStretch(1)
        last = max((s.on for s in cell.steps), default=None)
        self.date_edit = make_date_edit(default_day(cell.year, last, today))
        self.note_edit = QLineEdit()
        self.note_label = QLabel(NOTE_LABEL)
        self.form.addRow("已完成", QLabel(done or "（本年尚无记录）"))
        self.form.addRow("本次步骤", self.step_label)
        self.form.addRow("结果", result_row)
        self.form.addRow("日期", self.date_edit)
        self.form.addRow(self.note_label, self.note_edit)
        self.failed_radio.toggled.connect(self._explain)
        self._explain()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self.passed:
            self.note_edit.setFocus()  # the reason is what she has to type

    def _explain(self) -> None:
        failed = self.failed_radio.isChecked()
        # 未通过 ends the star's year: its reason is required, and the field says so.
        self.note_label.setText(REASON_LABEL if failed else NOTE_LABEL)
        self.note_edit.setPlaceholderText(REASON_PLACEHOLDER if failed else NOTE_PLACEHOLDER)
        if failed:
            self.set_hint(
                f"记为“{self.step.label}未通过”后，本年这颗星的创建到此结束，不再计入本年可达到的目标"
                "（可“撤回最近一步”更正）。原因记入操作日志，并显示在创建步骤中。"
            )
        elif self.step is StarStep.NAMED:
            self.set_hint("记录“命名”后，这颗星计入星级，直到降星或撤星。")
        else:
            self.set_hint("")

    @property
    def passed(self) -> bool:
        return self.passed_radio.isChecked()

    def apply(self) -> StarCell:
        cell = self.cell
        note = self.note_edit.text()
        if not self.passed:
            note = required_text(note, f"“{self.step.label}”未通过的原因")
        return self._core.stars.record_step(
            cell.unit_id, cell.year, cell.star, self.step, self.passed, date_of(self.date_edit), note
        )


# ----- 撤回最近一步 ------------------------------------------------------------------------------


class UndoStepDialog(_CellDialog):
    """Take back the latest step of the year; a correction, so a reason is required."""

    def __init__(self, core: Core, unit_name: str, cell: StarCell, parent: QWidget | None = None) -> None:
        super().__init__(core, unit_name, cell, parent)
        reached = cell.reached
        if reached is None:
            raise ValueError("no step to take back")
        self.setWindowTitle(f"撤回最近一步：{unit_name} {cell.star}")
        result = "通过" if reached.passed else "未通过"
        self.step_label = QLabel(f"<b>{reached.step.label}</b>（{reached.on.isoformat()}，{result}）")
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("例如：日期录入错误；县评定结果尚未正式下达")
        self.form.addRow("撤回的步骤", self.step_label)
        self.form.addRow("原因（必填）", self.reason_edit)
        self.button_box.button(QDialogButtonBox.StandardButton.Ok).setText("撤回")
        self.set_hint("撤回会记入操作日志，原记录可在日志中查到。")

    def apply(self) -> StarCell:
        reason = required_text(self.reason_edit.text(), "撤回的原因")
        cell = self.cell
        return self._core.stars.undo_step(cell.unit_id, cell.year, cell.star, reason)


# ----- 降星 / 撤星 -------------------------------------------------------------------------------


class LossDialog(_CellDialog):
    """降星 or 撤星 of a star held, with its date and a reason (required)."""

    def __init__(
        self, core: Core, unit_name: str, cell: StarCell, parent: QWidget | None = None, today: date | None = None
    ) -> None:
        super().__init__(core, unit_name, cell, parent)
        self.setWindowTitle(f"降星/撤星：{unit_name} {cell.star}")
        self.kind_combo = QComboBox()
        for kind in LossKind:
            self.kind_combo.addItem(kind.label, kind)
        self.date_edit = make_date_edit(default_day(cell.year, today=today))
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setPlaceholderText("例如：2024年5月发生较大安全生产事故，经县委组织部研究撤销该星")
        self.reason_edit.setFixedHeight(self.reason_edit.fontMetrics().height() * 4)
        self.form.addRow("方式", self.kind_combo)
        self.form.addRow("日期", self.date_edit)
        self.form.addRow("原因（必填）", self.reason_edit)
        self.warning_label = make_warning(f"{cell.star}将从该日起不再计入星级；这颗星的历史记录保留。")
        self.form.addRow(self.warning_label)
        self.button_box.button(QDialogButtonBox.StandardButton.Ok).setText("确定降星/撤星")
        self.kind_combo.currentIndexChanged.connect(lambda _: self.set_hint(LOSS_HINTS[self.kind]))
        self.set_hint(LOSS_HINTS[self.kind])

    @property
    def kind(self) -> LossKind:
        return self.kind_combo.currentData()

    def apply(self) -> StarCell:
        reason = required_text(self.reason_edit.toPlainText(), f"{self.kind.label}的原因")
        cell = self.cell
        return self._core.stars.lose_star(cell.unit_id, cell.star, self.kind, date_of(self.date_edit), reason)


class UndoLossDialog(_CellDialog):
    """Take back a 降星/撤星 recorded by mistake; a correction, so a reason is required."""

    def __init__(self, core: Core, unit_name: str, cell: StarCell, parent: QWidget | None = None) -> None:
        super().__init__(core, unit_name, cell, parent)
        loss = cell.loss
        if loss is None:
            raise ValueError("no loss to take back")
        self.setWindowTitle(f"撤销{loss.kind.label}：{unit_name} {cell.star}")
        self.form.addRow("撤销的记录", QLabel(f"<b>{loss.kind.label}</b>（{loss.on.isoformat()}）：{loss.reason}"))
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("例如：误录，该村并未被降星")
        self.form.addRow("原因（必填）", self.reason_edit)
        self.button_box.button(QDialogButtonBox.StandardButton.Ok).setText("撤销")
        self.set_hint("撤销后这颗星恢复为持有；撤销会记入操作日志。")

    def apply(self) -> StarCell:
        reason = required_text(self.reason_edit.text(), "撤销的原因")
        return self._core.stars.undo_loss(self.cell.loss.id, reason)


# ----- 目标设置 ----------------------------------------------------------------------------------


class TargetsDialog(ServiceDialog):
    """A year's targets as cumulative shares: 三星及以上 ≥ 四星及以上 ≥ 五星; 0 = no target."""

    def __init__(self, core: Core, year: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core = core
        self.setWindowTitle("五星创建目标设置")
        self.year_spin = QSpinBox()
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setValue(year)
        self.year_spin.setSuffix(" 年")
        self.spins: dict[int, QDoubleSpinBox] = {}
        form = QFormLayout()
        form.addRow("年度", self.year_spin)
        for level in TARGET_LEVELS:
            spin = QDoubleSpinBox()
            spin.setRange(0, 100)
            spin.setDecimals(1)
            spin.setSingleStep(5)
            spin.setSuffix(" %")
            spin.setSpecialValueText("不设目标")
            spin.valueChanged.connect(self._check)
            self.spins[level] = spin
            form.addRow(f"{LEVEL_TITLES[level]}占比", spin)
        self.copy_button = QPushButton("复制上一年度的目标")
        self.copy_button.clicked.connect(self.copy_previous)
        self.warning_label = make_warning("")
        self.hint_label = make_hint(
            "目标是累计比例：三星及以上 ≥ 四星及以上 ≥ 五星，按全镇在册村（社区）计算。"
            "例如三年规划：三星及以上 100%，四星及以上 70%，五星 50%。"
        )
        self.button_box = make_button_box("保存")
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(self.copy_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.button_box)
        self.setMinimumWidth(420)
        self.year_spin.valueChanged.connect(self._load)
        self._load()

    @property
    def year(self) -> int:
        return self.year_spin.value()

    def _show(self, targets: Targets) -> None:
        for level, spin in self.spins.items():
            spin.setValue(float(targets.percents.get(level, 0)))
        self._check()

    def _load(self) -> None:
        try:
            self._show(self._core.stars.targets(self.year))
        except LsbError as exc:
            show_error(self, exc)

    def copy_previous(self) -> bool:
        try:
            previous = self._core.stars.targets(self.year - 1)
        except LsbError as exc:
            show_error(self, exc)
            return False
        if not previous.percents:
            self.warning_label.setText(f"{self.year - 1}年没有设定目标，无可复制")
            return False
        self._show(previous)
        return True

    def percents(self) -> dict[int, Decimal]:
        # The spin shows one decimal; str() of its value keeps exactly what is shown.
        return {level: Decimal(f"{spin.value():.1f}") for level, spin in self.spins.items() if spin.value() > 0}

    def targets(self) -> Targets:
        """The targets as typed; raises ValidationError (in Chinese) when they are out of order."""
        return Targets(self.year, self.percents())

    def _check(self) -> None:
        try:
            self.targets()
        except ValidationError as exc:
            self.warning_label.setText(exc.message)
            return
        self.warning_label.setText("")

    def apply(self) -> Targets:
        return self._core.stars.save_targets(self.targets())


# ----- 导入创建计划 ---------------------------------------------------------------------------------


class PlanRowModel(RowTableModel):
    columns = (
        Column("工作表", lambda r: r.sheet),
        Column("行号", lambda r: r.row, alignment=ALIGN_CENTER),
        Column("村（社区）", lambda r: r.unit_name),
        Column(
            "计划创建的星",
            lambda r: "、".join(r.stars) if r.stars else "（不创建）",
            tooltip=lambda r: "\n".join(r.stars),
        ),
        Column("新列入计划", lambda r: "、".join(getattr(r, "added", ())), foreground=lambda r: QColor("#1b5e20")),
        Column("取消计划", lambda r: "、".join(getattr(r, "removed", ())), foreground=lambda r: QColor("#0d47a1")),
        Column(
            "问题",
            lambda r: "；".join(r.problems),
            tooltip=lambda r: "\n".join(r.problems),
            foreground=lambda r: PROBLEM_COLOUR if r.problems else None,
        ),
    )

    def row_foreground(self, row) -> QColor | None:
        return PROBLEM_COLOUR if row.problems else None


class PlanImportDialog(QDialog):
    """Shows every row of a plan file and every problem; 导入 only for a file without any."""

    def __init__(self, core: Core, path: str | Path, year: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core = core
        self.path = Path(path)
        self.preview = None
        self.imported = 0
        self.setWindowTitle(f"导入五星创建计划 — {self.path.name}")
        self.year_spin = QSpinBox()
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setValue(year)
        self.year_spin.setSuffix(" 年")
        self.year_spin.valueChanged.connect(self.refresh)
        self.reload_button = QPushButton("重新读取文件")
        self.reload_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(QLabel("计划年度："))
        top.addWidget(self.year_spin)
        top.addStretch(1)
        top.addWidget(self.reload_button)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.problems_label = QLabel()
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet("color: #b71c1c;")
        self.model = PlanRowModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.import_button = buttons.addButton("导入", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.do_import)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.problems_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(
            make_hint("文件中列出的村（社区）按文件设定本年度的创建计划；全部无误才会导入，有任何问题都不会写入。")
        )
        layout.addWidget(buttons)
        self.resize(860, 560)
        self.refresh()

    @property
    def year(self) -> int:
        return self.year_spin.value()

    def refresh(self) -> None:
        try:
            self.preview = self._core.stars.preview_plan_import(self.path, self.year)
        except LsbError as exc:
            self.preview = None
            self.model.set_rows([])
            self.summary_label.setText("")
            self.problems_label.setText(exc.message)
            self.import_button.setEnabled(False)
            show_error(self, exc)
            return
        preview = self.preview
        self.model.set_rows(preview.rows)
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
        bad_rows = sum(1 for r in preview.rows if r.problems)
        # The preview's list repeats each row's problems; above the table go the file's own.
        in_rows = {p for r in preview.rows for p in r.problems}
        problems = [p for p in preview.problems if p not in in_rows]
        self.problems_label.setText("<br>".join(problems))
        self.problems_label.setVisible(bool(problems))
        if bad_rows or problems:
            count = bad_rows + len(problems)
            self.summary_label.setText(
                f"<span style='color:#b71c1c'><b>发现 {count} 处问题（标红），请在 Excel 中改正后点"
                "“重新读取文件”。改正前不会导入任何数据。</b></span>"
            )
        elif not preview.rows:
            self.summary_label.setText("<b>文件中没有可导入的创建计划。</b>")
        else:
            stars = sum(len(r.stars) for r in preview.rows)
            added = sum(len(getattr(r, "added", ())) for r in preview.rows)
            removed = sum(len(getattr(r, "removed", ())) for r in preview.rows)
            self.summary_label.setText(
                f"<b>可以导入：</b>{len(preview.rows)} 个村（社区），{self.year}年计划创建 {stars} 颗星"
                f"（新列入 {added} 颗，取消 {removed} 颗）。"
            )
        self.import_button.setEnabled(preview.ok and not bad_rows)

    def do_import(self) -> None:
        if self.preview is None or not self.import_button.isEnabled():
            return
        try:
            self.imported = self._core.stars.apply_plan_import(self.preview)
        except LsbError as exc:
            show_error(self, exc)
            self.refresh()
            return
        self.accept()


# ----- 导出进度表 ---------------------------------------------------------------------------------


class ExportDialog(QDialog):
    """导出五星创建进度表: the paper size and the file; then 打开 / 打开所在文件夹."""

    def __init__(self, core: Core, year: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core = core
        self.year = year
        self.written: Path | None = None
        self.summary: YearSummary | None = None
        self.setWindowTitle(f"导出{year}年五星创建进度表")
        self.paper_group = QButtonGroup(self)
        paper_row = QHBoxLayout()
        for value, label in PAPERS:
            radio = QRadioButton(label)
            radio.setProperty("paper", value)
            self.paper_group.addButton(radio)
            paper_row.addWidget(radio)
        self.paper_group.buttons()[0].setChecked(True)
        paper_row.addStretch(1)
        township = core.settings.township().township_or_placeholder
        self.path_edit = QLineEdit(suggested_path("stars", f"{township}{year}年五星创建进度表.xlsx"))
        self.browse_button = QPushButton("浏览…")
        self.browse_button.clicked.connect(
            lambda: browse_save_path(self, self.path_edit, "导出五星创建进度表", XLSX_FILTER)
        )
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)
        form = QFormLayout()
        form.addRow("纸张", paper_row)
        form.addRow("保存到", path_row)
        self.done_label = QLabel()
        self.done_label.setWordWrap(True)
        self.done_label.setStyleSheet("color: #1b5e20;")
        self.open_button = QPushButton("打开")
        self.folder_button = QPushButton("打开所在文件夹")
        self.open_button.clicked.connect(self.open_written)
        self.folder_button.clicked.connect(self.show_written)
        after = QHBoxLayout()
        after.addWidget(self.done_label, 1)
        after.addWidget(self.open_button)
        after.addWidget(self.folder_button)
        for widget in (self.open_button, self.folder_button):
            widget.hide()
        buttons = QDialogButtonBox()
        self.export_button = buttons.addButton("导出", QDialogButtonBox.ButtonRole.ApplyRole)
        self.close_button = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        self.export_button.clicked.connect(lambda: self.export())
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(
            make_hint(
                "进度表列出各村（社区）每颗星的创建计划和结果、各星级数量和目标完成情况，按所选纸张横向排版，一页宽。"
            )
        )
        layout.addLayout(after)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)

    @property
    def paper(self) -> str:
        return self.paper_group.checkedButton().property("paper")

    def export(self) -> Path | None:
        text = self.path_edit.text().strip()
        if not text:
            show_error(self, ValidationError("请选择保存的位置"))
            return None
        if not text.lower().endswith(".xlsx"):
            text += ".xlsx"
        self.path_edit.setText(text)
        target = Path(text)
        try:
            township = self._core.settings.township().township_or_placeholder
            self.setCursor(Qt.CursorShape.WaitCursor)
            try:
                with noting_cut_cells() as cuts:
                    self.summary = self._core.stars.export_workbook(
                        target, self.year, township=township, paper=self.paper
                    )
            finally:
                self.unsetCursor()
        except LsbError as exc:
            show_error(self, exc)
            return None
        except OSError as exc:
            show_error(self, LsbError(f"无法保存“{target.name}”：{exc}（文件是否正在 Excel 中打开？）"))
            return None
        remember_folder("stars", target)
        self.written = target
        # A note longer than an Excel cell was cut with a mark; the done message says where.
        self.done_label.setText(f"已导出：{target}" + (f"。注意：{cut_cells_warning(cuts)}" if cuts else ""))
        self.open_button.show()
        self.folder_button.show()
        self.close_button.setText("完成")
        return target

    def open_written(self) -> None:
        from ui.widgets.print_preview import open_file

        if self.written is not None:
            open_file(self.written, self)

    def show_written(self) -> None:
        from ui.widgets.print_preview import show_in_folder

        if self.written is not None:
            show_in_folder(self.written)
