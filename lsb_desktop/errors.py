"""The LsbError family: known failures that carry a Chinese message for the user; and the
program's exit codes, which follow the same split."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """What the program returns: 0 done, 2 bad input (a known failure, its reason in Chinese on
    stderr), 1 an internal error (a bug, with the traceback). The command line, the window's
    start-up and main.py all use these."""

    OK = 0
    INTERNAL = 1
    BAD_INPUT = 2


class LsbError(Exception):
    """A failure the user can understand and act on; `message` is shown as it is."""

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details or [])

    def __str__(self) -> str:
        if not self.details:
            return self.message
        return self.message + "\n" + "\n".join(self.details)


class ValidationError(LsbError):
    """Input that breaks a rule: a missing name, a duplicate, a date out of order."""


class NotFoundError(LsbError):
    """Something the user referred to no longer exists."""


class StorageError(LsbError):
    """The data file or folder cannot be used: unreadable, newer than the program, damaged."""


class LockedError(StorageError):
    """Another copy of the program is using the same data folder."""


class TieUndecidedError(ValidationError):
    """A correction of a finalised round would leave a tie across a flag line undecided:
    `ties` are the BoundaryTie values to decide before the correction can be saved."""

    def __init__(self, message: str, details: list[str] | None = None, ties: tuple = ()) -> None:
        super().__init__(message, details)
        self.ties = tuple(ties)


# ----- an operating system's refusal in the clerk's words (shared by storage and the file writers) -----

_ERRNO_NAMES = {
    "EACCES": "没有写入权限",
    "EPERM": "没有写入权限",
    "ENOSPC": "磁盘已满",
    "EROFS": "磁盘只读",
    "EEXIST": "该位置已有一个同名文件，不是文件夹",
    "ENOTDIR": "该位置已有一个同名文件，不是文件夹",
    "EISDIR": "该位置是一个文件夹",
    "EFBIG": "文件超过了系统允许的大小（磁盘空间或文件大小受限）",
    "EDQUOT": "磁盘配额已用完",
    "EIO": "磁盘读写出错",
    "EBUSY": "文件正被其他程序占用",
    "ENOENT": "路径不存在",
}
# Windows' own codes, which say more than the errno Python maps them to.
_WINERROR_REASONS = {
    5: "没有写入权限",
    32: "文件正被其他程序占用（例如在 Excel 或 WPS 中打开）",
    33: "文件正被其他程序占用（例如在 Excel 或 WPS 中打开）",
    112: "磁盘已满",
    39: "磁盘已满",
    19: "磁盘只读（写保护）",
    3: "路径不存在",
    2: "路径不存在",
}


def os_reason(exc: BaseException) -> str:
    """Why the operating system refused (a full disk, no permission, a file in use, a path that
    does not exist), in Chinese; the system's own words for anything else."""
    import errno

    if not isinstance(exc, OSError):
        return str(exc)
    winerror = getattr(exc, "winerror", None)
    if winerror in _WINERROR_REASONS:
        return _WINERROR_REASONS[winerror]
    for name, reason in _ERRNO_NAMES.items():
        if exc.errno is not None and exc.errno == getattr(errno, name, None):
            return reason
    return exc.strerror or str(exc)


def is_read_only_refusal(exc: BaseException) -> bool:
    """Whether an OSError says the place cannot be written (read-only disk or no permission),
    not that it is busy, full or missing."""
    import errno

    if not isinstance(exc, OSError):
        return False
    if getattr(exc, "winerror", None) in (32, 33):  # a sharing violation: busy, not read-only
        return False
    return exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM)
