"""keyset pagination: an index on (key, id) for each sort of the firm list, and the 培育库's
walk of a run's outcome groups by smallest gap

Revision ID: 0012c_keyset
Revises: 0008_channels
Create Date: 2026-12-06 14:50:00

"""
from alembic import op


revision = '0012c_keyset'
down_revision = "0009_saved_filters"
branch_labels = None
depends_on = None

SORT_INDEXES = {
    "ix_enterprises_name_id": ["name", "id"],
    "ix_enterprises_town_id": ["town", "id"],
    "ix_enterprises_industry_id": ["industry", "id"],
    "ix_enterprises_registered_id": ["registered_on", "id"],
    "ix_enterprises_updated_id": ["updated_at", "id"],
}


def upgrade():
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_index('ix_enterprises_name')
        for name, columns in SORT_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluations_run_rules_outcome')
        batch_op.create_index('ix_evaluations_run_rules_outcome_gap',
                              ['run_id', 'rules', 'outcome', 'total_gap', 'enterprise_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluations_run_rules_outcome_gap')
        batch_op.create_index('ix_evaluations_run_rules_outcome', ['run_id', 'rules', 'outcome'],
                              unique=False)
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        for name in SORT_INDEXES:
            batch_op.drop_index(name)
        batch_op.create_index('ix_enterprises_name', ['name'], unique=False)
