"""Bulk actions, read side: the firms ticked on a list, checked as one set against what the
user may see (``accounts.access.visible_scope``) — all of them or none."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from cultivation.accounts.access import VisibleScope
from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise

MAX_SELECTION = 500  # firms per bulk action; a list page shows 50


class SelectionError(ValueError):
    """A refused selection, with a Chinese message (422)."""

    status = 422


def parse_ids(raw: Iterable[str]) -> list[int]:
    """The ticked ids (duplicates from the table and the phone cards folded), sorted."""
    ids: set[int] = set()
    for value in raw:
        text = value.strip()
        if not text.isdigit() or len(text) > 18:  # 18 digits stay inside a BIGINT
            raise SelectionError("所选企业有误，请刷新页面后重新勾选")
        ids.add(int(text))
    if not ids:
        raise SelectionError("请先勾选要处理的企业")
    if len(ids) > MAX_SELECTION:
        raise SelectionError(
            f"一次最多处理 {MAX_SELECTION} 家企业（已选 {len(ids)} 家），请分批操作")
    return sorted(ids)


def visible_selection(session: DbSession, raw: Iterable[str], scope: VisibleScope) -> list[int]:
    """The ticked firms if every one is live and within ``scope``; otherwise ``SelectionError``
    naming how many are not (nothing is done then). One query."""
    ids = parse_ids(raw)
    found = set(session.scalars(
        select(Enterprise.id).where(Enterprise.id.in_(ids), Enterprise.deleted_at.is_(None),
                                    scope.details(Enterprise.id))))
    missing = len(ids) - len(found)
    if missing:
        raise SelectionError(
            f"所选企业中有 {missing} 家不在您的联系企业范围内或已删除，"
            "本次操作未执行（请重新勾选）")
    return ids
