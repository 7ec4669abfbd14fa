"""The firm list (企业库) a page at a time, bounded at any size: keyset pages from a signed cursor
(``keyset``), a bounded OFFSET for a typed page number, and a total that is exact when cheap
and an estimate (约) otherwise. Every sort the page offers has an index on (key, id)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from cultivation.accounts.access import VisibleScope
from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.enterprises.queries import (
    SORTS,
    EnterpriseFilters,
    EnterpriseRow,
    key_statement,
    row_statement,
    tier_rank,
)
from cultivation.keyset import (
    Cursor,
    Total,
    beyond,
    counted,
    nulls_high,
    read_segments,
    segments,
)

# Python type of each sort's key (cursor values are checked against it).
KINDS: dict[str, type] = {"name": str, "code": str, "town": str, "industry": str,
                          "registered": date, "updated": datetime, "tier": int}
NULLABLE = {"industry", "registered"}  # columns that may be NULL for any viewer


def sort_key(filters: EnterpriseFilters, scope: VisibleScope) -> tuple[Any, bool]:
    """The sort's SQL key (detail columns masked for other portfolios) and whether it may be
    NULL in this viewer's list."""
    from cultivation.portfolios.models import PortfolioAssignment

    if filters.sort == "tier":
        return tier_rank(), False
    column = SORTS.get(filters.sort, Enterprise.name)
    key = scope.field(column, Enterprise.id, owner=PortfolioAssignment.advisor_id)
    return key, filters.sort in NULLABLE or key is not column


def order_name(filters: EnterpriseFilters) -> str:
    """What a cursor belongs to: the sort, its direction and every filter (a cursor carried to
    another filter set would skip rows)."""
    return "|".join(("firms", filters.sort, "d" if filters.desc else "a", filters.q, filters.town,
                     filters.industry, filters.tier, filters.advisor,
                     filters.registered_by.isoformat() if filters.registered_by else ""))


@dataclass(frozen=True)
class ListPage:
    """One page of the list, its number, and the cursors of the pages around it (None: none)."""

    rows: list[EnterpriseRow]
    page: int
    next_cursor: Cursor | None
    previous_cursor: Cursor | None


def list_window(session: DbSession, filters: EnterpriseFilters, as_of: date, *, per_page: int,
                scope: VisibleScope, cursor: Cursor | None = None, page: int = 1) -> ListPage:
    """The page after / before ``cursor``, or page ``page`` (bounded OFFSET) without one. Two
    queries: the page's ids and keys (an index walk of ``per_page + 1`` entries from the
    cursor), then firm, tier and advisor for those ids only."""
    key, nullable = sort_key(filters, scope)
    descending = filters.desc
    keys = key_statement(filters, as_of, scope).add_columns(key.label("sort_key"))
    forward = cursor is None or cursor.forward
    walk_down = descending == forward  # this walk reads the keys from large to small
    order = [key.desc(), Enterprise.id.desc()] if walk_down else [key.asc(), Enterprise.id.asc()]
    keys = keys.order_by(*order)
    high = nulls_high(session.get_bind().dialect.name)
    if cursor is None:
        found = list(session.execute(keys.limit(per_page + 1).offset(
            (max(page, 1) - 1) * per_page)).all())
    else:
        page = cursor.page
        parts = (segments(key, Enterprise.id, cursor, descending=descending, nulls_high=high)
                 if nullable else [beyond([key], Enterprise.id, cursor, descending=descending,
                                          nulls_high=high, nullable=[False])])
        found = read_segments(session, keys, parts, per_page + 1)
    more = len(found) > per_page
    found = found[:per_page]
    if not forward:
        found.reverse()
    rows = _rows(session, as_of, scope, [r[0] for r in found])
    if not found:
        return ListPage(rows, page, None, None)
    name = order_name(filters)
    first, last = found[0], found[-1]
    has_next = more if forward else True
    has_previous = page > 1 if forward else more
    return ListPage(
        rows, page,
        Cursor(name, (last[1],), last[0], True, page + 1) if has_next else None,
        Cursor(name, (first[1],), first[0], False, max(page - 1, 1)) if has_previous else None)


def _rows(session: DbSession, as_of: date, scope: VisibleScope, ids: list[int]
          ) -> list[EnterpriseRow]:
    if not ids:
        return []
    stmt = row_statement(as_of, scope).where(Enterprise.id.in_(ids))
    by_id = {r[0].id: EnterpriseRow(r[0], r[1], r[2], r[3]) for r in session.execute(stmt)}
    return [by_id[i] for i in ids if i in by_id]


def list_total(session: DbSession, filters: EnterpriseFilters, as_of: date, *,
               scope: VisibleScope) -> Total:
    """How many firms the list holds: exact up to a cap; above it an estimate from the table's
    statistics when unfiltered, else "more than the cap"."""
    unfiltered = scope.everything and filters == EnterpriseFilters(sort=filters.sort,
                                                                  desc=filters.desc)
    return counted(session, key_statement(filters, as_of, scope),
                   table="enterprises" if unfiltered else None)


def exact_total(session: DbSession, filters: EnterpriseFilters, as_of: date, *,
                scope: VisibleScope) -> int:
    """The exact count (the API's ``total``)."""
    keys = key_statement(filters, as_of, scope)
    return session.scalar(select(func.count()).select_from(keys.subquery())) or 0
