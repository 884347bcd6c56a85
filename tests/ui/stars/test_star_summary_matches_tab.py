"""The `stars summary --json` of the demo township says what the 五星创建 tab shows: the same
number of units, the same count per level, and the same shares on the target cards."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from PySide6.QtCore import Qt

from ui.stars.tab import StarMatrixModel, StarsTab

ROOT = Path(__file__).resolve().parents[3]
YEAR = 2024


def summary_json(demo_template: Path, tmp_path: Path) -> dict:
    folder = tmp_path / "copy"
    shutil.copytree(demo_template, folder)
    env = {key: value for key, value in os.environ.items() if key not in ("QT_QPA_PLATFORM", "LSB_DATA_DIR")}
    env["PYTHONIOENCODING"] = "utf-8"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "--data-dir",
            str(folder),
            "stars",
            "summary",
            "--year",
            str(YEAR),
            "--json",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_summary_json_of_the_demo_matches_the_tab(qtbot, demo_template, demo_core, tmp_path) -> None:
    printed = summary_json(demo_template, tmp_path)
    tab = StarsTab(demo_core)
    qtbot.addWidget(tab)
    tab.resize(1280, 800)
    tab.show()
    tab.set_year(YEAR)
    model = tab.model
    shown_levels = Counter(
        model.data(model.index(row, StarMatrixModel.LEVEL_COLUMN), Qt.ItemDataRole.DisplayRole)
        for row in range(model.rowCount())
    )
    assert printed["year"] == YEAR
    assert printed["units"] == model.rowCount() == 24
    assert {f"{level}星": n for level, n in printed["levels"].items() if n} == dict(shown_levels)
    for level, share in printed["at_least"].items():
        card = tab.ui.target_cards[int(level)].text()
        assert share in card, (level, share, card)
    for level, target in printed["targets"].items():
        assert f"目标 {target}" in tab.ui.target_cards[int(level)].text()
    levels_text = tab.ui.levels_card.text()
    for level, n in printed["levels"].items():
        assert f"{level}星 {n}" in levels_text
