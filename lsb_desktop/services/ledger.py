"""What the audit log says the data is, and whether the data still is that.

Every audit entry carries `facts`: the rows of the tracked tables (scores, adjustments, results,
rounds and what they hold, 五星 steps and losses, commitments and their progress) as its change
left them, keyed "scores:12" (null for a row removed). Replaying the facts of the whole log gives
the data as the program wrote it; `verify` compares that with the data in the file and names
every difference in the clerk's words.

A finalised round is sealed: a SHA-256 digest over its scheme, judges, participants, scores,
adjustments, tie decisions and results enters the log as its own entry, anew whenever a
correction changes the round. The 校验码 printed on the round's paper is made from that digest
and the chain's head just before it, so a sheet kept on paper detects even a file whose log was
rewritten consistently after an edit.

Rows are read back from SQLite as stored (text, integers, NULL), so the value recorded when a
change is committed and the value `verify` reads later are the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from lsb_desktop.domain.period import QUARTER_NAMES
from lsb_desktop.domain.points import from_hundredths

# table -> its primary-key columns. The register (units, their versions, secretaries) and the
# settings are not here: they are history tables of their own and not what a contest decides.
TRACKED: dict[str, tuple[str, ...]] = {
    "rounds": ("id",),
    "round_components": ("id",),
    "round_criteria": ("id",),
    "round_units": ("id",),
    "round_judges": ("id",),
    "scores": ("id",),
    "adjustments": ("id",),
    "round_results": ("id",),
    "round_tie_decisions": ("id",),
    "commitments": ("id",),
    "commitment_progress": ("id",),
    "star_cells": ("id",),
    "star_steps": ("id",),
    "star_losses": ("id",),
    "star_targets": ("year", "level"),
}
# What belongs to one round, for its seal: table -> the column that names the round.
ROUND_TABLES = (
    "round_components",
    "round_units",
    "round_judges",
    "scores",
    "adjustments",
    "round_results",
    "round_tie_decisions",
)
SEAL_PREFIX = "seal:"
SEAL_ACTION = "封存定稿结果"
BASELINE_ACTION = "建立数据校验起点"
BASELINE_KEY = "audit.baseline"
GENERIC_ACTION = "保存数据"

Facts = dict[str, dict | None]
# Every row present (no None): what the file holds, or what the log recorded of it.
Rows = dict[str, dict]


def fact_key(table: str, pk: Iterable[object]) -> str:
    return f"{table}:{'/'.join(str(p) for p in pk)}"


def _split(key: str) -> tuple[str, str]:
    table, _, pk = key.partition(":")
    return table, pk


def canonical(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# ----- reading rows as stored ------------------------------------------------------------------


def _rows(connection: Connection, sql: str, params: tuple = ()) -> list[dict]:
    cursor = connection.exec_driver_sql(sql, params)
    names = [d[0] for d in cursor.cursor.description] if cursor.cursor is not None else list(cursor.keys())
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _key_of(table: str, row: Mapping) -> str:
    return fact_key(table, (row[c] for c in TRACKED[table]))


def all_facts(connection: Connection) -> Rows:
    """Every tracked row in the file, keyed like the log's facts."""
    facts: Rows = {}
    for table in TRACKED:
        for row in _rows(connection, f'SELECT * FROM "{table}"'):
            facts[_key_of(table, row)] = row
    return facts


def facts_of(connection: Connection, keys: Iterable[str]) -> Facts:
    """The current rows behind `keys` (None for a key whose row is gone)."""
    wanted: dict[str, list[str]] = {}
    for key in keys:
        table, pk = _split(key)
        wanted.setdefault(table, []).append(pk)
    facts: Facts = {}
    for table, pks in wanted.items():
        columns = TRACKED[table]
        found: dict[str, dict] = {}
        if len(columns) == 1:
            for start in range(0, len(pks), 500):
                chunk = pks[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for row in _rows(
                    connection,
                    f'SELECT * FROM "{table}" WHERE "{columns[0]}" IN ({marks})',
                    tuple(int(p) for p in chunk),
                ):
                    found[_key_of(table, row)] = row
        else:
            where = " AND ".join(f'"{c}" = ?' for c in columns)
            for pk in pks:
                for row in _rows(
                    connection, f'SELECT * FROM "{table}" WHERE {where}', tuple(int(p) for p in pk.split("/"))
                ):
                    found[_key_of(table, row)] = row
        for pk in pks:
            key = f"{table}:{pk}"
            facts[key] = found.get(key)
    return facts


# ----- what a session changed ------------------------------------------------------------------


@dataclass(slots=True)
class Touched:
    """The tracked rows a transaction wrote, and the rounds they belong to."""

    keys: set[str] = field(default_factory=set)
    rounds: set[int] = field(default_factory=set)
    components: set[int] = field(default_factory=set)


def note_objects(touched: Touched, objects: Iterable[Any]) -> None:
    """Record the tracked ORM objects among `objects` (after a flush: keys are assigned)."""
    for obj in objects:
        table = getattr(type(obj), "__tablename__", None)
        if table not in TRACKED:
            continue
        pk = [getattr(obj, c) for c in TRACKED[table]]
        if any(p is None for p in pk):
            continue
        touched.keys.add(fact_key(table, pk))
        if table == "rounds":
            touched.rounds.add(obj.id)
        elif table == "round_criteria":
            touched.components.add(obj.component_id)
        elif getattr(obj, "round_id", None) is not None:
            touched.rounds.add(obj.round_id)


def rounds_touched(connection: Connection, touched: Touched) -> set[int]:
    rounds = set(touched.rounds)
    if touched.components:
        marks = ",".join("?" * len(touched.components))
        rounds.update(
            row["round_id"]
            for row in _rows(
                connection, f"SELECT round_id FROM round_components WHERE id IN ({marks})", tuple(touched.components)
            )
        )
    return rounds


# ----- seals -----------------------------------------------------------------------------------


def round_scope(connection: Connection, round_id: int) -> Rows:
    """The facts a round's seal covers."""
    facts: Rows = {}
    for row in _rows(connection, 'SELECT * FROM "rounds" WHERE id = ?', (round_id,)):
        facts[_key_of("rounds", row)] = row
    for table in ROUND_TABLES:
        for row in _rows(connection, f'SELECT * FROM "{table}" WHERE round_id = ?', (round_id,)):
            facts[_key_of(table, row)] = row
    for row in _rows(
        connection,
        "SELECT k.* FROM round_criteria k JOIN round_components c ON c.id = k.component_id WHERE c.round_id = ?",
        (round_id,),
    ):
        facts[_key_of("round_criteria", row)] = row
    return facts


def seal_digest(facts: Mapping[str, object]) -> str:
    return hashlib.sha256(canonical(sorted(facts.items())).encode("utf-8")).hexdigest()


def round_seal(connection: Connection, round_id: int) -> tuple[int, str] | None:
    """(latest result version, digest) of a finalised round; None for one not finalised."""
    status = connection.exec_driver_sql("SELECT status FROM rounds WHERE id = ?", (round_id,)).scalar()
    if status != "final":
        return None
    version = (
        connection.exec_driver_sql("SELECT max(version) FROM round_results WHERE round_id = ?", (round_id,)).scalar()
        or 0
    )
    return int(version), seal_digest(round_scope(connection, round_id))


def check_code(round_id: int, version: int, digest: str, chain_head: str) -> str:
    """校验码: twelve hexadecimal characters in three groups, from the seal and the chain's head."""
    text = hashlib.sha256(f"{round_id}|{version}|{digest}|{chain_head}".encode("ascii")).hexdigest()[:12].upper()
    return f"{text[0:4]}-{text[4:8]}-{text[8:12]}"


@dataclass(frozen=True, slots=True)
class Seal:
    """One seal of a finalised round as the log holds it."""

    round_id: int
    round_name: str
    version: int
    digest: str
    code: str
    at: str  # 2024-05-01 10:00:00
    entry: int

    def line(self) -> str:
        return f"{self.round_name}：第 {self.version} 版结果，校验码 {self.code}（{self.at} 封存）"


# ----- the clerk's words for a difference ------------------------------------------------------

LABELS = {
    "points": "分数",
    "amount": "分值",
    "kind": "类别",
    "reason": "理由",
    "total": "总分",
    "rank": "名次",
    "flag": "旗",
    "composite": "综合得分",
    "components": "各项得分",
    "notes": "备注",
    "version": "版本",
    "status": "状态",
    "name": "名称",
    "district": "管区",
    "secretary": "书记",
    "visited": "是否观摩",
    "note": "备注",
    "position": "顺序",
    "weight": "权重",
    "max_points": "满分",
    "source": "计分方式",
    "group_name": "评委组",
    "year": "年度",
    "quarter": "季度",
    "title": "评比名称",
    "event_date": "评比日期",
    "red_count": "红旗数",
    "black_count": "黑旗数",
    "trim_drop": "去掉最高最低分的个数",
    "trim_minimum": "去分所需评委人数",
    "tie_policy": "并列规则",
    "tiebreak": "并列比较顺序",
    "veto_last": "一票否决排末位",
    "veto_black": "一票否决给黑旗",
    "created_at": "建立时间",
    "finalized_at": "定稿时间",
    "org_type": "组织类型",
    "unit_id": "所属村（社区）",
    "round_id": "所属评比",
    "round_unit_id": "所属参评单位",
    "judge_id": "所属评委",
    "criterion_id": "所属指标",
    "component_id": "所属评比项目",
    "content": "承诺内容",
    "category": "类别",
    "target": "目标",
    "deadline": "完成时限",
    "target_quarter": "计划完成季度",
    "responsible": "责任人",
    "original_content": "原承诺内容",
    "original_target": "原目标",
    "original_deadline": "原完成时限",
    "adjust_reason": "调整理由",
    "adjusted_on": "调整日期",
    "cancel_reason": "取消理由",
    "cancelled_on": "取消日期",
    "completed_on": "完成日期",
    "carried_from_id": "结转来源",
    "updated_at": "修改时间",
    "commitment_id": "所属承诺事项",
    "percent": "完成进度",
    "done_text": "完成情况",
    "entry_date": "填报日期",
    "recorded_at": "记录时间",
    "planned": "列入创建计划",
    "star": "星",
    "cell_id": "所属五星创建记录",
    "step": "评定步骤",
    "passed": "是否通过",
    "on": "日期",
    "level": "星级",
    "units": "并列的村（社区）",
    "places": "名额",
    "method": "决定方式",
    "chosen": "选定的村（社区）",
    "decided_at": "决定时间",
    "id": "编号",
}
_VALUES = {
    "status": {
        "draft": "草稿",
        "scoring": "打分中",
        "final": "已定稿",
        "not_started": "未开始",
        "in_progress": "推进中",
        "done": "已完成",
        "adjusted": "已调整",
        "cancelled": "已取消",
    },
    "kind": {
        "bonus": "加分",
        "deduction": "扣分",
        "veto": "一票否决",
        "downgrade": "降星",
        "revoke": "撤星",
        "村": "村",
        "社区": "社区",
    },
    "step": {"declared": "自评申报", "township": "镇初审", "county": "县评定", "publicity": "公示", "named": "命名"},
    "method": {"extend": "并列的都给旗", "tiebreak": "按并列规则决定", "committee": "党委研究决定"},
    "tie_policy": {"extend": "并列的都给旗", "tiebreak": "按并列规则决定"},
    "source": {"judges": "评委打分", "commitments": "按承诺完成率计算"},
}
_YES_NO = ("visited", "planned", "passed", "veto_last", "veto_black")
_POINTS = ("points", "max_points", "amount")  # stored as integer hundredths (db.types.Points)
_LONG = 40  # characters of a long value quoted in a message


def _shown(column: str, value: object) -> str:
    if value is None or value == "":
        return "（空）"
    if column in _YES_NO:
        return "是" if value in (1, True, "1") else "否"
    if column == "quarter" and value in QUARTER_NAMES:
        return QUARTER_NAMES[value]
    if column in _POINTS and isinstance(value, int) and not isinstance(value, bool):
        return str(from_hundredths(value))
    text = _VALUES.get(column, {}).get(value, value) if isinstance(value, str) else value
    text = str(text)
    return text if len(text) <= _LONG else text[:_LONG] + "…"


class Namer:
    """Names rows by what the log recorded (the trustworthy side), the file's rows otherwise."""

    def __init__(self, recorded: Rows, stored: Rows, unit_names: Mapping[int, str]) -> None:
        self._recorded = recorded
        self._stored = stored
        self._units = unit_names

    def _row(self, table: str, pk: object) -> dict | None:
        key = f"{table}:{pk}"
        return self._recorded.get(key) or self._stored.get(key)

    def round(self, round_id: object) -> str:
        row = self._row("rounds", round_id)
        if row is None:
            return "一次已不存在的评比"
        return f"{row['year']}年{QUARTER_NAMES.get(row['quarter'], '')}{row['title'] or '评比'}"

    def _named(self, table: str, pk: object, fallback: str) -> str:
        row = self._row(table, pk)
        return row["name"] if row is not None else fallback

    def unit(self, unit_id: object) -> str:
        return self._units.get(unit_id, "（已不在名册中的村（社区））") if isinstance(unit_id, int) else "（不明）"

    def describe(self, key: str, row: Mapping) -> tuple[str, dict[str, str]]:
        """(what the row is, in words; the fields that say so, for --json)."""
        table, pk = _split(key)
        get: Callable[[str], Any] = row.get  # a row as SQLite gave it: values of any type
        if table == "rounds":
            return f"评比“{self.round(int(pk))}”", {"round": self.round(int(pk))}
        if table in ROUND_TABLES or table == "round_criteria":
            round_id = get("round_id")
            if table == "round_criteria":
                component = self._row("round_components", get("component_id"))
                round_id = component["round_id"] if component else None
            where = self.round(round_id) if round_id is not None else "一次评比"
            fields = {"round": where}
            if table == "scores":
                judge = self._named("round_judges", get("judge_id"), "（已移除的评委）")
                unit = self._named("round_units", get("round_unit_id"), "（已移除的参评单位）")
                criterion = self._named("round_criteria", get("criterion_id"), "（已删除的指标）")
                fields |= {"judge": judge, "unit": unit, "criterion": criterion}
                return f"评比“{where}”中评委{judge}给{unit}的“{criterion}”评分", fields
            if table == "adjustments":
                unit = self._named("round_units", get("round_unit_id"), "（已移除的参评单位）")
                label = _VALUES["kind"].get(get("kind"), "加扣分")
                fields |= {"unit": unit}
                return f"评比“{where}”中{unit}的{label}（理由：{_shown('reason', get('reason'))}）", fields
            if table == "round_results":
                unit = self._named("round_units", get("round_unit_id"), "（已移除的参评单位）")
                fields |= {"unit": unit, "version": str(get("version"))}
                return f"评比“{where}”中{unit}的第 {get('version')} 版定稿结果", fields
            if table == "round_units":
                fields |= {"unit": get("name")}
                return f"评比“{where}”的参评单位“{get('name')}”", fields
            if table == "round_judges":
                fields |= {"judge": get("name")}
                return f"评比“{where}”的评委“{get('name')}”", fields
            if table == "round_components":
                return f"评比“{where}”的评比项目“{get('name')}”", fields
            if table == "round_criteria":
                fields |= {"criterion": get("name")}
                return f"评比“{where}”的评分指标“{get('name')}”", fields
            return f"评比“{where}”的旗位并列决定", fields
        if table == "commitments":
            unit = self.unit(get("unit_id"))
            return (
                f"{unit} {get('year')}年第 {get('number')} 项承诺“{_shown('content', get('content'))[:16]}”",
                {"unit": unit},
            )
        if table == "commitment_progress":
            item = self._row("commitments", get("commitment_id"))
            what = self.describe(f"commitments:{get('commitment_id')}", item)[0] if item else "一项承诺事项"
            return (
                f"{what}的{get('year')}年{QUARTER_NAMES.get(get('quarter'), '')}进度",
                {"unit": self.unit(item.get("unit_id")) if item else ""},
            )
        if table == "star_cells":
            unit = self.unit(get("unit_id"))
            return f"{unit} {get('year')}年{get('star')}的创建记录", {"unit": unit}
        if table == "star_steps":
            cell = self._row("star_cells", get("cell_id"))
            unit = self.unit(cell.get("unit_id")) if cell else "（不明）"
            where = f"{unit} {cell.get('year')}年{cell.get('star')}" if cell else "一颗星"
            return f"{where}的“{_shown('step', get('step'))}”步骤", {"unit": unit}
        if table == "star_losses":
            unit = self.unit(get("unit_id"))
            return f"{unit}{get('star')}的{_shown('kind', get('kind'))}记录", {"unit": unit}
        if table == "star_targets":
            return f"{get('year')}年五星创建目标（{get('level')} 星及以上）", {}
        return "一条记录", {}


@dataclass(frozen=True, slots=True)
class Difference:
    """One place where the data is not what the log says. `kind`: changed (a value differs),
    removed (the log has it, the file does not), unrecorded (the file has it, the log does not),
    seal_missing, seal_mismatch, seal_code (a seal entry whose 校验码 does not follow from it),
    baseline (a second starting point in the log)."""

    kind: str
    message: str
    fields: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {"kind": self.kind, "message": self.message, **self.fields}


def _changed_fields(old: Mapping, new: Mapping) -> list[str]:
    return [c for c in sorted(set(old) | set(new), key=lambda c: (c not in LABELS, c)) if old.get(c) != new.get(c)]


def compare(recorded: Rows, stored: Rows, namer: Namer) -> list[Difference]:
    differences = []
    for key in sorted(set(recorded) | set(stored), key=_order):
        old, new = recorded.get(key), stored.get(key)
        if old == new:
            continue
        if new is None:
            assert old is not None  # both None are equal, skipped above
            what, fields = namer.describe(key, old)
            differences.append(Difference("removed", f"{what}已被删除（审计日志中有这条记录，数据中没有）", fields))
        elif old is None:
            what, fields = namer.describe(key, new)
            values = "，".join(
                f"{LABELS.get(c, c)} {_shown(c, new[c])}"
                for c in _changed_fields({}, new)
                if c in _SUMMARY.get(_split(key)[0], ())
            )
            differences.append(
                Difference(
                    "unrecorded",
                    f"{what}没有审计记录，不是由本程序录入的" + (f"（{values}）" if values else ""),
                    fields,
                )
            )
        else:
            what, fields = namer.describe(key, old)
            for column in _changed_fields(old, new):
                label = LABELS.get(column, "其他内容")
                differences.append(
                    Difference(
                        "changed",
                        f"{what}的{label}被改动：审计日志记录为 {_shown(column, old.get(column))}，"
                        f"现在是 {_shown(column, new.get(column))}",
                        fields
                        | {
                            "field": label,
                            "old": _shown(column, old.get(column)),
                            "new": _shown(column, new.get(column)),
                        },
                    )
                )
    return differences


# The values quoted for a row the log does not know.
_SUMMARY = {
    "scores": ("points",),
    "adjustments": ("kind", "amount"),
    "round_results": ("total", "rank", "flag"),
    "star_steps": ("step", "passed", "on"),
    "star_losses": ("kind", "on"),
    "commitments": ("status",),
    "commitment_progress": ("percent",),
    "round_units": ("name",),
    "round_judges": ("name",),
}
_TABLE_ORDER = {table: index for index, table in enumerate(TRACKED)}


def _order(key: str) -> tuple[int, str, int | str]:
    table, pk = _split(key)
    return _TABLE_ORDER.get(table, 99), table, int(pk) if pk.isdigit() else pk


@dataclass(frozen=True, slots=True)
class LedgerCheck:
    """The verdict on the data against the log: how many rows were compared, what differs, every
    seal in the log (oldest first) and the latest seal of each finalised round."""

    rows: int
    problems: tuple[Difference, ...]
    seals: tuple[Seal, ...]
    finalised: tuple[Seal, ...]
