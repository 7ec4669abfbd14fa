"""Application windows (申报窗口): programme, batch, dates and reminder offsets — all data."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cultivation.database import UTCDateTime, utcnow
from cultivation.extensions import db
from cultivation.vocabulary import PROGRAMME_LABELS

PROGRAMMES = PROGRAMME_LABELS
# Window programme → the screening rule set whose candidates a reminder lists.
PROGRAMME_RULES = {"hnte": "hnte", "tech_sme": "tech-sme", "zj_tech_sme": "zj-tech-sme"}
# A programme that stops: the policy parameter (in force = closed) that ends its reminders.
PROGRAMME_CLOSED_BY = {"provincial_hnte_center": "provincial_hnte_center.programme_closed"}
DEFAULT_REMIND_DAYS = [30, 7, 1]


class ApplicationWindow(db.Model):  # type: ignore[name-defined]
    """One batch of one programme: opens and closes on dates; reminders N days before each."""

    __tablename__ = "application_windows"
    __table_args__ = (Index("ix_application_windows_programme_year", "programme", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme: Mapped[str] = mapped_column(String(30))
    year: Mapped[int] = mapped_column(Integer)
    batch: Mapped[str] = mapped_column(String(50), default="")
    opens_on: Mapped[date] = mapped_column(Date, index=True)
    closes_on: Mapped[date] = mapped_column(Date, index=True)
    remind_days: Mapped[list[int]] = mapped_column(JSON, default=lambda: list(DEFAULT_REMIND_DAYS))
    note: Mapped[str | None] = mapped_column(Text)
    issuer: Mapped[str | None] = mapped_column(String(100))  # 发文机关, e.g. 浙江省经济和信息化厅
    source: Mapped[str | None] = mapped_column(String(300))  # the notice the dates follow (文号)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)  # False = UNCONFIRMED default
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def programme_label(self) -> str:
        return PROGRAMMES.get(self.programme, self.programme)

    @property
    def title(self) -> str:
        """E.g. '高新技术企业认定 2026年 第一批'."""
        parts = [self.programme_label, f"{self.year}年"]
        if self.batch:
            parts.append(self.batch)
        return " ".join(parts)

    def phase_on(self, day: date) -> str:
        """upcoming / open / closed on ``day``."""
        if day < self.opens_on:
            return "upcoming"
        return "open" if day <= self.closes_on else "closed"
