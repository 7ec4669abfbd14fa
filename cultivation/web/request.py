"""Helpers every blueprint's views share: the request's session, page numbers from the query
string, the status of a form re-rendered with errors."""

from __future__ import annotations

from flask import request

from cultivation.database import DbSession
from cultivation.extensions import db

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
