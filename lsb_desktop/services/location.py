"""Where a data folder should not be: a network drive or a folder a sync program (OneDrive, …)
copies behind SQLite's back. SQLite's write-ahead log needs one computer's own disk: on a
network share two computers can damage the file, and a sync program can copy the data file
without its -wal, or bring back an old copy over a new one."""

from __future__ import annotations

import os
import sys
from pathlib import Path, PurePath

# Folders of sync programs seen on township PCs, by the first words of their name.
SYNC_FOLDERS = (
    "onedrive",
    "dropbox",
    "坚果云",
    "nutstore",
    "百度网盘",
    "baidunetdisk",
    "icloud drive",
    "google drive",
    "wps云文档",
    "wpsdrive",
)
# File systems of a network drive as Linux names them (/proc/mounts), for the same check there.
NETWORK_FILE_SYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "9p", "afs", "ncpfs", "fuse.rclone", "davfs", "fuse.davfs2"}
)
_DRIVE_REMOTE = 4  # GetDriveTypeW

ADVICE = (
    "数据文件只适合放在本机的硬盘上：请关闭程序，把整个数据文件夹复制到本机（如“文档”下），"
    "启动时用 --data-dir 指定复制后的文件夹，或直接使用程序默认的数据文件夹。"
)


def _sync_folder(path: PurePath) -> str | None:
    for part in path.parts:
        lowered = part.lower()
        if any(lowered.startswith(name) for name in SYNC_FOLDERS):
            return part
    for variable in ("OneDrive", "OneDriveConsumer", "OneDriveCommercial"):
        root = os.environ.get(variable)
        if root and _inside(path, Path(root)):
            return Path(root).name
    return None


def _inside(path: PurePath, folder: Path) -> bool:
    try:
        return Path(path).resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):
        return False


def _network_drive(path: Path) -> bool:
    if sys.platform == "win32":
        text = str(path)
        if text.startswith("\\\\"):
            return True  # \\server\share
        drive = path.drive or Path(path).resolve().drive
        if not drive or drive.startswith("\\\\"):
            return bool(drive)
        import ctypes

        return ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == _DRIVE_REMOTE
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return False
    resolved = str(Path(path).resolve())
    best, kind = "", ""
    for line in mounts:
        fields = line.split()
        if len(fields) >= 3:
            point = fields[1].replace("\\040", " ")
            if (resolved == point or resolved.startswith(point.rstrip("/") + "/")) and len(point) > len(best):
                best, kind = point, fields[2]
    return kind in NETWORK_FILE_SYSTEMS


def location_warning(folder: Path) -> str | None:
    """A warning in Chinese when `folder` is on a network drive or inside a sync program's
    folder; None on the computer's own disk."""
    folder = Path(folder)
    try:
        network = _network_drive(folder)
    except OSError:
        network = False
    if network:
        return f"数据文件夹“{folder}”在网络驱动器（共享文件夹）上。多台电脑同时打开或网络中断时，数据文件可能损坏。{ADVICE}"
    synced = _sync_folder(folder)
    if synced:
        return (
            f"数据文件夹“{folder}”在同步文件夹“{synced}”中。同步程序可能只复制了数据文件的一部分，"
            f"或把旧的副本同步回来覆盖新数据。{ADVICE}"
        )
    return None
