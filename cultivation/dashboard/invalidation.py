"""Invalidating the cached dashboard figures (``dashboard.figures``): every ORM flush that
writes what they depend on bumps the ``dashboard_figures`` generation in its own transaction.

Kept apart from ``figures`` (which reads the reports) so that the app factory installs the hook
importing only models.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event, inspect, update
from sqlalchemy.orm import Session, UOWTransaction

from cultivation.dashboard.models import DashboardFigures
from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise, EnterpriseFlag
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.qualifications.models import Qualification, RDInstitution
from cultivation.screening.models import ScreeningRun
from cultivation.windows.models import ApplicationWindow

SCOPE = "county"
TABLE = DashboardFigures.__table__
WATCHED: tuple[type, ...] = (Qualification, RDInstitution, EnterpriseFlag, PortfolioAssignment,
                             ApplicationWindow, ScreeningRun)
ENTERPRISE_FIELDS = ("deleted_at", "registered_on", "name", "credit_code")
BUMPED = "dashboard_figures_bumped_in"  # session.info: the transaction that bumped already


def invalidate(conn: Connection | DbSession) -> None:
    """Mark the cached figures out of date (one UPDATE, in the caller's transaction)."""
    conn.execute(update(TABLE).values(generation=TABLE.c.generation + 1))


def _touches_figures(session: Session) -> bool:
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, (*WATCHED, Enterprise)):
            return True
    for obj in session.dirty:
        if isinstance(obj, WATCHED):
            return True
        if isinstance(obj, Enterprise):
            state: Any = inspect(obj)
            if any(state.attrs[f].history.has_changes() for f in ENTERPRISE_FIELDS):
                return True
    return False


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    # After a flush the session still lists its pre-flush new / dirty / deleted objects with
    # their attribute histories. One bump per (sub)transaction is enough: a refresh that read
    # the generation before this transaction commits stores nothing.
    transaction = session.get_nested_transaction() or session.get_transaction()
    if session.info.get(BUMPED) is transaction:
        return
    if _touches_figures(session):
        invalidate(session.connection())
        session.info[BUMPED] = transaction


def install() -> None:
    """Register the flush hooks on every ORM session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
