"""One 待办 item per user and subject (``key``), generated from the reminder sources."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from cultivation.database import UTCDateTime, utcnow
from cultivation.extensions import db
from cultivation.vocabulary import TODO_KIND_LABELS, TODO_STATUS_LABELS


class Todo(db.Model):  # type: ignore[name-defined,misc]
    """Something one user has to do, e.g. ``followup:<visit>:<date>@<user>``.

    ``key`` is the subject plus the user (unique): generation inserts keys that are new and does
    nothing for keys already there, so re-runs never duplicate. Status: open → done (完成) or
    dismissed (不再提醒) by the user, or resolved when its source went away (the follow-up was
    logged as done, the batch committed, the firm reassigned…). ``snoozed_until`` hides an open
    item until that day (推迟到). The reminder mail that reported it is ``outbox_message_id``;
    a settled or snoozed item is left out of further reminder mails.
    """

    __tablename__ = "todos"
    __table_args__ = (Index("ix_todos_user_status", "user_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    due_on: Mapped[date] = mapped_column(Date)
    link: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default="open")
    snoozed_until: Mapped[date | None] = mapped_column(Date)
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"), index=True
    )
    settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def kind_label(self) -> str:
        return TODO_KIND_LABELS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return TODO_STATUS_LABELS.get(self.status, self.status)
