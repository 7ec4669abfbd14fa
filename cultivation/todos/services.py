"""The user's actions on a 待办 item: 完成, 推迟到…, 不再提醒 — each audited, each checked.

Completing (完成) a 走访 follow-up also closes the follow-up on the visit: one thing, done once.
Functions flush, never commit; a refused action changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import update

from cultivation.audit import services as audit
from cultivation.database import DbSession
from cultivation.todos.models import Todo
from cultivation.todos.queries import visible_to
from cultivation.visits.models import Visit

MAX_POSTPONE_DAYS = 366


class TodoError(ValueError):
    """A refused action, with a Chinese message; ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def item_for(session: DbSession, user: Any, todo_id: int) -> Todo:
    """The user's own item (an advisor's: of a firm still in their portfolio)."""
    item = session.get(Todo, todo_id)
    if item is None:
        raise TodoError("该待办事项不存在", 404)
    if not visible_to(session, user, item):
        raise TodoError("这不是您的待办事项，不能处理", 403)
    return item


def parse_day(text: str | None) -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise TodoError("请填写推迟到的日期，格式为 年-月-日（如 2026-12-31）") from None


def _settle(session: DbSession, item: Todo, status: str, action: str, *, actor: Any,
            now: datetime) -> None:
    if item.status != "open":
        raise TodoError(f"该待办已是“{item.status_label}”，无需再处理", 409)
    before = {"status": item.status}
    item.status = status
    item.settled_by_id = actor.id
    item.settled_at = now
    if status == "done" and item.kind == "followup":  # followup:<visit>:<date>@<user>
        visit_id = int(item.key.split(":")[1])
        session.execute(update(Visit).where(Visit.id == visit_id,
                                            Visit.enterprise_id == item.enterprise_id)
                        .values(follow_up_done=True))
    session.flush()
    audit.record(session, actor=actor, entity_type="todo", entity_id=item.id, action=action,
                 enterprise_id=item.enterprise_id, before=before,
                 after={"status": status, "title": item.title}, at=now)


def complete(session: DbSession, item: Todo, *, actor: Any, now: datetime) -> None:
    """完成: done; no further reminder mails for it."""
    _settle(session, item, "done", "todo_done", actor=actor, now=now)


def dismiss(session: DbSession, item: Todo, *, actor: Any, now: datetime) -> None:
    """不再提醒: off the list for good, and out of the reminder mails."""
    _settle(session, item, "dismissed", "todo_dismiss", actor=actor, now=now)


def postpone(session: DbSession, item: Todo, until: date, *, actor: Any, now: datetime,
             today: date) -> None:
    """推迟到 ``until``: hidden (and left out of reminder mails) until that day."""
    if item.status != "open":
        raise TodoError(f"该待办已是“{item.status_label}”，不能推迟", 409)
    if until <= today:
        raise TodoError("推迟到的日期必须晚于今天")
    if until > today + timedelta(days=MAX_POSTPONE_DAYS):
        raise TodoError("最多推迟一年")
    before = {"snoozed_until": item.snoozed_until.isoformat() if item.snoozed_until else None}
    item.snoozed_until = until
    session.flush()
    audit.record(session, actor=actor, entity_type="todo", entity_id=item.id,
                 action="todo_postpone", enterprise_id=item.enterprise_id, before=before,
                 after={"snoozed_until": until.isoformat(), "title": item.title}, at=now)
