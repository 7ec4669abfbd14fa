"""tier spans: maintained intervals of constant tier; per-firm certificate index

Revision ID: 0005_tier_spans
Revises: 0002_trust
Create Date: 2026-12-06 11:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_tier_spans'
down_revision = '0002_trust'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tier_spans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.String(length=20), nullable=False),
    sa.Column('rank', sa.SmallInteger(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.Column('prev_rank', sa.SmallInteger(), nullable=False),
    sa.Column('entered_by', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_tier_spans_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tier_spans'))
    )
    with op.batch_alter_table('tier_spans', schema=None) as batch_op:
        batch_op.create_index('ix_tier_spans_firm_day', ['enterprise_id', 'valid_to', 'valid_from', 'rank'], unique=False)
        batch_op.create_index('ix_tier_spans_on_day', ['valid_to', 'valid_from', 'rank', 'enterprise_id'], unique=False)
    with op.batch_alter_table('qualifications', schema=None) as batch_op:
        batch_op.create_index('ix_qualifications_firm_kind_from', ['enterprise_id', 'kind', 'valid_from'], unique=False)

    # Existing certificates get their spans in 0013_funnel_span_firm: the span columns grew
    # there, and the rebuild (`cultivation tiers rebuild`) writes the columns of the head schema.


def downgrade():
    with op.batch_alter_table('qualifications', schema=None) as batch_op:
        batch_op.drop_index('ix_qualifications_firm_kind_from')
    with op.batch_alter_table('tier_spans', schema=None) as batch_op:
        batch_op.drop_index('ix_tier_spans_on_day')
        batch_op.drop_index('ix_tier_spans_firm_day')
    op.drop_table('tier_spans')
