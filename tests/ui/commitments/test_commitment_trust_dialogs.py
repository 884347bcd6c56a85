"""Issue 11, points 8–10, through the 承诺事项 tab's real dialogs: the import window asks for the
year, lists the 将替换 rows with old and new text and imports only after the clerk ticks that
she checked them; the carry-over window carries what it lists and names what it leaves out;
the original then shows 已结转; the list, the summary and its header state the one day 逾期 is
counted to, and agree."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import factories
import pytest
from factories import make_unit
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialogButtonBox
from test_commitments_tab import HEADERS, TODAY, YEAR

from lsb_desktop.changes import Changes
from lsb_desktop.domain.commitments import CommitmentDraft, CommitmentStatus
from ui.commitments.dialogs import CommitmentImportDialog
from ui.commitments.tab import PAGE_SUMMARY, CommitmentsTab, SummaryTableModel
from ui.widgets.table_model import shown_rows

pytestmark = pytest.mark.gui


@pytest.fixture
def units(core):
    return [
        make_unit(core, name, secretary=person)
        for name, person in (("张五砦村", "李禛"), ("刘堌堆村", "刘喆"), ("王庄村", "王永强"))
    ]


def make_tab(qtbot, core, today: date = TODAY) -> CommitmentsTab:
    widget = CommitmentsTab(core, today=today)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    return widget


def add_item(core, unit, content: str, *, quarter: int | None = None, year: int = YEAR, **fields):
    return core.commitments.add(
        CommitmentDraft(
            unit_id=unit.id, year=year, content=content, category="民生实事", target_quarter=quarter, **fields
        )
    )


def write_sheet(
    path: Path, rows: list[list[object]], header=("村（社区）", "序号", "类别", "承诺事项", "完成时限")
) -> Path:
    return factories.write_sheet(path, header, rows, "承诺事项")


def choose_year(qtbot, dialog: CommitmentImportDialog, text: str) -> None:
    """Focus the 导入年度 list and type, as a clerk picks from a closed combo box."""
    dialog.year_combo.setFocus()
    qtbot.keyClicks(dialog.year_combo, text)


def cell(tab: CommitmentsTab, item_id: int, header: str) -> str:
    row = tab.model.find_row(lambda r: r.item.id == item_id)
    assert row is not None
    return tab.model.data(tab.model.index(row, HEADERS.index(header)), Qt.ItemDataRole.DisplayRole)


def reload(tab: CommitmentsTab, year: int = YEAR) -> None:
    tab.reload(Changes.COMMITMENTS)
    tab.set_year(year)


# ----- 8: the import window -------------------------------------------------------------------


def test_import_asks_for_the_year_lists_replacements_and_needs_the_tick(
    qtbot, core, units, boxes, tmp_path, file_dialogs
):
    road = add_item(core, units[0], "硬化村内道路1.2公里", number=1)
    square = add_item(core, units[0], "新建文化广场1处", number=2)
    tab = make_tab(qtbot, core)
    reload(tab)
    path = write_sheet(
        tmp_path / "承诺.xlsx",
        [
            ["张五砦村", 1, "民生实事", "硬化村内道路1.2公里", ""],
            ["张五砦村", 2, "民生实事", "安装路灯50盏", "第三季度"],  # 序号 2 now says something else
            ["刘堌堆村", 1, "民生实事", "建养老服务站", ""],
        ],
    )
    file_dialogs.pick(path)
    dialog = tab.open_import_dialog()
    # No 年度 column: the dialog asks; the year on screen is not taken.
    assert dialog.year() is None and dialog.year_combo.currentText() == "请选择年度"
    assert not dialog.import_button.isEnabled()
    assert "请先在上方选择导入年度" in dialog.summary_label.text()
    assert dialog.rule_label.text().startswith("对应规则：")

    choose_year(qtbot, dialog, str(YEAR))
    assert dialog.year() == YEAR and dialog.preview.ok
    assert dialog.pages.currentIndex() == dialog.PAGE_REPLACED
    assert dialog.pages.tabText(dialog.PAGE_REPLACED) == "将替换（1）"
    shown = [
        [dialog.replaced_model.data(dialog.replaced_model.index(r, c)) for c in range(9)]
        for r in range(dialog.replaced_model.rowCount())
    ]
    assert shown == [
        ["3", "张五砦村", str(YEAR), "2", "安装路灯50盏", "按序号", "内容", "新建文化广场1处", "安装路灯50盏"],
        ["3", "张五砦村", str(YEAR), "2", "安装路灯50盏", "按序号", "完成时限", f"{YEAR}年底", f"{YEAR}年第三季度"],
    ]
    assert "将替换 1 项" in dialog.summary_label.text()
    assert (
        dialog.confirm_box.isVisible() and dialog.confirm_box.text() == "我已核对将替换的 1 项，确认用文件中的内容替换"
    )
    assert not dialog.import_button.isEnabled()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)  # disabled: nothing happens
    assert core.commitments.get(square.id).content == "新建文化广场1处"

    box = dialog.confirm_box
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(10, box.height() // 2))  # on the tick box
    assert dialog.confirm_box.isChecked() and dialog.import_button.isEnabled()
    with qtbot.waitSignal(tab.changed):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.import_count == 2  # one replaced, one new
    assert core.commitments.get(square.id).content == "安装路灯50盏"
    assert core.commitments.get(road.id).content == "硬化村内道路1.2公里"
    assert [e.action for e in core.audit.entries(f"commitment:{square.id}")][0] == "导入更新承诺事项"


def test_a_year_column_that_disagrees_with_the_chosen_year_is_refused(
    qtbot, core, units, boxes, tmp_path, file_dialogs
):
    tab = make_tab(qtbot, core)
    path = write_sheet(
        tmp_path / "年度.xlsx",
        [[YEAR - 1, "张五砦村", 1, "民生实事", "修路", ""]],
        header=("年度", "村（社区）", "序号", "类别", "承诺事项", "完成时限"),
    )
    file_dialogs.pick(path)
    dialog = tab.open_import_dialog()
    assert dialog.year_combo.currentText() == "按文件中的“年度”列"
    assert dialog.preview.ok and dialog.import_button.isEnabled()
    choose_year(qtbot, dialog, str(YEAR))
    assert not dialog.preview.ok and not dialog.import_button.isEnabled()
    assert f"年度 {YEAR - 1} 与指定的导入年度 {YEAR} 年不一致" in dialog.problem_model.rows[0]
    dialog.year_combo.setFocus()
    qtbot.keyClick(dialog.year_combo, Qt.Key.Key_Home)  # back to 按文件中的“年度”列
    assert dialog.year() is None and dialog.preview.ok
    with qtbot.waitSignal(tab.changed):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert [c.content for c in core.commitments.list_commitments(YEAR - 1)] == ["修路"]


# ----- 9: carry-over --------------------------------------------------------------------------


def test_carry_over_lists_what_it_leaves_out_and_the_original_shows_carried(qtbot, core, units, boxes):
    kept = add_item(core, units[0], "修路", quarter=2)
    merged = add_item(core, units[2], "建广场")
    core.villages.merge_unit(units[2].id, units[0].id, date(YEAR, 12, 31), "撤村并村")
    tab = make_tab(qtbot, core)
    reload(tab)
    assert cell(tab, kept.id, "状态") == "逾期"  # due at the end of Q2, open on 1 July
    dialog = tab.open_carry_over_dialog()
    assert [row.item.id for row in dialog.model.rows] == [kept.id]
    assert [(row.item.id, row.reason) for row in dialog.left_model.rows] == [
        (merged.id, f"“王庄村”在 {YEAR + 1} 年已合并，不能有该年的承诺事项，不结转")
    ]
    assert dialog.left_table.isVisibleTo(dialog) and "不结转 1 项" in dialog.left_label.text()
    ok = dialog.button_box.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.text() == "结转 1 项"
    with qtbot.waitSignal(tab.changed):
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    (carried,) = core.commitments.list_commitments(YEAR + 1)
    assert carried.carried_from_id == kept.id  # exactly what the window listed
    assert "1 项未结转" in tab.ui.notice_label.text()

    reload(tab)
    assert cell(tab, kept.id, "状态") == "已结转"
    assert cell(tab, merged.id, "状态") == "未启动"  # left out: still open in its year
    assert "已结转 1" in tab.ui.count_label.text() and "逾期 0" in tab.ui.count_label.text()
    assert tab.select_commitment(kept.id)
    assert f"已结转到 {YEAR + 1} 年第 1 项，不计逾期" in tab.ui.values["status"].text()
    assert tab.ui.values["carried"].text() == f"已结转到 {YEAR + 1} 年第 1 项"
    tab.ui.pages.setCurrentIndex(PAGE_SUMMARY)
    row = next(r for r in shown_rows(tab.summary_proxy) if r.unit_name == "张五砦村")
    assert (row.completion.overdue, row.completion.carried, row.completion.rate_text) == (0, 1, "0.00%")


# ----- 10: one 逾期 -----------------------------------------------------------------------------


def test_list_summary_and_header_state_one_day_and_agree(qtbot, core, units, boxes):
    today = date.today()
    add_item(core, units[0], "到年底没完成")  # due at the end of last year: 逾期 once it is over
    add_item(core, units[0], "二季度没完成", quarter=2)
    add_item(core, units[1], "按时完成", quarter=3, status=CommitmentStatus.DONE, completed_on=date(YEAR, 9, 1))
    tab = make_tab(qtbot, core, today)
    reload(tab)
    day = f"{YEAR}-12-31"
    assert tab.counted_day(YEAR) == date(YEAR, 12, 31)
    assert tab.ui.count_label.text().endswith(f"逾期 2</span>；统计到 {day}）")
    tab.ui.pages.setCurrentIndex(PAGE_SUMMARY)
    header = tab.summary_model.headerData(SummaryTableModel.OVERDUE_COLUMN, Qt.Orientation.Horizontal)
    assert header == f"逾期\n（统计到 {day}）"
    total = shown_rows(tab.summary_proxy)
    assert sum(r.completion.overdue for r in total if not r.is_total) == 2
    assert f"统计到 {day}" in tab.ui.summary_label.text() and "<b>2</b></span> 项" in tab.ui.summary_label.text()
    export = tab.open_export_dialog()
    assert export.counted_day() == date(YEAR, 12, 31)
    assert f"统计到 {day}" in export.counted_label.text()
    export.reject()
