"""What a browser shows beyond the happy path: no console errors on the main pages, verdict
tables inside their cards, and the import wizard's streamed check and commit on a real server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from import_support import write_xlsx

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


@pytest.mark.browser
def test_the_import_wizard_checks_and_commits_through_a_real_server(
        live_server: Any, browser: Any, tmp_path: Path) -> None:
    # The check and the commit stream NDJSON: a real server iterates the body after the
    # request's app context is gone (this once answered 500 and the page spun forever).
    upload = write_xlsx(tmp_path / "名录.xlsx", [
        ["企业名称", "统一社会信用代码", "所属乡镇"],
        ["浙江仙琚制药股份有限公司", live_server.firm_code, "福应街道"],
        ["坏代码公司", live_server.firm_code[:17] + ("0" if live_server.firm_code[17] != "0"
                                                  else "1"), "福应街道"]])
    page = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    errors = _collect_errors(page)
    _login(page, live_server, "admin")
    page.goto(f"{live_server.url}/imports")
    page.set_input_files("input[name=file]", str(upload))
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_selector("#commit-form")  # the check finished and the page reloaded
    assert "校验位错误" in page.locator("#problems").inner_text()
    page.click("#commit-form button[type=submit]")
    page.wait_for_selector("text=撤销本批次")
    assert errors == []


@pytest.mark.browser
def test_a_failed_check_says_so_instead_of_spinning_forever(
        live_server: Any, browser: Any, tmp_path: Path) -> None:
    upload = write_xlsx(tmp_path / "名录.xlsx", [
        ["企业名称", "统一社会信用代码", "所属乡镇"],
        ["浙江仙琚制药股份有限公司", live_server.firm_code, "福应街道"]])
    page = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    page.route("**/imports/*/check", lambda route: route.fulfill(
        status=500, content_type="text/html", body="<html>Internal Server Error</html>"))
    _login(page, live_server, "admin")
    page.goto(f"{live_server.url}/imports")
    page.set_input_files("input[name=file]", str(upload))
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_selector("#progress-bar.bg-danger")
    assert "HTTP 500" in page.locator("#progress-text").inner_text()
