"""The "my firms" part of the dashboard (工作台): tiers, follow-ups, recent changes.

Read side only, set-based SQL. An advisor sees their current portfolio; an admin or leader the
whole county. The dashboard view calls ``advisor_context`` and renders
``dashboard/_advisor.html`` with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select

from cultivation.accounts.models import User
from cultivation.audit.models import AuditLog
from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.portfolios.queries import portfolio_ids
from cultivation.qualifications.tiers import TIER_LABELS, TIERS
from cultivation.reports.filters import ReportFilters
from cultivation.reports.tiersql import tier_counts_on
from cultivation.visits.models import Visit

RECENT_LIMIT = 10
FOLLOW_UP_LIMIT = 20


@dataclass(frozen=True)
class FollowUp:
    """An open follow-up that is due (or overdue) today."""

    enterprise_name: str
    credit_code: str
    due_on: date
    days_overdue: int
    advisor_name: str | None


@dataclass(frozen=True)
class RecentFirm:
    """A firm changed recently, with the time of its latest change."""

    enterprise_name: str
    credit_code: str
    changed_at: datetime
    actor: str


@dataclass(frozen=True)
class AdvisorPanel:
    """Everything ``dashboard/_advisor.html`` shows."""

    county_wide: bool
    tier_counts: list[tuple[str, str, int]]  # (tier code, label, count), highest tier first
    total: int
    follow_ups: list[FollowUp]
    follow_ups_total: int
    recent: list[RecentFirm]


def _scope(user: Any) -> Select[int] | None:
    """Firm ids the panel covers: the advisor's portfolio, or None for the whole county."""
    return None if user.sees_everything else portfolio_ids(user.id)


def tier_counts(session: DbSession, user: Any, today: date) -> dict[str, int]:
    """Live firms per tier on ``today`` in the user's scope (``tier_counts_on``)."""
    scope = None if user.sees_everything else ReportFilters(advisor_id=user.id)
    return tier_counts_on(session, [today], scope)[today]


def follow_ups_due(session: DbSession, user: Any, today: date) -> tuple[list[FollowUp], int]:
    """Open follow-ups due on or before ``today`` (oldest first) and how many there are."""
    stmt = (
        select(Enterprise.name, Enterprise.credit_code, Visit.next_follow_up_on,
               User.display_name)
        .join(Enterprise, Enterprise.id == Visit.enterprise_id)
        .outerjoin(User, User.id == Visit.advisor_id)
        .where(Visit.follow_up_done.is_(False), Visit.next_follow_up_on.is_not(None),
               Visit.next_follow_up_on <= today, Enterprise.deleted_at.is_(None))
    )
    scope = _scope(user)
    if scope is not None:
        stmt = stmt.where(Visit.enterprise_id.in_(scope))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.order_by(Visit.next_follow_up_on, Enterprise.name).limit(FOLLOW_UP_LIMIT)
    ).all()
    due_rows = [(name, code, due or today, adv) for name, code, due, adv in rows]
    return [FollowUp(n, c, due, (today - due).days, a) for n, c, due, a in due_rows], total


def recently_changed(session: DbSession, user: Any) -> list[RecentFirm]:
    """The firms with the latest audit entries (one line per firm), newest first."""
    latest = (
        select(AuditLog.enterprise_id, func.max(AuditLog.id).label("last_id"))
        .where(AuditLog.enterprise_id.is_not(None))
        .group_by(AuditLog.enterprise_id)
    )
    scope = _scope(user)
    if scope is not None:
        latest = latest.where(AuditLog.enterprise_id.in_(scope))
    sub = latest.subquery()
    stmt = (
        select(Enterprise.name, Enterprise.credit_code, AuditLog.at,
               func.coalesce(User.display_name, AuditLog.actor_name))
        .join(sub, sub.c.enterprise_id == Enterprise.id)
        .join(AuditLog, AuditLog.id == sub.c.last_id)
        .outerjoin(User, User.id == AuditLog.actor_id)
        .where(Enterprise.deleted_at.is_(None))
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(RECENT_LIMIT)
    )
    return [RecentFirm(*row) for row in session.execute(stmt).all()]


def advisor_context(session: DbSession, user: Any, today: date,
                    county_counts: dict[str, int] | None = None) -> dict[str, AdvisorPanel]:
    """Template context for ``dashboard/_advisor.html``: ``{"advisor_panel": AdvisorPanel}``;
    ``county_counts`` are today's cached county tier counts (used for a county-wide user)."""
    counts = (county_counts if county_counts is not None and user.sees_everything
              else tier_counts(session, user, today))
    follow_ups, follow_ups_total = follow_ups_due(session, user, today)
    return {"advisor_panel": AdvisorPanel(
        county_wide=bool(user.sees_everything),
        tier_counts=[(t, TIER_LABELS[t], counts[t]) for t in reversed(TIERS)],
        total=sum(counts.values()),
        follow_ups=follow_ups,
        follow_ups_total=follow_ups_total,
        recent=recently_changed(session, user),
    )}
