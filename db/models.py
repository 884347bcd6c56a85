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
        CheckConstraint(
            "(status = 'merged') = (merged_into_id IS NOT NULL)", name="merged_target"
        ),
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
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates"),
    )
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
    __table_args__ = (
        UniqueConstraint("round_unit_id", "version", name="uq_round_results_unit_version"),
    )
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
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
