"""Saved filters, write side: save and delete a user's own named filter (flush, audit; the
view commits). Audited like the 待办 actions: a user's own state, but a write all the same, and
the audit log is where an admin looks for "who did what when"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from cultivation.audit import services as audit
from cultivation.database import DbSession
from cultivation.inputs import text
from cultivation.savedfilters.models import SavedFilter
from cultivation.savedfilters.queries import PARAMS, normalise

MAX_NAME = 40
MAX_PER_PAGE = 50


class SavedFilterError(ValueError):
    """A refused save or delete, with a Chinese message and the HTTP status to answer."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def save(session: DbSession, user: Any, page: str, name: Any, args: Any, *,
         now: datetime) -> SavedFilter:
    """Store the page's current filters (``args``) under ``name`` for ``user``."""
    if page not in PARAMS:
        raise SavedFilterError("未知的列表页面", 404)
    label = text(name)
    if label is None:
        raise SavedFilterError("请填写筛选名称")
    if len(label) > MAX_NAME:
        raise SavedFilterError(f"筛选名称不能超过 {MAX_NAME} 个字（现有 {len(label)} 个）")
    query = normalise(page, args)
    if not query:
        raise SavedFilterError("当前没有任何筛选条件，无需保存")
    mine = select(SavedFilter.id).where(SavedFilter.user_id == user.id, SavedFilter.page == page)
    if session.scalar(mine.where(SavedFilter.name == label)) is not None:
        raise SavedFilterError(f"已有名为“{label}”的筛选，请换一个名称", 409)
    if (session.scalar(select(func.count()).select_from(mine.subquery())) or 0) >= MAX_PER_PAGE:
        raise SavedFilterError(f"每个页面最多保存 {MAX_PER_PAGE} 个筛选，请先删除不用的")
    saved = SavedFilter(user_id=user.id, page=page, name=label, query=query, created_at=now)
    try:
        with session.begin_nested():
            session.add(saved)
            session.flush()
    except IntegrityError as exc:  # the same name saved at the same moment in another tab
        raise SavedFilterError(f"已有名为“{label}”的筛选，请换一个名称", 409) from exc
    audit.record(session, actor=user, entity_type="saved_filter", entity_id=saved.id,
                 action="create", after={"page": page, "name": label, "query": query}, at=now)
    return saved


def delete(session: DbSession, user: Any, filter_id: int, *, now: datetime) -> SavedFilter:
    """Delete one of the user's own filters; someone else's (or none) is 404."""
    saved = session.get(SavedFilter, filter_id)
    if saved is None or saved.user_id != user.id:
        raise SavedFilterError("没有找到该筛选（已删除或不属于您）", 404)
    audit.record(session, actor=user, entity_type="saved_filter", entity_id=saved.id,
                 action="delete", before={"page": saved.page, "name": saved.name,
                                          "query": saved.query}, at=now)
    session.delete(saved)
    session.flush()
    return saved
