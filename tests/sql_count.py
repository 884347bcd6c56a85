"""Counts the SQL statements a piece of the program sends to a Core's database file.

The window may not import SQLAlchemy, so tests reach the engine through the core's data folder
(`core.folder.database.engine`) and listen for every statement SQLAlchemy executes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event


class Statements(list[str]):
    """The statements sent while counting, in order (their SQL text)."""

    def __str__(self) -> str:
        return "\n".join(f"{number}. {text}" for number, text in enumerate(self, start=1))


@contextmanager
def counting_sql(core) -> Iterator[Statements]:
    """Every SQL statement the core's engine executes inside the `with` block."""
    engine = core.folder.database.engine
    statements = Statements()

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)
