"""Declarative base, naming convention and column helpers shared by every concept's models."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TypeAlias

from sqlalchemy import (
    DateTime,
    Dialect,
    Engine,
    Integer,
    MetaData,
    Numeric,
    TypeDecorator,
    any_,
    bindparam,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Money in 万元 with two decimals; floats in Python (SQLite has no decimal type and the
# policy rules compare with an explicit tolerance).
Money = Numeric(16, 2, asdecimal=False)

# What services and queries take: a plain Session (jobs, CLI, tests) or Flask-SQLAlchemy's
# request-scoped `db.session`, a scoped_session proxy that forwards each Session method to the
# current context's session.
DbSession: TypeAlias = Session | scoped_session[Any]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Aware UTC now; used as a callable column default, never evaluated at import."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored as UTC and always returned timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def sqlite_pragmas(engine: Engine) -> None:
    """SQLite connections: foreign keys on, WAL, a busy timeout, and write transactions that
    take the write lock when they begin (no-op on other databases).

    WAL lets pages read while a job writes. A transaction that read first and then writes while
    another connection holds the write lock fails at once with "database is locked" (the busy
    timeout does not apply to that upgrade), so every transaction that may write starts with
    ``BEGIN IMMEDIATE`` and waits up to the busy timeout instead: jobs, the CLI and web requests
    other than GET/HEAD/OPTIONS. Read-only requests use a plain ``BEGIN`` and never wait.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")  # a no-op answer "memory" for :memory:
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable enough with WAL, much faster
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _may_write() else "BEGIN")


SQLITE_BUSY_TIMEOUT_MS = 10_000
_READING: ContextVar[bool] = ContextVar("cultivation_read_only_transactions", default=False)


@contextmanager
def read_only_transactions() -> Iterator[None]:
    """Transactions begun inside only read (SQLite: a plain BEGIN that takes no write lock), for
    long reads in a writing request such as an import's dry run. End the transaction (rollback)
    before leaving, and write in a new one afterwards."""
    token = _READING.set(True)
    try:
        yield
    finally:
        _READING.reset(token)


def _may_write() -> bool:
    """Whether the current transaction may write: not inside a read-only web request."""
    from flask import has_request_context, request

    if _READING.get():
        return False
    if has_request_context():
        return request.method not in ("GET", "HEAD", "OPTIONS")
    return True


def id_in(session: DbSession, column: Any, ids: Iterable[int]) -> Any:
    """``column IN ids`` for a batch of ids. PostgreSQL: ``column = ANY(:ids)`` with one array
    parameter — the same short statement for every batch, where an IN list of 1,000 parameters
    is a new statement text that psycopg parses again each time (a fifth of a screening run's
    time). Elsewhere the plain IN list."""
    values = [int(i) for i in ids]
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == any_(bindparam(None, values, type_=ARRAY(Integer)))
    return column.in_(values)
