"""The window on a read-only data folder (a CD, a read-only share): it opens, says so in its
title, status bar and once in a message, shows the data, and refuses each change with the
reason; a chart saved into a read-only folder is a message box; the restore dialog states the
rule by which backups are kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import make_unit
from fault_disk import SmallDisk

from lsb_desktop.config import AppConfig
from lsb_desktop.core import Core
from lsb_desktop.domain.trends import TrendData
from lsb_desktop.services.storage import KEEP_RULE_TEXT
from ui.backup_dialog import RestoreDialog
from ui.main_window import READ_ONLY_NOTE, MainWindow
from ui.township_dialog import TownshipDialog

pytestmark = pytest.mark.gui
READ_ONLY = "是只读的，现在只能查看和导出，不能修改"


@pytest.fixture
def disk(tmp_path: Path):
    small = SmallDisk(tmp_path / "disk")
    yield small
    small.close()


@pytest.fixture
def read_only_core(disk: SmallDisk):
    folder = disk.root / "data"
    with Core.open(folder) as core:
        make_unit(core, "张五砦村")
        core.settings.save_township("孟庄镇", "中共孟庄镇委员会")
    disk.read_only(folder)
    core = Core.open(folder)
    yield core
    core.close()  # before the folder is made writable again and unmounted


def test_the_window_opens_a_read_only_folder_says_so_and_refuses_changes(
    qtbot, read_only_core, boxes, screenshots
) -> None:
    core = read_only_core
    window = MainWindow(core, AppConfig(data_dir=core.data_dir))
    qtbot.addWidget(window)
    window.resize(1100, 700)
    window.show()
    assert window.windowTitle().endswith("孟庄镇（只读）")
    assert window.read_only_label.isVisible() and window.read_only_label.text() == READ_ONLY_NOTE
    assert READ_ONLY in window.read_only_label.toolTip()
    assert window.unit_count() == 1  # the data is there to look at
    window.grab().save(str(screenshots / "lsb-read-only-window.png"))

    assert window.announce_read_only() and not window.announce_read_only()  # said once
    (said,) = boxes.texts
    assert READ_ONLY in said and "复制到可以写入的位置" in said

    dialog = TownshipDialog(core, window)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("改过的镇")
    dialog.save()
    window.backup_now()
    assert len(boxes.texts) == 3 and all(READ_ONLY in text for text in boxes.texts[1:])
    assert dialog.result() != TownshipDialog.DialogCode.Accepted
    assert core.settings.township().township_name != "改过的镇"
    assert sorted(p.name for p in core.data_dir.iterdir()) == ["backups", "lsb.db", "lsb.lock"]


def test_a_chart_saved_into_a_read_only_folder_is_a_message_and_leaves_nothing(qtbot, disk, boxes) -> None:
    from ui.widgets.chart_panel import save_chart_png
    from ui.widgets.charts import ScoreTrendChart

    chart = ScoreTrendChart()
    qtbot.addWidget(chart)
    chart.set_data(TrendData((), (), ()), [])
    chart.show()
    target = disk.root / "图片"
    target.mkdir()
    disk.read_only(target)
    assert save_chart_png(chart, chart, 640, 360, str(target / "得分趋势")) is None
    (said,) = boxes.texts
    assert said.startswith("无法写入“得分趋势.png”：") and "文件没有保存" in said
    assert list(target.iterdir()) == []


def test_the_restore_dialog_states_the_keep_rule(qtbot, core, screenshots) -> None:
    dialog = RestoreDialog(core)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.keep_rule_label.text() == KEEP_RULE_TEXT
    assert KEEP_RULE_TEXT.startswith(
        "保留规则：最近 30 份和最近 7 天的全部备份；30 天内每天最后一份；一年内每月最后一份；"
    )
    dialog.grab().save(str(screenshots / "lsb-restore-dialog.png"))
