"""Who may see and change what. Views, exports, the API and reports ask here, never decide
themselves.

admin: everything. leader: reads everything, writes nothing. advisor: reads and writes the
firms in their current portfolio; of other firms only the public fields (name, credit code,
town, tier). ``visible_scope(user)`` is the one place that says which firms' other fields a
viewer may see — in Python and as SQL, so lists filter, sort and export through it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

import flask_login
from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, and_, case, null, select, true

from cultivation.extensions import db
from cultivation.portfolios.models import PortfolioAssignment

F = TypeVar("F", bound=Callable[..., Any])


# What every user may see of every live firm. Everything else about a firm — industry, tech
# domain, dates, size flags, contacts, figures, qualifications and institutions beyond the
# tier, visits, advisor, verdicts — is a detail: only for its own advisor, admins and leaders.
PUBLIC_FIELDS = frozenset({"name", "credit_code", "town", "tier"})


@dataclass(frozen=True)
class VisibleScope:
    """The firms whose details a viewer may see: all (``advisor_id`` None) or a portfolio."""

    advisor_id: int | None = None

    @property
    def everything(self) -> bool:
        return self.advisor_id is None

    def firm_ids(self) -> Select[int]:
        """Subquery-ready ids of the firms with visible details (every firm: all ids)."""
        if self.advisor_id is None:
            from cultivation.enterprises.models import Enterprise

            return select(Enterprise.id)
        return select(PortfolioAssignment.enterprise_id).where(
            PortfolioAssignment.advisor_id == self.advisor_id,
            PortfolioAssignment.ended_on.is_(None),
        )

    def details(self, firm_id: Any, *, owner: Any = None) -> ColumnElement[bool]:
        """SQL: the details of the firm whose id is ``firm_id`` are visible. A query that
        already joins the firm's open assignment passes its advisor column as ``owner``: the
        same test without a subquery."""
        if self.advisor_id is None:
            return true()
        if owner is not None:
            return owner == self.advisor_id  # type: ignore[no-any-return]
        return firm_id.in_(self.firm_ids())  # type: ignore[no-any-return]

    def field(self, column: Any, firm_id: Any, name: str | None = None, *,
              owner: Any = None) -> Any:
        """``column`` where visible, NULL elsewhere. Sort on this, never on the raw column,
        so a sort order tells nothing about other portfolios."""
        if self.advisor_id is None or (name or getattr(column, "key", "")) in PUBLIC_FIELDS:
            return column
        return case((self.details(firm_id, owner=owner), column), else_=null())

    def where(self, condition: Any, firm_id: Any, *, owner: Any = None) -> ColumnElement[bool]:
        """A filter on details: ``condition`` and the details visible — for an advisor it
        matches only firms of their portfolio, so keeping or dropping a firm tells nothing."""
        if self.advisor_id is None:
            return condition  # type: ignore[no-any-return]
        return and_(self.details(firm_id, owner=owner), condition)

    def shows(self, enterprise_id: int) -> bool:
        """Whether the details of one firm are visible (one query for an advisor)."""
        if self.advisor_id is None:
            return True
        return (
            db.session.scalar(self.firm_ids().where(
                PortfolioAssignment.enterprise_id == enterprise_id)) is not None
        )


EVERYTHING = VisibleScope()


def visible_scope(user: Any) -> VisibleScope:
    """What ``user`` may see: everything for admins, leaders (and the CLI: ``None``), an
    advisor's current portfolio for an advisor, nothing beyond the public fields otherwise."""
    if user is None:
        return EVERYTHING
    if getattr(user, "is_authenticated", False) and user.sees_everything:
        return EVERYTHING
    if getattr(user, "is_authenticated", False) and user.is_advisor:
        return VisibleScope(int(user.id))
    return VisibleScope(-1)  # no portfolio: no details


def in_portfolio(user: Any, enterprise_id: int) -> bool:
    """Whether the firm is in the advisor's current portfolio."""
    return (
        db.session.scalar(
            select(PortfolioAssignment.id).where(
                PortfolioAssignment.enterprise_id == enterprise_id,
                PortfolioAssignment.advisor_id == user.id,
                PortfolioAssignment.ended_on.is_(None),
            )
        )
        is not None
    )


def can_view_details(user: Any, enterprise_id: int) -> bool:
    """Figures, contacts, notes and visits: admin, leader, or the firm's own advisor."""
    if not getattr(user, "is_authenticated", False):
        return False
    return visible_scope(user).shows(enterprise_id)


def can_edit(user: Any, enterprise_id: int | None = None) -> bool:
    """Admins edit everything; advisors their portfolio (or a new firm); leaders nothing."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_admin:
        return True
    if user.is_advisor:
        return enterprise_id is None or in_portfolio(user, enterprise_id)
    return False


def roles_required(*roles: str) -> Callable[[F], F]:
    """View decorator: 403 unless the logged-in user has one of ``roles``."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                from cultivation.extensions import login_manager

                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def login_required(view: F) -> F:
    """Flask-Login's ``login_required`` with its type kept (anonymous → the login page)."""
    return cast(F, flask_login.login_required(view))
