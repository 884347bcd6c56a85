"""The data file: PRAGMAs, migrations from an old file, refusals, the lock, exact points."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from factories import make_unit
from filelock import FileLock
from sqlalchemy import Column, Integer, MetaData, Table, insert, select
from sqlalchemy.exc import IntegrityError, StatementError

from db.engine import file_revision, head_revision, make_engine
from db.models import Base, UnitVersionRecord
from db.types import Points
from lsb_desktop.core import Core
from lsb_desktop.domain.register import UnitStatus
from lsb_desktop.errors import LockedError, StorageError
from tests.integration.dbfiles import alembic_head, old_database, query, sha256, sql

# ---------------------------------------------------------------------------- a fresh folder


def test_a_fresh_folder_gets_its_data_file_in_wal_mode_with_foreign_keys_on(data_dir: Path) -> None:
    with Core.open(data_dir) as core:
        database = core.folder.database
        assert database.path == data_dir / "lsb.db"
        assert database.path.is_file()
        with database.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    # WAL is a property of the file itself, seen by any reader.
    assert query(data_dir / "lsb.db", "PRAGMA journal_mode") == [("wal",)]


@pytest.mark.parametrize("folder", ["评比 #1 数据", "100%25 完成", "a?b 资料", "数据 %41 #x"])
def test_a_folder_name_with_hash_percent_or_question_mark_names_the_data_file_itself(
    tmp_path: Path, folder: str
) -> None:
    """SQLite reads "#" and "%xx" in a URI: built from the path as text, they opened a stray
    file, the version read as empty and the backups were skipped. Windows desktops have such names."""
    data_dir = tmp_path / folder
    with Core.open(data_dir) as core:
        make_unit(core, "张五砦村")
        assert core.folder.revision.current == head_revision()
        assert [b.reason for b in core.folder.list_backups()] == ["initial"]
    assert sorted(p.name for p in tmp_path.rglob("*.db")) == sorted(["lsb.db", core.folder.list_backups()[0].path.name])
    assert file_revision(data_dir / "lsb.db").current == head_revision()
    with Core.open(data_dir, today=date(2031, 1, 2)) as again:  # a new day: the daily backup is taken
        assert [u.name for u in again.villages.list_units()] == ["张五砦村"]
        assert [b.reason for b in again.folder.list_backups()][:1] == ["daily"]
        assert again.check().ok


def test_foreign_keys_are_enforced_on_every_session(core: Core) -> None:
    with core.folder.database.session() as session, pytest.raises(IntegrityError) as caught:
        with session.begin():
            session.add(
                UnitVersionRecord(
                    unit_id=999,
                    valid_from=date(2022, 1, 1),
                    name="无主村",
                    kind="村",
                    org_type="党支部",
                    district_id=None,
                    status="active",
                    merged_into_id=None,
                    reason="",
                    recorded_at=datetime(2022, 1, 1, 8, 0),
                )
            )
    assert "FOREIGN KEY" in str(caught.value)


def test_a_fresh_file_is_at_the_latest_migration(core: Core) -> None:
    assert query(core.folder.database.path, "SELECT version_num FROM alembic_version") == [(alembic_head(),)]


def test_every_migration_script_is_a_revision_the_program_accepts(tmp_path: Path) -> None:
    # A file at any revision the scripts know must open (and be upgraded), never be "too new".
    from alembic.script import ScriptDirectory

    from db.engine import KNOWN_REVISIONS, alembic_config, head_revision

    script = ScriptDirectory.from_config(alembic_config())
    assert head_revision() == script.get_current_head()
    assert KNOWN_REVISIONS == tuple(rev.revision for rev in reversed(list(script.walk_revisions())))
    path = tmp_path / "probe.db"
    sql(
        path,
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
        "INSERT INTO alembic_version VALUES ('x')",
    )
    for revision in script.walk_revisions():
        sql(path, f"UPDATE alembic_version SET version_num = '{revision.revision}'")
        assert file_revision(path).current == revision.revision


# ---------------------------------------------------------------------------- migrations


def test_an_old_file_is_upgraded_at_open_after_a_backup_and_keeps_its_data(data_dir: Path) -> None:
    path = old_database(data_dir)
    assert query(path, "SELECT version_num FROM alembic_version") == [("0001_register",)]

    with Core.open(data_dir) as core:
        assert query(path, "SELECT version_num FROM alembic_version") == [(alembic_head(),)]
        (unit,) = core.villages.list_units()
        assert (unit.id, unit.name, unit.district_name, unit.status) == (1, "张五砦村", "东部管区", UnitStatus.ACTIVE)
        assert (unit.secretary, unit.secretary_since, unit.note) == ("", None, "老数据")
        (district,) = core.villages.list_districts()
        assert (district.name, district.leader, district.unit_count) == ("东部管区", "", 1)
        # The new table is usable at once.
        core.villages.change_secretary(1, "李禛", date(2023, 9, 26))
        assert core.villages.get_unit(1).unit.secretary == "李禛"
        reasons = [b.reason for b in core.folder.list_backups()]

    assert "pre-migrate" in reasons
    pre_migrate = next(b for b in core.folder.list_backups() if b.reason == "pre-migrate")
    # The backup holds the file as it was before the upgrade.
    assert query(pre_migrate.path, "SELECT version_num FROM alembic_version") == [("0001_register",)]
    assert query(pre_migrate.path, "SELECT name FROM unit_versions") == [("张五砦村",)]


def test_the_models_and_the_migrations_describe_the_same_schema(core: Core) -> None:
    with core.folder.database.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_an_old_file_upgraded_has_the_same_schema_as_the_models(data_dir: Path) -> None:
    old_database(data_dir)
    with Core.open(data_dir) as core, core.folder.database.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


# ---------------------------------------------------------------------------- refusals


def test_a_file_from_a_newer_program_is_refused_and_left_untouched(data_dir: Path) -> None:
    with Core.open(data_dir) as core:
        make_unit(core, "张五砦村")
    path = data_dir / "lsb.db"
    sql(path, "UPDATE alembic_version SET version_num = '9999_future'")
    before = sha256(path)

    with pytest.raises(StorageError) as caught:
        Core.open(data_dir)

    assert "更新版本" in caught.value.message
    assert "9999_future" in caught.value.message
    assert sha256(path) == before
    # Only the first backup, taken when the folder was made: not even a daily backup of the refused file.
    assert [p.name.rsplit("-", 1)[1] for p in (data_dir / "backups").glob("*.db")] == ["initial.db"]
    # The lock is released: anybody can take it again.
    lock = FileLock(str(data_dir / "lsb.lock"), timeout=0)
    lock.acquire()
    lock.release()
    # Once the file is fixed, the program opens it.
    sql(path, f"UPDATE alembic_version SET version_num = '{alembic_head()}'")
    with Core.open(data_dir) as core:
        assert [u.name for u in core.villages.list_units()] == ["张五砦村"]


def _foreign_sqlite(path: Path) -> None:
    sql(path, "CREATE TABLE contacts (name TEXT, phone TEXT)", "INSERT INTO contacts VALUES ('张三', '1')")


def _text_file(path: Path) -> None:
    path.write_text("这不是数据库，是一份说明。\n" * 50, encoding="utf-8")


@pytest.mark.parametrize("write", [_foreign_sqlite, _text_file], ids=["other-sqlite", "text-file"])
def test_a_file_that_is_not_ours_is_refused_and_left_untouched(data_dir: Path, write) -> None:
    data_dir.mkdir(parents=True)
    path = data_dir / "lsb.db"
    write(path)
    before = sha256(path)

    with pytest.raises(StorageError) as caught:
        Core.open(data_dir)

    assert "不是亮赛比桌面版的数据文件" in caught.value.message
    assert not isinstance(caught.value, LockedError)
    assert sha256(path) == before
    FileLock(str(data_dir / "lsb.lock"), timeout=0).acquire()


# ---------------------------------------------------------------------------- the lock


def test_a_second_open_of_the_same_folder_is_refused_until_the_first_closes(data_dir: Path) -> None:
    first = Core.open(data_dir)
    try:
        with pytest.raises(LockedError) as caught:
            Core.open(data_dir)
        assert "另一个" in caught.value.message
        assert str(data_dir) in caught.value.message
        # The refused open did not disturb the first one.
        assert make_unit(first, "张五砦村").name == "张五砦村"
    finally:
        first.close()
    with Core.open(data_dir) as second:
        assert [u.name for u in second.villages.list_units()] == ["张五砦村"]


def test_two_different_folders_open_side_by_side(tmp_path: Path) -> None:
    with Core.open(tmp_path / "a") as a, Core.open(tmp_path / "b") as b:
        make_unit(a, "张五砦村")
        assert b.villages.count_units() == 0


# ---------------------------------------------------------------------------- exact points


@pytest.fixture
def points_table(tmp_path: Path):
    metadata = MetaData()
    table = Table("scores", metadata, Column("id", Integer, primary_key=True), Column("value", Points))
    engine = make_engine(tmp_path / "points.db")
    metadata.create_all(engine)
    yield engine, table
    engine.dispose()


def test_points_are_stored_as_an_integer_count_of_hundredths(points_table) -> None:
    engine, table = points_table
    with engine.begin() as conn:
        conn.execute(insert(table).values(id=1, value=Decimal("12.34")))
        raw = conn.exec_driver_sql("SELECT value, typeof(value) FROM scores WHERE id = 1").one()
    assert tuple(raw) == (1234, "integer")


@pytest.mark.parametrize(
    "value", [Decimal("12.34"), Decimal("0.01"), Decimal("100"), Decimal("-2.5"), Decimal("99999999.99")]
)
def test_points_read_back_exactly(points_table, value: Decimal) -> None:
    engine, table = points_table
    with engine.begin() as conn:
        conn.execute(insert(table).values(id=1, value=value))
        stored = conn.execute(select(table.c.value)).scalar_one()
    assert isinstance(stored, Decimal)
    assert stored == value
    assert stored.as_tuple().exponent == -2  # always two places, as the sheets print them


def test_points_keep_none_as_null(points_table) -> None:
    engine, table = points_table
    with engine.begin() as conn:
        conn.execute(insert(table).values(id=1, value=None))
        assert conn.exec_driver_sql("SELECT value IS NULL FROM scores").scalar() == 1
        assert conn.execute(select(table.c.value)).scalar_one() is None


@pytest.mark.parametrize("value", [Decimal("1.234"), Decimal("0.001"), 0.1])
def test_points_finer_than_a_hundredth_are_refused_not_rounded(points_table, value) -> None:
    engine, table = points_table
    with pytest.raises(StatementError) as caught, engine.begin() as conn:
        conn.execute(insert(table).values(id=1, value=value))
    assert isinstance(caught.value.orig, ValueError)
    assert "超过两位小数" in str(caught.value.orig)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM scores").scalar() == 0
