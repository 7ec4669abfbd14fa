"""The dispatcher: send pending outbox rows over SMTP, once, without losing any.

Each message is claimed in its own short transaction (``sending`` + ``claimed_at`` lease,
``attempts`` + 1 as a fencing token; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL), sent outside any
transaction, then marked ``sent`` only if the claim is still ours. ``claimed_at`` is the time of
the claim itself (the run's clock advances while it sends), and the lease covers one send: at
least ``LEASE_TIMEOUTS`` × the SMTP timeout. (Stamping every claim with the run's start once let
a second dispatcher take over the message in flight of a run longer than the lease: 152
deliveries for 150 messages.) A failure sets the next attempt
with exponential backoff; after ``MAIL_MAX_ATTEMPTS`` the row is ``failed`` and waits for an
admin's "resend". A dispatcher that dies between sending and marking leaves a ``sending`` row whose
lease expires: it is sent once more (``uncertain`` = 1). A second unknown outcome fails the row
instead of sending a third copy, so a recipient sees at most one duplicate, and every copy carries
the same Message-ID for receivers that de-duplicate.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update

from cultivation.database import DbSession
from cultivation.mail.compose import build_email, envelope_from
from cultivation.mail.models import OutboxMessage
from cultivation.mail.smtp import SendError, SmtpSender
from cultivation.scheduling.effects import affected
from cultivation.settings import MailSettings

log = logging.getLogger(__name__)

SenderFactory = Callable[[MailSettings], Any]
Clock = Callable[[], datetime]

# The most SMTP round trips one send can wait for, each up to MAIL_TIMEOUT: connect, EHLO,
# STARTTLS, EHLO, AUTH, MAIL, RCPT, DATA, end of data — and one to spare.
LEASE_TIMEOUTS = 10


def lease_of(settings: MailSettings) -> timedelta:
    """How long a claim is ours: MAIL_LEASE_SECONDS, but never shorter than one send can take."""
    return timedelta(seconds=max(settings.lease_seconds, LEASE_TIMEOUTS * settings.timeout))


def running_clock(now: datetime) -> Clock:
    """``now`` advanced by the real time elapsed since this call (a run's own clock)."""
    started = time.monotonic()
    return lambda: now + timedelta(seconds=time.monotonic() - started)

ABANDONED = "发送结果不确定且已自动重发过一次；为避免重复不再自动重发，请核实后手动重发"
RECOVERED = "发送过程中断（租约过期），将重发一次"


def backoff(attempts: int, settings: MailSettings) -> timedelta:
    """Delay before the next attempt: base × 2^(attempts − 1), capped."""
    base = settings.retry_seconds
    cap = settings.retry_max_seconds
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def recover_expired(session: DbSession, now: datetime, lease: timedelta,
                    channels: tuple[str, ...] = ("mail",)) -> tuple[int, int]:
    """Rows left ``sending`` past their lease: retry once, or fail if already retried once."""
    expired = and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at < now - lease,
                   OutboxMessage.channel.in_(channels))
    abandoned = affected(session.execute(
        update(OutboxMessage)
        .where(expired, OutboxMessage.uncertain >= 1)
        .values(status="failed", last_error=ABANDONED, claimed_at=None)
    ))
    recovered = affected(session.execute(
        update(OutboxMessage)
        .where(expired, OutboxMessage.uncertain == 0)
        .values(status="pending", uncertain=1, next_attempt_at=None, claimed_at=None,
                last_error=RECOVERED)
    ))
    return recovered, abandoned


@dataclass(frozen=True)
class Claim:
    """A claimed row: its id, the attempt number (the fencing token) and earlier unknowns."""

    id: int
    attempts: int
    uncertain: int


def claim_next(session: DbSession, now: datetime,
               channels: tuple[str, ...] = ("mail",)) -> Claim | None:
    """Claim the oldest due pending row, or None.

    One UPDATE with a ``FOR UPDATE SKIP LOCKED`` sub-select (PostgreSQL): concurrent dispatchers
    claim different rows; on SQLite the statement takes the write lock before it reads.
    """
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == "pending", OutboxMessage.channel.in_(channels),
               or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
        .order_by(OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claimed = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == due, OutboxMessage.status == "pending")
        .values(status="sending", claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id, OutboxMessage.attempts, OutboxMessage.uncertain)
    ).one_or_none()
    return None if claimed is None else Claim(*claimed)


def _ours(claim: Claim) -> Any:
    return and_(OutboxMessage.id == claim.id, OutboxMessage.status == "sending",
                OutboxMessage.attempts == claim.attempts)


def mark_sent(session: DbSession, claim: Claim, now: datetime) -> bool:
    """Record delivery if the claim is still ours (False: the lease was taken over)."""
    done = affected(session.execute(
        update(OutboxMessage).where(_ours(claim))
        .values(status="sent", sent_at=now, claimed_at=None, last_error=None)
    ))
    if not done:
        log.warning("outbox: message %s sent after its lease was taken over", claim.id)
    return bool(done)


def mark_failure(session: DbSession, claim: Claim, error: SendError, now: datetime,
                 settings: MailSettings) -> str:
    """Schedule a retry or give up (one UPDATE); returns ``pending``, ``failed`` or ``lost``."""
    uncertain = claim.uncertain + (1 if error.uncertain else 0)
    give_up = (error.permanent or claim.attempts >= settings.max_attempts
               or (error.uncertain and uncertain > 1))
    status = "failed" if give_up else "pending"
    done = affected(session.execute(
        update(OutboxMessage).where(_ours(claim)).values(
            status=status, uncertain=uncertain, last_error=str(error)[:2000], claimed_at=None,
            next_attempt_at=None if give_up else now + backoff(claim.attempts, settings))
    ))
    return status if done else "lost"


def dispatch(session: DbSession, now: datetime, *, settings: MailSettings,
             sender_factory: SenderFactory = SmtpSender,
             clock: Clock | None = None) -> dict[str, int]:
    """Send what is due. Commits per message (isolation matters more than one commit here).

    ``now`` is the run's start; ``clock`` (default: ``now`` plus the real time elapsed) stamps
    each claim, delivery and retry when it happens. ``settings``: the entry point's
    ``settings_from(config).mail``."""
    clock = clock or running_clock(now)
    counts = {"sent": 0, "retry": 0, "failed": 0, "recovered": 0, "abandoned": 0}
    if settings.backend != "smtp":
        counts["held"] = session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "pending",
                                                        OutboxMessage.channel == "mail")
        ) or 0
        return counts
    lease = lease_of(settings)
    counts["recovered"], counts["abandoned"] = recover_expired(session, clock(), lease)
    session.commit()
    sender = sender_factory(settings)
    try:
        for _ in range(settings.batch):
            claim = claim_next(session, clock())
            if claim is None:
                session.commit()
                break
            row = session.get(OutboxMessage, claim.id)
            assert row is not None
            email, recipient = build_email(row, settings.mail_from), row.to_address
            session.commit()  # the claim is visible before anything is sent
            try:
                sender.send(email, sender=envelope_from(settings.mail_from), recipient=recipient)
            except SendError as exc:
                status = mark_failure(session, claim, exc, clock(), settings)
                session.commit()
                counts["failed" if status == "failed" else "retry"] += 1
                log.warning("outbox: message %s not sent (%s): %s", claim.id, status, exc)
                if exc.connection:
                    break  # the server is unreachable: the rest waits for the next round
                continue
            mark_sent(session, claim, clock())
            session.commit()
            counts["sent"] += 1
    finally:
        sender.close()
    return counts
