"""The settings seam: a reminder job body and the mail dispatcher run WITHOUT a Flask app context,
on a plain SQLAlchemy session, with typed settings passed in (``cultivation.settings``).

Before the seam they read ``current_app.config`` (REMINDER_CATCHUP_DAYS, BASE_URL, MAIL_FROM, the
mail settings) and rendered through Flask: outside an app they raised "Working outside of
application context". The settings here differ from the test app's (zone, link base, sender), so
the assertions also show that the values passed in are the ones used.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import has_app_context
from process_support import ProcessDatabase, process_database
from schedule_support import SmtpServer
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from cultivation.accounts.models import User
from cultivation.enterprises.credit_code import make_code
from cultivation.enterprises.models import Enterprise
from cultivation.mail.dispatch import dispatch
from cultivation.mail.models import OutboxMessage
from cultivation.reminders.followups import send_followup_reminders
from cultivation.settings import settings_from
from cultivation.visits.models import Visit

DUE = date(2026, 6, 10)
# 12:00 UTC on the day before: 20:00 in Asia/Shanghai (not due yet), but already 02:00 on DUE
# in Pacific/Kiritimati (UTC+14) — the zone these settings carry.
NOW = datetime(2026, 6, 9, 12, 0, tzinfo=UTC)


@pytest.fixture
def pdb(tmp_path: Path) -> Iterator[ProcessDatabase]:
    yield from process_database(tmp_path)


def outside_app(pdb: ProcessDatabase, smtp: SmtpServer) -> dict[str, Any]:
    """A config mapping unlike the test app's: another zone, link base and sender."""
    return {**pdb.app.config, "TIMEZONE": "Pacific/Kiritimati",
            "BASE_URL": "https://seam.example.org/",
            "MAIL_FROM": "梯次培育 <robot@seam.example.org>",
            "MAIL_BACKEND": "smtp", "MAIL_HOST": "127.0.0.1", "MAIL_PORT": smtp.port,
            "MAIL_TIMEOUT": 5}


def test_a_reminder_job_body_and_the_dispatcher_run_without_an_app_context(
        pdb: ProcessDatabase, smtp_server: SmtpServer) -> None:
    settings = settings_from(outside_app(pdb, smtp_server))
    engine = create_engine(pdb.url)
    try:
        assert not has_app_context()
        with Session(engine) as session:
            advisor = User(username="seam", display_name="王指导", role="advisor",
                           email="wang@example.test", password_hash="x")
            firm = Enterprise(credit_code=make_code("91331024", "70000001"),
                              name="仙居接缝有限公司", town="安洲街道", industry="医药",
                              registered_on=date(2015, 3, 1))
            session.add_all([advisor, firm])
            session.flush()
            session.add(Visit(enterprise_id=firm.id, advisor_id=advisor.id,
                              visited_on=date(2026, 5, 1), notes="约定补充研发费用台账",
                              next_follow_up_on=DUE))
            session.commit()

            counts = send_followup_reminders(session, NOW, settings.reminders)
            session.commit()
            [message] = session.scalars(select(OutboxMessage)).all()
            assert counts["queued"] == 1
            assert "https://seam.example.org/enterprises/" in message.body_text
            assert "约定补充研发费用台账" in message.body_text
            message_id = message.message_id
            assert message_id.endswith("@seam.example.org>")

            sent = dispatch(session, NOW, settings=settings.mail)
            assert sent["sent"] == 1
            assert not has_app_context()
        [received] = smtp_server.received.messages
        assert received["Message-ID"] == message_id
        assert "robot@seam.example.org" in received["From"]
    finally:
        engine.dispose()


def test_the_zone_of_today_comes_from_the_settings(pdb: ProcessDatabase,
                                                   smtp_server: SmtpServer) -> None:
    """The same instant in the default zone is the day before the follow-up: nothing is due."""
    shanghai = settings_from({**outside_app(pdb, smtp_server), "TIMEZONE": "Asia/Shanghai"})
    engine = create_engine(pdb.url)
    try:
        with Session(engine) as session:
            advisor = User(username="seam2", display_name="李指导", role="advisor",
                           email="li@example.test", password_hash="x")
            firm = Enterprise(credit_code=make_code("91331024", "70000002"),
                              name="仙居时区有限公司", town="安洲街道", industry="医药",
                              registered_on=date(2015, 3, 1))
            session.add_all([advisor, firm])
            session.flush()
            session.add(Visit(enterprise_id=firm.id, advisor_id=advisor.id,
                              visited_on=date(2026, 5, 1), notes="回访", next_follow_up_on=DUE))
            session.flush()
            counts = send_followup_reminders(session, NOW, shanghai.reminders)
            assert counts.get("queued", 0) == 0
            assert session.scalars(select(OutboxMessage)).all() == []
    finally:
        engine.dispose()
