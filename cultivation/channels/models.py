"""Robot notification channels (DingTalk / WeCom webhooks) configured by admins.

A channel belongs to one user (an advisor's own robot) or to one role (a group robot, e.g. the
leaders' group): every reminder queued for a matching user is also queued for the channel.
The webhook URL and the signing secret are stored encrypted (``channels.crypto``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cultivation.database import UTCDateTime, utcnow
from cultivation.extensions import db

if TYPE_CHECKING:
    from cultivation.accounts.models import User

PROVIDERS = {"dingtalk": "钉钉群机器人", "wecom": "企业微信群机器人"}


class NotifyChannel(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "notify_channels"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (role IS NULL)", name="ck_notify_channels_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str | None] = mapped_column(String(10), index=True)
    webhook_encrypted: Mapped[str] = mapped_column(Text)
    secret_encrypted: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship()

    @property
    def provider_label(self) -> str:
        return PROVIDERS.get(self.provider, self.provider)
