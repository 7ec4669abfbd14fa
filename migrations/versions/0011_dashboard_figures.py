"""dashboard figures: the county-wide dashboard cards cached per day, with a generation that
every write they depend on bumps

Revision ID: 0011_dashboard_figures
Revises: 0012c_keyset
Create Date: 2026-12-06 14:40:00

"""
from alembic import op
import sqlalchemy as sa

import cultivation.database


# revision identifiers, used by Alembic.
revision = '0011_dashboard_figures'
down_revision = '0012c_keyset'  # given as 0008_channels; re-chained onto main's head
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
    # The one row writers invalidate (a refresh adds it when missing).
    op.bulk_insert(table, [{'scope': 'county', 'generation': 0}])


def downgrade():
    op.drop_table('dashboard_figures')
