"""Ranking benchmark: recomputing one round's results (100 units × 15 judges × 10 criteria)
against a plain SQL aggregate over the same score rows, measured in the same run.

Run: uv run python -m bench.ranking [--runs N]. Goal: under 50 ms.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

from bench.tools import measure

GOAL_MS = 50.0
UNITS, JUDGES = 100, 15


def build(data_dir: Path) -> tuple[int, Path]:
    from lsb_desktop.core import Core
    from lsb_desktop.domain.period import Period
    from lsb_desktop.domain.register import OrgType, UnitDraft, UnitKind
    from lsb_desktop.domain.scoring import Component, Criterion, Scheme
    from lsb_desktop.services.rounds import RoundDraft

    rng = random.Random(7)
    scheme = Scheme(
        (
            Component("实地观摩", Decimal("0.7"), tuple(Criterion(f"观摩指标{i}", Decimal(20)) for i in range(1, 7))),
            Component("擂台比武", Decimal("0.3"), tuple(Criterion(f"擂台指标{i}", Decimal(25)) for i in range(1, 5))),
        )
    )
    with Core.open(data_dir) as core:
        for number in range(1, UNITS + 1):
            core.villages.add_unit(UnitDraft(f"测试{number:03d}村", UnitKind.VILLAGE, OrgType.BRANCH), date(2024, 1, 1))
        detail = core.rounds.create_round(
            RoundDraft(
                Period(2024, 4),
                judges=tuple(f"评委{chr(0x7532 + i)}" for i in range(JUDGES)),
                red=6,
                black=6,
                scheme=scheme,
                event_date=date(2025, 1, 20),
            )
        ).value
        cells = [
            (judge.id, unit.id, criterion.name, Decimal(rng.randint(100, 200)) / 10)
            for judge in detail.judges
            for unit in detail.units
            for component in scheme.components
            for criterion in component.criteria
        ]
        core.rounds.set_scores(detail.id, cells)
        return detail.id, core.folder.paths.database


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="排名重算基准：100 个村 × 15 位评委 × 10 个指标")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    from lsb_desktop.core import Core

    with tempfile.TemporaryDirectory() as scratch:
        data_dir = Path(scratch) / "data"
        round_id, database = build(data_dir)
        with Core.open(data_dir) as core:
            core.rounds.results(round_id)  # warm the caches once, for both sides
            ours = measure(lambda: core.rounds.results(round_id), args.runs)
            connection = sqlite3.connect(database)
            query = (
                "SELECT round_unit_id, judge_id, SUM(points), COUNT(*) FROM scores WHERE round_id = ? "
                "GROUP BY round_unit_id, judge_id"
            )
            connection.execute(query, (round_id,)).fetchall()
            bare = measure(lambda: connection.execute(query, (round_id,)).fetchall(), args.runs)
            connection.close()
            rows = len(core.rounds.scores(round_id))
    ours_ms, bare_ms = statistics.median(ours), statistics.median(bare)
    print(f"重算一次评比的排名（{UNITS} 个村 × {JUDGES} 位评委 × 10 个指标 = {rows} 个评分，中位数，{args.runs} 次）")
    print(f"  纯 SQL 汇总（同一批评分）：{bare_ms:8.1f} ms")
    print(
        f"  亮赛比完整重算：          {ours_ms:8.1f} ms（目标 < {GOAL_MS:.0f} ms）"
        f"{'达标' if ours_ms < GOAL_MS else '未达标'}"
    )
    print(f"  比值：{ours_ms / bare_ms:.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
