"""The 村（社区） tab driven through its real dialogs, on a real data folder."""

from __future__ import annotations

from datetime import date

import pytest
from factories import make_unit
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox

from lsb_desktop.changes import Changes
from lsb_desktop.domain.register import OrgType, UnitKind, UnitStatus
from ui.villages.dialogs import DistrictsDialog, UnitDialog
from ui.villages.tab import VillagesTab
from ui.widgets.table_model import OBJECT_ROLE, SORT_ROLE, shown_rows

pytestmark = pytest.mark.gui

HEADERS = ["序号", "村（社区）名称", "类型", "管区", "党组织类型", "党组织书记", "任职时间", "状态", "备注"]


@pytest.fixture
def tab(qtbot, core, boxes):
    widget = VillagesTab(core)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    return widget


def click_ok(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.ui.button_box.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def type_text(widget, text: str) -> None:
    """Type as a clerk does, through the input method: QTest.keyClicks knows only ASCII."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def names(tab: VillagesTab) -> list[str]:
    return [unit.name for unit in shown_rows(tab.proxy)]


def set_combo(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


# ----- the model ----------------------------------------------------------------------------


# Qt's own tester reports through warnings; this makes them fail the test.
@pytest.mark.qt_log_level_fail("WARNING")
@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_models_pass_the_model_tester(qtbot, qtmodeltester, core, tab):
    district = core.villages.add_district("第一管区", "王建国").value
    first = make_unit(core, "张五砦村", district_id=district.id, secretary="张禛", since=date(2021, 5, 1))
    make_unit(core, "幸福社区", org_type=OrgType.COMMITTEE, secretary="李四")
    archived = make_unit(core, "西王村")
    core.villages.archive_unit(archived.id, date(2023, 6, 1), "撤销建制")
    core.villages.change_secretary(first.id, "刘德华", date(2023, 3, 1), "换届选举")
    tab.reload(Changes.UNITS)
    tab.select_unit(first.id)

    assert tab.model.rowCount() == 3
    qtmodeltester.check(tab.model, force_py=True)
    qtmodeltester.check(tab.terms_model, force_py=True)
    qtmodeltester.check(tab.history_model, force_py=True)
    qtmodeltester.check(tab.proxy)  # Qt's C++ tester, through the sorting and filtering proxy
    tab.ui.status_combo.setCurrentIndex(tab.ui.status_combo.findText("全部状态"))
    tab.ui.table.sortByColumn(HEADERS.index("状态"), Qt.SortOrder.DescendingOrder)
    assert tab.proxy.rowCount() == 3
    headers = [tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(tab.model.columnCount())]
    assert headers == HEADERS
    top = tab.model.index(0, 0)
    assert tab.model.data(top, OBJECT_ROLE) == tab.model.row_at(top)
    assert tab.model.data(top, SORT_ROLE) == 1
    # The archived unit is greyed, the active ones are not.
    archived_row = tab.model.find_row(lambda u: u.id == archived.id)
    assert tab.model.data(tab.model.index(archived_row, 1), Qt.ItemDataRole.ForegroundRole) is not None
    assert tab.model.data(top, Qt.ItemDataRole.ForegroundRole) is None


def test_sorting_by_a_header_uses_the_sort_key(core, tab):
    make_unit(core, "乙村", secretary="赵六", since=date(2022, 3, 1))
    make_unit(core, "甲村", secretary="钱七", since=date(2020, 1, 1))
    make_unit(core, "丙村", secretary="孙八", since=date(2021, 7, 1))
    tab.reload()
    assert names(tab) == ["乙村", "甲村", "丙村"]  # register order by default
    tab.ui.table.sortByColumn(HEADERS.index("任职时间"), Qt.SortOrder.AscendingOrder)
    assert names(tab) == ["甲村", "丙村", "乙村"]
    tab.ui.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert names(tab) == ["丙村", "甲村", "乙村"]


# ----- 新增 / 编辑 ----------------------------------------------------------------------------


def test_add_unit_through_the_dialog(qtbot, core, tab, boxes):
    district = core.villages.add_district("第二管区").value
    tab.reload(Changes.DISTRICTS)
    dialog = tab.open_add_dialog()
    assert isinstance(dialog, UnitDialog) and dialog.isVisible()
    type_text(dialog.ui.name_edit, "幸福社区")
    # The name's ending chose the kind.
    assert dialog.ui.kind_combo.currentData() is UnitKind.COMMUNITY
    set_combo(dialog.ui.org_combo, OrgType.COMMITTEE)
    set_combo(dialog.ui.district_combo, district.id)
    dialog.ui.secretary_edit.setText("张禛")
    # 在册起始日期 given by hand: the secretary serves from it unless a date of office is given.
    qtbot.mouseClick(dialog.ui.start_field.check, Qt.MouseButton.LeftButton)
    dialog.ui.start_field.date_edit.setDate(QDate(2022, 1, 1))
    assert dialog.ui.since_field.value() is None

    with qtbot.waitSignal(tab.changed) as signal:
        click_ok(qtbot, dialog)

    assert signal.args == [Changes.UNITS]
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert boxes.texts == []
    (unit,) = core.villages.list_units()
    assert (unit.name, unit.kind, unit.org_type, unit.district_name, unit.secretary, unit.secretary_since) == (
        "幸福社区",
        UnitKind.COMMUNITY,
        OrgType.COMMITTEE,
        "第二管区",
        "张禛",
        date(2022, 1, 1),
    )
    assert names(tab) == ["幸福社区"]
    assert tab.selected_unit().id == unit.id
    assert tab.ui.title_label.text() == "幸福社区党委"


def test_kind_stays_once_the_user_picked_it(qtbot, tab):
    dialog = tab.open_add_dialog()
    dialog.ui.kind_combo.setCurrentIndex(dialog.ui.kind_combo.findData(UnitKind.COMMUNITY))
    dialog.ui.kind_combo.activated.emit(dialog.ui.kind_combo.currentIndex())
    type_text(dialog.ui.name_edit, "红旗村")
    assert dialog.ui.kind_combo.currentData() is UnitKind.COMMUNITY
    dialog.reject()


def test_duplicate_name_is_refused_and_the_dialog_keeps_the_input(qtbot, core, tab, boxes):
    make_unit(core, "城关（社区）")
    tab.reload()
    dialog = tab.open_add_dialog()
    type_text(dialog.ui.name_edit, "城关(社区)")
    dialog.ui.secretary_edit.setText("王五")
    dialog.ui.note_edit.setText("新建小区")

    click_ok(qtbot, dialog)

    assert len(boxes.texts) == 1 and "名称不能重复" in boxes.texts[0]
    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.ui.name_edit.text() == "城关(社区)"
    assert dialog.ui.secretary_edit.text() == "王五"
    assert dialog.ui.note_edit.text() == "新建小区"
    assert core.villages.count_units() == 1

    # Corrected in place, the same dialog goes through.
    dialog.ui.name_edit.setText("城关二（社区）")
    click_ok(qtbot, dialog)
    assert core.villages.count_units() == 2
    assert len(boxes.texts) == 1


def test_empty_name_is_refused_with_the_service_message(qtbot, core, tab, boxes):
    dialog = tab.open_add_dialog()
    click_ok(qtbot, dialog)
    assert boxes.texts == ["村（社区）名称不能为空"]
    assert dialog.isVisible()
    assert core.villages.count_units() == 0
    dialog.reject()


def test_edit_name_from_an_effective_date_shows_in_the_history(qtbot, core, tab, boxes):
    unit = make_unit(core, "张五砦村", effective=date(2022, 1, 1))
    tab.reload()
    assert tab.select_unit(unit.id)
    dialog = tab.open_edit_dialog()
    assert dialog.ui.name_edit.text() == "张五砦村"
    dialog.ui.name_edit.setText("张五砦新村")
    dialog.ui.reason_edit.setText("民政批复〔2023〕3号")
    dialog.ui.effective_edit.setDate(QDate(2023, 1, 1))

    click_ok(qtbot, dialog)

    assert boxes.texts == []
    newest = tab.history_model.rows[0]
    assert newest.valid_from == date(2023, 1, 1)
    assert newest.changes == ("名称：张五砦村 → 张五砦新村",)
    assert newest.reason == "民政批复〔2023〕3号"
    assert tab.history_model.rows[-1].changes == ("建立档案",)
    assert tab.history_model.data(tab.history_model.index(0, 1)) == "名称：张五砦村 → 张五砦新村"
    assert names(tab) == ["张五砦新村"]
    assert tab.ui.title_label.text() == "张五砦新村党支部"
    assert tab.selected_unit().id == unit.id


def test_edit_before_the_last_change_is_refused_and_kept(qtbot, core, tab, boxes):
    unit = make_unit(core, "东王村", effective=date(2023, 5, 1))
    tab.reload()
    tab.select_unit(unit.id)
    dialog = tab.open_edit_dialog()
    dialog.ui.name_edit.setText("东王新村")
    dialog.ui.effective_edit.setDate(QDate(2023, 1, 1))
    click_ok(qtbot, dialog)
    assert len(boxes.texts) == 1 and "历史记录只能向后追加" in boxes.texts[0]
    assert dialog.isVisible() and dialog.ui.name_edit.text() == "东王新村"
    assert core.villages.get_unit(unit.id).unit.name == "东王村"
    dialog.reject()


def test_double_click_opens_the_edit_dialog(qtbot, core, tab):
    make_unit(core, "孟庄村")
    make_unit(core, "和庄村")
    tab.reload()
    tab.show()
    qtbot.waitExposed(tab)
    view = tab.ui.table
    where = view.visualRect(tab.proxy.index(0, 1)).center()
    # QTest's double click lacks the press before it, which the view needs to know the row.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    dialog = tab.findChild(UnitDialog)
    assert dialog is not None and dialog.unit.name == "孟庄村"
    dialog.reject()


# ----- 更换书记 -------------------------------------------------------------------------------


def test_change_secretary_keeps_both_terms(qtbot, core, tab, boxes):
    unit = make_unit(core, "和庄村", secretary="张三", since=date(2021, 5, 1))
    tab.reload()
    tab.select_unit(unit.id)
    dialog = tab.open_secretary_dialog()
    assert dialog.ui.current_label.text() == "张三（2021-05-01 起）"
    dialog.ui.person_edit.setText("李四")
    dialog.ui.start_edit.setDate(QDate(2023, 3, 1))
    dialog.ui.note_edit.setText("换届选举")

    click_ok(qtbot, dialog)

    assert boxes.texts == []
    terms = [(t.person, t.start, t.end, t.note) for t in tab.terms_model.rows]
    assert terms == [
        ("李四", date(2023, 3, 1), None, "换届选举"),
        ("张三", date(2021, 5, 1), date(2023, 2, 28), ""),
    ]
    model = tab.terms_model
    assert [model.data(model.index(row, 2)) for row in range(2)] == ["至今", "2023-02-28"]
    assert tab.model.data(tab.model.index(0, HEADERS.index("党组织书记"))) == "李四"


# ----- 归档 / 恢复 / 合并 ---------------------------------------------------------------------


def test_archive_hides_the_unit_and_restore_brings_it_back(qtbot, core, tab, boxes):
    make_unit(core, "甲村")
    target = make_unit(core, "乙村", secretary="赵六", since=date(2021, 1, 1))
    make_unit(core, "丙村")
    tab.reload()
    tab.select_unit(target.id)
    assert not tab.ui.restore_button.isEnabled()
    dialog = tab.open_archive_dialog()
    dialog.ui.date_edit.setDate(QDate(2023, 6, 1))

    click_ok(qtbot, dialog)  # no reason given
    assert boxes.texts == ["请填写归档原因"]
    assert dialog.isVisible()

    dialog.ui.reason_edit.setText("撤销建制")
    click_ok(qtbot, dialog)
    assert core.villages.get_unit(target.id).unit.status is UnitStatus.ARCHIVED
    assert names(tab) == ["甲村", "丙村"]
    assert tab.ui.count_label.text() == "共 3 个村（社区），显示 2 个"
    assert tab.selected_unit() is None

    set_combo(tab.ui.status_combo, UnitStatus.ARCHIVED)
    assert names(tab) == ["乙村"]
    tab.select_unit(target.id)
    assert tab.ui.restore_button.isEnabled()
    assert not tab.ui.archive_button.isEnabled()
    assert not tab.ui.edit_button.isEnabled()
    assert tab.ui.title_label.text() == "乙村党支部（已归档）"
    assert tab.terms_model.rows[0].end == date(2023, 5, 31)

    restore = tab.open_restore_dialog()
    restore.ui.date_edit.setDate(QDate(2023, 9, 1))
    restore.ui.reason_edit.setText("误归档")
    click_ok(qtbot, restore)
    assert names(tab) == []  # no longer archived
    set_combo(tab.ui.status_combo, UnitStatus.ACTIVE)
    assert names(tab) == ["甲村", "乙村", "丙村"]
    assert core.villages.get_unit(target.id).unit.is_active


def test_merge_marks_the_unit_merged(qtbot, core, tab, boxes):
    source = make_unit(core, "南街社区", secretary="孙八", since=date(2021, 1, 1))
    into = make_unit(core, "北街社区")
    make_unit(core, "幸福社区")
    tab.reload()
    tab.select_unit(source.id)
    dialog = tab.open_merge_dialog()
    targets = [dialog.ui.target_combo.itemText(i) for i in range(dialog.ui.target_combo.count())]
    assert targets == ["北街社区", "幸福社区"]
    assert "历史记录" in dialog.ui.warning_label.text()
    set_combo(dialog.ui.target_combo, into.id)
    dialog.ui.date_edit.setDate(QDate(2023, 6, 1))
    dialog.ui.reason_edit.setText("X政文〔2023〕12号")

    click_ok(qtbot, dialog)

    assert boxes.texts == []
    assert names(tab) == ["北街社区", "幸福社区"]
    set_combo(tab.ui.status_combo, UnitStatus.MERGED)
    assert names(tab) == ["南街社区"]
    status_cell = tab.proxy.index(0, HEADERS.index("状态"))
    assert tab.proxy.data(status_cell) == "已合并（并入北街社区）"
    unit = core.villages.get_unit(source.id).unit
    assert (unit.status, unit.merged_into_id) == (UnitStatus.MERGED, into.id)


def test_merge_needs_another_active_unit(core, tab):
    only = make_unit(core, "孤村")
    tab.reload()
    tab.select_unit(only.id)
    assert not tab.ui.merge_button.isEnabled()
    assert tab.ui.archive_button.isEnabled()


# ----- filters, order, reload -----------------------------------------------------------------


def test_search_and_district_filters_count(core, tab):
    first = core.villages.add_district("第一管区").value
    second = core.villages.add_district("第二管区").value
    make_unit(core, "张五砦村", district_id=first.id, secretary="张禛")
    make_unit(core, "孟庄村", district_id=first.id, secretary="李四")
    make_unit(core, "城关（社区）", district_id=second.id, secretary="王五")
    make_unit(core, "和庄村", secretary="赵六")
    tab.reload()
    assert tab.ui.count_label.text() == "共 4 个村（社区），显示 4 个"

    tab.ui.search_edit.setText("(社区)")  # half-width parentheses find the full-width name
    assert names(tab) == ["城关（社区）"]
    tab.ui.search_edit.setText("李四")
    assert names(tab) == ["孟庄村"]
    tab.ui.search_edit.setText("第一")
    assert names(tab) == ["张五砦村", "孟庄村"]
    assert tab.ui.count_label.text() == "共 4 个村（社区），显示 2 个"
    tab.ui.search_edit.clear()

    set_combo(tab.ui.district_combo, second.id)
    assert names(tab) == ["城关（社区）"]
    tab.ui.district_combo.setCurrentIndex(tab.ui.district_combo.findText("未分管区"))
    assert names(tab) == ["和庄村"]
    tab.ui.district_combo.setCurrentIndex(0)
    set_combo(tab.ui.kind_combo, UnitKind.VILLAGE)
    assert names(tab) == ["张五砦村", "孟庄村", "和庄村"]
    assert tab.ui.count_label.text() == "共 4 个村（社区），显示 3 个"


def test_reload_keeps_the_selection_and_ignores_other_changes(core, tab):
    unit = make_unit(core, "孟庄村")
    make_unit(core, "和庄村")
    tab.reload()
    tab.select_unit(unit.id)
    make_unit(core, "甲村")

    tab.reload(Changes.SETTINGS)
    assert tab.model.rowCount() == 2
    tab.reload(Changes.UNITS)
    assert tab.model.rowCount() == 3
    assert tab.selected_unit().id == unit.id
    assert tab.ui.title_label.text() == "孟庄村党支部"


def test_move_down_passes_hidden_units(core, tab):
    first = make_unit(core, "甲村")
    hidden = make_unit(core, "乙村")
    make_unit(core, "丙村")
    core.villages.archive_unit(hidden.id, date(2023, 1, 1), "撤销建制")
    tab.reload()
    tab.select_unit(first.id)
    assert not tab.ui.up_button.isEnabled()
    with_signal = []
    tab.changed.connect(with_signal.append)

    assert tab.move_selected(1)

    assert names(tab) == ["丙村", "甲村"]
    assert tab.selected_unit().id == first.id
    assert not tab.ui.down_button.isEnabled()
    assert with_signal == [Changes.UNITS]


# ----- 管区管理 --------------------------------------------------------------------------------


def test_districts_dialog_adds_and_refuses_to_delete_a_used_district(qtbot, core, tab, boxes):
    dialog = tab.open_districts_dialog()
    assert isinstance(dialog, DistrictsDialog)
    dialog.ui.name_edit.setText("第三管区")
    dialog.ui.leader_edit.setText("李红梅")
    with qtbot.waitSignal(tab.changed) as signal:
        qtbot.mouseClick(dialog.ui.add_button, Qt.MouseButton.LeftButton)
    assert signal.args == [Changes.DISTRICTS]
    assert [(d.name, d.leader) for d in dialog.model.rows] == [("第三管区", "李红梅")]
    (district,) = core.villages.list_districts()
    # The tab's 管区 filter follows at once.
    assert tab.ui.district_combo.findData(district.id) >= 0

    make_unit(core, "孟庄村", district_id=district.id)
    dialog.reload()
    assert dialog.model.rows[0].unit_count == 1
    dialog.select_id(district.id)
    qtbot.mouseClick(dialog.ui.delete_button, Qt.MouseButton.LeftButton)
    assert boxes.texts[0] == "确定删除管区“第三管区”吗？"
    assert "不能删除" in boxes.texts[1]
    assert [d.name for d in core.villages.list_districts()] == ["第三管区"]

    # 停用 is refused as well while a unit is in it.
    qtbot.mouseClick(dialog.ui.toggle_button, Qt.MouseButton.LeftButton)
    assert "还有 1 个在册村（社区）" in boxes.texts[2]
    dialog.reject()


def test_districts_dialog_renames_and_deletes_an_unused_district(qtbot, core, tab, boxes):
    used = core.villages.add_district("第一管区").value
    spare = core.villages.add_district("备用管区").value
    make_unit(core, "孟庄村", district_id=used.id)
    tab.reload()
    dialog = tab.open_districts_dialog()
    dialog.select_id(used.id)
    dialog.ui.name_edit.setText("城东管区")
    dialog.ui.leader_edit.setText("王建国")
    qtbot.mouseClick(dialog.ui.save_button, Qt.MouseButton.LeftButton)
    assert boxes.texts == []
    assert tab.model.rows[0].district_name == "城东管区"

    boxes.confirm = False
    dialog.select_id(spare.id)
    qtbot.mouseClick(dialog.ui.delete_button, Qt.MouseButton.LeftButton)
    assert len(core.villages.list_districts()) == 2  # 取消 keeps it
    boxes.confirm = True
    qtbot.mouseClick(dialog.ui.delete_button, Qt.MouseButton.LeftButton)
    assert [d.name for d in core.villages.list_districts()] == ["城东管区"]
    assert tab.ui.district_combo.findData(spare.id) < 0
    dialog.reject()


# ----- what the clerk sees ------------------------------------------------------------------


def test_tab_with_24_units_renders_to_png(qtbot, core, tab, tmp_path):
    first = core.villages.add_district("第一管区", "王建国").value
    second = core.villages.add_district("第二管区", "李红梅").value
    for number in range(1, 25):
        name = f"第{number}社区" if number % 6 == 0 else f"样例{number}村"
        make_unit(
            core,
            name,
            district_id=first.id if number % 2 else second.id,
            secretary=f"书记{chr(0x4E00 + number)}",
            since=date(2021, 5, 1),
        )
    tab.reload()
    tab.select_unit(tab.model.rows[0].id)
    tab.show()
    qtbot.waitExposed(tab)
    assert tab.ui.count_label.text() == "共 24 个村（社区），显示 24 个"

    path = tmp_path / "villages_tab.png"
    assert tab.grab().save(str(path))
    assert path.stat().st_size > 10_000


@pytest.mark.gui
def test_the_detail_panel_shows_the_flags_of_finalised_rounds(qtbot, demo_core) -> None:
    from ui.villages.tab import VillagesTab

    tab = VillagesTab(demo_core)
    qtbot.addWidget(tab)
    histories = {h.unit_name: h for h in demo_core.rounds.flag_history()}
    warned = next(name for name, h in histories.items() if h.warning)
    unit = next(u for u in demo_core.villages.list_units() if u.name == warned)
    assert tab.select_unit(unit.id)
    shown = tab.flags_model.rows
    assert len(shown) == 8
    assert shown[0].period.short_label == "2024Q4"
    assert shown[0].flag is not None and shown[0].flag.label == "黑旗"
    assert tab.ui.flag_warning.text() == histories[warned].warning


# ----- look-alike names (issue 19, point 2) ----------------------------------------------------


def test_a_name_typed_with_a_zero_width_space_is_the_same_name(qtbot, core, tab, boxes):
    """Pasted from a chat window, 张五砦村 can carry a U+200B: it is still 张五砦村."""
    make_unit(core, "张五砦村")
    tab.reload()
    dialog = tab.open_add_dialog()
    type_text(dialog.ui.name_edit, "张五\u200b砦村")
    assert dialog.ui.name_edit.text() == "张五\u200b砦村"  # as typed, until saved

    click_ok(qtbot, dialog)

    assert len(boxes.texts) == 1 and "名称不能重复" in boxes.texts[0]
    assert dialog.isVisible() and core.villages.count_units() == 1

    dialog.ui.name_edit.clear()
    type_text(dialog.ui.name_edit, "\u202e红旗\u200b村\ufeff")
    with qtbot.waitSignal(tab.changed):
        click_ok(qtbot, dialog)
    assert sorted(names(tab)) == sorted(["张五砦村", "红旗村"])
    assert "红旗村" in [u.name for u in core.villages.list_units()]


def test_a_name_with_an_escape_or_an_error_value_is_refused_in_chinese(qtbot, core, tab, boxes):
    dialog = tab.open_add_dialog()
    type_text(dialog.ui.name_edit, "张五_x0000_砦村")
    click_ok(qtbot, dialog)
    dialog.ui.name_edit.clear()
    type_text(dialog.ui.name_edit, "#REF!")
    click_ok(qtbot, dialog)
    assert len(boxes.texts) == 2
    assert "转义文字“_x0000_”" in boxes.texts[0]
    assert "Excel 的错误值“#REF!”" in boxes.texts[1]
    assert dialog.isVisible() and core.villages.count_units() == 0
