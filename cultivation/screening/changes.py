"""Which firms' screening facts a write may have changed since the last screening run.

Every ORM flush that writes a firm's fact fields (screening.facts reads them), its figures, its
certificates or its R&D institutions, or creates, deletes or restores a firm, adds one
``firm_fact_changes`` row per firm in its own transaction (one INSERT per flush). That covers the
services, import and its revert, the API, the forms and the bulk actions — they all write through
the ORM. The demo and bench loaders write new firms with COPY / executemany and log nothing: a firm
without a verdict in the screening chain is examined anyway (screening.carry.stale_firms).

A screening run reads the log first (``pending``), then the facts of those firms, and at the end
deletes exactly the rows it read (``consume``); a write committed meanwhile keeps its row for the
next run. Kept apart from the screening services so the app factory installs the hook importing
only models.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, event, insert, inspect, select
from sqlalchemy.orm import Session, UOWTransaction

from cultivation.database import DbSession, id_in
from cultivation.enterprises.models import Enterprise, FiscalYearFigures
from cultivation.qualifications.models import Qualification, RDInstitution
from cultivation.screening.models import FirmFactChange

TABLE = FirmFactChange.__table__
# Rows whose every change may change the firm's facts (or its first/renewal standing).
CHILDREN: tuple[type, ...] = (FiscalYearFigures, Qualification, RDInstitution)
# The firm's own columns that screening.facts reads, and deletion (the firm leaves or rejoins).
ENTERPRISE_FIELDS = ("registered_on", "tech_domain", "core_ip_owned", "ip_self_developed",
                     "major_incident_last_year", "led_standard", "national_award_5y",
                     "self_tech_advancement", "self_core_support", "self_rd_management",
                     "sector", "provincial_innovation_score", "deleted_at")
CHUNK = 30000  # below SQLite's limit of 32,766 parameters per statement


def changed_firms(session: Session) -> set[int]:
    """The firms whose facts the session's pending flush may change (ids known after it)."""
    firms: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, CHILDREN):
            if obj in session.dirty and not session.is_modified(obj):
                continue
            history: Any = inspect(obj).attrs.enterprise_id.history
            firms.update(i for i in (*history.added, *history.unchanged, *history.deleted)
                         if i is not None)
        elif isinstance(obj, Enterprise):
            state: Any = inspect(obj)
            if obj in session.dirty and not any(
                    state.attrs[name].history.has_changes() for name in ENTERPRISE_FIELDS):
                continue
            if obj.id is not None:
                firms.add(obj.id)
    return firms


def record(conn: Any, firm_ids: Sequence[int]) -> None:
    """Log a possible change of these firms' facts (one INSERT, in the caller's transaction).
    For a path that writes facts without the ORM."""
    if firm_ids:
        conn.execute(insert(TABLE), [{"enterprise_id": int(i)} for i in sorted(set(firm_ids))])


def pending(session: DbSession) -> list[tuple[int, int]]:
    """(log row id, firm id) of every logged change committed so far (one query)."""
    return [(row_id, firm_id) for row_id, firm_id in session.execute(
        select(TABLE.c.id, TABLE.c.enterprise_id).order_by(TABLE.c.id))]


def consume(session: DbSession, row_ids: Sequence[int]) -> None:
    """Delete the log rows a run has read, by id: a row committed since (even with a lower id,
    from a transaction that began earlier) stays. One DELETE, whether there are rows or not
    (PostgreSQL takes the ids as one array; SQLite in lists of at most ``CHUNK``)."""
    step = (len(row_ids) or 1) if session.get_bind().dialect.name == "postgresql" else CHUNK
    for start in range(0, max(len(row_ids), 1), step):
        session.execute(delete(TABLE).where(id_in(session, TABLE.c.id,
                                                  row_ids[start:start + step])))


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    # After a flush the session still lists its pre-flush new / dirty / deleted objects with
    # their attribute histories, and new objects have their ids.
    firms = changed_firms(session)
    if firms:
        record(session.connection(), sorted(firms))


def install() -> None:
    """Register the flush hook on every ORM session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
