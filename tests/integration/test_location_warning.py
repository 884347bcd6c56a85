"""A data folder on a network drive or in a OneDrive (or other sync) folder is warned about in
Chinese, where SQLite's data file is not safe; one on the computer's own disk is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from lsb_desktop.core import Core
from lsb_desktop.services import location


@pytest.mark.parametrize(
    "folder", ["OneDrive/文档/亮赛比数据", "OneDrive - 孟庄镇人民政府/亮赛比", "Dropbox/lsb", "坚果云/党建办"]
)
def test_a_folder_inside_a_sync_folder_is_warned_about(tmp_path: Path, folder: str, monkeypatch) -> None:
    for variable in ("OneDrive", "OneDriveConsumer", "OneDriveCommercial"):
        monkeypatch.delenv(variable, raising=False)
    data = tmp_path / folder
    warning = location.location_warning(data)
    assert warning is not None and f"在同步文件夹“{Path(folder).parts[0]}”中" in warning
    assert "复制到本机" in warning


def test_the_onedrive_folder_windows_names_is_found_whatever_it_is_called(tmp_path: Path, monkeypatch) -> None:
    synced = tmp_path / "个人云盘"
    monkeypatch.setenv("OneDrive", str(synced))
    assert "个人云盘" in location.location_warning(synced / "亮赛比")


def test_a_network_mount_is_warned_about(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(location.sys, "platform", "linux")
    mounts = f"//server/share {tmp_path} cifs rw 0 0\n/dev/sda1 / ext4 rw 0 0\n"
    monkeypatch.setattr(location.Path, "read_text", lambda self, **_kw: mounts)
    assert "在网络驱动器（共享文件夹）上" in location.location_warning(tmp_path / "数据")


def test_the_computers_own_disk_is_not_warned_about(data_dir: Path, monkeypatch) -> None:
    for variable in ("OneDrive", "OneDriveConsumer", "OneDriveCommercial"):
        monkeypatch.delenv(variable, raising=False)
    with Core.open(data_dir) as core:
        assert core.folder.location_warning is None


def test_the_warning_reaches_the_command_line(tmp_path: Path, monkeypatch) -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    data = tmp_path / "OneDrive" / "亮赛比数据"
    done = subprocess.run(
        [sys.executable, str(root / "main.py"), "--data-dir", str(data), "check"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=root,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f"警告：数据文件夹“{data}”在同步文件夹“OneDrive”中" in done.stderr
