"""Saved filters per user and list page; a 走访 may be planned (no visit date yet)

Revision ID: 0009_saved_filters
Revises: 0008_channels
Create Date: 2026-12-06 14:40:00

"""
from alembic import op
import sqlalchemy as sa

import cultivation.database


revision = '0009_saved_filters'
down_revision = "0008_channels"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('saved_filters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('page', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('created_at', cultivation.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_saved_filters_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_filters')),
    sa.UniqueConstraint('user_id', 'page', 'name', name='uq_saved_filters_user_page_name')
    )
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.alter_column('visited_on', existing_type=sa.Date(), nullable=True)


def downgrade():
    op.execute("DELETE FROM visits WHERE visited_on IS NULL")
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.alter_column('visited_on', existing_type=sa.Date(), nullable=False)
    op.drop_table('saved_filters')
