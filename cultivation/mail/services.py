"""Outbox use cases: enqueue a message once per dedup key; resend one by hand.

Nothing here talks to a mail server (that is ``dispatch``). Functions flush, never commit.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from cultivation.accounts.models import User
from cultivation.audit import services as audit
from cultivation.channels.services import TODO_PATH, enqueue_robots
from cultivation.database import DbSession
from cultivation.mail.compose import message_id_for, render_parts
from cultivation.mail.models import STATUSES, OutboxMessage
from cultivation.scheduling.effects import affected, insert_new
from cultivation.settings import ComposeSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Enqueued:
    """What ``enqueue`` did: queued (new row), duplicate (key existed), opted_out, no_address."""

    outcome: str
    message_id: int | None = None


def enqueue(
    session: DbSession,
    *,
    dedup_key: str,
    subject: str,
    template: str,
    context: Mapping[str, Any],
    now: datetime,
    settings: ComposeSettings,
    recipient: User | None = None,
    to: str | None = None,
    job: str | None = None,
    kind: str = "digest",
) -> Enqueued:
    """Store one message under ``dedup_key`` unless that key exists; digests respect opt-out.

    ``kind`` is ``digest`` (users may opt out) or ``alert`` (admin alerts: always sent).
    ``settings`` give the link base and the sender (entry points build them, ``settings_from``).
    """
    address = to or (recipient.email if recipient is not None else None)
    if recipient is not None and not recipient.is_active:
        return Enqueued("no_address")
    if recipient is not None and not (kind == "digest" and recipient.digest_opt_out):
        # The recipient's robot channels (DingTalk / WeCom) get a short note with a link.
        enqueue_robots(session, dedup_key=dedup_key, subject=subject, recipient=recipient,
                       now=now, job=job, kind=kind, link=settings.base_url + TODO_PATH)
    if not address or "@" not in address:
        return Enqueued("no_address")
    if kind == "digest" and recipient is not None and recipient.digest_opt_out:
        return Enqueued("opted_out")
    text, html = render_parts(template, {"recipient": recipient, "kind": kind, **context},
                              settings)
    row = {
        "dedup_key": dedup_key,
        "channel": "mail",
        "job": job,
        "kind": kind,
        "recipient_id": recipient.id if recipient is not None else None,
        "to_address": address.strip(),
        "subject": subject[:300],
        "body_text": text,
        "body_html": html,
        "message_id": message_id_for(dedup_key, settings.mail_from),
        "status": "pending",
        "attempts": 0,
        "uncertain": 0,
        "created_at": now,
    }
    new = insert_new(session, OutboxMessage, [row], key="dedup_key", returning="id")
    if not new:
        return Enqueued("duplicate")
    log.info("outbox: queued %s for %s", dedup_key, address)
    return Enqueued("queued", new[0])


def resend(session: DbSession, message: OutboxMessage, *, actor: Any, now: datetime) -> None:
    """Put a failed (or sent) message back in the queue with fresh attempts; audited."""
    if message.status in ("pending", "sending"):
        raise ValueError("该邮件正在排队或发送中，无需重发")
    before = {"status": message.status, "attempts": message.attempts}
    message.status = "pending"
    message.attempts = 0
    message.uncertain = 0
    message.next_attempt_at = None
    message.claimed_at = None
    message.last_error = None
    session.flush()
    audit.record(session, actor=actor, entity_type="outbox_message", entity_id=message.id,
                 action="resend", before=before, after={"status": "pending"}, at=now)


def status_counts(session: DbSession) -> dict[str, int]:
    """Messages per status (every status present, zero when none) — one GROUP BY."""
    counts = dict.fromkeys(STATUSES, 0)
    rows = session.execute(
        select(OutboxMessage.status, func.count(OutboxMessage.id)).group_by(OutboxMessage.status)
    )
    for status, n in rows:
        counts[status] = n
    return counts


def resend_failed(session: DbSession, *, actor: Any, now: datetime) -> int:
    """Re-queue every failed message (one UPDATE); audited as one entry."""
    result = session.execute(
        update(OutboxMessage).where(OutboxMessage.status == "failed")
        .values(status="pending", attempts=0, uncertain=0, next_attempt_at=None,
                claimed_at=None, last_error=None)
    )
    count = affected(result)
    if count:
        audit.record(session, actor=actor, entity_type="outbox_message", entity_id=None,
                     action="resend", after={"status": "pending", "count": count}, at=now)
    return count


def outbox_page(session: DbSession, status: str | None, *, page: int, per_page: int
                ) -> tuple[list[OutboxMessage], int]:
    """One page of the outbox (newest first), optionally of one status, and the total."""
    stmt = select(OutboxMessage)
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    messages = list(session.scalars(stmt.order_by(OutboxMessage.id.desc())
                                    .offset((page - 1) * per_page).limit(per_page)))
    return messages, total
