"""A web write while a job writes (make run: web and scheduler on one SQLite file). The login
once answered 500 "database is locked"; now it waits for the job's short transaction. WAL lets
pages read meanwhile. Separate connections on a committed file database, as two processes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from process_support import ProcessDatabase, process_database
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from cultivation.accounts.models import ApiToken, User
from cultivation.accounts.services import issue_token
from cultivation.audit.models import AuditLog
from cultivation.extensions import db
from testkit import TEST_PASSWORD, csrf_from

JOB_SECONDS = 1.5


@pytest.fixture
def pdb(tmp_path: Path) -> Iterator[ProcessDatabase]:
    yield from process_database(tmp_path)


def _seed(pdb: ProcessDatabase) -> str:
    with pdb.app.app_context():
        user = User(username="web-user", display_name="网页用户", role="admin")
        user.set_password(TEST_PASSWORD)
        db.session.add(user)
        db.session.flush()
        raw = issue_token(db.session, user, label="api")
        db.session.commit()
    return raw


def _job_writing(pdb: ProcessDatabase, started: threading.Event,
                 errors: list[BaseException]) -> None:
    """A job's transaction: reads, writes, holds the write for a while, commits."""
    try:
        with pdb.app.app_context(), Session(db.engine) as session:
            session.scalar(select(User.id))
            session.execute(update(User).values(display_name="任务改写"))
            started.set()
            time.sleep(JOB_SECONDS)
            session.add(AuditLog(actor_name="job", entity_type="job", action="run",
                                 at=datetime.now(UTC)))
            session.commit()
    except BaseException as exc:  # noqa: BLE001 - surfaced by the test
        errors.append(exc)
        started.set()


def test_a_login_while_a_job_writes_waits_instead_of_failing(pdb: ProcessDatabase) -> None:
    raw = _seed(pdb)
    client = pdb.app.test_client()
    form = csrf_from(client.get("/login").get_data(as_text=True))
    bearer = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/enterprises", headers=bearer).status_code == 200  # use recorded
    started, errors = threading.Event(), []
    job = threading.Thread(target=_job_writing, args=(pdb, started, errors))
    job.start()
    assert started.wait(10)
    # Reading meanwhile does not wait for the job (WAL).
    began = time.monotonic()
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/enterprises", headers=bearer).status_code == 200
    assert time.monotonic() - began < JOB_SECONDS
    response = client.post("/login", data={"username": "web-user", "password": TEST_PASSWORD,
                                           "csrf_token": form})
    job.join(30)
    assert errors == []
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    with pdb.app.app_context():
        actions = db.session.scalars(select(AuditLog.action)).all()
        assert sorted(actions) == ["issue", "login", "run"]
        assert db.session.scalar(select(ApiToken.last_used_at)) is not None


def test_a_job_writing_while_a_web_request_writes_waits_too(pdb: ProcessDatabase) -> None:
    _seed(pdb)
    errors: list[BaseException] = []
    with pdb.app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    web = pdb.app.test_client()
    form = csrf_from(web.get("/login").get_data(as_text=True))
    # Another writer (BEGIN IMMEDIATE outside a read-only request) holds the lock while the job
    # starts: the job waits for it instead of failing.
    holder = engine.connect()
    holder.begin()
    holder.execute(update(User).values(display_name="网页改写"))
    started = threading.Event()
    job = threading.Thread(target=_job_writing, args=(pdb, started, errors))
    job.start()
    time.sleep(0.5)
    holder.commit()
    holder.close()
    job.join(30)
    assert errors == []
    assert web.post("/login", data={"username": "web-user", "password": TEST_PASSWORD,
                                    "csrf_token": form}).status_code == 302
