"""round_tie_decisions: the clerk's decision on each tie across a flag line

Revision ID: 0005_tie_decisions
Revises: 0004_commitments_stars
Create Date: 2026-12-01 23:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_tie_decisions'
down_revision = '0004_commitments_stars'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('round_tie_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('flag', sa.String(length=8), nullable=False),
    sa.Column('units', sa.Text(), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('chosen', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("method IN ('extend', 'tiebreak', 'committee')", name=op.f('ck_round_tie_decisions_method')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_tie_decisions_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_tie_decisions')),
    sa.UniqueConstraint('round_id', 'flag', 'units', 'places', name='uq_round_tie_decisions_tie')
    )
    with op.batch_alter_table('round_tie_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_tie_decisions_round_id'), ['round_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('round_tie_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_tie_decisions_round_id'))
    op.drop_table('round_tie_decisions')
