"""Advisor portfolios: who looks after which firm, with history kept on handover."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cultivation.extensions import db

if TYPE_CHECKING:
    from cultivation.accounts.models import User
    from cultivation.enterprises.models import Enterprise


class PortfolioAssignment(db.Model):  # type: ignore[name-defined]
    """Advisor ↔ firm from ``started_on``; ``ended_on`` (exclusive) is set on handover."""

    __tablename__ = "portfolio_assignments"
    __table_args__ = (
        # At most one open assignment per firm.
        Index(
            "uq_portfolio_assignments_open",
            "enterprise_id",
            unique=True,
            sqlite_where=db.text("ended_on IS NULL"),
            postgresql_where=db.text("ended_on IS NULL"),
        ),
        Index("ix_portfolio_assignments_advisor_open", "advisor_id", "ended_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    advisor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)

    enterprise: Mapped[Enterprise] = relationship()
    advisor: Mapped[User] = relationship()
