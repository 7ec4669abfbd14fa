"""Login throttling: too many failures for one username or from one address lock the login
for a while. The counters are rows in ``login_failures`` (every web process sees them); a
successful login clears the username's failures ("consecutive"). Never commits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from cultivation.accounts.models import LoginFailure
from cultivation.audit import services as audit
from cultivation.database import DbSession


@dataclass(frozen=True)
class Limits:
    """How many failures per username / per address within ``window`` lock the login."""

    per_username: int
    per_address: int
    window: timedelta

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        return cls(int(config["LOGIN_MAX_FAILURES"]),
                   int(config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
                   timedelta(minutes=int(config["LOGIN_LOCK_MINUTES"])))


def _key(username: str) -> str:
    return username.strip().lower()[:50]


def _address(address: str | None) -> str:
    return (address or "unknown")[:64]


def _unlock_at(session: DbSession, column: Any, value: str, limit: int, since: datetime,
               window: timedelta) -> datetime | None:
    """When the ``limit``-th latest failure leaves the window, or None when under the limit."""
    stamps = list(session.scalars(
        select(LoginFailure.at).where(column == value, LoginFailure.at > since)
        .order_by(LoginFailure.at.desc()).limit(limit)))
    if limit <= 0 or len(stamps) < limit:
        return None
    return stamps[-1] + window


def retry_after(session: DbSession, username: str, address: str | None, *, now: datetime,
                limits: Limits) -> int | None:
    """Seconds until a login for ``username`` from ``address`` is accepted again, or None."""
    since = now - limits.window
    ends = [end for end in (
        _unlock_at(session, LoginFailure.username, _key(username), limits.per_username, since,
                   limits.window),
        _unlock_at(session, LoginFailure.address, _address(address), limits.per_address, since,
                   limits.window),
    ) if end is not None and end > now]
    if not ends:
        return None
    return max(1, math.ceil((max(ends) - now).total_seconds()))


def record_failure(session: DbSession, username: str, address: str | None, *, now: datetime,
                   limits: Limits, user: Any = None) -> bool:
    """Count a failed login; returns True (and audits a lockout) when it starts a lock."""
    session.add(LoginFailure(username=_key(username), address=_address(address), at=now))
    session.flush()
    # Old rows are of no use to anyone: keep the table as small as the window.
    session.execute(delete(LoginFailure).where(LoginFailure.at <= now - limits.window))
    if retry_after(session, username, address, now=now, limits=limits) is None:
        return False
    audit.record(session, actor=user or "anonymous", entity_type="user",
                 entity_id=getattr(user, "id", None), action="lockout", ip=address,
                 after={"username": _key(username), "address": _address(address),
                        "minutes": int(limits.window.total_seconds() // 60)}, at=now)
    return True


def clear_failures(session: DbSession, username: str) -> None:
    """A successful login ends the username's run of failures."""
    session.execute(delete(LoginFailure).where(LoginFailure.username == _key(username)))
