"""rounds, scores, adjustments, results and the audit log

Revision ID: 0003_rounds
Revises: 0002_secretaries
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_rounds'
down_revision = '0002_secretaries'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('operator', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity', sa.Text(), nullable=False),
    sa.Column('old', sa.Text(), nullable=False),
    sa.Column('new', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    sa.UniqueConstraint('hash', name=op.f('uq_audit_log_hash'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_entity'), ['entity'], unique=False)

    op.create_table('rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('red_count', sa.Integer(), nullable=False),
    sa.Column('black_count', sa.Integer(), nullable=False),
    sa.Column('trim_drop', sa.Integer(), nullable=False),
    sa.Column('trim_minimum', sa.Integer(), nullable=False),
    sa.Column('tie_policy', sa.String(length=16), nullable=True),
    sa.Column('tiebreak', sa.Text(), nullable=False),
    sa.Column('veto_last', sa.Boolean(), nullable=False),
    sa.Column('veto_black', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finalized_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'scoring', 'final')", name=op.f('ck_rounds_status')),
    sa.CheckConstraint("tie_policy IS NULL OR tie_policy IN ('extend', 'tiebreak')", name=op.f('ck_rounds_tie_policy')),
    sa.CheckConstraint('quarter BETWEEN 1 AND 4', name=op.f('ck_rounds_quarter')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rounds'))
    )
    op.create_table('round_components',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('weight', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_components_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_components'))
    )
    with op.batch_alter_table('round_components', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_components_round_id'), ['round_id'], unique=False)

    op.create_table('round_judges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('group_name', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_judges_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_judges')),
    sa.UniqueConstraint('round_id', 'name', name='uq_round_judges_round_name')
    )
    with op.batch_alter_table('round_judges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_judges_round_id'), ['round_id'], unique=False)

    op.create_table('round_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('district', sa.String(length=64), nullable=False),
    sa.Column('secretary', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('org_type', sa.String(length=8), nullable=False),
    sa.Column('visited', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_units_round_id_rounds')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_round_units_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_units')),
    sa.UniqueConstraint('round_id', 'unit_id', name='uq_round_units_round_unit')
    )
    with op.batch_alter_table('round_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_units_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_units_unit_id'), ['unit_id'], unique=False)

    op.create_table('adjustments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('round_unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(kind = 'veto') = (amount IS NULL)", name=op.f('ck_adjustments_amount')),
    sa.CheckConstraint("kind IN ('bonus', 'deduction', 'veto')", name=op.f('ck_adjustments_kind')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_adjustments_round_id_rounds')),
    sa.ForeignKeyConstraint(['round_unit_id'], ['round_units.id'], name=op.f('fk_adjustments_round_unit_id_round_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adjustments'))
    )
    with op.batch_alter_table('adjustments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adjustments_round_id'), ['round_id'], unique=False)

    op.create_table('round_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('component_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('max_points', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['component_id'], ['round_components.id'], name=op.f('fk_round_criteria_component_id_round_components')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_criteria'))
    )
    with op.batch_alter_table('round_criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_criteria_component_id'), ['component_id'], unique=False)

    op.create_table('round_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('round_unit_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('composite', sa.String(length=80), nullable=False),
    sa.Column('total', sa.String(length=20), nullable=False),
    sa.Column('components', sa.Text(), nullable=False),
    sa.Column('flag', sa.String(length=8), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_results_round_id_rounds')),
    sa.ForeignKeyConstraint(['round_unit_id'], ['round_units.id'], name=op.f('fk_round_results_round_unit_id_round_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_results')),
    sa.UniqueConstraint('round_unit_id', 'version', name='uq_round_results_unit_version')
    )
    with op.batch_alter_table('round_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_results_round_id'), ['round_id'], unique=False)

    op.create_table('scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('round_unit_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.CheckConstraint('points >= 0', name=op.f('ck_scores_points')),
    sa.ForeignKeyConstraint(['criterion_id'], ['round_criteria.id'], name=op.f('fk_scores_criterion_id_round_criteria')),
    sa.ForeignKeyConstraint(['judge_id'], ['round_judges.id'], name=op.f('fk_scores_judge_id_round_judges')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_scores_round_id_rounds')),
    sa.ForeignKeyConstraint(['round_unit_id'], ['round_units.id'], name=op.f('fk_scores_round_unit_id_round_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scores')),
    sa.UniqueConstraint('judge_id', 'round_unit_id', 'criterion_id', name='uq_scores_cell')
    )
    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scores_round_id'), ['round_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scores_round_id'))

    op.drop_table('scores')
    with op.batch_alter_table('round_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_results_round_id'))

    op.drop_table('round_results')
    with op.batch_alter_table('round_criteria', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_criteria_component_id'))

    op.drop_table('round_criteria')
    with op.batch_alter_table('adjustments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adjustments_round_id'))

    op.drop_table('adjustments')
    with op.batch_alter_table('round_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_units_unit_id'))
        batch_op.drop_index(batch_op.f('ix_round_units_round_id'))

    op.drop_table('round_units')
    with op.batch_alter_table('round_judges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_judges_round_id'))

    op.drop_table('round_judges')
    with op.batch_alter_table('round_components', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_components_round_id'))

    op.drop_table('round_components')
    op.drop_table('rounds')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_entity'))

    op.drop_table('audit_log')
