"""Use cases for users and API tokens. Never commit: the caller does."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update

from cultivation.accounts.models import ROLES, ApiToken, User, hash_token
from cultivation.audit import services as audit
from cultivation.database import DbSession


class AccountError(ValueError):
    """A user-facing (Chinese) reason a user operation was refused."""


USERNAME_RE = re.compile(r"[A-Za-z0-9_.-]+")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def get_by_username(session: DbSession, username: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def create_user(
    session: DbSession,
    username: str,
    *,
    role: str,
    password: str,
    display_name: str | None = None,
    email: str | None = None,
    actor: Any = None,
) -> User:
    """Add a user; refuses an unknown role or a taken username."""
    if role not in ROLES:
        raise AccountError(f"角色必须是 {', '.join(ROLES)} 之一")
    if not username or len(username) > 50:
        raise AccountError("用户名不能为空且不超过50个字符")
    if not USERNAME_RE.fullmatch(username):  # the admin page's rule: CLI users must log in too
        raise AccountError("用户名只能包含字母、数字、下划线、点和连字符")
    if email is not None and (len(email) > 200 or not EMAIL_RE.fullmatch(email)):
        raise AccountError(f"电子邮箱格式不正确：{email[:50]}")
    if get_by_username(session, username) is not None:
        raise AccountError(f"用户名“{username}”已存在")
    if len(password) < 8:
        raise AccountError("密码至少8位")
    user = User(username=username, role=role, display_name=display_name or username, email=email)
    user.set_password(password)
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=actor,
        entity_type="user",
        entity_id=user.id,
        action="create",
        after={"username": username, "role": role, "email": email},
    )
    return user


def issue_token(session: DbSession, user: User, *, label: str | None = None) -> str:
    """Create an API token for ``user``; returns the raw token (shown once, stored hashed)."""
    raw = secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(raw), label=label))
    session.flush()
    audit.record(session, actor=user, entity_type="api_token", entity_id=user.id, action="issue")
    return raw


TOKEN_USE_RESOLUTION = timedelta(minutes=1)  # ``last_used_at`` is written at most this often


def token_for(session: DbSession, raw: str) -> ApiToken | None:
    """The unrevoked token of an active user matching ``raw`` (reads only)."""
    token: ApiToken | None = session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == hash_token(raw), ApiToken.revoked_at.is_(None)
        )
    )
    if token is None or not token.user.is_active:
        return None
    return token


def token_use_due(token: ApiToken, now: datetime) -> bool:
    """Whether ``last_used_at`` is older than the resolution (one write a minute per token,
    not one per request: that write made every API request a write transaction)."""
    return token.last_used_at is None or token.last_used_at <= now - TOKEN_USE_RESOLUTION


def record_token_use(session: DbSession, token_id: int, *, now: datetime) -> None:
    """Stamp ``last_used_at`` with one conditional UPDATE (a no-op if another request did)."""
    session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id,
               or_(ApiToken.last_used_at.is_(None),
                   ApiToken.last_used_at <= now - TOKEN_USE_RESOLUTION))
        .values(last_used_at=now)
    )


def revoke_token(session: DbSession, token: ApiToken, *, actor: Any, now: datetime) -> None:
    token.revoked_at = now
    audit.record(session, actor=actor, entity_type="api_token", entity_id=token.id, action="revoke")


def display_names(session: DbSession, user_ids: set[int]) -> dict[int, str]:
    """Display name by user id, for the ids given (one query)."""
    if not user_ids:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))
    return {user_id: name for user_id, name in rows}
