"""Trend benchmark: 100 units × 40 finalised quarters. Reading the trends (`overview()`) and
preparing and drawing the all-units rank chart, against just reading the same rows from SQLite
with plain sqlite3, measured in the same run.

Run: uv run python -m bench.trends [--runs N]. Goal: under 200 ms.

The chart is drawn (offscreen) by a child Python process: nothing in lsb_desktop imports Qt
(the layering rule), as with `bench.startup` and its bare window. The child reads the same
data folder and times `overview()` + `RankBumpChart.set_data()` + `grab()` together, and the
plain sqlite3 read alternately with it, so drift in the machine's speed hits both.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS = 200.0
UNITS, QUARTERS, RED, BLACK = 100, 40, 6, 6
FIRST_YEAR = 2015

# The same columns the service reads, with the same joins (latest version of final rounds).
BARE_QUERY = """
SELECT r.id, r.year, r.quarter, u.unit_id, u.name, u.district, u.position,
       res.rank, res.total, res.composite, res.flag, res.components
FROM round_results AS res
JOIN (SELECT round_id, MAX(version) AS version FROM round_results GROUP BY round_id) AS latest
  ON latest.round_id = res.round_id AND latest.version = res.version
JOIN round_units AS u ON u.id = res.round_unit_id
JOIN rounds AS r ON r.id = res.round_id
WHERE r.status = 'final'
"""


def build(data_dir: Path, seed: int = 11) -> Path:
    """A data folder with 100 units and 40 finalised quarters of stored results: real rows in
    the real tables, inserted in bulk (a benchmark fixture, not how rounds are really made)."""
    from sqlalchemy import insert

    from db.models import RoundComponentRecord, RoundRecord, RoundResultRecord, RoundUnitRecord
    from lsb_desktop.core import Core
    from lsb_desktop.domain.register import OrgType, UnitDraft, UnitKind
    from lsb_desktop.domain.scoring import display_score

    rng = random.Random(seed)
    weights = {"实地观摩": Fraction(7, 10), "擂台比武": Fraction(3, 10)}
    with Core.open(data_dir) as core:
        units = [
            core.villages.add_unit(
                UnitDraft(f"测试{n:03d}村", UnitKind.VILLAGE, OrgType.BRANCH), date(2014, 1, 1)
            ).value
            for n in range(1, UNITS + 1)
        ]
        now = datetime(2025, 1, 1, 9, 0)
        rounds, components, participants, results = [], [], [], []
        level = {u.id: rng.uniform(70, 90) for u in units}
        for number in range(QUARTERS):
            round_id = number + 1
            year, quarter = FIRST_YEAR + number // 4, number % 4 + 1
            rounds.append(
                {
                    "id": round_id,
                    "year": year,
                    "quarter": quarter,
                    "title": "基准",
                    "status": "final",
                    "red_count": RED,
                    "black_count": BLACK,
                    "tiebreak": "[]",
                    "created_at": now,
                    "finalized_at": now,
                }
            )
            components += [
                {"round_id": round_id, "position": i, "name": name, "weight": Decimal(str(w))}
                for i, (name, w) in enumerate((("实地观摩", "0.7"), ("擂台比武", "0.3")))
            ]
            scored = []
            for position, unit in enumerate(units):
                round_unit_id = number * UNITS + position + 1
                participants.append(
                    {
                        "id": round_unit_id,
                        "round_id": round_id,
                        "unit_id": unit.id,
                        "position": position,
                        "name": unit.name,
                        "district": "",
                        "kind": "村",
                        "org_type": "党支部",
                        "visited": True,
                    }
                )
                field = Fraction(round((level[unit.id] + rng.gauss(0, 4)) * 100), 100) + Fraction(1, 3)
                stage = Fraction(round((level[unit.id] + rng.gauss(0, 5)) * 100), 100)
                value = weights["实地观摩"] * field + weights["擂台比武"] * stage
                scored.append((value, round_unit_id, {"实地观摩": field, "擂台比武": stage}))
            scored.sort(key=lambda item: -item[0])
            for place, (value, round_unit_id, parts) in enumerate(scored, start=1):
                flag = "红旗" if place <= RED else "黑旗" if place > UNITS - BLACK else None
                stored = {
                    "components": {
                        name: {"score": f"{v.numerator}/{v.denominator}", "judges": 7} for name, v in parts.items()
                    },
                    "bonus": "0",
                    "deduction": "0",
                }
                results.append(
                    {
                        "round_id": round_id,
                        "round_unit_id": round_unit_id,
                        "version": 1,
                        "rank": place,
                        "composite": f"{value.numerator}/{value.denominator}",
                        "total": display_score(value),
                        "components": json.dumps(stored, ensure_ascii=False),
                        "flag": flag,
                        "notes": "[]",
                        "reason": "",
                        "created_at": now,
                    }
                )
        with core.folder.database.session() as session, session.begin():
            session.execute(insert(RoundRecord), rounds)
            session.execute(insert(RoundComponentRecord), components)
            session.execute(insert(RoundUnitRecord), participants)
            session.execute(insert(RoundResultRecord), results)
        return core.folder.paths.database


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="趋势图基准：100 个村 × 40 个已定稿季度的排名变化图")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = Path(scratch) / "data"
        database = build(data_dir)
        env = dict(os.environ, PYTHONIOENCODING="utf-8")
        if sys.platform.startswith("linux") and not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
            env["QT_QPA_PLATFORM"] = "offscreen"
        result = subprocess.run(
            [sys.executable, "-m", "bench.trends_draw", str(data_dir), str(database), str(args.runs), BARE_QUERY],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=600,
        )
        if result.returncode != 0:
            print(result.stderr, file=sys.stderr)
            return 1
        report = json.loads(result.stdout.strip().splitlines()[-1])
    times = {key: statistics.median(values) for key, values in report["times"].items()}
    ours, bare = times["ours"], times["bare"]
    print(
        f"排名变化图（{report['units']} 个村 × {report['periods']} 个已定稿季度 = {report['points']} 个结果，"
        f"中位数，{args.runs} 次）"
    )
    print(f"  只用 sqlite3 读出同样的 {report['rows']} 行：      {bare:8.1f} ms")
    print(
        f"  读取趋势 + 准备并绘制全部村的排名变化图：{ours:8.1f} ms（目标 < {GOAL_MS:.0f} ms）"
        f"{'达标' if ours < GOAL_MS else '未达标'}"
    )
    print(f"    其中 overview()：{times['overview']:.1f} ms，准备并绘制：{times['draw']:.1f} ms")
    print(f"  比值：{ours / bare:.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
