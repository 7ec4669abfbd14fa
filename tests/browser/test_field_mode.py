"""Field mode on a phone (390×844) and the same flows at a desktop width: card lists, the firm
page's summary with folded sections, the one-tap 走访, drafts that survive an expired session,
and the keyboard (login focus, the navbar's focus ring)."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import pytest
from browsing import VIEWPORTS, log_in, open_page
from conftest import FIRMS
from playwright.sync_api import expect

from cultivation.extensions import db
from cultivation.qualifications.tiers import TIER_LABELS
from cultivation.screening.services import run_screening
from cultivation.web.clock import now as clock_now
from cultivation.web.clock import today as clock_today

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 860}
LISTS = ("/enterprises", "/screening/candidates", "/windows")


@pytest.fixture(scope="module")
def screened(live_server: Any) -> None:
    """A screening run, so that 培育库 has rows."""
    with live_server.app.app_context():
        run_screening(db.session, as_of=clock_today(), now=clock_now())
        db.session.commit()
        db.session.remove()


def _today(live_server: Any) -> str:
    with live_server.app.app_context():
        return clock_today().isoformat()


def _code_of(page: Any, live_server: Any, name: str) -> str:
    """The credit code of a seeded firm, read from the firm list."""
    page.goto(f"{live_server.url}/enterprises?q={name}")
    href = page.locator(f"table.enterprise-list a:text-is('{name}')").get_attribute("href")
    return str(href).rsplit("/", 1)[1]


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_lists_are_cards_on_a_phone_and_tables_on_a_desktop(
        live_server: Any, browser: Any, screened: None, viewport: str) -> None:
    page = open_page(browser, viewport)
    log_in(page, live_server)
    for path in LISTS:
        page.goto(f"{live_server.url}{path}")
        cards, table = page.locator("ul.field-cards").first, page.locator("main table").first
        assert cards.is_visible() is (viewport == "phone"), path
        assert table.is_visible() is (viewport == "desktop"), path
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS[viewport]["width"], (path, width)
    if viewport == "phone":  # a firm card: name, tier badge, town and the next follow-up
        page.goto(f"{live_server.url}/enterprises")
        card = page.locator("li.field-card", has_text=FIRMS[0][0])
        assert card.locator("[data-tier]").inner_text() == TIER_LABELS["leading"]
        assert FIRMS[0][1] in card.inner_text()
        assert "下次跟进" in card.locator(".field-key").inner_text()
        name_box = card.locator("a").first.bounding_box()
        assert name_box["width"] > 150  # the name is no longer one character per line


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_firm_page_shows_a_summary_first_on_a_phone(
        live_server: Any, browser: Any, viewport: str) -> None:
    page = open_page(browser, viewport)
    log_in(page, live_server)
    page.goto(f"{live_server.url}/enterprises/{live_server.firm_code}")
    summary = page.locator("#field-summary")
    if viewport == "desktop":
        assert not summary.is_visible()
        assert page.locator("#profile dl").first.is_visible()
        assert page.locator("#verdicts section.verdict").first.is_visible()
        return
    assert summary.is_visible()
    assert summary.locator("[data-tier]").inner_text() == TIER_LABELS["leading"]
    assert "下次跟进" in summary.locator(".next-follow-up").inner_text()
    assert summary.locator("a[href^='tel:']").first.get_attribute("href") == "tel:057687700001"
    assert "差：" in summary.locator(".misses").inner_text() or \
        summary.locator(".misses .badge").count() >= 1
    # Sections are folded: headers only, until 展开.
    assert not page.locator("#profile dl").first.is_visible()
    assert not page.locator("#verdicts section.verdict").first.is_visible()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2600, height  # it was 8,369 px before field mode
    page.locator("#profile [data-fold]").click()
    assert page.locator("#profile dl").first.is_visible()
    assert page.locator("#profile [data-fold]").inner_text() == "收起"
    page.locator("#verdicts [data-fold]").click()
    table = page.locator("#verdicts table.criteria").first
    assert table.is_visible()


@pytest.mark.browser
@pytest.mark.parametrize(("viewport", "firm"), [("phone", FIRMS[1][0]), ("desktop", FIRMS[2][0])])
def test_a_visit_is_one_tap_from_the_firm_card_with_today_filled_in(
        live_server: Any, browser: Any, viewport: str, firm: str) -> None:
    page = open_page(browser, viewport)
    log_in(page, live_server)
    if viewport == "phone":  # the firm list's card
        page.goto(f"{live_server.url}/enterprises")
        page.locator("li.field-card", has_text=firm).locator("a.quick-visit").click()
    else:  # the firm page's header
        page.goto(f"{live_server.url}/enterprises/{_code_of(page, live_server, firm)}")
        page.locator("main a:text-is('记录走访')").first.click()
    page.wait_for_url("**/visits/new")
    today = _today(live_server)
    assert page.input_value("input[name=visited_on]") == today
    page.fill("textarea[name=notes]", f"{viewport} 走访 核对研发费用辅助账")
    follow_up = date.fromisoformat(today) + timedelta(days=14)
    page.fill("input[name=next_follow_up_on]", follow_up.isoformat())
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=走访记录已保存")
    # Back on the firm page at #activity: that section is open even on a phone.
    assert f"{viewport} 走访 核对研发费用辅助账" in page.locator("#activity").inner_text()


@pytest.mark.browser
@pytest.mark.parametrize(("viewport", "firm"), [("phone", FIRMS[3][0]), ("desktop", FIRMS[4][0])])
def test_a_draft_typed_when_the_session_expired_comes_back_after_login(
        live_server: Any, browser: Any, viewport: str, firm: str) -> None:
    page = open_page(browser, viewport)
    log_in(page, live_server)
    code = _code_of(page, live_server, firm)
    form_url = f"{live_server.url}/enterprises/{code}/visits/new"
    page.goto(form_url)
    note = "企业反映研发人员流失 建议申报省级研发中心\n下月带政策资料再访"
    page.fill("textarea[name=notes]", note)
    page.context.clear_cookies()  # the session expired while the form was open
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/login?next=" in url)
    assert "登录已过期" in page.locator("main").inner_text()
    page.fill("input[name=username]", live_server.advisor)
    page.fill("input[name=password]", live_server.password)
    page.click("main button[type=submit]")
    page.wait_for_url(form_url)
    assert page.input_value("textarea[name=notes]") == note
    assert page.locator(".draft-restored").is_visible()
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=走访记录已保存")
    assert "建议申报省级研发中心" in page.locator("#activity").inner_text()
    page.goto(form_url)  # saved: the draft is gone
    assert page.input_value("textarea[name=notes]") == ""
    assert page.locator(".draft-restored").count() == 0


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_login_focus_and_the_navbar_focus_ring(
        live_server: Any, browser: Any, viewport: str) -> None:
    page = open_page(browser, viewport)
    page.goto(f"{live_server.url}/login")
    assert page.evaluate("document.activeElement.name") == "username"
    page.keyboard.type(live_server.advisor)
    page.keyboard.press("Tab")
    page.keyboard.type("wrong-password")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=用户名或密码错误")
    # Still on the form: the password field gets the focus (autofocus applies once the page has
    # loaded, so wait for it rather than read it at once), the username is kept. (Playwright's
    # own assertion polls from its utility world; wait_for_function's string predicate is an
    # eval the page's CSP refuses once it has to poll, as on a loaded machine.)
    expect(page.locator("input[name=password]")).to_be_focused(timeout=5000)
    assert page.input_value("input[name=username]") == live_server.advisor
    page.keyboard.type(live_server.password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    page.keyboard.press("Tab")  # the brand link is the first stop
    ring = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return [document.activeElement.closest('nav') !== null, s.outlineStyle,
                s.outlineWidth]; }""")
    assert ring == [True, "solid", "3px"]


@pytest.mark.browser
def test_phone_pages_weight_and_time(live_server: Any, browser: Any, screened: None,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """What the phone pages weigh (HTML bytes) and take (load event, warm cache, local server);
    the weight budget keeps field mode from regressing; times are printed only (pytest -s),
    never asserted."""
    page = open_page(browser, "phone")
    log_in(page, live_server)
    figures = []
    for path in (*LISTS, f"/enterprises/{live_server.firm_code}"):
        page.goto(f"{live_server.url}{path}")  # warm the static files
        started = time.perf_counter()
        response = page.goto(f"{live_server.url}{path}", wait_until="load")
        elapsed = (time.perf_counter() - started) * 1000
        size = len(response.body())
        height = page.evaluate("document.documentElement.scrollHeight")
        figures.append((path, size, round(elapsed), height))
        assert size < 120_000, (path, size)
    with capsys.disabled():
        for path, size, ms, height in figures:
            print(f"\nphone {path}: {size} B HTML, {ms} ms, {height} px tall")


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_selftest_firm_box_is_searchable_and_shares_are_percentages(
        live_server: Any, browser: Any, viewport: str) -> None:
    page = open_page(browser, viewport)
    log_in(page, live_server)
    page.goto(f"{live_server.url}/screening/selftest")
    assert page.locator("select#pick").count() == 0
    options = page.locator("datalist#firm-options option")
    assert options.count() == 5  # the advisor's own firms
    page.fill("#pick", FIRMS[0][0])
    page.click("form:has(#pick) button[type=submit]")
    page.wait_for_selector("#verdict-tech-sme, #verdict-hnte")
    assert page.input_value("#pick") == FIRMS[0][0]
    assert "（0." not in page.locator("main").inner_text()
