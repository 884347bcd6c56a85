"""在册起始日期 in the unit dialog: left out it means "since always"; corrected while nothing
refers to the unit; shown as （建档起）, never as a raw date."""

from __future__ import annotations

from datetime import date

import pytest
from factories import make_unit
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDateTimeEdit, QDialogButtonBox
from test_villages_tab import type_text

from lsb_desktop.domain.period import Period
from lsb_desktop.domain.register import REGISTER_START
from lsb_desktop.services.rounds import RoundDraft
from ui.villages.tab import VillagesTab

pytestmark = pytest.mark.gui


@pytest.fixture
def tab(qtbot, core, boxes):
    widget = VillagesTab(core)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    return widget


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def click_ok(qtbot, dialog) -> None:
    click(qtbot, dialog.ui.button_box.button(QDialogButtonBox.StandardButton.Ok))


def type_date(qtbot, field, digits: str) -> None:
    """Tick 指定日期 and type the date into its sections, as the clerk does: 2023 04 01."""
    click(qtbot, field.check)
    edit = field.date_edit
    assert edit.isVisible() and not field.empty_label.isVisible()
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton, pos=edit.rect().center() - edit.rect().center() / 2)
    edit.setSelectedSection(QDateTimeEdit.Section.YearSection)
    QTest.keyClicks(edit, digits)


def cell(model, row: int, header: str) -> str:
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return model.data(model.index(row, headers.index(header)))


def test_a_unit_added_without_a_start_is_since_always_and_shown_so(qtbot, core, tab, boxes, tmp_path) -> None:
    dialog = tab.open_add_dialog()
    field = dialog.ui.start_field
    assert not field.check.isChecked() and not field.date_edit.isVisible()
    assert "建档起" in field.empty_label.text()
    type_text(dialog.ui.name_edit, "黄岗村")
    type_text(dialog.ui.secretary_edit, "黄海涛")
    dialog.grab().save(str(tmp_path / "unit-add.png"))

    click_ok(qtbot, dialog)

    assert boxes.texts == []
    (unit,) = core.villages.list_units()
    assert (unit.registered_from, unit.secretary_since) == (REGISTER_START, REGISTER_START)
    assert cell(tab.model, 0, "任职时间") == "（建档起）"
    assert cell(tab.history_model, 0, "生效日期") == "（建档起）"
    assert cell(tab.terms_model, 0, "起") == "（建档起）"
    # Rounds of past quarters take it in at once.
    detail = core.rounds.create_round(RoundDraft(Period(2021, 1), judges=("甲",))).value
    assert [u.name for u in detail.units] == ["黄岗村"]


def test_an_explicit_start_is_typed_into_the_dialog(qtbot, core, tab, boxes) -> None:
    dialog = tab.open_add_dialog()
    type_text(dialog.ui.name_edit, "新城社区")
    type_date(qtbot, dialog.ui.start_field, "20240701")
    assert dialog.ui.start_field.value() == date(2024, 7, 1)

    click_ok(qtbot, dialog)

    assert boxes.texts == []
    (unit,) = core.villages.list_units()
    assert unit.registered_from == date(2024, 7, 1)
    assert cell(tab.history_model, 0, "生效日期") == "2024-07-01"


def test_the_start_is_corrected_in_the_edit_dialog_while_nothing_refers_to_it(
    qtbot, core, tab, boxes, tmp_path
) -> None:
    unit = make_unit(core, "张五砦村", secretary="李禛", effective=REGISTER_START)
    tab.reload()
    assert tab.select_unit(unit.id)
    dialog = tab.open_edit_dialog()
    field = dialog.ui.start_field
    assert field.isEnabled() and not field.check.isChecked()
    assert not dialog.ui.start_hint_label.isVisible()
    type_date(qtbot, field, "20230401")
    dialog.grab().save(str(tmp_path / "unit-edit-start.png"))

    click_ok(qtbot, dialog)

    assert boxes.texts == []
    corrected = core.villages.get_unit(unit.id)
    assert corrected.unit.registered_from == date(2023, 4, 1)
    assert [v.valid_from for v in corrected.history] == [date(2023, 4, 1)]  # corrected, not appended
    assert cell(tab.history_model, 0, "生效日期") == "2023-04-01"

    # And back to since always by unticking 指定日期.
    dialog = tab.open_edit_dialog()
    assert dialog.ui.start_field.check.isChecked()
    click(qtbot, dialog.ui.start_field.check)
    assert dialog.ui.start_field.value() is None
    click_ok(qtbot, dialog)
    assert boxes.texts == []
    assert core.villages.get_unit(unit.id).unit.registered_from == REGISTER_START


def test_once_a_round_refers_to_the_unit_the_start_is_shown_but_fixed(qtbot, core, tab, boxes, tmp_path) -> None:
    unit = make_unit(core, "张五砦村", effective=date(2022, 1, 1))
    core.rounds.create_round(RoundDraft(Period(2023, 1), judges=("甲",)))
    tab.reload()
    assert tab.select_unit(unit.id)
    dialog = tab.open_edit_dialog()
    field = dialog.ui.start_field
    assert not field.isEnabled()
    assert field.check.isChecked() and field.value() == date(2022, 1, 1)
    assert dialog.ui.start_hint_label.isVisible()
    assert "已参加 1 次评比" in dialog.ui.start_hint_label.text()
    dialog.grab().save(str(tmp_path / "unit-edit-locked.png"))
    # A name change still goes through, dated by 生效日期; the start stays.
    dialog.ui.name_edit.setText("张五砦新村")
    click_ok(qtbot, dialog)
    assert boxes.texts == []
    detail = core.villages.get_unit(unit.id)
    assert detail.unit.registered_from == date(2022, 1, 1)
    assert len(detail.history) == 2
    QApplication.processEvents()


def test_the_roster_import_dialog_says_new_units_are_since_always(qtbot, core, boxes, tmp_path) -> None:
    from openpyxl import Workbook

    from ui.villages.roster_dialog import RosterImportDialog

    workbook = Workbook()
    for row in (
        ["村（社区）名称", "党组织书记", "在册起始日期"],
        ["张五砦村", "李禛", None],
        ["新城社区", "赵丽娟", date(2024, 7, 1)],
    ):
        workbook.active.append(row)
    path = tmp_path / "名册.xlsx"
    workbook.save(path)
    dialog = RosterImportDialog(core, path)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "视为建档起一直在册" in dialog.summary.text()
    contents = [dialog.plan_model.data(dialog.plan_model.index(r, 3)) for r in range(2)]
    assert "在册起始日期：（建档起）" in contents[0] and "在册起始日期：2024-07-01" in contents[1]
    dialog.grab().save(str(tmp_path / "roster-import.png"))
    click(qtbot, dialog.import_button)
    starts = {u.name: u.registered_from for u in core.villages.list_units()}
    assert starts == {"张五砦村": REGISTER_START, "新城社区": date(2024, 7, 1)}
