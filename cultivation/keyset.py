"""Keyset pagination: an opaque, signed cursor naming the last (or first) row of a page, and the
SQL predicate "rows after / before it" in a sort order whose last key is a unique id.

A page is read as ``WHERE (k1, …, id) > (cursor values) ORDER BY k1, …, id LIMIT n + 1`` — an
index walk from the cursor, whatever the page number — instead of ``OFFSET``, which reads and
drops every earlier row. ``before`` pages run the order backwards and are flipped back.

NULL sorts where the database's b-tree puts it (PostgreSQL: after every value; SQLite: before),
so an index on ``(key, id)`` serves both directions; the predicate places NULL the same way.
The cursor is signed with the app's secret: a forged, garbled or stale one decodes to ``None``
and the page falls back to the first page (web) or answers 400 (API), never 500.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select, text, tuple_

BAD_CURSOR = "翻页链接无效或已过期，已回到第一页"
MAX_TOKEN = 600  # characters: a real cursor is far shorter


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after (``forward``) or before the row whose sort values are
    ``values`` and whose id is ``last_id``; ``order`` names the sort it belongs to (a cursor
    of another sort or filter set is refused); ``page`` is the number shown for that page."""

    order: str
    values: tuple[Any, ...]
    last_id: int
    forward: bool = True
    page: int = 1


def _sign(payload: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()[:24]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def encode(cursor: Cursor, secret: str) -> str:
    """The cursor as a URL-safe token (JSON, base64url, HMAC-signed)."""
    body = json.dumps([cursor.order, [_plain(v) for v in cursor.values], cursor.last_id,
                       int(cursor.forward), cursor.page], ensure_ascii=False,
                      separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(body).decode().rstrip("=") + "." + _sign(body, secret)


def decode(token: str, secret: str, order: str, kinds: Sequence[type]) -> Cursor | None:
    """The cursor in ``token`` if it is ours, belongs to ``order`` and its values have the
    ``kinds`` expected (str, int, float, date, datetime; any may be None); else None."""
    if not token or len(token) > MAX_TOKEN or "." not in token:
        return None
    data, _, signature = token.rpartition(".")
    try:
        body = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    except ValueError:
        return None
    if not hmac.compare_digest(_sign(body, secret), signature):
        return None
    try:
        got_order, raw, last_id, forward, page = json.loads(body)
        if got_order != order or len(raw) != len(kinds) or type(last_id) is not int:
            return None
        values = tuple(_typed(v, kind) for v, kind in zip(raw, kinds, strict=True))
        return Cursor(order, values, last_id, bool(forward), max(1, min(int(page), 10**6)))
    except (ValueError, TypeError):
        return None


def _typed(value: Any, kind: type) -> Any:
    if value is None:
        return None
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is float and type(value) in (int, float):
        return float(value)
    if type(value) is not kind:
        raise TypeError(value)
    return value


def beyond(keys: Sequence[Any], id_col: Any, cursor: Cursor, *, descending: bool,
           nulls_high: bool, nullable: Sequence[bool]) -> ColumnElement[bool]:
    """Rows strictly past the cursor in the walk's direction: the sort ``keys`` then ``id_col``
    ascending (or all descending), walked forwards or, for a ``before`` cursor, backwards.

    Non-null keys compare as one row value (an index range scan); a nullable key that is NULL
    in the cursor, or NULLs that come later in the walk, are spelled out."""
    upward = descending != cursor.forward  # the walk goes to larger values
    return _past(list(keys), id_col, list(cursor.values), cursor.last_id, upward=upward,
                 nulls_high=nulls_high, nullable=list(nullable))


def _past(keys: list[Any], id_col: Any, values: list[Any], last_id: int, *, upward: bool,
          nulls_high: bool, nullable: list[bool]) -> ColumnElement[bool]:
    if not keys:
        return id_col > last_id if upward else id_col < last_id  # type: ignore[no-any-return]
    # Leading non-null run: one row-value comparison, then recurse on ties at the first nullable.
    head, value, may_null = keys[0], values[0], nullable[0]
    nulls_later = nulls_high == upward  # NULL rows come after every value in this walk
    if not may_null:
        run = 1
        while run < len(keys) and not nullable[run]:
            run += 1
        if run == len(keys):
            row = tuple_(*keys, id_col)
            bound = tuple_(*_binds(keys, values), literal(last_id, id_col.type))
            return row > bound if upward else row < bound
        row, bound = tuple_(*keys[:run]), tuple_(*_binds(keys[:run], values[:run]))
        ahead = row > bound if upward else row < bound
        tie = and_(*(k == v for k, v in zip(keys[:run], values[:run], strict=True)))
        rest = _past(keys[run:], id_col, values[run:], last_id, upward=upward,
                     nulls_high=nulls_high, nullable=nullable[run:])
        return or_(ahead, and_(tie, rest))
    rest = _past(keys[1:], id_col, values[1:], last_id, upward=upward, nulls_high=nulls_high,
                 nullable=nullable[1:])
    if value is None:
        tie = and_(head.is_(None), rest)
        return tie if nulls_later else or_(head.is_not(None), tie)
    ahead = head > value if upward else head < value
    past = or_(ahead, and_(head == value, rest))
    return or_(past, head.is_(None)) if nulls_later else past


def segments(key: Any, id_col: Any, cursor: Cursor, *, descending: bool,
             nulls_high: bool) -> list[ColumnElement[bool]]:
    """The rows past the cursor for ONE nullable sort key, as predicates to read in turn (each
    an index range: a row-value comparison, or the NULL rows), where ``beyond`` would need an
    OR that no index serves."""
    upward = descending != cursor.forward
    nulls_later = nulls_high == upward
    value, last_id = cursor.values[0], cursor.last_id
    after_id = id_col > last_id if upward else id_col < last_id
    if value is None:
        nulls = and_(key.is_(None), after_id)
        return [nulls] if nulls_later else [nulls, key.is_not(None)]
    row = tuple_(key, id_col)
    bound = tuple_(literal(value, key.type), literal(last_id, id_col.type))
    values = row > bound if upward else row < bound
    return [values, key.is_(None)] if nulls_later else [values]


def read_segments(session: Any, stmt: Any, parts: Sequence[Any], limit: int
                  ) -> list[Any]:
    """Up to ``limit`` rows of ``stmt`` (already ordered) under each predicate in turn."""
    found: list[Any] = []
    for part in parts:
        found += session.execute(stmt.where(part).limit(limit - len(found))).all()
        if len(found) >= limit:
            break
    return found


def _binds(keys: Sequence[Any], values: Sequence[Any]) -> list[Any]:
    """The cursor's values as bind parameters of their key's type (dates stored as text in
    SQLite compare right only when bound the way the column writes them)."""
    return [literal(v, k.type) for k, v in zip(keys, values, strict=True)]


def nulls_high(dialect_name: str) -> bool:
    """Whether the database's b-tree puts NULL after every value (ascending)."""
    return dialect_name == "postgresql"



# ---------------------------------------------------------------- totals

CAP = 2_000  # counted exactly up to here; past it, an estimate or "2,000+"


@dataclass(frozen=True)
class Total:
    """A list's size: ``n`` exactly, or about ``n`` (``approx``: table statistics), or more
    than ``n`` (``more``: counting further would cost more than the page)."""

    n: int
    approx: bool = False
    more: bool = False

    @property
    def label(self) -> str:
        if self.more:
            return f"{self.n:,}+"
        return f"约 {self.n:,}" if self.approx else f"{self.n:,}"


def counted(session: Any, ids: Select[Any], *, table: str | None = None) -> Total:
    """Count the rows ``ids`` selects, reading at most CAP + 1 of them. A list that is the
    whole ``table`` and larger than the cap by the statistics (PostgreSQL reltuples, SQLite's
    sqlite_stat1) is not counted: about that many. Else past the cap: "CAP+"."""
    if table is not None:
        estimate = estimated_rows(session, table)
        if estimate is not None and estimate > CAP:
            return Total(estimate, approx=True)
    n = session.scalar(select(func.count()).select_from(ids.limit(CAP + 1).subquery())) or 0
    return Total(n) if n <= CAP else Total(CAP, more=True)


def estimated_rows(session: Any, table: str) -> int | None:
    """The planner's row count of ``table`` (after ANALYZE), or None when there is none."""
    if session.get_bind().dialect.name == "postgresql":
        value = session.scalar(text("SELECT reltuples FROM pg_class WHERE oid = "
                                    "to_regclass(:t)"), {"t": table})
        return int(value) if value is not None and value >= 0 else None
    try:
        stat = session.scalar(text("SELECT stat FROM sqlite_stat1 WHERE tbl = :t LIMIT 1"),
                              {"t": table})
    except Exception:  # noqa: BLE001 (no ANALYZE yet: no statistics table)
        return None
    try:
        return int(str(stat).split()[0]) if stat else None
    except ValueError:
        return None
