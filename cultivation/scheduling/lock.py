"""Only one active scheduler: a database lock taken before any job is scheduled.

PostgreSQL: ``pg_try_advisory_lock`` on a connection held for the process lifetime — the server
releases it the moment that process or connection dies. Other databases (SQLite in development):
a row in ``scheduler_locks`` with a lease the holder renews; a waiting process takes the row over
once the lease has expired. Both also keep the row's holder and heartbeat current so the admin
page can show who is running.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, func, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from cultivation.database import utcnow
from cultivation.scheduling.models import SchedulerLock

log = logging.getLogger(__name__)

LOCK_NAME = "scheduler"
ADVISORY_KEY = 0x63756C74697661  # "cultiva": a fixed 64-bit key for pg advisory locks


def holder_id() -> str:
    """hostname:pid:random — unique per process start."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class LeaseLock:
    """A lock row with a lease (works on any database; the only lock on SQLite)."""

    def __init__(self, engine: Engine, lease: timedelta, holder: str | None = None) -> None:
        self.engine = engine
        self.lease = lease
        self.holder = holder or holder_id()
        self.expires_at: datetime | None = None

    def acquire(self, now: datetime | None = None) -> bool:
        """Take the lock if it is free, expired or already ours."""
        now = now or utcnow()
        expires = now + self.lease
        try:
            with self.engine.begin() as conn:
                taken = conn.execute(
                    update(SchedulerLock)
                    .where(SchedulerLock.name == LOCK_NAME,
                           (SchedulerLock.holder == self.holder)
                           | (SchedulerLock.expires_at < now))
                    .values(holder=self.holder, acquired_at=now, heartbeat_at=now,
                            expires_at=expires)
                ).rowcount
                if not taken:
                    exists = conn.scalar(select(func.count()).select_from(SchedulerLock)
                                         .where(SchedulerLock.name == LOCK_NAME))
                    if exists:
                        return False
                    conn.execute(SchedulerLock.__table__.insert().values(
                        name=LOCK_NAME, holder=self.holder, acquired_at=now, heartbeat_at=now,
                        expires_at=expires))
        except IntegrityError:  # a rival inserted the row first
            return False
        except OperationalError as exc:
            if "locked" not in str(exc.orig):  # e.g. no such table: not a lock contention
                raise
            log.info("scheduler lock busy: %s", exc.orig)
            return False
        self.expires_at = expires
        return True

    def renew(self, now: datetime | None = None) -> bool:
        """Extend the lease; False once the lock is no longer ours."""
        now = now or utcnow()
        try:
            with self.engine.begin() as conn:
                ok = conn.execute(
                    update(SchedulerLock)
                    .where(SchedulerLock.name == LOCK_NAME, SchedulerLock.holder == self.holder)
                    .values(heartbeat_at=now, expires_at=now + self.lease)
                ).rowcount
        except OperationalError as exc:  # e.g. SQLite busy: keep going while the lease runs
            log.warning("scheduler lock renewal failed: %s", exc)
            return self.expires_at is not None and now < self.expires_at
        if ok:
            self.expires_at = now + self.lease
        return bool(ok)

    def release(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(SchedulerLock).where(SchedulerLock.name == LOCK_NAME,
                                                     SchedulerLock.holder == self.holder))


class AdvisoryLock:
    """PostgreSQL session advisory lock on a dedicated connection, plus the informational row."""

    def __init__(self, engine: Engine, lease: timedelta, holder: str | None = None) -> None:
        self.engine = engine
        self.lease = lease
        self.holder = holder or holder_id()
        self.conn: Connection | None = None

    def acquire(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        if self.conn is None:
            self.conn = self.engine.connect()
        got = bool(self.conn.scalar(select(func.pg_try_advisory_lock(ADVISORY_KEY))))
        self.conn.commit()  # the session-level lock outlives the transaction
        if not got:
            return False
        with self.engine.begin() as conn:
            conn.execute(delete(SchedulerLock).where(SchedulerLock.name == LOCK_NAME))
            conn.execute(SchedulerLock.__table__.insert().values(
                name=LOCK_NAME, holder=self.holder, acquired_at=now, heartbeat_at=now,
                expires_at=now + self.lease))
        return True

    def renew(self, now: datetime | None = None) -> bool:
        """Check the lock connection is alive (else the server released the lock)."""
        now = now or utcnow()
        if self.conn is None:
            return False
        try:
            self.conn.scalar(select(1))
            self.conn.commit()
        except DBAPIError as exc:
            log.error("scheduler lock connection lost: %s", exc)
            return False
        try:
            with self.engine.begin() as conn:
                conn.execute(update(SchedulerLock)
                             .where(SchedulerLock.name == LOCK_NAME,
                                    SchedulerLock.holder == self.holder)
                             .values(heartbeat_at=now, expires_at=now + self.lease))
        except DBAPIError as exc:  # the row is informational; the advisory lock still holds
            log.warning("scheduler heartbeat row not updated: %s", exc)
        return True

    def release(self) -> None:
        if self.conn is None:
            return
        try:
            self.conn.scalar(select(func.pg_advisory_unlock(ADVISORY_KEY)))
            self.conn.commit()
            with self.engine.begin() as conn:
                conn.execute(delete(SchedulerLock).where(SchedulerLock.name == LOCK_NAME,
                                                         SchedulerLock.holder == self.holder))
        finally:
            self.conn.close()
            self.conn = None


def make_lock(engine: Engine, lease: timedelta) -> LeaseLock | AdvisoryLock:
    """The right lock for the database behind ``engine``."""
    if engine.dialect.name == "postgresql":
        return AdvisoryLock(engine, lease)
    return LeaseLock(engine, lease)
