"""What each reminder digest already reported, item by item (unique keys)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cultivation.database import UTCDateTime, utcnow
from cultivation.extensions import db


class ReminderItem(db.Model):  # type: ignore[name-defined]
    """One reported item, e.g. ``expiry:hnte:<qualification>:<deadline>:<offset>``.

    Digests that gather items (expiry, follow-ups) claim each item's key with an insert that does
    nothing on conflict, in the same transaction as the outbox row: an item is mailed once even
    when the job is re-run, run twice at once, or catches up after downtime.
    """

    __tablename__ = "reminder_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    job: Mapped[str] = mapped_column(String(40))
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
