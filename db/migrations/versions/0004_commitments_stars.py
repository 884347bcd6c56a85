"""commitments, their progress and evidence files; 五星支部 stars, steps, losses and targets

Revision ID: 0004_commitments_stars
Revises: 0003_rounds
Create Date: 2026-11-23 02:58:52.602833
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_commitments_stars'
down_revision = '0003_rounds'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('evidence_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.Text(), nullable=False),
    sa.Column('stored_path', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_files'))
    )
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_files_owner'), ['owner'], unique=False)

    op.create_table('star_targets',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('percent', sa.String(length=40), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_star_targets_level')),
    sa.PrimaryKeyConstraint('year', 'level', name=op.f('pk_star_targets'))
    )
    op.create_table('commitments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('target', sa.Text(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('target_quarter', sa.Integer(), nullable=True),
    sa.Column('responsible', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('original_content', sa.Text(), nullable=False),
    sa.Column('original_target', sa.Text(), nullable=False),
    sa.Column('original_deadline', sa.Date(), nullable=True),
    sa.Column('adjust_reason', sa.Text(), nullable=False),
    sa.Column('adjusted_on', sa.Date(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.Column('cancelled_on', sa.Date(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('carried_from_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status != 'cancelled' OR (cancel_reason != '' AND cancelled_on IS NOT NULL)", name=op.f('ck_commitments_cancel_reason')),
    sa.CheckConstraint("status != 'done' OR completed_on IS NOT NULL", name=op.f('ck_commitments_completed_on')),
    sa.CheckConstraint("status IN ('not_started', 'in_progress', 'done', 'adjusted', 'cancelled')", name=op.f('ck_commitments_status')),
    sa.CheckConstraint('number >= 1', name=op.f('ck_commitments_number')),
    sa.CheckConstraint('target_quarter IS NULL OR target_quarter BETWEEN 1 AND 4', name=op.f('ck_commitments_target_quarter')),
    sa.ForeignKeyConstraint(['carried_from_id'], ['commitments.id'], name=op.f('fk_commitments_carried_from_id_commitments')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_commitments_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitments')),
    sa.UniqueConstraint('unit_id', 'year', 'number', name='uq_commitments_unit_year_number')
    )
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitments_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitments_year'), ['year'], unique=False)

    op.create_table('star_cells',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('star', sa.String(length=16), nullable=False),
    sa.Column('planned', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_star_cells_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_star_cells')),
    sa.UniqueConstraint('unit_id', 'year', 'star', name='uq_star_cells_unit_year_star')
    )
    with op.batch_alter_table('star_cells', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_star_cells_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_star_cells_year'), ['year'], unique=False)

    op.create_table('star_losses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('star', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('downgrade', 'revoke')", name=op.f('ck_star_losses_kind')),
    sa.CheckConstraint("reason != ''", name=op.f('ck_star_losses_reason')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_star_losses_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_star_losses'))
    )
    with op.batch_alter_table('star_losses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_star_losses_unit_id'), ['unit_id'], unique=False)

    op.create_table('commitment_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('done_text', sa.Text(), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('percent BETWEEN 0 AND 100', name=op.f('ck_commitment_progress_percent')),
    sa.CheckConstraint('quarter BETWEEN 1 AND 4', name=op.f('ck_commitment_progress_quarter')),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_commitment_progress_commitment_id_commitments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitment_progress')),
    sa.UniqueConstraint('commitment_id', 'year', 'quarter', name='uq_commitment_progress_item_period')
    )
    with op.batch_alter_table('commitment_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitment_progress_commitment_id'), ['commitment_id'], unique=False)

    op.create_table('star_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cell_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=16), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("step IN ('declared', 'township', 'county', 'publicity', 'named')", name=op.f('ck_star_steps_step')),
    sa.ForeignKeyConstraint(['cell_id'], ['star_cells.id'], name=op.f('fk_star_steps_cell_id_star_cells')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_star_steps')),
    sa.UniqueConstraint('cell_id', 'step', name='uq_star_steps_cell_step')
    )
    with op.batch_alter_table('star_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_star_steps_cell_id'), ['cell_id'], unique=False)

    with op.batch_alter_table('round_components', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=16), server_default='judges', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('round_components', schema=None) as batch_op:
        batch_op.drop_column('source')

    with op.batch_alter_table('star_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_star_steps_cell_id'))

    op.drop_table('star_steps')
    with op.batch_alter_table('commitment_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitment_progress_commitment_id'))

    op.drop_table('commitment_progress')
    with op.batch_alter_table('star_losses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_star_losses_unit_id'))

    op.drop_table('star_losses')
    with op.batch_alter_table('star_cells', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_star_cells_year'))
        batch_op.drop_index(batch_op.f('ix_star_cells_unit_id'))

    op.drop_table('star_cells')
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitments_year'))
        batch_op.drop_index(batch_op.f('ix_commitments_unit_id'))

    op.drop_table('commitments')
    op.drop_table('star_targets')
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_files_owner'))

    op.drop_table('evidence_files')
