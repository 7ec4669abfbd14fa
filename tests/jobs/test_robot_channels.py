"""DingTalk / WeCom robot channels against a real HTTP server on loopback: a reminder queued
for a user reaches each of their robots exactly once (signed for DingTalk), refusals are retried
with backoff, a wrong secret fails at once, and mail dispatch never takes robot rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from robot_support import RobotServer
from schedule_support import (
    app_settings,
    compose_settings,
    outbox,
    reminder_settings,
    robot_settings,
)
from sqlalchemy.orm import Session

from cultivation.channels import crypto
from cultivation.channels.dispatch import dispatch_robots
from cultivation.channels.services import ChannelInput, create
from cultivation.mail.services import enqueue
from cultivation.reminders.followups import send_followup_reminders
from cultivation.visits.models import Visit

NOW = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)
SECRET = "SECabcdef0123456789+/=secret"


@pytest.fixture
def robot() -> Iterator[RobotServer]:
    server = RobotServer(secret=SECRET)
    yield server
    server.close()


@pytest.fixture
def wecom() -> Iterator[RobotServer]:
    server = RobotServer()
    yield server
    server.close()


def config(app: Flask) -> dict[str, Any]:
    return {**app.config, "CHANNEL_BACKEND": "http", "CHANNEL_TIMEOUT": 5}


def add(session: Session, admin: Any, provider: str, target: str, url: str,
        secret: str = "") -> Any:
    return create(session, ChannelInput(provider, f"{provider}机器人", target, url, secret),
                  actor=admin, now=NOW, settings=app_settings().channels)


def queue(session: Session, recipient: Any, key: str = "test:1") -> Any:
    return enqueue(session, dedup_key=key, recipient=recipient, subject="【测试】跟进提醒",
                   template="followups", context={"items": []}, now=NOW, job="test",
                   settings=compose_settings())


def robot_rows(session: Session) -> list[Any]:
    return [r for r in outbox(session) if r.channel != "mail"]


def test_a_reminder_reaches_the_users_robot_and_the_role_group_once_each(
        app: Flask, db_session: Session, make_user: Any, robot: RobotServer,
        wecom: RobotServer) -> None:
    admin = make_user("admin")
    advisor = make_user("advisor", display_name="王指导")
    other = make_user("advisor")
    add(db_session, admin, "dingtalk", f"user:{advisor.id}", robot.url(), SECRET)
    add(db_session, admin, "wecom", "role:advisor",
        wecom.url("/cgi-bin/webhook/send?key=k1"))
    queue(db_session, advisor)
    queue(db_session, advisor)  # the same key again: nothing new
    queue(db_session, other, "test:2")
    rows = robot_rows(db_session)
    assert sorted((r.channel, r.recipient_id) for r in rows) == [
        ("dingtalk", advisor.id), ("wecom", advisor.id), ("wecom", other.id)]
    assert len(outbox(db_session)) == 5  # 2 mails + 3 robot messages

    counts = dispatch_robots(db_session, NOW, **robot_settings(config(app)), clock=lambda: NOW)
    again = dispatch_robots(db_session, NOW + timedelta(minutes=5), **robot_settings(config(app)))
    assert counts["sent"] == 3
    assert again["sent"] == 0
    [ding] = robot.accepted
    assert ding["msgtype"] == "markdown"
    assert "【测试】跟进提醒" in ding["markdown"]["text"]
    assert "(http://testserver/todos)" in ding["markdown"]["text"]
    assert "sign=" in ding["path"]
    assert len(wecom.accepted) == 2
    assert all("http://testserver/todos" in m["markdown"]["content"] for m in wecom.accepted)
    assert {r.status for r in robot_rows(db_session)} == {"sent"}
    assert {r.status for r in outbox(db_session) if r.channel == "mail"} == {"pending"}


def test_refusals_are_retried_with_backoff_and_the_message_arrives_exactly_once(
        app: Flask, db_session: Session, make_user: Any, robot: RobotServer) -> None:
    admin, advisor = make_user("admin"), make_user("advisor")
    add(db_session, admin, "dingtalk", f"user:{advisor.id}", robot.url(), SECRET)
    queue(db_session, advisor)
    robot.refuse = 2
    first = dispatch_robots(db_session, NOW, **robot_settings(config(app)), clock=lambda: NOW)
    [row] = robot_rows(db_session)
    assert first["retry"] == 1
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == NOW + timedelta(seconds=60)
    assert "HTTP 500" in (row.last_error or "")
    early = dispatch_robots(db_session, NOW + timedelta(seconds=30), **robot_settings(config(app)))
    assert early["retry"] == 0  # not due yet
    assert robot.requests == 1

    robot.refuse_with = {"errcode": 130101, "errmsg": "send too fast"}
    robot.refuse = 1
    second = dispatch_robots(db_session, NOW + timedelta(seconds=61), **robot_settings(config(app)))
    assert second["retry"] == 1
    db_session.refresh(row)
    assert "130101" in (row.last_error or "")
    assert row.next_attempt_at is not None
    assert row.next_attempt_at >= NOW + timedelta(seconds=61 + 120)

    third = dispatch_robots(db_session, NOW + timedelta(hours=1), **robot_settings(config(app)))
    later = dispatch_robots(db_session, NOW + timedelta(hours=2), **robot_settings(config(app)))
    assert (third["sent"], later["sent"]) == (1, 0)
    assert len(robot.accepted) == 1
    db_session.refresh(row)
    assert (row.status, row.attempts) == ("sent", 3)


def test_a_wrong_secret_is_a_permanent_failure_after_one_request(
        app: Flask, db_session: Session, make_user: Any, robot: RobotServer) -> None:
    admin, advisor = make_user("admin"), make_user("advisor")
    add(db_session, admin, "dingtalk", f"user:{advisor.id}", robot.url(), "SECwrong")
    queue(db_session, advisor)
    counts = dispatch_robots(db_session, NOW, **robot_settings(config(app)), clock=lambda: NOW)
    dispatch_robots(db_session, NOW + timedelta(days=1), **robot_settings(config(app)))
    [row] = robot_rows(db_session)
    assert counts["failed"] == 1
    assert (row.status, row.attempts) == ("failed", 1)
    assert "310000" in (row.last_error or "")
    assert robot.requests == 1
    assert robot.accepted == []


def test_an_unreachable_robot_keeps_the_message_and_mail_dispatch_leaves_robot_rows_alone(
        app: Flask, db_session: Session, make_user: Any, robot: RobotServer) -> None:
    from cultivation.mail.dispatch import claim_next

    admin, advisor = make_user("admin"), make_user("advisor", email=None)
    dead = RobotServer()
    url = dead.url("/cgi-bin/webhook/send?key=k")
    dead.close()
    add(db_session, admin, "wecom", f"user:{advisor.id}", url)
    queue(db_session, advisor)  # no e-mail address: only the robot message is queued
    assert [r.channel for r in outbox(db_session)] == ["wecom"]
    assert claim_next(db_session, NOW) is None
    counts = dispatch_robots(db_session, NOW, **robot_settings(config(app)), clock=lambda: NOW)
    [row] = robot_rows(db_session)
    assert counts["retry"] == 1
    assert row.status == "pending"
    assert "无法连接机器人接口" in (row.last_error or "")


def test_messages_are_held_unless_the_backend_is_http(
        app: Flask, db_session: Session, make_user: Any, robot: RobotServer) -> None:
    admin, advisor = make_user("admin"), make_user("advisor")
    add(db_session, admin, "dingtalk", f"user:{advisor.id}", robot.url(), SECRET)
    queue(db_session, advisor)
    counts = dispatch_robots(db_session, NOW, **robot_settings({**app.config,
                                                                "CHANNEL_BACKEND": "outbox"}))
    assert counts["held"] == 1
    assert robot.requests == 0


def test_the_follow_up_job_queues_a_robot_message_beside_its_mail(
        app: Flask, db_session: Session, make_user: Any, make_enterprise: Any, at: Any,
        robot: RobotServer) -> None:
    admin, advisor = make_user("admin"), make_user("advisor")
    firm = make_enterprise(advisor=advisor, name="仙居走访有限公司")
    db_session.add(Visit(enterprise_id=firm.id, advisor_id=advisor.id, visited_on=date(2026, 5, 1),
                         notes="补台账", next_follow_up_on=date(2026, 6, 10)))
    db_session.flush()
    add(db_session, admin, "dingtalk", f"user:{advisor.id}", robot.url(), SECRET)
    send_followup_reminders(db_session, at(date(2026, 6, 10)), reminder_settings())
    send_followup_reminders(db_session, at(date(2026, 6, 11)), reminder_settings())
    mail = [r for r in outbox(db_session) if r.channel == "mail"]
    [ding] = robot_rows(db_session)
    assert len(mail) == 1
    assert ding.dedup_key.startswith(mail[0].dedup_key + "#dingtalk:")
    assert ding.subject == mail[0].subject


def test_the_webhook_and_secret_are_stored_encrypted(
        db_session: Session, make_user: Any, robot: RobotServer) -> None:
    admin, advisor = make_user("admin"), make_user("advisor")
    channel = add(db_session, admin, "dingtalk", f"user:{advisor.id}", robot.url(), SECRET)
    assert SECRET not in channel.secret_encrypted
    assert "abc123" not in channel.webhook_encrypted
    assert crypto.decrypt(channel.secret_encrypted, app_settings().channels.secret_key) == SECRET
    assert json.dumps(crypto.mask(SECRET)).count("cret") == 1
    assert SECRET not in crypto.mask(SECRET)


def test_an_unanswered_request_is_retried_once_then_left_to_an_admin(
        app: Flask, db_session: Session, make_user: Any, wecom: RobotServer) -> None:
    """No answer within the timeout: the robot may have posted it. One more try at most, so a
    group sees at most one duplicate; then the row fails and waits for 重发."""
    admin, advisor = make_user("admin"), make_user("advisor")
    add(db_session, admin, "wecom", f"user:{advisor.id}", wecom.url("/cgi-bin/webhook/send?key=k"))
    queue(db_session, advisor)
    wecom.delay = 1.0
    slow = {**config(app), "CHANNEL_TIMEOUT": 0.3}
    first = dispatch_robots(db_session, NOW, **robot_settings(slow), clock=lambda: NOW)
    [row] = robot_rows(db_session)
    assert first["retry"] == 1
    assert (row.status, row.uncertain) == ("pending", 1)
    second = dispatch_robots(db_session, NOW + timedelta(hours=1), **robot_settings(slow))
    third = dispatch_robots(db_session, NOW + timedelta(days=1), **robot_settings(slow))
    db_session.refresh(row)
    assert second["failed"] == 1
    assert third["sent"] + third["failed"] + third["retry"] == 0
    assert (row.status, row.attempts) == ("failed", 2)
    assert len(wecom.accepted) == 2


def test_production_refuses_any_url_webhooks() -> None:
    from config import ProductionConfig

    settings = {"SECRET_KEY": "x" * 32, "CHANNEL_ALLOW_ANY_URL": True}
    with pytest.raises(RuntimeError, match="CHANNEL_ALLOW_ANY_URL"):
        ProductionConfig.validate(settings)
    ProductionConfig.validate({**settings, "CHANNEL_ALLOW_ANY_URL": False})
