"""The outbox: every mail is a row first (unique dedup key), the dispatcher sends it later."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cultivation.database import UTCDateTime, utcnow
from cultivation.extensions import db
from cultivation.vocabulary import MAIL_STATUS_LABELS

if TYPE_CHECKING:
    from cultivation.accounts.models import User

STATUSES = MAIL_STATUS_LABELS
KINDS = {"digest": "定期摘要", "alert": "管理提醒"}
CHANNELS = {"mail": "邮件", "dingtalk": "钉钉", "wecom": "企业微信"}


class OutboxMessage(db.Model):  # type: ignore[name-defined]
    """One e-mail. ``dedup_key`` is unique: enqueueing the same key twice stores one row.

    Life cycle: pending → sending (claimed, ``claimed_at`` is the lease) → sent, or back to
    pending with ``next_attempt_at`` after a failure, or failed after the last attempt.
    ``uncertain`` counts sends whose outcome is unknown (lease expired mid-send, connection lost
    after the DATA command); at most one is retried, which bounds duplicates to one.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(300), unique=True)
    # ``mail`` (SMTP), or a robot channel (``dingtalk``/``wecom``, see ``cultivation.channels``):
    # same queue, same claim/lease/retry rules; the mail dispatcher only takes ``mail`` rows.
    channel: Mapped[str] = mapped_column(String(10), default="mail", server_default="mail")
    notify_channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("notify_channels.id", ondelete="SET NULL"), index=True
    )
    job: Mapped[str | None] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="digest")
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    to_address: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    uncertain: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None = at once
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recipient: Mapped[User | None] = relationship()

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def channel_label(self) -> str:
        return CHANNELS.get(self.channel, self.channel)

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)
