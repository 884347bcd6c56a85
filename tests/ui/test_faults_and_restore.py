"""Faults in the window: a data file that cannot be written is a message box and nothing
changes; 恢复备份 when the data file is damaged, from the menu's dialog while the window is open
and at start-up when the data cannot be opened; a backup whose audit log does not add up is
restored only after the clerk confirms the listed problems."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import make_unit
from PySide6.QtWidgets import QMessageBox

import ui.app as app_module
from lsb_desktop.config import AppConfig
from lsb_desktop.core import Core
from lsb_desktop.services.storage import DamagedDataError
from tests.integration.dbfiles import sql
from ui.backup_dialog import RestoreDialog
from ui.main_window import MainWindow
from ui.township_dialog import TownshipDialog

pytestmark = pytest.mark.gui


def damage(path: Path) -> bytes:
    """Every page but the first (the schema) overwritten with garbage."""
    blob = bytearray(path.read_bytes())
    blob[4096:] = b"\xa5" * (len(blob) - 4096)
    path.write_bytes(bytes(blob))
    return bytes(blob)


def announcement(dialog: RestoreDialog) -> str:
    """The text of the message that says what the restore did (shown without blocking)."""
    box = dialog.announcement
    assert isinstance(box, QMessageBox) and box.isVisible()
    text = box.text()
    box.close()
    return text


def test_a_data_file_that_cannot_be_written_is_a_message_and_nothing_changes(qtbot, core, boxes) -> None:
    from sqlalchemy import event

    window = MainWindow(core, AppConfig(data_dir=core.data_dir))
    qtbot.addWidget(window)
    engine = core.folder.database.engine
    # From now on SQLite itself refuses every write, as for a read-only file (SQLITE_READONLY).
    event.listen(engine, "connect", lambda connection, _record: connection.execute("PRAGMA query_only = ON"))
    engine.dispose()
    dialog = TownshipDialog(core, window)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("孟庄镇")
    dialog.save()

    (text,) = boxes.texts
    assert "不能写入" in text and "数据仍是操作之前的样子" in text
    assert dialog.result() != TownshipDialog.DialogCode.Accepted
    assert core.settings.township().township_name != "孟庄镇"


def test_the_menu_restores_a_backup_over_data_damaged_while_the_window_is_open(qtbot, core, boxes) -> None:
    make_unit(core, "张五砦村")
    core.folder.backup("manual")
    make_unit(core, "后营村")
    window = MainWindow(core, AppConfig(data_dir=core.data_dir))
    qtbot.addWidget(window)
    core.folder.database.engine.dispose()
    damaged = damage(core.folder.paths.database)

    dialog = RestoreDialog(core, window)
    qtbot.addWidget(dialog)
    assert dialog.selected_backup().reason == "manual"
    dialog.restore_button.click()  # 恢复所选备份, then 确定 in the confirmation

    assert dialog.result() == RestoreDialog.DialogCode.Accepted
    (kept,) = core.data_dir.glob("lsb-damaged-*.db")
    assert kept.read_bytes() == damaged
    assert dialog.result_of_restore.damaged_copy == kept
    assert dialog.result_of_restore.safety_backup is None  # damaged data cannot be backed up
    assert str(kept) in announcement(dialog)
    assert [u.name for u in core.villages.list_units()] == ["张五砦村"]
    assert make_unit(core, "马垌村").name == "马垌村"  # and the data can be written again


def test_at_start_damaged_data_is_offered_a_restore_and_the_window_opens(qapp, data_dir, boxes, monkeypatch) -> None:
    with Core.open(data_dir) as first:
        make_unit(first, "张五砦村")
        first.folder.backup("manual")
    damage(data_dir / "lsb.db")
    with pytest.raises(DamagedDataError) as caught:
        Core.open(data_dir)

    shown: list[RestoreDialog] = []

    def choose_the_newest(dialog: RestoreDialog) -> int:
        shown.append(dialog)
        assert dialog.damage_label is not None and "已损坏" in dialog.damage_label.text()
        dialog.restore_button.click()
        return dialog.result()

    monkeypatch.setattr(RestoreDialog, "exec", choose_the_newest)
    core = app_module.offer_restore(data_dir, caught.value.message)
    try:
        assert core is not None
        assert "已损坏" in boxes.texts[0] and "现在用一份备份恢复数据吗" in boxes.texts[0]
        assert [u.name for u in core.villages.list_units()] == ["张五砦村"]
        assert len(list(data_dir.glob("lsb-damaged-*.db"))) == 1
        assert "改名保存" in announcement(shown[0])
    finally:
        if core is not None:
            core.close()


def test_at_start_the_clerk_may_quit_instead_and_nothing_is_touched(qapp, data_dir, boxes) -> None:
    Core.open(data_dir).close()
    damaged = damage(data_dir / "lsb.db")
    boxes.confirm = False  # 退出
    assert app_module.offer_restore(data_dir, "数据文件已损坏") is None
    assert (data_dir / "lsb.db").read_bytes() == damaged
    assert list(data_dir.glob("lsb-damaged-*.db")) == []


def test_a_backup_with_audit_problems_is_restored_only_after_the_clerk_confirms(qtbot, core, boxes) -> None:
    make_unit(core, "张五砦村")
    tampered = core.folder.backup("manual")
    # An entry slipped into the log afterwards, not chained to the one before it.
    sql(
        tampered,
        "INSERT INTO audit_log (at, operator, action, entity, old, new, reason, prev_hash, hash) "
        "VALUES ('2030-01-01 09:00:00', '某人', 'score.set', 'score:1', '', '20', '', 'x', 'y')",
    )
    make_unit(core, "后营村")
    dialog = RestoreDialog(core)
    qtbot.addWidget(dialog)

    boxes.confirm = False
    dialog.restore(tampered)
    assert "的审计日志有" in boxes.texts[-1] and "第 1 条" in boxes.texts[-1]
    assert [u.name for u in core.villages.list_units()] == ["张五砦村", "后营村"]

    boxes.confirm = True
    dialog.restore(tampered)
    assert [u.name for u in core.villages.list_units()] == ["张五砦村"]
    assert "的审计日志有" in announcement(dialog)
