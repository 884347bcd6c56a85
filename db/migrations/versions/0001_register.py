"""The register: settings, 管区, units and their effective-dated versions.

Revision ID: 0001_register
Revises:
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0001_register"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_settings"),
    )
    op.create_table(
        "districts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("display_order", sa.Integer(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_districts"),
        sa.UniqueConstraint("name", name="uq_districts_name"),
    )
    op.create_table(
        "units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("display_order", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_units"),
    )
    op.create_table(
        "unit_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("org_type", sa.String(8), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('村', '社区')", name="ck_unit_versions_kind"),
        sa.CheckConstraint(
            "org_type IN ('党支部', '党总支', '党委')", name="ck_unit_versions_org_type"
        ),
        sa.CheckConstraint(
            "status IN ('active', 'archived', 'merged')", name="ck_unit_versions_status"
        ),
        sa.CheckConstraint(
            "(status = 'merged') = (merged_into_id IS NOT NULL)",
            name="ck_unit_versions_merged_target",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name="fk_unit_versions_unit_id_units"
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name="fk_unit_versions_district_id_districts"
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["units.id"], name="fk_unit_versions_merged_into_id_units"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_unit_versions"),
    )
    op.create_index("ix_unit_versions_unit_id", "unit_versions", ["unit_id"])


def downgrade() -> None:
    op.drop_index("ix_unit_versions_unit_id", table_name="unit_versions")
    op.drop_table("unit_versions")
    op.drop_table("units")
    op.drop_table("districts")
    op.drop_table("settings")
