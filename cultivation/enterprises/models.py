"""The registry: enterprises and their yearly figures."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cultivation.database import Money, UTCDateTime, utcnow
from cultivation.extensions import db

if TYPE_CHECKING:
    from cultivation.accounts.models import User
    from cultivation.qualifications.models import Qualification, RDInstitution

FIGURE_SOURCES = {"stats": "统计", "tax": "税务", "self": "企业自报", "verified": "核验"}

MONEY_FIELDS = (
    "sales_revenue",
    "total_revenue",
    "high_tech_revenue",
    "rd_expense",
    "rd_expense_domestic",
    "total_cost",
    "total_assets",
    "net_assets",
)
COUNT_FIELDS = ("employees", "tech_staff", "ip_class_i", "ip_class_ii", "conversions")


class Enterprise(db.Model):  # type: ignore[name-defined]
    """A firm in the registry, addressed by its 统一社会信用代码."""

    __tablename__ = "enterprises"
    __table_args__ = (
        Index("ix_enterprises_town_industry", "town", "industry"),
        # One per sort of the firm list (enterprises.listing): keyset pages walk (key, id).
        Index("ix_enterprises_name_id", "name", "id"),
        Index("ix_enterprises_town_id", "town", "id"),
        Index("ix_enterprises_industry_id", "industry", "id"),
        Index("ix_enterprises_registered_id", "registered_on", "id"),
        Index("ix_enterprises_updated_id", "updated_at", "id"),
        # Live firms by registration date, covering: county tier counts (reports.tiersql).
        Index("ix_enterprises_live_registered", "deleted_at", "registered_on"),
        CheckConstraint("length(credit_code) = 18", name="credit_code_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    town: Mapped[str] = mapped_column(String(50))
    industry: Mapped[str | None] = mapped_column(String(50))
    tech_domain: Mapped[str | None] = mapped_column(String(50))
    # 行业门类 for SME sizing (工信部联企业〔2011〕300号; codes: cultivation.policy.sectors)
    sector: Mapped[str | None] = mapped_column(String(30))
    registered_on: Mapped[date | None] = mapped_column(Date)
    above_scale: Mapped[bool] = mapped_column(Boolean, default=False)
    listed: Mapped[bool] = mapped_column(Boolean, default=False)
    address: Mapped[str | None] = mapped_column(String(300))
    contact_person: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)

    # Qualitative assessment inputs (the facts JSON); None = not yet known.
    core_ip_owned: Mapped[bool | None] = mapped_column(Boolean)
    ip_self_developed: Mapped[bool | None] = mapped_column(Boolean)
    led_standard: Mapped[bool | None] = mapped_column(Boolean)
    major_incident_last_year: Mapped[bool | None] = mapped_column(Boolean)
    national_award_5y: Mapped[bool | None] = mapped_column(Boolean)
    self_tech_advancement: Mapped[int | None] = mapped_column(Integer)
    self_core_support: Mapped[int | None] = mapped_column(Integer)
    self_rd_management: Mapped[int | None] = mapped_column(Integer)
    # 省企业研究院 (169号): the province's 创新能力评价得分 (0–100), entered by hand
    provincial_innovation_score: Mapped[float | None] = mapped_column(Money)

    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL"), index=True
    )

    figures: Mapped[list[FiscalYearFigures]] = relationship(
        back_populates="enterprise", order_by="FiscalYearFigures.year", cascade="all, delete-orphan"
    )
    qualifications: Mapped[list[Qualification]] = relationship(
        back_populates="enterprise", order_by="Qualification.valid_from",
        cascade="all, delete-orphan",
    )
    institutions: Mapped[list[RDInstitution]] = relationship(
        back_populates="enterprise", order_by="RDInstitution.recognized_on",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Enterprise {self.credit_code} {self.name}>"


FLAGS = {"listed": "上市企业", "above_scale": "规上企业"}


class EnterpriseFlag(db.Model):  # type: ignore[name-defined]
    """A dated value of a firm's listed / above-scale flag: ``value`` holds from ``valid_from``
    until the firm's next row for the same flag. Reports as of a date use the row in force then
    (``enterprises.flags.flag_on``); a firm without rows has held its current flag throughout."""

    __tablename__ = "enterprise_flags"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "flag", "valid_from",
                         name="uq_enterprise_flags_enterprise_flag_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    flag: Mapped[str] = mapped_column(String(20))  # a key of FLAGS
    value: Mapped[bool] = mapped_column(Boolean)
    valid_from: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FiscalYearFigures(db.Model):  # type: ignore[name-defined]
    """One firm's figures for one fiscal year; money in 万元, with provenance."""

    __tablename__ = "fiscal_year_figures"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "year", name="uq_fiscal_year_figures_enterprise_year"),
        CheckConstraint("year BETWEEN 1949 AND 2200", name="year_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int] = mapped_column(Integer)
    employees: Mapped[int | None] = mapped_column(Integer)
    tech_staff: Mapped[int | None] = mapped_column(Integer)
    sales_revenue: Mapped[float | None] = mapped_column(Money)
    total_revenue: Mapped[float | None] = mapped_column(Money)
    high_tech_revenue: Mapped[float | None] = mapped_column(Money)
    rd_expense: Mapped[float | None] = mapped_column(Money)
    rd_expense_domestic: Mapped[float | None] = mapped_column(Money)
    total_cost: Mapped[float | None] = mapped_column(Money)
    total_assets: Mapped[float | None] = mapped_column(Money)
    net_assets: Mapped[float | None] = mapped_column(Money)
    ip_class_i: Mapped[int | None] = mapped_column(Integer)
    ip_class_ii: Mapped[int | None] = mapped_column(Integer)
    conversions: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20), default="self")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL"), index=True
    )

    enterprise: Mapped[Enterprise] = relationship(back_populates="figures")
    updated_by: Mapped[User | None] = relationship()

    @property
    def source_label(self) -> str:
        return FIGURE_SOURCES.get(self.source, self.source)
