"""The append-only, hash-chained audit log of scores, adjustments, results, flags, stars and
commitments, and the facts it holds about the data (see lsb_desktop.services.ledger).

Entries are queued by `record` / `record_many` inside the caller's transaction and written when
it commits: each transaction's entries carry the tracked rows it left (its facts), and a change
to a finalised round adds the round's new seal. A transaction that rolls back writes nothing."""

from __future__ import annotations

import getpass
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import event, func, select
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
from lsb_desktop.services import ledger

GENESIS = "0" * 64
HEAD_KEY = "audit.head"
_PENDING = "audit.pending"  # session.info: entries waiting for the commit
_TOUCHED = "audit.touched"  # session.info: the tracked rows this transaction wrote


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment
        return "未知"


# json.dumps(fields, ensure_ascii=False, separators=(",", ":")), without a new encoder per entry.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _digest(
    prev_hash: str,
    at: datetime,
    operator: str,
    action: str,
    entity: str,
    old: str,
    new: str,
    reason: str,
    facts: str | None = None,
) -> str:
    fields = [prev_hash, at.isoformat(), operator, action, entity, old, new, reason]
    if facts is not None:
        fields.append(facts)  # entries from data version 6 on: the facts are in the hash too
    return hashlib.sha256(_ENCODER.encode(fields).encode("utf-8")).hexdigest()


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
    """Append entries (action, entity, old, new, reason) in order; they are chained, with the
    facts of the transaction, when it commits."""
    if not entries:
        return
    session.flush()
    session.info.setdefault(_PENDING, []).extend(
        (action, entity, _text(old), _text(new), reason) for action, entity, old, new, reason in entries
    )


def _chain(
    session: Session,
    entries: list[tuple[str, str, str, str, str, str | None]],
    seals: Sequence[tuple[int, int, str]] = (),
) -> None:
    """Write entries (action, entity, old, new, reason, facts) after the chain's last one, then
    one seal entry per (round, version, digest); move the chain's head."""
    last = session.scalar(select(AuditRecord.hash).order_by(AuditRecord.id.desc()).limit(1))
    prev_hash = last or GENESIS
    at = datetime.now().replace(microsecond=0)
    operator = _operator()
    rows = []

    def add(action: str, entity: str, old: str, new: str, reason: str, facts: str | None) -> None:
        nonlocal prev_hash
        digest = _digest(prev_hash, at, operator, action, entity, old, new, reason, facts)
        rows.append(
            AuditRecord(
                at=at,
                operator=operator,
                action=action,
                entity=entity,
                old=old,
                new=new,
                reason=reason,
                facts=facts,
                prev_hash=prev_hash,
                hash=digest,
            )
        )
        prev_hash = digest

    for entry in entries:
        add(*entry)
    for round_id, version, digest in seals:
        entity = f"round:{round_id}/seal"
        previous = session.scalar(
            select(AuditRecord.new).where(AuditRecord.entity == entity).order_by(AuditRecord.id.desc()).limit(1)
        )
        if rows:
            previous = next((r.new for r in reversed(rows) if r.entity == entity), previous)
        code = ledger.check_code(round_id, version, digest, prev_hash)
        seal = {"version": version, "digest": digest}
        add(
            ledger.SEAL_ACTION,
            entity,
            json.loads(previous)["code"] if previous else "",
            ledger.canonical(seal | {"code": code}),
            "",
            ledger.canonical({f"{ledger.SEAL_PREFIX}{round_id}": seal}),
        )
    session.add_all(rows)
    session.flush()
    # The chain's head (count and last hash) is kept apart, so removing entries from the end
    # — or the whole log — shows too.
    count = session.scalar(select(func.count()).select_from(AuditRecord))
    session.merge(SettingRecord(key=HEAD_KEY, value=f"{count}:{prev_hash}"))


def _latest_seal(session: Session, round_id: int) -> dict | None:
    new = session.scalar(
        select(AuditRecord.new)
        .where(AuditRecord.entity == f"round:{round_id}/seal")
        .order_by(AuditRecord.id.desc())
        .limit(1)
    )
    try:
        return json.loads(new) if new else None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class SealEntry:
    """A round's latest seal as the log holds it: its 校验码 and when it was sealed."""

    version: int
    code: str
    at: str


def latest_seal(session: Session, round_id: int) -> SealEntry | None:
    record = session.scalars(
        select(AuditRecord)
        .where(AuditRecord.entity == f"round:{round_id}/seal")
        .order_by(AuditRecord.id.desc())
        .limit(1)
    ).first()
    if record is None:
        return None
    try:
        seal = json.loads(record.new)
        return SealEntry(int(seal["version"]), str(seal["code"]), record.at.strftime("%Y-%m-%d %H:%M:%S"))
    except (ValueError, KeyError, TypeError):
        return None


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, _context: object) -> None:
    touched = session.info.get(_TOUCHED)
    if touched is None:
        touched = session.info[_TOUCHED] = ledger.Touched()
    ledger.note_objects(touched, session.new)
    ledger.note_objects(touched, session.deleted)
    ledger.note_objects(touched, (o for o in session.dirty if session.is_modified(o, include_collections=False)))


@event.listens_for(Session, "before_commit")
def _write_entries(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()
    pending = session.info.pop(_PENDING, [])
    touched: ledger.Touched | None = session.info.pop(_TOUCHED, None)
    if not pending and not (touched and touched.keys):
        return
    connection = session.connection()
    facts = ledger.facts_of(connection, touched.keys) if touched else {}
    seals = []
    for round_id in sorted(ledger.rounds_touched(connection, touched) if touched else ()):
        sealed = ledger.round_seal(connection, round_id)
        if sealed is None:
            continue
        latest = _latest_seal(session, round_id)
        if latest and latest.get("version") == sealed[0] and latest.get("digest") == sealed[1]:
            continue
        seals.append((round_id, *sealed))
    if not pending:
        # A change made without an entry of its own (none is known): it is recorded all the same.
        pending = [(ledger.GENERIC_ACTION, "", "", "", "")]
    entries = [(*entry, None) for entry in pending]
    if facts:
        entries[-1] = (*pending[-1], ledger.canonical(facts))
    _chain(session, entries, seals)
    session.info.pop(_TOUCHED, None)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_TOUCHED, None)


@event.listens_for(Session, "after_commit")
def _done(session: Session) -> None:
    session.info.pop(_TOUCHED, None)


def write_baseline(database: Database) -> bool:
    """After the upgrade to data version 6 (the setting audit.baseline = pending): one entry
    holding every tracked row as it stands, and a seal for each finalised round, so the log
    accounts for the data from here on. True when it was written."""
    with database.session() as session, session.begin():
        setting = session.get(SettingRecord, ledger.BASELINE_KEY)
        if setting is None or setting.value != "pending":
            return False
        connection = session.connection()
        facts = ledger.all_facts(connection)
        finals = [row["id"] for key, row in facts.items() if key.startswith("rounds:") and row["status"] == "final"]
        seals = [
            (round_id, *seal)
            for round_id in sorted(finals)
            if (seal := ledger.round_seal(connection, round_id)) is not None
        ]  # all are: finals
        session.delete(setting)
        session.flush()
        session.info.pop(_TOUCHED, None)
        _chain(
            session,
            [
                (
                    ledger.BASELINE_ACTION,
                    "",
                    "",
                    _text({"rows": len(facts)}),
                    "升级到数据版本 6：此前的评分、结果、五星和承诺事项以此为准",
                    ledger.canonical(facts),
                )
            ],
            seals,
        )
        return True


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
            rows = self._session.execute(
                select(UnitVersionRecord.unit_id, UnitVersionRecord.name).order_by(
                    UnitVersionRecord.valid_from, UnitVersionRecord.id
                )
            )
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
        """ "round:3/judge:张三/unit:甲村/criterion:基层党建" → 评比“2024年第一季度 …” 评委张三给甲村的
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


class _Row(NamedTuple):
    id: int
    at: datetime | None
    operator: str
    action: str
    entity: str
    old: str
    new: str
    reason: str
    facts: str | None
    prev_hash: str
    hash: str


def _moment(value: object) -> datetime | None:
    """An entry's time as stored (None when it was overwritten with something that is not one)."""
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _entry_text(record: AuditRecord | _Row, names: Names) -> str:
    """What an entry records: 2024-05-01 10:00:00 “评分”，2024年第一季度…中评委张三给甲村的“基层党建”评分."""
    about = names.entity(record.entity or "")
    at = record.at.strftime("%Y-%m-%d %H:%M:%S") if record.at else "时间不明"
    action = f"“{record.action}”" if record.action else "（操作不明）"
    return f"{at} {action}" + (f"，{about}" if about else "")


def _shown_values(record: AuditRecord) -> tuple[str, str]:
    """(old, new) as the audit pages show them: a seal as its version and 校验码, not its digest."""
    if record.action == ledger.SEAL_ACTION:
        try:
            seal = json.loads(record.new)
            new = f"第 {seal['version']} 版结果，校验码 {seal['code']}"
        except (ValueError, KeyError, TypeError):
            new = record.new
        return (f"校验码 {record.old}" if record.old else ""), new
    if record.action == ledger.BASELINE_ACTION:
        try:
            return "", f"{json.loads(record.new)['rows']} 条记录"
        except (ValueError, KeyError, TypeError):
            return "", record.new
    return record.old, record.new


_COUNT_CHANGED = "审计日志末尾的校验记录中的记录数被改动"


def _head_problem(value: str, count: int, last_hash: str, last: str) -> str:
    """What the chain's head (count:hash, kept apart) says about the end of the log, in words:
    entries removed from the end, entries added after it, or the head or the last entry changed."""
    recorded, _, head_hash = value.partition(":")
    if not recorded.isdigit() or len(head_hash) != len(GENESIS):
        return "审计日志末尾的校验记录被改动，已无法读取，无法确认末尾的记录是否完整"
    if head_hash == last_hash and int(recorded) == count:
        return ""
    tail = f"，现在的最后一条是{last}" if last else ""
    expected = int(recorded)
    if head_hash == last_hash:
        return f"{_COUNT_CHANGED}（应为 {count} 条）"
    if expected > count:
        return f"审计日志应有 {expected} 条记录，现有 {count} 条：末尾的 {expected - count} 条记录被删除{tail}"
    if expected < count:
        return (
            f"审计日志应有 {expected} 条记录，现有 {count} 条：末尾多出 {count - expected} 条记录，"
            f"不是由本程序写入的{tail}"
        )
    return (
        f"审计日志的记录数与末尾的校验记录一致（{count} 条），但最后一条记录的哈希值与校验记录不符："
        f"最后一条记录被替换，或末尾的校验记录被改动{tail}"
    )


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
                query = query.where(
                    (AuditRecord.entity == entity)
                    | ((AuditRecord.entity >= entity + "/") & (AuditRecord.entity < entity + "0"))
                )
            if limit:
                query = query.limit(limit)
            return [
                AuditEntry(
                    r.id,
                    r.at.strftime("%Y-%m-%d %H:%M:%S"),
                    r.operator,
                    r.action,
                    r.entity,
                    *_shown_values(r),
                    r.reason,
                )
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
        previous: _Row | None = None
        with self._db.session() as session:
            names = Names(session)
            # Plain rows rather than ORM objects: the walk takes a third of the time.
            rows: Sequence[Any] = (
                session.connection()
                .exec_driver_sql(  # plain driver rows
                    "SELECT id, at, operator, action, entity, old, new, reason, facts, prev_hash, hash"
                    " FROM audit_log ORDER BY id"
                )
                .fetchall()
            )
            for raw in rows:
                r = _Row(raw[0], _moment(raw[1]), *raw[2:])
                expected = (
                    _digest(prev_hash, r.at, r.operator, r.action, r.entity, r.old, r.new, r.reason, r.facts)
                    if r.at is not None
                    else ""
                )
                if r.prev_hash != prev_hash:
                    where = (
                        f"在第 {previous.id} 条（{_entry_text(previous, names)}）之后"
                        if previous is not None
                        else "在日志开头"
                    )
                    problems.append(
                        f"审计日志第 {r.id} 条之前的记录被删除或改动：缺少的记录{where}、"
                        f"第 {r.id} 条（{_entry_text(r, names)}）之前"
                    )
                elif r.hash != expected:
                    problems.append(f"审计日志第 {r.id} 条的内容被改动：{_entry_text(r, names)}")
                prev_hash = r.hash
                previous = r
                count += 1
            last = f"第 {previous.id} 条（{_entry_text(previous, names)}）" if previous is not None else ""
            head = session.get(SettingRecord, HEAD_KEY)
        if head is not None:
            problem = _head_problem(head.value, count, prev_hash, last)
            if problem and not (problems and problem.startswith(_COUNT_CHANGED)):
                # (entries removed from the middle are named above, and leave the count short)
                problems.append(problem)
        elif count:
            problems.append("审计日志缺少末尾的校验记录，日志可能被整体替换或改动")
        return ChainCheck(count, tuple(problems))

    def verify_data(self) -> ledger.LedgerCheck:
        """Replay the facts of every entry and compare them with the data; check each finalised
        round against its latest seal and each seal entry's 校验码."""
        with self._db.session() as session:
            connection = session.connection()
            recorded: ledger.Rows = {}
            problems: list[ledger.Difference] = []
            seals: list[ledger.Seal] = []
            baselines: list[str] = []
            rows: Sequence[Any] = connection.exec_driver_sql(  # plain driver rows
                "SELECT id, at, action, entity, new, prev_hash, facts FROM audit_log ORDER BY id"
            ).fetchall()
            for entry, at, action, entity, new, prev_hash, facts in rows:
                when = str(at)[:19]
                if facts:
                    try:
                        changes = json.loads(facts)
                    except ValueError:
                        problems.append(
                            ledger.Difference("facts", f"审计日志第 {entry} 条（{when}）记录的数据内容无法读取")
                        )
                        continue
                    for key, value in changes.items():
                        if value is None:
                            recorded.pop(key, None)
                        else:
                            recorded[key] = value
                if action == ledger.BASELINE_ACTION:
                    baselines.append(when)
                match = re.fullmatch(r"round:(\d+)/seal", entity or "")
                if action == ledger.SEAL_ACTION and match:
                    round_id = int(match.group(1))
                    try:
                        seal = json.loads(new)
                        version, digest, code = int(seal["version"]), str(seal["digest"]), str(seal["code"])
                    except (ValueError, KeyError, TypeError):
                        problems.append(
                            ledger.Difference("seal_code", f"审计日志第 {entry} 条（{when}）的封存记录无法读取")
                        )
                        continue
                    seals.append(ledger.Seal(round_id, "", version, digest, code, when, entry))
                    if code != ledger.check_code(round_id, version, digest, prev_hash):
                        problems.append(
                            ledger.Difference(
                                "seal_code", f"审计日志第 {entry} 条（{when}）的封存记录与它的校验码 {code} 对不上"
                            )
                        )
            stored = ledger.all_facts(connection)
            units: dict[int, str] = {}
            versions: Iterable[Any] = connection.exec_driver_sql(  # plain driver rows
                "SELECT unit_id, name FROM unit_versions ORDER BY valid_from, id"
            )
            for unit_id, name in versions:
                units[unit_id] = name  # the latest version wins
            rows_recorded = {k: v for k, v in recorded.items() if not k.startswith(ledger.SEAL_PREFIX)}
            namer = ledger.Namer(rows_recorded, stored, units)
            problems.extend(ledger.compare(rows_recorded, stored, namer))
            named = [
                ledger.Seal(s.round_id, namer.round(s.round_id), s.version, s.digest, s.code, s.at, s.entry)
                for s in seals
            ]
            finals = sorted(
                row["id"] for key, row in stored.items() if key.startswith("rounds:") and row.get("status") == "final"
            )
            for round_id in finals:
                name = namer.round(round_id)
                seal = recorded.get(f"{ledger.SEAL_PREFIX}{round_id}")
                fields = {"round": name}
                if seal is None:
                    problems.append(
                        ledger.Difference(
                            "seal_missing", f"评比“{name}”已定稿，但审计日志中没有它的定稿封存记录", fields
                        )
                    )
                    continue
                current = ledger.round_seal(connection, round_id)
                if current is not None and current[1] != seal.get("digest"):
                    problems.append(
                        ledger.Difference(
                            "seal_mismatch",
                            f"评比“{name}”的数据与第 {seal.get('version')} 版定稿封存时不一致："
                            "定稿后有评分、结果、参评单位或评分方案被改动",
                            fields,
                        )
                    )
            if len(baselines) > 1:
                problems.append(
                    ledger.Difference(
                        "baseline",
                        f"审计日志中有 {len(baselines)} 个数据校验起点（{'、'.join(baselines)}）："
                        "只应在升级到数据版本 6 时建立一个，之后的起点可能掩盖了它之前对数据的改动",
                    )
                )
            latest = {}
            for seal in named:
                latest[seal.round_id] = seal
            return ledger.LedgerCheck(
                len(stored), tuple(problems), tuple(named), tuple(latest[r] for r in finals if r in latest)
            )
