"""The 观摩评比 tab: a round's score entry, completeness, 加扣分, participants, results and audit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QProgressDialog,
    QPushButton,
    QSizePolicy,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from lsb_desktop.changes import Changed, Changes
from lsb_desktop.domain.points import display_points
from lsb_desktop.domain.rounds import (
    AdjustmentType,
    AuditEntry,
    MissingScores,
    RoundAdjustment,
    RoundDetail,
    RoundJudge,
    RoundResults,
    RoundStatus,
    RoundSummary,
    RoundUnit,
    UnitResult,
)
from lsb_desktop.domain.score_files import plain_points
from lsb_desktop.domain.scoring import BY_ROUND_POLICY, BoundaryTie, Flag, TieDecision, TieMethod
from lsb_desktop.domain.text import cut_cells_warning, noting_cut_cells
from lsb_desktop.errors import LsbError
from ui.meeting.show import MeetingWindow
from ui.meeting.slides import start_show
from ui.scoring.dialogs import (
    AdjustmentDialog,
    CommitteeDecisionDialog,
    NewRoundDialog,
    RoundSettingsDialog,
    SchemeDialog,
    ScoreImportDialog,
    ask_correction_reason,
    ask_text,
)
from ui.scoring.grid import ScoreGrid
from ui.widgets.dialogs import ServiceDialog
from ui.widgets.folders import choose_open_files, choose_save_file
from ui.widgets.messages import ask_confirm, show_error, show_info
from ui.widgets.print_preview import PdfPrintPreview, open_file, show_in_folder
from ui.widgets.table_model import ALIGN_CENTER, ALIGN_RIGHT, Column, RowTableModel, fit_columns, read_only_table

if TYPE_CHECKING:
    from lsb_desktop.core import Core

NO_ROUNDS_TEXT = "还没有评比活动。点“新建评比…”建立第一个评比。"
NOT_VISITED_TEXT = "本季度未观摩"
FINAL_BANNER = "已定稿（{day}）{code}：修改需写明更正原因，原结果保留"
CODE_TEXT = "　·　校验码 {code}（第 {version} 版结果，印在得分汇总表和通报上）"
XLSX_FILTER = "Excel 工作簿 (*.xlsx)"
PDF_FILTER = "PDF 文件 (*.pdf)"
PAPER_KINDS = {
    "ranking": ("得分汇总表", XLSX_FILTER, ".xlsx"),
    "certificates": ("荣誉证书", PDF_FILTER, ".pdf"),
    "notices": ("通报和整改通知书", PDF_FILTER, ".pdf"),
    "calibration": ("校准页", PDF_FILTER, ".pdf"),
}

PAGE_SCORES, PAGE_COMPLETENESS, PAGE_ADJUSTMENTS, PAGE_PARTICIPANTS, PAGE_RESULTS, PAGE_AUDIT = range(6)
PAGE_TITLES = ("打分", "完整性", "加扣分", "参评单位与评委", "结果", "审计记录")

RED_ROW = QColor("#f8d3d0")
BLACK_ROW = QColor("#c8c8c8")
DARK_TEXT = QColor("#000000")
RED_TEXT = QColor("#a00000")
GREY_TEXT = QColor("#808080")
PARTIAL_CELL = QColor("#f8d3d0")
ABSENT_CELL = QColor("#ececec")
TIE_BOX_STYLE = (
    "QFrame#tieBox { background: #fff3b0; border: 1px solid #d4a800; border-radius: 3px; } QLabel { color: #4a3b00; }"
)
TALK_BOX_STYLE = (
    "QLabel { background: #ffe7cc; border: 1px solid #e08a00; border-radius: 3px; padding: 6px; color: #5a3000; }"
)
BANNER_STYLE = (
    "QLabel { background: #fff3b0; border: 1px solid #d4a800; border-radius: 3px;"
    " padding: 6px; color: #4a3b00; font-weight: bold; }"
)


def amount_text(value) -> str:
    return display_points(value) if value else ""


def round_label(summary: RoundSummary) -> str:
    return f"{summary.label}（{summary.status.label}）"


def describe_entity(entity: str) -> str:
    """round:3/judge:张三/unit:张五砦村/criterion:基层党建 → 评委张三 · 张五砦村 · 基层党建."""
    parts = []
    for part in entity.split("/")[1:]:
        key, _, value = part.partition(":")
        if key == "judge":
            parts.append(f"评委{value}")
        elif key in ("unit", "criterion"):
            parts.append(value)
        elif key.startswith("v") and key[1:].isdigit() and not value:
            number = int(key[1:])
            parts.append("定稿结果" if number == 1 else f"更正 {number - 1}")
        else:
            parts.append(part)
    return " · ".join(parts) or "评比活动"


def version_label(results: RoundResults) -> str:
    if results.version <= 1:
        return "原结果（定稿）"
    reason = results.correction_reason
    return f"更正 {results.version - 1}（{reason}）" if reason else f"更正 {results.version - 1}"


# ----- models ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResultRow:
    """A line of the results table: a ranked unit, or one not visited this quarter (no result)."""

    unit: RoundUnit
    result: UnitResult | None


def flag_text(row) -> str:
    """The flag, and 一票否决 beside it wherever a vetoed unit's flag is shown."""
    result = row.result
    if result is None:
        return ""
    flag = result.flag.label if result.flag else ""
    if result.veto_reason:
        return f"{flag}（一票否决）" if flag else "一票否决"
    return flag


def _result_columns(components: tuple[str, ...]) -> tuple[Column, ...]:
    def component_column(name: str) -> Column:
        return Column(
            name,
            lambda r: r.result.component_text(name) if r.result else "",
            alignment=ALIGN_RIGHT,
            tooltip=lambda r: (
                (r.result.basis.get(name) or f"{r.result.judges.get(name, 0)} 位评委打分") if r.result else ""
            ),
        )

    return (
        Column("排名", lambda r: r.result.rank if r.result else "", alignment=ALIGN_CENTER),
        Column("村（社区）", lambda r: r.unit.name, tooltip=lambda r: r.unit.organisation_title),
        Column("管区", lambda r: r.unit.district),
        Column("党组织书记", lambda r: r.unit.secretary),
        *(component_column(name) for name in components),
        Column("加分", lambda r: amount_text(r.result.bonus) if r.result else "", alignment=ALIGN_RIGHT),
        Column("扣分", lambda r: amount_text(r.result.deduction) if r.result else "", alignment=ALIGN_RIGHT),
        Column("综合得分", lambda r: r.result.total if r.result else "", alignment=ALIGN_RIGHT),
        Column(
            "红/黑旗",
            flag_text,
            alignment=ALIGN_CENTER,
            tooltip=lambda r: f"一票否决：{r.result.veto_reason}" if r.result and r.result.veto_reason else "",
        ),
        Column(
            "备注",
            lambda r: (
                "；".join(r.result.notes) if r.result else "；".join(t for t in (NOT_VISITED_TEXT, r.unit.note) if t)
            ),
            tooltip=lambda r: "；".join(r.result.notes) if r.result else r.unit.note,
        ),
    )


class ResultTableModel(RowTableModel):
    """Rows in rank order, then the units not visited; red-flag rows light red, black-flag rows
    grey with dark text (readable when printed in greyscale)."""

    columns = _result_columns(())
    TOTAL_HEADER = "综合得分"
    FLAG_HEADER = "红/黑旗"

    def set_results(self, results: RoundResults | None, components: tuple[str, ...]) -> None:
        self.beginResetModel()
        self.columns = _result_columns(components)
        rows: list[ResultRow] = []
        if results is not None:
            rows = [ResultRow(r.unit, r) for r in results.results]
            rows += [ResultRow(unit, None) for unit in results.not_visited]
        self._rows = rows
        self.endResetModel()

    def column_of(self, header: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.header == header)

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole):
        row = self.row_at(index)
        if row is None:
            return None
        flag = row.result.flag if row.result else None
        header = self.columns[index.column()].header if 0 <= index.column() < len(self.columns) else ""
        if role == Qt.ItemDataRole.BackgroundRole:
            return RED_ROW if flag is Flag.RED else BLACK_ROW if flag is Flag.BLACK else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.result is None:
                return GREY_TEXT
            if flag is Flag.RED and header == self.FLAG_HEADER:
                return RED_TEXT
            return DARK_TEXT if flag is not None else None
        if role == Qt.ItemDataRole.FontRole and (header in (self.FLAG_HEADER, self.TOTAL_HEADER)):
            font = QFont()
            font.setBold(True)
            return font
        return super().data(index, role)


@dataclass(frozen=True, slots=True)
class CompletenessRow:
    """A unit some judge has not (fully) scored: judge name → what is missing."""

    unit: str
    cells: dict[str, str] = field(hash=False)
    partial: frozenset[str] = frozenset()


def completeness_rows(missing: list[MissingScores], component_count: int) -> list[CompletenessRow]:
    by_pair: dict[tuple[str, str], list[MissingScores]] = defaultdict(list)
    units: list[str] = []
    for item in missing:
        by_pair[(item.unit, item.judge)].append(item)
        if item.unit not in units:
            units.append(item.unit)
    rows = []
    for unit in units:
        cells: dict[str, str] = {}
        partial: set[str] = set()
        for (pair_unit, judge), items in by_pair.items():
            if pair_unit != unit:
                continue
            if len(items) == component_count and all(i.absent for i in items):
                cells[judge] = "未打分"
                continue
            parts = []
            for i in items:
                if i.absent:
                    parts.append(f"{i.component}未打分")
                else:
                    parts.append("缺：" + "、".join(i.criteria))
                    partial.add(judge)
            cells[judge] = "；".join(parts)
        rows.append(CompletenessRow(unit, cells, frozenset(partial)))
    return rows


class CompletenessModel(RowTableModel):
    """Units × judges, only where something is missing: 未打分 (absent) or 缺：… (partial)."""

    columns = (Column("村（社区）", lambda r: r.unit),)

    def set_missing(self, rows: list[CompletenessRow], judges: list[str]) -> None:
        self.beginResetModel()
        self.columns = (Column("村（社区）", lambda r: r.unit),) + tuple(
            Column(judge, (lambda r, j=judge: r.cells.get(j, "")), tooltip=(lambda r, j=judge: r.cells.get(j, "")))
            for judge in judges
        )
        self._judges = judges
        self._rows = rows
        self.endResetModel()

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole):
        row = self.row_at(index)
        if row is not None and index.column() > 0 and role == Qt.ItemDataRole.BackgroundRole:
            judge = self.columns[index.column()].header
            if judge in row.partial:
                return PARTIAL_CELL
            if judge in row.cells:
                return ABSENT_CELL
        return super().data(index, role)


@dataclass(frozen=True, slots=True)
class AdjustmentRow:
    adjustment: RoundAdjustment
    unit: str


class AdjustmentTableModel(RowTableModel):
    columns = (
        Column("村（社区）", lambda r: r.unit),
        Column(
            "类型",
            lambda r: r.adjustment.kind.label,
            alignment=ALIGN_CENTER,
            foreground=lambda r: RED_TEXT if r.adjustment.kind is AdjustmentType.VETO else None,
        ),
        Column(
            "分值",
            lambda r: display_points(r.adjustment.amount) if r.adjustment.amount is not None else "—",
            alignment=ALIGN_RIGHT,
        ),
        Column("理由", lambda r: r.adjustment.reason, tooltip=lambda r: r.adjustment.reason),
    )


class ParticipantTableModel(RowTableModel):
    columns = (
        Column("序号", lambda u: u.position, alignment=ALIGN_CENTER),
        Column("管区", lambda u: u.district),
        Column("村（社区）", lambda u: u.name, tooltip=lambda u: u.organisation_title),
        Column("党组织书记", lambda u: u.secretary),
        Column("观摩", lambda u: "已观摩" if u.visited else NOT_VISITED_TEXT, alignment=ALIGN_CENTER),
        Column("说明", lambda u: u.note, tooltip=lambda u: u.note),
    )

    def row_foreground(self, row: RoundUnit) -> QColor | None:
        return None if row.visited else GREY_TEXT


@dataclass(frozen=True, slots=True)
class JudgeRow:
    judge: RoundJudge
    number: int
    scored: int


class JudgeTableModel(RowTableModel):
    columns = (
        Column("序号", lambda r: r.number, alignment=ALIGN_CENTER),
        Column("评委", lambda r: r.judge.name),
        Column("分组", lambda r: r.judge.group),
        Column("已打分", lambda r: f"{r.scored} 格", sort_key=lambda r: r.scored, alignment=ALIGN_RIGHT),
    )


class AuditTableModel(RowTableModel):
    columns = (
        Column("时间", lambda e: e.at, alignment=ALIGN_CENTER),
        Column("操作人", lambda e: e.operator),
        Column("操作", lambda e: e.action),
        Column("对象", lambda e: describe_entity(e.entity), tooltip=lambda e: e.entity),
        Column("原值", lambda e: e.old, tooltip=lambda e: e.old[:2000]),
        Column("新值", lambda e: e.new, tooltip=lambda e: e.new[:2000]),
        Column("原因", lambda e: e.reason, tooltip=lambda e: e.reason),
    )


# ----- layout ---------------------------------------------------------------------------------


def _button_row(*buttons: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row


class _ScoringTabUi:
    """The layout of ScoringTab; behaviour lives in the tab."""

    def setup(self, tab: QWidget, core: Core) -> None:
        self.round_combo = QComboBox()
        # As wide as the row allows, never wider than a laptop screen needs: a long title is cut
        # with … in the closed box (the list shows it whole).
        self.round_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.round_combo.setMinimumContentsLength(16)
        self.new_button = QPushButton("新建评比…")
        self.settings_button = QPushButton("评比设置…")
        self.scheme_button = QPushButton("评分方案…")
        self.scheme_menu = QMenu(self.scheme_button)
        self.round_scheme_action = self.scheme_menu.addAction("查看本次评比的评分方案")
        self.template_action = self.scheme_menu.addAction("编辑方案模板（以后新建的评比使用）…")
        self.scheme_button.setMenu(self.scheme_menu)
        self.export_button = QPushButton("导出空白评分表…")
        self.import_button = QPushButton("导入评分…")
        self.finalize_button = QPushButton("定稿")
        self.finalize_button.setToolTip("冻结本次评比的结果；定稿后修改需写明更正原因，原结果保留")
        self.export_button.setToolTip("每位评委一张表，打印后带到现场打分")
        self.import_button.setToolTip("导入填好的评分表或“评委、村（社区）、指标、得分”四列的汇总表，导入前先预览")
        top = QHBoxLayout()
        top.addWidget(QLabel("评比活动"))
        top.addWidget(self.round_combo, 1)
        for button in (self.new_button, self.settings_button, self.scheme_button):
            top.addWidget(button)
        top.addSpacing(12)
        top.addWidget(self.export_button)
        top.addWidget(self.import_button)
        self.paper_button = QPushButton("排名表与证书")
        self.paper_menu = QMenu(self.paper_button)
        self.ranking_action = self.paper_menu.addAction("导出得分汇总表（Excel）…")
        self.certificates_action = self.paper_menu.addAction("导出红旗荣誉证书（PDF）…")
        self.notices_action = self.paper_menu.addAction("导出黑旗通报和整改通知书（PDF）…")
        self.paper_menu.addSeparator()
        self.preview_certificates_action = self.paper_menu.addAction("预览并打印荣誉证书…")
        self.preview_notices_action = self.paper_menu.addAction("预览并打印通报和整改通知书…")
        self.paper_menu.addSeparator()
        self.certificate_settings_action = self.paper_menu.addAction("证书和通知书设置…")
        self.calibration_action = self.paper_menu.addAction("打印校准页…")
        self.paper_button.setMenu(self.paper_menu)
        top.addSpacing(12)
        top.addWidget(self.paper_button)
        self.meeting_button = QPushButton("会议展示")
        self.meeting_button.setToolTip("在投影仪上全屏展示本次评比的综合排名：方向键、空格或单击翻页，Esc 退出")
        top.addWidget(self.meeting_button)
        top.addSpacing(12)
        top.addWidget(self.finalize_button)

        self.status_label = QLabel()
        self.status_label.setStyleSheet("color: #444;")
        self.notice_label = QLabel()
        self.notice_label.setStyleSheet("color: #2e6b30;")
        self.open_export_button = QPushButton("打开")
        self.folder_export_button = QPushButton("在文件夹中显示")
        self.open_export_button.hide()
        self.folder_export_button.hide()
        status = QHBoxLayout()
        status.addWidget(self.status_label, 1)
        status.addWidget(self.notice_label)
        status.addWidget(self.open_export_button)
        status.addWidget(self.folder_export_button)
        self.final_banner = QLabel()
        self.final_banner.setStyleSheet(BANNER_STYLE)
        self.final_banner.hide()
        self.empty_label = QLabel(NO_ROUNDS_TEXT)
        self.empty_label.setStyleSheet("color: #666; font-size: 15px; padding: 24px;")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.pages = QTabWidget()
        self.grid = ScoreGrid(core)
        self.pages.addTab(self.grid, PAGE_TITLES[PAGE_SCORES])
        self.pages.addTab(self._completeness_page(), PAGE_TITLES[PAGE_COMPLETENESS])
        self.pages.addTab(self._adjustments_page(), PAGE_TITLES[PAGE_ADJUSTMENTS])
        self.pages.addTab(self._participants_page(), PAGE_TITLES[PAGE_PARTICIPANTS])
        self.pages.addTab(self._results_page(), PAGE_TITLES[PAGE_RESULTS])
        self.pages.addTab(self._audit_page(), PAGE_TITLES[PAGE_AUDIT])

        layout = QVBoxLayout(tab)
        layout.addLayout(top)
        layout.addLayout(status)
        layout.addWidget(self.final_banner)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.pages, 1)

    def _completeness_page(self) -> QWidget:
        page = QWidget()
        self.completeness_label = QLabel()
        self.completeness_label.setWordWrap(True)
        self.completeness_table = read_only_table(wrap=False)
        self.completeness_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        legend = QLabel(
            "“未打分”：该评委没有给这个村（社区）打分（缺席，允许，按实际评委人数计算）；"
            "“缺：…”：只打了部分指标，必须补全才能定稿（红色底）。"
        )
        legend.setWordWrap(True)
        legend.setStyleSheet("color: #666;")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.completeness_label)
        layout.addWidget(self.completeness_table, 1)
        layout.addWidget(legend)
        return page

    def _adjustments_page(self) -> QWidget:
        page = QWidget()
        self.bonus_button = QPushButton("添加加分…")
        self.deduction_button = QPushButton("添加扣分…")
        self.veto_button = QPushButton("一票否决…")
        self.remove_adjustment_button = QPushButton("撤销")
        self.adjustments_table = read_only_table(wrap=False)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(
            _button_row(self.bonus_button, self.deduction_button, self.veto_button, self.remove_adjustment_button)
        )
        layout.addWidget(self.adjustments_table, 1)
        return page

    def _participants_page(self) -> QWidget:
        page = QWidget()
        self.visited_button = QPushButton("本季度未观摩…")
        self.units_table = read_only_table(wrap=False)
        units_box = QGroupBox("参评单位")
        units_layout = QVBoxLayout(units_box)
        units_layout.addLayout(_button_row(self.visited_button))
        units_layout.addWidget(self.units_table, 1)
        units_layout.addWidget(QLabel("本季度未观摩的单位留在名单中，但不参加排名，结果中列在最后。"))
        self.add_judge_button = QPushButton("增加评委…")
        self.remove_judge_button = QPushButton("移除评委")
        self.judges_table = read_only_table(wrap=False)
        judges_box = QGroupBox("评委")
        judges_layout = QVBoxLayout(judges_box)
        judges_layout.addLayout(_button_row(self.add_judge_button, self.remove_judge_button))
        judges_layout.addWidget(self.judges_table, 1)
        judges_layout.addWidget(QLabel("已打过分的评委不能移除。"))
        layout = QHBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(units_box, 3)
        layout.addWidget(judges_box, 2)
        return page

    def _results_page(self) -> QWidget:
        page = QWidget()
        self.tie_box = QFrame()
        self.tie_box.setObjectName("tieBox")
        self.tie_box.setStyleSheet(TIE_BOX_STYLE)
        self.tie_label = QLabel()
        self.tie_label.setWordWrap(True)
        self.extend_button = QPushButton("并列的都给旗")
        self.extend_button.setToolTip("并列在旗位上的单位都得旗，旗数相应增加（只对这一处并列）")
        self.tiebreak_button = QPushButton("按并列规则决定")
        self.tiebreak_button.setToolTip("按“评比设置”中的并列规则依次比较项目得分决定")
        self.committee_button = QPushButton("党委研究决定…")
        self.committee_button.setToolTip("勾选党委研究决定给旗的单位，并写明理由")
        tie_layout = QVBoxLayout(self.tie_box)
        tie_layout.addWidget(self.tie_label)
        tie_layout.addLayout(_button_row(self.extend_button, self.tiebreak_button, self.committee_button))
        self.tie_box.hide()
        self.decided_box = QFrame()
        self.decided_label = QLabel()
        self.decided_label.setWordWrap(True)
        self.undo_decision_button = QPushButton("撤回最近的并列决定")
        decided_layout = QHBoxLayout(self.decided_box)
        decided_layout.setContentsMargins(0, 0, 0, 0)
        decided_layout.addWidget(self.decided_label, 1)
        decided_layout.addWidget(self.undo_decision_button)
        self.decided_box.hide()
        self.talk_label = QLabel()
        self.talk_label.setWordWrap(True)
        self.talk_label.setStyleSheet(TALK_BOX_STYLE)
        self.talk_label.hide()
        self.version_combo = QComboBox()
        self.version_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.version_row = QWidget()
        version_layout = QHBoxLayout(self.version_row)
        version_layout.setContentsMargins(0, 0, 0, 0)
        version_layout.addWidget(QLabel("结果版本："))
        version_layout.addWidget(self.version_combo)
        version_layout.addStretch(1)
        self.version_row.hide()
        self.results_label = QLabel()
        self.results_label.setWordWrap(True)
        self.results_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.results_table = read_only_table(wrap=False)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.tie_box)
        layout.addWidget(self.decided_box)
        layout.addWidget(self.talk_label)
        layout.addWidget(self.version_row)
        layout.addWidget(self.results_label)
        layout.addWidget(self.results_table, 1)
        return page

    def _audit_page(self) -> QWidget:
        page = QWidget()
        self.audit_table = read_only_table(wrap=False)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(QLabel("本评比的每一次修改（最新的在上面）；记录只能追加，不能修改。"))
        layout.addWidget(self.audit_table, 1)
        return page


# ----- the tab ----------------------------------------------------------------------------------


class ScoringTab(QWidget):
    """Rounds (评比活动). Reads and writes only through `core.rounds` (and `core.audit`); tells the
    main window what it changed through `changed` and reloads when told through `reload`."""

    changed = Signal(object)  # a Changes flag, after every successful change made here
    TITLE = "观摩评比"

    def __init__(self, core: Core, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core = core
        self._detail: RoundDetail | None = None
        self._last_export: Path | None = None
        self._versions: list[RoundResults] = []
        self._dirty: set[int] = set()
        self._meeting: MeetingWindow | None = None
        self._ties: tuple[BoundaryTie, ...] = ()
        self._decided: list[tuple[TieDecision, tuple[str, ...]]] = []
        self.ui = _ScoringTabUi()
        self.ui.setup(self, core)
        self.grid = self.ui.grid
        self.grid.ask_reason = lambda: ask_correction_reason(self)
        self.results_model = ResultTableModel(self)
        self.completeness_model = CompletenessModel(self)
        self.adjustments_model = AdjustmentTableModel(self)
        self.units_model = ParticipantTableModel(self)
        self.judges_model = JudgeTableModel(self)
        self.audit_model = AuditTableModel(self)
        self.ui.results_table.setModel(self.results_model)
        self.ui.completeness_table.setModel(self.completeness_model)
        self.ui.adjustments_table.setModel(self.adjustments_model)
        self.ui.units_table.setModel(self.units_model)
        self.ui.judges_table.setModel(self.judges_model)
        self.ui.audit_table.setModel(self.audit_model)
        self._connect()
        self.reload()

    def _connect(self) -> None:
        ui = self.ui
        ui.round_combo.currentIndexChanged.connect(self._round_chosen)
        ui.new_button.clicked.connect(self.open_new_round_dialog)
        ui.settings_button.clicked.connect(self.open_settings_dialog)
        ui.round_scheme_action.triggered.connect(lambda: self.open_scheme_dialog(template=False))
        ui.template_action.triggered.connect(lambda: self.open_scheme_dialog(template=True))
        ui.export_button.clicked.connect(lambda: self.export_blank_sheets())
        ui.ranking_action.triggered.connect(lambda: self.export_paper("ranking"))
        ui.certificates_action.triggered.connect(lambda: self.export_paper("certificates"))
        ui.notices_action.triggered.connect(lambda: self.export_paper("notices"))
        ui.preview_certificates_action.triggered.connect(lambda: self.preview_paper("certificates"))
        ui.preview_notices_action.triggered.connect(lambda: self.preview_paper("notices"))
        ui.certificate_settings_action.triggered.connect(lambda: self.open_certificate_settings())
        ui.calibration_action.triggered.connect(lambda: self.preview_paper("calibration"))
        ui.open_export_button.clicked.connect(lambda: self._last_export and open_file(self._last_export, self))
        ui.folder_export_button.clicked.connect(lambda: self._last_export and show_in_folder(self._last_export))
        ui.import_button.clicked.connect(lambda: self.open_import_dialog())
        ui.meeting_button.clicked.connect(lambda: self.open_meeting())
        ui.finalize_button.clicked.connect(self.finalize_round)
        ui.pages.currentChanged.connect(self._refresh_page)
        ui.bonus_button.clicked.connect(lambda: self.open_adjustment_dialog(AdjustmentType.BONUS))
        ui.deduction_button.clicked.connect(lambda: self.open_adjustment_dialog(AdjustmentType.DEDUCTION))
        ui.veto_button.clicked.connect(lambda: self.open_adjustment_dialog(AdjustmentType.VETO))
        ui.remove_adjustment_button.clicked.connect(self.remove_selected_adjustment)
        ui.visited_button.clicked.connect(self.toggle_selected_visited)
        ui.add_judge_button.clicked.connect(lambda: self.add_judge())
        ui.remove_judge_button.clicked.connect(self.remove_selected_judge)
        ui.units_table.selectionModel().selectionChanged.connect(self._update_participant_buttons)
        ui.judges_table.selectionModel().selectionChanged.connect(self._update_participant_buttons)
        ui.adjustments_table.selectionModel().selectionChanged.connect(self._update_adjustment_buttons)
        ui.extend_button.clicked.connect(lambda: self.decide_tie(TieMethod.EXTEND))
        ui.tiebreak_button.clicked.connect(lambda: self.decide_tie(TieMethod.TIEBREAK))
        ui.committee_button.clicked.connect(self.open_committee_dialog)
        ui.undo_decision_button.clicked.connect(self.undo_tie_decision)
        ui.version_combo.currentIndexChanged.connect(self._version_chosen)
        self.grid.saved.connect(self._scores_saved)

    # ----- reading ---------------------------------------------------------------------------

    @property
    def detail(self) -> RoundDetail | None:
        return self._detail

    def current_round_id(self) -> int | None:
        return self.ui.round_combo.currentData()

    def reload(self, changes: Changes = Changes.ALL) -> None:
        """Re-read the rounds when they changed (or a restored backup replaced everything).
        Rounds keep their own copy of units and names, so register changes alone don't count;
        commitments do, as a 承诺完成 component is computed from them."""
        if not changes & (Changes.ROUNDS | Changes.COMMITMENTS):
            return
        self._load_rounds(self.current_round_id())

    def show_page(self, page: int) -> None:
        self.ui.pages.setCurrentIndex(page)

    def _load_rounds(self, keep: int | None) -> None:
        combo = self.ui.round_combo
        rounds = self._core.rounds.list_rounds()
        combo.blockSignals(True)
        combo.clear()
        for summary in rounds:
            combo.addItem(round_label(summary), summary.id)
        index = combo.findData(keep) if keep is not None else -1
        combo.setCurrentIndex(index if index >= 0 else (0 if rounds else -1))
        combo.blockSignals(False)
        self._show_round()

    def _round_chosen(self) -> None:
        self._show_round()

    def _show_round(self) -> None:
        round_id = self.current_round_id()
        try:
            self._detail = self._core.rounds.get_round(round_id) if round_id is not None else None
        except LsbError as exc:
            self._detail = None
            self.ui.notice_label.setText(exc.message)
        self._update_header()
        self.grid.set_round(self._detail)
        self._dirty = set(range(len(PAGE_TITLES))) - {PAGE_SCORES}
        self._refresh_page(self.ui.pages.currentIndex())

    def _update_header(self) -> None:
        ui, detail = self.ui, self._detail
        has = detail is not None
        ui.empty_label.setVisible(self.ui.round_combo.count() == 0)
        ui.pages.setVisible(has)
        for widget in (
            ui.settings_button,
            ui.scheme_button,
            ui.export_button,
            ui.import_button,
            ui.paper_button,
            ui.meeting_button,
        ):
            widget.setEnabled(has)
        final = has and detail.status is RoundStatus.FINAL
        ui.finalize_button.setEnabled(has and not final)
        ui.final_banner.setVisible(final)
        if final:
            seal = self._core.rounds.seal(detail.id)
            code = CODE_TEXT.format(code=seal.code, version=seal.version) if seal else ""
            ui.final_banner.setText(FINAL_BANNER.format(day=self._finalised_on(detail.id) or "日期不详", code=code))
        if not has:
            ui.status_label.setText("")
            return
        summary, rules = detail.summary, detail.rules
        away = sum(1 for u in detail.units if not u.visited)
        units = f"参评 {len(detail.units)} 个村（社区）" + (f"（{away} 个本季度未观摩）" if away else "")
        day = summary.event_date.isoformat() if summary.event_date else "未定"
        ui.status_label.setText(
            f"状态：{summary.status.label}　·　{units}　·　评委 {len(detail.judges)} 位　·　"
            f"活动日期 {day}　·　红旗 {rules.red} 面，黑旗 {rules.black} 面"
        )
        ui.round_combo.setItemText(ui.round_combo.currentIndex(), round_label(summary))

    def _finalised_on(self, round_id: int) -> str:
        detail = self._detail
        if detail is None or detail.id != round_id or detail.summary.finalized_at is None:
            return ""
        return detail.summary.finalized_at.date().isoformat()

    # ----- pages -----------------------------------------------------------------------------

    def _refresh_page(self, page: int) -> None:
        """Pages are filled when shown: typing scores must not recompute results at every cell."""
        if page not in self._dirty:
            return
        self._dirty.discard(page)
        refresh = {
            PAGE_COMPLETENESS: self._refresh_completeness,
            PAGE_ADJUSTMENTS: self._refresh_adjustments,
            PAGE_PARTICIPANTS: self._refresh_participants,
            PAGE_RESULTS: self._refresh_results,
            PAGE_AUDIT: self._refresh_audit,
        }.get(page)
        if refresh is not None:
            refresh()

    def _refresh_completeness(self) -> None:
        detail = self._detail
        if detail is None:
            self.completeness_model.set_missing([], [])
            return
        missing = self._core.rounds.completeness(detail.id)
        rows = completeness_rows(missing, len(detail.scheme.components))
        judges = [j.name for j in detail.judges if any(m.judge == j.name for m in missing)]
        self.completeness_model.set_missing(rows, judges)
        fit_columns(self.ui.completeness_table)
        partial = {(m.judge, m.unit) for m in missing if not m.absent}
        absent = {(m.judge, m.unit) for m in missing} - partial
        visited = sum(1 for u in detail.units if u.visited)
        if not detail.judges:
            text = "还没有评委。"
        elif not missing:
            text = f"<b style='color:#2e6b30'>全部评分完整：{len(detail.judges)} 位评委都给 {visited} 个村（社区）打完了分。</b>"
        else:
            text = f"<b>{len(rows)} 个村（社区）有缺漏</b>（其余 {visited - len(rows)} 个完整）："
            if partial:
                text += f"<span style='color:#b00000'><b>{len(partial)} 处只打了部分指标，必须补全才能定稿</b></span>；"
            text += f"{len(absent)} 处评委未打分" + ("。" if partial else "（允许，不影响定稿）。")
        self.ui.completeness_label.setText(text)
        self.ui.completeness_table.setVisible(bool(rows))

    def _refresh_adjustments(self) -> None:
        detail = self._detail
        rows = []
        if detail is not None:
            names = {u.id: u.name for u in detail.units}
            rows = [AdjustmentRow(a, names.get(a.round_unit_id, "")) for a in self._core.rounds.adjustments(detail.id)]
        self.adjustments_model.set_rows(rows)
        fit_columns(self.ui.adjustments_table)
        self._update_adjustment_buttons()

    def _refresh_participants(self) -> None:
        detail = self._detail
        self.units_model.set_rows(detail.units if detail else ())
        judges = []
        if detail is not None:
            counts: dict[int, int] = defaultdict(int)
            for cell in self._core.rounds.scores(detail.id):
                counts[cell.judge_id] += 1
            judges = [JudgeRow(j, n, counts[j.id]) for n, j in enumerate(detail.judges, start=1)]
        self.judges_model.set_rows(judges)
        fit_columns(self.ui.units_table)
        fit_columns(self.ui.judges_table)
        self._update_participant_buttons()

    def _refresh_results(self) -> None:
        detail = self._detail
        ui = self.ui
        self._versions = []
        if detail is None:
            self.results_model.set_results(None, ())
            return
        final = detail.status is RoundStatus.FINAL
        if final:
            self._versions = self._core.rounds.result_versions(detail.id)
        ui.version_combo.blockSignals(True)
        ui.version_combo.clear()
        for version in self._versions:
            ui.version_combo.addItem(version_label(version), version.version)
        ui.version_combo.setCurrentIndex(len(self._versions) - 1)
        ui.version_combo.blockSignals(False)
        ui.version_row.setVisible(final and bool(self._versions))
        results = self._versions[-1] if self._versions else self._core.rounds.results(detail.id)
        self._show_results(results)
        self._show_talk_warnings(detail)

    def _version_chosen(self, index: int) -> None:
        if 0 <= index < len(self._versions):
            self._show_results(self._versions[index])

    def _show_results(self, results: RoundResults) -> None:
        detail, ui = self._detail, self.ui
        self.results_model.set_results(results, tuple(c.name for c in detail.scheme.components))
        fit_columns(ui.results_table)
        self._ties = results.ties
        if results.ties:
            first = results.ties[0]
            lines = "<br>".join(f"• {tie.describe()}" for tie in results.ties)
            chain = "、".join(detail.rules.tiebreak)
            if first.separable:
                rule = f"并列规则：依次比较{chain}，可以分出先后。"
            elif chain:
                rule = f"并列规则（依次比较{chain}）分不开他们，只能选择“并列的都给旗”或“党委研究决定”。"
            else:
                rule = "还没有设置并列规则（可在“评比设置”中设置），请选择“并列的都给旗”或“党委研究决定”。"
            straddles = first.straddles
            if straddles:
                rule += "并列同时跨越红旗和黑旗的名次，不能都给旗。"
            which = f"<br>先决定第一处：{first.describe()}" if len(results.ties) > 1 else ""
            ui.tie_label.setText(
                f"<b>旗位上有并列，尚未决定，程序不会替您决定，决定之前不能定稿：</b><br>{lines}<br>"
                f"{rule}{which}<br>您的决定记入审计记录，并写在得分汇总表的备注中："
            )
            ui.tiebreak_button.setEnabled(first.separable)
            ui.extend_button.setEnabled(not straddles)
            ui.tie_box.show()
        else:
            ui.tie_box.hide()
        decided = [(d, given) for d, given in results.decided if d.reason != BY_ROUND_POLICY]
        if decided and not results.finalised:
            ui.decided_label.setText("旗位并列已决定：" + "；".join(d.describe(given) for d, given in decided))
            ui.decided_box.show()
        else:
            ui.decided_box.hide()
        self._decided = decided
        red = sum(1 for r in results.results if r.flag is Flag.RED)
        black = sum(1 for r in results.results if r.flag is Flag.BLACK)
        rules = detail.rules
        flags = f"红旗 {red} 面，黑旗 {black} 面"
        if not results.ties and (red > rules.red or black > rules.black):
            flags += f"（设置为红旗 {rules.red} 面、黑旗 {rules.black} 面，旗位并列的都给了旗）"
        parts = [f"参加排名 {len(results.results)} 个村（社区）", flags]
        if results.not_visited:
            parts.append(f"本季度未观摩 {len(results.not_visited)} 个（列在最后，不排名）")
        partial = sum(1 for m in results.incomplete if not m.absent)
        state = "定稿结果" if results.finalised else "实时结果（随评分变化）"
        text = f"<b>{state}</b>：" + "；".join(parts) + "。"
        if partial:
            text += f"<span style='color:#b00000'> 有 {partial} 处评分不完整，补全后才能定稿（见“完整性”）。</span>"
        for component in detail.scheme.computed:
            text += (
                f"<br>“{component.name}”按承诺事项自动计算：得分 = 本年度承诺事项到"
                f"{detail.summary.period.label}末的完成率 × {plain_points(component.max_total)} 分"
                "（完成率 = 已完成 ÷（全部 − 已取消）），鼠标停在得分上可看算式。"
            )
            missing = [
                r.unit.name
                for r in results.results
                if r.basis.get(component.name, "").startswith("承诺事项") and not r.components.get(component.name)
            ]
            if missing and not results.finalised:
                text += (
                    f"<span style='color:#b00000'> {('、'.join(missing))}没有可计算的承诺事项，"
                    "请先在“承诺事项”页录入，否则不能定稿。</span>"
                )
        ui.results_label.setText(text)

    def _show_talk_warnings(self, detail: RoundDetail) -> None:
        histories = self._core.rounds.flag_history([u.unit_id for u in detail.units])
        lines = [f"{h.unit_name}：{h.warning}" for h in histories if h.warning]
        self.ui.talk_label.setText("<b>约谈提醒</b>（截至最近一次定稿的评比）：<br>" + "<br>".join(lines))
        self.ui.talk_label.setVisible(bool(lines))

    def _refresh_audit(self) -> None:
        detail = self._detail
        entries: list[AuditEntry] = []
        if detail is not None:
            entries = self._core.audit.entries(f"round:{detail.id}")
        self.audit_model.set_rows(entries)
        fit_columns(self.ui.audit_table)
        for column in (4, 5):
            self.ui.audit_table.setColumnWidth(column, min(self.ui.audit_table.columnWidth(column), 260))

    # ----- buttons' state ----------------------------------------------------------------------

    def _editable_round(self) -> bool:
        return self._detail is not None and self._detail.status is not RoundStatus.FINAL

    def _update_participant_buttons(self) -> None:
        ui = self.ui
        editable = self._editable_round()
        unit = self.selected_participant()
        ui.visited_button.setEnabled(editable and unit is not None)
        ui.visited_button.setText("恢复观摩" if unit is not None and not unit.visited else "本季度未观摩…")
        ui.add_judge_button.setEnabled(editable)
        ui.remove_judge_button.setEnabled(editable and self.selected_judge() is not None)

    def _update_adjustment_buttons(self) -> None:
        has = self._detail is not None
        for button in (self.ui.bonus_button, self.ui.deduction_button, self.ui.veto_button):
            button.setEnabled(has)
        self.ui.remove_adjustment_button.setEnabled(has and self.selected_adjustment() is not None)

    def _selected(self, table: QTableView, model: RowTableModel):
        rows = table.selectionModel().selectedRows()
        return model.row_at(rows[0]) if rows else None

    def selected_participant(self) -> RoundUnit | None:
        return self._selected(self.ui.units_table, self.units_model)

    def selected_judge(self) -> RoundJudge | None:
        row = self._selected(self.ui.judges_table, self.judges_model)
        return row.judge if row else None

    def selected_adjustment(self) -> RoundAdjustment | None:
        row = self._selected(self.ui.adjustments_table, self.adjustments_model)
        return row.adjustment if row else None

    # ----- after a change --------------------------------------------------------------------

    def _after_change(self, changes: Changes, select: int | None = None) -> None:
        """After a call to the core: read this tab again and pass on what the core said it changed."""
        self._load_rounds(select if select is not None else self.current_round_id())
        self.changed.emit(changes)

    def _scores_saved(self, changes: Changes) -> None:
        """A score was saved in the grid: the grid is up to date; the other pages are not.
        The round's header is read again only when the service says more than the scores
        changed: the first score moved a draft to 评分中, or a correction sealed a new version."""
        if self._detail is not None and changes & Changes.ROUND_SETUP:
            summary = next((s for s in self._core.rounds.list_rounds() if s.id == self._detail.id), None)
            if summary is not None and summary.status is not self._detail.status:
                self._detail = replace(self._detail, summary=summary)
                self._update_header()
        elif self._detail is not None and changes & Changes.RESULTS and self._detail.status is RoundStatus.FINAL:
            self._update_header()  # a correction sealed a new version: its 校验码 is shown
        self._dirty = set(range(len(PAGE_TITLES))) - {PAGE_SCORES}
        self.changed.emit(changes)

    def _run(self, action: Callable[[], Changed[object]]) -> bool:
        try:
            changed = action()
        except LsbError as exc:
            show_error(self, exc)
            return False
        self._after_change(changed.changes)
        return True

    # ----- dialogs -----------------------------------------------------------------------------
    # Each opens its dialog without blocking (open(), not exec()) and returns it, so the caller,
    # a test included, can fill it in and press its OK button.

    def _open(self, dialog: QDialog, on_saved=None) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if isinstance(dialog, ServiceDialog):
            dialog.saved.connect(on_saved or (lambda changed: self._after_change(changed.changes)))
        dialog.open()
        return dialog

    def open_new_round_dialog(self) -> NewRoundDialog:
        return self._open(NewRoundDialog(self._core, self), self._round_created)

    def _round_created(self, changed: Changed[RoundDetail]) -> None:
        detail = changed.value
        self._after_change(changed.changes, select=detail.id)
        left_out = self._core.rounds.left_out(detail.id)
        if left_out:
            show_info(self, "新建评比", left_out)

    def open_settings_dialog(self) -> RoundSettingsDialog | None:
        if self._detail is None:
            return None
        return self._open(RoundSettingsDialog(self._core, self._detail, self))

    def open_scheme_dialog(self, template: bool = True) -> SchemeDialog | None:
        if not template and self._detail is None:
            return None
        dialog = SchemeDialog(self._core, None if template else self._detail, self)
        return self._open(dialog, lambda changed: self.changed.emit(changed.changes))

    def open_adjustment_dialog(self, kind: AdjustmentType) -> AdjustmentDialog | None:
        if self._detail is None:
            return None
        return self._open(AdjustmentDialog(self._core, self._detail, kind, parent=self))

    def open_import_dialog(self) -> ScoreImportDialog | None:
        if self._detail is None:
            return None
        paths = choose_open_files(self, "scores", "选择评分表（可多选）", XLSX_FILTER)
        if not paths:
            return None
        dialog = ScoreImportDialog(self._core, self._detail, paths, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._imported(dialog.import_result.changes))
        dialog.open()
        return dialog

    def _imported(self, changes: Changes) -> None:
        self.ui.notice_label.setText("评分已导入")
        self._after_change(changes)

    # ----- actions -----------------------------------------------------------------------------

    def export_blank_sheets(self) -> str | None:
        detail = self._detail
        if detail is None:
            return None
        path = choose_save_file(
            self, "scores", "导出空白评分表", f"{detail.summary.period.label}评分表.xlsx", XLSX_FILTER
        )
        if not path:
            return None
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        try:
            township = self._core.settings.township().township_name
            self._core.rounds.write_blank_sheets(detail.id, Path(path), township)
        except LsbError as exc:
            show_error(self, exc)
            return None
        self.ui.notice_label.setText(f"已导出空白评分表：{path}")
        return path

    # ----- paper: ranking sheet, certificates, notices -----------------------------------------

    def export_paper(self, kind: str) -> str | None:
        """Export the ranking sheet, the certificates or the notices of the shown round."""
        detail = self._detail
        if detail is None:
            return None
        label, file_filter, suffix = PAPER_KINDS[kind]
        path = choose_save_file(
            self, "scores", f"导出{label}", f"{detail.summary.period.label}{label}{suffix}", file_filter
        )
        if not path:
            return None
        if not path.lower().endswith(suffix):
            path += suffix
        try:
            with noting_cut_cells() as cuts:
                self._write_paper(kind, Path(path))
        except LsbError as exc:
            show_error(self, exc)
            return None
        warning = self._core.paper.placeholder_warning()
        self._last_export = Path(path)
        cut = f"；{len(cuts)} 个单元格的文字超长，已截断" if cuts else ""
        self.ui.notice_label.setText(f"已导出{label}：{path}" + (f"（{warning}）" if warning else "") + cut)
        if cuts:
            # A 备注 longer than an Excel cell was cut with a mark: say which, once, after the export.
            show_info(self, "部分内容已截断", f"已导出{label}：{path}\n\n{cut_cells_warning(cuts)}")
        self.ui.open_export_button.show()
        self.ui.folder_export_button.show()
        return path

    def _write_paper(self, kind: str, path: Path) -> None:
        paper = self._core.paper
        if kind == "calibration":
            paper.calibration_page(path)
            return
        round_id = self._detail.id
        if kind == "ranking":
            paper.export_ranking(round_id, path)
            return
        progress = QProgressDialog(f"正在生成{PAPER_KINDS[kind][0]}…", "", 0, 0, self)
        progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(400)

        def step(done: int, total: int) -> None:
            progress.setMaximum(total)
            progress.setValue(done)
            QApplication.processEvents()

        try:
            export = paper.export_certificates if kind == "certificates" else paper.export_notices
            export(round_id, path, progress=step)
        finally:
            progress.close()

    def preview_paper(self, kind: str) -> PdfPrintPreview | None:
        """Write the PDF to the data folder's 打印 folder and open Qt's print preview on it."""
        if kind != "calibration" and self._detail is None:
            return None
        folder = self._core.data_dir / "打印"
        folder.mkdir(parents=True, exist_ok=True)
        name = (
            "校准页.pdf"
            if kind == "calibration"
            else f"{self._detail.summary.period.short_label}{PAPER_KINDS[kind][0]}.pdf"
        )
        path = folder / name
        try:
            self._write_paper(kind, path)
        except LsbError as exc:
            show_error(self, exc)
            return None
        dialog = PdfPrintPreview(path, self)
        dialog.open()
        return dialog

    def open_certificate_settings(self) -> QDialog:
        from ui.scoring.paper_dialogs import CertificateSettingsDialog

        dialog = CertificateSettingsDialog(self._core, self)
        dialog.open()
        return dialog

    def open_meeting(self) -> MeetingWindow | None:
        """会议展示 of the shown round, full screen; a second press replaces the first show."""
        detail = self._detail
        if detail is None:
            return None
        try:
            self._meeting = start_show(self._core, detail.id, self, replacing=self._meeting)
        except LsbError as exc:
            show_error(self, exc)
            return None
        return self._meeting

    def finalize_round(self) -> bool:
        detail = self._detail
        if detail is None or detail.status is RoundStatus.FINAL:
            return False
        if not ask_confirm(
            self,
            "定稿",
            f"定稿后“{detail.summary.label}”的结果将冻结保存；"
            "此后修改分数或加扣分须写明更正原因，原结果保留。\n确定定稿吗？",
        ):
            return False
        if not self._run(lambda: self._core.rounds.finalize(detail.id)):
            return False
        self.show_page(PAGE_RESULTS)
        return True

    def decide_tie(self, method: TieMethod) -> bool:
        """The clerk's answer to the first undecided boundary tie (kept for that tie, audited)."""
        detail = self._detail
        if detail is None or not self._ties:
            return False
        tie = self._ties[0]
        return self._run(lambda: self._core.rounds.decide_tie(detail.id, tie, method))

    def open_committee_dialog(self) -> CommitteeDecisionDialog | None:
        detail = self._detail
        if detail is None or not self._ties:
            return None
        return self._open(CommitteeDecisionDialog(self._core, detail.id, self._ties[0], self))

    def undo_tie_decision(self) -> bool:
        detail = self._detail
        if detail is None or not self._decided:
            return False
        decision, given = self._decided[-1]
        if not ask_confirm(self, "撤回并列决定", f"撤回“{decision.describe(given)}”吗？撤回后需要重新决定。"):
            return False
        return self._run(lambda: self._core.rounds.undo_tie_decision(detail.id, decision))

    def remove_selected_adjustment(self) -> bool:
        detail, adjustment = self._detail, self.selected_adjustment()
        if detail is None or adjustment is None:
            return False
        unit = detail.unit(adjustment.round_unit_id).name
        what = adjustment.kind.label + (f" {display_points(adjustment.amount)} 分" if adjustment.amount else "")
        if not ask_confirm(self, "撤销", f"撤销“{unit}”的{what}（{adjustment.reason}）吗？"):
            return False
        correction = ""
        if detail.status is RoundStatus.FINAL:
            correction = ask_correction_reason(self)
            if not correction:
                return False
        return self._run(lambda: self._core.rounds.remove_adjustment(detail.id, adjustment.id, correction))

    def toggle_selected_visited(self) -> bool:
        detail, unit = self._detail, self.selected_participant()
        if detail is None or unit is None:
            return False
        note = ""
        if unit.visited:
            note = ask_text(self, "本季度未观摩", f"“{unit.name}”本季度未观摩，不参加排名。说明（可不填）：")
            if note is None:
                return False
        return self._run(lambda: self._core.rounds.set_visited(detail.id, unit.id, not unit.visited, note))

    def add_judge(self, name: str | None = None) -> bool:
        detail = self._detail
        if detail is None:
            return False
        if name is None:
            name = ask_text(self, "增加评委", "评委姓名：")
            if name is None:
                return False
        return self._run(lambda: self._core.rounds.add_judge(detail.id, name))

    def remove_selected_judge(self) -> bool:
        detail, judge = self._detail, self.selected_judge()
        if detail is None or judge is None:
            return False
        if not ask_confirm(self, "移除评委", f"从本次评比中移除评委“{judge.name}”吗？"):
            return False
        return self._run(lambda: self._core.rounds.remove_judge(detail.id, judge.id))
