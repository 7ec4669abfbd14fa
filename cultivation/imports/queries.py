"""Read side of imports: the batches a user sees on the import page, a page of a dry run's
preview."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from cultivation.database import DbSession
from cultivation.imports.models import PREVIEW, ImportBatch, ImportChange
from cultivation.imports.preview import ACTIONS, PER_PAGE

RECENT = 50


def recent_batches(session: DbSession, user: Any) -> list[ImportBatch]:
    """The latest committed or reverted batches: all for an admin, one's own otherwise."""
    stmt = (select(ImportBatch).where(ImportBatch.status.in_(("committed", "reverted")))
            .order_by(ImportBatch.id.desc()).limit(RECENT))
    if not user.is_admin:
        stmt = stmt.where(ImportBatch.user_id == user.id)
    return list(session.scalars(stmt))


@dataclass
class PreviewPage:
    """One page of a pending batch's preview, filtered by action, with the tabs' counts."""

    entries: list[dict[str, Any]]
    action: str  # "" = all
    page: int
    pages: int
    total: int  # entries under the filter
    counts: dict[str, int]  # per action, and "" for all
    per_page: int = PER_PAGE


def preview_page(session: DbSession, batch_id: int, action: str, page: int,
                 per_page: int = PER_PAGE) -> PreviewPage:
    """Entries of ``action`` (all when unknown) on page ``page`` (the last one when past it):
    two statements whatever the batch's size."""
    where = (ImportChange.batch_id == batch_id, ImportChange.entity_type == PREVIEW)
    counts: dict[str, int] = {action: n for action, n in session.execute(
        select(ImportChange.action, func.count()).where(*where).group_by(ImportChange.action))}
    tally = {"": sum(counts.values()), **{a: counts.get(a, 0) for a in ACTIONS}}
    if action not in ACTIONS:
        action = ""
    total = tally[action]
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    entries: list[dict[str, Any]] = []
    if total:
        stmt = select(ImportChange.after).where(*where).order_by(ImportChange.id)
        if action:
            stmt = stmt.where(ImportChange.action == action)
        entries = [e for e in session.scalars(stmt.limit(per_page).offset((page - 1) * per_page))
                   if e is not None]
    return PreviewPage(entries, action, page, pages, total, tally, per_page)


def preview_entries(session: DbSession, batch_id: int) -> Any:
    """Every preview entry of a batch in file order, streamed (for the xlsx)."""
    return session.scalars(
        select(ImportChange.after).where(ImportChange.batch_id == batch_id,
                                         ImportChange.entity_type == PREVIEW)
        .order_by(ImportChange.id).execution_options(yield_per=1000))
