"""Paging of the API's lists: a typed page number (``page`` / ``per_page``: a bounded OFFSET, as
before) or a signed keyset ``cursor`` (``keyset``: the web pager's cursors, for the same list
and filters). Each paged answer carries the ``next`` link and its ``next_cursor`` (null on the
last page); a forged, garbled or foreign cursor answers 400 in Chinese, never 500."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from flask import current_app, request, url_for

from cultivation.api.auth import fail
from cultivation.api.openapi import param
from cultivation.keyset import Cursor, decode, encode

MAX_PER_PAGE = 200
BAD_CURSOR = ("翻页游标 cursor 无效：已损坏、被改动，或属于其他列表或筛选条件。"
              "请去掉 cursor 从第一页重新开始，再沿用应答中的 next 链接翻页")


def int_arg(name: str, default: int, low: int, high: int, errors: dict[str, list[str]]) -> int:
    """A whole-number query value in [low, high]; a bad one is noted in ``errors``."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not re.fullmatch(r"\d{1,9}", raw) or not low <= int(raw) <= high:
        errors[name] = [f"应为 {low}–{high} 的整数"]
        return default
    return int(raw)


def cursor_arg(order: str, kinds: Sequence[type]) -> Cursor | None:
    """The ``cursor`` query value of this list (``order``: its sort and filters), None when
    absent; any other value stops the request with 400."""
    token = request.args.get("cursor", "")
    if not token:
        return None
    cursor = decode(token, str(current_app.secret_key), order, kinds)
    if cursor is None:
        fail(400, BAD_CURSOR, {"cursor": ["无效的翻页游标"]})
    return cursor


def links(cursor: Cursor | None, per_page: int) -> dict[str, Any]:
    """``next`` (this request's URL with the cursor of the next page, other query values kept,
    ``page`` dropped) and ``next_cursor``; both null after the last page."""
    if cursor is None:
        return {"next": None, "next_cursor": None}
    token = encode(cursor, str(current_app.secret_key))
    args: dict[str, Any] = {k: v for k, v in request.args.items()
                            if k not in ("page", "cursor", "per_page")}
    args.update(per_page=per_page, cursor=token)
    return {"next": url_for(request.endpoint or "", **args),
            "next_cursor": token}


def page_params(default_note: str = "") -> list[dict[str, Any]]:
    """The OpenAPI description of ``page``, ``per_page`` and ``cursor``."""
    return [
        param("page", "integer", "页码（从 1 开始；有 cursor 时不用）" + default_note, minimum=1),
        param("per_page", "integer", f"每页条数（默认 50，最多 {MAX_PER_PAGE}）", minimum=1,
              maximum=MAX_PER_PAGE),
        param("cursor", "string", "翻页游标：上一页应答的 next_cursor（或直接请求 next 链接）；"
              "按索引从上一页末尾接着读，任何页码都一样快。无效的游标返回 400"),
    ]
