"""The append-only, hash-chained audit log of scores, adjustments, results and flags."""

from __future__ import annotations

import getpass
import hashlib
import json
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import AuditRecord, SettingRecord
from lsb_desktop.domain.rounds import AuditEntry

GENESIS = "0" * 64
HEAD_KEY = "audit.head"


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment
        return "未知"


def _digest(prev_hash: str, at: datetime, operator: str, action: str, entity: str,
            old: str, new: str, reason: str) -> str:
    payload = json.dumps([prev_hash, at.isoformat(), operator, action, entity, old, new, reason],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def record(session: Session, action: str, entity: str, old: object, new: object, reason: str = "") -> None:
    """Append one entry inside the caller's transaction (it commits or rolls back with it)."""
    record_many(session, [(action, entity, old, new, reason)])


def record_many(session: Session, entries: list[tuple[str, str, object, object, str]]) -> None:
    """Append entries (action, entity, old, new, reason) in order, chained in one go."""
    if not entries:
        return
    session.flush()
    last = session.scalar(select(AuditRecord.hash).order_by(AuditRecord.id.desc()).limit(1))
    prev_hash = last or GENESIS
    at = datetime.now().replace(microsecond=0)
    operator = _operator()
    rows = []
    for action, entity, old, new, reason in entries:
        old_text, new_text = _text(old), _text(new)
        digest = _digest(prev_hash, at, operator, action, entity, old_text, new_text, reason)
        rows.append(AuditRecord(at=at, operator=operator, action=action, entity=entity, old=old_text,
                                new=new_text, reason=reason, prev_hash=prev_hash, hash=digest))
        prev_hash = digest
    session.add_all(rows)
    session.flush()
    # The chain's head (count and last hash) is kept apart, so removing entries from the end
    # — or the whole log — shows too.
    count = session.scalar(select(func.count()).select_from(AuditRecord))
    session.merge(SettingRecord(key=HEAD_KEY, value=f"{count}:{prev_hash}"))


class AuditService:
    def __init__(self, database: Database) -> None:
        self._db = database

    def entries(self, entity: str = "", limit: int | None = None) -> list[AuditEntry]:
        """Newest first; `entity` ("round:3") selects that entity and what lies under it
        ("round:3/unit:…"), never "round:31"."""
        with self._db.session() as session:
            query = select(AuditRecord).order_by(AuditRecord.id.desc())
            if entity:
                # A range rather than LIKE, so SQLite can use the index: "round:3/" ≤ e < "round:30"
                # ('0' is the character after '/').
                query = query.where((AuditRecord.entity == entity)
                                    | ((AuditRecord.entity >= entity + "/") & (AuditRecord.entity < entity + "0")))
            if limit:
                query = query.limit(limit)
            return [
                AuditEntry(r.id, r.at.strftime("%Y-%m-%d %H:%M:%S"), r.operator, r.action, r.entity,
                           r.old, r.new, r.reason)
                for r in session.scalars(query)
            ]

    def verify(self) -> list[str]:
        """Walk the chain; every broken link is a problem (a row edited or removed by hand)."""
        problems = []
        prev_hash = GENESIS
        count = 0
        with self._db.session() as session:
            for r in session.scalars(select(AuditRecord).order_by(AuditRecord.id)):
                expected = _digest(prev_hash, r.at, r.operator, r.action, r.entity, r.old, r.new, r.reason)
                if r.prev_hash != prev_hash:
                    problems.append(f"审计日志第 {r.id} 条之前的记录被删除或改动")
                elif r.hash != expected:
                    problems.append(f"审计日志第 {r.id} 条的内容被改动")
                prev_hash = r.hash
                count += 1
            head = session.get(SettingRecord, HEAD_KEY)
        if head is not None and head.value.split(":", 1)[1] != prev_hash:
            recorded = head.value.split(":", 1)[0]
            problems.append(f"审计日志应有 {recorded} 条记录，现有 {count} 条：末尾的记录被删除或改动")
        elif head is None and count:
            problems.append("审计日志缺少校验记录（audit.head），可能被改动")
        return problems
