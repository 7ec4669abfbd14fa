"""Writing 待办 items idempotently, and what the reminder jobs ask of them.

The reminder jobs (``cultivation.reminders``) import only this module: which of their items the
user already settled or postponed (``suppressed``) and which mail reported an item
(``link_mails``). Functions flush, never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, or_, select, update

from cultivation.database import DbSession
from cultivation.scheduling.effects import insert_new
from cultivation.todos.models import Todo

CHUNK = 500  # bound the bind parameters of one IN (...)
SETTLED = ("done", "dismissed")


def todo_key(subject: str, user_id: int) -> str:
    """The unique key of one user's item about ``subject`` (e.g. ``followup:12:2026-04-01``)."""
    return f"{subject}@{user_id}"


@dataclass(frozen=True)
class Wanted:
    """An item a source says should be on someone's list."""

    subject: str
    user_id: int
    kind: str
    title: str
    due_on: date
    link: str
    enterprise_id: int | None = None

    @property
    def key(self) -> str:
        return todo_key(self.subject, self.user_id)


def chunks(values: Iterable[str]) -> Iterable[list[str]]:
    items = sorted(set(values))
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def upsert(session: DbSession, wanted: Sequence[Wanted], now: datetime) -> set[str]:
    """Insert the items whose key is new; return those keys (existing keys are left alone)."""
    unique = {w.key: w for w in wanted}
    rows = [{"key": w.key, "user_id": w.user_id, "kind": w.kind, "title": w.title[:300],
             "enterprise_id": w.enterprise_id, "due_on": w.due_on, "link": w.link[:300],
             "status": "open", "created_at": now} for w in unique.values()]
    new: set[str] = set()
    for start in range(0, len(rows), CHUNK):
        new.update(insert_new(session, Todo, rows[start:start + CHUNK], key="key"))
    return new


def suppressed(session: DbSession, keys: Iterable[str], today: date) -> set[str]:
    """Keys (of ``keys``) the user settled (完成 / 不再提醒) or postponed past ``today``:
    reminder mails leave them out."""
    found: set[str] = set()
    for part in chunks(keys):
        found.update(session.scalars(select(Todo.key).where(
            Todo.key.in_(part),
            or_(Todo.status.in_(SETTLED), Todo.snoozed_until > today))))
    return found


def link_mails(session: DbSession, links: Sequence[tuple[str, int]]) -> None:
    """Record which outbox message reported each item: (item key, message id) pairs, one
    executemany UPDATE."""
    if not links:
        return
    table = Todo.__table__
    session.connection().execute(
        update(table).where(table.c.key == bindparam("item_key"))
        .values(outbox_message_id=bindparam("message_id")),
        [{"item_key": key, "message_id": message_id} for key, message_id in links])
