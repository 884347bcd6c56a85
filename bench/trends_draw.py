"""The drawing half of `python -m bench.trends`, run as its own process (Qt lives
in ui/, never in lsb_desktop/): times overview() + the all-units rank chart against a bare
SQLite read of the same rows, and prints the figures as JSON."""

import json
import os
import sqlite3
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtWidgets import QApplication

app = QApplication([])
from lsb_desktop.core import Core  # noqa: E402 - the charts want the application first
from ui.widgets.charts import RankBumpChart  # noqa: E402

data_dir, database, runs, query = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
core = Core.open(data_dir)
chart = RankBumpChart()
chart.resize(1280, 720)
chart.show()
app.processEvents()


def chosen(trend):
    return [trend.units[i].unit_id for i in (0, 17, 42, 99)]


def ours():
    trend = core.trends.overview()
    chart.set_data(trend, chosen(trend))
    chart.grab()  # lays out and paints the whole chart
    return trend


connection = sqlite3.connect(database)


def bare():
    return connection.execute(query).fetchall()


trend = ours()  # warm both once
rows = bare()
times = {"ours": [], "bare": [], "overview": [], "draw": []}
for _ in range(runs):
    start = time.perf_counter()
    ours()
    times["ours"].append((time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    bare()
    times["bare"].append((time.perf_counter() - start) * 1000)
for _ in range(runs):  # the two halves of "ours", apart
    start = time.perf_counter()
    data = core.trends.overview()
    times["overview"].append((time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    chart.set_data(data, chosen(data))
    chart.grab()
    times["draw"].append((time.perf_counter() - start) * 1000)
chart.grab().save(str(data_dir.parent / "bench-rank.png"))
print(
    json.dumps(
        {
            "times": times,
            "rows": len(rows),
            "units": len(trend.units),
            "periods": len(trend.periods),
            "points": sum(1 for u in trend.units for p in u.points if p is not None),
        }
    )
)
connection.close()
core.close()
