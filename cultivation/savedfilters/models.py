"""Saved filters: a user's named query strings for a list page (企业库, 培育库)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cultivation.database import UTCDateTime, utcnow
from cultivation.extensions import db


class SavedFilter(db.Model):  # type: ignore[name-defined,misc]
    """One named filter of one user on one page. ``query`` is the page's query string reduced to
    the filter parameters that page knows (``savedfilters.queries.normalise``); applying it is
    opening the list with it, so what the user may see is still decided by the list itself."""

    __tablename__ = "saved_filters"
    __table_args__ = (UniqueConstraint("user_id", "page", "name",
                                       name="uq_saved_filters_user_page_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    page: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(40))
    query: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
