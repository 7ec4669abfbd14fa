"""Working views in a browser at a phone (390×844) and a desktop width: the navbar's quick
search, the 梯次看板 (a card move opens the certificate form; cards show candidacy and the
next follow-up), the firm page's activity timeline and deleting a mistaken certificate.
``CULTIVATION_SCREENSHOTS=dir`` also saves the README's screenshots there."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from browsing import VIEWPORTS, log_in, open_page
from conftest import FIRMS, MINE

from cultivation.qualifications.tiers import TIER_LABELS

VIEWPORT_WIDTH = {name: size["width"] for name, size in VIEWPORTS.items()}


def _search_box(page: Any) -> Any:
    toggler = page.locator("button.navbar-toggler")
    if toggler.is_visible():  # the phone's collapsed navbar
        toggler.click()
    box = page.locator("#quick-search")
    box.wait_for(state="visible")
    return box


def _shoot(page: Any, name: str, *, full_page: bool = False) -> None:
    folder = os.environ.get("CULTIVATION_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=full_page)


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_quick_search_from_the_navbar(live_server: Any, browser: Any, viewport: str) -> None:
    page = open_page(browser, viewport)
    log_in(page, live_server)
    page.goto(f"{live_server.url}/windows")
    box = _search_box(page)
    box.fill("王建国")  # every seeded firm has this contact: only the advisor's own are found
    box.press("Enter")
    page.wait_for_url("**/search?q=*")
    names = page.locator(".search-results li.field-card a").all_inner_texts()
    assert sorted(names) == sorted(name for name, *_ in FIRMS[:MINE])
    assert page.locator(".contact-match").count() == MINE
    box = _search_box(page)
    box.fill("永安电子")  # one hit by name opens the firm
    box.press("Enter")
    page.wait_for_url("**/enterprises/*")
    assert page.locator("h1").inner_text() == FIRMS[3][0]


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_board_moves_a_card_into_the_certificate_form(
        live_server: Any, browser: Any, viewport: str) -> None:
    page = open_page(browser, viewport)
    log_in(page, live_server)
    page.goto(f"{live_server.url}/board")
    columns = page.locator("[data-board-column]")
    assert columns.count() == len(TIER_LABELS)
    boxes = [columns.nth(i).bounding_box() for i in range(columns.count())]
    if viewport == "desktop":  # side by side
        assert len({round(b["y"]) for b in boxes}) == 1
    else:  # stacked, full width, nothing off-screen
        assert all(b["width"] > 330 for b in boxes)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    startup = page.locator('[data-board-column="startup"]')
    card = startup.locator(".board-card", has_text=FIRMS[4][0])
    assert re.search("下次跟进|暂无待跟进", card.inner_text())
    if viewport == "desktop":
        card.drag_to(page.locator('[data-board-column="hnte"] .card-header'))
    else:  # no drag on a touch screen: the card's link
        card.locator("a:text-is('登记资质')").click()
    page.wait_for_url("**/qualifications/new*")
    if viewport == "desktop":
        assert page.input_value("select[name=kind]") == "hnte"
        assert "不会直接改变梯次" in page.locator("main").inner_text()
    page.goto(f"{live_server.url}/board")  # nothing changed
    card = page.locator('[data-board-column="startup"] .board-card', has_text=FIRMS[4][0])
    assert card.count() == 1


@pytest.mark.browser
@pytest.mark.parametrize(("viewport", "firm"), [("phone", FIRMS[11][0]),
                                                ("desktop", FIRMS[9][0])])
def test_an_admin_deletes_a_mistaken_certificate(
        live_server: Any, browser: Any, viewport: str, firm: str) -> None:
    page = open_page(browser, viewport)
    log_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/search?q={firm}")
    page.wait_for_url("**/enterprises/*")
    before = page.locator("h1 + span [data-tier]").get_attribute("data-tier")
    assert before in ("tech_sme", "hnte")
    page.on("dialog", lambda dialog: dialog.accept())
    section = page.locator("#qualifications")
    if viewport == "phone":
        section.locator("[data-fold]").click()
    count = section.locator("li.list-group-item").count()
    section.locator("button.delete-qualification").first.click()
    page.wait_for_selector("text=已删除误录的资质")
    assert page.locator("#qualifications li.list-group-item").count() == count - 1
    after = page.locator("h1 + span [data-tier]").get_attribute("data-tier")
    assert after != before  # the current certificate went: the tier follows


@pytest.mark.browser
def test_the_phone_firm_page_screenshot(live_server: Any, browser: Any) -> None:
    page = open_page(browser, "phone")
    log_in(page, live_server)
    page.goto(f"{live_server.url}/enterprises/{live_server.firm_code}")
    assert page.locator("#field-summary").is_visible()
    _shoot(page, "firm-phone.png", full_page=True)


@pytest.fixture(scope="module")
def screened(live_server: Any) -> None:
    """The advisor completes two facts the seed leaves blank (no major incident; 行业门类 工业)
    through the registry service, then a screening run: the firms become 省科小 candidates."""
    from sqlalchemy import select

    from cultivation.accounts.models import User
    from cultivation.enterprises import services
    from cultivation.enterprises.models import Enterprise
    from cultivation.extensions import db
    from cultivation.screening.services import run_screening
    from cultivation.web.clock import now, today

    with live_server.app.app_context():
        advisor = db.session.scalars(select(User).where(User.username == "zhang")).one()
        names = [name for name, *_ in FIRMS[:MINE]]
        for firm in db.session.scalars(select(Enterprise).where(Enterprise.name.in_(names))):
            services.update_enterprise(db.session, firm, {"major_incident_last_year": False,
                                                          "sector": "industry"},
                                       actor=advisor, now=now(), today=today())
        run_screening(db.session, as_of=today(), now=now())
        db.session.commit()
        db.session.remove()


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_firm_page_has_one_timeline(live_server: Any, browser: Any, viewport: str) -> None:
    page = open_page(browser, viewport)
    log_in(page, live_server)
    page.goto(f"{live_server.url}/enterprises/{live_server.firm_code}")
    timeline = page.locator("#activity")
    assert page.locator("#visits, #audit").count() == 0  # the two old lists are gone
    items = timeline.locator("li.activity-item")
    if viewport == "phone":  # folded under the summary until 展开
        assert not items.first.is_visible()
        timeline.locator("[data-fold]").click()
    assert items.first.is_visible()
    kinds = [items.nth(i).get_attribute("data-kind") for i in range(items.count())]
    assert {"visit", "certificate", "figures", "portfolio"} <= set(kinds)
    visit = timeline.locator("li[data-kind=visit]")
    assert "走访了解研发投入" in visit.inner_text()
    assert "张晓明" in visit.locator(".activity-who").inner_text()
    # Newest first: what was recorded at set-up (today), then the visit of 49 days ago.
    days = [items.nth(i).locator("time").get_attribute("datetime") for i in range(items.count())]
    assert days == sorted(days, reverse=True)
    assert kinds[-1] == "visit"
    assert "登记企业" in timeline.locator("li[data-kind=firm]").inner_text()
    certificate = timeline.locator("li[data-kind=certificate]").first
    assert re.search(r"新增资质", certificate.inner_text())
    assert re.search(r"\d{4}年\d+月\d+日 至 ", certificate.locator(".activity-detail").inner_text())
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT_WIDTH[viewport]


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_board_cards_show_candidacy_and_next_follow_up(
        live_server: Any, browser: Any, screened: None, viewport: str) -> None:
    page = open_page(browser, viewport)
    log_in(page, live_server)
    page.goto(f"{live_server.url}/board")
    cards = page.locator(".board-card")
    assert cards.count() == MINE
    for i in range(cards.count()):
        assert re.search("下次跟进|暂无待跟进", cards.nth(i).inner_text())
    badges = page.locator(".board-card .candidacy .badge")
    assert badges.count() >= 1
    for i in range(badges.count()):
        text = badges.nth(i).inner_text()
        assert re.fullmatch(r"(高企|国家科小|省科小) (首次申报|重新认定)", text), text
    badge = badges.first
    assert badge.is_visible()
    assert badge.get_attribute("data-application") in ("first", "renewal")
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT_WIDTH[viewport]
    _shoot(page, f"board-{viewport}.png", full_page=viewport == "phone")
