"""Read side of application windows."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Select, select

from cultivation.accounts.models import User
from cultivation.database import DbSession
from cultivation.windows.models import ApplicationWindow


def windows_in(year: int | None = None, programme: str | None = None
               ) -> Select[ApplicationWindow]:
    """Windows (optionally of one application year / programme) in date order."""
    stmt = select(ApplicationWindow).order_by(ApplicationWindow.opens_on, ApplicationWindow.id)
    if year is not None:
        stmt = stmt.where(ApplicationWindow.year == year)
    if programme is not None:
        stmt = stmt.where(ApplicationWindow.programme == programme)
    return stmt


def windows_around(today: date, *, back_days: int = 60, ahead_days: int = 400
                   ) -> Select[ApplicationWindow]:
    """Windows not closed more than ``back_days`` ago and opening within ``ahead_days``."""
    return (
        select(ApplicationWindow)
        .where(ApplicationWindow.closes_on >= today - timedelta(days=back_days),
               ApplicationWindow.opens_on <= today + timedelta(days=ahead_days))
        .order_by(ApplicationWindow.opens_on, ApplicationWindow.id)
    )


def window_years(session: DbSession) -> list[int]:
    """The application years that have windows."""
    return list(session.scalars(select(ApplicationWindow.year).distinct()
                                .order_by(ApplicationWindow.year)))


def next_window_year(session: DbSession, today: date) -> int | None:
    """The application year of the next open or upcoming window (the soonest to close)."""
    return session.scalar(select(ApplicationWindow.year)
                          .where(ApplicationWindow.closes_on >= today)
                          .order_by(ApplicationWindow.closes_on).limit(1))


def list_windows(session: DbSession, year: int | None = None, programme: str | None = None
                 ) -> list[ApplicationWindow]:
    """The windows of ``windows_in``, loaded."""
    return list(session.scalars(windows_in(year, programme)))


def calendar_owner(session: DbSession, token: str) -> User | None:
    """The active user whose calendar feed has this secret token."""
    return session.scalar(select(User).where(User.calendar_token == token,
                                             User.is_active_flag.is_(True)))
