"""pages: an index on visits by day (firm, advisor), so the workload report reads a period's
visits and the firms visited lately as an index range instead of every visit

Revision ID: 0013_pages_visits_day
Revises: 0013_incremental_fact_changes
Create Date: 2026-12-06 17:30:00

"""
from alembic import op


revision = '0013_pages_visits_day'
down_revision = '0013_incremental_fact_changes'  # chained after main's 0013 migrations
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index('ix_visits_day', ['visited_on', 'enterprise_id', 'advisor_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index('ix_visits_day')
