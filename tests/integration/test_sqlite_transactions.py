"""SQLite transactions: those that may write begin IMMEDIATE (they wait for the write lock
instead of failing halfway), read-only requests and an import's dry run begin a plain BEGIN (no
write lock while a long file is read); the dry run stores its results in a short transaction.
SQLite-specific by nature, so always on a SQLite file whatever the configured test database."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event, select, text

from cultivation import create_app
from cultivation.accounts.models import User
from cultivation.enterprises.credit_code import make_code
from cultivation.extensions import db
from cultivation.imports.models import ImportBatch
from testkit import TEST_PASSWORD, csrf_from


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/t.db"})
    with app.app_context():
        upgrade()
        user = User(username="importer", display_name="导入员", role="admin")
        user.set_password(TEST_PASSWORD)
        db.session.add(user)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def _statements(app: Flask) -> tuple[list[str], Any]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(" ".join(statement.split())[:80])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    return seen, lambda: event.remove(engine, "before_cursor_execute", record)


def _begun_with(statements: list[str], fragment: str) -> str:
    """The BEGIN of the transaction in which the first statement containing ``fragment`` ran."""
    index = next(i for i, s in enumerate(statements) if fragment in s)
    return next(s for s in reversed(statements[:index]) if s.startswith("BEGIN"))


def test_the_journal_is_wal_and_reads_begin_without_the_write_lock(sqlite_app: Flask) -> None:
    with sqlite_app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 10000
        db.session.rollback()
    client = sqlite_app.test_client()
    seen, stop = _statements(sqlite_app)
    page = client.get("/login")
    response = client.post("/login", data={"username": "importer", "password": TEST_PASSWORD,
                                           "csrf_token": csrf_from(page.get_data(as_text=True))})
    stop()
    assert response.status_code == 302
    assert _begun_with(seen, "INSERT INTO audit_log") == "BEGIN IMMEDIATE"


def test_the_dry_run_reads_without_the_write_lock_and_stores_its_results_after(
        sqlite_app: Flask) -> None:
    client = sqlite_app.test_client()
    page = client.get("/login")
    client.post("/login", data={"username": "importer", "password": TEST_PASSWORD,
                                "csrf_token": csrf_from(page.get_data(as_text=True))})
    code = make_code("91331024", "66000001")
    csv = f"企业名称,统一社会信用代码,所属乡镇\n事务公司,{code},安洲街道\n"
    token = csrf_from(client.get("/imports").get_data(as_text=True))
    response = client.post("/imports", data={"file": (io.BytesIO(csv.encode()), "名录.csv"),
                                             "kind": "auto", "csrf_token": token},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    location = response.headers["Location"]
    seen, stop = _statements(sqlite_app)
    token = csrf_from(client.get(location).get_data(as_text=True))
    checked = client.post(location + "/check", data={"csrf_token": token})
    stop()
    assert checked.status_code == 302
    assert _begun_with(seen, "SELECT enterprises.") == "BEGIN"  # the file's rows compared
    assert _begun_with(seen, "UPDATE import_batches") == "BEGIN IMMEDIATE"
    with sqlite_app.app_context():
        batch = db.session.scalar(select(ImportBatch))
        assert batch is not None
        assert (batch.status, batch.rows, batch.valid) == ("pending", 1, 1)
