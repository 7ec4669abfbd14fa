"""Saved filters, read side: a page's query string reduced to its known filter parameters, and a
user's own filters. Never writes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import select

from cultivation.database import DbSession
from cultivation.enterprises.queries import SORTS
from cultivation.qualifications.tiers import TIER_LABELS
from cultivation.savedfilters.models import SavedFilter
from cultivation.screening.queries import APPLICATION_LABELS, CHANGES, OUTCOMES, SCREENED_RULES

MAX_VALUE = 200  # a longer value is no filter anybody typed

Check = Callable[[str], bool]


def _any(value: str) -> bool:
    return True


def _one_of(*allowed: object) -> Check:
    choices = {str(a) for a in allowed}
    return lambda value: value in choices


# Per page: the filter parameters it reads and which values it accepts. Paging, ``as_of`` and
# the export format are not filters; the scope and the advisor are kept but never widen what
# the user sees (the list applies ``accounts.access.visible_scope`` whatever the query says).
PARAMS: dict[str, dict[str, Check]] = {
    "enterprises": {
        "q": _any, "town": _any, "industry": _any, "tier": _one_of(*TIER_LABELS),
        "advisor": _any, "scope": _one_of("mine", "all"),
        "sort": _one_of(*SORTS, "tier"), "desc": _one_of("1"),
    },
    "candidates": {
        "rules": _one_of(*SCREENED_RULES), "outcome": _one_of(*OUTCOMES),
        "change": _one_of(*CHANGES), "application": _one_of(*APPLICATION_LABELS),
        "town": _any, "industry": _any, "advisor": _any,
    },
}
PAGE_ENDPOINTS = {"enterprises": "enterprises.index", "candidates": "screening.candidates_page"}
PAGE_LABELS = {"enterprises": "企业库", "candidates": "培育库"}


def normalise(page: str, args: Mapping[str, str] | str) -> str:
    """``args`` (a mapping or a query string) as a canonical query string of ``page``'s known
    filters: unknown keys, blank or unknown values dropped, keys sorted."""
    known = PARAMS[page]
    pairs = parse_qsl(args, keep_blank_values=False) if isinstance(args, str) else \
        list(args.items())
    kept: dict[str, str] = {}
    for key, raw in pairs:
        value = raw.strip()
        if key in known and key not in kept and value and len(value) <= MAX_VALUE \
                and "\x00" not in value and known[key](value):
            kept[key] = value
    return urlencode(sorted(kept.items()))


def list_query(page: str, args: Mapping[str, str]) -> str:
    """The list's query string to come back to: its known filters and its page number."""
    query = normalise(page, args)
    number = args.get("page", "")
    if number.isdigit() and len(number) < 7:
        query = "&".join(q for q in (query, f"page={number}") if q)
    return query


def filters_of(session: DbSession, user_id: int, page: str) -> list[SavedFilter]:
    """The user's own saved filters of ``page``, by name."""
    return list(session.scalars(
        select(SavedFilter).where(SavedFilter.user_id == user_id, SavedFilter.page == page)
        .order_by(SavedFilter.name, SavedFilter.id)))
