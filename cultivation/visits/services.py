"""Use cases of 走访 (visits): flushes and audits; never commits."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from cultivation.audit import services as audit
from cultivation.database import DbSession
from cultivation.enterprises import schemas
from cultivation.enterprises.models import Enterprise
from cultivation.visits.models import Visit


def log_visit(
    session: DbSession, firm: Enterprise, values: dict[str, Any], *, actor: Any, now: datetime
) -> Visit:
    """Record a 走访; closes earlier open follow-ups of the same firm."""
    errors = schemas.check_dates(
        values, "visited_on", "next_follow_up_on", "下次跟进日期不能早于走访日期"
    )
    if errors:
        raise schemas.ValidationError(errors)
    for open_visit in session.scalars(
        select(Visit).where(
            Visit.enterprise_id == firm.id,
            Visit.follow_up_done.is_(False),
            Visit.next_follow_up_on.is_not(None),
        )
    ):
        open_visit.follow_up_done = True
    visit = Visit(enterprise_id=firm.id, advisor_id=getattr(actor, "id", None), **values)
    session.add(visit)
    session.flush()
    audit.record(
        session,
        actor=actor,
        entity_type="visit",
        entity_id=visit.id,
        enterprise_id=firm.id,
        action="create",
        after=audit.snapshot(visit, ("visited_on", "next_follow_up_on")),
        at=now,
    )
    return visit


def next_follow_ups(session: DbSession, firm_ids: Collection[int]) -> dict[int, date]:
    """The earliest open follow-up date per firm (one query for a page of firms)."""
    if not firm_ids:
        return {}
    rows = session.execute(
        select(Visit.enterprise_id, func.min(Visit.next_follow_up_on))
        .where(Visit.enterprise_id.in_(list(firm_ids)), Visit.follow_up_done.is_(False),
               Visit.next_follow_up_on.is_not(None))
        .group_by(Visit.enterprise_id)
    )
    return {firm_id: when for firm_id, when in rows if when is not None}
