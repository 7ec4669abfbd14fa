"""What the list pages' working tools share (saved filters, bulk actions): a refused POST is
answered with the list itself — same query string, the error beside the form that caused it, the
typed values and the ticked firms kept — and a 4xx status."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, g
from flask.typing import ResponseReturnValue


@dataclass(frozen=True)
class Notice:
    """A refused working-tool POST: which form (``save``, ``visits``, ``assign``, ``export``),
    the Chinese message, what was typed and which firms were ticked."""

    form: str
    message: str
    values: dict[str, str] = field(default_factory=dict)
    selected: frozenset[int] = frozenset()


def relist(endpoint: str, notice: Notice, status: int) -> ResponseReturnValue:
    """Render the list page ``endpoint`` for this request's query string, with ``notice``."""
    g.worklist = notice
    body: Any = current_app.view_functions[endpoint]()
    return body, status
