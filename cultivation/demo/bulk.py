"""Write many rows of one table fast and with flat memory: in batches, straight to the driver
(PostgreSQL ``COPY … FROM STDIN``; SQLite ``executemany`` with the column types' own value
conversion), on the session's connection and in its transaction. Python-side column defaults
(``created_at``, ``version`` …) are filled in as SQLAlchemy would; the rows are consumed from
an iterator one batch at a time, so the caller can generate them lazily."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from sqlalchemy import JSON, Table

from cultivation.database import DbSession

BATCH = 5_000


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def _default(column: Any) -> Callable[[], Any] | None:
    default = column.default
    if default is None:
        return None
    if default.is_scalar:
        return lambda: default.arg
    if default.is_callable:
        return lambda: default.arg(None)
    return None


def write_rows(session: DbSession, table: Table, rows: Iterable[dict[str, Any]],
               batch: int = BATCH) -> int:
    """Insert ``rows`` (dicts of column values; every row with the same keys) into ``table``;
    returns how many. Columns missing from the rows get their Python default, if any."""
    dialect = session.get_bind().dialect
    driver = session.connection().connection.driver_connection
    assert driver is not None
    postgres = dialect.name == "postgresql"
    written = 0
    names: list[str] = []
    fill: dict[str, Callable[[], Any]] = {}
    convert: list[Callable[[Any], Any] | None] = []
    for chunk in _batches(rows, batch):
        if not names:
            given = set(chunk[0])
            for column in table.columns:
                if column.name in given:
                    names.append(column.name)
                elif (made := _default(column)) is not None:
                    names.append(column.name)
                    fill[column.name] = made
            columns = [table.c[name] for name in names]
            convert = ([(json.dumps if isinstance(c.type, JSON) else None) for c in columns]
                       if postgres else [c.type.bind_processor(dialect) for c in columns])
        filled = {name: make() for name, make in fill.items()}  # one "now" per batch
        values = [[(f(v) if f is not None and v is not None else v) for f, v in zip(
            convert, (row[n] if n in row else filled[n] for n in names), strict=True)]
            for row in chunk]
        if postgres:
            with driver.cursor() as cursor, cursor.copy(
                    f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
        else:
            marks = ", ".join("?" for _ in names)
            cursor = driver.cursor()
            cursor.executemany(
                f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})",  # noqa: S608
                values)
            cursor.close()
        written += len(chunk)
    return written
