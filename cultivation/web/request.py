"""Helpers every blueprint's views share: the request's session, page numbers from the query
string, the status of a form re-rendered with errors."""

from __future__ import annotations

from flask import current_app, flash, request

from cultivation.database import DbSession
from cultivation.extensions import db
from cultivation.keyset import BAD_CURSOR, Cursor, decode, encode

INVALID = 422  # status of a form re-rendered with errors (nothing saved)
MAX_PAGE = 100_000  # a page number past this is a typo, not a page (and overflows OFFSET)


def dbs() -> DbSession:
    """The request's session (Flask-SQLAlchemy's scoped proxy), as the services take it."""
    return db.session


def int_arg(name: str, default: int = 1) -> int:
    """A positive page-like number from the query string; bad or huge values fall back."""
    try:
        value = int(request.args.get(name, default))
    except ValueError:
        return default
    return min(max(value, 1), MAX_PAGE)


def wants_xlsx() -> bool:
    """The page was asked for as a workbook (``?format=xlsx``)."""
    return request.args.get("format") == "xlsx"


def read_cursor(order: str, kinds: list[type]) -> Cursor | None:
    """The ``cursor`` query value if it is a valid cursor of this list; a forged or stale one
    warns (in Chinese) and gives None: the first page."""
    token = request.args.get("cursor", "")
    if not token:
        return None
    cursor = decode(token, str(current_app.secret_key), order, kinds)
    if cursor is None:
        flash(BAD_CURSOR, "warning")
    return cursor


def cursor_token(cursor: Cursor | None) -> str | None:
    return encode(cursor, str(current_app.secret_key)) if cursor is not None else None
