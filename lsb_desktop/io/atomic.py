"""Writing a file people see (an export) in one go: the whole file or nothing, and no temporary
file left behind when the disk is full, the folder read-only or the old file open in Excel."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from lsb_desktop.errors import ValidationError, os_reason

# A file being written is named .~<name>.<random>.part beside its target until it is complete.
TEMPORARY_PREFIX, TEMPORARY_SUFFIX = ".~", ".part"
_FILE_BUSY = "文件可能正在被 Excel 或 WPS 打开，或是只读文件"


def temporary_name(path: Path) -> Path:
    return path.with_name(f"{TEMPORARY_PREFIX}{path.name}.{secrets.token_hex(4)}{TEMPORARY_SUFFIX}")


def write_atomically(path: Path | str, data: bytes) -> Path:
    """Write `data` to a temporary file beside `path`, then move it over `path`. Every failure
    of the system is a ValidationError in Chinese naming the file and why (磁盘已满, 没有写入权限,
    文件正被其他程序占用, 路径不存在); the old file, if any, is left as it was."""
    path = Path(path)
    if not path.parent.is_dir():
        raise _refused(path, f"文件夹“{path.parent}”不存在")
    if path.is_dir():
        raise _refused(path, "该位置是一个文件夹")
    temporary = temporary_name(path)
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:
        raise _refused(path, os_reason(exc)) from exc
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        try:
            os.replace(temporary, path)
        except PermissionError as exc:
            # The temporary file could be written here, so the folder is writable: Windows refuses
            # to replace a file another program holds open (or a read-only one).
            raise _refused(path, _FILE_BUSY) from exc
    except ValidationError:
        _discard(temporary)
        raise
    except OSError as exc:
        _discard(temporary)
        raise _refused(path, os_reason(exc)) from exc
    except BaseException:
        _discard(temporary)
        raise
    return path


def _discard(temporary: Path) -> None:
    try:
        temporary.unlink(missing_ok=True)
    except OSError:
        pass  # a folder that turned read-only mid-write; the half file is named to be recognised


def _refused(path: Path, reason: str) -> ValidationError:
    if reason in ("磁盘已满", "磁盘配额已用完") or reason.startswith("文件超过"):
        advice = "请腾出磁盘空间，或换一个磁盘（U 盘）后再试。"
    elif reason.startswith("文件可能正在") or reason.startswith("文件正被"):
        advice = "请关闭后重试。"
    else:
        advice = "请换一个可以写入的文件夹（如“文档”）后再试。"
    return ValidationError(f"无法写入“{path.name}”：{reason}，文件没有保存。{advice}")
