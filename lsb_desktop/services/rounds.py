"""Rounds (评比活动): creation, judges, score entry, adjustments, results, finalising and
corrections. Every change to scores, adjustments and results is audited."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Literal

from sqlalchemy import Integer, func, select, type_coerce
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import (
    AdjustmentRecord,
    RoundComponentRecord,
    RoundCriterionRecord,
    RoundJudgeRecord,
    RoundRecord,
    RoundResultRecord,
    RoundTieDecisionRecord,
    RoundUnitRecord,
    ScoreRecord,
    SettingRecord,
)
from lsb_desktop.changes import Changed, Changes
from lsb_desktop.domain.paper import PaperData, SheetRow
from lsb_desktop.domain.period import Period
from lsb_desktop.domain.points import from_hundredths, parse_points
from lsb_desktop.domain.register import left_out_message, nobody_registered_message, not_in_register_message
from lsb_desktop.domain.rounds import (
    AdjustmentType,
    FlagHistory,
    FlagRecord,
    MissingScores,
    RoundAdjustment,
    RoundDetail,
    RoundJudge,
    RoundResults,
    RoundRules,
    RoundStatus,
    RoundSummary,
    RoundUnit,
    ScoreCell,
    UnitResult,
)
from lsb_desktop.domain.score_files import (
    ScoreContext,
    ScoreEntry,
    ScoreProblem,
    ScoreSheetSpec,
    plain_points,
    score_warnings,
)
from lsb_desktop.domain.scoring import (
    DEFAULT_SCHEME,
    Adjustment,
    AdjustmentKind,
    BoundaryTie,
    Component,
    ComponentSource,
    Criterion,
    Flag,
    JudgeTotal,
    RankEntry,
    Scheme,
    TieDecision,
    TieMethod,
    TiePolicy,
    assign_flags,
    commitment_score,
    component_score,
    composite,
    rank,
)
from lsb_desktop.domain.text import canonical_name, clean, clean_text, validate_item_name, validate_person_name
from lsb_desktop.errors import NotFoundError, TieUndecidedError, ValidationError
from lsb_desktop.services import audit
from lsb_desktop.services.commitments import completion_by_unit
from lsb_desktop.services.villages import VillageService

SCHEME_KEY = "scoring.scheme"
NOTE_NOT_SCORED = "无评分"
NOTE_VETO = "一票否决"
NOTE_NO_COMMITMENTS = "无可计算的承诺事项"
NOTE_TIE = "旗位并列"


def scheme_to_json(scheme: Scheme) -> str:
    return json.dumps(
        [
            {
                "name": c.name,
                "weight": str(c.weight),
                "criteria": [{"name": k.name, "max": str(k.max_points)} for k in c.criteria],
                **({} if c.judged else {"source": c.source.value}),
            }
            for c in scheme.components
        ],
        ensure_ascii=False,
    )


def scheme_from_json(text: str) -> Scheme:
    return Scheme(
        tuple(
            Component(
                c["name"],
                Decimal(c["weight"]),
                tuple(Criterion(k["name"], Decimal(k["max"])) for k in c["criteria"]),
                ComponentSource(c.get("source", ComponentSource.JUDGES.value)),
            )
            for c in json.loads(text)
        )
    )


def _fraction_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def _fraction(text: str) -> Fraction:
    return Fraction(text)


@dataclass(frozen=True, slots=True)
class RoundDraft:
    """What the 新建评比 dialog or `round create` asks for."""

    period: Period
    title: str = ""
    event_date: date | None = None
    judges: tuple[str, ...] = ()
    red: int = 0
    black: int = 0
    unit_ids: tuple[int, ...] | None = None  # None: every unit in the register that day
    scheme: Scheme | None = None  # None: the township's template


@dataclass(frozen=True, slots=True)
class ScoreImportPreview:
    """What importing score files would do; nothing is written until `apply_import`."""

    round_id: int
    files: tuple[Path, ...]
    entries: tuple[ScoreEntry, ...]
    problems: tuple[ScoreProblem, ...]
    warnings: tuple[str, ...]
    count_new: int
    count_changed: int
    count_unchanged: int
    # What the reader says about each sheet (read, empty and ignored, columns left out).
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return bool(self.entries) and not self.problems


@dataclass
class _Loaded:
    """A round's records loaded in one session, with lookups by name and id."""

    record: RoundRecord
    detail: RoundDetail
    criterion_ids: dict[str, int]
    criterion_names: dict[int, str]
    criterion_max: dict[str, Decimal]


# The audit actions a score change can be recorded as.
SCORE_ACTIONS = ("评分", "撤销评分", "重做评分")


class RoundService:
    def __init__(
        self, database: Database, villages: VillageService, backup: Callable[[str], object] | None = None
    ) -> None:
        self._db = database
        self._villages = villages
        self._backup = backup  # callable(reason) taking a backup before a bulk import

    # ----- the scheme template ----------------------------------------------------------------

    def scheme_template(self) -> Scheme:
        with self._db.session() as session:
            stored = session.get(SettingRecord, SCHEME_KEY)
            return scheme_from_json(stored.value) if stored else DEFAULT_SCHEME

    def save_scheme_template(self, scheme: Scheme) -> Changed[Scheme]:
        _check_scheme(scheme)
        with self._db.session() as session, session.begin():
            session.merge(SettingRecord(key=SCHEME_KEY, value=scheme_to_json(scheme)))
        return Changed(scheme, Changes.ROUND_SETUP)

    # ----- reading ------------------------------------------------------------------------------

    def _load(self, session: Session, round_id: int) -> _Loaded:
        record = session.get(RoundRecord, round_id)
        if record is None:
            raise NotFoundError(f"找不到编号为 {round_id} 的评比活动")
        components = list(
            session.scalars(
                select(RoundComponentRecord)
                .where(RoundComponentRecord.round_id == round_id)
                .order_by(RoundComponentRecord.position)
            )
        )
        criteria_by_component = defaultdict(list)
        for criterion in session.scalars(
            select(RoundCriterionRecord)
            .where(RoundCriterionRecord.component_id.in_([c.id for c in components]))
            .order_by(RoundCriterionRecord.position)
        ):
            criteria_by_component[criterion.component_id].append(criterion)
        scheme = Scheme(
            tuple(
                Component(
                    c.name,
                    c.weight,
                    tuple(Criterion(k.name, k.max_points) for k in criteria_by_component[c.id]),
                    ComponentSource(c.source),
                )
                for c in components
            )
        )
        judges = tuple(
            RoundJudge(j.id, j.name, j.group_name, j.position)
            for j in session.scalars(
                select(RoundJudgeRecord)
                .where(RoundJudgeRecord.round_id == round_id)
                .order_by(RoundJudgeRecord.position)
            )
        )
        units = tuple(
            RoundUnit(
                u.id, u.unit_id, u.name, u.district, u.secretary, u.kind, u.org_type, u.visited, u.position, u.note
            )
            for u in session.scalars(
                select(RoundUnitRecord).where(RoundUnitRecord.round_id == round_id).order_by(RoundUnitRecord.position)
            )
        )
        summary = RoundSummary(
            record.id,
            Period(record.year, record.quarter),
            record.title,
            record.event_date,
            RoundStatus(record.status),
            len(units),
            len(judges),
            record.finalized_at,
        )
        rules = RoundRules(
            red=record.red_count,
            black=record.black_count,
            trim_drop=record.trim_drop,
            trim_minimum=record.trim_minimum,
            tie_policy=TiePolicy(record.tie_policy) if record.tie_policy else None,
            tiebreak=tuple(json.loads(record.tiebreak)),
            veto_last=record.veto_last,
            veto_black=record.veto_black,
        )
        all_criteria = [k for c in components for k in criteria_by_component[c.id]]
        return _Loaded(
            record,
            RoundDetail(summary, scheme, rules, judges, units),
            {k.name: k.id for k in all_criteria},
            {k.id: k.name for k in all_criteria},
            {k.name: k.max_points for k in all_criteria},
        )

    def list_rounds(self) -> list[RoundSummary]:
        with self._db.session() as session:
            units = dict(
                session.execute(select(RoundUnitRecord.round_id, func.count()).group_by(RoundUnitRecord.round_id)).all()
            )
            judges = dict(
                session.execute(
                    select(RoundJudgeRecord.round_id, func.count()).group_by(RoundJudgeRecord.round_id)
                ).all()
            )
            records = session.scalars(
                select(RoundRecord).order_by(RoundRecord.year.desc(), RoundRecord.quarter.desc(), RoundRecord.id.desc())
            )
            return [
                RoundSummary(
                    r.id,
                    Period(r.year, r.quarter),
                    r.title,
                    r.event_date,
                    RoundStatus(r.status),
                    units.get(r.id, 0),
                    judges.get(r.id, 0),
                    r.finalized_at,
                )
                for r in records
            ]

    def get_round(self, round_id: int) -> RoundDetail:
        with self._db.session() as session:
            return self._load(session, round_id).detail

    def find_round(self, reference: str) -> int:
        """A round by its number, or by its quarter (2022Q4) when that quarter has one round."""
        text = clean(reference)
        if text.isdigit():
            if not any(r.id == int(text) for r in self.list_rounds()):
                raise NotFoundError(f"找不到编号为 {text} 的评比活动")
            return int(text)
        period = Period.parse(text)
        matches = [r.id for r in self.list_rounds() if r.period == period]
        if not matches:
            raise NotFoundError(f"{period.label}没有评比活动")
        if len(matches) > 1:
            raise ValidationError(f"{period.label}有 {len(matches)} 个评比活动，请用编号指定：{matches}")
        return matches[0]

    def scores(self, round_id: int, judge_id: int | None = None) -> list[ScoreCell]:
        with self._db.session() as session:
            loaded = self._load(session, round_id)
            query = select(
                ScoreRecord.judge_id, ScoreRecord.round_unit_id, ScoreRecord.criterion_id, ScoreRecord.points
            ).where(ScoreRecord.round_id == round_id)
            if judge_id is not None:
                query = query.where(ScoreRecord.judge_id == judge_id)
            return [ScoreCell(j, u, loaded.criterion_names[c], p) for j, u, c, p in session.execute(query)]

    def adjustments(self, round_id: int) -> list[RoundAdjustment]:
        with self._db.session() as session:
            return [
                RoundAdjustment(a.id, a.round_unit_id, AdjustmentType(a.kind), a.amount, a.reason)
                for a in session.scalars(
                    select(AdjustmentRecord).where(AdjustmentRecord.round_id == round_id).order_by(AdjustmentRecord.id)
                )
            ]

    # ----- creating and setting up a round -----------------------------------------------------

    def left_out(self, round_id: int) -> str:
        """Units active today that a round left out because they were not yet in the register on
        its date (the round snapshots who was); "" when none were left out that way."""
        detail = self.get_round(round_id)
        day = detail.summary.event_date or min(date.today(), detail.summary.period.last_day)
        taking_part = {u.unit_id for u in detail.units}
        later = [
            u
            for u in self._villages.list_units()
            if u.is_active and u.id not in taking_part and u.registered_from > day
        ]
        return left_out_message(day, later) if later else ""

    def create_round(self, draft: RoundDraft) -> Changed[RoundDetail]:
        scheme = draft.scheme or self.scheme_template()
        _check_scheme(scheme)
        judges = _check_judges(draft.judges)
        if draft.red < 0 or draft.black < 0:
            raise ValidationError("红旗、黑旗的面数不能为负数")
        day = draft.event_date or min(date.today(), draft.period.last_day)
        units = [u for u in self._villages.list_units(on=day) if u.is_active]
        if draft.unit_ids is not None:
            wanted = set(draft.unit_ids)
            units = [u for u in units if u.id in wanted]
            if len(units) != len(wanted):
                found = {u.id for u in units}
                raise ValidationError(
                    not_in_register_message(day, [u for u in self._villages.list_units() if u.id in wanted - found])
                )
        if not units:
            later = [u for u in self._villages.list_units() if u.is_active]
            raise ValidationError(nobody_registered_message(day, later))
        if draft.red + draft.black > len(units):
            raise ValidationError(f"红旗 {draft.red} 面加黑旗 {draft.black} 面超过了参评单位数 {len(units)}")
        title = clean_text(draft.title) or "村党组织书记“亮赛比”逐村观摩评比"
        with self._db.session() as session, session.begin():
            record = RoundRecord(
                year=draft.period.year,
                quarter=draft.period.quarter,
                title=title,
                event_date=draft.event_date,
                status=RoundStatus.DRAFT.value,
                red_count=draft.red,
                black_count=draft.black,
                # 每次由我决定: a tie across a flag line is put to the clerk, never settled for her.
                trim_drop=1,
                trim_minimum=5,
                tie_policy=None,
                tiebreak="[]",
                veto_last=True,
                veto_black=True,
                created_at=_now(),
            )
            session.add(record)
            session.flush()
            for position, component in enumerate(scheme.components, start=1):
                component_record = RoundComponentRecord(
                    round_id=record.id,
                    position=position,
                    name=component.name,
                    weight=component.weight,
                    source=component.source.value,
                )
                session.add(component_record)
                session.flush()
                for index, criterion in enumerate(component.criteria, start=1):
                    session.add(
                        RoundCriterionRecord(
                            component_id=component_record.id,
                            position=index,
                            name=criterion.name,
                            max_points=criterion.max_points,
                        )
                    )
            for position, name in enumerate(judges, start=1):
                session.add(RoundJudgeRecord(round_id=record.id, position=position, name=name, group_name=""))
            for position, unit in enumerate(units, start=1):
                session.add(
                    RoundUnitRecord(
                        round_id=record.id,
                        unit_id=unit.id,
                        position=position,
                        name=unit.name,
                        district=unit.district_name,
                        secretary=unit.secretary,
                        kind=unit.kind.value,
                        org_type=unit.org_type.value,
                        visited=True,
                        note="",
                    )
                )
            audit.record(
                session,
                "建立评比活动",
                f"round:{record.id}",
                None,
                {"period": draft.period.short_label, "title": title, "units": len(units), "judges": list(judges)},
            )
            round_id = record.id
        return Changed(self.get_round(round_id), Changes.ROUND_SETUP)

    def _editable(self, loaded: _Loaded, reason: str = "") -> None:
        if loaded.detail.status is RoundStatus.FINAL and not clean_text(reason):
            raise ValidationError("该评比活动已定稿，修改必须写明更正原因")

    def update_round(
        self,
        round_id: int,
        *,
        title: str | None = None,
        event_date: date | None = None,
        rules: RoundRules | None = None,
    ) -> Changed[RoundDetail]:
        with self._db.session() as session, session.begin():
            loaded = self._load(session, round_id)
            if loaded.detail.status is RoundStatus.FINAL:
                raise ValidationError("该评比活动已定稿，不能再修改设置")
            record = loaded.record
            old = {"title": record.title, "rules": loaded.detail.rules.describe()}
            if title is not None:
                record.title = clean_text(title) or record.title
            if event_date is not None:
                record.event_date = event_date
            if rules is not None:
                _check_rules(rules, loaded.detail)
                record.red_count, record.black_count = rules.red, rules.black
                record.trim_drop, record.trim_minimum = rules.trim_drop, rules.trim_minimum
                record.tie_policy = rules.tie_policy.value if rules.tie_policy else None
                record.tiebreak = json.dumps(list(rules.tiebreak), ensure_ascii=False)
                record.veto_last, record.veto_black = rules.veto_last, rules.veto_black
            audit.record(
                session,
                "修改评比设置",
                f"round:{round_id}",
                old,
                {"title": record.title, "rules": rules.describe() if rules else old["rules"]},
            )
            changes = Changes.ROUND_SETUP
            if rules is not None:
                session.flush()
                changes |= self._drop_stale_decisions(session, self._load(session, round_id))
        return Changed(self.get_round(round_id), changes)

    def add_judge(self, round_id: int, name: str, group: str = "") -> Changed[RoundDetail]:
        person = validate_person_name(name, "评委姓名")
        with self._db.session() as session, session.begin():
            loaded = self._load(session, round_id)
            if loaded.detail.status is RoundStatus.FINAL:
                raise ValidationError("该评比活动已定稿，不能再增加评委")
            if person in {j.name for j in loaded.detail.judges}:
                raise ValidationError(f"评委“{person}”已在名单中")
            position = max((j.position for j in loaded.detail.judges), default=0) + 1
            session.add(
                RoundJudgeRecord(round_id=round_id, position=position, name=person, group_name=clean_text(group))
            )
            audit.record(session, "增加评委", f"round:{round_id}", None, person)
        return Changed(self.get_round(round_id), Changes.ROUND_SETUP)

    def remove_judge(self, round_id: int, judge_id: int) -> Changed[RoundDetail]:
        with self._db.session() as session, session.begin():
            loaded = self._load(session, round_id)
            if loaded.detail.status is RoundStatus.FINAL:
                raise ValidationError("该评比活动已定稿，不能再移除评委")
            judge = next((j for j in loaded.detail.judges if j.id == judge_id), None)
            if judge is None:
                raise NotFoundError("找不到该评委，请刷新后重试")
            scored = session.scalar(
                select(func.count()).select_from(ScoreRecord).where(ScoreRecord.judge_id == judge_id)
            )
            if scored:
                raise ValidationError(f"评委“{judge.name}”已有 {scored} 个评分，不能移除")
            session.delete(session.get(RoundJudgeRecord, judge_id))  # through the ORM: the audit sees it
            audit.record(session, "移除评委", f"round:{round_id}", judge.name, None)
        return Changed(self.get_round(round_id), Changes.ROUND_SETUP)

    def set_visited(self, round_id: int, round_unit_id: int, visited: bool, note: str = "") -> Changed[RoundDetail]:
        """本季度未观摩: the unit stays listed but is left out of the ranking."""
        with self._db.session() as session, session.begin():
            loaded = self._load(session, round_id)
            if loaded.detail.status is RoundStatus.FINAL:
                raise ValidationError("该评比活动已定稿，不能再修改参评单位")
            unit = session.get(RoundUnitRecord, round_unit_id)
            if unit is None or unit.round_id != round_id:
                raise NotFoundError("找不到该参评单位，请刷新后重试")
            old = unit.visited
            unit.visited = visited
            unit.note = clean_text(note)
            audit.record(session, "设置观摩", f"round:{round_id}/unit:{unit.name}", old, visited, unit.note)
            session.flush()
            changes = Changes.ROUND_SETUP | self._drop_stale_decisions(session, self._load(session, round_id))
        return Changed(self.get_round(round_id), changes)

    # ----- scores ----------------------------------------------------------------------------

    def set_score(
        self,
        round_id: int,
        judge_id: int,
        round_unit_id: int,
        criterion: str,
        points: Decimal | str | None,
        reason: str = "",
    ) -> Changed[Decimal | None]:
        """Save one cell at once: a value, or None to clear it (not scored, ≠ 0)."""
        saved = self.set_scores(round_id, [(judge_id, round_unit_id, criterion, points)], reason)
        return Changed(saved.value[0], saved.changes)

    def set_scores(
        self,
        round_id: int,
        cells: Sequence[tuple[int, int, str, Decimal | str | None]],
        reason: str = "",
        action: str = "评分",
        tie_decision: tuple[TieMethod, Sequence[str]] | None = None,
    ) -> Changed[list[Decimal | None]]:
        """Save several cells (a pasted block) in one transaction: all or none. `action` names
        the change in the audit log: 评分, or 撤销评分 / 重做评分 for the grid's undo and redo.

        A correction of a finalised round that leaves a tie across a flag line is refused with
        TieUndecidedError unless `tie_decision` (how, and for 党委研究决定 which units) says how
        the clerk decides it; the decision is then recorded with the correction's reason.

        Changes: SCORES when a cell changed (NONE when every value was already stored), with
        ROUND_SETUP when the first score moves a draft round to 评分中 and RESULTS when a
        finalised round's results are stored anew or a tie decision falls."""
        if action not in SCORE_ACTIONS:
            raise ValueError(f"unknown score action {action!r}")
        with self._db.session() as session, session.begin():
            loaded = self._load(session, round_id)
            self._editable(loaded, reason)
            judges = {j.id: j.name for j in loaded.detail.judges}
            units = {u.id: u.name for u in loaded.detail.units}
            not_visited = {u.id for u in loaded.detail.units if not u.visited}
            computed = {k.name: c.name for c in loaded.detail.scheme.computed for k in c.criteria}
            existing = {
                (s.judge_id, s.round_unit_id, s.criterion_id): s
                for s in session.scalars(select(ScoreRecord).where(ScoreRecord.round_id == round_id))
            }
            saved: list[Decimal | None] = []
            changes = []
            for judge_id, unit_id, criterion, raw in cells:
                if judge_id not in judges:
                    raise NotFoundError("找不到该评委，请刷新后重试")
                if unit_id not in units:
                    raise NotFoundError("找不到该参评单位，请刷新后重试")
                if unit_id in not_visited:
                    raise ValidationError(f"“{units[unit_id]}”本季度未观摩，不能打分")
                name = canonical_name(criterion)
                if name not in loaded.criterion_ids:
                    raise ValidationError(f"本次评比没有指标“{criterion}”")
                if name in computed:
                    raise ValidationError(f"“{computed[name]}”按承诺事项完成率自动计算，不能打分")
                value = (
                    None
                    if raw is None or (isinstance(raw, str) and not clean(raw))
                    else check_points(raw, name, loaded.criterion_max[name])
                )
                key = (judge_id, unit_id, loaded.criterion_ids[name])
                record = existing.get(key)
                old = record.points if record is not None else None
                if old == value:
                    saved.append(value)
                    continue
                if value is None:
                    if record in session.new:
                        session.expunge(record)  # set and cleared within this one block
                    else:
                        session.delete(record)
                    existing.pop(key)
                elif record is None:
                    record = ScoreRecord(
                        round_id=round_id, judge_id=judge_id, round_unit_id=unit_id, criterion_id=key[2], points=value
                    )
                    session.add(record)
                    existing[key] = record
                else:
                    record.points = value
                changes.append((judges[judge_id], units[unit_id], name, old, value))
                saved.append(value)
            audit.record_many(
                session,
                [
                    (
                        action,
                        f"round:{round_id}/judge:{judge}/unit:{unit}/criterion:{name}",
                        None if old is None else str(old),
                        None if value is None else str(value),
                        clean_text(reason),
                    )
                    for judge, unit, name, old, value in changes
                ],
            )
            caused = self._after_change(session, loaded, reason, tie_decision) if changes else Changes.NONE
        return Changed(saved, caused)

    def _after_change(
        self,
        session: Session,
        loaded: _Loaded,
        reason: str,
        tie_decision: tuple[TieMethod, Sequence[str]] | None = None,
    ) -> Changes:
        """After a score or an adjustment changed: what else that changed with it."""
        changes = Changes.SCORES | self._drop_stale_decisions(session, loaded)
        record = loaded.record
        if record.status == RoundStatus.DRAFT.value:
            record.status = RoundStatus.SCORING.value
            changes |= Changes.ROUND_SETUP
        elif record.status == RoundStatus.FINAL.value:
            session.flush()
            if tie_decision is not None:
                method, chosen = tie_decision
                self._decide_every_tie(session, loaded, method, chosen, clean_text(reason))
            self._store_results(session, loaded, clean_text(reason))
            changes |= Changes.RESULTS
        return changes

    # ----- adjustments -----------------------------------------------------------------------

    def add_adjustment(
        self,
        round_id: int,
        round_unit_id: int,
        kind: AdjustmentType,
        amount: Decimal | str | None,
        reason: str,
        correction: str = "",
    ) -> Changed[RoundAdjustment]:
        text = clean_text(reason)
        if not text:
            raise ValidationError(f"{kind.label}必须写明理由")
        value = None
        if kind is not AdjustmentType.VETO:
            value = parse_points(amount, kind.label) if amount is not None else None
            if value is None or value <= 0:
                raise ValidationError(f"{kind.label}的分值必须大于 0")
        with self._db.session() as session, session.begin():
            loaded = self._load(session, round_id)
            self._editable(loaded, correction)
            unit = next((u for u in loaded.detail.units if u.id == round_unit_id), None)
            if unit is None:
                raise NotFoundError("找不到该参评单位，请刷新后重试")
            if kind is AdjustmentType.VETO and session.scalar(
                select(func.count())
                .select_from(AdjustmentRecord)
                .where(AdjustmentRecord.round_unit_id == round_unit_id, AdjustmentRecord.kind == "veto")
            ):
                raise ValidationError(f"“{unit.name}”已经被一票否决")
            record = AdjustmentRecord(
                round_id=round_id,
                round_unit_id=round_unit_id,
                kind=kind.value,
                amount=value,
                reason=text,
                created_at=_now(),
            )
            session.add(record)
            session.flush()
            audit.record(
                session,
                kind.label,
                f"round:{round_id}/unit:{unit.name}",
                None,
                {"amount": None if value is None else str(value), "reason": text},
                clean_text(correction),
            )
            changes = self._after_change(session, loaded, correction)
            return Changed(RoundAdjustment(record.id, round_unit_id, kind, value, text), changes)

    def remove_adjustment(self, round_id: int, adjustment_id: int, correction: str = "") -> Changed[None]:
        with self._db.session() as session, session.begin():
            loaded = self._load(session, round_id)
            self._editable(loaded, correction)
            record = session.get(AdjustmentRecord, adjustment_id)
            if record is None or record.round_id != round_id:
                raise NotFoundError("找不到该加扣分记录，请刷新后重试")
            unit = loaded.detail.unit(record.round_unit_id)
            audit.record(
                session,
                f"撤销{AdjustmentType(record.kind).label}",
                f"round:{round_id}/unit:{unit.name}",
                {"amount": None if record.amount is None else str(record.amount), "reason": record.reason},
                None,
                clean_text(correction),
            )
            session.delete(record)
            changes = self._after_change(session, loaded, correction)
        return Changed(None, changes)

    # ----- results ---------------------------------------------------------------------------

    def _compute(
        self,
        session: Session,
        loaded: _Loaded,
        tie_policy: TiePolicy | None | Literal["round"] = "round",
        decisions: Sequence[TieDecision] | None = None,
    ) -> RoundResults:
        detail = loaded.detail
        rules = detail.rules
        policy = rules.tie_policy if isinstance(tie_policy, str) else tie_policy
        totals_of = self._judge_totals(session, loaded)
        adjustments: dict[int, list[AdjustmentRecord]] = defaultdict(list)
        for record in session.scalars(select(AdjustmentRecord).where(AdjustmentRecord.round_id == detail.id)):
            adjustments[record.round_unit_id].append(record)
        entries, partial, missing = [], {}, []
        visited = [u for u in detail.units if u.visited]
        rates = (
            completion_by_unit(session, [u.unit_id for u in visited], detail.summary.period)
            if detail.scheme.computed
            else {}
        )
        for unit in visited:
            components: dict[str, Fraction] = {}
            judges_count: dict[str, int] = {}
            basis: dict[str, str] = {}
            notes: list[str] = []
            for component in detail.scheme.components:
                if not component.judged:
                    done = rates[unit.unit_id]
                    judges_count[component.name] = 0
                    basis[component.name] = done.explain()
                    if done.rate is None:
                        components[component.name] = Fraction(0)
                        notes.append(f"{component.name}{NOTE_NO_COMMITMENTS}")
                    else:
                        components[component.name] = commitment_score(component, done.rate)
                    continue
                totals = []
                for judge in detail.judges:
                    total = totals_of.get((judge.id, unit.id, component.name))
                    totals.append(total)
                    if total is None:
                        missing.append(
                            MissingScores(
                                judge.name, unit.name, component.name, tuple(k.name for k in component.criteria), True
                            )
                        )
                    elif not total.complete:
                        missing.append(MissingScores(judge.name, unit.name, component.name, total.missing, False))
                score = component_score(totals, rules.trim_drop, rules.trim_minimum)
                if score is None:
                    components[component.name] = Fraction(0)
                    judges_count[component.name] = 0
                    notes.append(f"{component.name}{NOTE_NOT_SCORED}")
                    continue
                components[component.name] = score.value
                judges_count[component.name] = score.judges
                for note in score.notes:
                    if note not in notes:
                        notes.append(note)
            # A bonus or a deduction has an amount, a veto none (a check constraint keeps it so).
            priced = [(a.kind, a.amount, a.reason) for a in adjustments[unit.id] if a.amount is not None]
            bonus = sum((amount for kind, amount, _ in priced if kind == "bonus"), Decimal(0))
            deduction = sum((amount for kind, amount, _ in priced if kind == "deduction"), Decimal(0))
            veto = [a.reason for a in adjustments[unit.id] if a.kind == "veto"]
            applied = [
                Adjustment(AdjustmentKind.BONUS if kind == "bonus" else AdjustmentKind.DEDUCTION, amount, reason)
                for kind, amount, reason in priced
            ]
            if veto:
                notes.append(f"{NOTE_VETO}：{veto[0]}")
            value = composite(detail.scheme, components, applied)
            entries.append(RankEntry(unit.name, value, components, bool(veto)))
            partial[unit.name] = (
                unit,
                components,
                judges_count,
                tuple(notes),
                bonus,
                deduction,
                veto[0] if veto else "",
                basis,
            )
        ranked = rank(entries, rules.tiebreak, rules.veto_last)
        flags = (
            assign_flags(
                ranked,
                min(rules.red, len(ranked)),
                min(rules.black, max(0, len(ranked) - rules.red)),
                policy=policy,
                tiebreak=rules.tiebreak,
                veto_black=rules.veto_black,
                decisions=self._decisions(session, detail.id) if decisions is None else decisions,
            )
            if ranked
            else None
        )
        tie_notes: dict[str, list[str]] = defaultdict(list)
        for decision, given in flags.decided if flags else ():
            for name in decision.units:
                tie_notes[name].append(f"{NOTE_TIE}：{decision.describe(given)}")
        results = []
        for item in ranked:
            unit, components, judges_count, unit_notes, bonus, deduction, veto_reason, basis = partial[item.unit]
            results.append(
                UnitResult(
                    unit,
                    item.rank,
                    item.entry.composite,
                    components,
                    judges_count,
                    flags.flag_of(item.unit) if flags else None,
                    unit_notes + tuple(tie_notes[item.unit]),
                    bonus,
                    deduction,
                    veto_reason,
                    basis,
                )
            )
        return RoundResults(
            detail.id,
            tuple(results),
            tuple(u for u in detail.units if not u.visited),
            flags.ties if flags else (),
            tuple(missing),
            False,
            decided=flags.decided if flags else (),
        )

    # ----- ties across a flag line -----------------------------------------------------------

    @staticmethod
    def _decisions(session: Session, round_id: int) -> list[TieDecision]:
        return [
            TieDecision(
                Flag(r.flag),
                tuple(json.loads(r.units)),
                r.places,
                TieMethod(r.method),
                tuple(json.loads(r.chosen)),
                r.reason,
            )
            for r in session.scalars(
                select(RoundTieDecisionRecord)
                .where(RoundTieDecisionRecord.round_id == round_id)
                .order_by(RoundTieDecisionRecord.id)
            )
        ]

    def decide_tie(
        self, round_id: int, tie: BoundaryTie, method: TieMethod, chosen: Sequence[str] = (), reason: str = ""
    ) -> Changed[RoundResults]:
        """The clerk's decision on one boundary tie of a draft round, kept and audited: all the
        tied units get the flag, the tie-break chain decides, or 党委研究决定 (she picks exactly
        as many units as there are flags and writes the reason)."""
        with self._db.session() as session, session.begin():
            loaded = self._load(session, round_id)
            if loaded.detail.status is RoundStatus.FINAL:
                raise ValidationError("该评比活动已定稿，旗位并列已在定稿时决定")
            current = self._compute(session, loaded)
            self._record_decision(session, loaded, current, tie, method, chosen, reason)
        return Changed(self.results(round_id), Changes.RESULTS)

    def _record_decision(
        self,
        session: Session,
        loaded: _Loaded,
        current: RoundResults,
        tie: BoundaryTie,
        method: TieMethod,
        chosen: Sequence[str],
        reason: str,
    ) -> None:
        found = next((t for t in current.ties if t.key == tie.key), None)
        if found is None:
            raise ValidationError("这个旗位并列已经不存在（评分可能已经改变），请看最新的结果")
        tied = "、".join(found.units)
        text = clean_text(reason)
        picked: tuple[str, ...] = ()
        if method is TieMethod.EXTEND:
            if found.straddles:
                raise ValidationError(
                    f"{tied}并列同时跨越红旗和黑旗的名次，不能都给旗；请选择“按并列规则决定”或“党委研究决定”"
                )
        elif method is TieMethod.TIEBREAK:
            if not found.separable:
                chain = "、".join(loaded.detail.rules.tiebreak)
                why = f"按并列规则（依次比较{chain}）分不开" if chain else "还没有设置并列规则"
                raise ValidationError(f"{tied}{why}；请选择“并列的都给旗”或“党委研究决定”")
        else:
            wanted = {canonical_name(name) for name in chosen}
            picked = tuple(name for name in found.units if canonical_name(name) in wanted)
            if len(picked) != len(wanted) or len(picked) != found.places:
                raise ValidationError(f"党委研究决定需要从{tied}中选出 {found.places} 个给{found.flag.label}")
            if not text:
                raise ValidationError("党委研究决定必须写明理由（如党委会议研究的日期和结论）")
        self._delete_decision(session, loaded.detail.id, found.key)
        session.add(
            RoundTieDecisionRecord(
                round_id=loaded.detail.id,
                flag=found.flag.value,
                units=_units_json(found.key),
                places=found.places,
                method=method.value,
                chosen=json.dumps(list(picked), ensure_ascii=False),
                reason=text,
                decided_at=_now(),
            )
        )
        session.flush()
        # The decision must settle this very tie; one that cannot (a unit given both flags) is refused.
        if any(t.key == found.key for t in self._compute(session, loaded).ties):
            raise ValidationError(f"这样决定不能解决{tied}的并列：同一单位不能既得红旗又得黑旗，请重新选择")
        audit.record(
            session,
            "决定旗位并列",
            f"round:{loaded.detail.id}",
            found.describe(),
            {
                "办法": method.label,
                "并列": list(found.units),
                "旗": found.flag.label,
                **({"给旗": list(picked)} if picked else {}),
            },
            text,
        )
        session.flush()

    @staticmethod
    def _delete_decision(session: Session, round_id: int, key: tuple[str, tuple[str, ...], int]) -> int:
        """Delete the stored decision on the tie `key` (flag, sorted units, places); how many went."""
        flag, _, places = key
        found = list(
            session.scalars(
                select(RoundTieDecisionRecord).where(
                    RoundTieDecisionRecord.round_id == round_id,
                    RoundTieDecisionRecord.flag == flag,
                    RoundTieDecisionRecord.units == _units_json(key),
                    RoundTieDecisionRecord.places == places,
                )
            )
        )
        for record in found:
            session.delete(record)  # through the ORM, so the audit log's facts see it
        return len(found)

    def _decide_every_tie(
        self, session: Session, loaded: _Loaded, method: TieMethod, chosen: Sequence[str], reason: str
    ) -> None:
        """Decide each tie still open the same way (finalising with a policy, a correction with a decision)."""
        for tie in self._compute(session, loaded).ties:
            self._record_decision(session, loaded, self._compute(session, loaded), tie, method, chosen, reason)

    def _drop_stale_decisions(self, session: Session, loaded: _Loaded) -> Changes:
        """After the scores, adjustments, participants or flag counts change: a decision whose
        tie is gone is deleted (audited), so it never comes back on its own if the same tie
        reappears later; that tie is then hers to decide again. RESULTS when one went."""
        decisions = self._decisions(session, loaded.detail.id)
        if not decisions:
            return Changes.NONE
        session.flush()
        ties = {t.key for t in self._compute(session, loaded, None, decisions=()).ties}
        changes = Changes.NONE
        for decision in decisions:
            if decision.key in ties:
                continue
            changes = Changes.RESULTS
            self._delete_decision(session, loaded.detail.id, decision.key)
            audit.record(
                session,
                "旗位并列决定失效",
                f"round:{loaded.detail.id}",
                decision.describe(),
                None,
                "评分或设置改变后，这处并列已不存在",
            )
        return changes

    def undo_tie_decision(self, round_id: int, decision: TieDecision) -> Changed[RoundResults]:
        """Take back a decision on a draft round: the tie is hers to decide again (audited)."""
        with self._db.session() as session, session.begin():
            loaded = self._load(session, round_id)
            if loaded.detail.status is RoundStatus.FINAL:
                raise ValidationError("该评比活动已定稿，不能撤回旗位并列的决定")
            if not self._delete_decision(session, round_id, decision.key):
                raise NotFoundError("找不到这个决定，请刷新后重试")
            audit.record(session, "撤回旗位并列决定", f"round:{round_id}", decision.describe(), None)
        return Changed(self.results(round_id), Changes.RESULTS)

    def _judge_totals(self, session: Session, loaded: _Loaded) -> dict[tuple[int, int, str], JudgeTotal]:
        """Each judge's total per unit and component, summed by SQLite over the stored
        hundredths; a total short of some criteria names them (it blocks finalising)."""
        component_of = {}
        criteria_count = {}
        for record in session.scalars(
            select(RoundComponentRecord).where(RoundComponentRecord.round_id == loaded.detail.id)
        ):
            component_of[record.id] = record.name
        for component in loaded.detail.scheme.judged.components:
            criteria_count[component.name] = len(component.criteria)
        rows = session.execute(
            select(
                ScoreRecord.judge_id,
                ScoreRecord.round_unit_id,
                RoundCriterionRecord.component_id,
                func.sum(type_coerce(ScoreRecord.points, Integer)),
                func.count(),
            )
            .join(RoundCriterionRecord, RoundCriterionRecord.id == ScoreRecord.criterion_id)
            .where(ScoreRecord.round_id == loaded.detail.id)
            .group_by(ScoreRecord.judge_id, ScoreRecord.round_unit_id, RoundCriterionRecord.component_id)
        )
        totals: dict[tuple[int, int, str], JudgeTotal] = {}
        short: set[tuple[int, int]] = set()
        for judge_id, unit_id, component_id, hundredths, count in rows:
            name = component_of[component_id]
            totals[(judge_id, unit_id, name)] = JudgeTotal(from_hundredths(hundredths))
            if count < criteria_count[name]:
                short.add((judge_id, unit_id))
        if short:
            scored: dict[tuple[int, int], set[str]] = defaultdict(set)
            for judge_id, unit_id, criterion_id in session.execute(
                select(ScoreRecord.judge_id, ScoreRecord.round_unit_id, ScoreRecord.criterion_id).where(
                    ScoreRecord.round_id == loaded.detail.id
                )
            ):
                if (judge_id, unit_id) in short:
                    scored[(judge_id, unit_id)].add(loaded.criterion_names[criterion_id])
            for (judge_id, unit_id), present in scored.items():
                for component in loaded.detail.scheme.judged.components:
                    key = (judge_id, unit_id, component.name)
                    missing = tuple(k.name for k in component.criteria if k.name not in present)
                    if key in totals and missing:
                        totals[key] = JudgeTotal(totals[key].total, missing)
        return totals

    def results(self, round_id: int, tie_policy: TiePolicy | None | Literal["round"] = "round") -> RoundResults:
        """Live results for a draft; for a finalised round the stored snapshot (latest version).
        `tie_policy` overrides the round's own setting for this computation ("round": keep it)."""
        with self._db.session() as session:
            loaded = self._load(session, round_id)
            if loaded.detail.status is RoundStatus.FINAL:
                return self._stored(session, loaded)
            return self._compute(session, loaded, tie_policy)

    def _stored(self, session: Session, loaded: _Loaded, version: int | None = None) -> RoundResults:
        detail = loaded.detail
        latest = version or session.scalar(
            select(func.max(RoundResultRecord.version)).where(RoundResultRecord.round_id == detail.id)
        )
        records = list(
            session.scalars(
                select(RoundResultRecord).where(
                    RoundResultRecord.round_id == detail.id, RoundResultRecord.version == latest
                )
            )
        )
        records.sort(key=lambda r: (r.rank is None, r.rank or 0, detail.unit(r.round_unit_id).position))
        results = []
        for r in records:
            unit = detail.unit(r.round_unit_id)
            stored = json.loads(r.components)
            notes = tuple(json.loads(r.notes))
            veto = next((n.split("：", 1)[1] for n in notes if n.startswith(NOTE_VETO + "：")), "")
            results.append(
                UnitResult(
                    unit,
                    r.rank,
                    _fraction(r.composite),
                    {name: _fraction(item["score"]) for name, item in stored["components"].items()},
                    {name: item["judges"] for name, item in stored["components"].items()},
                    Flag(r.flag) if r.flag else None,
                    notes,
                    Decimal(stored["bonus"]),
                    Decimal(stored["deduction"]),
                    veto,
                    {name: item["basis"] for name, item in stored["components"].items() if "basis" in item},
                )
            )
        reason = records[0].reason if records else ""
        return RoundResults(
            detail.id,
            tuple(results),
            tuple(u for u in detail.units if not u.visited),
            (),
            (),
            True,
            latest or 0,
            reason,
        )

    def result_versions(self, round_id: int) -> list[RoundResults]:
        """Every stored version of a finalised round: the original first, then each correction."""
        with self._db.session() as session:
            loaded = self._load(session, round_id)
            versions = sorted(
                set(session.scalars(select(RoundResultRecord.version).where(RoundResultRecord.round_id == round_id)))
            )
            return [self._stored(session, loaded, v) for v in versions]

    def completeness(self, round_id: int) -> list[MissingScores]:
        with self._db.session() as session:
            loaded = self._load(session, round_id)
            return list(self._compute(session, loaded).incomplete)

    def _store_results(self, session: Session, loaded: _Loaded, reason: str) -> int:
        results = self._compute(session, loaded)
        version = (
            session.scalar(
                select(func.max(RoundResultRecord.version)).where(RoundResultRecord.round_id == loaded.detail.id)
            )
            or 0
        ) + 1
        self._check_final(results, correcting=version > 1)
        previous = self._stored(session, loaded) if version > 1 else None
        now = _now()
        for result in results.results:
            components = {
                "components": {
                    name: {
                        "score": _fraction_text(value),
                        "judges": result.judges.get(name, 0),
                        **({"basis": result.basis[name]} if name in result.basis else {}),
                    }
                    for name, value in result.components.items()
                },
                "bonus": str(result.bonus),
                "deduction": str(result.deduction),
            }
            session.add(
                RoundResultRecord(
                    round_id=loaded.detail.id,
                    round_unit_id=result.unit.id,
                    version=version,
                    rank=result.rank,
                    composite=_fraction_text(result.composite),
                    total=result.total,
                    components=json.dumps(components, ensure_ascii=False),
                    flag=result.flag.value if result.flag else None,
                    notes=json.dumps(list(result.notes), ensure_ascii=False),
                    reason=reason,
                    created_at=now,
                )
            )
        old = None
        if previous is not None:
            old = {
                r.unit.name: {"rank": r.rank, "total": r.total, "flag": r.flag.value if r.flag else None}
                for r in previous.results
            }
        new = {
            r.unit.name: {"rank": r.rank, "total": r.total, "flag": r.flag.value if r.flag else None}
            for r in results.results
        }
        audit.record(
            session,
            "定稿结果" if version == 1 else "更正结果",
            f"round:{loaded.detail.id}/v{version}",
            old,
            new,
            reason,
        )
        return version

    @staticmethod
    def _check_final(results: RoundResults, correcting: bool = False) -> None:
        partial = [m for m in results.incomplete if not m.absent]
        problems = [f"评委{m.judge}对{m.unit}的“{m.component}”缺少：{'、'.join(m.criteria)}" for m in partial]
        for result in results.results:
            for note in result.notes:
                if note.endswith(NOTE_NOT_SCORED) or note.endswith(NOTE_NO_COMMITMENTS):
                    problems.append(f"{result.unit.name}：{note}")
        problems.extend(tie.describe() for tie in results.ties)
        if not results.results:
            problems.append("没有参加排名的村（社区）")
        if problems:
            if correcting and results.ties and len(problems) == len(results.ties):
                raise TieUndecidedError(
                    "这样更正后旗位上出现并列，需要先决定怎样给旗，更正才能保存", problems, results.ties
                )
            if correcting:
                raise ValidationError("这样更正后评分不完整或有未决定的并列，更正未保存", problems)
            raise ValidationError("评分还不完整或有未决定的并列，不能定稿", problems)

    def finalize(self, round_id: int, tie_policy: TiePolicy | None = None) -> Changed[RoundResults]:
        """Freeze the results. An undecided tie across a flag line refuses it, naming the units,
        unless `tie_policy` is given (the command line's --tie-policy): then each such tie is
        decided that way, recorded and audited like a decision in the window."""
        with self._db.session() as session, session.begin():
            loaded = self._load(session, round_id)
            if loaded.detail.status is RoundStatus.FINAL:
                raise ValidationError("该评比活动已经定稿")
            if tie_policy is not None:
                self._decide_every_tie(
                    session, loaded, TieMethod(tie_policy.value), (), f"定稿时按 --tie-policy {tie_policy.value} 决定"
                )
            self._store_results(session, loaded, "")
            loaded.record.status = RoundStatus.FINAL.value
            loaded.record.finalized_at = _now()
        return Changed(self.results(round_id), Changes.RESULTS | Changes.ROUND_SETUP)

    def seal(self, round_id: int) -> audit.SealEntry | None:
        """The latest seal of a finalised round (its 校验码 and version); None before 定稿."""
        with self._db.session() as session:
            return audit.latest_seal(session, round_id)

    # ----- paper --------------------------------------------------------------------------------

    def paper_data(
        self, round_id: int, township: str, committee: str, tie_policy: TiePolicy | None | Literal["round"] = "round"
    ) -> PaperData:
        """Everything the ranking sheet, certificates and notices are printed from."""
        with self._db.session() as session:
            loaded = self._load(session, round_id)
            detail = loaded.detail
            seal = None
            if detail.status is RoundStatus.FINAL:
                results = self._stored(session, loaded)
                seal = audit.latest_seal(session, round_id)
            else:
                results = self._compute(session, loaded, tie_policy)
            totals = self._judge_totals(session, loaded)
        rows = []
        for result in results.results:
            per_component = {
                component.name: {
                    judge.name: (
                        totals[(judge.id, result.unit.id, component.name)].total
                        if (judge.id, result.unit.id, component.name) in totals
                        else None
                    )
                    for judge in detail.judges
                }
                for component in detail.scheme.judged.components
            }
            rows.append(SheetRow(result, per_component))
        summary = detail.summary
        return PaperData(
            township,
            committee,
            summary.period,
            summary.title,
            summary.event_date,
            tuple(j.name for j in detail.judges),
            detail.scheme,
            detail.rules,
            tuple(rows),
            results.not_visited,
            results.finalised,
            results.version,
            results.correction_reason,
            check_code=seal.code if seal else "",
            sealed_at=seal.at if seal else "",
        )

    # ----- score files --------------------------------------------------------------------------

    def write_blank_sheets(self, round_id: int, path: Path, township: str = "") -> None:
        """Per-judge blank score sheets (.xlsx) for on-site scoring."""
        from lsb_desktop.io.scores import write_judge_sheets  # openpyxl: only when first used

        detail = self.get_round(round_id)
        if not detail.judges:
            raise ValidationError("这次评比还没有评委，请先增加评委再导出评分表")
        summary = detail.summary
        title = f"{township}{summary.period.label}{summary.title}评分表"
        units = tuple((u.name, u.district) for u in detail.units if u.visited)
        write_judge_sheets(
            Path(path),
            ScoreSheetSpec(
                title, tuple(j.name for j in detail.judges), units, detail.scheme.judged, summary.event_date
            ),
        )

    def preview_import(self, round_id: int, paths: Sequence[Path]) -> ScoreImportPreview:
        """Read every file and check every score against the round. Writes nothing."""
        from lsb_desktop.io.scores import read_score_file  # openpyxl: only when first used

        detail = self.get_round(round_id)
        visited = [u for u in detail.units if u.visited]
        context = ScoreContext(
            tuple(j.name for j in detail.judges), tuple(u.name for u in visited), detail.scheme.judged
        )
        files = tuple(Path(p) for p in paths)
        entries: list[ScoreEntry] = []
        problems: list[ScoreProblem] = []
        first_seen: dict[tuple[str, str, str], tuple[Path, ScoreEntry]] = {}
        notes: list[str] = []
        for path in files:
            read = read_score_file(path, context)
            label = f"（{path.name}）" if len(files) > 1 else ""
            problems.extend(ScoreProblem(p.sheet, p.row, p.column, label + p.message) for p in read.problems)
            notes.extend(label + note for note in read.notes)
            for entry in read.entries:
                key = (entry.judge, entry.unit, entry.criterion)
                if key in first_seen:
                    other_path, other = first_seen[key]
                    where = ScoreProblem(other.sheet, other.row, other.column, "").where()
                    if other_path != path:
                        where = f"{other_path.name} {where}"
                    problems.append(
                        ScoreProblem(
                            entry.sheet,
                            entry.row,
                            entry.column,
                            f"{label}评委{entry.judge}对{entry.unit}的“{entry.criterion}”重复打分（另见 {where}）",
                        )
                    )
                    continue
                first_seen[key] = (path, entry)
                entries.append(entry)
        judges = {j.name: j.id for j in detail.judges}
        units = {canonical_name(u.name): u.id for u in visited}
        current = {(c.judge_id, c.round_unit_id, c.criterion): c.points for c in self.scores(round_id)}
        new = changed = unchanged = 0
        for entry in entries:
            old = current.get((judges[entry.judge], units[canonical_name(entry.unit)], entry.criterion))
            if old is None:
                new += 1
            elif old == entry.points:
                unchanged += 1
            else:
                changed += 1
        warnings = score_warnings(entries, detail.scheme.judged)
        return ScoreImportPreview(
            round_id, files, tuple(entries), tuple(problems), warnings, new, changed, unchanged, tuple(notes)
        )

    def apply_import(self, preview: ScoreImportPreview, reason: str = "") -> Changed[int]:
        """Write every score of a clean preview in one transaction (all or none)."""
        if not preview.ok:
            raise ValidationError(
                "评分文件有问题，未导入任何评分", [f"{p.where()}：{p.message}" for p in preview.problems]
            )
        detail = self.get_round(preview.round_id)
        judges = {j.name: j.id for j in detail.judges}
        units = {canonical_name(u.name): u.id for u in detail.units}
        cells = [(judges[e.judge], units[canonical_name(e.unit)], e.criterion, e.points) for e in preview.entries]
        if self._backup is not None:
            self._backup("pre-import")
        saved = self.set_scores(preview.round_id, cells, reason)
        return Changed(len(cells), saved.changes)

    # ----- flag history ------------------------------------------------------------------------

    def flag_history(self, unit_ids: Iterable[int] | None = None) -> list[FlagHistory]:
        """Each unit's flags in finalised rounds, oldest first (the latest result version)."""
        with self._db.session() as session:
            rounds = {r.id: r for r in session.scalars(select(RoundRecord).where(RoundRecord.status == "final"))}
            latest = dict(
                session.execute(
                    select(RoundResultRecord.round_id, func.max(RoundResultRecord.version)).group_by(
                        RoundResultRecord.round_id
                    )
                ).all()
            )
            rows = session.execute(
                select(
                    RoundUnitRecord.unit_id,
                    RoundUnitRecord.name,
                    RoundResultRecord.round_id,
                    RoundResultRecord.version,
                    RoundResultRecord.flag,
                    RoundResultRecord.rank,
                ).join(RoundResultRecord, RoundResultRecord.round_unit_id == RoundUnitRecord.id)
            )
            by_unit: dict[int, list[FlagRecord]] = defaultdict(list)
            names: dict[int, str] = {}
            wanted = set(unit_ids) if unit_ids is not None else None
            for unit_id, name, round_id, version, flag, position in rows:
                if round_id not in rounds or version != latest.get(round_id):
                    continue
                if wanted is not None and unit_id not in wanted:
                    continue
                record = rounds[round_id]
                by_unit[unit_id].append(
                    FlagRecord(Period(record.year, record.quarter), round_id, Flag(flag) if flag else None, position)
                )
                names[unit_id] = name
        return [
            FlagHistory(unit_id, names[unit_id], tuple(sorted(records, key=lambda r: (r.period, r.round_id))))
            for unit_id, records in by_unit.items()
        ]


def _units_json(key: tuple[str, tuple[str, ...], int]) -> str:
    """The stored form of a tie's units: its key's sorted names as a JSON list."""
    return json.dumps(list(key[1]), ensure_ascii=False)


def check_points(raw: Decimal | str, criterion: str, maximum: Decimal) -> Decimal:
    """A typed or pasted score for one criterion: a number from 0 to its maximum, ≤ 2 decimals."""
    value = parse_points(raw, f"“{criterion}”的分数")
    if value < 0:
        raise ValidationError(f"“{criterion}”的分数不能为负数")
    if value > maximum:
        raise ValidationError(f"{plain_points(value)} 超过“{criterion}”的满分 {plain_points(maximum)}")
    return value


def _check_scheme(scheme: Scheme) -> None:
    """A scheme about to be saved or copied into a new round: names through the shared name
    check (a round's stored scheme is read as it is)."""
    if not scheme.components:
        raise ValidationError("评分方案至少要有一个项目")
    for component in scheme.components:
        validate_item_name(component.name, "项目名称")
        if not component.criteria:
            raise ValidationError(f"“{component.name}”至少要有一个指标")
        for criterion in component.criteria:
            validate_item_name(criterion.name, "指标名称")


def _check_judges(names: Iterable[str]) -> tuple[str, ...]:
    judges = []
    for name in names:
        if not clean(name):
            continue
        person = validate_person_name(name, "评委姓名")
        if person in judges:
            raise ValidationError(f"评委“{person}”重复")
        judges.append(person)
    return tuple(judges)


def _check_rules(rules: RoundRules, detail: RoundDetail) -> None:
    if rules.red < 0 or rules.black < 0:
        raise ValidationError("红旗、黑旗的面数不能为负数")
    if rules.red + rules.black > len(detail.units):
        raise ValidationError(f"红旗加黑旗超过了参评单位数 {len(detail.units)}")
    if rules.trim_drop < 0 or rules.trim_minimum < 2 * rules.trim_drop + 1:
        raise ValidationError("去掉最高分、最低分的个数与最少评委人数不相配")
    names = {c.name for c in detail.scheme.components}
    for name in rules.tiebreak:
        if name not in names:
            raise ValidationError(f"并列规则中的“{name}”不是本次评分方案的项目")


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)
