"""The Content-Security-Policy allows no inline script without the request's nonce and no
inline event handler: every page with charts or inline scripts runs without a CSP violation,
and the behaviours moved to data-* attributes (confirm, tick all, print, auto-submit) still work."""

from __future__ import annotations

from typing import Any

import pytest

CHART_PAGES = ("/", "/reports/funnel", "/reports/flows", "/reports/coverage", "/reports/workload",
               "/reports/targets", "/screening/selftest", "/admin/portfolios", "/admin/jobs",
               "/admin/outbox", "/imports", "/windows")


def _login(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", live_server.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def _console(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: msg.type in ("error", "warning") and errors.append(
        f"console: {msg.text} @ {page.url}"))
    return errors


@pytest.mark.browser
def test_pages_with_charts_and_scripts_run_under_the_csp(live_server: Any, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    errors = _console(page)
    _login(page, live_server, "admin")
    for path in CHART_PAGES:
        response = page.goto(f"{live_server.url}{path}")
        assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"], path
        page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/reports/funnel")
    # ECharts drew (its init is an inline script)
    assert page.locator("#funnel-chart svg path").count() >= 4
    assert [e for e in errors if "Content Security Policy" in e or "pageerror" in e] == []


@pytest.mark.browser
def test_an_inline_script_without_the_nonce_is_refused(live_server: Any, browser: Any) -> None:
    page = browser.new_page()
    errors = _console(page)
    _login(page, live_server, "admin")
    page.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.__injected = 1'; document.body.appendChild(s); }""")
    assert page.evaluate("() => window.__injected") is None
    assert any("Content Security Policy" in e for e in errors)


@pytest.mark.browser
def test_data_attribute_behaviours_replace_the_inline_handlers(live_server: Any,
                                                              browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    errors = _console(page)
    _login(page, live_server, "admin")
    page.goto(f"{live_server.url}/admin/portfolios")
    page.check("input[data-check-all]")
    boxes = page.locator("input[name=ids]")
    assert boxes.count() > 0
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.goto(f"{live_server.url}/admin/jobs")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.locator("form[data-confirm] button[type=submit]").first.click()
    assert dialogs
    assert "立即运行" in dialogs[0]
    assert page.url.endswith("/admin/jobs")  # dismissed: nothing was submitted
    page.goto(f"{live_server.url}/windows")
    with page.expect_navigation():
        page.dispatch_event("select[data-autosubmit]", "change")
    assert "year=" in page.url
    assert [e for e in errors if "Content Security Policy" in e or "pageerror" in e] == []
