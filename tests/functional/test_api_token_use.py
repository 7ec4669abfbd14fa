"""PERF-NOTES 4: the API wrote ``api_tokens.last_used_at`` on every request (every GET became a
write transaction; SQLite answered "database is locked" under load). Now at most once a minute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from api_support import Api
from sqlalchemy import select, update

from cultivation.accounts.models import ApiToken
from cultivation.extensions import db
from testkit import count_queries


def _token_writes(statements: list[str]) -> int:
    return sum(1 for s in statements if s.lstrip().upper().startswith("UPDATE API_TOKENS"))


def test_last_used_at_is_written_at_most_once_a_minute_per_token(
        client: Any, db_session: Any, make_user: Any) -> None:
    api = Api(client, db_session).as_user(make_user("admin"))
    with count_queries(db.engine) as queries:
        for _ in range(5):
            assert api.get("/enterprises").status_code == 200
    assert _token_writes(queries.statements) == 1
    token = db_session.scalar(select(ApiToken))
    first = token.last_used_at
    assert first is not None
    assert abs(first - datetime.now(UTC)) < timedelta(minutes=1)
    # A minute later the next request records the use again.
    db_session.execute(update(ApiToken).values(last_used_at=first - timedelta(seconds=61)))
    with count_queries(db.engine) as queries:
        assert api.get("/enterprises").status_code == 200
        assert api.get("/enterprises").status_code == 200
    assert _token_writes(queries.statements) == 1
    db_session.refresh(token)
    assert token.last_used_at > first - timedelta(seconds=61)
