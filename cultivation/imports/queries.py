"""Read side of imports: the batches a user sees on the import page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cultivation.database import DbSession
from cultivation.imports.models import ImportBatch

RECENT = 50


def recent_batches(session: DbSession, user: Any) -> list[ImportBatch]:
    """The latest committed or reverted batches: all for an admin, one's own otherwise."""
    stmt = (select(ImportBatch).where(ImportBatch.status.in_(("committed", "reverted")))
            .order_by(ImportBatch.id.desc()).limit(RECENT))
    if not user.is_admin:
        stmt = stmt.where(ImportBatch.user_id == user.id)
    return list(session.scalars(stmt))
