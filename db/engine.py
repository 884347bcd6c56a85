"""The database file: engine with WAL and foreign keys, session factory, Alembic upgrades."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import URL, Connection, Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Every revision in migrations/versions, oldest first. Kept here so that opening an up-to-date
# file does not import Alembic (a third of the start-up time); a test checks it against Alembic.
KNOWN_REVISIONS = (
    "0001_register",
    "0002_secretaries",
    "0003_rounds",
    "0004_commitments_stars",
    "0005_tie_decisions",
    "0006_audit_facts",
)


class DatabaseTooNew(Exception):
    """The file was written by a newer program: its revision is unknown here."""

    def __init__(self, revision: str) -> None:
        super().__init__(revision)
        self.revision = revision


class NotOurDatabase(Exception):
    """The file is SQLite but holds tables of some other program, or is not SQLite at all."""


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    return KNOWN_REVISIONS[-1]


def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.close()


def read_only_uri(path: Path) -> str:
    """An SQLite URI that opens `path` read-only. Built by Path.as_uri, so a folder name with
    '#', '%', '?' or spaces (common on Windows desktops) names this file, never another."""
    return f"{Path(path).resolve().as_uri()}?mode=ro"


def _wal_holds_data(path: Path) -> bool:
    wal = Path(f"{path}-wal")
    return wal.exists() and wal.stat().st_size > 0


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that only reads, also in a folder that cannot be written (a CD, a read-only
    share), where SQLite cannot create the -shm a WAL file needs: there the file is opened
    immutable (nothing is created beside it), unless a -wal beside it still holds data."""
    connection = sqlite3.connect(read_only_uri(path), uri=True)
    try:
        connection.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # SQLite opens lazily
        return connection
    except sqlite3.Error as exc:
        # Closed whatever went wrong ("file is not a database" too): an open handle keeps Windows
        # from renaming or deleting the file afterwards.
        connection.close()
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        refused = isinstance(exc, sqlite3.OperationalError) and code in (
            sqlite3.SQLITE_CANTOPEN,
            sqlite3.SQLITE_READONLY,
        )
        if not refused or _wal_holds_data(path) or not Path(path).exists():
            raise
    return sqlite3.connect(read_only_uri(path) + "&immutable=1", uri=True)


def make_engine(path: Path, read_only: bool = False) -> Engine:
    """`read_only`: a file in a place that cannot be written (a CD, a read-only share, a file
    marked read-only). SQLite opens it with mode=ro, so every write fails with SQLITE_READONLY,
    and, unless a -wal beside it still holds data, immutable, so nothing (no -wal, no -shm) is
    created beside it."""
    if not read_only:
        # URL.create, not "sqlite:///" + path: the path is the database's file name as it is.
        engine = create_engine(URL.create("sqlite", database=str(path)))
    else:
        uri = read_only_uri(path) + ("" if _wal_holds_data(path) else "&immutable=1")
        engine = create_engine(
            "sqlite://", poolclass=NullPool, creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False)
        )
    event.listen(engine, "connect", _on_connect)
    return engine


@dataclass(frozen=True)
class RevisionState:
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def file_revision(path: Path) -> RevisionState:
    """Read the migration state of a file without changing it (raises for foreign files)."""
    head = head_revision()
    if not path.exists() or path.stat().st_size == 0:
        return RevisionState(None, head)
    try:
        conn = connect_read_only(path)
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            current = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                current = row[0] if row else None
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise NotOurDatabase(str(exc)) from exc
    if current is None and tables - {"sqlite_sequence"}:
        raise NotOurDatabase("no alembic_version")
    if current is not None and current not in KNOWN_REVISIONS:
        raise DatabaseTooNew(current)
    return RevisionState(current, head)


def migrate(engine: Engine, target: str = "head") -> None:
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), target)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        tables = connection.execute(text("SELECT name FROM sqlite_master WHERE name = 'alembic_version'"))
        if tables.first() is None:
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


class Database:
    """One data file: its engine and session factory. Call `close()` before replacing the file.
    `read_only`: see make_engine (never upgraded)."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.engine = make_engine(self.path, read_only)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self._sessions()

    def upgrade(self, before: Callable[[RevisionState], object] | None = None) -> RevisionState:
        """Bring the file to the head revision; `before` runs first when there is work to do
        (the caller takes its backup there). Raises DatabaseTooNew / NotOurDatabase."""
        state = file_revision(self.path)
        if not state.up_to_date:
            if before is not None and state.current is not None:
                before(state)
            migrate(self.engine)
        return RevisionState(current_revision(self.engine), state.head)

    def integrity_problems(self) -> list[str]:
        with self.engine.connect() as connection:
            rows = connection.execute(text("PRAGMA integrity_check")).fetchall()
            problems = [row[0] for row in rows if row[0] != "ok"]
            for row in connection.execute(text("PRAGMA foreign_key_check")).fetchall():
                problems.append(f"foreign key: table {row[0]} rowid {row[1]} -> {row[2]}")
        return problems

    def close(self) -> None:
        self.engine.dispose()
