"""incremental screening: a log of writes to firms' facts, and indexes for the day boundaries

Revision ID: 0013_incremental_fact_changes
Revises: 0013_funnel_span_firm
Create Date: 2026-12-06 17:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_incremental_fact_changes'
down_revision = '0013_funnel_span_firm'
branch_labels = None
depends_on = None

CURRENT = 'superseded_in IS NULL'


def upgrade():
    op.create_table(
        'firm_fact_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_firm_fact_changes')),
    )
    # The day boundaries an incremental run looks for (screening.carry.stale_firms): a
    # certificate or institution that starts or ends between two runs' days, ...
    op.create_index('ix_qualifications_valid_to', 'qualifications', ['valid_to'])
    op.create_index('ix_qualifications_valid_from', 'qualifications', ['valid_from'])
    op.create_index('ix_qualifications_revoked_on', 'qualifications', ['revoked_on'],
                    postgresql_where=sa.text('revoked_on IS NOT NULL'),
                    sqlite_where=sa.text('revoked_on IS NOT NULL'))
    op.create_index('ix_rd_institutions_recognized_on', 'rd_institutions', ['recognized_on'])
    op.create_index('ix_rd_institutions_revoked_on', 'rd_institutions', ['revoked_on'],
                    postgresql_where=sa.text('revoked_on IS NOT NULL'),
                    sqlite_where=sa.text('revoked_on IS NOT NULL'))
    # ... a current verdict whose stable_until has come, or whose first/renewal standing moved.
    op.create_index('ix_evaluations_current_stable_until', 'evaluations',
                    ['stable_until', 'run_id'], unique=False,
                    postgresql_where=sa.text(CURRENT), sqlite_where=sa.text(CURRENT))
    op.create_index('ix_evaluations_current_standing', 'evaluations',
                    ['rules', 'application', 'certificate_valid_to', 'run_id'], unique=False,
                    postgresql_where=sa.text(CURRENT), sqlite_where=sa.text(CURRENT))


def downgrade():
    op.drop_index('ix_evaluations_current_standing', table_name='evaluations')
    op.drop_index('ix_evaluations_current_stable_until', table_name='evaluations')
    op.drop_index('ix_rd_institutions_revoked_on', table_name='rd_institutions')
    op.drop_index('ix_rd_institutions_recognized_on', table_name='rd_institutions')
    op.drop_index('ix_qualifications_revoked_on', table_name='qualifications')
    op.drop_index('ix_qualifications_valid_from', table_name='qualifications')
    op.drop_index('ix_qualifications_valid_to', table_name='qualifications')
    op.drop_table('firm_fact_changes')
