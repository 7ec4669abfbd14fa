"""Write audit entries; the caller commits."""

from __future__ import annotations

import logging
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert

from cultivation.audit.models import AuditLog
from cultivation.database import DbSession

log = logging.getLogger(__name__)


def jsonable(value: Any) -> Any:
    """Dates to ISO strings, Decimals to floats; leaves other JSON types alone."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def snapshot(obj: Any, fields: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """A JSON-ready dict of the given attributes of ``obj``."""
    return {f: jsonable(getattr(obj, f)) for f in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values changed, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(
    session: DbSession,
    *,
    actor: Any,
    entity_type: str,
    entity_id: int | None,
    action: str,
    enterprise_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip: str | None = None,
    at: datetime | None = None,
) -> AuditLog:
    """Add one audit entry (flush only)."""
    entry = AuditLog(
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", None) or str(actor or "system"),
        entity_type=entity_type,
        entity_id=entity_id,
        enterprise_id=enterprise_id,
        action=action,
        before=before,
        after=after,
        ip=ip,
    )
    if at is not None:
        entry.at = at
    session.add(entry)
    log.info("audit %s %s %s#%s", entry.actor_name, action, entity_type, entity_id)
    return entry


def record_many(
    session: DbSession,
    *,
    actor: Any,
    entity_type: str,
    action: str,
    items: list[tuple[int | None, int | None, dict[str, Any] | None, dict[str, Any] | None]],
    at: datetime,
) -> int:
    """Many entries of one action in one INSERT: ``items`` are (entity id, enterprise id,
    before, after). For set-based writes (bulk actions); flush semantics as ``record``."""
    if not items:
        return 0
    actor_id = getattr(actor, "id", None)
    actor_name = getattr(actor, "username", None) or str(actor or "system")
    session.execute(insert(AuditLog), [
        {"actor_id": actor_id, "actor_name": actor_name, "entity_type": entity_type,
         "entity_id": entity_id, "enterprise_id": enterprise_id, "action": action,
         "before": before, "after": after, "at": at, "ip": None}
        for entity_id, enterprise_id, before, after in items])
    log.info("audit %s %s %s ×%d", actor_name, action, entity_type, len(items))
    return len(items)
