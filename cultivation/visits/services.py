"""Use cases of 走访 (visits): flushes and audits; never commits."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from cultivation.audit import services as audit
from cultivation.database import DbSession
from cultivation.enterprises import schemas
from cultivation.enterprises.models import Enterprise
from cultivation.inputs import InputError, parse_date, text
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


PLAN_AHEAD_DAYS = 731  # a plan further ahead is a typo
MAX_PLAN_NOTE = 500


def plan_values(raw: Mapping[str, Any], today: date) -> dict[str, Any]:
    """The 计划走访 form (``planned_on``, ``note``) checked; ``ValidationError`` in Chinese."""
    errors: dict[str, list[str]] = {}
    day: date | None = None
    try:
        day = parse_date(raw.get("planned_on"))
    except InputError as exc:
        errors["planned_on"] = [str(exc)]
    if day is None and "planned_on" not in errors:
        errors["planned_on"] = ["请填写计划走访日期"]
    elif day is not None and day < today:
        errors["planned_on"] = ["计划走访日期不能早于今天"]
    elif day is not None and day > today + timedelta(days=PLAN_AHEAD_DAYS):
        errors["planned_on"] = ["计划走访日期不能晚于两年之后"]
    note = text(raw.get("note")) or ""
    if len(note) > MAX_PLAN_NOTE:
        errors["note"] = [f"备注不超过{MAX_PLAN_NOTE}个字（现有 {len(note)} 个）"]
    if errors:
        raise schemas.ValidationError(errors)
    return {"planned_on": day, "note": note}


def plan_visits(session: DbSession, firm_ids: Collection[int], values: Mapping[str, Any], *,
                actor: Any, now: datetime) -> int:
    """Plan one 走访 on ``values["planned_on"]`` for each firm: a visit without a visit date whose
    follow-up is the planned day (the project's open follow-up, see ``Visit``). Earlier open
    follow-ups stay as they are. Two INSERTs whatever the number of firms (visits with
    RETURNING, then the audit rows); the caller checked the firms and commits."""
    ids = sorted(set(firm_ids))
    if not ids:
        return 0
    rows = [{"enterprise_id": i, "advisor_id": getattr(actor, "id", None), "visited_on": None,
             "notes": values["note"], "next_follow_up_on": values["planned_on"],
             "follow_up_done": False, "created_at": now} for i in ids]
    # RETURNING both columns: the pairs need no row order (which would make SQLite insert
    # row by row), so the INSERT stays one batched statement on both databases.
    planned = session.execute(insert(Visit).returning(Visit.id, Visit.enterprise_id), rows).all()
    after = {"visited_on": None, "next_follow_up_on": values["planned_on"].isoformat(),
             "planned": True}
    audit.record_many(session, actor=actor, entity_type="visit", action="plan", at=now,
                      items=[(visit_id, firm_id, None, after)
                             for visit_id, firm_id in sorted(planned, key=lambda r: r[1])])
    return len(planned)
