"""Idempotent writes: insert rows whose unique key is new, do nothing for keys already there.

The same code path on PostgreSQL and SQLite (``INSERT … ON CONFLICT DO NOTHING RETURNING``); a
concurrent insert of the same key in another transaction waits for it and then does nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Result
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert

from cultivation.database import DbSession


def _insert(session: DbSession, model: Any) -> PgInsert | SqliteInsert:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(model)
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(model)
    raise RuntimeError(f"unsupported database dialect for idempotent inserts: {dialect}")


def insert_new(
    session: DbSession, model: Any, rows: Sequence[dict[str, Any]], *, key: str,
    returning: str | None = None,
) -> list[Any]:
    """Insert ``rows``; return ``returning`` (default: ``key``) of the rows that were new —
    rows whose unique ``key`` already exists are skipped."""
    if not rows:
        return []
    column = getattr(model, key)
    stmt = (
        _insert(session, model)
        .values(list(rows))
        .on_conflict_do_nothing(index_elements=[column.key])
        .returning(getattr(model, returning or key))
    )
    return list(session.execute(stmt).scalars())


def affected(result: Result[Any]) -> int:
    """Rows changed by an UPDATE or DELETE executed through a session."""
    return int(cast(CursorResult[Any], result).rowcount or 0)
