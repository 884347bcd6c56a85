"""Text longer than an Excel cell holds is cut with a mark on export, and the command line and
the window say which cells were cut."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from factories import make_unit
from openpyxl import load_workbook

from lsb_desktop.core import Core

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def test_villages_export_warns_of_a_note_cut_to_an_excel_cell(data_dir: Path, tmp_path: Path) -> None:
    with Core.open(data_dir) as core:
        unit = make_unit(core, "张五砦村")
        core.villages.change_unit(unit.id, note="长" * 40_000)
    target = tmp_path / "名册.xlsx"
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir), "villages", "export", str(target)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "已导出 1 个村（社区）" in done.stdout
    (warning,) = [line for line in done.stderr.splitlines() if line.startswith("警告：")]
    assert "超过 Excel 单元格的上限（32767 个字），导出时已截断" in warning
    cells = [c.value for row in load_workbook(target).active.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(len(v) == 32_767 and v.endswith("已截断，完整内容见程序）") for v in cells)
