"""Secretary terms, and the leader (管区书记) of each 管区.

Revision ID: 0002_secretaries
Revises: 0001_register
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_secretaries"
down_revision = "0001_register"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("districts") as batch:
        batch.add_column(sa.Column("leader", sa.String(64), nullable=False, server_default=""))
    op.create_table(
        "secretary_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(64), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date", name="ck_secretary_terms_dates"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name="fk_secretary_terms_unit_id_units"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_secretary_terms"),
    )
    op.create_index("ix_secretary_terms_unit_id", "secretary_terms", ["unit_id"])


def downgrade() -> None:
    op.drop_index("ix_secretary_terms_unit_id", table_name="secretary_terms")
    op.drop_table("secretary_terms")
    with op.batch_alter_table("districts") as batch:
        batch.drop_column("leader")
