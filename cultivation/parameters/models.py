"""Stored policy parameters: dated, sourced values (number or band table) per key."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cultivation.database import UTCDateTime, utcnow
from cultivation.extensions import db


class PolicyParameter(db.Model):  # type: ignore[name-defined]
    """One dated value of a policy parameter (number or band table) with its source."""

    __tablename__ = "policy_parameters"
    __table_args__ = (Index("uq_policy_parameters_key_from", "key", "valid_from", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80))
    value: Mapped[Any] = mapped_column(JSON)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    origin: Mapped[str] = mapped_column(String(10), default="seed")  # seed | admin
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
