"""Issue 12, point 3, through the real program: hostile .xlsx files given to every import
command (villages import, round import for judge sheets and the flat table, round create
--scheme, commitments import, stars import-plan) end in exit 2 with a Chinese message, no
traceback, no change to the database, and a child process that stays under 300 MB.

The full cross product of the corpus and the readers runs in-process in
tests/integration/test_hostile_imports.py; here one subprocess per case, on a subset."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from hostile_files import build_corpus, build_sheet_cases, simple_xlsx
from openpyxl import Workbook
from test_command_line import ROOT, run

from lsb_desktop.domain.scoring import DEFAULT_SCHEME

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="the peak memory is read from /proc"),
]

MAX_CHILD_RSS_MB = 300
FIRST = DEFAULT_SCHEME.components[0].criteria[0]  # 基层党建, 25 points


# The program run in a wrapper that writes its own peak RSS (VmHWM) when it ends. Not
# wait4/getrusage: on Linux a child's ru_maxrss starts from the size of the parent it was forked
# from (here the test process, which holds the corpus), which would hide the child's own peak.
_MEASURED = """
import runpy, sys
report, sys.argv = sys.argv[1], sys.argv[2:]
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
finally:
    with open("/proc/self/status", encoding="ascii") as status, open(report, "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
"""


def _run_measured(*args: str, data_dir: Path, folder: Path) -> tuple[int, str, float]:
    """(exit code, stderr, the program's peak RSS in MB) of one command."""
    env = {key: value for key, value in os.environ.items() if key not in ("QT_QPA_PLATFORM", "LSB_DATA_DIR")}
    env["PYTHONIOENCODING"] = "utf-8"
    report = folder / "peak_kb.txt"
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, str(report), str(ROOT / "main.py"), "--data-dir", str(data_dir), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    return done.returncode, done.stderr, int(report.read_text("ascii")) / 1024


def _digest(data_dir: Path) -> str:
    """Every row of every table: what a refused import must leave as it was."""
    connection = sqlite3.connect(data_dir / "lsb.db")
    try:
        digest = hashlib.sha256()
        tables = [
            row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        ]
        for table in tables:
            digest.update(table.encode())
            for row in sorted(map(repr, connection.execute(f'SELECT * FROM "{table}"'))):
                digest.update(row.encode())
        return digest.hexdigest()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def township(tmp_path_factory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("township")
    data = folder / "data"
    roster = simple_xlsx(
        folder / "名册.xlsx", [["村（社区）名称", "管区"], ["东关村", "东部管区"], ["西河社区", "东部管区"]]
    )
    assert run("villages", "import", str(roster), "--effective", "2025-01-01", data_dir=data).returncode == 0
    created = run(
        "round",
        "create",
        "--year",
        "2025",
        "--quarter",
        "1",
        "--date",
        "2025-04-20",
        "--judges",
        "甲、乙、丙",
        data_dir=data,
    )
    assert created.returncode == 0, created.stderr
    return data, created.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    folder = tmp_path_factory.mktemp("hostile")
    files = build_corpus(folder)
    numbers = {
        "flat_1e308": (
            [["评委", "村（社区）", "指标", "得分"], ["甲", "东关村", FIRST.name, 1e308]],
            "Sheet1",
            "工作表“Sheet1” 第2行 D列：分数“1e+308”太大",
        ),
        "judge_sheet_nan": (
            [["村（社区）", f"{FIRST.name}（25分）"], ["东关村", "NaN"]],
            "甲",
            "工作表“甲” 第2行 B列：分数“NaN”不是数字",
        ),
        "scheme_1e308": (
            [["项目", "权重", "指标", "满分"], ["实地观摩", 1e308, "基层党建", 25]],
            "Sheet1",
            "工作表“Sheet1”第2行 B列（权重）：权重“1e+308”太大",
        ),
        "commitments_1e308": (
            [["村（社区）", "承诺事项", "序号"], ["东关村", "修路", 1e308]],
            "Sheet1",
            "工作表“Sheet1”第 2 行“序号”：序号“1000",
        ),
    }
    for name, (rows, title, fragment) in numbers.items():
        files[name] = (simple_xlsx(folder / f"{name}.xlsx", rows, title=title), fragment)
    return files


def _command(importer: str, path: Path, round_id: str) -> list[str]:
    return {
        "villages": ["villages", "import", str(path), "--effective", "2025-01-01"],
        "round": ["round", "import", round_id, str(path)],
        "scheme": [
            "round",
            "create",
            "--year",
            "2025",
            "--quarter",
            "2",
            "--date",
            "2025-07-20",
            "--judges",
            "甲、乙、丙",
            "--scheme",
            str(path),
        ],
        "commitments": ["commitments", "import", str(path), "--year", "2025"],
        "stars": ["stars", "import-plan", str(path), "--year", "2025"],
    }[importer]


ALL = ("villages", "round", "scheme", "commitments", "stars")
# A subset, to keep the file fast (a start of the program takes a second or more): the sparse
# far cell (2.6-2.8 GB before the guard) through every command, one of each other kind.
RUNS = [(importer, "far_cell") for importer in ALL] + [
    ("villages", "bomb_ratio"),
    ("round", "laughs_strings"),
    ("commitments", "rows_100000"),
    ("stars", "encrypted"),
    ("round", "flat_1e308"),
    ("round", "judge_sheet_nan"),
    ("scheme", "scheme_1e308"),
    ("commitments", "commitments_1e308"),
]


@pytest.mark.parametrize(("importer", "case"), RUNS)
def test_a_hostile_file_is_refused_in_chinese_with_nothing_written(
    township, corpus, tmp_path: Path, importer: str, case: str
) -> None:
    data, round_id = township
    path, fragment = corpus[case]
    before = _digest(data)
    code, stderr, peak = _run_measured(*_command(importer, path, round_id), data_dir=data, folder=tmp_path)
    assert code == 2, stderr
    assert "Traceback" not in stderr and "程序内部错误" not in stderr, stderr
    assert stderr.startswith("错误："), stderr
    assert fragment in stderr, stderr
    assert _digest(data) == before
    print(f"{importer} {case}: {peak:.0f} MB")
    assert peak <= MAX_CHILD_RSS_MB, f"{importer} {case}: {peak:.0f} MB"


# ---------------------------------------------------------------------------- sheets and names
# Issue 19, points 1, 2 and 4, through the real program: a judge sheet whose header is too low,
# hidden sheets, look-alike and garbage names, a 100,000-character note. Each exits 2 with the
# located Chinese message, quotes no value at length, and writes nothing.

# One program start per case that refuses a whole file; the name cases, one row each, share a
# file per importer (each row its own located message), to keep the file quick.
SHEET_RUNS = [
    "judge_header_on_row_30",
    "judge_sheet_hidden",
    "roster_sheet_hidden",
    "scheme_100000_name",
    "roster_100000_note",
]
ROSTER_NAMES = {  # case -> its row in one roster
    "roster_zero_width_space": ["东关\u200b村", "东部管区", ""],
    "roster_right_to_left_override": ["\u202e西河社区\u202c", "东部管区", ""],
    "roster_escape": ["东关_x0000_村", "东部管区", ""],
    "roster_date_as_name": [datetime(2025, 1, 1), "东部管区", ""],
    "roster_error_as_secretary": ["北岗村", "东部管区", "#NAME?\u200b"],
}
SCHEME_NAMES = {  # case -> its (项目, 指标) in one scheme
    "scheme_ref": ("实地观摩", "#REF!"),
    "scheme_n_a_text": ("#N/A\u200b", "基层党建"),
    "scheme_date": ("实地观摩", datetime(2025, 1, 1)),
    "scheme_control_escape": ("实地观摩", "基层_x0001_党建"),
    "scheme_32767_name": ("实地观摩", "党" * 32_767),
}


@pytest.fixture(scope="module")
def sheet_cases(tmp_path_factory) -> dict[str, tuple[str, Path, str]]:
    return build_sheet_cases(tmp_path_factory.mktemp("sheets"))


def _refused(data: Path, command: list[str], fragments: list[str]) -> None:
    before = _digest(data)
    done = run(*command, data_dir=data)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and "程序内部错误" not in done.stderr, done.stderr
    assert done.stderr.startswith("错误："), done.stderr
    for fragment in fragments:
        assert fragment in done.stderr, (fragment, done.stderr)
    # A 100,000-character value (or a 32,767-character one) is never echoed whole.
    assert max(len(line) for line in done.stderr.splitlines()) < 300, done.stderr[:2000]
    assert "导入完成" not in done.stdout
    assert _digest(data) == before


@pytest.mark.parametrize("case", SHEET_RUNS)
def test_a_half_readable_file_is_refused_with_nothing_written(township, sheet_cases, case: str) -> None:
    data, round_id = township
    importer, path, fragment = sheet_cases[case]
    _refused(data, _command(importer, path, round_id), [fragment])


def test_look_alike_and_garbage_unit_and_person_names_are_refused_at_their_cells(township, tmp_path: Path) -> None:
    data, round_id = township
    rows = [["村（社区）名称", "管区", "党组织书记"], ["东关村", "东部管区", ""], ["西河社区", "东部管区", ""]]
    rows += list(ROSTER_NAMES.values())
    path = _plain_book(tmp_path / "名册.xlsx", "名册", rows)
    where = "工作表“名册” 第{}行 {}列（{}）："
    fragments = [
        where.format(4, "A", "村（社区）名称") + "村（社区）名称“东关村”与第2行重名",
        where.format(5, "A", "村（社区）名称") + "村（社区）名称“西河社区”与第3行重名",
        where.format(6, "A", "村（社区）名称") + "村（社区）名称“东关_x0000_村”中有转义文字“_x0000_”",
        where.format(7, "A", "村（社区）名称") + "村（社区）名称是一个日期（2025-01-01）",
        where.format(8, "C", "党组织书记") + "党组织书记姓名是 Excel 的错误值“#NAME?”",
    ]
    _refused(data, _command("villages", path, round_id), fragments)


def test_garbage_component_and_criterion_names_are_refused_at_their_cells(
    township, sheet_cases, tmp_path: Path
) -> None:
    data, round_id = township
    rows = [["项目", "权重", "指标", "满分"]]
    rows += [[component, 1, criterion, 25] for component, criterion in SCHEME_NAMES.values()]
    path = _plain_book(tmp_path / "方案.xlsx", "方案", rows)
    fragments = [
        re.sub(r"第2行", f"第{number}行", sheet_cases[case][2]) for number, case in enumerate(SCHEME_NAMES, start=2)
    ]
    _refused(data, _command("scheme", path, round_id), fragments)


def _plain_book(path: Path, title: str, rows: list[list[object]]) -> Path:
    book = Workbook()
    book.active.title = title
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_a_name_with_a_zero_width_space_is_the_registered_unit_not_a_second_one(township, tmp_path: Path) -> None:
    data, _ = township
    path = simple_xlsx(tmp_path / "名册.xlsx", [["村（社区）名称", "管区"], ["东关\u200b村", "东部管区"]])

    def units() -> list[str]:
        connection = sqlite3.connect(data / "lsb.db")
        try:
            return sorted(row[0] for row in connection.execute("SELECT name FROM unit_versions"))
        finally:
            connection.close()

    names = units()
    done = run("villages", "import", str(path), "--effective", "2025-01-01", data_dir=data)
    assert done.returncode == 0, done.stderr
    assert "东关村" in done.stdout and "无变化" in done.stdout, done.stdout
    assert units() == names
