"""Report data that is not derived: plan periods and targets, hand-entered actuals, and the
weekly 三覆盖 snapshots that draw the coverage trend."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cultivation.database import UTCDateTime, utcnow
from cultivation.extensions import db

if TYPE_CHECKING:
    from cultivation.accounts.models import User

SCOPE_KINDS = {"county": "全县", "town": "乡镇（街道）", "industry": "产业", "advisor": "指导员"}
COVERAGE_KINDS = {
    "listed": "上市企业省级企业研究院覆盖",
    "above_scale_hnte": "规上高企市级以上高新研发中心覆盖",
    "above_scale_tech": "规上科技型企业研发机构覆盖",
}


class PlanPeriod(db.Model):  # type: ignore[name-defined,misc]
    """A five-year plan (e.g. the 14th, 2021–2025); its targets hang off it."""

    __tablename__ = "plan_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    # Targets stored for this year are the plan's baseline (基期值), e.g. 2020 for the 14th.
    baseline_year: Mapped[int] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    targets: Mapped[list[Target]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Target.year"
    )

    @property
    def years_label(self) -> str:
        return f"{self.start_year}—{self.end_year}年"


class Target(db.Model):  # type: ignore[name-defined,misc]
    """One indicator's target value for one year and scope (county, town, industry, advisor)."""

    __tablename__ = "targets"
    __table_args__ = (
        UniqueConstraint("plan_id", "indicator", "scope_kind", "scope_value", "year",
                         name="uq_targets_plan_indicator_scope_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan_periods.id", ondelete="CASCADE"),
                                         index=True)
    indicator: Mapped[str] = mapped_column(String(50))
    scope_kind: Mapped[str] = mapped_column(String(10), default="county")
    scope_value: Mapped[str] = mapped_column(String(100), default="")  # "" for the county
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float | None] = mapped_column(Float)  # None: a target stated in words only
    note: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[PlanPeriod] = relationship(back_populates="targets")


class ManualActual(db.Model):  # type: ignore[name-defined,misc]
    """A county actual the data cannot give (R&D/GDP, 高新技术产业增加值…), entered by hand."""

    __tablename__ = "manual_actuals"
    __table_args__ = (
        UniqueConstraint("indicator", "year", name="uq_manual_actuals_indicator_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator: Mapped[str] = mapped_column(String(50))
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(String(300))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entered_by: Mapped[User | None] = relationship()


class CoverageSnapshot(db.Model):  # type: ignore[name-defined,misc]
    """三覆盖 figures for one population on one day, taken weekly for the trend."""

    __tablename__ = "coverage_snapshots"
    __table_args__ = (
        UniqueConstraint("taken_on", "kind", name="uq_coverage_snapshots_taken_on_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    taken_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(20))  # a COVERAGE_KINDS key
    population: Mapped[int] = mapped_column(Integer)
    covered: Mapped[int] = mapped_column(Integer)
    by_town: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {town: [population, covered]}
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
