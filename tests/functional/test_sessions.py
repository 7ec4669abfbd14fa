"""Logins: wrong passwords, inactive users, session expiry, safe redirects."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from testkit import TEST_PASSWORD, csrf_from


def _login(client: Any, username: str, password: str, next_url: str = "") -> Any:
    page = client.get("/login")
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"username": username, "password": password,
                                  "csrf_token": csrf_from(page.get_data(as_text=True))})


def test_a_wrong_password_is_refused_in_chinese(client: Any, make_user: Any) -> None:
    user = make_user(role="advisor")
    response = _login(client, user.username, "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_an_inactive_user_cannot_log_in(client: Any, make_user: Any) -> None:
    user = make_user(role="admin", is_active_flag=False)
    assert _login(client, user.username, TEST_PASSWORD).status_code == 401


def test_login_without_csrf_token_is_rejected(client: Any, make_user: Any) -> None:
    user = make_user(role="admin")
    response = client.post("/login", data={"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
def test_login_never_redirects_off_site(client: Any, make_user: Any, target: str) -> None:
    user = make_user(role="admin")
    response = _login(client, user.username, TEST_PASSWORD, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_follows_a_local_next_path(client: Any, make_user: Any) -> None:
    user = make_user(role="admin")
    response = _login(client, user.username, TEST_PASSWORD, next_url="/account")
    assert response.headers["Location"] == "/account"


def test_a_session_expires_after_its_lifetime(app: Flask, client: Any, make_user: Any) -> None:
    user = make_user(role="admin")
    assert _login(client, user.username, TEST_PASSWORD).status_code == 302
    assert client.get("/account").status_code == 200
    saved = app.permanent_session_lifetime
    app.permanent_session_lifetime = timedelta(seconds=-1)  # every cookie is now too old
    try:
        assert client.get("/account").status_code == 302
    finally:
        app.permanent_session_lifetime = saved


def test_logout_ends_the_session(client: Any, auth: Any) -> None:
    auth.login("leader")
    auth.logout()
    response = client.get("/account")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
