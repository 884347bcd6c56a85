"""Backups: the daily one at open, manual ones, rotation, restore and the integrity check."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from factories import make_unit

from db import backup as backups
from lsb_desktop.core import Core
from lsb_desktop.domain.rounds import RoundStatus
from lsb_desktop.errors import StorageError, ValidationError
from tests.integration.dbfiles import alembic_head, old_database, query, sha256, sql


class FrozenClock(datetime):
    """The wall clock the backup module reads, set by the test."""

    moment = datetime(2030, 5, 1, 9, 0, 0)

    @classmethod
    def now(cls, tz=None):
        return cls.moment


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> type[FrozenClock]:
    monkeypatch.setattr(backups, "datetime", FrozenClock)
    monkeypatch.setattr(FrozenClock, "moment", datetime(2030, 5, 1, 9, 0, 0))
    return FrozenClock


def names(core: Core, on: date | None = None) -> list[str]:
    return [unit.name for unit in core.villages.list_units(on)]


def reasons(folder: Path) -> list[str]:
    return sorted(b.reason for b in backups.list_backups(folder))


# ---------------------------------------------------------------------------- the daily backup


def test_a_new_data_folder_gets_its_first_backup_when_the_database_is_made(data_dir: Path, clock) -> None:
    with Core.open(data_dir, today=date(2030, 5, 1)) as core:
        (first,) = core.folder.list_backups()
        assert (first.reason, first.reason_label, first.taken_at) == (
            "initial",
            "新建数据时备份",
            datetime(2030, 5, 1, 9, 0, 0),
        )
        assert core.folder.backup_warning is None
    # A real, restorable database at the latest version, with nothing in it yet.
    assert query(first.path, "SELECT version_num FROM alembic_version") == [(alembic_head(),)]
    assert query(first.path, "SELECT count(*) FROM units") == [(0,)]


def test_the_first_backup_is_a_restore_point_for_the_first_mistake(data_dir: Path, clock) -> None:
    with Core.open(data_dir, today=date(2030, 5, 1)) as core:
        make_unit(core, "张五砦村")
        (first,) = core.folder.list_backups()
        core.folder.restore(first.path)
        assert names(core) == []


def test_an_empty_data_file_left_behind_is_made_a_database_and_backed_up(data_dir: Path, clock) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "lsb.db").write_bytes(b"")
    with Core.open(data_dir, today=date(2030, 5, 1)) as core:
        assert [b.reason for b in core.folder.list_backups()] == ["initial"]
        assert make_unit(core, "张五砦村").name == "张五砦村"  # the empty file became a database


def test_the_daily_backup_is_taken_at_the_first_open_of_each_day_only(data_dir: Path, clock) -> None:
    with Core.open(data_dir, today=date(2030, 5, 1)) as core:
        make_unit(core, "张五砦村")
    clock.moment = datetime(2030, 5, 1, 10, 0, 0)
    with Core.open(data_dir, today=date(2030, 5, 1)) as core:
        # The first backup, taken when the folder was made, is that day's backup.
        assert [b.reason for b in core.folder.list_backups()] == ["initial"]
    clock.moment = datetime(2030, 5, 2, 8, 0, 0)
    with Core.open(data_dir, today=date(2030, 5, 2)) as core:
        assert [b.reason for b in core.folder.list_backups()] == ["daily", "initial"]
        assert core.folder.list_backups()[0].reason_label == "每日自动备份"
    clock.moment = datetime(2030, 5, 2, 17, 0, 0)
    with Core.open(data_dir, today=date(2030, 5, 2)) as core:
        assert len(core.folder.list_backups()) == 2
    clock.moment = datetime(2030, 5, 3, 8, 0, 0)
    with Core.open(data_dir, today=date(2030, 5, 3)) as core:
        taken = [b.taken_at for b in core.folder.list_backups()]
    assert taken == [datetime(2030, 5, 3, 8, 0, 0), datetime(2030, 5, 2, 8, 0, 0), datetime(2030, 5, 1, 9, 0, 0)]


def test_any_backup_taken_that_day_counts_as_the_daily_one(data_dir: Path, clock) -> None:
    with Core.open(data_dir, today=date(2030, 5, 1)) as core:
        make_unit(core, "张五砦村")
    clock.moment = datetime(2030, 5, 2, 8, 0, 0)
    with Core.open(data_dir, today=date(2030, 5, 1)) as core:
        core.folder.backup()
    with Core.open(data_dir, today=date(2030, 5, 2)) as core:
        assert [b.reason for b in core.folder.list_backups()] == ["manual", "initial"]


def test_the_day_given_to_open_decides_the_daily_backup(data_dir: Path) -> None:
    with Core.open(data_dir, today=date(2030, 5, 1)) as core:
        make_unit(core, "张五砦村")
    for _ in range(3):
        Core.open(data_dir, today=date(2030, 5, 2)).close()
    assert reasons(data_dir / "backups") == ["daily", "initial"]


# ---------------------------------------------------------------------------- a backup that fails


def _block_backups(data_dir: Path) -> None:
    """The backups folder cannot be written: a file sits where the folder should be (this
    fails for every user, root included, unlike a permission bit)."""
    shutil.rmtree(data_dir / "backups", ignore_errors=True)
    (data_dir / "backups").write_text("不是文件夹")


def test_a_failed_daily_backup_warns_and_the_data_still_opens(data_dir: Path, clock) -> None:
    with Core.open(data_dir, today=date(2030, 5, 1)) as core:
        make_unit(core, "张五砦村")
    _block_backups(data_dir)
    with Core.open(data_dir, today=date(2030, 5, 2)) as core:
        warning = core.folder.backup_warning
        assert warning is not None
        assert warning.startswith("今天的自动备份没有完成")
        assert str(data_dir / "backups") in warning and "程序照常打开" in warning
        assert "该位置已有一个同名文件，不是文件夹" in warning  # the system's reason, in Chinese
        assert "文件 → 立即备份" in warning
        assert names(core) == ["张五砦村"]
        make_unit(core, "刘堌堆村")  # the work goes on
        assert names(core) == ["张五砦村", "刘堌堆村"]
        # A manual backup that still fails says so; once it works the warning is gone.
        with pytest.raises(StorageError, match="无法在“.*backups”中写入备份"):
            core.folder.backup()
        (data_dir / "backups").unlink()
        core.folder.backup()
        assert core.folder.backup_warning is None


def test_a_new_folder_whose_first_backup_fails_still_opens_with_a_warning(data_dir: Path, clock) -> None:
    data_dir.mkdir(parents=True)
    _block_backups(data_dir)
    with Core.open(data_dir, today=date(2030, 5, 1)) as core:
        assert core.folder.backup_warning.startswith("新建数据时的第一份备份没有完成")
        assert make_unit(core, "张五砦村").name == "张五砦村"


def test_the_backup_before_a_migration_is_still_required(data_dir: Path) -> None:
    old_database(data_dir)
    _block_backups(data_dir)
    with pytest.raises(StorageError, match="无法在“.*backups”中写入备份"):
        Core.open(data_dir, today=date(2030, 5, 1))
    assert query(data_dir / "lsb.db", "SELECT version_num FROM alembic_version") == [("0001_register",)]


# ---------------------------------------------------------------------------- manual backups


def test_a_manual_backup_is_a_complete_database_with_the_same_units(core: Core, tmp_path: Path) -> None:
    for name in ("张五砦村", "刘堌堆村", "东关社区"):
        make_unit(core, name)
    path = core.folder.backup()

    assert path.parent == core.data_dir / "backups"
    assert query(path, "PRAGMA integrity_check") == [("ok",)]
    # Open the copy as a data folder of its own: the same register comes back.
    other = tmp_path / "copy"
    other.mkdir()
    shutil.copyfile(path, other / "lsb.db")
    with Core.open(other) as copy:
        assert names(copy) == names(core) == ["张五砦村", "刘堌堆村", "东关社区"]


def test_a_backup_holds_the_latest_changes_even_those_still_in_the_wal(core: Core) -> None:
    unit = make_unit(core, "张五砦村")
    core.villages.change_unit(unit.id, name="张五寨村", effective=date(2023, 1, 1))
    path = core.folder.backup()
    assert query(path, "SELECT name FROM unit_versions ORDER BY id") == [("张五砦村",), ("张五寨村",)]


# ---------------------------------------------------------------------------- rotation


def test_rotation_keeps_the_thirty_newest_backups(tmp_path: Path) -> None:
    source = tmp_path / "lsb.db"
    sql(source, "CREATE TABLE t (x)")
    folder = tmp_path / "backups"
    start = datetime(2030, 1, 1, 9, 0, 0)
    moments = [start + timedelta(days=i) for i in range(35)]
    for moment in moments:
        backups.take_backup(source, folder, "daily", now=moment)

    kept = backups.list_backups(folder)
    assert [b.taken_at for b in kept] == sorted(moments, reverse=True)[:30]
    assert len(list(folder.iterdir())) == 30  # nothing else left behind (no .partial files)


def test_rotation_never_deletes_files_it_did_not_write(tmp_path: Path) -> None:
    source = tmp_path / "lsb.db"
    sql(source, "CREATE TABLE t (x)")
    folder = tmp_path / "backups"
    folder.mkdir()
    mine = folder / "我的备份.db"
    mine.write_bytes(b"clerk's own copy")
    for day in range(32):
        backups.take_backup(source, folder, "manual", now=datetime(2030, 1, 1) + timedelta(days=day))
    assert mine.read_bytes() == b"clerk's own copy"
    assert len(backups.list_backups(folder)) == 30


def test_two_backups_in_the_same_second_both_survive(tmp_path: Path) -> None:
    source = tmp_path / "lsb.db"
    sql(source, "CREATE TABLE t (x)")
    moment = datetime(2030, 1, 1, 9, 0, 0)
    first = backups.take_backup(source, tmp_path / "b", "manual", now=moment)
    second = backups.take_backup(source, tmp_path / "b", "manual", now=moment)
    assert first != second
    assert first.is_file() and second.is_file()


# ---------------------------------------------------------------------------- restore


def test_restore_brings_back_the_backup_and_keeps_the_data_it_replaced(core: Core, tmp_path: Path) -> None:
    make_unit(core, "张五砦村")
    make_unit(core, "刘堌堆村")
    saved = core.folder.backup()
    make_unit(core, "王庄村")
    make_unit(core, "东关社区")

    safety = core.folder.restore(saved).safety_backup

    # The same open Core reads the restored data at once.
    assert names(core) == ["张五砦村", "刘堌堆村"]
    assert make_unit(core, "马垌村").name == "马垌村"  # and can still write
    assert safety.is_file()
    assert [b.reason for b in core.folder.list_backups() if b.path == safety] == ["pre-restore"]
    assert query(safety, "SELECT name FROM unit_versions ORDER BY id") == [
        ("张五砦村",),
        ("刘堌堆村",),
        ("王庄村",),
        ("东关社区",),
    ]


def test_restoring_an_old_revision_backup_upgrades_it(core: Core, tmp_path: Path) -> None:
    make_unit(core, "刘堌堆村")
    old = old_database(tmp_path / "old")  # 0001_register, holding 张五砦村
    core.folder.restore(old)
    assert names(core) == ["张五砦村"]
    assert core.folder.check().revision == alembic_head()
    assert core.villages.change_secretary(1, "李禛", date(2023, 9, 26)).value.secretary == "李禛"


def _damaged(tmp_path: Path, core: Core) -> Path:
    path = tmp_path / "damaged.db"
    path.write_bytes(bytes(range(256)) * 64)
    return path


def _scribbled(tmp_path: Path, core: Core) -> Path:
    """A real backup whose schema and version are readable but one index page is garbage."""
    for i in range(40):
        make_unit(core, f"测试{i}村")
    good = core.folder.backup()
    (page_size,) = query(good, "PRAGMA page_size")[0]
    ((root,),) = query(good, "SELECT rootpage FROM sqlite_master WHERE name = 'ix_unit_versions_unit_id'")
    data = bytearray(good.read_bytes())
    start = (root - 1) * page_size
    data[start + 8 : start + page_size] = b"\x5a" * (page_size - 8)
    path = tmp_path / "scribbled.db"
    path.write_bytes(bytes(data))
    return path


def _foreign(tmp_path: Path, core: Core) -> Path:
    path = tmp_path / "contacts.db"
    sql(path, "CREATE TABLE contacts (name TEXT)", "INSERT INTO contacts VALUES ('张三')")
    return path


def _newer(tmp_path: Path, core: Core) -> Path:
    path = core.folder.backup()
    sql(path, "UPDATE alembic_version SET version_num = '9999_future'")
    return path


def _empty(tmp_path: Path, core: Core) -> Path:
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    return path


@pytest.mark.parametrize(
    ("make_source", "words"),
    [
        (_damaged, "不是亮赛比桌面版的数据文件"),
        (_scribbled, "已损坏"),
        (_foreign, "不是亮赛比桌面版的数据文件"),
        (_newer, "更新版本"),
        (_empty, "是空的"),
    ],
    ids=["random-bytes", "scribbled-pages", "foreign-sqlite", "newer-revision", "empty-file"],
)
def test_restore_refuses_a_bad_file_and_leaves_the_live_data_alone(
    core: Core, tmp_path: Path, make_source, words: str
) -> None:
    make_unit(core, "张五砦村")
    source = make_source(tmp_path, core)
    before_units = names(core)
    before_backups = core.folder.list_backups()
    source_hash = sha256(source)

    with pytest.raises(StorageError) as caught:
        core.folder.restore(source)

    assert words in caught.value.message
    assert names(core) == before_units
    assert core.folder.list_backups() == before_backups  # no pre-restore backup either
    assert sha256(source) == source_hash
    assert core.folder.check().ok


def test_restore_of_a_missing_file_is_refused(core: Core, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="找不到备份文件"):
        core.folder.restore(tmp_path / "nowhere.db")


# ---------------------------------------------------------------------------- check


def test_check_reports_a_healthy_file_at_the_latest_revision(core: Core) -> None:
    make_unit(core, "张五砦村")
    report = core.folder.check()
    assert report.ok
    assert report.problems == ()
    assert report.revision == report.head == alembic_head()
    assert report.database == core.data_dir / "lsb.db"
    assert "检查结果：通过，未发现问题" in report.lines()
    assert "  数据库完整性、外键：通过" in report.lines()


def test_check_finds_a_row_pointing_at_a_missing_unit(core: Core) -> None:
    make_unit(core, "张五砦村")
    sql(
        core.folder.database.path,
        "PRAGMA foreign_keys = OFF",
        "INSERT INTO secretary_terms (unit_id, person, start_date, end_date, note, recorded_at) "
        "VALUES (999, '张三', '2022-01-01', NULL, '', '2022-01-01 00:00:00')",
    )
    report = core.folder.check()
    assert not report.ok
    assert report.problems == ("一条书记任职记录“张三”所属的村（社区）已不存在（数据之间的对应关系断开）",)


def test_a_backup_that_fails_midway_leaves_no_partial_file(core: Core, monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(source, target):
        Path(target).write_bytes(b"half a page")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backups, "copy_database", disk_full)
    with pytest.raises(StorageError):
        core.folder.backup("manual")
    assert list(core.folder.paths.backups.glob("*.partial")) == []


def test_an_old_backup_that_cannot_be_pruned_does_not_fail_a_good_backup(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    def stuck(folder, **_options):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(backups, "prune", stuck)
    path = core.folder.backup("manual")
    assert path.exists()


def test_an_unreadable_backup_folder_is_a_chinese_storage_error(core: Core, monkeypatch: pytest.MonkeyPatch) -> None:
    def unreadable(folder):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(backups, "list_backups", unreadable)
    with pytest.raises(StorageError, match="无法读取备份文件夹"):
        core.folder.daily_backup(date(2030, 1, 1))


def test_backups_in_the_same_second_with_different_reasons_keep_their_order(tmp_path: Path) -> None:
    database = tmp_path / "lsb.db"
    connection = sqlite3.connect(str(database))
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    folder = tmp_path / "backups"
    moment = datetime(2025, 4, 20, 9, 30, 0)
    for reason in ("initial", "manual", "pre-import", "daily"):
        backups.take_backup(database, folder, reason, moment)
    assert [b.reason for b in backups.list_backups(folder)] == ["daily", "pre-import", "manual", "initial"]


# ---------------------------------------------------------------------------- which backups are kept


def test_a_day_of_sixty_backups_keeps_the_older_restore_points_by_the_rule(demo_core: Core) -> None:
    """Sixty imports or manual backups in one day push out nothing the rule keeps: the day's
    newest of the last month, the month's newest of the last year, the first backup, and the
    last backup before a finalised round was corrected."""
    folder = demo_core.folder
    for old in backups.list_backups(folder.paths.backups):
        old.path.unlink()
    today = datetime(2031, 6, 15, 9, 0, 0)

    def at(days: int, hour: int, reason: str = "manual") -> str:
        return folder.backup(reason, now=today - timedelta(days=days) + timedelta(hours=hour - 9)).name

    first = at(500, 9, "initial")
    too_old = at(400, 9)
    months = [at(300, 9), at(200, 9)]
    before_correction = [at(100, 10), at(100, 11)]
    round_id = demo_core.rounds.find_round("1")
    detail = demo_core.rounds.get_round(round_id)
    assert detail.status is RoundStatus.FINAL
    judge, unit = detail.judges[0], detail.units[0]
    criterion = detail.scheme.components[0].criteria[0].name
    demo_core.rounds.set_score(round_id, judge.id, unit.id, criterion, "5", "更正录入错误")
    after_correction = [at(100, 12), at(100, 13)]
    one_day = [at(20, 8), at(20, 18)]
    this_week = [at(5, 9), at(5, 10), at(5, 11)]
    sixty = [folder.backup("pre-import", now=today + timedelta(minutes=m)).name for m in range(60)]

    left = {b.path.name for b in folder.list_backups()}
    assert set(sixty) <= left  # every backup of the last 7 days
    assert set(this_week) <= left
    assert one_day[1] in left and one_day[0] not in left  # the day's newest, for 30 days
    assert after_correction[1] in left and after_correction[0] not in left  # the month's newest, for a year
    assert before_correction[1] in left and before_correction[0] not in left  # the last before the correction
    assert set(months) <= left and too_old not in left
    assert first in left  # the first backup, always
    assert len(left) == 60 + 3 + 1 + 2 + 2 + 1


def test_backups_without_a_change_of_finalised_results_are_not_kept_for_it(core: Core) -> None:
    today = datetime(2031, 6, 15, 9, 0, 0)
    for old in backups.list_backups(core.folder.paths.backups):
        old.path.unlink()
    older = [core.folder.backup("manual", now=today - timedelta(days=100, hours=h)).name for h in (3, 2, 1)]
    for minute in range(31):
        core.folder.backup("manual", now=today + timedelta(minutes=minute))
    left = {b.path.name for b in core.folder.list_backups()}
    assert [name in left for name in older] == [False, False, True]  # only the month's newest


def test_reading_which_results_a_backup_holds_leaves_nothing_beside_it(demo_core: Core, tmp_path: Path) -> None:
    from lsb_desktop.services.storage import sealed_results

    path = demo_core.folder.backup("manual")
    before = sorted(p.name for p in path.parent.iterdir())
    seals = sealed_results(path)
    assert seals and all(entity.startswith("round:") and entity.endswith("/seal") for entity in seals)
    assert sorted(p.name for p in path.parent.iterdir()) == before
    (tmp_path / "garbage.db").write_bytes(b"not a database at all" * 100)
    assert sealed_results(tmp_path / "garbage.db") is None
