"""End to end: a roster imported into an empty data folder lets past quarters' rounds be set up."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from factories import write_sheet

from tests.e2e.test_command_line import run

pytestmark = pytest.mark.e2e


def write_roster(path: Path, rows: list[list[object]]) -> Path:
    return write_sheet(path, rows[0], rows[1:])


def test_first_import_then_a_round_of_2023_q1_at_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    roster = write_roster(
        tmp_path / "名册.xlsx",
        [
            ["村（社区）名称", "管区", "党组织书记"],
            ["张五砦村", "东部管区", "李禛"],
            ["刘堌堆村", "东部管区", "刘喆"],
            ["幸福社区", "西部管区", "赵丽娟"],
        ],
    )

    imported = run("villages", "import", str(roster), data_dir=data)
    assert imported.returncode == 0, imported.stderr
    assert "在册起始日期：（建档起）" in imported.stdout
    assert "1900" not in imported.stdout
    # The import into the empty register was preceded by a backup.
    assert list((data / "backups").glob("*pre-import*.db"))

    created = run("round", "create", "--year", "2023", "--quarter", "1", "--judges", "甲,乙,丙", data_dir=data)
    assert created.returncode == 0, created.stderr
    round_id = created.stdout.strip().splitlines()[-1]
    shown = run("round", "show", round_id, "--json", data_dir=data)
    assert shown.returncode == 0, shown.stderr
    assert "参评单位：3 个" in run("round", "show", round_id, data_dir=data).stdout
    assert all(name in shown.stdout for name in ("张五砦村", "刘堌堆村", "幸福社区")), shown.stdout

    # A later re-import with a change dates the change (today), never "since always".
    write_roster(
        roster,
        [
            ["村（社区）名称", "管区", "党组织书记"],
            ["张五砦村", "西部管区", "李禛"],
            ["刘堌堆村", "东部管区", "刘喆"],
            ["幸福社区", "西部管区", "赵丽娟"],
        ],
    )
    again = run("villages", "import", str(roster), data_dir=data)
    assert again.returncode == 0, again.stderr
    connection = sqlite3.connect(data / "lsb.db")
    try:
        dates = connection.execute(
            "SELECT v.valid_from FROM unit_versions v JOIN unit_versions f ON f.unit_id = v.unit_id "
            "WHERE f.name = '张五砦村' GROUP BY v.id ORDER BY v.valid_from"
        ).fetchall()
    finally:
        connection.close()
    assert [d for (d,) in dates] == ["1900-01-01", date.today().isoformat()]


def test_a_round_before_a_dated_start_names_the_unit_and_exits_2(tmp_path: Path) -> None:
    data = tmp_path / "data"
    roster = write_roster(
        tmp_path / "名册.xlsx",
        [
            ["村（社区）名称", "在册起始日期"],
            ["新城社区", "2024-07-01"],
        ],
    )
    assert run("villages", "import", str(roster), data_dir=data).returncode == 0
    created = run("round", "create", "--year", "2023", "--quarter", "1", data_dir=data)
    assert created.returncode == 2
    assert "新城社区（2024-07-01 起在册）" in created.stderr
    assert "在册起始日期" in created.stderr


def test_an_explicit_start_date_for_new_units_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    roster = write_roster(tmp_path / "名册.xlsx", [["村（社区）名称", "管区"], ["新合村", "东部管区"]])
    imported = run("villages", "import", str(roster), "--start", "2024-07-01", data_dir=data)
    assert imported.returncode == 0, imported.stderr
    refused = run("round", "create", "--year", "2024", "--quarter", "1", "--judges", "甲", data_dir=data)
    assert refused.returncode == 2
    assert "新合村" in refused.stderr and "2024-07-01" in refused.stderr
    created = run("round", "create", "--year", "2024", "--quarter", "3", "--judges", "甲", data_dir=data)
    assert created.returncode == 0, created.stderr


def test_a_round_that_leaves_out_units_not_yet_registered_says_so(tmp_path: Path) -> None:
    data = tmp_path / "data"
    roster = write_roster(
        tmp_path / "名册.xlsx",
        [
            ["村（社区）名称", "管区", "在册起始日期"],
            ["张五砦村", "东部管区", ""],
            ["新合村", "东部管区", "2024-07-01"],
        ],
    )
    assert run("villages", "import", str(roster), data_dir=data).returncode == 0
    created = run(
        "round", "create", "--year", "2024", "--quarter", "1", "--date", "2024-04-20", "--judges", "甲", data_dir=data
    )
    assert created.returncode == 0, created.stderr
    assert "提示：活动日期 2024-04-20 时以下村（社区）还不在册，没有列入本次评比：新合村" in created.stderr
    later = run(
        "round", "create", "--year", "2024", "--quarter", "3", "--date", "2024-10-20", "--judges", "甲", data_dir=data
    )
    assert "提示" not in later.stderr
