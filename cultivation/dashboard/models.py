"""Cached dashboard figures: the county-wide cards of the dashboard (工作台) for one day, kept
so that ``/`` answers without aggregating 100,000 firms per request (``dashboard.figures``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cultivation.database import UTCDateTime
from cultivation.extensions import db


class DashboardFigures(db.Model):  # type: ignore[name-defined,misc]
    """One row per scope (today only ``county``): the figures of ``day`` computed when the
    ``generation`` was ``based_on``.

    Every write the figures depend on bumps ``generation`` in its own transaction; the row is
    read only while ``based_on == generation`` and ``day`` is today, so a certificate write is
    never followed by stale tiers (the page computes live until the next refresh)."""

    __tablename__ = "dashboard_figures"

    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    based_on: Mapped[int | None] = mapped_column(Integer)
    day: Mapped[date | None] = mapped_column(Date)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
