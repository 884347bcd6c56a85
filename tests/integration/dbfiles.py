"""Helpers for the integration tests: plain-SQL access to data files, an old-revision file."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

from db.engine import Database, migrate


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def sql(path: Path, *statements: str) -> None:
    """Run statements on a file with plain sqlite3 (no program code), then commit."""
    with closing(sqlite3.connect(str(path))) as conn:
        for statement in statements:
            conn.execute(statement)
        conn.commit()


def query(path: Path, statement: str) -> list[tuple]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return conn.execute(statement).fetchall()


def alembic_head() -> str:
    """The head as Alembic itself reads it from the migration scripts."""
    from alembic.script import ScriptDirectory

    from db.engine import alembic_config

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def old_database(folder: Path) -> Path:
    """A data folder whose lsb.db is at revision 0001_register, holding one 管区 and one unit
    (张五砦村 in 东部管区) inserted with plain SQL, as the first release wrote it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "lsb.db"
    database = Database(path)
    try:
        migrate(database.engine, "0001_register")
    finally:
        database.close()
    sql(
        path,
        "INSERT INTO districts (id, name, display_order, archived) VALUES (1, '东部管区', 1, 0)",
        "INSERT INTO units (id, display_order, note, created_at) VALUES (1, 1, '老数据', '2022-01-01 08:00:00.000000')",
        "INSERT INTO unit_versions (unit_id, valid_from, name, kind, org_type, district_id, status, "
        "merged_into_id, reason, recorded_at) VALUES (1, '2022-01-01', '张五砦村', '村', '党支部', 1, "
        "'active', NULL, '建立档案', '2022-01-01 08:00:00.000000')",
    )
    return path
