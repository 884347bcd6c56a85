"""The keep rule of the backups (db/backup.py kept_by_age): literals and properties."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from db import backup as backups
from db.backup import BackupFile, kept_by_age

NOW = datetime(2031, 6, 15, 12, 0, 0)


def made(moments: list[tuple[datetime, str]]) -> list[BackupFile]:
    """Backups newest first, as list_backups gives them."""
    found = [BackupFile(Path(f"b{i}.db"), moment, reason) for i, (moment, reason) in enumerate(moments)]
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def test_the_rule_in_literals() -> None:
    found = made(
        [(NOW - timedelta(minutes=m), "pre-import") for m in range(60)]
        + [
            (NOW - timedelta(days=6, hours=23), "manual"),  # in the last 7 days: kept
            (NOW - timedelta(days=10, hours=2), "daily"),  # that day's newest: kept
            (NOW - timedelta(days=10, hours=3), "manual"),  # an older one the same day: gone
            (NOW - timedelta(days=60), "daily"),  # that month's newest: kept
            (NOW - timedelta(days=61), "daily"),  # an older one the same month: gone
            (NOW - timedelta(days=400), "daily"),  # beyond a year: gone
            (NOW - timedelta(days=900), "initial"),  # the first backup: kept
        ]
    )
    kept = {found.index(b) for b in found if b.path in kept_by_age(found, NOW)}
    assert kept == set(range(61)) | {61, 63, 66}


moments = st.lists(
    st.tuples(
        st.integers(min_value=-2 * 24 * 60, max_value=500 * 24 * 60),
        st.sampled_from(["daily", "manual", "pre-import", "initial"]),
    ),
    max_size=80,
    unique_by=lambda item: item[0],
)


@settings(max_examples=150, deadline=None)
@given(moments)
def test_the_rule_keeps_what_it_promises_and_nothing_else(items) -> None:
    found = made([(NOW - timedelta(minutes=minutes), reason) for minutes, reason in items])
    kept = kept_by_age(found, NOW)
    assert kept <= {b.path for b in found}
    assert {b.path for b in found[: backups.KEEP_NEWEST]} <= kept
    newest_of: dict[object, BackupFile] = {}
    for backup in found:
        age = NOW - backup.taken_at
        if backup.reason == "initial" or age < timedelta(days=backups.KEEP_ALL_DAYS):
            assert backup.path in kept
        if age < timedelta(days=backups.KEEP_DAILY_DAYS):
            newest_of.setdefault(backup.taken_at.date(), backup)
        if age < timedelta(days=backups.KEEP_MONTHLY_DAYS):
            newest_of.setdefault((backup.taken_at.year, backup.taken_at.month), backup)
        if (
            age >= timedelta(days=backups.KEEP_MONTHLY_DAYS)
            and backup.reason != "initial"
            and backup not in found[: backups.KEEP_NEWEST]
        ):
            assert backup.path not in kept
    assert {b.path for b in newest_of.values()} <= kept
    # Pruning again at the same moment deletes nothing more.
    remaining = [b for b in found if b.path in kept]
    assert kept_by_age(remaining, NOW) == kept
