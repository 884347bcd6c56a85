"""What the benchmark commands share: timing a function several times, in milliseconds."""

from __future__ import annotations

import time
from collections.abc import Callable


def measure(function: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds of each of `runs` calls (the caller takes the median)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times
