"""Slow work off the UI thread: a plain function run on Qt's thread pool, its result (or its
error) delivered back on the main thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class Job(QObject):
    """One piece of background work. Connect `finished` / `failed` before `start()`; both are
    delivered on the thread the Job was made on (the main thread), through the event loop."""

    finished = Signal(object)  # the function's return value
    failed = Signal(object)  # the exception it raised

    # Jobs under way, so that Python keeps each alive until its signal has been delivered.
    _running: set[Job] = set()

    def __init__(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self._call = lambda: function(*args, **kwargs)
        self.done = False

    def start(self, pool: QThreadPool | None = None) -> Job:
        # Connected last, so it runs after the caller's slots: dropping the last reference
        # before them would delete the Job with its signal still being delivered.
        self.finished.connect(self._forget)
        self.failed.connect(self._forget)
        Job._running.add(self)
        (pool or QThreadPool.globalInstance()).start(_Runnable(self))
        return self

    def _forget(self, _value: object) -> None:
        self.done = True
        Job._running.discard(self)

    @classmethod
    def running(cls) -> int:
        return len(cls._running)


class _Runnable(QRunnable):
    def __init__(self, job: Job) -> None:
        super().__init__()
        self._job = job

    def run(self) -> None:
        try:
            result = self._job._call()
        except Exception as exc:  # noqa: BLE001 - handed to the main thread, which decides
            self._job.failed.emit(exc)
        else:
            self._job.finished.emit(result)


def run_in_background(
    function: Callable[..., Any],
    *args: Any,
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    **kwargs: Any,
) -> Job:
    """Start `function(*args, **kwargs)` on the thread pool; `on_done(result)` or
    `on_error(exception)` then runs on the main thread."""
    job = Job(function, *args, **kwargs)
    job.finished.connect(on_done)
    job.failed.connect(on_error)
    return job.start()
