"""Admin use cases: change a user, hand firms over to an advisor in bulk. Flush, never commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from cultivation.accounts.models import ROLES, User
from cultivation.accounts.services import AccountError
from cultivation.audit import services as audit
from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.portfolios.models import PortfolioAssignment

log = logging.getLogger(__name__)


def open_portfolio_size(session: DbSession, user_id: int) -> int:
    """How many firms the user currently looks after."""
    return session.scalar(
        select(func.count(PortfolioAssignment.id)).where(
            PortfolioAssignment.advisor_id == user_id, PortfolioAssignment.ended_on.is_(None)
        )
    ) or 0


def _active_admins(session: DbSession) -> int:
    return session.scalar(
        select(func.count(User.id)).where(User.role == "admin", User.is_active_flag.is_(True))
    ) or 0


def update_user(
    session: DbSession, user: User, *, display_name: str, email: str | None, role: str,
    is_active: bool, password: str | None, actor: Any, now: datetime,
) -> dict[str, Any]:
    """Change a user; refuses to lock out the last admin or orphan an advisor's firms."""
    if role not in ROLES:
        raise AccountError("请选择有效的角色")
    losing_admin = user.role == "admin" and (role != "admin" or not is_active)
    if losing_admin and user.is_active and _active_admins(session) <= 1:
        raise AccountError("系统至少需要一名启用的科室管理员")
    if losing_admin and getattr(actor, "id", None) == user.id:
        raise AccountError("不能停用自己或取消自己的管理员角色")
    if user.role == "advisor" and role != "advisor":
        held = open_portfolio_size(session, user.id)
        if held:
            raise AccountError(
                f"该指导员仍联系 {held} 家企业，请先在“联系企业分配”中移交后再更改角色"
            )
    before = audit.snapshot(user, ("display_name", "email", "role"))
    before["is_active"] = user.is_active_flag
    user.display_name = display_name
    user.email = email or None
    user.role = role
    user.is_active_flag = is_active
    after = audit.snapshot(user, ("display_name", "email", "role"))
    after["is_active"] = is_active
    old, new = audit.diff(before, after)
    if password:
        user.set_password(password)
        new["password"] = "（已重置）"  # noqa: S105 - a marker in the audit log, never the password
    if password or "role" in new or "is_active" in new:
        user.end_sessions()  # the user's open sessions must not keep the old rights
    session.flush()
    if new:
        audit.record(session, actor=actor, entity_type="user", entity_id=user.id,
                     action="update", before=old, after=new, at=now)
    return new


def bulk_assign(
    session: DbSession, enterprise_ids: Iterable[int], advisor: User | None, *, on: date,
    actor: Any, now: datetime,
) -> int:
    """Hand many firms to ``advisor`` (None = unassign) from ``on``; returns how many changed.

    Set-based: one read of the open assignments, then the unit of work writes. History is kept
    (the old assignment ends on ``on``) except for a same-day correction, as in
    ``portfolios.services.assign``.
    """
    if advisor is not None and advisor.role != "advisor":
        raise AccountError("只能分配给科技指导员")
    ids = sorted(set(enterprise_ids))
    if not ids:
        return 0
    open_rows = {
        row.enterprise_id: row for row in session.scalars(
            select(PortfolioAssignment).where(
                PortfolioAssignment.enterprise_id.in_(ids), PortfolioAssignment.ended_on.is_(None)
            )
        )
    }
    target = advisor.id if advisor is not None else None
    changed = [i for i in ids if (open_rows[i].advisor_id if i in open_rows else None) != target]
    for enterprise_id in changed:
        row = open_rows.get(enterprise_id)
        if row is None:
            continue
        if row.started_on >= on:
            session.delete(row)
        else:
            row.ended_on = on
    session.flush()
    if target is not None:
        session.add_all(PortfolioAssignment(enterprise_id=i, advisor_id=target, started_on=on)
                        for i in changed)
    for i in changed:
        audit.record(session, actor=actor, entity_type="portfolio", entity_id=i, enterprise_id=i,
                     action="assign", after={"advisor_id": target}, at=now,
                     before={"advisor_id": open_rows[i].advisor_id if i in open_rows else None})
    session.flush()
    log.info("%s assigned %d firms to %s", getattr(actor, "username", actor), len(changed),
             advisor.username if advisor else "nobody")
    return len(changed)


def restore_enterprise(session: DbSession, firm: Enterprise, *, actor: Any, now: datetime) -> None:
    """Undo a soft delete: the firm is back in lists and reports with all its history."""
    firm.deleted_at = None
    firm.updated_at = now
    session.flush()
    audit.record(session, actor=actor, entity_type="enterprise", entity_id=firm.id,
                 enterprise_id=firm.id, action="restore", at=now)
