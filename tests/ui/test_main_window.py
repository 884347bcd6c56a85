"""The main window, its menus and the dialogs behind them, on a real data folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import make_unit
from openpyxl import Workbook, load_workbook
from PySide6.QtWidgets import QApplication, QFileDialog

from lsb_desktop.changes import Changes
from lsb_desktop.config import AppConfig
from ui.backup_dialog import RestoreDialog
from ui.first_run import FirstRunDialog
from ui.main_window import MainWindow
from ui.township_dialog import TownshipDialog
from ui.villages.roster_dialog import RosterImportDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, core):
    main = MainWindow(core, AppConfig(data_dir=core.data_dir))
    qtbot.addWidget(main)
    return main


def _roster(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["清河镇村（社区）名册"])
    sheet.append(["序号", "村（社区）名称", "类型", "管区", "党组织书记"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_menus_hold_the_file_and_help_actions(window) -> None:
    menus = {action.text(): action.menu() for action in window.menuBar().actions()}
    assert set(menus) == {"文件(&F)", "帮助(&H)"}
    file_texts = [a.text() for a in menus["文件(&F)"].actions() if not a.isSeparator()]
    for wanted in ("导入村（社区）花名册…", "导出村（社区）花名册…", "立即备份", "恢复备份…", "退出"):
        assert wanted in file_texts
    assert [a.text() for a in menus["帮助(&H)"].actions()] == ["关于"]


def test_the_tabs_come_in_the_documented_order_and_select_tab_finds_them(window) -> None:
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["村（社区）", "承诺事项", "观摩评比", "五星创建", "趋势图表"]
    assert window.select_tab("五星创建")
    assert window.tabs.currentWidget() is window.stars_tab
    assert window.select_tab("承诺事项")
    assert window.tabs.currentWidget() is window.commitments_tab
    assert not window.select_tab("不存在的页")


def test_first_paint_is_signalled_once_with_the_register_loaded(qtbot, core) -> None:
    make_unit(core, "张五砦村", secretary="李禛")
    main = MainWindow(core, AppConfig(data_dir=core.data_dir, smoke_test=True))
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.first_painted, timeout=5000):
        main.show()
    assert main.unit_count() == 1
    assert main.villages_tab.model.rowCount() == 1


def test_window_title_follows_the_township_settings(window, core) -> None:
    assert window.windowTitle() == "亮赛比 桌面版"
    dialog = TownshipDialog(core, window)
    dialog.name_edit.setText("孟庄镇")
    dialog._suggest_committee("孟庄镇")
    assert dialog.committee_edit.text() == "中共孟庄镇委员会"
    dialog.save()
    assert dialog.result() == TownshipDialog.DialogCode.Accepted
    window.broadcast(Changes.SETTINGS)
    assert window.windowTitle() == "亮赛比 桌面版 — 孟庄镇"
    assert core.settings.township().party_committee == "中共孟庄镇委员会"


def test_roster_import_dialog_imports_a_clean_file(qtbot, core, tmp_path) -> None:
    path = _roster(
        tmp_path / "名册.xlsx", [[1, "张五砦村", "村", "东部管区", "李禛"], [2, "幸福社区", "社区", "东部管区", "张镛"]]
    )
    dialog = RosterImportDialog(core, path)
    qtbot.addWidget(dialog)
    assert dialog.import_button.isEnabled()
    assert [row.action for row in dialog.plan_model.rows] == ["新增", "新增"]
    assert "东部管区" in dialog.summary.text()
    dialog.do_import()
    assert dialog.result() == RosterImportDialog.DialogCode.Accepted
    units = {u.name: u for u in core.villages.list_units()}
    assert units["张五砦村"].secretary == "李禛" and units["幸福社区"].district_name == "东部管区"


def test_roster_import_dialog_shows_problems_and_cannot_import(qtbot, core, tmp_path) -> None:
    path = _roster(tmp_path / "坏.xlsx", [[1, "张五砦村", "镇", "东部管区", "李禛"], [2, "", "村", "东部管区", ""]])
    dialog = RosterImportDialog(core, path)
    qtbot.addWidget(dialog)
    assert not dialog.import_button.isEnabled()
    places = [problem.where() for problem in dialog.problem_model.rows]
    # Each place names the sheet too (issue 19): 工作表“名册” 第3行 C列（类型）.
    assert any(place.startswith("工作表“") and " 第3行 C列" in place for place in places), places
    assert any(place.startswith("工作表“") and " 第4行 B列" in place for place in places), places
    dialog.do_import()
    assert core.villages.list_units() == []


def test_export_and_backup_from_the_file_menu(window, core, tmp_path, monkeypatch, boxes) -> None:
    make_unit(core, "张五砦村", secretary="李禛")
    target = tmp_path / "导出"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), ""))
    window.export_action.trigger()
    exported = target.with_suffix(".xlsx")
    # Done: the clerk is told where, with 打开 and 在文件夹中显示 (answered 关闭 here).
    assert boxes.texts[-1] == f"已导出 1 个村（社区）的花名册到：\n{exported}"
    names = [row[1] for row in load_workbook(exported).active.iter_rows(min_row=3, values_only=True)]
    assert names == ["张五砦村"]
    before = len(core.folder.list_backups())
    window.backup_action.trigger()
    assert len(core.folder.list_backups()) == before + 1
    assert "已备份到" in window.statusBar().currentMessage()


def test_a_roster_export_says_which_cells_were_cut(window, core, tmp_path, monkeypatch, boxes) -> None:
    unit = make_unit(core, "张五砦村")
    core.villages.change_unit(unit.id, note="长" * 40_000)
    target = tmp_path / "名册.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), ""))
    window.export_action.trigger()
    (cut,) = [text for text in boxes.texts if "导出时已截断" in text]
    assert cut.startswith("工作表“")


def test_restore_dialog_brings_back_a_backup_and_the_tab_reloads(window, core) -> None:
    make_unit(core, "张五砦村")
    core.folder.backup("manual")
    make_unit(core, "后营村")
    window.villages_tab.reload()
    assert window.villages_tab.model.rowCount() == 2
    dialog = RestoreDialog(core, window)
    assert dialog.model.rowCount() >= 1
    chosen = dialog.selected_backup()
    assert chosen is not None and chosen.reason == "manual"
    dialog.restore(chosen.path)
    assert dialog.result() == RestoreDialog.DialogCode.Accepted

    window.broadcast(Changes.ALL)
    assert [u.name for u in core.villages.list_units()] == ["张五砦村"]
    assert window.villages_tab.model.rowCount() == 1
    assert any(b.reason == "pre-restore" for b in core.folder.list_backups())


def test_first_run_dialog_opens_the_demo_township(qtbot, core) -> None:
    assert core.is_empty()
    dialog = FirstRunDialog(core)
    qtbot.addWidget(dialog)
    dialog.demo_button.click()
    assert dialog.result() == FirstRunDialog.DialogCode.Accepted
    assert len(core.villages.list_units()) == 24
    assert not core.is_empty()


def test_first_run_dialog_can_start_blank(qtbot, core) -> None:
    dialog = FirstRunDialog(core)
    qtbot.addWidget(dialog)
    dialog.blank_button.click()
    assert dialog.result() == FirstRunDialog.DialogCode.Accepted
    assert core.villages.list_units() == []


def test_the_commitments_and_stars_tabs_read_their_data_when_first_shown(qtbot, demo_core) -> None:
    main = MainWindow(demo_core, AppConfig(data_dir=demo_core.data_dir))
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    assert main.commitments_tab.model.rowCount() == 0, "hidden at start-up: nothing read yet"
    assert main.stars_tab.model.rowCount() == 0
    main.select_tab("承诺事项")
    items = main.commitments_tab.model.rowCount()
    assert items == len(demo_core.commitments.list_commitments(main.commitments_tab.year()))
    main.select_tab("五星创建")
    assert main.stars_tab.model.rowCount() == 24
    # A change made while the tab is hidden is read when it is shown again.
    from lsb_desktop.domain.commitments import CommitmentDraft

    unit = demo_core.villages.list_units()[0]
    demo_core.commitments.add(CommitmentDraft(unit.id, main.commitments_tab.year(), "新增的承诺事项", "其他"))
    main.broadcast(Changes.COMMITMENTS)
    assert main.commitments_tab.model.rowCount() == items, "still hidden: not read yet"
    assert main.select_tab("承诺事项")
    assert main.commitments_tab.model.rowCount() == items + 1


# ----- a backup that could not be written, and 检查数据 ---------------------------------------------


def block_backups(data_dir: Path) -> None:
    """A file where the backups folder should be: no backup can be written (for root too)."""
    import shutil

    shutil.rmtree(data_dir / "backups", ignore_errors=True)
    (data_dir / "backups").write_text("不是文件夹")


@pytest.fixture
def unbacked_core(tmp_path: Path):
    """A data folder opened on a later day while its backups folder cannot be written."""
    from datetime import date

    from lsb_desktop.core import Core

    folder = tmp_path / "data"
    with Core.open(folder, today=date(2030, 5, 1)) as first:
        make_unit(first, "张五砦村")
    block_backups(folder)
    opened = Core.open(folder, today=date(2030, 5, 2))
    yield opened
    opened.close()


def test_a_failed_daily_backup_is_said_once_and_noted_in_the_status_bar(qtbot, unbacked_core, boxes) -> None:
    core = unbacked_core
    assert core.folder.backup_warning
    main = MainWindow(core, AppConfig(data_dir=core.data_dir))
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    assert main.villages_tab.model.rowCount() == 1  # the data opened as usual
    note = main.backup_warning_label
    assert note.isVisible() and note.text() == "⚠ 自动备份没有完成，请用 文件 → 立即备份 再试"
    assert note.toolTip() == core.folder.backup_warning
    assert main.announce_backup_problem()
    assert boxes.texts == [core.folder.backup_warning]
    assert not main.announce_backup_problem()  # once
    assert len(boxes.texts) == 1
    # A manual backup that still fails is refused in words; the note stays.
    main.backup_action.trigger()
    assert len(boxes.texts) == 2 and "无法在" in boxes.texts[1] and "写入备份" in boxes.texts[1]
    assert note.isVisible()
    # Once the folder can be written, 立即备份 works and the note goes.
    (core.data_dir / "backups").unlink()
    main.backup_action.trigger()
    assert not note.isVisible() and core.folder.list_backups()[0].reason == "manual"


def test_the_window_opens_and_says_so_once_when_the_daily_backup_fails(qapp, tmp_path, boxes, monkeypatch) -> None:
    """The start-up of ui/app.py itself: the program opens, then says why there is no backup."""
    import sys

    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    import ui.app as app_module
    from lsb_desktop.core import Core

    folder = tmp_path / "data"
    with Core.open(folder) as first:
        make_unit(first, "张五砦村")
    block_backups(folder)
    seen = {}

    def run_a_moment(app) -> int:
        QTest.qWait(400)  # long enough for the first paint and what it starts
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        seen["windows"] = windows
        seen["note"] = [w.backup_warning_label.isVisible() for w in windows]
        for window in windows:
            window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", run_a_moment)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    assert app_module.run_gui(AppConfig(data_dir=folder)) == 0
    assert len(seen["windows"]) == 1 and seen["note"] == [True]
    (text,) = boxes.texts
    assert text.startswith("今天的自动备份没有完成") and "程序照常打开" in text


def test_check_data_from_the_menu_names_the_village_in_its_report(window, core, monkeypatch) -> None:
    from tests.integration.dbfiles import sql
    from ui.backup_dialog import CheckReportDialog

    unit = make_unit(core, "张五砦村", secretary="李禛")
    core.stars.set_planned(unit.id, 2024, "支部过硬星", True)
    shown = []
    monkeypatch.setattr(CheckReportDialog, "exec", lambda dialog: shown.append(dialog) or 0)
    window.check_action.trigger()
    (healthy,) = shown
    assert healthy.verdict_label.text() == "√ 检查通过，数据完好"
    assert healthy.problem_list.count() == 0 and healthy.advice_label.isHidden()
    assert "条审计记录哈希相连" in healthy.checked_label.text()

    sql(core.folder.database.path, "UPDATE audit_log SET reason = '改过' WHERE id = (SELECT max(id) FROM audit_log)")
    window.check_action.trigger()
    damaged = shown[1]
    assert damaged.verdict_label.text() == "× 发现 1 个问题"
    assert damaged.problem_list.count() == 1
    problem = damaged.problem_list.item(0).text()
    assert problem.startswith("1. 审计日志第 ")
    assert "的内容被改动：" in problem and problem.endswith("“列入创建计划”，张五砦村 2024年支部过硬星")
    assert not damaged.advice_label.isHidden() and not damaged.problem_list.isHidden()
    damaged.copy_report()
    assert QApplication.clipboard().text() == "\n".join(damaged.report.lines())
