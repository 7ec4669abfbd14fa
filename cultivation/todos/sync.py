"""Generating everyone's 待办 from the sources — set-based and idempotent, time a parameter.

``sync_todos`` inserts the wanted items whose key is new (existing keys are left alone, so a
user's 完成 / 推迟 / 不再提醒 stays), resolves open items whose source went away and reopens
items it resolved earlier when their source is back. The reminder jobs call it for their own
kind before mailing; the ``todos`` job runs it for every kind. Flushes, never commits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from functools import partial

from sqlalchemy import select, update

from cultivation.clock import DEFAULT_TIMEZONE, local_date
from cultivation.database import DbSession
from cultivation.scheduling.effects import affected
from cultivation.todos import admin_sources, sources
from cultivation.todos.models import Todo
from cultivation.todos.records import chunks, upsert
from cultivation.todos.sources import Found

Source = Callable[[DbSession, date], Found]

SOURCES: dict[str, Source] = {
    "followup": sources.followups,
    "expiry": sources.expiry,
    "annual_report": sources.annual_reports,
    "window": sources.windows,
    "candidate": sources.new_candidates,
    "import": admin_sources.pending_imports,
    "leader_digest": admin_sources.leader_digests,
    "job_failed": admin_sources.failed_jobs,
    "mail_failed": admin_sources.failed_mail,
}


def sync_todos(session: DbSession, now: datetime, kinds: Iterable[str] | None = None, *,
               job_labels: Mapping[str, str] | None = None, timezone: str = DEFAULT_TIMEZONE
               ) -> dict[str, int]:
    """Bring the items of ``kinds`` (default: all) in line with their sources as of ``now``
    (today is the date of ``now`` in ``timezone``, the configured zone)."""
    today = local_date(now, timezone)
    chosen = list(SOURCES) if kinds is None else [k for k in kinds if k in SOURCES]
    counts: Counter[str] = Counter()
    wanted = []
    live: set[str] = set()
    for kind in chosen:
        source = SOURCES[kind]
        if kind == "job_failed":
            source = partial(admin_sources.failed_jobs, labels=job_labels, timezone=timezone)
        elif kind == "import":
            source = partial(admin_sources.pending_imports, timezone=timezone)
        elif kind == "mail_failed":
            source = partial(admin_sources.failed_mail, timezone=timezone)
        found = source(session, today)
        wanted.extend(found.wanted)
        live |= found.live_keys()
    counts["todos_new"] = len(upsert(session, wanted, now))
    open_items = session.execute(select(Todo.id, Todo.key).where(
        Todo.kind.in_(chosen), Todo.status == "open")).all()
    gone = [item_id for item_id, key in open_items if key not in live]
    for start in range(0, len(gone), 500):
        counts["todos_resolved"] += affected(session.execute(
            update(Todo).where(Todo.id.in_(gone[start:start + 500]))
            .values(status="resolved", settled_at=now, settled_by_id=None)))
    for part in chunks(live):
        counts["todos_reopened"] += affected(session.execute(
            update(Todo).where(Todo.key.in_(part), Todo.status == "resolved")
            .values(status="open", settled_at=None)))
    return {name: n for name, n in counts.items() if n}
