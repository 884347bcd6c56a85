"""When this process started, so --smoke-test can report milliseconds since process start."""

from __future__ import annotations

import os
import sys
import time

_IMPORTED_AT = time.time()


def process_start_time() -> float:
    """Seconds since the epoch at which the OS created this process (best available source)."""
    try:
        if sys.platform.startswith("linux"):
            return _linux_start()
        if sys.platform == "win32":
            return _windows_start()
    except (OSError, ValueError, AttributeError):
        pass
    return _IMPORTED_AT


def _linux_start() -> float:
    with open("/proc/self/stat", encoding="ascii") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    # Field 22 of proc(5): start time in clock ticks since boot. Compared with the boot-time
    # clock rather than /proc/stat's btime, which is rounded to whole seconds.
    started_after_boot = int(fields[19]) / os.sysconf("SC_CLK_TCK")
    age = time.clock_gettime(time.CLOCK_BOOTTIME) - started_after_boot
    return time.time() - age


def _windows_start() -> float:
    if sys.platform != "win32":  # ctypes.windll exists only there (and mypy knows it)
        raise OSError("GetProcessTimes is a Windows call")
    import ctypes
    from ctypes import wintypes

    creation, exit_, kernel, user = (wintypes.FILETIME() for _ in range(4))
    handle = ctypes.windll.kernel32.GetCurrentProcess()
    if not ctypes.windll.kernel32.GetProcessTimes(
        handle, ctypes.byref(creation), ctypes.byref(exit_), ctypes.byref(kernel), ctypes.byref(user)
    ):
        raise OSError("GetProcessTimes failed")
    hundred_ns = (creation.dwHighDateTime << 32) | creation.dwLowDateTime
    return hundred_ns / 1e7 - 11644473600  # FILETIME counts from 1601-01-01


def elapsed_ms() -> float:
    return (time.time() - process_start_time()) * 1000
