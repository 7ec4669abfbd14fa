"""Assign firms to advisors (one, or many at once); a handover closes the old assignment,
keeping history. Flush, never commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from cultivation.accounts.models import User
from cultivation.accounts.services import AccountError
from cultivation.audit import services as audit
from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.portfolios.models import PortfolioAssignment

log = logging.getLogger(__name__)


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


def open_portfolio_size(session: DbSession, user_id: int) -> int:
    """How many firms the user currently looks after."""
    return session.scalar(
        select(func.count(PortfolioAssignment.id)).where(
            PortfolioAssignment.advisor_id == user_id, PortfolioAssignment.ended_on.is_(None)
        )
    ) or 0


def bulk_assign(
    session: DbSession, enterprise_ids: Iterable[int], advisor: User | None, *, on: date,
    actor: Any, now: datetime,
) -> int:
    """Hand many firms to ``advisor`` (None = unassign) from ``on``; returns how many changed.

    Set-based, the same statements whatever the number of firms: one read of the open
    assignments, one UPDATE ending them, one DELETE of same-day corrections, one INSERT of the
    new ones and one of the audit entries. History is kept (the old assignment ends on ``on``)
    except for a same-day correction, as in ``portfolios.services.assign``.
    """
    if advisor is not None and advisor.role != "advisor":
        raise AccountError("只能分配给科技指导员")
    ids = sorted(set(enterprise_ids))
    if not ids:
        return 0
    open_rows = {
        firm_id: (row_id, owner, started) for row_id, firm_id, owner, started in session.execute(
            select(PortfolioAssignment.id, PortfolioAssignment.enterprise_id,
                   PortfolioAssignment.advisor_id, PortfolioAssignment.started_on).where(
                PortfolioAssignment.enterprise_id.in_(ids), PortfolioAssignment.ended_on.is_(None)
            )
        )
    }
    target = advisor.id if advisor is not None else None
    changed = [i for i in ids if (open_rows[i][1] if i in open_rows else None) != target]
    ending = [open_rows[i][0] for i in changed if i in open_rows and open_rows[i][2] < on]
    dropped = [open_rows[i][0] for i in changed if i in open_rows and open_rows[i][2] >= on]
    if ending:
        session.execute(update(PortfolioAssignment).where(PortfolioAssignment.id.in_(ending))
                        .values(ended_on=on).execution_options(synchronize_session="fetch"))
    if dropped:
        session.execute(delete(PortfolioAssignment).where(PortfolioAssignment.id.in_(dropped))
                        .execution_options(synchronize_session="fetch"))
    if target is not None and changed:
        session.execute(insert(PortfolioAssignment),
                        [{"enterprise_id": i, "advisor_id": target, "started_on": on}
                         for i in changed])
    audit.record_many(session, actor=actor, entity_type="portfolio", action="assign", at=now,
                      items=[(i, i, {"advisor_id": open_rows[i][1] if i in open_rows else None},
                              {"advisor_id": target}) for i in changed])
    log.info("%s assigned %d firms to %s", getattr(actor, "username", actor), len(changed),
             advisor.username if advisor else "nobody")
    return len(changed)
