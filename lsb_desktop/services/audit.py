"""The append-only, hash-chained audit log of scores, adjustments, results and flags."""

from __future__ import annotations

import getpass
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import (
    AuditRecord,
    CommitmentProgressRecord,
    CommitmentRecord,
    RoundRecord,
    SettingRecord,
    StarCellRecord,
    UnitVersionRecord,
)
from lsb_desktop.domain.period import QUARTER_NAMES
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


# ----- what an entry or a file is about, in the clerk's words ----------------------------------------

_SHORT = 16  # characters of a commitment's text quoted in a message


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return f"“{text[:_SHORT]}…”" if len(text) > _SHORT else f"“{text}”"


def _quarter(year: int, quarter: int) -> str:
    return f"{year}年{QUARTER_NAMES.get(quarter, f'第{quarter}季度')}"


class Names:
    """Chinese names of the rounds, villages, commitments and stars that audit entries and
    evidence files refer to by id, read on demand inside the caller's session."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._units: dict[int, str] | None = None

    def unit(self, unit_id: int) -> str:
        if self._units is None:
            self._units = {}
            rows = self._session.execute(select(UnitVersionRecord.unit_id, UnitVersionRecord.name)
                                         .order_by(UnitVersionRecord.valid_from, UnitVersionRecord.id))
            for uid, name in rows:
                self._units[uid] = name  # the latest version wins
        return self._units.get(unit_id, "（已不在名册中的村（社区））")

    def round(self, round_id: int) -> str:
        record = self._session.get(RoundRecord, round_id)
        if record is None:
            return "已不存在的评比"
        # The title names the contest itself (村党组织书记“亮赛比”逐村观摩评比), quoted inside.
        return f"{_quarter(record.year, record.quarter)}{record.title or '评比'}"

    def commitment(self, commitment_id: int) -> str:
        record = self._session.get(CommitmentRecord, commitment_id)
        if record is None:
            return "已不存在的承诺事项"
        return f"{self.unit(record.unit_id)} {record.year}年第 {record.number} 项承诺{_quote(record.content)}"

    def progress(self, progress_id: int) -> str:
        record = self._session.get(CommitmentProgressRecord, progress_id)
        if record is None:
            return "已不存在的承诺事项进度"
        return f"{self.commitment(record.commitment_id)}的{_quarter(record.year, record.quarter)}进度"

    def star_cell(self, cell_id: int) -> str:
        record = self._session.get(StarCellRecord, cell_id)
        if record is None:
            return "已不存在的五星创建记录"
        return f"{self.unit(record.unit_id)} {record.year}年{record.star}"

    def entity(self, entity: str) -> str:
        """"round:3/judge:张三/unit:甲村/criterion:基层党建" → 评比“2024年第一季度 …” 评委张三给甲村的
        “基层党建”评分; '' for what cannot be named (the message then names the entry alone)."""
        head, _, rest = entity.partition("/")
        kind, _, key = head.partition(":")
        if kind == "round" and key.isdigit():
            where = self.round(int(key))
            parts = dict(part.partition(":")[::2] for part in rest.split("/") if ":" in part)
            version = re.fullmatch(r"v(\d+)", rest)
            if version:
                return f"{where}的第 {version.group(1)} 版结果"
            if "criterion" in parts:
                return f"{where}中评委{parts.get('judge', '')}给{parts.get('unit', '')}的“{parts['criterion']}”评分"
            if "unit" in parts:
                return f"{where}中的{parts['unit']}"
            return where
        if kind == "commitment" and key.isdigit():
            where = self.commitment(int(key))
            period = re.fullmatch(r"progress:(\d{4})Q([1-4])", rest)
            return f"{where}的{_quarter(int(period.group(1)), int(period.group(2)))}进度" if period else where
        if kind == "star":
            if key == "targets":
                return f"{rest}年五星创建目标" if rest.isdigit() else "五星创建目标"
            year, _, star = rest.partition("/")
            if key.isdigit() and year.isdigit():
                return f"{self.unit(int(key))} {year}年{star}"
        if kind == "unit" and key.isdigit():
            return self.unit(int(key))
        if kind == "settings" and key == "commitments.categories":
            return "承诺事项类别设置"
        if kind == "commitments" and key == "import":
            return "承诺事项导入"
        return ""


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """The verdict on the audit log: how many entries were walked and what is wrong."""

    entries: int
    problems: tuple[str, ...]


def _entry_text(record: AuditRecord, names: Names) -> str:
    """What an entry records: 2024-05-01 10:00:00 “评分”，2024年第一季度…中评委张三给甲村的“基层党建”评分."""
    about = names.entity(record.entity or "")
    at = record.at.strftime("%Y-%m-%d %H:%M:%S") if record.at else "时间不明"
    action = f"“{record.action}”" if record.action else "（操作不明）"
    return f"{at} {action}" + (f"，{about}" if about else "")


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
        """The problems of `check_chain`: every broken link (a row edited or removed by hand)."""
        return list(self.check_chain().problems)

    def check_chain(self) -> ChainCheck:
        """Walk the chain; each problem names the entry (its time, action and what it is about:
        round, judge, village, item) so the clerk can find it."""
        problems = []
        prev_hash = GENESIS
        count = 0
        previous: AuditRecord | None = None
        with self._db.session() as session:
            names = Names(session)
            for r in session.scalars(select(AuditRecord).order_by(AuditRecord.id)):
                expected = _digest(prev_hash, r.at, r.operator, r.action, r.entity, r.old, r.new, r.reason)
                if r.prev_hash != prev_hash:
                    where = (f"在第 {previous.id} 条（{_entry_text(previous, names)}）之后" if previous is not None
                             else "在日志开头")
                    problems.append(f"审计日志第 {r.id} 条之前的记录被删除或改动：缺少的记录{where}、"
                                    f"第 {r.id} 条（{_entry_text(r, names)}）之前")
                elif r.hash != expected:
                    problems.append(f"审计日志第 {r.id} 条的内容被改动：{_entry_text(r, names)}")
                prev_hash = r.hash
                previous = r
                count += 1
            last = f"第 {previous.id} 条（{_entry_text(previous, names)}）" if previous is not None else ""
            head = session.get(SettingRecord, HEAD_KEY)
        if head is not None and head.value.split(":", 1)[1] != prev_hash:
            recorded = head.value.split(":", 1)[0]
            tail = f"，现在的最后一条是{last}" if last else ""
            problems.append(f"审计日志应有 {recorded} 条记录，现有 {count} 条：末尾的记录被删除或改动{tail}")
        elif head is None and count:
            problems.append("审计日志缺少末尾的校验记录，日志可能被整体替换或改动")
        return ChainCheck(count, tuple(problems))
