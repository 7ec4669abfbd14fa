"""incremental screening: fingerprint, stable_until and evaluated_on on evaluations

Revision ID: 0012s
Revises: 0006_todos
Create Date: 2026-12-06 11:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012s'
down_revision = '0006_todos'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fingerprint', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('stable_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('evaluated_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_column('evaluated_on')
        batch_op.drop_column('stable_until')
        batch_op.drop_column('fingerprint')
