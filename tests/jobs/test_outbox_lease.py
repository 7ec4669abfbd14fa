"""A dispatch run longer than the lease plus a second dispatcher must not resend the message in
flight: claims are stamped when they happen, and the lease covers one send. Real aiosmtpd with a
slow DATA handler, two dispatchers in threads on a committed database, exact delivery count."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from process_support import ProcessDatabase, process_database
from schedule_support import Received, SmtpServer, compose_settings, mail_settings
from sqlalchemy import select
from sqlalchemy.orm import Session

from cultivation.extensions import db
from cultivation.mail.dispatch import dispatch, lease_of
from cultivation.mail.models import OutboxMessage
from cultivation.mail.services import enqueue

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
MESSAGES = 14
SEND_SECONDS = 0.3  # the SMTP server takes this long to accept each message
SPEED = 100  # the shared clock runs 100× real time: a 300 s lease passes in 3 real seconds


class SlowReceived(Received):
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        await asyncio.sleep(SEND_SECONDS)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def pdb(tmp_path: Path) -> Iterator[ProcessDatabase]:
    yield from process_database(tmp_path)


@pytest.fixture
def slow_smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.received = SlowReceived()
    server.start()
    yield server
    server.stop()


def test_a_run_longer_than_the_lease_and_a_second_dispatcher_deliver_each_message_once(
        pdb: ProcessDatabase, slow_smtp: SmtpServer) -> None:
    config = slow_smtp.config(pdb.app, MAIL_LEASE_SECONDS=300, MAIL_TIMEOUT=5)
    assert lease_of(mail_settings(config)) == timedelta(seconds=300)
    with pdb.app.app_context():
        for n in range(MESSAGES):
            enqueue(db.session, dedup_key=f"lease:{n}", to=f"user{n}@example.test",
                    subject=f"第{n}封", template="followups", context={"items": []}, now=T0,
                    job="test", settings=compose_settings())
        db.session.commit()
        engine = db.engine
    started = time.monotonic()

    def clock() -> datetime:  # one clock for both dispatchers, as for processes on one host
        return T0 + timedelta(seconds=(time.monotonic() - started) * SPEED)

    results: dict[str, Any] = {}

    def run(name: str, delay: float) -> None:
        time.sleep(delay)
        try:
            with pdb.app.app_context(), Session(engine) as session:
                results[name] = dispatch(session, clock(), settings=mail_settings(config),
                                         clock=clock)
        except Exception as exc:  # surfaced by the assertion below
            results[name] = exc

    # The first run needs ~4 s (14 × 0.3 s); the second starts when the lease (3 s) has passed.
    first = threading.Thread(target=run, args=("first", 0.0))
    second = threading.Thread(target=run, args=("second", 3.4))
    first.start()
    second.start()
    first.join(60)
    second.join(60)

    assert isinstance(results["first"], dict), results
    assert isinstance(results["second"], dict), results
    assert results["second"]["sent"] > 0, results  # the runs overlapped
    assert results["first"]["recovered"] + results["second"]["recovered"] == 0, results
    subjects = Counter(str(m["Subject"]) for m in slow_smtp.received.messages)
    assert len(slow_smtp.received.messages) == MESSAGES, subjects.most_common(3)
    assert set(subjects.values()) == {1}
    with Session(engine) as session:
        rows = session.scalars(select(OutboxMessage)).all()
        assert {r.status for r in rows} == {"sent"}
        assert {r.attempts for r in rows} == {1}
    engine.dispose()
