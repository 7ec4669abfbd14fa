"""Digests built from items: each item is reported once, whatever re-runs or catch-ups happen.

An item's key (``ReminderItem.key``, unique) is claimed with an insert that does nothing on
conflict; only the newly claimed items go into the advisor's digest, whose outbox key is derived
from exactly those item keys. Both rows are written in the job's one transaction.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from cultivation.accounts.models import User
from cultivation.clock import local_date
from cultivation.database import DbSession
from cultivation.mail.services import enqueue
from cultivation.reminders.models import ReminderItem
from cultivation.scheduling.effects import insert_new
from cultivation.settings import ReminderSettings
from cultivation.todos.records import link_mails, suppressed


@dataclass(frozen=True)
class Item:
    """One thing to report to one user, e.g. a certificate reaching a reminder day."""

    key: str
    user_id: int
    data: Any
    todo: str | None = None  # the 待办 item's key: settled or postponed items are left out


def send_item_digests(
    session: DbSession,
    items: Sequence[Item],
    *,
    job: str,
    template: str,
    subject: Callable[[list[Any]], str],
    context: Mapping[str, Any],
    now: datetime,
    settings: ReminderSettings,
) -> dict[str, int]:
    """Claim the items not reported yet and queue one digest per user with them."""
    todo_keys = {item.todo for item in items if item.todo}
    today = local_date(now, settings.timezone)
    quiet = suppressed(session, todo_keys, today) if todo_keys else set()
    unique = {item.key: item for item in items if item.todo not in quiet}
    rows = [{"key": key, "job": job, "created_at": now} for key in unique]
    fresh = set(insert_new(session, ReminderItem, rows, key="key"))
    counts: Counter[str] = Counter(items=len(unique), items_new=len(fresh))
    by_user: dict[int, list[Item]] = defaultdict(list)
    for key in sorted(fresh):
        by_user[unique[key].user_id].append(unique[key])
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(list(by_user))))}
    links: list[tuple[str, int]] = []
    for user_id, user_items in by_user.items():
        keys = sorted(i.key for i in user_items)
        digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:20]
        payload = [i.data for i in user_items]
        result = enqueue(
            session, dedup_key=f"{job}:{user_id}:{digest}", recipient=users.get(user_id),
            subject=subject(payload), template=template, context={**context, "items": payload},
            job=job, now=now, settings=settings.compose,
        )
        counts[result.outcome] += 1
        if result.message_id is not None:
            links += [(i.todo, result.message_id) for i in user_items if i.todo]
            session.execute(update(ReminderItem).where(ReminderItem.key.in_(keys))
                            .values(outbox_message_id=result.message_id))
    link_mails(session, links)
    return dict(counts)
