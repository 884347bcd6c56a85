"""SQLAlchemy 2 models (`*Record`) of the register: settings, 管区, units and their history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from db.types import ExactDecimal, Points

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class SettingRecord(Base):
    """Business settings (township name, issuer, …) as key/value text; defaults live in code."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


class DistrictRecord(Base):
    """A 管区."""

    __tablename__ = "districts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    leader: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    display_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    archived: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class UnitRecord(Base):
    """A village or community. What it is called and where it belongs lives in its versions."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    display_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class UnitVersionRecord(Base):
    """What a unit was from `valid_from` on; the latest by (valid_from, id) holds today.

    Rows are only ever added, so old sheets can show a unit as it was.
    """

    __tablename__ = "unit_versions"
    __table_args__ = (
        CheckConstraint("kind IN ('村', '社区')", name="kind"),
        CheckConstraint("org_type IN ('党支部', '党总支', '党委')", name="org_type"),
        CheckConstraint("status IN ('active', 'archived', 'merged')", name="status"),
        CheckConstraint("(status = 'merged') = (merged_into_id IS NOT NULL)", name="merged_target"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), nullable=False, index=True)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    org_type: Mapped[str] = mapped_column(String(8), nullable=False)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class SecretaryTermRecord(Base):
    """Who was the unit's Party secretary from `start_date` to `end_date` (open if None)."""

    __tablename__ = "secretary_terms"
    __table_args__ = (CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), nullable=False, index=True)
    person: Mapped[str] = mapped_column(String(64), nullable=False)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


# ----- rounds (评比活动) ------------------------------------------------------------------------


class RoundRecord(Base):
    """A quarterly round with its own settings of the rules."""

    __tablename__ = "rounds"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'scoring', 'final')", name="status"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter"),
        CheckConstraint("tie_policy IS NULL OR tie_policy IN ('extend', 'tiebreak')", name="tie_policy"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    quarter: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False, default="")
    event_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    red_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    black_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    trim_drop: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    trim_minimum: Mapped[int] = mapped_column(Integer, nullable=False, default=5)
    tie_policy: Mapped[str | None] = mapped_column(String(16), nullable=True)
    tiebreak: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    veto_last: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    veto_black: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    finalized_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class RoundComponentRecord(Base):
    """The round's own copy of a scheme component (实地观摩, 擂台比武, …)."""

    __tablename__ = "round_components"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    weight: Mapped[Decimal] = mapped_column(ExactDecimal, nullable=False)
    # "judges": scored by the judges; "commitments": computed from the 承诺完成 rate
    source: Mapped[str] = mapped_column(String(16), nullable=False, default="judges", server_default="judges")


class RoundCriterionRecord(Base):
    __tablename__ = "round_criteria"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    component_id: Mapped[int] = mapped_column(ForeignKey("round_components.id"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    max_points: Mapped[Decimal] = mapped_column(Points, nullable=False)


class RoundUnitRecord(Base):
    """A participating unit, with what it was called and who led it when the round was made."""

    __tablename__ = "round_units"
    __table_args__ = (UniqueConstraint("round_id", "unit_id", name="uq_round_units_round_unit"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), nullable=False, index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    district: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    secretary: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    org_type: Mapped[str] = mapped_column(String(8), nullable=False)
    visited: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")


class RoundJudgeRecord(Base):
    __tablename__ = "round_judges"
    __table_args__ = (UniqueConstraint("round_id", "name", name="uq_round_judges_round_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    group_name: Mapped[str] = mapped_column(String(64), nullable=False, default="")


class ScoreRecord(Base):
    """One judge's points for one unit on one criterion; no row means not scored (≠ 0)."""

    __tablename__ = "scores"
    __table_args__ = (
        UniqueConstraint("judge_id", "round_unit_id", "criterion_id", name="uq_scores_cell"),
        CheckConstraint("points >= 0", name="points"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), nullable=False, index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("round_judges.id"), nullable=False)
    round_unit_id: Mapped[int] = mapped_column(ForeignKey("round_units.id"), nullable=False)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("round_criteria.id"), nullable=False)
    points: Mapped[Decimal] = mapped_column(Points, nullable=False)


class AdjustmentRecord(Base):
    """加分, 扣分 (with an amount) or 一票否决 (without), each with its reason."""

    __tablename__ = "adjustments"
    __table_args__ = (
        CheckConstraint("kind IN ('bonus', 'deduction', 'veto')", name="kind"),
        CheckConstraint("(kind = 'veto') = (amount IS NULL)", name="amount"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), nullable=False, index=True)
    round_unit_id: Mapped[int] = mapped_column(ForeignKey("round_units.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    amount: Mapped[Decimal | None] = mapped_column(Points, nullable=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class RoundResultRecord(Base):
    """A finalised result of one unit. Version 1 is the result as finalised; each correction
    adds a full new version with its reason, so the original stays beside the corrected one."""

    __tablename__ = "round_results"
    __table_args__ = (UniqueConstraint("round_unit_id", "version", name="uq_round_results_unit_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), nullable=False, index=True)
    round_unit_id: Mapped[int] = mapped_column(ForeignKey("round_units.id"), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    composite: Mapped[str] = mapped_column(String(80), nullable=False)  # exact Fraction "p/q"
    total: Mapped[str] = mapped_column(String(20), nullable=False)  # two decimals, half-up
    # JSON: {"components": {name: {"score": "p/q", "judges": n}}, "bonus": "…", "deduction": "…"}
    components: Mapped[str] = mapped_column(Text, nullable=False)
    flag: Mapped[str | None] = mapped_column(String(8), nullable=True)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class RoundTieDecisionRecord(Base):
    """The clerk's decision on one tie across a flag line of a round (并列的都给旗, 按并列规则决定
    or 党委研究决定 with the units chosen and the reason). It applies to that tie only: the same
    flag, the same tied units (JSON list, sorted) and the same number of places."""

    __tablename__ = "round_tie_decisions"
    __table_args__ = (
        UniqueConstraint("round_id", "flag", "units", "places", name="uq_round_tie_decisions_tie"),
        CheckConstraint("method IN ('extend', 'tiebreak', 'committee')", name="method"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), nullable=False, index=True)
    flag: Mapped[str] = mapped_column(String(8), nullable=False)
    units: Mapped[str] = mapped_column(Text, nullable=False)
    places: Mapped[int] = mapped_column(Integer, nullable=False)
    method: Mapped[str] = mapped_column(String(16), nullable=False)
    chosen: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    decided_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class AuditRecord(Base):
    """Append-only log of every change to scores, adjustments, results, flags and stars.
    Each entry's hash covers the previous entry's hash, so editing the file shows."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    operator: Mapped[str] = mapped_column(String(64), nullable=False)
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    entity: Mapped[str] = mapped_column(Text, nullable=False, index=True)
    old: Mapped[str] = mapped_column(Text, nullable=False)
    new: Mapped[str] = mapped_column(Text, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # JSON {"scores:12": {row} or null, …}: the tracked rows as this entry's change left them
    # (null: removed), in the hash; empty on entries written before data version 6.
    facts: Mapped[str | None] = mapped_column(Text, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)


# ----- commitments (定标亮诺) --------------------------------------------------------------------


class CommitmentRecord(Base):
    """One public commitment of a unit for a year. An adjusted item keeps its original text in
    `original_*`; a cancelled one keeps its reason. 逾期 is never stored: it follows from the
    due date (see lsb_desktop.domain.commitments)."""

    __tablename__ = "commitments"
    __table_args__ = (
        UniqueConstraint("unit_id", "year", "number", name="uq_commitments_unit_year_number"),
        CheckConstraint("status IN ('not_started', 'in_progress', 'done', 'adjusted', 'cancelled')", name="status"),
        CheckConstraint("target_quarter IS NULL OR target_quarter BETWEEN 1 AND 4", name="target_quarter"),
        CheckConstraint(
            "status != 'cancelled' OR (cancel_reason != '' AND cancelled_on IS NOT NULL)", name="cancel_reason"
        ),
        CheckConstraint("status != 'done' OR completed_on IS NOT NULL", name="completed_on"),
        CheckConstraint("number >= 1", name="number"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), nullable=False, index=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    category: Mapped[str] = mapped_column(String(64), nullable=False)
    target: Mapped[str] = mapped_column(Text, nullable=False, default="")
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    target_quarter: Mapped[int | None] = mapped_column(Integer, nullable=True)
    responsible: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="not_started")
    original_content: Mapped[str] = mapped_column(Text, nullable=False, default="")
    original_target: Mapped[str] = mapped_column(Text, nullable=False, default="")
    original_deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    adjust_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    adjusted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    cancel_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    cancelled_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    completed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id"), nullable=True)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class CommitmentProgressRecord(Base):
    """The progress of one commitment in one quarter (践诺): percent, what was done, when."""

    __tablename__ = "commitment_progress"
    __table_args__ = (
        UniqueConstraint("commitment_id", "year", "quarter", name="uq_commitment_progress_item_period"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter"),
        CheckConstraint("percent BETWEEN 0 AND 100", name="percent"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), nullable=False, index=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    quarter: Mapped[int] = mapped_column(Integer, nullable=False)
    percent: Mapped[int] = mapped_column(Integer, nullable=False)
    done_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    entry_date: Mapped[date] = mapped_column(Date, nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class EvidenceFileRecord(Base):
    """A file (photo, document) copied into the data folder's evidence store, with its SHA-256.
    `owner` names what it belongs to: "progress:ID", "commitment:ID" or "star:ID"."""

    __tablename__ = "evidence_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    original_name: Mapped[str] = mapped_column(Text, nullable=False)
    stored_path: Mapped[str] = mapped_column(Text, nullable=False)  # relative to the evidence folder
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    added_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")


# ----- 五星支部 ----------------------------------------------------------------------------------


class StarCellRecord(Base):
    """One unit, year and star: whether it is planned (创建计划) that year, and a note. The steps
    it passed or failed are in star_steps."""

    __tablename__ = "star_cells"
    __table_args__ = (UniqueConstraint("unit_id", "year", "star", name="uq_star_cells_unit_year_star"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), nullable=False, index=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    star: Mapped[str] = mapped_column(String(16), nullable=False)
    planned: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")


class StarStepRecord(Base):
    """A step of a star's rating passed (or 未通过) on a date: 自评申报 → 镇初审 → 县评定 → 公示 → 命名."""

    __tablename__ = "star_steps"
    __table_args__ = (
        UniqueConstraint("cell_id", "step", name="uq_star_steps_cell_step"),
        CheckConstraint("step IN ('declared', 'township', 'county', 'publicity', 'named')", name="step"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("star_cells.id"), nullable=False, index=True)
    step: Mapped[str] = mapped_column(String(16), nullable=False)
    passed: Mapped[bool] = mapped_column(Boolean, nullable=False)
    on: Mapped[date] = mapped_column(Date, nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class StarLossRecord(Base):
    """A star lost (降星 or 撤星) on a date, with its reason."""

    __tablename__ = "star_losses"
    __table_args__ = (
        CheckConstraint("kind IN ('downgrade', 'revoke')", name="kind"),
        CheckConstraint("reason != ''", name="reason"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), nullable=False, index=True)
    star: Mapped[str] = mapped_column(String(16), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    on: Mapped[date] = mapped_column(Date, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class StarTargetRecord(Base):
    """The township's target for a year: the share of units at `level` stars or more (percent)."""

    __tablename__ = "star_targets"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 5", name="level"),)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[int] = mapped_column(Integer, primary_key=True)
    percent: Mapped[Decimal] = mapped_column(ExactDecimal, nullable=False)
