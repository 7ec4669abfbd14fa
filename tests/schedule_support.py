"""Fixtures for jobs, mail and windows tests: windows, screening runs, a fixed clock, and a real
SMTP server on loopback (aiosmtpd). Import the fixtures you need into a conftest or test module."""

from __future__ import annotations

import socket
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from cultivation.enterprises.models import Enterprise
from cultivation.mail.models import OutboxMessage
from cultivation.screening.models import Evaluation, ScreeningRun
from cultivation.settings import (
    ComposeSettings,
    MailSettings,
    ReminderSettings,
    Settings,
    settings_from,
)
from cultivation.web.clock import run_time_on
from cultivation.windows.models import ApplicationWindow


def app_settings() -> Settings:
    """The test app's typed settings, read now (the test runs in its app context)."""
    return settings_from(current_app.config)


def reminder_settings() -> ReminderSettings:
    """What a reminder job body gets from the job wiring, for the test app."""
    return app_settings().reminders


def compose_settings() -> ComposeSettings:
    """What ``mail.services.enqueue`` gets, for the test app."""
    return app_settings().reminders.compose


def mail_settings(config: Mapping[str, Any]) -> MailSettings:
    """The SMTP dispatcher's settings from a config mapping (``SmtpServer.config`` …)."""
    return settings_from(config).mail


def robot_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """``dispatch_robots`` keyword arguments (mail rules and channel settings) from a mapping."""
    settings = settings_from(config)
    return {"mail": settings.mail, "channels": settings.channels}


def verdict(rules: str = "hnte", outcome: str = "eligible", gaps: dict[str, str] | None = None,
            score: tuple[int, int] | None = None) -> dict[str, Any]:
    """A stored verdict JSON with one failing criterion per ``gaps`` entry (label → gap)."""
    criteria: list[dict[str, Any]] = [
        {"id": "registration_age", "label": "注册满一年", "passed": True, "gap": None},
    ]
    for i, (label, gap) in enumerate((gaps or {}).items()):
        criteria.append({"id": f"c{i}", "label": label, "passed": False, "gap": gap})
    body: dict[str, Any] = {"rules": rules, "outcome": outcome, "criteria": criteria}
    if score is not None:
        body["score"] = {"min": score[0], "max": score[1]}
    return body


@pytest.fixture
def make_window(db_session: Session) -> Any:
    def build(opens_on: date, closes_on: date, *, programme: str = "hnte",
              remind_days: list[int] | None = None, batch: str = "第一批",
              **extra: Any) -> ApplicationWindow:
        window = ApplicationWindow(
            programme=programme, year=opens_on.year, batch=batch, opens_on=opens_on,
            closes_on=closes_on, remind_days=[30, 7, 1] if remind_days is None else remind_days,
            **extra)
        db_session.add(window)
        db_session.flush()
        return window

    return build


@pytest.fixture
def make_run(db_session: Session) -> Any:
    """A screening run as of a day with (firm, rules, outcome[, details]) evaluations."""

    def build(as_of: date, *evaluations: tuple[Any, ...]) -> ScreeningRun:
        run = ScreeningRun(as_of=as_of, firms=len(evaluations), evaluations=len(evaluations))
        db_session.add(run)
        db_session.flush()
        for firm, rules, outcome, *rest in evaluations:
            details = rest[0] if rest else verdict(rules, outcome)
            db_session.add(Evaluation(run_id=run.id, enterprise_id=firm.id, rules=rules,
                                      as_of=as_of, outcome=outcome, details=details,
                                      failed=[c["id"] for c in details.get("criteria", [])
                                              if c.get("passed") is False]))
        db_session.flush()
        return run

    return build


@pytest.fixture
def at(db_session: Session) -> Any:
    """``at(date)``: that day at 08:00 in the configured zone (what ``jobs run --as-of`` uses)."""
    return run_time_on


def outbox(session: Session, job: str | None = None) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if job is not None:
        stmt = stmt.where(OutboxMessage.job == job)
    return list(session.scalars(stmt))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    """Messages an SMTP server accepted (parsed), with their envelopes."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m, (_, rcpts) in zip(self.messages, self.envelopes, strict=True)
                if address in rcpts]


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 that can be started late (to test refused connections)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.received = Received()
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        self.controller = Controller(self.received, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def config(self, app: Flask, **overrides: Any) -> dict[str, Any]:
        """The app's settings pointed at this server with the smtp backend."""
        return {**app.config, "MAIL_BACKEND": "smtp", "MAIL_HOST": "127.0.0.1",
                "MAIL_PORT": self.port, "MAIL_TIMEOUT": 5, **overrides}

    def settings(self, app: Flask, **overrides: Any) -> MailSettings:
        """The dispatcher's settings pointed at this server (``config`` as typed settings)."""
        return settings_from(self.config(app, **overrides)).mail


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def idle_smtp_port() -> Iterator[SmtpServer]:
    """A server object whose port nothing listens on until the test calls ``start()``."""
    server = SmtpServer()
    yield server
    server.stop()


def firm_url(firm: Enterprise) -> str:
    return f"http://testserver/enterprises/{firm.credit_code}"
