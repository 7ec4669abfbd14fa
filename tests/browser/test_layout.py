"""What a browser shows beyond the happy path: no console errors on the main pages, verdict
tables inside their cards."""

from __future__ import annotations

from typing import Any

import pytest

PAGES = ("/", "/enterprises", "/screening/candidates", "/screening/selftest", "/reports/funnel",
         "/windows")


def _login(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", live_server.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def _collect_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: msg.type == "error" and errors.append(
        f"console: {msg.text} @ {page.url}"))
    return errors


@pytest.mark.browser
def test_the_main_pages_log_no_console_errors_not_even_a_missing_favicon(
        live_server: Any, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    errors = _collect_errors(page)
    _login(page, live_server, live_server.advisor)
    for path in (*PAGES, f"/enterprises/{live_server.firm_code}"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    assert errors == []


@pytest.mark.browser
def test_verdict_tables_stay_inside_their_cards(live_server: Any, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    _login(page, live_server, live_server.advisor)
    page.goto(f"{live_server.url}/enterprises/{live_server.firm_code}")
    cards = page.locator("section.verdict")
    assert cards.count() >= 3
    overflow = page.evaluate("""() => [...document.querySelectorAll('section.verdict')].map(
        card => [card.dataset.rules,
                 card.querySelector('table.criteria').scrollWidth - card.clientWidth])""")
    assert [rules for rules, extra in overflow if extra > 1] == [], overflow
