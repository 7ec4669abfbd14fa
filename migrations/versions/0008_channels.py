"""Notification channels: DingTalk / WeCom robots; outbox rows carry their channel

Revision ID: 0008_channels
Revises: 0005_tier_spans
Create Date: 2026-12-06 13:00:00

"""
from alembic import op
import sqlalchemy as sa

import cultivation.database


revision = '0008_channels'
down_revision = "0005_tier_spans"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notify_channels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=10), nullable=True),
    sa.Column('webhook_encrypted', sa.Text(), nullable=False),
    sa.Column('secret_encrypted', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', cultivation.database.UTCDateTime(), nullable=False),
    sa.CheckConstraint('(user_id IS NULL) <> (role IS NULL)', name='ck_notify_channels_target'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notify_channels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notify_channels_role'), ['role'], unique=False)
        batch_op.create_index(batch_op.f('ix_notify_channels_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=10), server_default='mail',
                                      nullable=False))
        batch_op.add_column(sa.Column('notify_channel_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_messages_notify_channel_id'),
                              ['notify_channel_id'], unique=False)
        batch_op.create_foreign_key('fk_outbox_messages_notify_channel_id', 'notify_channels',
                                    ['notify_channel_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint('fk_outbox_messages_notify_channel_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_notify_channel_id'))
        batch_op.drop_column('notify_channel_id')
        batch_op.drop_column('channel')

    with op.batch_alter_table('notify_channels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notify_channels_user_id'))
        batch_op.drop_index(batch_op.f('ix_notify_channels_role'))

    op.drop_table('notify_channels')
