"""Users, roles and API tokens (tokens and passwords are stored hashed)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from cultivation.database import UTCDateTime, utcnow
from cultivation.extensions import db

ROLES = {"admin": "科室管理员", "leader": "局领导", "advisor": "科技指导员"}


def _new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


def hash_token(raw: str) -> str:
    """SHA-256 of an API token: tokens are random and long, so a fast hash is enough."""
    return hashlib.sha256(raw.encode()).hexdigest()


_DUMMY_HASH: list[str] = []


def check_dummy_password(password: str) -> bool:
    """Spend as long as a real password check, for a username that does not exist."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(generate_password_hash(secrets.token_urlsafe(16)))
    check_password_hash(_DUMMY_HASH[0], password)
    return False


class User(UserMixin, db.Model):  # type: ignore[name-defined]
    """A person who logs in: admin, leader or advisor."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))
    password_hash: Mapped[str] = mapped_column(String(256))
    is_active_flag: Mapped[bool] = mapped_column("is_active", Boolean, default=True)
    digest_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    calendar_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=_new_calendar_token
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Part of every session's user id: bumping it (logout, password, role, deactivation) ends
    # all sessions of the user on every server, including cookies copied before.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")

    def get_id(self) -> str:
        """The session's user id: ``<id>:<generation>`` (see ``end_sessions``)."""
        return f"{self.id}:{self.session_generation}"

    def end_sessions(self) -> None:
        """Invalidate every existing session of this user (the caller commits)."""
        self.session_generation = (self.session_generation or 0) + 1

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_active_flag

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_leader(self) -> bool:
        return self.role == "leader"

    @property
    def is_advisor(self) -> bool:
        return self.role == "advisor"

    @property
    def sees_everything(self) -> bool:
        return self.role in ("admin", "leader")

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class ApiToken(db.Model):  # type: ignore[name-defined]
    """A bearer token for the JSON API; only its hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")


class LoginFailure(db.Model):  # type: ignore[name-defined]
    """One failed login (username as typed, lower-cased; client address): the throttle's
    counters live in the database so that every web process sees them."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_username_at", "username", "at"),
        Index("ix_login_failures_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
