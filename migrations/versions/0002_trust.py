"""trust: candidate application (first / renewal), dated listed / above-scale flags, idle job runs

Revision ID: 0002_trust
Revises: 0012s
"""
from alembic import op
import sqlalchemy as sa

import cultivation.database


revision = '0002_trust'
down_revision = "0012s"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('application', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('certificate_valid_to', sa.Date(), nullable=True))
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idle', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.create_table('enterprise_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('flag', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Boolean(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('created_at', cultivation.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_enterprise_flags_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_flags')),
    sa.UniqueConstraint('enterprise_id', 'flag', 'valid_from', name='uq_enterprise_flags_enterprise_flag_from')
    )
    with op.batch_alter_table('enterprise_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_flags_enterprise_id'), ['enterprise_id'], unique=False)


def downgrade():
    with op.batch_alter_table('enterprise_flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_flags_enterprise_id'))
    op.drop_table('enterprise_flags')
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_column('idle')
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_column('certificate_valid_to')
        batch_op.drop_column('application')
