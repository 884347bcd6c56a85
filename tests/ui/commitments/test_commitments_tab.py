"""The 承诺事项 tab driven through its real dialogs, on a real data folder.

The tab is pinned to a day in the middle of last year (`TODAY`), so which items are 逾期 does not
depend on when the tests run; every date the service is given lies before the real today."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from factories import make_unit
from openpyxl import Workbook, load_workbook
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox

from lsb_desktop.changes import Changes
from lsb_desktop.domain.commitments import CommitmentDraft, CommitmentStatus
from lsb_desktop.domain.period import Period
from ui.commitments import tab as commitments_tab
from ui.commitments.dialogs import (
    AdjustDialog,
    CancelDialog,
    CategoriesDialog,
    CommitmentDialog,
    ProgressDialog,
)
from ui.commitments.tab import (
    NO_UNITS_TEXT,
    PAGE_ITEMS,
    PAGE_SUMMARY,
    TOTAL_NAME,
    WORST_ROW,
    CommitmentsTab,
    SummaryTableModel,
)
from ui.widgets.table_model import OBJECT_ROLE, shown_rows

pytestmark = pytest.mark.gui

YEAR = date.today().year - 1
TODAY = date(YEAR, 7, 1)
HEADERS = ["村（社区）", "序号", "类别", "承诺事项", "量化目标", "完成时限", "责任人", "状态", "最新进度", "附件"]


@pytest.fixture
def units(core):
    first = core.villages.add_district("第一管区").value
    second = core.villages.add_district("第二管区").value
    return [
        make_unit(core, name, district_id=district.id, secretary=person)
        for name, district, person in (
            ("张五砦村", first, "李禛"),
            ("刘堌堆村", first, "刘喆"),
            ("王庄村", second, "王永强"),
        )
    ]


def make_tab(qtbot, core) -> CommitmentsTab:
    widget = CommitmentsTab(core, today=TODAY)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    return widget


@pytest.fixture
def tab(qtbot, core, units, boxes):
    return make_tab(qtbot, core)


def add_item(
    core,
    unit,
    content: str,
    *,
    deadline: date | None = None,
    quarter: int | None = None,
    category: str = "基层党建",
    year: int = YEAR,
):
    return core.commitments.add(
        CommitmentDraft(
            unit_id=unit.id,
            year=year,
            content=content,
            category=category,
            target="1 项",
            deadline=deadline,
            target_quarter=quarter,
            responsible=unit.secretary,
        )
    )


def click_ok(qtbot, dialog) -> None:
    box = dialog.ui.button_box if hasattr(dialog, "ui") else dialog.button_box
    qtbot.mouseClick(box.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def type_text(widget, text: str) -> None:
    """Type as a clerk does, through the input method: QTest.keyClicks knows only ASCII."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def set_combo(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def cell(tab: CommitmentsTab, item_id: int, header: str, role=Qt.ItemDataRole.DisplayRole):
    row = tab.model.find_row(lambda r: r.item.id == item_id)
    assert row is not None
    return tab.model.data(tab.model.index(row, HEADERS.index(header)), role)


def shown_contents(tab: CommitmentsTab) -> list[str]:
    return [row.item.content for row in shown_rows(tab.proxy)]


def reload(tab: CommitmentsTab) -> None:
    tab.reload(Changes.COMMITMENTS)
    tab.set_year(YEAR)


# ----- models and empty states ----------------------------------------------------------------


@pytest.mark.qt_log_level_fail("WARNING")
@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_models_pass_the_model_tester(qtmodeltester, core, units, tab):
    first = add_item(core, units[0], "硬化村内主干道 1.2 公里", deadline=date(YEAR, 3, 31))
    add_item(core, units[1], "集体经济收入 20 万元")
    reload(tab)
    tab.select_commitment(first.id)
    assert tab.model.rowCount() == 2
    headers = [tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(tab.model.columnCount())]
    assert headers == HEADERS
    qtmodeltester.check(tab.model, force_py=True)
    qtmodeltester.check(tab.proxy)
    qtmodeltester.check(tab.summary_model, force_py=True)
    qtmodeltester.check(tab.summary_proxy)
    top = tab.model.index(0, 0)
    assert tab.model.data(top, OBJECT_ROLE).item.id == first.id


def test_without_units_the_tab_says_to_register_them_first(qtbot, core, boxes):
    tab = make_tab(qtbot, core)
    assert tab.ui.body.currentWidget() is tab.ui.no_units_label
    assert "请先在“村（社区）”页登记" in NO_UNITS_TEXT
    assert not tab.ui.add_button.isEnabled()
    assert tab.open_add_dialog() is None


def test_a_year_without_items_says_how_to_add_them(core, units, tab):
    assert tab.year() == YEAR  # this (pinned) year, with nothing yet
    assert tab.ui.table_stack.currentWidget() is tab.ui.empty_label
    assert "点“新增事项”" in tab.ui.empty_label.text() and "点“导入…”" in tab.ui.empty_label.text()
    add_item(core, units[0], "修缮村史馆")
    reload(tab)
    assert tab.ui.table_stack.currentWidget() is tab.ui.splitter
    tab.set_year(YEAR + 1)
    assert tab.ui.table_stack.currentWidget() is tab.ui.empty_label
    # The year before has open items: the message points to 结转.
    assert "结转到下一年" in tab.ui.empty_label.text()


def test_reload_ignores_changes_it_does_not_show(core, units, tab):
    add_item(core, units[0], "修缮村史馆")
    tab.reload(Changes.ROUNDS | Changes.STARS)
    assert tab.model.rowCount() == 0
    tab.reload(Changes.UNITS)
    tab.set_year(YEAR)
    assert shown_contents(tab) == ["修缮村史馆"]


# ----- adding and editing ---------------------------------------------------------------------


def test_add_an_item_through_the_dialog(qtbot, core, units, tab, boxes):
    tab.set_year(YEAR)
    dialog = tab.open_add_dialog()
    assert isinstance(dialog, CommitmentDialog) and dialog.isVisible()
    assert dialog.ui.year_spin.value() == YEAR
    set_combo(dialog.ui.unit_combo, units[1].id)
    # The secretary answers for the commitments unless the clerk names someone else.
    assert dialog.ui.responsible_edit.text() == "刘喆"
    assert dialog.ui.number_spin.specialValueText().startswith("自动")
    dialog.ui.category_combo.setCurrentIndex(dialog.ui.category_combo.findText("民生实事"))
    type_text(dialog.ui.content_edit, "建成村级养老服务站一处")
    type_text(dialog.ui.target_edit, "1 处，床位 20 张")
    dialog.ui.due_edit.quarter_radio.setChecked(True)
    set_combo(dialog.ui.due_edit.quarter_combo, 3)

    with qtbot.waitSignal(tab.changed) as signal:
        click_ok(qtbot, dialog)

    assert signal.args == [Changes.COMMITMENTS]
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert boxes.texts == []
    (item,) = core.commitments.list_commitments(YEAR)
    assert (
        item.unit_id,
        item.number,
        item.category,
        item.content,
        item.target,
        item.deadline,
        item.target_quarter,
        item.responsible,
    ) == (units[1].id, 1, "民生实事", "建成村级养老服务站一处", "1 处，床位 20 张", None, 3, "刘喆")
    assert tab.selected().id == item.id
    assert cell(tab, item.id, "完成时限") == f"{YEAR}年第三季度"
    assert cell(tab, item.id, "状态") == "未启动"
    assert tab.ui.title_label.text() == f"刘堌堆村 · {YEAR}年第 1 项"


def test_a_new_item_the_filters_would_hide_loosens_them(qtbot, core, units, tab):
    tab.set_year(YEAR)
    set_combo(tab.ui.district_combo, units[0].district_id)
    for unit, content in ((units[1], "同一管区的事项"), (units[2], "另一管区的事项")):
        dialog = tab.open_add_dialog()
        set_combo(dialog.ui.unit_combo, unit.id)
        type_text(dialog.ui.content_edit, content)
        with qtbot.waitSignal(tab.changed):
            click_ok(qtbot, dialog)
        if unit is units[1]:
            # Shown under the chosen 管区: the filter stays.
            assert tab.ui.district_combo.currentData() == units[0].district_id
    assert tab.ui.district_combo.currentData() is commitments_tab.Scope.ALL
    assert shown_contents(tab) == ["同一管区的事项", "另一管区的事项"]
    assert tab.selected().content == "另一管区的事项"


def test_an_item_without_content_is_refused_and_the_dialog_stays(qtbot, core, units, tab, boxes):
    dialog = tab.open_add_dialog()
    click_ok(qtbot, dialog)
    assert len(boxes.texts) == 1 and "不能为空" in boxes.texts[0]
    assert dialog.isVisible()
    assert core.commitments.years() == []
    dialog.reject()


def test_editing_corrects_the_text_without_keeping_it(qtbot, core, units, tab, boxes):
    item = add_item(core, units[0], "硬化道路 1.2 公理")
    reload(tab)
    tab.select_commitment(item.id)
    dialog = tab.open_edit_dialog()
    assert not dialog.ui.unit_combo.isEnabled()
    dialog.ui.content_edit.setPlainText("硬化道路 1.2 公里")
    dialog.ui.due_edit.date_radio.setChecked(True)
    dialog.ui.due_edit.date_edit.setDate(QDate(YEAR, 10, 31))
    with qtbot.waitSignal(tab.changed):
        click_ok(qtbot, dialog)
    stored = core.commitments.get(item.id)
    assert (stored.content, stored.deadline, stored.adjusted) == ("硬化道路 1.2 公里", date(YEAR, 10, 31), False)
    # Saving without a change closes quietly: no "没有任何改动" box for the clerk.
    dialog = tab.open_edit_dialog()
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert boxes.texts == []


def test_double_click_opens_the_edit_dialog(qtbot, core, units, tab):
    item = add_item(core, units[2], "建养老服务站")
    reload(tab)
    index = tab.proxy.index(0, HEADERS.index("承诺事项"))
    tab.ui.table.doubleClicked.emit(index)
    (dialog,) = [d for d in tab.findChildren(CommitmentDialog) if d.isVisible()]
    assert dialog.commitment.id == item.id
    assert dialog.ui.content_edit.toPlainText() == "建养老服务站"
    dialog.reject()


# ----- progress and evidence ------------------------------------------------------------------


def test_record_progress_for_a_quarter(qtbot, core, units, tab, boxes):
    item = add_item(core, units[0], "硬化村内主干道 1.2 公里")
    reload(tab)
    tab.select_commitment(item.id)
    dialog = tab.open_progress_dialog()
    assert isinstance(dialog, ProgressDialog)
    assert dialog.period() == Period(YEAR, 3)  # the pinned day's quarter
    assert dialog.set_period(Period(YEAR, 2))
    dialog.ui.percent_spin.setValue(60)
    assert not dialog.ui.complete_check.isEnabled()  # only at 100 %
    type_text(dialog.ui.text_edit, "完成路基 0.7 公里")
    dialog.ui.date_edit.setDate(QDate(YEAR, 6, 20))

    with qtbot.waitSignal(tab.changed) as signal:
        click_ok(qtbot, dialog)

    assert signal.args == [Changes.COMMITMENTS]
    assert boxes.texts == []
    (entry,) = tab.progress_model.rows
    assert (entry.period, entry.percent, entry.done_text, entry.entry_date) == (
        Period(YEAR, 2),
        60,
        "完成路基 0.7 公里",
        date(YEAR, 6, 20),
    )
    assert cell(tab, item.id, "最新进度") == "60%"
    assert cell(tab, item.id, "状态") == "推进中"  # work has begun
    assert core.commitments.progress(item.id)[0].percent == 60

    # The same quarter again replaces the entry; 100 % with 本季度已完成 completes the item.
    dialog = tab.open_progress_dialog()
    assert dialog.set_period(Period(YEAR, 2))
    assert dialog.ui.percent_spin.value() == 60 and "替换" in dialog.ui.existing_label.text()
    dialog.ui.percent_spin.setValue(100)
    assert dialog.ui.complete_check.isEnabled()
    dialog.ui.complete_check.setChecked(True)
    with qtbot.waitSignal(tab.changed):
        click_ok(qtbot, dialog)
    assert [e.percent for e in tab.progress_model.rows] == [100]
    assert cell(tab, item.id, "状态") == "已完成"
    assert core.commitments.get(item.id).completed_on == date(YEAR, 6, 20)
    assert not tab.ui.complete_button.isEnabled() and tab.ui.reopen_button.isEnabled()


def test_attach_a_file_and_open_it_after_the_checksum(
    qtbot, core, units, tab, boxes, tmp_path, monkeypatch, file_dialogs
):
    item = add_item(core, units[0], "整治坑塘 3 个")
    core.commitments.record_progress(item.id, Period(YEAR, 2), 50, "整治 2 个", date(YEAR, 6, 1))
    photo = tmp_path / "坑塘整治前后.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 a photo of a pond " * 64)
    opened: list[Path] = []
    monkeypatch.setattr(commitments_tab, "open_file", lambda path, parent=None: opened.append(Path(path)) or True)
    reload(tab)
    tab.select_commitment(item.id)
    file_dialogs.pick([photo])
    dialog = tab.open_attach_dialog()
    # Attached to the quarter's entry by default (the latest one).
    assert dialog.period() == Period(YEAR, 2)
    dialog.note_edit.setText("整治前后对比")
    with qtbot.waitSignal(tab.changed):
        click_ok(qtbot, dialog)

    assert boxes.texts == []
    (file,) = [row.file for row in tab.evidence_model.rows]
    assert file.name == "坑塘整治前后.jpg" and file.note == "整治前后对比"
    assert file.sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert Path(file.path).read_bytes() == photo.read_bytes() and Path(file.path) != photo
    assert tab.progress_model.rows[0].evidence[0].id == file.id
    assert cell(tab, item.id, "附件") == "1"
    assert not tab.ui.delete_button.isEnabled()

    qtbot.mouseClick(tab.ui.open_evidence_button, Qt.MouseButton.LeftButton)
    # What opens is a read-only copy under the clerk's file name, never the kept file itself.
    assert len(opened) == 1 and opened[0].name == "坑塘整治前后.jpg" and opened[0] != Path(file.path)
    assert opened[0].read_bytes() == photo.read_bytes()

    # A file changed behind the program's back is not opened: the clerk is told.
    Path(file.path).write_bytes(b"something else")
    qtbot.mouseClick(tab.ui.open_evidence_button, Qt.MouseButton.LeftButton)
    assert len(opened) == 1
    assert len(boxes.texts) == 1 and "校验值" in boxes.texts[0]


# ----- cancel, adjust, complete, delete ---------------------------------------------------------


def test_cancel_needs_a_reason(qtbot, core, units, tab, boxes):
    item = add_item(core, units[0], "新建文化广场一处")
    reload(tab)
    tab.select_commitment(item.id)
    dialog = tab.open_cancel_dialog()
    assert isinstance(dialog, CancelDialog)
    click_ok(qtbot, dialog)
    assert boxes.texts == ["取消承诺事项必须写明原因"]
    assert dialog.isVisible()
    assert core.commitments.get(item.id).status is CommitmentStatus.NOT_STARTED

    type_text(dialog.ui.reason_edit, "项目由县里统一实施")
    dialog.ui.date_edit.setDate(QDate(YEAR, 5, 10))
    with qtbot.waitSignal(tab.changed):
        click_ok(qtbot, dialog)

    stored = core.commitments.get(item.id)
    assert (stored.status, stored.cancel_reason, stored.cancelled_on) == (
        CommitmentStatus.CANCELLED,
        "项目由县里统一实施",
        date(YEAR, 5, 10),
    )
    assert cell(tab, item.id, "状态") == "已取消"
    assert cell(tab, item.id, "承诺事项", Qt.ItemDataRole.FontRole).strikeOut()
    assert cell(tab, item.id, "状态", Qt.ItemDataRole.ToolTipRole) == "取消原因：项目由县里统一实施"
    assert tab.ui.cancelled_box.isVisibleTo(tab) and "项目由县里统一实施" in tab.ui.cancelled_label.text()
    for button in (tab.ui.cancel_button, tab.ui.adjust_button, tab.ui.complete_button, tab.ui.progress_button):
        assert not button.isEnabled()


def test_adjust_keeps_the_original(qtbot, core, units, tab, boxes):
    item = add_item(core, units[0], "完成 500 户不动产权证书发放", quarter=2)
    reload(tab)
    tab.select_commitment(item.id)
    dialog = tab.open_adjust_dialog()
    assert isinstance(dialog, AdjustDialog)
    assert "完成 500 户不动产权证书发放" in dialog.ui.original_label.text()
    dialog.ui.content_edit.setPlainText("完成 450 户不动产权证书发放")
    dialog.ui.target_edit.setText("450 户")
    dialog.ui.due_edit.quarter_radio.setChecked(True)
    set_combo(dialog.ui.due_edit.quarter_combo, 4)
    click_ok(qtbot, dialog)
    assert boxes.texts == ["调整承诺事项必须写明原因"]
    type_text(dialog.ui.reason_edit, "50 户存在权属争议")
    dialog.ui.date_edit.setDate(QDate(YEAR, 6, 15))
    with qtbot.waitSignal(tab.changed):
        click_ok(qtbot, dialog)

    stored = core.commitments.get(item.id)
    assert (stored.content, stored.original_content, stored.target_quarter, stored.adjust_reason) == (
        "完成 450 户不动产权证书发放",
        "完成 500 户不动产权证书发放",
        4,
        "50 户存在权属争议",
    )
    assert cell(tab, item.id, "状态") == "已调整"
    content = cell(tab, item.id, "承诺事项")
    assert content.startswith("【调】") and content.endswith("完成 450 户不动产权证书发放")
    tooltip = cell(tab, item.id, "承诺事项", Qt.ItemDataRole.ToolTipRole)
    assert "原承诺：完成 500 户不动产权证书发放" in tooltip and "调整原因：50 户存在权属争议" in tooltip
    assert tab.ui.adjusted_box.isVisibleTo(tab)
    assert "原承诺：完成 500 户不动产权证书发放" in tab.ui.adjusted_label.text()
    assert f"原时限：{YEAR}年6月30日" in tab.ui.adjusted_label.text()  # the end of the first target quarter


def test_complete_and_reopen(qtbot, core, units, tab, boxes):
    item = add_item(core, units[0], "安装路灯 40 盏")
    reload(tab)
    tab.select_commitment(item.id)
    dialog = tab.open_complete_dialog()
    assert dialog.date_edit.date().toPython() == TODAY
    dialog.date_edit.setDate(QDate(YEAR, 4, 2))
    with qtbot.waitSignal(tab.changed):
        click_ok(qtbot, dialog)
    assert core.commitments.get(item.id).completed_on == date(YEAR, 4, 2)
    assert cell(tab, item.id, "状态") == "已完成"

    boxes.confirm = False
    assert not tab.reopen_selected()
    assert core.commitments.get(item.id).status is CommitmentStatus.DONE
    boxes.confirm = True
    with qtbot.waitSignal(tab.changed):
        assert tab.reopen_selected()
    assert core.commitments.get(item.id).status is CommitmentStatus.IN_PROGRESS
    assert cell(tab, item.id, "状态") == "推进中"


def test_delete_an_item_typed_by_mistake(qtbot, core, units, tab, boxes):
    keep = add_item(core, units[0], "修缮村史馆")
    wrong = add_item(core, units[0], "修缮村史馆（重复）")
    reload(tab)
    tab.select_commitment(wrong.id)
    dialog = tab.open_delete_dialog()
    click_ok(qtbot, dialog)
    assert boxes.texts == ["删除承诺事项必须写明原因"]
    type_text(dialog.ui.reason_edit, "重复录入")
    with qtbot.waitSignal(tab.changed):
        click_ok(qtbot, dialog)
    assert [i.id for i in core.commitments.list_commitments(YEAR)] == [keep.id]
    assert shown_contents(tab) == ["修缮村史馆"]


# ----- filters and summary ----------------------------------------------------------------------


def test_filters_by_status_district_unit_category_and_text(qtbot, core, units, tab):
    late = add_item(core, units[0], "硬化道路", deadline=date(YEAR, 3, 31))
    add_item(core, units[0], "集体收入 20 万元", category="集体经济·产业")
    add_item(core, units[1], "整治坑塘", quarter=1)
    add_item(core, units[2], "建养老服务站", quarter=1)
    done = add_item(core, units[2], "修缮村史馆", deadline=date(YEAR, 5, 31))
    core.commitments.set_status(done.id, CommitmentStatus.DONE, on=date(YEAR, 5, 20))
    reload(tab)
    assert len(shown_rows(tab.proxy)) == 5

    set_combo(tab.ui.status_combo, CommitmentStatus.OVERDUE)
    assert shown_contents(tab) == ["硬化道路", "整治坑塘", "建养老服务站"]
    assert cell(tab, late.id, "状态") == "逾期"
    assert cell(tab, late.id, "状态", Qt.ItemDataRole.ForegroundRole) == commitments_tab.OVERDUE_TEXT
    assert "逾期 3" in tab.ui.count_label.text()

    set_combo(tab.ui.district_combo, units[2].district_id)
    assert shown_contents(tab) == ["建养老服务站"]
    # The unit filter lists only the chosen 管区's units.
    unit_ids = [tab.ui.unit_combo.itemData(i) for i in range(tab.ui.unit_combo.count())]
    assert unit_ids == [None, units[2].id]

    set_combo(tab.ui.status_combo, commitments_tab.Scope.ALL)
    assert shown_contents(tab) == ["建养老服务站", "修缮村史馆"]
    set_combo(tab.ui.status_combo, commitments_tab.Scope.OPEN)
    assert shown_contents(tab) == ["建养老服务站"]

    set_combo(tab.ui.status_combo, commitments_tab.Scope.ALL)
    set_combo(tab.ui.district_combo, commitments_tab.Scope.ALL)
    set_combo(tab.ui.unit_combo, units[0].id)
    assert shown_contents(tab) == ["硬化道路", "集体收入 20 万元"]
    set_combo(tab.ui.category_combo, "集体经济·产业")
    assert shown_contents(tab) == ["集体收入 20 万元"]
    set_combo(tab.ui.unit_combo, None)
    set_combo(tab.ui.category_combo, None)
    tab.ui.search_edit.setText("坑塘")
    assert shown_contents(tab) == ["整治坑塘"]
    tab.ui.search_edit.setText("王永强")  # the responsible person
    assert shown_contents(tab) == ["建养老服务站", "修缮村史馆"]


def test_sorting_by_a_header(core, units, tab):
    add_item(core, units[0], "甲", deadline=date(YEAR, 9, 30))
    add_item(core, units[1], "乙", deadline=date(YEAR, 2, 28))
    add_item(core, units[2], "丙")
    reload(tab)
    tab.ui.table.sortByColumn(HEADERS.index("完成时限"), Qt.SortOrder.AscendingOrder)
    assert shown_contents(tab) == ["乙", "甲", "丙"]
    tab.ui.table.sortByColumn(HEADERS.index("状态"), Qt.SortOrder.AscendingOrder)
    assert shown_contents(tab)[0] == "乙"  # 逾期 first
    tab.ui.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert shown_contents(tab) == ["甲", "乙", "丙"]  # register order


def test_summary_is_sorted_worst_first_and_a_click_filters_the_items(qtbot, core, units, tab):
    # 张五砦村 1 of 2 done (50 %), 刘堌堆村 0 of 1 (0 %), 王庄村 2 of 2 minus nothing (100 %).
    for unit, count, done in ((units[0], 2, 1), (units[1], 1, 0), (units[2], 2, 2)):
        for number in range(count):
            item = add_item(core, unit, f"{unit.name}事项{number + 1}", deadline=date(YEAR, 3, 31))
            if number < done:
                core.commitments.set_status(item.id, CommitmentStatus.DONE, on=date(YEAR, 3, 1))
    reload(tab)
    tab.ui.pages.setCurrentIndex(PAGE_SUMMARY)
    assert not tab.ui.filter_row.isVisibleTo(tab)
    rows = shown_rows(tab.summary_proxy)
    assert [(r.unit_name, r.completion.rate_text, r.rank) for r in rows] == [
        ("刘堌堆村", "0.00%", 3),
        ("张五砦村", "50.00%", 2),
        ("王庄村", "100.00%", 1),
        (TOTAL_NAME, "60.00%", None),
    ]
    assert (rows[-1].completion.total, rows[-1].completion.done, rows[-1].completion.overdue) == (5, 3, 2)
    # The worst places are marked as on the 汇总表; the best never.
    model = tab.summary_model
    marked = {
        r.unit_name
        for r in model.rows
        if model.data(model.index(model.rows.index(r), 0), Qt.ItemDataRole.BackgroundRole) == WORST_ROW
    }
    assert marked == {"刘堌堆村", "张五砦村"}
    assert "刘堌堆村" in tab.ui.summary_label.text()
    # Sorted the other way, the 全镇 line stays last.
    tab.ui.summary_table.sortByColumn(SummaryTableModel.RATE_COLUMN, Qt.SortOrder.DescendingOrder)
    assert [r.unit_name for r in shown_rows(tab.summary_proxy)] == ["王庄村", "张五砦村", "刘堌堆村", TOTAL_NAME]

    index = tab.summary_proxy.index(1, 1)
    qtbot.mouseClick(
        tab.ui.summary_table.viewport(), Qt.MouseButton.LeftButton, pos=tab.ui.summary_table.visualRect(index).center()
    )
    assert tab.ui.pages.currentIndex() == PAGE_ITEMS
    assert tab.ui.unit_combo.currentData() == units[0].id
    assert shown_contents(tab) == ["张五砦村事项1", "张五砦村事项2"]


def test_the_summary_counts_to_a_chosen_quarters_end(core, units, tab):
    # 张五砦村: one item done on 1 March, one on 1 May: 50 % at the end of Q1, 100 % at the end of Q2.
    for number, done in enumerate((date(YEAR, 3, 1), date(YEAR, 5, 1)), start=1):
        item = add_item(core, units[0], f"事项{number}")
        core.commitments.set_status(item.id, CommitmentStatus.DONE, on=done)
    reload(tab)
    tab.ui.pages.setCurrentIndex(PAGE_SUMMARY)
    first = next(r for r in shown_rows(tab.summary_proxy) if r.unit_name == "张五砦村")
    assert first.completion.rate_text == "100.00%"  # to the tab's day, 1 July
    tab.ui.as_of_combo.setCurrentIndex(tab.ui.as_of_combo.findData(1))
    first = next(r for r in shown_rows(tab.summary_proxy) if r.unit_name == "张五砦村")
    assert first.completion.rate_text == "50.00%"
    assert f"统计到 {YEAR}-03-31" in tab.ui.summary_label.text()
    tab.ui.as_of_combo.setCurrentIndex(tab.ui.as_of_combo.findData(4))
    assert f"统计到 {YEAR}-07-01" in tab.ui.summary_label.text()  # never past the day it is


# ----- import, export, carry-over, categories -----------------------------------------------------


def choose_import_year(qtbot, dialog, year: int) -> None:
    """Pick the year in the import dialog the way a clerk does with the keyboard: focus the list
    and type the year (a closed combo box finds the item that starts with what is typed)."""
    combo = dialog.year_combo
    combo.setFocus()
    # The search starts over when keys come more than the keyboard interval apart (0.4 s by
    # default): on a busy test machine that can happen between two keyClicks.
    interval = QApplication.keyboardInputInterval()
    QApplication.setKeyboardInputInterval(10_000)
    try:
        qtbot.keyClicks(combo, str(year))
    finally:
        QApplication.setKeyboardInputInterval(interval)
    assert dialog.year() == year


def write_sheet(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "承诺事项"
    sheet.append([f"{YEAR}年度村（社区）党组织书记承诺事项"])
    sheet.append(["村（社区）", "序号", "类别", "承诺事项", "量化目标", "完成时限", "责任人", "状态"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_import_preview_of_a_bad_file_disables_import_and_writes_nothing(
    qtbot, core, units, tab, boxes, tmp_path, file_dialogs
):
    path = write_sheet(
        tmp_path / "承诺.xlsx",
        [
            ["张五砦村", 1, "基层党建", "硬化道路 1.2 公里", "1.2 公里", f"{YEAR}.9.26", "李禛", "推进中"],
            ["刘堌堆村", 1, "民生实事", "", "1 处", "年底", "刘喆", ""],
            ["不存在村", 1, "民生实事", "建养老服务站", "1 处", "年底", "", ""],
            ["王庄村", 1, "平安治理", "矛盾纠纷排查", "0 起", "年底", "", "差不多"],
        ],
    )
    tab.set_year(YEAR)
    file_dialogs.pick(path)
    dialog = tab.open_import_dialog()
    choose_import_year(qtbot, dialog, YEAR)
    assert dialog.preview is not None and not dialog.preview.ok
    assert not dialog.import_button.isEnabled()
    problems = "\n".join(dialog.preview.problems)
    assert "第 4 行" in problems and "不存在村" in problems and "差不多" in problems
    assert dialog.problem_model.rowCount() == len(dialog.preview.problems) >= 3
    # Rows with problems are red in the file's rows.
    bad = dialog.row_model.find_row(lambda r: r.unit_name == "不存在村")
    assert dialog.row_model.data(dialog.row_model.index(bad, 0), Qt.ItemDataRole.ForegroundRole) is not None
    good = dialog.row_model.find_row(lambda r: r.unit_name == "张五砦村")
    assert dialog.row_model.data(dialog.row_model.index(good, 0), Qt.ItemDataRole.ForegroundRole) is None

    dialog.do_import()  # even when called, a file with problems writes nothing
    assert dialog.isVisible()
    assert core.commitments.years() == []
    dialog.reject()
    assert tab.model.rowCount() == 0


def test_import_a_good_file(qtbot, core, units, tab, boxes, tmp_path, file_dialogs):
    path = write_sheet(
        tmp_path / "承诺.xlsx",
        [
            ["张五砦村", 1, "基层党建", "硬化道路 1.2 公里", "1.2 公里", f"{YEAR}年9月26日", "李禛", "推进中"],
            ["刘堌堆村", 1, "民生实事", "建养老服务站", "1 处", "第三季度", "刘喆", ""],
        ],
    )
    tab.set_year(YEAR)
    file_dialogs.pick(path)
    dialog = tab.open_import_dialog()
    # The file has no 年度 column: the year on screen is not taken silently, the dialog asks.
    assert dialog.year() is None and not dialog.import_button.isEnabled()
    assert "请先在上方选择导入年度" in dialog.summary_label.text()
    choose_import_year(qtbot, dialog, YEAR)
    assert dialog.preview.ok and dialog.import_button.isEnabled(), dialog.preview.problems
    assert "新增 2 项" in dialog.summary_label.text()
    with qtbot.waitSignal(tab.changed):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.import_count == 2
    assert shown_contents(tab) == ["硬化道路 1.2 公里", "建养老服务站"]
    assert "已导入 2 项" in tab.ui.notice_label.text()


def test_export_writes_the_workbook_and_offers_to_open_it(qtbot, core, units, tab, boxes, tmp_path, monkeypatch):
    pytest.importorskip("lsb_desktop.io.commitment_sheets")
    add_item(core, units[0], "硬化道路 1.2 公里")
    add_item(core, units[2], "建养老服务站")
    reload(tab)
    opened, folders = [], []
    monkeypatch.setattr(commitments_tab, "open_file", lambda path, parent=None: opened.append(Path(path)) or True)
    monkeypatch.setattr(commitments_tab, "show_in_folder", lambda path: folders.append(Path(path)) or True)
    dialog = tab.open_export_dialog()
    assert dialog.year() == YEAR
    dialog.paper_group.button(1).setChecked(True)
    assert dialog.paper() == "A3"
    target = tmp_path / "导出" / "承诺公示"
    target.parent.mkdir()
    dialog.path_edit.setText(str(target))
    click_ok(qtbot, dialog)

    written = target.with_suffix(".xlsx")
    assert boxes.texts == [] and written.is_file()
    workbook = load_workbook(written)
    assert "完成情况汇总表" in workbook.sheetnames and len(workbook.sheetnames) == 3
    assert str(written) in tab.ui.notice_label.text() and tab.ui.open_export_button.isVisibleTo(tab)
    qtbot.mouseClick(tab.ui.open_export_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tab.ui.folder_export_button, Qt.MouseButton.LeftButton)
    assert opened == [written] and folders == [written]


def test_carry_over_lists_the_open_items_and_copies_them(qtbot, core, units, tab, boxes):
    open_item = add_item(core, units[0], "硬化道路 1.2 公里")
    done = add_item(core, units[1], "修缮村史馆")
    core.commitments.set_status(done.id, CommitmentStatus.DONE, on=date(YEAR, 5, 1))
    reload(tab)
    dialog = tab.open_carry_over_dialog()
    assert [row.item.id for row in dialog.model.rows] == [open_item.id]
    ok = dialog.button_box.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.isEnabled() and ok.text() == "结转 1 项"
    with qtbot.waitSignal(tab.changed):
        click_ok(qtbot, dialog)
    (carried,) = core.commitments.list_commitments(YEAR + 1)
    assert (carried.content, carried.carried_from_id) == ("硬化道路 1.2 公里", open_item.id)
    assert tab.year() == YEAR + 1
    assert cell(tab, carried.id, "承诺事项").startswith("【结转】")
    # Nothing left to carry: the dialog says so and cannot be confirmed.
    tab.set_year(YEAR)
    again = tab.open_carry_over_dialog()
    assert again.model.rowCount() == 0
    assert not again.button_box.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    again.reject()


def test_categories_are_edited_as_a_list(qtbot, core, units, tab, boxes):
    dialog = tab.open_categories_dialog()
    assert isinstance(dialog, CategoriesDialog)
    names = dialog.names()
    assert names[0] == "基层党建"
    dialog.list_widget.setCurrentRow(len(names) - 1)
    dialog.remove_selected()  # 其他
    item = dialog.add_category("产业振兴")
    dialog.list_widget.closePersistentEditor(item)
    dialog.move_selected(-1)
    with qtbot.waitSignal(tab.changed):
        click_ok(qtbot, dialog)
    expected = [*names[:-2], "产业振兴", names[-2]]
    assert list(core.commitments.categories()) == expected
    filter_names = [tab.ui.category_combo.itemData(i) for i in range(1, tab.ui.category_combo.count())]
    assert filter_names == expected

    # A duplicate is refused with the service's message; the dialog stays open.
    dialog = tab.open_categories_dialog()
    dialog.add_category("基层党建")
    click_ok(qtbot, dialog)
    assert len(boxes.texts) == 1 and "重复" in boxes.texts[0]
    assert dialog.isVisible()
    dialog.reject()
