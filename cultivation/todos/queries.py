"""Reading 待办: a user's open items, the navbar count (one query) and the dashboard card.

A user sees only their own items; an advisor's firm items only while the firm is in their
current portfolio (an item of a firm just reassigned disappears before the next sync resolves it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select

from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.todos.models import Todo


def _scope(user: Any) -> ColumnElement[bool]:
    mine: ColumnElement[bool] = Todo.user_id == user.id
    if not user.is_advisor:
        return mine
    in_portfolio = select(PortfolioAssignment.id).where(
        PortfolioAssignment.enterprise_id == Todo.enterprise_id,
        PortfolioAssignment.advisor_id == user.id,
        PortfolioAssignment.ended_on.is_(None)).exists()
    return and_(mine, or_(Todo.enterprise_id.is_(None), in_portfolio))


def _open_now(today: date) -> ColumnElement[bool]:
    return and_(Todo.status == "open",
                or_(Todo.snoozed_until.is_(None), Todo.snoozed_until <= today))


def visible_to(session: DbSession, user: Any, item: Todo) -> bool:
    return bool(session.scalar(select(Todo.id).where(Todo.id == item.id, _scope(user))))


def open_count(session: DbSession, user: Any, today: date) -> int:
    """The navbar badge: open items not postponed past today — one COUNT."""
    return session.scalar(select(func.count(Todo.id)).where(_scope(user), _open_now(today))) or 0


@dataclass(frozen=True)
class TodoRow:
    item: Todo
    firm: str | None
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def _rows(session: DbSession, user: Any, today: date, condition: ColumnElement[bool],
          limit: int | None = None) -> list[TodoRow]:
    stmt = (select(Todo, Enterprise.name)
            .outerjoin(Enterprise, Enterprise.id == Todo.enterprise_id)
            .where(_scope(user), condition).order_by(Todo.due_on, Todo.id))
    if limit is not None:
        stmt = stmt.limit(limit)
    return [TodoRow(item, firm, (item.due_on - today).days)
            for item, firm in session.execute(stmt)]


def open_items(session: DbSession, user: Any, today: date, limit: int | None = None
               ) -> list[TodoRow]:
    """Open items, earliest due first (overdue on top)."""
    return _rows(session, user, today, _open_now(today), limit)


def postponed_items(session: DbSession, user: Any, today: date) -> list[TodoRow]:
    """Open items postponed past today."""
    return _rows(session, user, today,
                 and_(Todo.status == "open", Todo.snoozed_until > today))


def settled_items(session: DbSession, user: Any, today: date, limit: int = 20) -> list[TodoRow]:
    """The latest items the user (or the system) settled."""
    stmt = (select(Todo, Enterprise.name)
            .outerjoin(Enterprise, Enterprise.id == Todo.enterprise_id)
            .where(_scope(user), Todo.status != "open")
            .order_by(Todo.settled_at.desc(), Todo.id.desc()).limit(limit))
    return [TodoRow(item, firm, (item.due_on - today).days)
            for item, firm in session.execute(stmt)]
