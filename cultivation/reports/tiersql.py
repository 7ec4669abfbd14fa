"""Tier ranks at many dates in one statement, and the narrowing every report shares.

``qualifications.queries`` gives the tier at one date; reports need several dates at once
(a year earlier, a series of year ends), so the "in force" test here takes a date column.
It mirrors ``qualifications.queries.in_force_on`` exactly.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, or_

from cultivation.enterprises.models import Enterprise
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.qualifications.models import Qualification, RDInstitution
from cultivation.qualifications.tiers import KIND_TIER
from cultivation.reports.filters import ReportFilters

TIER_KINDS = list(KIND_TIER)


def qualification_in_force(day: ColumnElement[Any]) -> ColumnElement[bool]:
    """A qualification counts on ``day``: started, not expired, not revoked by then."""
    return and_(
        Qualification.valid_from <= day,
        or_(Qualification.valid_to.is_(None), Qualification.valid_to >= day),
        or_(
            Qualification.status != "revoked",
            and_(Qualification.revoked_on.is_not(None), Qualification.revoked_on > day),
        ),
    )


def institution_in_force(day: ColumnElement[Any]) -> ColumnElement[bool]:
    """An R&D institution counts on ``day``: recognised by then and not revoked on or before."""
    return and_(
        RDInstitution.recognized_on <= day,
        or_(RDInstitution.revoked_on.is_(None), RDInstitution.revoked_on > day),
    )


def firm_exists_on(day: ColumnElement[Any]) -> ColumnElement[bool]:
    """Live (not deleted) firms registered on or before ``day`` (unknown date: counted)."""
    return and_(
        Enterprise.deleted_at.is_(None),
        or_(Enterprise.registered_on.is_(None), Enterprise.registered_on <= day),
    )


def in_portfolio_on(advisor_id: int, day: ColumnElement[Any]) -> ColumnElement[bool]:
    """The firm was in the advisor's portfolio on ``day`` (same test as ``portfolio_ids_on``)."""
    return exists().where(
        PortfolioAssignment.enterprise_id == Enterprise.id,
        PortfolioAssignment.advisor_id == advisor_id,
        PortfolioAssignment.started_on <= day,
        or_(PortfolioAssignment.ended_on.is_(None), PortfolioAssignment.ended_on > day),
    )


def narrow(stmt: Select[Any], filters: ReportFilters, day: ColumnElement[Any]) -> Select[Any]:
    """Apply town / industry / advisor (portfolio on ``day``) to a statement over Enterprise."""
    if filters.town:
        stmt = stmt.where(Enterprise.town == filters.town)
    if filters.industry:
        stmt = stmt.where(Enterprise.industry == filters.industry)
    if filters.advisor_id is not None:
        stmt = stmt.where(in_portfolio_on(filters.advisor_id, day))
    return stmt


def active_position_join(day: ColumnElement[Any]) -> ColumnElement[bool]:
    """ON-clause: the portfolio assignment of ``Enterprise`` in force on ``day``."""
    return and_(
        PortfolioAssignment.enterprise_id == Enterprise.id,
        PortfolioAssignment.started_on <= day,
        or_(PortfolioAssignment.ended_on.is_(None), PortfolioAssignment.ended_on > day),
    )
