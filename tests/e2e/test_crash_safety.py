"""Crash safety: the real program, killed (SIGKILL) at random moments while it writes (a score
import, a correction and an adjustment of a finalised round, a backup, a commitments import),
always opens again with its data whole: nothing reported saved is lost, no import is half there,
no temporary file is left behind.

Each kill is aimed at the write itself: the program runs unkilled once per operation while the test
watches the data folder for its first write (the WAL growing, a backup's `.partial` appearing) and
its last (the WAL removed at close); each killed run is then stopped at a seeded random moment
between its own first write and the end of that measured window (a run that finished first is a
valid outcome; its write must then be whole). Nothing in the program knows about this test.

LSB_CRASH_KILLS (default 6: each kill costs a run and a `check`, about 4 s) and LSB_CRASH_SEED
change the number of kills and the seed, for a longer run by hand (`-s` prints the figures)."""

from __future__ import annotations

import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from test_command_line import ROOT

pytestmark = pytest.mark.e2e

KILLS = int(os.environ.get("LSB_CRASH_KILLS", "6"))
SEED = int(os.environ.get("LSB_CRASH_SEED", "20261202"))
OPERATIONS = ("round import", "round correct", "round adjust", "backup", "commitments import")
BACKUP_NAME = re.compile(r"^lsb-\d{8}-\d{6}(?:-\d+)?-[a-z-]+\.db$")
KEEP_BACKUPS = 30  # db/backup.py keeps the newest 30: an older reported backup may be pruned
POLL = 0.001
RUN_TIMEOUT = 120.0


# ----- running the program and watching its data folder ---------------------------------------


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    first_write: float | None = None  # seconds from start to the first write seen
    last_write: float | None = None  # ... to the last change seen (the WAL removed at close)
    killed: bool = False
    phase: str = ""  # what was under way when the kill landed


def _env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("QT_QPA_PLATFORM", "LSB_DATA_DIR")}
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _command(data: Path, args: list[str]) -> list[str]:
    return [sys.executable, str(ROOT / "main.py"), "--data-dir", str(data), *args]


def _wal_size(data: Path) -> int:
    try:
        return (data / "lsb.db-wal").stat().st_size
    except FileNotFoundError:
        return 0


def _backup_entries(data: Path) -> set[str]:
    try:
        return set(os.listdir(data / "backups"))
    except FileNotFoundError:
        return set()


def _writes(data: Path) -> tuple[int, int]:
    """Two stats a poll: the WAL's size and the backups folder's mtime (an entry made, renamed
    or removed)."""
    try:
        folder = (data / "backups").stat().st_mtime_ns
    except FileNotFoundError:
        folder = 0
    return _wal_size(data), folder


def run_watched(data: Path, args: list[str], kill_after: float | None = None) -> Run:
    """Run the program on `data` while watching its writes; with `kill_after`, SIGKILL it that
    many seconds after its first write is seen. Output goes to files, so a killed process never
    blocks on a full pipe."""
    if kill_after is not None:
        assert _wal_size(data) == 0, "a WAL with content was left by the previous open: the kill would misfire"
    out_path, err_path = data.parent / "run.out", data.parent / "run.err"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        before = _writes(data)
        seen, wal_written = before, False
        first_write = last_write = None
        killed, phase = False, "finished"
        start = time.monotonic()
        process = subprocess.Popen(_command(data, args), cwd=ROOT, env=_env(), stdout=out, stderr=err)
        while process.poll() is None:
            now = time.monotonic() - start
            current = _writes(data)
            if current != seen:
                seen, last_write = current, now
                wal_written = wal_written or current[0] > 0
                if first_write is None:
                    first_write = now
            if kill_after is not None and first_write is not None:
                # The writes of a correction last a few milliseconds: wait for the moment by
                # spinning, not by sleeping (a sleep on a busy machine overshoots by more).
                deadline = start + first_write + kill_after
                while time.monotonic() < deadline and process.poll() is None:
                    wal_written = wal_written or _wal_size(data) > 0
                process.kill()  # SIGKILL: no handler, no cleanup, no flush
                process.wait()
                killed = True
                # Nothing moves on disk any more: what is there is what the kill interrupted.
                if any(name.endswith(".partial") for name in _backup_entries(data)):
                    phase = "during a backup copy"
                elif _wal_size(data) > 0:
                    phase = "with the write in the WAL"
                else:
                    phase = "while closing" if wal_written else "before the database write"
                break
            if now > RUN_TIMEOUT:
                process.kill()
                process.wait()
                pytest.fail(f"{' '.join(args)} did not end within {RUN_TIMEOUT:.0f} s")
            time.sleep(POLL)
        returncode = process.wait()
    # A kill sent just after the process exited by itself reaches nothing: the exit code tells.
    killed = killed and returncode != 0
    return Run(
        returncode,
        out_path.read_text("utf-8", "replace"),
        err_path.read_text("utf-8", "replace"),
        first_write,
        last_write,
        killed,
        phase if killed else "finished",
    )


def run_plain(data: Path, *args: str) -> Run:
    done = subprocess.run(
        _command(data, list(args)),
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=RUN_TIMEOUT,
    )
    return Run(done.returncode, done.stdout, done.stderr)


# ----- reading the data file with plain sqlite3, read-only -------------------------------------


def _query(path: Path, statement: str, *params) -> list[tuple]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return connection.execute(statement, params).fetchall()


def file_problems(path: Path, immutable: bool = False) -> list[str]:
    """PRAGMA integrity_check and foreign_key_check on a file opened read-only. A backup is opened
    immutable: a read-only open of a WAL-mode file would otherwise leave -wal and -shm beside it."""
    try:
        with closing(
            sqlite3.connect(f"file:{path}?mode=ro{'&immutable=1' if immutable else ''}", uri=True)
        ) as connection:
            integrity = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            foreign = connection.execute("PRAGMA foreign_key_check").fetchall()
    except sqlite3.Error as exc:
        return [f"{path.name}: cannot be read ({exc})"]
    problems = [] if integrity == ["ok"] else [f"{path.name}: integrity_check {integrity[:3]}"]
    if foreign:
        problems.append(f"{path.name}: foreign_key_check {foreign[:3]}")
    return problems


def _points(hundredths: int) -> str:
    return f"{hundredths // 100}.{hundredths % 100:02d}"


# ----- the write operations --------------------------------------------------------------------


@dataclass
class Operation:
    """One write the program is asked to do, with how to tell whether it is there."""

    kind: str
    args: list[str]
    success: str  # what the command prints when it has saved
    state: Callable[[Path], str]  # "all", "none" or a description of a half-done state


class Township:
    """The demo township plus a draft round, and a supply of fresh writes of each kind (a fresh
    judge, cell, unit or year each time, so each write can be told apart from all others)."""

    def __init__(self, data: Path, work: Path, rng: random.Random, counts: Counter) -> None:
        self.data, self.work, self.rng = data, work, rng
        db = data / "lsb.db"
        self.final_round = _query(
            db, "SELECT id FROM rounds WHERE status = 'final' ORDER BY year DESC, quarter DESC, id DESC LIMIT 1"
        )[0][0]
        self.units = [
            name
            for (name,) in _query(
                db, "SELECT name FROM round_units WHERE round_id = ? ORDER BY position", self.final_round
            )
        ]
        judges = tuple(family + given for given in "明华强芳" for family in "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗")
        judges = judges[: counts["round import"]]  # names hold no digits; each import uses a fresh judge
        self.draft_round, self.sheets = self._draft_round(judges)
        self.free_judges = list(judges)
        cells = _query(
            db,
            """
            SELECT j.name, u.name, c.name, s.points FROM scores s
            JOIN round_judges j ON j.id = s.judge_id JOIN round_units u ON u.id = s.round_unit_id
            JOIN round_criteria c ON c.id = s.criterion_id WHERE s.round_id = ? ORDER BY s.id""",
            self.final_round,
        )
        self.free_cells = rng.sample(cells, counts["round correct"])
        self.serial = 0
        self.year = 2031

    def _draft_round(self, judges: tuple[str, ...]) -> tuple[int, Path]:
        """A 2025Q1 round to import into, and its exported blank sheets (set up in-process: what
        is under test is the writes, not the round's creation)."""
        from lsb_desktop.core import Core
        from lsb_desktop.domain.period import Period
        from lsb_desktop.services.rounds import RoundDraft

        sheets = self.work / "评分表.xlsx"
        with Core.open(self.data) as core:
            detail = core.rounds.create_round(
                RoundDraft(period=Period(2025, 1), event_date=date(2025, 4, 20), judges=judges, red=3, black=3)
            ).value
            core.rounds.write_blank_sheets(detail.id, sheets, "清河镇")
        return detail.id, sheets

    def next(self, kind: str) -> Operation:
        self.serial += 1
        return getattr(self, "_" + kind.replace(" ", "_"))(self.serial)

    def _round_import(self, serial: int) -> Operation:
        """One judge's sheet from the exported file, filled in with scores in tenths."""
        judge = self.free_judges.pop(0)
        book = load_workbook(self.sheets)
        for name in book.sheetnames:
            if name != judge:
                del book[name]
        sheet = book[judge]
        maxima = {}
        for cell in sheet[4]:
            found = re.search(r"（(\d+)分）", str(cell.value or ""))
            if found:
                maxima[cell.column] = int(found.group(1))
        assert maxima, "the exported sheet has no criterion columns"
        total, count = 0, 0
        for row in sheet.iter_rows(min_row=5):
            if not isinstance(row[0].value, int) or not row[2].value:
                continue
            for column, maximum in maxima.items():
                tenths = self.rng.randint(maximum * 6, maximum * 10)
                row[column - 1].value = tenths / 10
                total += tenths * 10
                count += 1
        path = self.work / f"评分-{judge}.xlsx"
        book.save(path)
        draft = self.draft_round

        def state(data: Path) -> str:
            ((found, points),) = _query(
                data / "lsb.db",
                """
                SELECT count(*), coalesce(sum(s.points), 0) FROM scores s JOIN round_judges j ON j.id = s.judge_id
                WHERE s.round_id = ? AND j.name = ?""",
                draft,
                judge,
            )
            if found == 0:
                return "none"
            if (found, points) == (count, total):
                return "all"
            return f"{found} of {count} scores of {judge} (sum {_points(points)} of {_points(total)})"

        return Operation("round import", ["round", "import", str(draft), str(path)], "导入完成", state)

    def _round_correct(self, serial: int) -> Operation:
        judge, unit, criterion, old = self.free_cells.pop(0)
        new = old - 50 if old >= 50 else old + 50
        reason = f"断电测试更正{serial}"
        final = self.final_round

        def state(data: Path) -> str:
            db = data / "lsb.db"
            ((points,),) = _query(
                db,
                """
                SELECT s.points FROM scores s JOIN round_judges j ON j.id = s.judge_id
                JOIN round_units u ON u.id = s.round_unit_id JOIN round_criteria c ON c.id = s.criterion_id
                WHERE s.round_id = ? AND j.name = ? AND u.name = ? AND c.name = ?""",
                final,
                judge,
                unit,
                criterion,
            )
            versions = _query(
                db, "SELECT count(DISTINCT version) FROM round_results WHERE round_id = ? AND reason = ?", final, reason
            )[0][0]
            audited = _query(db, "SELECT count(*) FROM audit_log WHERE reason = ?", reason)[0][0]
            if (points, versions) == (old, 0) and audited == 0:
                return "none"
            if (points, versions) == (new, 1) and audited >= 1:
                return "all"
            return (
                f"{judge}/{unit}/{criterion} = {_points(points)} (was {_points(old)}, new {_points(new)}), "
                f"{versions} result versions and {audited} audit entries with its reason"
            )

        return Operation(
            "round correct",
            [
                "round",
                "correct",
                str(final),
                "--judge",
                judge,
                "--unit",
                unit,
                "--criterion",
                criterion,
                "--score",
                _points(new),
                "--reason",
                reason,
            ],
            "已更正",
            state,
        )

    def _round_adjust(self, serial: int) -> Operation:
        unit = self.units[serial % len(self.units)]
        reason, correction = f"断电测试加分{serial}", f"断电测试加分更正{serial}"
        final = self.final_round

        def state(data: Path) -> str:
            db = data / "lsb.db"
            rows = _query(db, "SELECT amount FROM adjustments WHERE round_id = ? AND reason = ?", final, reason)
            versions = _query(
                db,
                "SELECT count(DISTINCT version) FROM round_results WHERE round_id = ? AND reason = ?",
                final,
                correction,
            )[0][0]
            if not rows and versions == 0:
                return "none"
            if rows == [(50,)] and versions == 1:
                return "all"
            return f"adjustment rows {rows} and {versions} result versions for 加分 {unit} ({reason})"

        return Operation(
            "round adjust",
            [
                "round",
                "adjust",
                str(final),
                "--unit",
                unit,
                "--kind",
                "加分",
                "--amount",
                "0.5",
                "--reason",
                reason,
                "--correction",
                correction,
            ],
            "已记录加分",
            state,
        )

    def _backup(self, serial: int) -> Operation:
        # A completed backup is checked by `saved_backup` below; nothing of it is in the database.
        return Operation("backup", ["backup"], "已备份到", lambda data: "all")

    def _commitments_import(self, serial: int) -> Operation:
        year, self.year = self.year, self.year + 1
        book = Workbook()
        sheet = book.active
        sheet.title = "承诺事项"
        sheet.append([f"清河镇{year}年度承诺事项"])
        sheet.append(["序号", "村（社区）", "承诺事项", "类别", "完成时限", "状态"])
        for number, unit in enumerate(self.units, start=1):
            sheet.append([1, unit, f"硬化村内道路{number}处", "人居环境·基础设施", f"{year}Q3", "推进中"])
        path = self.work / f"承诺事项{year}.xlsx"
        book.save(path)
        expected = len(self.units)

        def state(data: Path) -> str:
            found = _query(data / "lsb.db", "SELECT count(*) FROM commitments WHERE year = ?", year)[0][0]
            if found in (0, expected):
                return "none" if found == 0 else "all"
            return f"{found} of {expected} commitments of {year}"

        return Operation(
            "commitments import", ["commitments", "import", str(path), "--year", str(year)], "导入完成", state
        )


def saved_backup(run: Run) -> Path | None:
    found = re.search(r"已备份到 (.+)", run.stdout)
    return Path(found.group(1).strip()) if found else None


# ----- the test --------------------------------------------------------------------------------


def test_killed_writes_leave_the_data_whole(demo_template: Path, tmp_path: Path) -> None:
    started = time.monotonic()
    rng = random.Random(SEED)
    plan = [OPERATIONS[n % len(OPERATIONS)] for n in range(KILLS)]
    rng.shuffle(plan)
    counts = Counter(plan) + Counter(OPERATIONS)  # one unkilled run of each kind first
    data = tmp_path / "data"
    shutil.copytree(demo_template, data)
    township = Township(data, tmp_path, rng, counts)

    saved: list[Operation] = []  # writes that stay: reported saved, or found whole after a kill
    backups_saved: list[Path] = []
    failures: Counter = Counter()
    details: list[str] = []
    seen_backups = _backup_entries(data)

    def fail(what: str, text: str) -> None:
        failures[what] += 1
        details.append(text)

    def verify_folder(label: str) -> None:
        """After the killed run: the file as the kill left it, the program's own verdict on opening
        it, the file again, temporary files, every earlier saved write, every new backup."""
        nonlocal seen_backups
        for problem in file_problems(data / "lsb.db"):
            fail("integrity failures", f"{label}: as left by the kill: {problem}")
        check = run_plain(data, "check")
        if check.returncode != 0 or "通过" not in check.stdout:
            fail("failed opens", f"{label}: check exit {check.returncode}: {check.stdout[-600:]} {check.stderr[-600:]}")
        for problem in file_problems(data / "lsb.db"):
            fail("integrity failures", f"{label}: after the next open: {problem}")
        leftovers = sorted(name for name in _backup_entries(data) if not BACKUP_NAME.match(name))
        leftovers += sorted(str(p.relative_to(data)) for p in data.rglob("*.partial") if p.parent.name != "backups")
        if leftovers:
            fail("leftover temporary files", f"{label}: after the next open: {leftovers}")
        for earlier in saved:
            state = earlier.state(data)
            if state != "all":
                fail("lost writes", f"{label}: saved earlier {' '.join(earlier.args)} is now: {state}")
        present = _backup_entries(data)
        for path in backups_saved:
            if not path.exists() and len([n for n in present if BACKUP_NAME.match(n)]) < KEEP_BACKUPS:
                fail("lost writes", f"{label}: backup reported saved is gone: {path.name}")
        for name in sorted(present - seen_backups):
            if BACKUP_NAME.match(name):
                for problem in file_problems(data / "backups" / name, immutable=True):
                    fail("broken backups", f"{label}: new backup {problem}")
        seen_backups = present

    # 1. One unkilled run of each kind: the write must be reported and whole; it gives the window.
    windows: dict[str, float] = {}
    for kind in OPERATIONS:
        operation = township.next(kind)
        run = run_watched(data, operation.args)
        assert run.returncode == 0 and operation.success in run.stdout, (kind, run.stdout, run.stderr)
        assert run.first_write is not None, f"{kind}: no write was seen"
        assert operation.state(data) == "all", (kind, operation.state(data))
        windows[kind] = run.last_write - run.first_write
        saved.append(operation)
        if kind == "backup":
            backups_saved.append(saved_backup(run))
    verify_folder("unkilled runs")
    assert not failures, details

    # 2. The kills.
    phases: Counter = Counter()
    for number, kind in enumerate(plan, start=1):
        operation = township.next(kind)
        # From the first write to just past the last one (the WAL removed at close).
        delay = rng.uniform(0, windows[kind] * 1.05)
        run = run_watched(data, operation.args, kill_after=delay)
        phases[run.phase] += 1
        label = f"kill {number} ({kind}, {delay * 1000:.0f} ms after the first write, {run.phase})"
        reported = not run.killed and run.returncode == 0 and operation.success in run.stdout
        if reported:
            # It finished first: it said it saved, so from now on it must all be there (checked
            # with every earlier saved write).
            saved.append(operation)
            if kind == "backup":
                backups_saved.append(saved_backup(run))
        elif not run.killed:
            fail("failed writes", f"{label}: exit {run.returncode}: {run.stderr[-600:]}")
        verify_folder(label)
        if not reported:
            state = operation.state(data)
            if state == "all":
                saved.append(operation)  # it got in before the kill: from now on it must stay
            elif state != "none":
                fail("partial imports" if kind.endswith("import") else "half-done writes", f"{label}: {state}")

    elapsed = time.monotonic() - started
    figures = (
        "integrity failures",
        "failed opens",
        "lost writes",
        "partial imports",
        "half-done writes",
        "broken backups",
        "leftover temporary files",
        "failed writes",
    )
    print(
        f"\ncrash safety: {KILLS} SIGKILLs (seed {SEED}) during {dict(Counter(plan))}; "
        f"write windows (ms) { ({k: round(v * 1000) for k, v in windows.items()}) }; "
        f"moment of the kill: {dict(phases)}; "
        + ", ".join(f"{failures[f]} {f}" for f in figures)
        + f"; the program opened {KILLS - failures['failed opens']} of {KILLS} times; {elapsed:.1f} s"
    )
    for line in details:
        print("  " + line)
    assert not failures, "\n".join(details)
