"""Admin use cases: change a user, restore a deleted firm. Flush, never commit.

(Handing firms over in bulk is ``portfolios.services.bulk_assign``.)
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from cultivation.accounts.models import ROLES, User
from cultivation.accounts.services import AccountError
from cultivation.audit import services as audit
from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.portfolios.services import open_portfolio_size

log = logging.getLogger(__name__)


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


def restore_enterprise(session: DbSession, firm: Enterprise, *, actor: Any, now: datetime) -> None:
    """Undo a soft delete: the firm is back in lists and reports with all its history."""
    firm.deleted_at = None
    firm.updated_at = now
    session.flush()
    audit.record(session, actor=actor, entity_type="enterprise", entity_id=firm.id,
                 enterprise_id=firm.id, action="restore", at=now)
