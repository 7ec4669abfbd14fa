"""screening carry: verdict rows shared by the runs of a chain instead of copied per run

Revision ID: 0010_screening_carry
Revises: 0011_dashboard_figures
Create Date: 2026-12-06 14:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_screening_carry'
down_revision = '0011_dashboard_figures'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('screening_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain_start_id', sa.Integer(), nullable=True))
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('superseded_in', sa.Integer(), nullable=True))
        # A row outlives the run that stored it while a later run of its chain shares it.
        batch_op.drop_constraint('fk_evaluations_run_id_screening_runs', type_='foreignkey')
    # Every existing run holds all its rows: a chain of its own.
    op.execute("UPDATE screening_runs SET chain_start_id = id")
    op.drop_index('ix_evaluations_enterprise_rules', table_name='evaluations')
    op.create_index('ix_evaluations_enterprise_rules_run', 'evaluations',
                    ['enterprise_id', 'rules', 'run_id'], unique=False)
    op.create_index('ix_evaluations_superseded_in', 'evaluations', ['superseded_in'],
                    unique=False, postgresql_where=sa.text('superseded_in IS NOT NULL'),
                    sqlite_where=sa.text('superseded_in IS NOT NULL'))
    # The 培育库's walk for the newest run of a chain (0012c's index on (run_id, rules, outcome,
    # total_gap, enterprise_id) stays: it serves a run that is a chain of its own).
    op.create_index('ix_evaluations_current_outcome_gap', 'evaluations',
                    ['rules', 'outcome', 'total_gap', 'enterprise_id'], unique=False,
                    postgresql_where=sa.text('superseded_in IS NULL'),
                    sqlite_where=sa.text('superseded_in IS NULL'))


def downgrade():
    op.drop_index('ix_evaluations_current_outcome_gap', table_name='evaluations')
    op.drop_index('ix_evaluations_superseded_in', table_name='evaluations')
    # Each row stays with the run that stored it: later runs of a chain lose the verdicts
    # they shared (run the screening again after a downgrade).
    op.drop_index('ix_evaluations_enterprise_rules_run', table_name='evaluations')
    op.create_index('ix_evaluations_enterprise_rules', 'evaluations',
                    ['enterprise_id', 'rules', 'as_of'], unique=False)
    op.execute("DELETE FROM evaluations WHERE run_id NOT IN (SELECT id FROM screening_runs)")
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_column('superseded_in')
        batch_op.create_foreign_key('fk_evaluations_run_id_screening_runs', 'screening_runs',
                                    ['run_id'], ['id'], ondelete='CASCADE')
    with op.batch_alter_table('screening_runs', schema=None) as batch_op:
        batch_op.drop_column('chain_start_id')
