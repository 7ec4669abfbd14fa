"""Security headers on pages, the API, static files and error pages; HSTS only in production."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

EXPECTED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _check(response: Any) -> str:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    script = re.search(r"script-src ([^;]+)", csp)
    assert script is not None
    assert "'unsafe-inline'" not in script.group(1)
    assert "'unsafe-eval'" not in script.group(1)
    assert "Strict-Transport-Security" not in response.headers
    return csp


@pytest.mark.parametrize("path", ["/login", "/static/js/app.js",
                                  "/static/vendor/bootstrap-5.3.9/bootstrap.min.css",
                                  "/api/v1/openapi.json", "/api/v1/enterprises", "/no-such-page"])
def test_every_kind_of_response_carries_the_headers(client: Any, path: str) -> None:
    _check(client.get(path))


def test_logged_in_pages_carry_the_headers_and_their_inline_scripts_the_nonce(
        client: Any, auth: Any) -> None:
    auth.login("admin")
    response = client.get("/reports/funnel")
    csp = _check(response)
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce is not None
    html = response.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>", html)
    inline = [attrs for attrs in scripts if "src=" not in attrs]
    assert inline, "the funnel page has inline chart scripts"
    assert all(f'nonce="{nonce.group(1)}"' in attrs for attrs in inline)
    # A new request, a new nonce.
    again = re.search(r"'nonce-([^']+)'", client.get("/reports/funnel").headers[
        "Content-Security-Policy"])
    assert again is not None
    assert again.group(1) != nonce.group(1)


def test_no_template_has_an_inline_event_handler_or_a_script_without_nonce() -> None:
    from cultivation import ROOT

    bad = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        bad += [f"{path.name}: {m}" for m in re.findall(r"\son[a-z]+=\"", text)]
        bad += [f"{path.name}: {m}" for m in re.findall(r"<(?:script|style)>", text)]
        bad += [f"{path.name}: javascript:" for _ in re.findall(r"javascript:", text)]
    assert bad == []


@pytest.fixture
def production(app: Flask) -> Iterator[None]:
    saved = app.config["ENV_NAME"]
    app.config["ENV_NAME"] = "production"
    try:
        yield
    finally:
        app.config["ENV_NAME"] = saved


def test_hsts_is_sent_in_production(client: Any, production: None) -> None:
    for path in ("/login", "/static/js/app.js", "/api/v1/openapi.json"):
        assert client.get(path).headers["Strict-Transport-Security"].startswith("max-age=")
