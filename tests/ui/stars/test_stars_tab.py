"""The 五星创建 tab driven through its matrix, detail panel and dialogs on a real data folder:
a star from plan to 命名, 降星/撤星 with a reason, a 村改社区 switching sets, the targets panel
against the year's summary, filters, the plan import and export, and the charts."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from factories import make_unit
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QInputDialog

from lsb_desktop.changes import Changes
from lsb_desktop.domain.register import UnitKind
from lsb_desktop.domain.stars import (
    RURAL_STARS,
    URBAN_STARS,
    LossKind,
    StarState,
    StarStep,
    Targets,
    gaps,
    share_text,
    target_status,
)
from ui.stars.dialogs import LossDialog, PlanImportDialog, StepDialog, TargetsDialog, UndoStepDialog
from ui.stars.tab import PAGE_CHARTS, PAGE_TARGETS, StarMatrixModel, StarsTab
from ui.widgets.table_model import shown_rows

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[3]
YEAR = 2024
STRONG = "支部过硬星"


def open_tab(qtbot, core, year: int = YEAR) -> StarsTab:
    tab = StarsTab(core)
    qtbot.addWidget(tab)
    tab.resize(1280, 800)
    tab.show()
    qtbot.waitExposed(tab)
    tab.set_year(year)
    return tab


def name_star(core, unit_id: int, year: int, star: str, on: date | None = None) -> None:
    """All five steps passed, named on `on`."""
    day = on or date(year, 11, 20)
    for step in StarStep:
        core.stars.record_step(unit_id, year, star, step, True, day)


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def tick(qtbot, check) -> None:
    """Click a check box on its box (its middle may be empty space in a wide panel)."""
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton, pos=QPoint(8, check.height() // 2))


def click_cell(qtbot, tab: StarsTab, unit_id: int, star: str | None) -> None:
    index = tab.view_index(unit_id, star)
    assert index.isValid()
    rect = tab.ui.matrix.visualRect(index)
    qtbot.mouseClick(tab.ui.matrix.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def type_text(widget, text: str) -> None:
    """Type Chinese as a clerk does, through the input method: QTest.keyClicks knows only ASCII."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def ok(qtbot, dialog) -> None:
    click(qtbot, dialog.button_box.button(QDialogButtonBox.StandardButton.Ok))


def shown_dialog(tab: StarsTab, kind):
    found = [d for d in tab.findChildren(kind) if d.isVisible()]
    assert len(found) == 1, found
    return found[0]


# ----- a star through its steps ------------------------------------------------------------------


def test_a_star_goes_from_plan_to_named_through_the_matrix(qtbot, core, boxes):
    unit = make_unit(core, "张五砦村")
    tab = open_tab(qtbot, core)
    assert tab.level_text(unit.id) == "0星"
    assert tab.cell_state(unit.id, STRONG) is StarState.NONE
    assert tab.cell_text(unit.id, STRONG) == ""

    click_cell(qtbot, tab, unit.id, STRONG)
    assert tab.ui.detail_title.text() == f"张五砦村 · {STRONG}（{YEAR}年）"
    assert tab.ui.plan_check.isEnabled() and not tab.ui.plan_check.isChecked()

    with qtbot.waitSignal(tab.changed) as signal:
        tick(qtbot, tab.ui.plan_check)
    assert signal.args == [Changes.STARS]
    assert core.stars.cell(unit.id, YEAR, STRONG).planned
    assert tab.cell_state(unit.id, STRONG) is StarState.PLANNED
    assert tab.cell_text(unit.id, STRONG) == "☆ 计划"
    assert tab.ui.plan_check.isChecked()  # the panel still shows the same cell

    for month, step in enumerate(StarStep, start=3):
        assert tab.ui.next_button.isEnabled()
        assert step.label in tab.ui.next_button.text()
        click(qtbot, tab.ui.next_button)
        dialog = shown_dialog(tab, StepDialog)
        assert dialog.step is step and dialog.passed
        dialog.date_edit.setDate(QDate(YEAR, month, 8))
        dialog.note_edit.setText(f"{step.label}材料")
        with qtbot.waitSignal(tab.changed):
            ok(qtbot, dialog)
        assert boxes.texts == []
        if step is not StarStep.NAMED:
            assert tab.cell_state(unit.id, STRONG) is StarState.IN_PROGRESS
            assert tab.level_text(unit.id) == "0星"

    assert tab.cell_state(unit.id, STRONG) is StarState.HELD
    assert tab.cell_text(unit.id, STRONG) == "★ 新"  # named this year
    assert tab.level_text(unit.id) == "1星"
    cell = core.stars.cell(unit.id, YEAR, STRONG)
    assert cell.held and [s.step for s in cell.steps] == list(StarStep)
    assert tab.ui.timeline.toolTip().splitlines()[-1] == f"√ 命名  {YEAR}-07-08：命名材料"
    assert not tab.ui.next_button.isEnabled() and tab.ui.loss_button.isEnabled()
    assert not tab.ui.plan_check.isEnabled()  # a star held is not planned
    # The history under the panel has the steps, newest first.
    history = [(row.star, row.text) for row in tab.history_model.rows]
    assert history[0] == (STRONG, "命名授牌：命名材料")
    # The next year it is held from the start: a plain ★, still counted.
    tab.set_year(YEAR + 1)
    assert tab.cell_text(unit.id, STRONG) == "★"
    assert tab.level_text(unit.id) == "1星"


def test_an_intermediate_step_in_progress_shows_the_step_reached(qtbot, core, boxes):
    unit = make_unit(core, "王庄村")
    core.stars.set_planned(unit.id, YEAR, "产业兴旺星", True)
    core.stars.record_step(unit.id, YEAR, "产业兴旺星", StarStep.DECLARED, True, date(YEAR, 3, 1))
    core.stars.record_step(unit.id, YEAR, "产业兴旺星", StarStep.TOWNSHIP, True, date(YEAR, 4, 1), "资料齐全")
    tab = open_tab(qtbot, core)
    assert tab.cell_text(unit.id, "产业兴旺星") == "☆ 镇初审"
    tooltip = tab.model.data(tab.model.index(0, StarMatrixModel.column_of("产业兴旺星")), Qt.ItemDataRole.ToolTipRole)
    assert f"√ 镇初审  {YEAR}-04-01：资料齐全" in tooltip and "下一步：县评定" in tooltip


def test_a_failed_step_ends_the_year_and_can_be_taken_back_with_a_reason(qtbot, core, boxes):
    unit = make_unit(core, "王庄村")
    star = "生态宜居星"
    core.stars.record_step(unit.id, YEAR, star, StarStep.DECLARED, True, date(YEAR, 3, 1))
    tab = open_tab(qtbot, core)
    assert tab.select_cell(unit.id, star)

    click(qtbot, tab.ui.fail_button)
    dialog = shown_dialog(tab, StepDialog)
    assert dialog.step is StarStep.TOWNSHIP and not dialog.passed
    assert dialog.note_label.text() == "原因（必填）" and dialog.focusWidget() is dialog.note_edit
    dialog.date_edit.setDate(QDate(YEAR, 4, 2))
    ok(qtbot, dialog)  # no reason: refused, the dialog stays open
    assert boxes.texts == ["请填写“镇初审”未通过的原因"]
    assert dialog.isVisible() and tab.cell_state(unit.id, star) is StarState.IN_PROGRESS
    type_text(dialog.note_edit, "人居环境整治问题未整改到位")
    with qtbot.waitSignal(tab.changed):
        ok(qtbot, dialog)
    assert tab.cell_state(unit.id, star) is StarState.FAILED
    assert tab.cell_text(unit.id, star) == "× 镇初审"
    assert not tab.ui.next_button.isEnabled() and not tab.ui.fail_button.isEnabled()
    # The reason is kept with the step and shown in the timeline and the notes of the panel.
    assert core.stars.cell(unit.id, YEAR, star).steps[-1].note == "人居环境整治问题未整改到位"
    assert (
        tab.ui.timeline.toolTip().splitlines()[1] == f"× 镇初审 未通过  {YEAR}-04-02，原因：人居环境整治问题未整改到位"
    )
    assert "镇初审未通过，原因：人居环境整治问题未整改到位" in tab.ui.notes_label.text()
    assert "原因：人居环境整治问题未整改到位" in tab.ui.timeline.toolTip()
    boxes.texts.clear()

    click(qtbot, tab.ui.undo_button)
    undo = shown_dialog(tab, UndoStepDialog)
    ok(qtbot, undo)  # no reason
    assert len(boxes.texts) == 1 and "原因" in boxes.texts[0]
    assert undo.isVisible()
    assert tab.cell_state(unit.id, star) is StarState.FAILED
    undo.reason_edit.setText("县里通知材料可补交")
    with qtbot.waitSignal(tab.changed):
        ok(qtbot, undo)
    assert tab.cell_state(unit.id, star) is StarState.IN_PROGRESS
    assert [s.step for s in core.stars.cell(unit.id, YEAR, star).steps] == [StarStep.DECLARED]
    assert tab.ui.next_button.isEnabled()


# ----- 降星 / 撤星 ---------------------------------------------------------------------------------


def test_losing_a_star_needs_a_reason_then_the_cell_shows_it_lost(qtbot, core, boxes):
    unit = make_unit(core, "张五砦村")
    name_star(core, unit.id, YEAR - 1, "平安法治星")
    name_star(core, unit.id, YEAR - 1, STRONG)
    tab = open_tab(qtbot, core)
    assert tab.cell_text(unit.id, "平安法治星") == "★"
    assert tab.level_text(unit.id) == "2星"

    click_cell(qtbot, tab, unit.id, "平安法治星")
    assert tab.ui.loss_button.isEnabled()
    click(qtbot, tab.ui.loss_button)
    dialog = shown_dialog(tab, LossDialog)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData(LossKind.REVOKE))
    dialog.date_edit.setDate(QDate(YEAR, 5, 12))
    dialog.reason_edit.setPlainText("   ")
    ok(qtbot, dialog)
    assert boxes.texts == ["请填写撤星的原因"]
    assert dialog.isVisible()
    assert core.stars.cell(unit.id, YEAR, "平安法治星").held

    dialog.reason_edit.setPlainText("发生较大安全生产事故")
    with qtbot.waitSignal(tab.changed) as signal:
        ok(qtbot, dialog)
    assert signal.args == [Changes.STARS]
    assert len(boxes.texts) == 1
    assert tab.cell_state(unit.id, "平安法治星") is StarState.LOST
    assert tab.cell_text(unit.id, "平安法治星") == "★ 撤星5.12"
    assert tab.level_text(unit.id) == "1星"
    assert tab.ui.loss_label.text() == f"{YEAR}-05-12 撤星：发生较大安全生产事故"
    cell = core.stars.cell(unit.id, YEAR, "平安法治星")
    assert not cell.held and cell.loss.kind is LossKind.REVOKE and cell.loss.reason == "发生较大安全生产事故"
    # The other star is untouched; the lost one may be aimed at again this year.
    assert tab.cell_state(unit.id, STRONG) is StarState.HELD
    assert tab.ui.plan_check.isEnabled() and not tab.ui.loss_button.isEnabled()
    assert tab.ui.undo_loss_button.isVisible()


def test_a_loss_typed_by_mistake_is_taken_back_with_a_reason(qtbot, core, boxes):
    unit = make_unit(core, "张五砦村")
    name_star(core, unit.id, YEAR - 1, STRONG)
    core.stars.lose_star(unit.id, STRONG, LossKind.DOWNGRADE, date(YEAR, 3, 1), "考核不达标")
    tab = open_tab(qtbot, core)
    assert tab.cell_text(unit.id, STRONG) == "★ 降星3.1"
    assert tab.select_cell(unit.id, STRONG)
    dialog = tab.open_undo_loss_dialog()
    ok(qtbot, dialog)
    assert boxes.texts == ["请填写撤销的原因"] and dialog.isVisible()
    dialog.reason_edit.setText("误录，应为另一个村")
    with qtbot.waitSignal(tab.changed):
        ok(qtbot, dialog)
    assert tab.cell_state(unit.id, STRONG) is StarState.HELD
    assert tab.level_text(unit.id) == "1星"
    assert not tab.ui.undo_loss_button.isVisible()


def test_a_file_is_attached_to_a_star_and_opened(qtbot, core, boxes, tmp_path, monkeypatch, file_dialogs):
    unit = make_unit(core, "张五砦村")
    tab = open_tab(qtbot, core)
    assert tab.select_cell(unit.id, STRONG)
    assert tab.ui.attach_button.isEnabled() and not tab.ui.open_evidence_button.isEnabled()
    source = tmp_path / "申报材料.pdf"
    source.write_bytes(b"%PDF-1.4 test")
    with qtbot.waitSignal(tab.changed):
        file_dialogs.pick(str(source))
        assert tab.attach_file()
    assert tab.ui.evidence_list.count() == 1 and "申报材料.pdf" in tab.ui.evidence_list.item(0).text()
    assert "附件 1 个" in tab.view_index(unit.id, STRONG).data(Qt.ItemDataRole.ToolTipRole)
    opened = []
    monkeypatch.setattr(
        "ui.widgets.print_preview.open_file", lambda path, parent=None: opened.append(Path(path)) or True
    )
    assert tab.ui.open_evidence_button.isEnabled()
    click(qtbot, tab.ui.open_evidence_button)
    assert len(opened) == 1 and opened[0].read_bytes() == source.read_bytes()
    assert boxes.texts == []


def test_a_cells_note_is_written_through_the_button_and_audited(qtbot, core, boxes, monkeypatch):
    unit = make_unit(core, "张五砦村")
    tab = open_tab(qtbot, core)
    assert tab.select_cell(unit.id, STRONG)
    asked = []

    def answer(parent, title, label, text):
        asked.append((title, label, text))
        return "党员活动室改造中，材料待补", True

    monkeypatch.setattr(QInputDialog, "getMultiLineText", staticmethod(answer))
    with qtbot.waitSignal(tab.changed):
        click(qtbot, tab.ui.note_button)
    assert asked and asked[0][0] == "备注" and "张五砦村" in asked[0][1]
    assert core.stars.cell(unit.id, YEAR, STRONG).note == "党员活动室改造中，材料待补"
    assert "备注：党员活动室改造中，材料待补" in tab.ui.notes_label.text()
    assert any(e.action == "修改五星备注" for e in core.audit.entries(f"star:{unit.id}/{YEAR}/{STRONG}"))
    assert boxes.texts == []


def test_loss_is_offered_only_for_a_star_held(qtbot, core, boxes):
    unit = make_unit(core, "张五砦村")
    tab = open_tab(qtbot, core)
    assert tab.select_cell(unit.id, STRONG)
    assert not tab.ui.loss_button.isEnabled()
    assert tab.open_loss_dialog() is None


# ----- 村改社区 ---------------------------------------------------------------------------------------


def test_a_village_turned_community_shows_the_urban_set_from_that_year(qtbot, core, boxes):
    unit = make_unit(core, "小李庄村")
    name_star(core, unit.id, 2023, "产业兴旺星")
    name_star(core, unit.id, 2023, STRONG)
    core.villages.change_unit(
        unit.id, effective=date(2024, 1, 1), name="小李庄社区", kind=UnitKind.COMMUNITY, reason="村改社区"
    )
    tab = open_tab(qtbot, core, 2023)
    row = tab.unit_stars(unit.id)
    assert (row.unit_name, row.kind) == ("小李庄村", UnitKind.VILLAGE)
    assert tab.cell_text(unit.id, "产业兴旺星") == "★ 新"  # named that year
    assert tab.cell_text(unit.id, "宜业兴业星") == "—"
    assert tab.level_text(unit.id) == "2星"

    tab.set_year(2024)
    row = tab.unit_stars(unit.id)
    assert (row.unit_name, row.kind) == ("小李庄社区", UnitKind.COMMUNITY)
    for star in URBAN_STARS:
        assert tab.view_index(unit.id, star).flags() & Qt.ItemFlag.ItemIsSelectable, star
    for star in set(RURAL_STARS) - set(URBAN_STARS):
        assert tab.cell_text(unit.id, star) == "—"
        assert not tab.view_index(unit.id, star).flags() & Qt.ItemFlag.ItemIsSelectable, star
    # The old village's star stays in the history but no longer counts.
    assert tab.level_text(unit.id) == "1星"
    tip = tab.view_index(unit.id, "产业兴旺星").data(Qt.ItemDataRole.ToolTipRole)
    assert "曾命名" in tip and "社区" in tip
    assert not tab.select_cell(unit.id, "产业兴旺星")

    click_cell(qtbot, tab, unit.id, "宜业兴业星")
    tick(qtbot, tab.ui.plan_check)
    assert boxes.texts == []
    assert tab.cell_text(unit.id, "宜业兴业星") == "☆ 计划"
    texts = [row.text for row in tab.history_model.rows]
    assert any("村改社区" in text for text in texts)
    assert any(row.star == "产业兴旺星" and "命名" in row.text for row in tab.history_model.rows)


# ----- targets -----------------------------------------------------------------------------------------


def make_levels(core, levels: dict[str, int], year: int = YEAR - 1) -> dict[str, int]:
    """Units holding the first n rural stars, named in `year`; returns name → unit id."""
    ids = {}
    for name, level in levels.items():
        unit = make_unit(core, name)
        ids[name] = unit.id
        for star in RURAL_STARS[:level]:
            name_star(core, unit.id, year, star)
    return ids


def shown_targets(tab: StarsTab) -> dict[int, dict[str, str]]:
    """What the targets table on screen says, by level: its header over each cell's text."""
    model = tab.ui.targets_table.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return {
        model.rows[row].status.level: {headers[c]: model.data(model.index(row, c)) for c in range(model.columnCount())}
        for row in range(model.rowCount())
    }


def test_targets_are_set_in_the_dialog_and_the_panel_equals_the_year_summary(qtbot, core, boxes):
    ids = make_levels(core, {"甲村": 5, "乙村": 4, "丙村": 3, "丁村": 2, "戊村": 2, "己村": 0})
    core.stars.set_planned(ids["丁村"], YEAR, "平安法治星", True)
    core.stars.save_targets(Targets(YEAR - 1, {3: Decimal(80), 4: Decimal(50), 5: Decimal(20)}))
    tab = open_tab(qtbot, core)

    click(qtbot, tab.ui.targets_button)
    dialog = shown_dialog(tab, TargetsDialog)
    assert dialog.year == YEAR
    assert all(spin.value() == 0 for spin in dialog.spins.values())
    assert dialog.copy_previous()
    assert [dialog.spins[lv].value() for lv in (3, 4, 5)] == [80, 50, 20]
    dialog.spins[3].setValue(40)  # below 四星及以上: refused
    assert "累计" in dialog.warning_label.text()
    ok(qtbot, dialog)
    assert len(boxes.texts) == 1 and "三星及以上 ≥ 四星及以上 ≥ 五星" in boxes.texts[0]
    assert dialog.isVisible()
    dialog.spins[3].setValue(100)
    dialog.spins[4].setValue(70)
    dialog.spins[5].setValue(50)
    with qtbot.waitSignal(tab.changed):
        ok(qtbot, dialog)
    assert core.stars.targets(YEAR).percents == {3: Decimal(100), 4: Decimal(70), 5: Decimal(50)}

    summary = core.stars.year_view(YEAR)
    shown = shown_targets(tab)
    statuses = {s.level: s for s in target_status(summary.levels, summary.targets)}
    for level in (3, 4, 5):
        status = statuses[level]
        assert shown[level]["实际"] == share_text(summary.at_least(level))
        assert shown[level]["目标"] == share_text(summary.targets.percents[level] / 100)
        assert shown[level]["完成情况"] == ("√ 已达标" if status.met else "× 未达标")
        needed = f"还需 {status.units_needed} 个" if status.units_needed else "—"
        assert shown[level]["还需达到的个数"] == needed
        card = tab.ui.target_cards[level].text()
        assert share_text(summary.at_least(level)) in card
    # 3 of 6 units at three stars or more: 50% against 100%, three more needed.
    assert shown[3]["实际"] == "50%" and shown[3]["还需达到的个数"] == "还需 3 个"
    assert summary.to_json()["at_least"]["3"] == shown[3]["实际"]
    for level in (3, 4, 5):
        expected = [(g.unit_name, g.lacking, g.planned) for g in gaps(summary.units, level)]
        assert [(r.gap.unit_name, r.gap.lacking, r.gap.planned) for r in tab.gap_models[level].rows] == expected
    closest = tab.gap_models[3].rows[0]
    assert closest.gap.unit_name == "丁村" and closest.gap.planned == ("平安法治星",)
    assert closest.after_plan == "可达到"
    tab.ui.pages.setCurrentIndex(PAGE_TARGETS)
    assert tab.ui.gap_pages.tabText(0) == "未达三星（3 个）"


def test_a_star_that_fails_is_no_longer_counted_as_reachable_on_the_targets_page(qtbot, core, boxes):
    ids = make_levels(core, {"甲村": 2, "乙村": 2})
    jia = ids["甲村"]
    plan = RURAL_STARS[2]  # 生态宜居星: 甲村 plans the one star it lacks for 三星
    core.stars.set_planned(jia, YEAR, plan, True)
    core.stars.record_step(jia, YEAR, plan, StarStep.DECLARED, True, date(YEAR, 3, 1))
    tab = open_tab(qtbot, core)
    (row,) = [r for r in tab.gap_models[3].rows if r.gap.unit_name == "甲村"]
    assert (row.gap.planned, row.gap.failed, row.after_plan) == ((plan,), (), "可达到")

    assert tab.select_cell(jia, plan)
    click(qtbot, tab.ui.fail_button)
    dialog = shown_dialog(tab, StepDialog)
    dialog.date_edit.setDate(QDate(YEAR, 5, 20))
    type_text(dialog.note_edit, "污水管网工程未完工")
    with qtbot.waitSignal(tab.changed):
        ok(qtbot, dialog)

    tab.ui.pages.setCurrentIndex(PAGE_TARGETS)
    (row,) = [r for r in tab.gap_models[3].rows if r.gap.unit_name == "甲村"]
    assert (row.gap.planned, row.gap.failed, row.after_plan) == ((), (plan,), "仍差 1 颗")
    model = tab.gap_models[3]
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    shown = {h: model.data(model.index(model.rows.index(row), c)) for c, h in enumerate(headers)}
    assert shown["本年计划创建"] == "（无）"
    assert shown["本年未通过"] == plan
    assert shown["计划全部创成后"] == "仍差 1 颗"


# ----- filters ------------------------------------------------------------------------------------------


def test_filters_by_district_type_status_and_search(qtbot, core, boxes):
    east = core.villages.add_district("东部管区").value
    west = core.villages.add_district("西部管区").value
    strong = make_unit(core, "冯寨村", district_id=east.id)
    for star in RURAL_STARS[:3]:
        name_star(core, strong.id, 2023, star)
    weak = make_unit(core, "马垌村", district_id=east.id)
    core.stars.set_planned(weak.id, YEAR, STRONG, True)
    community = make_unit(core, "幸福社区", district_id=west.id)
    loose = make_unit(core, "王庄村")
    tab = open_tab(qtbot, core)

    def names() -> list[str]:
        return [u.unit_name for u in shown_rows(tab.proxy)]

    assert names() == ["冯寨村", "马垌村", "幸福社区", "王庄村"]
    ui = tab.ui
    ui.district_combo.setCurrentIndex(ui.district_combo.findData("东部管区"))
    assert names() == ["冯寨村", "马垌村"]
    ui.status_combo.setCurrentIndex(ui.status_combo.findData("below3"))
    assert names() == ["马垌村"]
    ui.status_combo.setCurrentIndex(ui.status_combo.findData("planned"))
    assert names() == ["马垌村"]
    ui.district_combo.setCurrentIndex(ui.district_combo.findData(""))  # 未分管区
    ui.status_combo.setCurrentIndex(ui.status_combo.findData("all"))
    assert names() == ["王庄村"]
    ui.district_combo.setCurrentIndex(0)
    ui.kind_combo.setCurrentIndex(ui.kind_combo.findData(UnitKind.COMMUNITY))
    assert names() == ["幸福社区"]
    ui.kind_combo.setCurrentIndex(0)
    ui.search_edit.setText("马垌")
    assert names() == ["马垌村"]
    assert ui.count_label.text() == "共 4 个，显示 1 个"
    ui.search_edit.clear()
    assert [u.unit_id for u in shown_rows(tab.proxy)] == [strong.id, weak.id, community.id, loose.id]
    # Sorting by 星级 puts the strongest first.
    tab.ui.matrix.sortByColumn(StarMatrixModel.LEVEL_COLUMN, Qt.SortOrder.DescendingOrder)
    assert names()[0] == "冯寨村"


def test_the_matrix_model_passes_the_model_tester(qtbot, qtmodeltester, core, boxes):
    unit = make_unit(core, "张五砦村")
    make_unit(core, "幸福社区")
    name_star(core, unit.id, 2023, STRONG)
    core.stars.set_planned(unit.id, YEAR, "产业兴旺星", True)
    tab = open_tab(qtbot, core)
    qtmodeltester.check(tab.model, force_py=True)
    qtmodeltester.check(tab.proxy)
    headers = [tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(tab.model.columnCount())]
    assert headers[:4] == ["管区", "村（社区）", "类型", "星级"]
    assert headers[4] == "支部过硬星\n村·社区" and headers[5] == "产业兴旺星\n村" and headers[-1] == "共建共享星\n社区"


# ----- reloading ---------------------------------------------------------------------------------------


def test_the_tab_reloads_only_for_stars_units_and_districts(qtbot, core, boxes):
    unit = make_unit(core, "张五砦村")
    tab = open_tab(qtbot, core)
    core.stars.set_planned(unit.id, YEAR, STRONG, True)
    tab.reload(Changes.ROUNDS | Changes.COMMITMENTS | Changes.SETTINGS)
    assert tab.cell_state(unit.id, STRONG) is StarState.NONE
    tab.reload(Changes.STARS)
    assert tab.cell_state(unit.id, STRONG) is StarState.PLANNED
    other = make_unit(core, "王庄村")
    tab.reload(Changes.UNITS)
    assert tab.unit_stars(other.id) is not None
    core.villages.add_district("新管区")
    tab.reload(Changes.DISTRICTS)
    assert tab.ui.district_combo.findData("新管区") >= 0


# ----- plan import and export ---------------------------------------------------------------------------


def write_plan(path: Path, rows: list[tuple[str, ...]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "创建计划"
    sheet.append(["2024年五星创建计划"])
    sheet.append(["村（社区）", "计划创建"])
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def test_a_plan_file_is_previewed_refused_with_problems_then_imported(qtbot, core, boxes, tmp_path, file_dialogs):
    first = make_unit(core, "张五砦村")
    second = make_unit(core, "王庄村")
    tab = open_tab(qtbot, core)
    path = write_plan(tmp_path / "计划.xlsx", [("张五砦村", "支部过硬星、产业兴旺星"), ("李家村", "平安法治星")])
    file_dialogs.pick(str(path))
    dialog = tab.open_import_dialog()
    assert isinstance(dialog, PlanImportDialog)
    assert not dialog.import_button.isEnabled()
    bad = dialog.model.rows[1]
    assert bad.unit_name == "李家村" and bad.problems
    index = dialog.model.index(1, len(dialog.model.columns) - 1)
    assert index.data(Qt.ItemDataRole.ForegroundRole).name() == "#b71c1c"
    assert "第 4 行" in index.data()
    dialog.do_import()
    assert tab.cell_state(first.id, STRONG) is StarState.NONE  # nothing written

    write_plan(path, [("张五砦村", "支部过硬星、产业兴旺星"), ("王庄村", "平安法治星")])
    click(qtbot, dialog.reload_button)
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(tab.changed):
        click(qtbot, dialog.import_button)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert tab.cell_text(first.id, STRONG) == "☆ 计划"
    assert tab.cell_text(first.id, "产业兴旺星") == "☆ 计划"
    assert tab.cell_state(second.id, "平安法治星") is StarState.PLANNED
    assert boxes.texts == []


def test_export_writes_the_progress_sheet_and_offers_to_open_it(qtbot, core, boxes, tmp_path):
    unit = make_unit(core, "张五砦村")
    name_star(core, unit.id, YEAR, STRONG)
    tab = open_tab(qtbot, core)
    dialog = tab.open_export_dialog()
    assert not dialog.open_button.isVisible()
    dialog.paper_group.buttons()[1].setChecked(True)
    target = tmp_path / "进度表"
    dialog.path_edit.setText(str(target))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    written = dialog.written
    assert boxes.texts == []
    assert written == tmp_path / "进度表.xlsx" and written.exists()
    assert dialog.path_edit.text() == str(written)
    assert dialog.paper == "A3"
    assert dialog.open_button.isVisible() and dialog.folder_button.isVisible()
    workbook = openpyxl.load_workbook(written)
    texts = [str(c.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row if c.value]
    assert workbook.sheetnames[0] == "五星创建进度表"
    assert any(t.endswith(f"{YEAR}年五星支部创建进度表") for t in texts)
    assert any("张五砦村" in t for t in texts)
    dialog.close()


# ----- charts -------------------------------------------------------------------------------------------


def test_the_charts_page_builds_and_draws_the_years(qtbot, core, boxes, tmp_path):
    ids = make_levels(core, {"甲村": 3, "乙村": 1}, year=2023)
    name_star(core, ids["乙村"], 2024, "平安法治星")
    name_star(core, ids["乙村"], 2024, "文明幸福星")
    core.stars.save_targets(Targets(2024, {3: Decimal(100)}))
    tab = open_tab(qtbot, core)
    assert not tab.charts_built
    with qtbot.waitSignal(tab.charts_loaded, timeout=10000):
        tab.ui.pages.setCurrentIndex(PAGE_CHARTS)
    assert tab.charts_built
    years = sorted(core.stars.years())
    assert years == [2023, 2024]
    chart = tab.level_chart
    assert chart.years == years
    assert chart.levels == core.stars.level_history(years)
    assert chart.levels[2024][3] == 2 and chart.levels[2023][1] == 1
    assert [float(s) for s in chart.shares()] == [50.0, 100.0]
    assert len(chart.target_items) == 1
    assert set(chart.bar_items) == {0, 1, 2, 3, 4, 5}
    assert "三星及以上：100%（目标 100%）" in chart.year_text(1)
    counts = tab.count_chart
    assert counts.counts == {y: dict(core.stars.star_count_history(years)[y]) for y in years}
    assert counts.counts[2024]["支部过硬星"] == 2 and counts.counts[2023]["平安法治星"] == 0
    assert "2024年末：2 个" in counts.star_text(counts.stars.index("支部过硬星"))
    written = tab.chart_export.export(1280, 720, str(tmp_path / "分布.png"))
    from PySide6.QtGui import QImage

    image = QImage(str(written))
    assert (image.width(), image.height()) == (1280, 720)
    tab.ui.chart_pages.setCurrentIndex(1)
    assert tab.chart_export.export(800, 600, str(tmp_path / "各星.png")).exists()
    chart.set_show_share(False)
    assert chart.share_item is None and not chart.plot_item.getAxis("right").isVisible()
    # A change made here redraws the charts shown.
    with qtbot.waitSignal(tab.charts_loaded, timeout=10000):
        core.stars.set_planned(ids["甲村"], 2025, "平安法治星", True)
        tab.reload(Changes.STARS)
    assert tab.level_chart.years == [2023, 2024, 2025]


def test_an_empty_folder_says_there_are_no_charts_yet(qtbot, core, boxes):
    tab = open_tab(qtbot, core)
    with qtbot.waitSignal(tab.charts_loaded, timeout=10000):
        tab.ui.pages.setCurrentIndex(PAGE_CHARTS)
    assert tab.ui.chart_stack.currentIndex() == 0
    assert "还没有五星创建记录" in tab.ui.chart_message.text()
    assert not tab.ui.chart_export_button.isEnabled()


def test_the_tab_loads_no_pyqtgraph_or_openpyxl_until_needed() -> None:
    script = (
        "import sys\nimport ui.stars.tab\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pyqtgraph', 'openpyxl'}))"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
