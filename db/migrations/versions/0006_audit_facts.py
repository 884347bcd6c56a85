"""audit_log.facts: what each entry left in the data, so the log accounts for the data

Revision ID: 0006_audit_facts
Revises: 0005_tie_decisions
Create Date: 2026-12-02 01:30:00

Each entry written from now on carries, in `facts`, the rows of the scored and rated tables
(scores, adjustments, results, rounds and their participants, 五星 steps and losses, commitments
and their progress, …) as they stood after its change, and its hash covers them. A file that
already holds data gets a starting point: the program writes one entry with every such row at
the first open after this upgrade (the setting `audit.baseline` = pending asks for it), because
building the entry needs the program's own rules for the hash chain.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_audit_facts'
down_revision = '0005_tie_decisions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facts', sa.Text(), nullable=True))
    connection = op.get_bind()
    held = connection.execute(sa.text(
        "SELECT (SELECT count(*) FROM audit_log) + (SELECT count(*) FROM rounds)"
        " + (SELECT count(*) FROM commitments) + (SELECT count(*) FROM star_cells)"
        " + (SELECT count(*) FROM star_losses) + (SELECT count(*) FROM star_targets)")).scalar()
    if held:
        connection.execute(sa.text("INSERT OR REPLACE INTO settings (key, value) VALUES ('audit.baseline', 'pending')"))


def downgrade() -> None:
    op.execute("DELETE FROM settings WHERE key = 'audit.baseline'")
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_column('facts')
