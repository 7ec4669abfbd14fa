"""Staging an upload is the import service's decision, stale unfinished batches included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cultivation.imports.models import ImportBatch
from cultivation.imports.services import stage_upload

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def test_staging_an_upload_drops_stale_unfinished_batches(db_session: Session,
                                                          make_user: Any) -> None:
    user = make_user("admin")
    db_session.add_all([
        *(ImportBatch(filename=f"{status}.csv", kind="auto", user_id=user.id, status=status,
                      created_at=NOW - timedelta(days=3))
          for status in ("pending", "discarded", "committed")),
        ImportBatch(filename="recent.csv", kind="auto", user_id=user.id, status="pending",
                    created_at=NOW - timedelta(days=1)),
    ])
    db_session.flush()
    batch = stage_upload(db_session, filename="new.csv", kind="auto", qualification_kind=None,
                         content=b"a,b\n", user_id=user.id, now=NOW)
    db_session.expire_all()
    left = set(db_session.scalars(select(ImportBatch.filename)))
    assert left == {"committed.csv", "recent.csv", "new.csv"}
    assert (batch.status, batch.options) == ("pending", {"kind": "auto",
                                                         "qualification_kind": None})
