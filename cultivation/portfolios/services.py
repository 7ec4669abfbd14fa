"""Assign a firm to an advisor; a handover closes the old assignment, keeping history."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from cultivation.accounts.models import User
from cultivation.audit import services as audit
from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.portfolios.models import PortfolioAssignment


def current_advisor(session: DbSession, enterprise_id: int) -> User | None:
    """The advisor now responsible for a firm, if any."""
    return session.scalar(
        select(User)
        .join(PortfolioAssignment, PortfolioAssignment.advisor_id == User.id)
        .where(
            PortfolioAssignment.enterprise_id == enterprise_id,
            PortfolioAssignment.ended_on.is_(None),
        )
    )


def assign(
    session: DbSession,
    enterprise: Enterprise,
    advisor: User | None,
    *,
    on: date,
    actor: Any,
) -> PortfolioAssignment | None:
    """Hand a firm to ``advisor`` from ``on`` (None = unassign). Flushes, never commits."""
    if advisor is not None and advisor.role != "advisor":
        raise ValueError("只能分配给科技指导员")
    open_row: PortfolioAssignment | None = session.scalar(
        select(PortfolioAssignment).where(
            PortfolioAssignment.enterprise_id == enterprise.id,
            PortfolioAssignment.ended_on.is_(None),
        )
    )
    if open_row is not None and advisor is not None and open_row.advisor_id == advisor.id:
        return open_row
    before = {"advisor_id": open_row.advisor_id} if open_row else {"advisor_id": None}
    if open_row is not None:
        if open_row.started_on >= on:
            session.delete(open_row)  # same-day correction: no history worth keeping
        else:
            open_row.ended_on = on
        session.flush()
    new_row = None
    if advisor is not None:
        new_row = PortfolioAssignment(enterprise_id=enterprise.id, advisor_id=advisor.id,
                                      started_on=on)
        session.add(new_row)
    session.flush()
    audit.record(
        session, actor=actor, entity_type="portfolio", entity_id=enterprise.id,
        enterprise_id=enterprise.id, action="assign", before=before,
        after={"advisor_id": advisor.id if advisor else None},
    )
    return new_row
