"""Saved filters and bulk actions in a browser at a phone (390×844) and a desktop (1366×860):
save the current filter and apply it from 我的筛选, tick firms (table or cards) and plan a 走访
for them, and an admin assigning ticked firms to an advisor."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from browsing import VIEWPORTS, log_in, open_page
from conftest import FIRMS

from cultivation.web.clock import today as clock_today


def _today(live_server: Any) -> date:
    with live_server.app.app_context():
        return clock_today()


def _rows(page: Any, viewport: str) -> Any:
    """The firm entries that are shown: table rows on a desktop, cards on a phone."""
    rows = "li.field-card" if viewport == "phone" else "table.enterprise-list tbody tr"
    return page.locator(rows)


def _tick(page: Any, viewport: str, name: str) -> None:
    _rows(page, viewport).filter(has_text=name).locator("input.bulk-pick").check()


def _fits(page: Any, viewport: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[viewport]["width"], width


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_save_a_filter_and_apply_it_from_my_filters(live_server: Any, browser: Any,
                                                    viewport: str) -> None:
    page = open_page(browser, viewport)
    log_in(page, live_server)
    page.goto(f"{live_server.url}/enterprises")
    page.select_option("select#tier", "hnte")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**tier=hnte*")
    page.click("button:text-is('保存当前筛选')")
    name = f"我的高企（{viewport}）"
    page.fill("#save-filter-name", "")
    page.click("#save-filter button[type=submit]")  # no name: refused, the form stays open
    assert page.locator("#save-filter .worklist-error").inner_text() == "请填写筛选名称"
    page.fill("#save-filter-name", name)
    page.click("#save-filter button[type=submit]")
    page.wait_for_selector(f"text=已保存筛选“{name}”")
    _fits(page, viewport)
    page.goto(f"{live_server.url}/enterprises")  # back to everything
    assert _rows(page, viewport).count() == 5
    page.click("button:has-text('我的筛选')")
    page.locator(".saved-filter-menu a", has_text=name).click()  # one click applies it
    page.wait_for_url("**tier=hnte*")
    names = [firm[0] for firm in FIRMS[:5] if firm[-1] == "hnte"]
    assert _rows(page, viewport).count() == len(names)
    for firm in names:
        assert _rows(page, viewport).filter(has_text=firm).count() == 1


@pytest.mark.browser
@pytest.mark.parametrize(("viewport", "firms"), [("phone", (FIRMS[3][0], FIRMS[4][0])),
                                                 ("desktop", (FIRMS[1][0], FIRMS[2][0]))])
def test_tick_firms_and_plan_a_visit_for_them(live_server: Any, browser: Any, viewport: str,
                                              firms: tuple[str, str]) -> None:
    page = open_page(browser, viewport)
    log_in(page, live_server)
    page.goto(f"{live_server.url}/enterprises")
    plan = page.locator("#bulk-form button:text-is('计划走访')")
    assert plan.is_disabled()  # nothing ticked yet
    for firm in firms:
        _tick(page, viewport, firm)
    assert page.locator("[data-bulk-count]").inner_text() == "2"
    plan.click()
    day = _today(live_server) + timedelta(days=30)
    page.fill("#bulk-planned-on", day.isoformat())
    page.fill("#bulk-note", f"{viewport} 计划走访 了解高企申报准备")
    _fits(page, viewport)
    page.click("#bulk-form button:text-is('为所选企业计划走访')")
    page.wait_for_selector("text=已为 2 家企业计划走访")
    # "全选本页" ticks every firm of the page (table and cards alike), and clears them again.
    page.locator("#pick-page").check()
    assert page.locator("[data-bulk-count]").inner_text() == str(_rows(page, viewport).count())
    page.locator("#pick-page").uncheck()
    assert page.locator("[data-bulk-count]").inner_text() == "0"
    _rows(page, viewport).filter(has_text=firms[0]).locator("a").first.click()
    page.wait_for_url("**/enterprises/*")
    if viewport == "phone":
        page.locator("#activity [data-fold]").click()
    visits = page.locator("#activity").inner_text()
    assert "计划走访" in visits
    assert f"{viewport} 计划走访 了解高企申报准备" in visits


@pytest.mark.browser
@pytest.mark.parametrize(("viewport", "firm"), [("phone", FIRMS[7][0]), ("desktop", FIRMS[5][0])])
def test_an_admin_assigns_ticked_firms_to_an_advisor(live_server: Any, browser: Any,
                                                     viewport: str, firm: str) -> None:
    page = open_page(browser, viewport)
    log_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/enterprises?advisor=none")
    _tick(page, viewport, firm)
    page.click("#bulk-form button:text-is('分配指导员')")
    page.select_option("#bulk-advisor", "li")
    _fits(page, viewport)
    page.click("#bulk-form button:has-text('确定分配')")
    page.wait_for_selector("text=已将 1 家企业分配给 李文静")
    assert page.url.endswith("advisor=none")
    assert _rows(page, viewport).filter(has_text=firm).count() == 0  # no longer unassigned
    page.goto(f"{live_server.url}/enterprises?advisor=li")
    assert _rows(page, viewport).filter(has_text=firm).count() == 1
