"""tier spans carry the firm's registration date and deletion time; indexes of the spans and of
the live firms for county tier counts (the funnel as one pass over each)

Revision ID: 0013_funnel_span_firm
Revises: 0010_screening_carry
Create Date: 2026-12-06 17:30:00

"""
import sqlalchemy as sa
from alembic import op

import cultivation.database

# revision identifiers, used by Alembic.
revision = '0013_funnel_span_firm'
down_revision = '0010_screening_carry'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tier_spans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('firm_registered_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('firm_deleted_at', cultivation.database.UTCDateTime(),
                                      nullable=True))
        batch_op.create_index('ix_tier_spans_counted', ['valid_to', 'valid_from',
                              'firm_registered_on', 'rank', 'firm_deleted_at'], unique=False,
                              postgresql_where=sa.text('rank > 0 AND firm_deleted_at IS NULL'),
                              sqlite_where=sa.text('rank > 0 AND firm_deleted_at IS NULL'))

    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.create_index('ix_enterprises_live_registered', ['deleted_at', 'registered_on'],
                              unique=False)

    # Every firm's spans rewritten with the new columns (the statement of
    # `cultivation tiers rebuild`; 0005 left the filling to this revision).
    from cultivation.qualifications.spans import refresh_spans

    refresh_spans(op.get_bind(), None)


def downgrade():
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_index('ix_enterprises_live_registered')
    with op.batch_alter_table('tier_spans', schema=None) as batch_op:
        batch_op.drop_index('ix_tier_spans_counted')
        batch_op.drop_column('firm_deleted_at')
        batch_op.drop_column('firm_registered_on')
