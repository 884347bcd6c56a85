"""Start-up benchmark: the program with the demo data against a bare PySide6 window.

Run: uv run python -m bench.startup [--runs N]. Both are started as fresh processes in the
same run, alternately; each reports the milliseconds from its process start to its first
painted window. Prints the medians and the ratio (goal: at most 3×).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_RATIO = 3.0


def _last_number(output: str) -> float:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return float(lines[-1])


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    if sys.platform.startswith("linux") and not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONIOENCODING"] = "utf-8"
    # An installed program runs from byte-code; let the warm-up run write it for both sides.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def measure(command: list[str]) -> float:
    result = subprocess.run(
        command, cwd=ROOT, env=_environment(), capture_output=True, text=True, encoding="utf-8", timeout=120
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} 失败：{result.stderr}")
    return _last_number(result.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="启动速度基准：本程序（示例数据）对比空白 PySide6 窗口")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = Path(scratch) / "data"
        from lsb_desktop.core import Core
        from lsb_desktop.demo import build_demo

        with Core.open(data_dir) as core:
            build_demo(core)
        program = [sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir), "--smoke-test"]
        baseline = [sys.executable, "-m", "bench.bare_window"]
        measure(program)  # warm the disk cache and the byte-code for both, then measure
        measure(baseline)
        ours, bare = [], []
        for _ in range(args.runs):
            bare.append(measure(baseline))
            ours.append(measure(program))
    ours_ms, bare_ms = statistics.median(ours), statistics.median(bare)
    ratio = ours_ms / bare_ms
    print(f"启动到首次绘制（中位数，{args.runs} 次）")
    print(f"  空白 PySide6 主窗口：{bare_ms:8.0f} ms   {sorted(bare)}")
    print(f"  亮赛比（示例数据）：  {ours_ms:8.0f} ms   {sorted(ours)}")
    print(f"  比值：{ratio:.2f}×（目标 ≤ {GOAL_RATIO:.0f}×）{'达标' if ratio <= GOAL_RATIO else '未达标'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
