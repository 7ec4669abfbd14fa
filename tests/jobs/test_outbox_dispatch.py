"""The outbox dispatcher against a real SMTP server on loopback: every message arrives once;
nothing is lost while the server refuses connections; a crash between sending and marking
produces at most one duplicate, with the same Message-ID."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from schedule_support import SmtpServer, compose_settings, mail_settings, outbox
from sqlalchemy.orm import Session

from cultivation.mail.compose import build_email, envelope_from
from cultivation.mail.dispatch import claim_next, dispatch
from cultivation.mail.services import enqueue
from cultivation.mail.smtp import SendError, SmtpSender

NOW = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)


def queue(session: Session, recipient: Any, key: str = "test:1", kind: str = "digest") -> Any:
    return enqueue(session, dedup_key=key, recipient=recipient, subject="【测试】申报提醒",
                   template="followups", context={"items": []}, now=NOW, job="test", kind=kind,
                   settings=compose_settings())


@pytest.fixture
def advisor(make_user: Any) -> Any:
    return make_user("advisor", display_name="王指导", email="wang@example.test")


def test_a_pending_message_is_sent_once_with_text_and_html_parts(
        app: Flask, db_session: Session, smtp_server: SmtpServer, advisor: Any) -> None:
    queue(db_session, advisor)
    counts = dispatch(db_session, NOW, settings=smtp_server.settings(app), clock=lambda: NOW)
    again = dispatch(db_session, NOW + timedelta(minutes=1), settings=smtp_server.settings(app))
    assert counts["sent"] == 1
    assert again["sent"] == 0
    [received] = smtp_server.received.messages
    assert received["Subject"] == "【测试】申报提醒"
    assert "王指导" in str(received["To"])
    assert received["Message-ID"] == outbox(db_session)[0].message_id
    parts = {p.get_content_type(): p.get_content() for p in received.walk()
             if not p.is_multipart()}
    assert set(parts) == {"text/plain", "text/html"}
    assert "走访约定的跟进日期已到" in parts["text/plain"]
    assert "http://testserver/account" in parts["text/html"]
    [row] = outbox(db_session)
    assert row.status == "sent"
    assert row.sent_at == NOW


def test_refused_connections_keep_the_message_and_retry_with_backoff_until_the_server_is_up(
        app: Flask, db_session: Session, idle_smtp_port: SmtpServer, advisor: Any) -> None:
    queue(db_session, advisor, "test:a")
    queue(db_session, advisor, "test:b")
    config = idle_smtp_port.config(app)
    first = dispatch(db_session, NOW, settings=mail_settings(config), clock=lambda: NOW)
    rows = outbox(db_session)
    assert first["retry"] == 1
    assert rows[0].status == "pending"
    assert rows[0].attempts == 1
    assert rows[0].next_attempt_at == NOW + timedelta(seconds=60)
    assert "无法连接邮件服务器" in (rows[0].last_error or "")
    dispatch(db_session, NOW + timedelta(seconds=10),
             settings=mail_settings(config))  # b tried, a not yet due
    assert [r.attempts for r in outbox(db_session)] == [1, 1]

    idle_smtp_port.start()
    later = dispatch(db_session, NOW + timedelta(hours=3), settings=mail_settings(config))
    assert later["sent"] == 2
    assert len(idle_smtp_port.received.messages) == 2
    assert {m["Message-ID"] for m in idle_smtp_port.received.messages} == {
        r.message_id for r in outbox(db_session)}
    assert dispatch(db_session, NOW + timedelta(hours=4),
                    settings=mail_settings(config))["sent"] == 0
    assert len(idle_smtp_port.received.messages) == 2


def test_backoff_doubles_and_the_last_attempt_marks_the_message_failed(
        app: Flask, db_session: Session, idle_smtp_port: SmtpServer, advisor: Any) -> None:
    queue(db_session, advisor)
    config = idle_smtp_port.config(app, MAIL_MAX_ATTEMPTS=3)
    now = NOW
    delays = []
    for _ in range(3):
        dispatch(db_session, now, settings=mail_settings(config), clock=lambda: now)  # noqa: B023
        [row] = outbox(db_session)
        if row.next_attempt_at and row.status == "pending":
            delays.append(row.next_attempt_at - now)
            now = row.next_attempt_at
    assert delays == [timedelta(minutes=1), timedelta(minutes=2)]
    [row] = outbox(db_session)
    assert row.status == "failed"
    assert row.attempts == 3


def test_a_dispatcher_that_dies_after_sending_causes_at_most_one_duplicate(
        app: Flask, db_session: Session, smtp_server: SmtpServer, advisor: Any) -> None:
    config = smtp_server.config(app, MAIL_LEASE_SECONDS=300)
    queue(db_session, advisor)
    # A first dispatcher claims and sends, then dies before marking the row sent.
    claim = claim_next(db_session, NOW)
    assert claim is not None
    db_session.commit()
    row = db_session.get(type(outbox(db_session)[0]), claim.id)
    sender = SmtpSender(mail_settings(config))
    mail_from = mail_settings(config).mail_from
    sender.send(build_email(row, mail_from), sender=envelope_from(mail_from),
                recipient=row.to_address)
    sender.close()
    # Within the lease nobody touches it.
    assert dispatch(db_session, NOW + timedelta(minutes=4),
                    settings=mail_settings(config))["sent"] == 0
    # After the lease it is sent once more, marked as uncertain.
    counts = dispatch(db_session, NOW + timedelta(minutes=6), settings=mail_settings(config))
    assert counts["recovered"] == 1
    assert counts["sent"] == 1
    [row] = outbox(db_session)
    assert row.status == "sent"
    assert row.uncertain == 1
    ids = [m["Message-ID"] for m in smtp_server.received.messages]
    assert ids == [row.message_id, row.message_id]  # same id: receivers can de-duplicate


def test_a_second_unknown_outcome_fails_the_message_instead_of_sending_a_third_copy(
        app: Flask, db_session: Session, smtp_server: SmtpServer, advisor: Any) -> None:
    config = smtp_server.config(app, MAIL_LEASE_SECONDS=300)
    queue(db_session, advisor)
    claim_next(db_session, NOW)
    db_session.commit()
    dispatch(db_session, NOW + timedelta(minutes=6),
             settings=mail_settings({**config, "MAIL_BATCH": 0}))
    [row] = outbox(db_session)
    assert row.status == "pending"
    assert row.uncertain == 1
    claim_next(db_session, NOW + timedelta(minutes=6))  # the retry dies mid-send too
    db_session.commit()
    counts = dispatch(db_session, NOW + timedelta(minutes=12), settings=mail_settings(config))
    [row] = outbox(db_session)
    assert counts["abandoned"] == 1
    assert row.status == "failed"
    assert "不再自动重发" in (row.last_error or "")
    assert smtp_server.received.messages == []


class FlakySender:
    """Fails the DATA phase ambiguously (connection lost after the data was sent)."""

    def __init__(self, config: Any) -> None:
        self.calls = 0

    def send(self, msg: Any, *, sender: str, recipient: str) -> None:
        self.calls += 1
        raise SendError("连接中断", uncertain=True)

    def close(self) -> None:
        pass


def test_an_ambiguous_smtp_failure_is_retried_once_then_failed(
        app: Flask, db_session: Session, advisor: Any) -> None:
    config = {**app.config, "MAIL_BACKEND": "smtp"}
    queue(db_session, advisor)
    dispatch(db_session, NOW, settings=mail_settings(config), sender_factory=FlakySender)
    [row] = outbox(db_session)
    assert (row.status, row.uncertain) == ("pending", 1)
    dispatch(db_session, NOW + timedelta(hours=1), settings=mail_settings(config),
             sender_factory=FlakySender)
    [row] = outbox(db_session)
    assert (row.status, row.uncertain) == ("failed", 2)


def test_a_permanent_refusal_fails_at_once(app: Flask, db_session: Session,
                                           smtp_server: SmtpServer, make_user: Any) -> None:
    class Refusing:
        async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                              options: Any) -> str:
            return "550 5.1.1 用户不存在"

    from aiosmtpd.controller import Controller

    smtp_server.stop()
    smtp_server.controller = Controller(Refusing(), hostname="127.0.0.1", port=smtp_server.port)
    smtp_server.controller.start()
    queue(db_session, make_user("advisor", email="nobody@example.test"))
    counts = dispatch(db_session, NOW, settings=smtp_server.settings(app))
    [row] = outbox(db_session)
    assert counts["failed"] == 1
    assert row.status == "failed"
    assert "550" in (row.last_error or "")


def test_the_outbox_backend_keeps_everything_on_the_outbox_page(
        app: Flask, db_session: Session, smtp_server: SmtpServer, advisor: Any) -> None:
    queue(db_session, advisor)
    counts = dispatch(db_session, NOW,
                      settings=smtp_server.settings(app, MAIL_BACKEND="outbox"))
    assert counts["held"] == 1
    assert outbox(db_session)[0].status == "pending"
    assert smtp_server.received.messages == []


def test_enqueue_skips_users_without_an_address_and_opted_out_digests_but_not_alerts(
        db_session: Session, make_user: Any) -> None:
    nomail = make_user("advisor", email=None)
    opted = make_user("advisor", digest_opt_out=True)
    assert queue(db_session, nomail, "k1").outcome == "no_address"
    assert queue(db_session, opted, "k2").outcome == "opted_out"
    assert queue(db_session, opted, "k3", kind="alert").outcome == "queued"
    assert queue(db_session, opted, "k3", kind="alert").outcome == "duplicate"
    assert [m.dedup_key for m in outbox(db_session)] == ["k3"]


def test_the_outbox_job_runs_from_the_cli_and_delivers(
        app: Flask, db_session: Session, runner: Any, smtp_server: SmtpServer, advisor: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in smtp_server.config(app).items():
        if key.startswith("MAIL_"):
            monkeypatch.setitem(app.config, key, value)
    queue(db_session, advisor)
    first = runner.invoke(args=["jobs", "run", "outbox", "--as-of", "2026-06-01"])
    second = runner.invoke(args=["jobs", "run", "outbox", "--as-of", "2026-06-01"])
    assert first.exit_code == 0, first.output
    assert "已发送 1" in first.output
    assert second.exit_code == 0
    assert len(smtp_server.received.to("wang@example.test")) == 1
