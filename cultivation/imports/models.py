"""Import batches: every imported row carries its batch so a batch can be reverted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from cultivation.database import UTCDateTime, utcnow
from cultivation.extensions import db

PREVIEW = "preview"  # ImportChange.entity_type of a pending batch's dry-run preview rows
BATCH_STATUSES = {"pending": "待确认", "committed": "已导入", "reverted": "已撤销",
                  "discarded": "已放弃"}


class ImportBatch(db.Model):  # type: ignore[name-defined]
    """One import of a spreadsheet: pending (uploaded, dry run shown), committed or reverted.

    A pending batch keeps the uploaded file in ``content`` (any web worker can commit it);
    the content is dropped once the batch is committed or discarded.
    """

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(30))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    valid: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="committed")
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reverted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ImportChange(db.Model):  # type: ignore[name-defined]
    """What one imported row did (created or updated, with the row before) — for revert.

    A pending batch's dry run stores its preview here too: ``entity_type`` "preview", one row per
    checked file row (``entity_id`` = the Excel row number, ``action`` update / create /
    unchanged, ``after`` = ``preview.entry``), so the check page reads one page of it at a time.
    They are deleted when the batch is committed or discarded (and with the batch when purged).
    """

    __tablename__ = "import_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("import_batches.id", ondelete="CASCADE"), index=True
    )
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
