"""Every form POST of the web UI needs the CSRF token: without it nothing runs (400, Chinese)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from registry_support import count_rows

from cultivation.audit.models import AuditLog

SAMPLE = "911111111111111111"  # a credit code nobody has; ints become 1


def post_urls(app: Flask) -> list[str]:
    """Every non-API URL rule that accepts POST, with sample path values filled in."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or set()) or rule.rule.startswith(("/api/", "/static")):
            continue
        values = {arg: 1 if "int" in type(conv).__name__.lower() else SAMPLE
                  for arg, conv in rule._converters.items()}  # noqa: SLF001
        urls.append(rule.build(values, append_unknown=False)[1])  # type: ignore[index]
    return sorted(set(urls))


def test_the_registry_and_admin_forms_are_among_the_checked_urls(app: Flask) -> None:
    urls = post_urls(app)
    for url in (f"/enterprises/{SAMPLE}/edit", f"/enterprises/{SAMPLE}/visits/new",
                f"/enterprises/{SAMPLE}/figures/1", "/enterprises/new", "/admin/users/new",
                "/admin/users/1/tokens/1/revoke", "/admin/portfolios", "/login", "/logout"):
        assert url in urls


@pytest.mark.parametrize("role", ["admin", "anonymous"])
def test_every_post_without_csrf_token_is_rejected(app: Flask, as_role: Any, world: Any,
                                                   db_session: Any, role: str) -> None:
    browser = as_role(role)
    before = count_rows(db_session, AuditLog)
    accepted = []
    for url in post_urls(app):
        response = browser.client.post(url, data={"name": "x", "username": "x", "password": "x"})
        if role == "anonymous" and url != "/login":
            # Refused too: to the login page (the session expired while a form was open).
            if response.status_code != 302 or not response.location.startswith("/login?next="):
                accepted.append(f"{url} → {response.status_code}")
        elif response.status_code != 400 or "CSRF" not in response.get_data(as_text=True):
            accepted.append(f"{url} → {response.status_code}")
    assert accepted == []
    assert count_rows(db_session, AuditLog) == before


def test_a_post_with_a_forged_token_is_rejected(as_role: Any, world: Any) -> None:
    browser = as_role("admin")
    response = browser.client.post(f"/enterprises/{world.firm.credit_code}/delete",
                                   data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert browser.client.get(f"/enterprises/{world.firm.credit_code}").status_code == 200


def test_a_real_world_firm_post_without_token_leaves_the_firm_alone(as_role: Any, world: Any,
                                                                   db_session: Any) -> None:
    browser = as_role("admin")
    code = world.firm.credit_code
    assert browser.client.post(f"/enterprises/{code}/delete").status_code == 400
    assert browser.client.post(f"/enterprises/{code}/edit", data={"name": "改"}).status_code == 400
    db_session.refresh(world.firm)
    assert world.firm.deleted_at is None
    assert world.firm.name == "仙居测试制药有限公司"


def test_a_form_posted_after_the_session_expired_leads_to_the_login_and_back(
        client: Any, make_user: Any, world: Any) -> None:
    # The session cookie is gone (expired): the POST carries a token the server cannot check.
    url = f"/enterprises/{world.firm.credit_code}/visits/new"
    response = client.post(url, data={"csrf_token": "stale", "notes": "走访记录"})
    assert response.status_code == 302
    assert response.location == f"/login?next={url}"
    page = client.get(response.location).get_data(as_text=True)
    assert "登录已过期" in page
