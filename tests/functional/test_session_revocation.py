"""Server-side session revocation: logout, password change, role change and deactivation end
every session of the user, including a cookie copied before; changing the password asks for
the current one."""

from __future__ import annotations

from typing import Any

from flask import Flask

from testkit import TEST_PASSWORD, csrf_from


def _copy_cookie(app: Flask, client: Any) -> Any:
    """A second browser holding the same session cookie (what a thief would copy)."""
    other = app.test_client()
    cookie = client.get_cookie("session")
    assert cookie is not None
    other.set_cookie("session", cookie.value)
    return other


def test_a_cookie_copied_before_logout_stops_working_after_it(app: Flask, client: Any,
                                                              auth: Any) -> None:
    auth.login("leader")
    thief = _copy_cookie(app, client)
    assert thief.get("/account").status_code == 200
    auth.logout()
    response = thief.get("/account")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_logging_in_again_after_logout_works(client: Any, auth: Any) -> None:
    user = auth.login("advisor")
    auth.logout()
    auth.login(user)
    assert client.get("/account").status_code == 200


def _account_post(auth: Any, **data: Any) -> Any:
    return auth.post("/account", {"email": "me@example.com", **data})


def test_a_password_change_needs_the_current_password(auth: Any, db_session: Any) -> None:
    user = auth.login("advisor")
    response = _account_post(auth, current_password="wrong-one", password="a-new-password-1")
    assert response.status_code == 422
    assert "当前密码不正确" in response.get_data(as_text=True)
    db_session.refresh(user)
    assert user.check_password(TEST_PASSWORD)
    response = _account_post(auth, password="a-new-password-1")  # no current password at all
    assert response.status_code == 422
    db_session.refresh(user)
    assert not user.check_password("a-new-password-1")


def test_a_password_change_ends_other_sessions_but_keeps_this_one(
        app: Flask, client: Any, auth: Any, db_session: Any) -> None:
    user = auth.login("advisor")
    elsewhere = _copy_cookie(app, client)
    response = _account_post(auth, current_password=TEST_PASSWORD, password="a-new-password-1")
    assert response.status_code == 302
    db_session.refresh(user)
    assert user.check_password("a-new-password-1")
    assert client.get("/account").status_code == 200
    assert elsewhere.get("/account").status_code == 302


def test_email_changes_need_no_password(auth: Any, db_session: Any) -> None:
    user = auth.login("advisor")
    response = _account_post(auth, email="new@example.com")
    assert response.status_code == 302
    db_session.refresh(user)
    assert user.email == "new@example.com"


def _login_client(app: Flask, user: Any) -> Any:
    other = app.test_client()
    page = other.get("/login")
    response = other.post("/login", data={"username": user.username, "password": TEST_PASSWORD,
                                          "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 302
    assert other.get("/account").status_code == 200
    return other


def _edit(auth: Any, user: Any, **changes: Any) -> Any:
    data = {"display_name": user.display_name, "email": "", "role": user.role,
            "is_active": "y", **changes}
    if data.get("is_active") is None:
        data.pop("is_active")
    return auth.post(f"/admin/users/{user.id}/edit", data)


def test_a_role_change_ends_the_users_sessions(app: Flask, auth: Any, make_user: Any) -> None:
    leader = make_user(role="leader")
    theirs = _login_client(app, leader)
    auth.login("admin")
    assert _edit(auth, leader, role="admin").status_code == 302
    assert theirs.get("/account").status_code == 302


def test_deactivation_ends_the_users_sessions(app: Flask, auth: Any, make_user: Any) -> None:
    leader = make_user(role="leader")
    theirs = _login_client(app, leader)
    auth.login("admin")
    assert _edit(auth, leader, is_active=None).status_code == 302
    assert theirs.get("/account").status_code == 302


def test_an_admin_password_reset_ends_the_users_sessions(app: Flask, auth: Any,
                                                         make_user: Any) -> None:
    leader = make_user(role="leader")
    theirs = _login_client(app, leader)
    auth.login("admin")
    assert _edit(auth, leader, password="reset-by-admin-1").status_code == 302
    assert theirs.get("/account").status_code == 302


def test_a_display_name_change_keeps_the_users_sessions(app: Flask, auth: Any,
                                                        make_user: Any) -> None:
    leader = make_user(role="leader")
    theirs = _login_client(app, leader)
    auth.login("admin")
    assert _edit(auth, leader, display_name="新名字").status_code == 302
    assert theirs.get("/account").status_code == 200


def test_an_admin_editing_themself_stays_logged_in(client: Any, auth: Any) -> None:
    admin = auth.login("admin")
    assert _edit(auth, admin, password="my-own-new-pass").status_code == 302
    assert client.get("/account").status_code == 200
