"""dashboard figures: the county-wide dashboard cards cached per day, with a generation that
every write they depend on bumps; an index on the firms' registration date (tier counts)

Revision ID: 0011_dashboard_figures
Revises: 0008_channels
Create Date: 2026-12-06 14:40:00

"""
from alembic import op
import sqlalchemy as sa

import cultivation.database


# revision identifiers, used by Alembic.
revision = '0011_dashboard_figures'
down_revision = '0008_channels'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('dashboard_figures',
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('based_on', sa.Integer(), nullable=True),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=True),
    sa.Column('computed_at', cultivation.database.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('scope', name=op.f('pk_dashboard_figures'))
    )
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.create_index('ix_enterprises_registered_on', ['registered_on'], unique=False)
    # The one row writers invalidate (a refresh adds it when missing).
    op.bulk_insert(table, [{'scope': 'county', 'generation': 0}])


def downgrade():
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_index('ix_enterprises_registered_on')
    op.drop_table('dashboard_figures')
