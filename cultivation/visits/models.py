"""走访: an advisor's visit to a firm, with the next follow-up date."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cultivation.database import UTCDateTime, utcnow
from cultivation.extensions import db

if TYPE_CHECKING:
    from cultivation.accounts.models import User
    from cultivation.enterprises.models import Enterprise


class Visit(db.Model):  # type: ignore[name-defined]
    """One visit; ``next_follow_up_on`` drives the follow-up reminders.

    A planned 走访 (计划走访, from the lists' bulk action) has no ``visited_on`` yet: it is an
    open follow-up on its planned date, so 待办, reminders, the dashboard and the calendar feed
    treat it like any other; logging the actual visit settles it (``log_visit``)."""

    __tablename__ = "visits"
    __table_args__ = (Index("ix_visits_follow_up", "follow_up_done", "next_follow_up_on"),
                      Index("ix_visits_day", "visited_on", "enterprise_id", "advisor_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    advisor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    visited_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text)
    next_follow_up_on: Mapped[date | None] = mapped_column(Date)
    follow_up_done: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enterprise: Mapped[Enterprise] = relationship()
    advisor: Mapped[User | None] = relationship()
