"""Shared fixtures: one app and one migrated database per test session, a rolled-back
transaction per test, a client, a CLI runner, an ``auth`` helper and builders.

SQLite (a temporary file) by default; PostgreSQL when CULTIVATION_TEST_DATABASE_URL is set —
then an unreachable server fails the session instead of skipping it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from itertools import count
from typing import Any

import pytest
from flask import Flask, g, request_started
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import text
from sqlalchemy.orm import Session

from cultivation import create_app
from cultivation.accounts.models import User
from cultivation.enterprises.credit_code import make_code
from cultivation.enterprises.models import Enterprise, FiscalYearFigures
from cultivation.extensions import db
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.qualifications.models import Qualification, RDInstitution
from testkit import TEST_PASSWORD, csrf_from  # noqa: E402  (shared with test modules)

# Fixture modules shared by several test packages (instead of importing fixtures by name).
pytest_plugins = ["registry_support", "schedule_support"]


def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("CULTIVATION_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def reset_database(app: Flask) -> None:
    """Empty the database (PostgreSQL: the public schema) and run every migration."""
    from flask_migrate import upgrade

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url(tmp_path_factory),
            "SERVER_NAME": None,
        }
    )
    reset_database(app)
    request_started.connect(_fresh_request_globals, app)
    return app


def _fresh_request_globals(sender: Flask, **extra: Any) -> None:
    """Start every test request with an empty ``g``, as a real server does.

    Tests keep one app context open (so ``db_session`` is shared with the requests); without
    this, per-request caches in ``g`` (the logged-in user, the CSRF token) would leak from one
    request into the next.
    """
    g.__dict__.clear()


class _ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy's session picks the engine by bind key and ignores ``bind``: without
    this override the test's commits went to another pooled connection and survived the test."""

    def get_bind(
        self, mapper: Any = None, clause: Any = None, bind: Any = None, **kwargs: Any
    ) -> Any:
        return bind or self.bind or super().get_bind(mapper, clause=clause, **kwargs)


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """A session bound to one outer transaction that is rolled back after the test.

    Code under test may commit: with ``create_savepoint`` its commits release savepoints
    inside the outer transaction, so nothing survives the test.
    """
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(  # type: ignore[method-assign]
            {
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
                "class_": _ConnectionBoundSession,
            }
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original  # type: ignore[method-assign]
            outer.rollback()
            connection.close()


@pytest.fixture
def seeded(db_session: Session) -> None:
    """The seed step (``cultivation seed``) has run: parameters and built-in plans stored."""
    from cultivation.seeding import seed_database

    seed_database(db_session)


@pytest.fixture
def client(app: Flask, db_session: Session) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask, db_session: Session) -> Any:
    return app.test_cli_runner()


class Auth:
    """Logs the test client in as a user, the way a browser does (token from the form)."""

    def __init__(self, client: FlaskClient, make_user: Any) -> None:
        self.client = client
        self.make_user = make_user
        self.user: User | None = None

    def login(self, role_or_user: str | User = "admin") -> User:
        user = self.make_user(role=role_or_user) if isinstance(role_or_user, str) else role_or_user
        page = self.client.get("/login")
        response = self.client.post(
            "/login",
            data={
                "username": user.username,
                "password": TEST_PASSWORD,
                "csrf_token": csrf_from(page.get_data(as_text=True)),
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        self.user = user
        return user

    def logout(self) -> None:
        page = self.client.get("/")
        self.client.post("/logout", data={"csrf_token": csrf_from(page.get_data(as_text=True))})

    def post(
        self, url: str, data: dict[str, Any], *, form_url: str | None = None, **kwargs: Any
    ) -> Any:
        """POST a form with the CSRF token read from ``form_url`` (default: ``url``)."""
        page = self.client.get(form_url or url)
        return self.client.post(
            url, data={**data, "csrf_token": csrf_from(page.get_data(as_text=True))}, **kwargs
        )


@pytest.fixture
def make_user(db_session: Session) -> Any:
    seq = count(1)

    def build(role: str = "advisor", **overrides: Any) -> User:
        n = next(seq)
        user = User(
            username=overrides.pop("username", f"{role}{n}"),
            display_name=overrides.pop("display_name", f"{role}用户{n}"),
            role=role,
            email=overrides.pop("email", f"{role}{n}@example.test"),
            **overrides,
        )
        user.set_password(TEST_PASSWORD)
        db_session.add(user)
        db_session.flush()
        return user

    return build


@pytest.fixture
def auth(client: FlaskClient, make_user: Any) -> Auth:
    return Auth(client, make_user)


_TIER_QUAL = {"startup": "startup", "tech_sme": "zj_tech_sme", "hnte": "hnte", "leading": "leading"}


@pytest.fixture
def make_enterprise(db_session: Session) -> Any:
    """Build a firm: ``tier`` adds a qualification valid on today's date; ``advisor`` assigns it;
    ``figures`` is a {year: {field: value}} mapping."""
    seq = count(1)

    def build(
        tier: str | None = None,
        advisor: User | None = None,
        figures: dict[int, dict[str, Any]] | None = None,
        **overrides: Any,
    ) -> Enterprise:
        n = next(seq)
        firm = Enterprise(
            credit_code=overrides.pop("credit_code", make_code("91331024", f"{70000000 + n:08d}")),
            name=overrides.pop("name", f"仙居测试科技有限公司{n}"),
            town=overrides.pop("town", "安洲街道"),
            industry=overrides.pop("industry", "医药"),
            tech_domain=overrides.pop("tech_domain", "生物与新医药"),
            registered_on=overrides.pop("registered_on", date(2015, 3, 1)),
            **overrides,
        )
        db_session.add(firm)
        db_session.flush()
        if tier and tier != "none":
            db_session.add(
                Qualification(
                    enterprise_id=firm.id,
                    kind=_TIER_QUAL[tier],
                    number=f"T{n:05d}",
                    valid_from=date(2020, 1, 1),
                    valid_to=date(2099, 12, 31),
                )
            )
        if advisor is not None:
            db_session.add(
                PortfolioAssignment(
                    enterprise_id=firm.id, advisor_id=advisor.id, started_on=date(2020, 1, 1)
                )
            )
        for year, values in (figures or {}).items():
            db_session.add(FiscalYearFigures(enterprise_id=firm.id, year=year, **values))
        db_session.flush()
        return firm

    return build


@pytest.fixture
def make_institution(db_session: Session) -> Any:
    def build(
        firm: Enterprise, kind: str, recognized_on: date = date(2020, 1, 1), **overrides: Any
    ) -> RDInstitution:
        inst = RDInstitution(
            enterprise_id=firm.id, kind=kind, recognized_on=recognized_on, **overrides
        )
        db_session.add(inst)
        db_session.flush()
        return inst

    return build
