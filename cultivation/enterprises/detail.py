"""Read side of the firm page: what the detail page shows, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cultivation.accounts.models import User
from cultivation.database import DbSession
from cultivation.enterprises import schemas
from cultivation.enterprises.activity import ActivityPage, firm_activity
from cultivation.enterprises.models import COUNT_FIELDS, Enterprise, FiscalYearFigures
from cultivation.portfolios.services import current_advisor
from cultivation.qualifications.models import Qualification, RDInstitution
from cultivation.qualifications.tiers import TierInterval, tier_at, tier_history
from cultivation.visits.services import next_follow_ups

# Row order of the figures table (years are the columns).
FIGURE_ROWS = (
    "employees", "tech_staff", "sales_revenue", "total_revenue", "high_tech_revenue",
    "rd_expense", "rd_expense_domestic", "total_cost", "total_assets", "net_assets",
    "ip_class_i", "ip_class_ii", "conversions",
)
QUAL_STATUS_LABELS = {
    "valid": "有效", "expired": "已到期", "revoked": "已撤销", "pending": "未生效",
}
QUAL_STATUS_CLASS = {
    "valid": "text-bg-success", "expired": "text-bg-secondary", "revoked": "text-bg-danger",
    "pending": "text-bg-info",
}


@dataclass(frozen=True)
class FigureRow:
    """One line of the figures table: a field across the years."""

    name: str
    label: str
    is_count: bool
    values: list[Any]


@dataclass(frozen=True)
class QualificationLine:
    """A qualification with its status as of the page's day."""

    qualification: Qualification
    status: str

    @property
    def status_label(self) -> str:
        return QUAL_STATUS_LABELS.get(self.status, self.status)

    @property
    def status_class(self) -> str:
        return QUAL_STATUS_CLASS.get(self.status, "text-bg-light")


@dataclass(frozen=True)
class FirmPage:
    """Everything the full detail page shows."""

    firm: Enterprise
    tier: str
    advisor: User | None
    years: list[FiscalYearFigures]
    figure_rows: list[FigureRow]
    qualifications: list[QualificationLine]
    institutions: list[RDInstitution]
    history: list[TierInterval]
    activity: ActivityPage  # the first page of the timeline (走访, certificates, figures, imports)
    next_follow_up: date | None  # the earliest open follow-up (the phone summary shows it)


def tier_today(firm: Enterprise, today: date) -> str:
    """The firm's tier on ``today`` from its (already loaded) qualifications."""
    return tier_at(firm.qualifications, today)


def figure_table(years: list[FiscalYearFigures]) -> list[FigureRow]:
    """Fields × years, labels from the shared schema (without the unit: the header says 万元)."""
    rows = []
    for name in FIGURE_ROWS:
        label = schemas.FIGURES[name].label.replace("（万元）", "")
        rows.append(FigureRow(name, label, name in COUNT_FIELDS, [getattr(y, name) for y in years]))
    return rows


def firm_page(session: DbSession, firm: Enterprise, today: date, *, now: datetime,
              zone: ZoneInfo) -> FirmPage:
    """Load the firm's figures, qualifications, institutions, next follow-up and the first page
    of its activity timeline."""
    years = list(session.scalars(
        select(FiscalYearFigures).where(FiscalYearFigures.enterprise_id == firm.id)
        .options(selectinload(FiscalYearFigures.updated_by)).order_by(FiscalYearFigures.year)
    ))
    quals = list(session.scalars(
        select(Qualification).where(Qualification.enterprise_id == firm.id)
        .order_by(Qualification.valid_from, Qualification.id)
    ))
    institutions = list(session.scalars(
        select(RDInstitution).where(RDInstitution.enterprise_id == firm.id)
        .order_by(RDInstitution.recognized_on, RDInstitution.id)
    ))
    return FirmPage(
        firm=firm,
        tier=tier_at(quals, today),
        advisor=current_advisor(session, firm.id),
        years=years,
        figure_rows=figure_table(years),
        qualifications=[QualificationLine(q, q.status_on(today)) for q in reversed(quals)],
        institutions=institutions,
        history=tier_history(quals),
        activity=firm_activity(session, firm.id, zone=zone, now=now),
        next_follow_up=next_follow_ups(session, [firm.id]).get(firm.id),
    )
