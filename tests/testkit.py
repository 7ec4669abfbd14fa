"""Helpers shared by test modules (import as ``from testkit import ...``)."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import event
from sqlalchemy.engine import Engine

TEST_PASSWORD = "correct-horse-battery"
_CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_from(html: str) -> str:
    """The CSRF token in a rendered form (what a browser would submit)."""
    match = _CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


class QueryCounter:
    """Counts SQL statements sent to the database."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            self.statements.append(statement)


@contextmanager
def count_queries(engine: Engine) -> Iterator[QueryCounter]:
    """``with count_queries(db.engine) as q: ...`` then ``q.count``."""
    counter = QueryCounter()
    event.listen(engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", counter)


def response_text(response: Any) -> str:
    """What a user can read in a response: the body as text, or every cell of an xlsx."""
    body = response.get_data()
    if body[:2] != b"PK":
        return str(body.decode("utf-8", errors="replace"))
    book = load_workbook(io.BytesIO(body))
    return "\n".join(
        "\t".join("" if v is None else str(v) for v in row)
        for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))


def pager_link(page: str, rel: str) -> str | None:
    """The href of a keyset pager's 下一页 (``rel="next"``) or 上一页 link, or None."""
    label = "下一页" if rel == "next" else "上一页"
    found = re.search(rf'<a class="page-link" href="([^"]+)"[^>]*>{label}</a>', page)
    return html.unescape(found.group(1)) if found else None


def walk_pages(client: Any, url: str, codes: Callable[[str], list[str]], rel: str = "next",
               bad_cursor: str = "翻页链接无效") -> tuple[list[list[str]], str]:
    """Follow a keyset pager's 下一页 (or 上一页) links from ``url``: each page's firm codes (as
    ``codes`` reads them) and the last page's HTML. Every page answers 200 with no bad-cursor
    notice, and the walk ends within 20 pages."""
    pages, last = [], ""
    while url:
        response = client.get(url)
        assert response.status_code == 200
        last = response.get_data(as_text=True)
        assert bad_cursor not in last
        pages.append(codes(last))
        url = pager_link(last, rel) or ""
        assert len(pages) < 20
    return pages, last
