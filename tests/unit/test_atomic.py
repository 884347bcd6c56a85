"""Writing an export in one go: the whole file or nothing, and each refusal of the system in Chinese."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from lsb_desktop.errors import ValidationError, os_reason
from lsb_desktop.io import atomic
from lsb_desktop.io.atomic import write_atomically


def test_the_file_is_written_whole_and_nothing_else_is_left(tmp_path: Path) -> None:
    target = tmp_path / "汇总表.xlsx"
    target.write_bytes(b"old")
    write_atomically(target, b"new" * 1000)
    assert target.read_bytes() == b"new" * 1000
    assert [p.name for p in tmp_path.iterdir()] == ["汇总表.xlsx"]


@pytest.mark.parametrize(
    ("code", "reason", "advice"),
    [
        (errno.ENOSPC, "磁盘已满", "腾出磁盘空间"),
        (errno.EROFS, "磁盘只读", "可以写入的文件夹"),
        (errno.EACCES, "没有写入权限", "可以写入的文件夹"),
        (errno.EIO, "磁盘读写出错", "可以写入的文件夹"),
    ],
)
def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch, code, reason, advice) -> None:
    target = tmp_path / "荣誉证书.pdf"
    target.write_bytes(b"old")

    def failing(descriptor, data):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(atomic.os, "write", failing)
    with pytest.raises(ValidationError) as caught:
        write_atomically(target, b"new")
    monkeypatch.undo()
    assert caught.value.message.startswith("无法写入“荣誉证书.pdf”：")
    assert reason in caught.value.message and advice in caught.value.message and "文件没有保存" in caught.value.message
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["荣誉证书.pdf"]


def test_a_file_open_in_excel_is_said(tmp_path, monkeypatch) -> None:
    def locked(source, target):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(atomic.os, "replace", locked)
    with pytest.raises(ValidationError, match="正在被 Excel 或 WPS 打开.*请关闭后重试"):
        write_atomically(tmp_path / "花名册.xlsx", b"x")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_or_a_folder_in_the_way_is_said(tmp_path) -> None:
    with pytest.raises(ValidationError, match="文件夹“.*没有”不存在"):
        write_atomically(tmp_path / "没有" / "a.png", b"x")
    (tmp_path / "a.png").mkdir()
    with pytest.raises(ValidationError, match="该位置是一个文件夹"):
        write_atomically(tmp_path / "a.png", b"x")


def test_windows_codes_are_said_in_chinese() -> None:
    busy = OSError(errno.EACCES, "The process cannot access the file")
    busy.winerror = 32
    assert os_reason(busy) == "文件正被其他程序占用（例如在 Excel 或 WPS 中打开）"
    assert os_reason(OSError(errno.ENOENT, "No such file")) == "路径不存在"
    assert os_reason(OSError(12345, "odd")) == "odd"
