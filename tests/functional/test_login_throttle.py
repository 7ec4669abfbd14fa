"""Login throttling: counters in the database, 429 + Retry-After in Chinese during the lock
(also for the right password), a dummy hash for unknown users, the lockout audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask, request
from sqlalchemy import select, update

from cultivation import create_app
from cultivation.accounts import models
from cultivation.accounts.models import LoginFailure
from cultivation.audit.models import AuditLog
from testkit import TEST_PASSWORD, csrf_from


def _login(client: Any, username: str, password: str, address: str = "203.0.113.7") -> Any:
    page = client.get("/login")
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_from(page.get_data(as_text=True))},
                       environ_base={"REMOTE_ADDR": address})


def test_ten_failures_lock_the_username_even_for_the_right_password(
        client: Any, make_user: Any, db_session: Any) -> None:
    user = make_user(role="advisor")
    for _ in range(10):
        assert _login(client, user.username, "wrong-password").status_code == 401
    response = _login(client, user.username, TEST_PASSWORD)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.get_data(as_text=True)
    assert 800 < int(response.headers["Retry-After"]) <= 900
    assert client.get("/account").status_code == 302  # not logged in
    lockouts = db_session.scalars(select(AuditLog).where(AuditLog.action == "lockout")).all()
    assert len(lockouts) == 1
    assert lockouts[0].entity_id == user.id
    assert lockouts[0].ip == "203.0.113.7"


def test_the_lock_is_per_username_and_ends_after_the_window(
        client: Any, make_user: Any, db_session: Any) -> None:
    user, other = make_user(role="advisor"), make_user(role="advisor")
    for _ in range(10):
        _login(client, user.username.upper(), "wrong-password")  # names are case-insensitive
    assert _login(client, user.username, TEST_PASSWORD).status_code == 429
    assert _login(client, other.username, TEST_PASSWORD).status_code == 302
    # The failures age past the 15-minute window: the right password works again.
    db_session.execute(update(LoginFailure).values(at=datetime.now(UTC) - timedelta(minutes=16)))
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    assert _login(client, user.username, TEST_PASSWORD).status_code == 302


def test_a_success_resets_the_run_of_failures(client: Any, make_user: Any) -> None:
    user = make_user(role="advisor")
    for _ in range(9):
        _login(client, user.username, "wrong-password")
    assert _login(client, user.username, TEST_PASSWORD).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    for _ in range(9):
        _login(client, user.username, "wrong-password")
    assert _login(client, user.username, TEST_PASSWORD).status_code == 302


def test_fifty_failures_from_one_address_lock_that_address(client: Any, make_user: Any,
                                                           db_session: Any) -> None:
    user = make_user(role="advisor")
    now = datetime.now(UTC)
    db_session.add_all(LoginFailure(username=f"guess{i}", address="198.51.100.9",
                                    at=now - timedelta(seconds=i)) for i in range(49))
    db_session.flush()
    assert _login(client, "guess-last", "x", address="198.51.100.9").status_code == 401
    response = _login(client, user.username, TEST_PASSWORD, address="198.51.100.9")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert _login(client, user.username, TEST_PASSWORD, address="198.51.100.10").status_code == 302


def test_unknown_usernames_are_counted_and_locked_too(client: Any) -> None:
    for _ in range(10):
        assert _login(client, "nobody-here", "wrong-password").status_code == 401
    assert _login(client, "nobody-here", "wrong-password").status_code == 429


def test_an_unknown_user_costs_a_password_hash_like_a_real_one(
        app: Flask, client: Any, make_user: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong login for a username that does not exist checks one password hash of the same
    kind and cost as a real user's, so the answer's time does not tell which usernames exist
    (without it the unknown user answered ~25× faster: 4 ms vs 106 ms measured)."""
    user = make_user(role="advisor")
    checked: list[str] = []
    real_check = models.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        checked.append(pwhash.split("$", 1)[0])  # the method and its cost, e.g. scrypt:32768:8:1
        return real_check(pwhash, password)

    monkeypatch.setattr(models, "check_password_hash", counting)
    _login(client, user.username, "wrong-password", address="192.0.2.1")
    _login(client, "no-such-user-x", "wrong-password", address="192.0.2.2")
    assert len(checked) == 2
    assert checked[0] == checked[1] == user.password_hash.split("$", 1)[0]


@pytest.mark.parametrize(("hops", "seen"), [(0, "127.0.0.1"), (1, "198.51.100.77")])
def test_the_client_address_comes_from_a_trusted_proxy_only(hops: int, seen: str) -> None:
    """Behind nginx every client has nginx's address unless PROXY_HOPS trusts its header (the
    per-address login limit would otherwise lock everybody out together)."""
    app = create_app({"TESTING": True, "PROXY_HOPS": hops,
                      "SQLALCHEMY_DATABASE_URI": "sqlite:///:memory:"})
    app.add_url_rule("/_addr", "addr", lambda: request.remote_addr or "")
    response = app.test_client().get("/_addr", headers={"X-Forwarded-For": "198.51.100.77"},
                                     environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.get_data(as_text=True) == seen
