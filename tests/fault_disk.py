"""A small file system to fill up or make read-only, for the fault tests (e2e and window)."""

from __future__ import annotations

import errno
import os
import resource
import shutil
import signal
import subprocess
import tempfile
from functools import cache
from pathlib import Path

import pytest

DISK_SIZE = 48 * 1024 * 1024


@cache
def can_mount() -> bool:
    """Whether this user may mount a tmpfs here (root in a container usually may; others not)."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    probe = Path(tempfile.mkdtemp(prefix="lsb-mount-probe-"))
    try:
        mounted = (
            subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe)], capture_output=True
            ).returncode
            == 0
        )
        if mounted:
            subprocess.run(["umount", str(probe)], check=True)
        return mounted
    finally:
        probe.rmdir()


class SmallDisk:
    """A small file system to fill up: a tmpfs of a few MB when this user may mount one;
    otherwise a folder on the ordinary disk, and the program's process gets RLIMIT_FSIZE, so
    any write past `leave` bytes into a file fails (EFBIG) as it would on a full disk."""

    def __init__(self, where: Path) -> None:
        self.root = where
        where.mkdir(parents=True)
        self.mounted = can_mount()
        if self.mounted:
            subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_SIZE}", "tmpfs", str(where)], check=True)
        self.cap: int | None = None
        self._filler = where / "filler.bin"
        self._binds: list[Path] = []

    def fill(self, leave: int = 0) -> None:
        if not self.mounted:
            self.cap = max(leave, 1)
            return
        with open(self._filler, "wb") as handle:
            block = b"\0" * (1 << 20)
            try:
                while True:
                    handle.write(block)
                    handle.flush()
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
            try:
                handle.close()
            except OSError:
                pass
        size = self._filler.stat().st_size
        os.truncate(self._filler, max(size - leave, 0))

    def empty(self) -> None:
        self.cap = None
        self._filler.unlink(missing_ok=True)

    def limit(self):
        """preexec_fn for the program: the size cap in the fallback, nothing on a tmpfs."""
        cap = self.cap
        if cap is None:
            return None

        def apply() -> None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the cap fails, not kills
            resource.setrlimit(resource.RLIMIT_FSIZE, (cap, cap))

        return apply

    def read_only(self, path: Path) -> None:
        """`path` (a folder, or a file) can no longer be written, by root as well."""
        if self.mounted:
            subprocess.run(["mount", "--bind", str(path), str(path)], check=True)
            subprocess.run(["mount", "-o", "remount,bind,ro", str(path)], check=True)
            self._binds.append(path)
        elif os.geteuid() != 0:
            for item in [path, *path.rglob("*")] if path.is_dir() else [path]:
                item.chmod(item.stat().st_mode & ~0o222)
        else:
            pytest.skip("root ignores file permissions and may not mount here: no way to make a folder read-only")

    def writable(self) -> None:
        for path in reversed(self._binds):
            subprocess.run(["umount", str(path)], check=True)
        self._binds.clear()
        if not self.mounted:
            for item in [self.root, *self.root.rglob("*")]:
                item.chmod(item.stat().st_mode | 0o200)

    def close(self) -> None:
        self.writable()
        self.empty()
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.root)], check=False)
