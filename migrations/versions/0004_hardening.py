"""hardening: session generation per user, login failure counters

Revision ID: 0004_hardening
Revises: 0001
Create Date: 2026-12-06 11:30:00

"""
from alembic import op
import sqlalchemy as sa

import cultivation.database


revision = "0004_hardening"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False)
        )
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=50), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", cultivation.database.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index("ix_login_failures_address_at", ["address", "at"], unique=False)
        batch_op.create_index("ix_login_failures_username_at", ["username", "at"], unique=False)


def downgrade():
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_username_at")
        batch_op.drop_index("ix_login_failures_address_at")
    op.drop_table("login_failures")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
