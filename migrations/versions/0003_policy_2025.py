"""2025-26 policy: enterprise sector and provincial innovation score; window issuer and source;
configurable 领军-tier qualification kinds

Revision ID: 0003_policy_2025
Revises: 0004_hardening
Create Date: 2026-12-06 11:30:00

"""
from alembic import op
import sqlalchemy as sa

import cultivation.database


# revision identifiers, used by Alembic.
revision = '0003_policy_2025'
down_revision = '0004_hardening'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('leading_kinds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('created_at', cultivation.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leading_kinds')),
    sa.UniqueConstraint('label', name=op.f('uq_leading_kinds_label'))
    )
    with op.batch_alter_table('qualifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leading_kind', sa.String(length=100), nullable=True))
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sector', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('provincial_innovation_score',
                                      sa.Numeric(precision=16, scale=2, asdecimal=False),
                                      nullable=True))
    with op.batch_alter_table('application_windows', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issuer', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('source', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('qualifications', schema=None) as batch_op:
        batch_op.drop_column('leading_kind')
    op.drop_table('leading_kinds')
    with op.batch_alter_table('application_windows', schema=None) as batch_op:
        batch_op.drop_column('source')
        batch_op.drop_column('issuer')
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_column('provincial_innovation_score')
        batch_op.drop_column('sector')
