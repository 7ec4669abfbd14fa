"""Send pending robot messages: the mail dispatcher's claim / lease / retry rules, over HTTP.

Rows with ``channel`` in ``ROBOT_CHANNELS`` are claimed one at a time (``attempts`` + 1 is the
fencing token), posted outside any transaction, then marked sent only if the claim is still
ours. Failures back off exponentially (``MAIL_RETRY_SECONDS`` … ``MAIL_RETRY_MAX_SECONDS``,
``MAIL_MAX_ATTEMPTS``); a bad signature or an invalid webhook fails at once. With
``CHANNEL_BACKEND`` other than ``http`` the messages stay in the outbox (development, tests).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select

from cultivation.channels import crypto, sender
from cultivation.channels.models import NotifyChannel
from cultivation.database import DbSession
from cultivation.mail.dispatch import (
    Clock,
    claim_next,
    mark_failure,
    mark_sent,
    recover_expired,
    running_clock,
)
from cultivation.mail.models import OutboxMessage
from cultivation.mail.smtp import SendError
from cultivation.settings import ChannelSettings, MailSettings

log = logging.getLogger(__name__)

ROBOT_CHANNELS = ("dingtalk", "wecom")
Poster = Callable[..., None]


def lease_of(mail: MailSettings, channels: ChannelSettings) -> timedelta:
    """A claim covers one HTTP request (connect + answer) three times over, or the mail lease."""
    return timedelta(seconds=max(mail.lease_seconds, 3 * channels.timeout))


def _request(session: DbSession, row: OutboxMessage, secret_key: str
             ) -> tuple[str, str | None]:
    """The channel's webhook and secret, or a permanent ``SendError``."""
    channel = (session.get(NotifyChannel, row.notify_channel_id)
               if row.notify_channel_id is not None else None)
    if channel is None or not channel.active:
        raise SendError("通知渠道已删除或停用", permanent=True)
    try:
        url = crypto.decrypt(channel.webhook_encrypted, secret_key)
        secret = (crypto.decrypt(channel.secret_encrypted, secret_key)
                  if channel.secret_encrypted else None)
    except ValueError as exc:
        raise SendError(str(exc), permanent=True) from exc
    return url, secret


def dispatch_robots(session: DbSession, now: datetime, *, mail: MailSettings,
                    channels: ChannelSettings, poster: Poster = sender.post,
                    clock: Clock | None = None) -> dict[str, int]:
    """Send what is due to robot webhooks; commits per message, like the mail dispatcher.
    ``mail`` gives the batch, retry and lease rules, ``channels`` the backend and timeout."""
    clock = clock or running_clock(now)
    counts = {"sent": 0, "retry": 0, "failed": 0, "recovered": 0, "abandoned": 0}
    if channels.backend != "http":
        counts["held"] = session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.status == "pending", OutboxMessage.channel.in_(ROBOT_CHANNELS))
        ) or 0
        return counts
    counts["recovered"], counts["abandoned"] = recover_expired(
        session, clock(), lease_of(mail, channels), ROBOT_CHANNELS)
    session.commit()
    for _ in range(mail.batch):
        claim = claim_next(session, clock(), ROBOT_CHANNELS)
        if claim is None:
            session.commit()
            break
        row = session.get(OutboxMessage, claim.id)
        assert row is not None
        provider, title, text = row.channel, row.subject, row.body_text
        try:
            url, secret = _request(session, row, channels.secret_key)
            session.commit()  # the claim is visible before anything is sent
            poster(provider, url, secret, title=title, text=text,
                   timeout=channels.timeout)
        except SendError as exc:
            session.commit()
            status = mark_failure(session, claim, exc, clock(), mail)
            session.commit()
            counts["failed" if status == "failed" else "retry"] += 1
            log.warning("outbox: robot message %s not sent (%s): %s", claim.id, status, exc)
            continue
        mark_sent(session, claim, clock())
        session.commit()
        counts["sent"] += 1
    return counts
