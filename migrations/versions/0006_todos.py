"""待办 (todos): one item per user and subject, the record reminder mails are about

Revision ID: 0006_todos
Revises: 0003_policy_2025
Create Date: 2026-12-06 12:10:00

"""
from alembic import op
import sqlalchemy as sa

import cultivation.database


revision = '0006_todos'
down_revision = "0003_policy_2025"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('todos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('snoozed_until', sa.Date(), nullable=True),
    sa.Column('outbox_message_id', sa.Integer(), nullable=True),
    sa.Column('settled_by_id', sa.Integer(), nullable=True),
    sa.Column('settled_at', cultivation.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', cultivation.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_todos_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_messages.id'], name=op.f('fk_todos_outbox_message_id_outbox_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['settled_by_id'], ['users.id'], name=op.f('fk_todos_settled_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_todos_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_todos')),
    sa.UniqueConstraint('key', name=op.f('uq_todos_key'))
    )
    with op.batch_alter_table('todos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_todos_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_todos_outbox_message_id'), ['outbox_message_id'], unique=False)
        batch_op.create_index('ix_todos_user_status', ['user_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('todos', schema=None) as batch_op:
        batch_op.drop_index('ix_todos_user_status')
        batch_op.drop_index(batch_op.f('ix_todos_outbox_message_id'))
        batch_op.drop_index(batch_op.f('ix_todos_enterprise_id'))
    op.drop_table('todos')
