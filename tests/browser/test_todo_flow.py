"""待办 in a real browser, at desktop and phone (390×844) size: the badge, the dashboard card,
and 完成 / 推迟到… / 不再提醒 on the list, each counted down in the badge."""

from __future__ import annotations

import json
import os
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from browsing import VIEWPORTS
from sqlalchemy import select, update

from cultivation.accounts.models import User
from cultivation.extensions import db
from cultivation.todos.models import Todo
from cultivation.todos.sync import sync_todos
from cultivation.visits.models import Visit
from cultivation.web import clock

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"  # gitignored
SCREENSHOTS = ROOT / "docs" / "screenshots"


def _fresh_items(live_server: Any) -> int:
    """The advisor's follow-ups open again and their 待办 generated (as the 5-minute job does)."""
    with live_server.app.app_context():
        session = db.session
        advisor = session.scalars(select(User).where(User.username == live_server.advisor)).one()
        session.execute(update(Visit).where(Visit.advisor_id == advisor.id)
                        .values(follow_up_done=False))
        sync_todos(session, clock.now())
        session.execute(update(Todo).where(Todo.user_id == advisor.id)
                        .values(status="open", snoozed_until=None, settled_at=None,
                                settled_by_id=None))
        session.commit()
        count = len(session.scalars(select(Todo.id).where(Todo.user_id == advisor.id)).all())
        session.remove()
        return count


def _badge(page: Any, phone: bool) -> str:
    selector = ".todo-badge-link .todo-badge" if phone else "#todo-badge"
    return str(page.locator(selector).inner_text()).strip()


@pytest.mark.browser
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_an_advisor_works_through_the_todo_list(live_server: Any, browser: Any,
                                                size: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    total = _fresh_items(live_server)
    assert total == 3  # follow-ups 6 days ago, today and in 6 days
    phone = size == "phone"
    page = browser.new_page(viewport=VIEWPORTS[size], locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/login")
    page.fill("input[name=username]", live_server.advisor)
    page.fill("input[name=password]", live_server.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    # The dashboard's first card lists the most urgent items; the badge shows the count.
    assert _badge(page, phone) == "3"
    card = page.locator("#todo-card")
    assert card.locator(".todo-item").count() == 3
    assert "已过 6 天" in card.locator(".todo-item").first.inner_text()

    if phone:
        page.click(".todo-badge-link")
    else:
        page.click("#nav a[href=\"/todos\"]")
    page.wait_for_url(f"{live_server.url}/todos")
    page.wait_for_load_state("networkidle")
    timing = page.evaluate("""() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const res = performance.getEntriesByType('resource');
        return {html: nav.transferSize, load_ms: Math.round(nav.loadEventEnd - nav.startTime),
                total: nav.transferSize + res.reduce((n, r) => n + r.transferSize, 0)};
    }""")
    (ARTIFACTS / f"todos-{size}.json").write_text(json.dumps(timing))
    assert timing["html"] < 40_000, timing
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[size]["width"], f"the list is wider than the screen: {width}px"
    items = page.locator("#todo-list .todo-item")
    assert items.count() == 3
    shot = ARTIFACTS / f"todos-{size}.png"
    page.screenshot(path=str(shot), full_page=True)

    # 完成 the overdue one.
    first = items.first
    assert "已过 6 天" in first.inner_text()
    first.locator("button", has_text="完成").click()
    page.wait_for_selector(".alert-success")
    assert "已完成：走访跟进" in page.locator(".alert-success").inner_text()
    assert _badge(page, phone) == "2"

    # 推迟到 three days from now.
    later = (clock.today() + timedelta(days=3)).isoformat()
    row = page.locator("#todo-list .todo-item").first
    row.locator("input[type=date]").fill(later)
    row.locator("button", has_text="推迟到").click()
    page.wait_for_selector("#todo-postponed")
    assert "已推迟到" in page.locator(".alert-success").inner_text()
    assert _badge(page, phone) == "1"

    # 不再提醒 for the last one: the list is empty.
    page.locator("#todo-list .todo-item").first.locator("button", has_text="不再提醒").click()
    page.wait_for_selector("#todo-empty")
    assert _badge(page, phone) == "0"
    assert errors == []

    if os.environ.get("UPDATE_SCREENSHOTS") and not phone:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, SCREENSHOTS / "todos.png")


@pytest.mark.browser
def test_a_date_in_the_past_is_refused_by_the_server_too(live_server: Any,
                                                         browser: Any) -> None:
    _fresh_items(live_server)
    page = browser.new_page(viewport=VIEWPORTS["phone"], locale="zh-CN")
    page.goto(f"{live_server.url}/login")
    page.fill("input[name=username]", live_server.advisor)
    page.fill("input[name=password]", live_server.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/todos")
    row = page.locator("#todo-list .todo-item").first
    field = row.locator("input[type=date]")
    assert field.get_attribute("min") == (clock.today() + timedelta(days=1)).isoformat()
    field.evaluate("e => e.removeAttribute('min')")  # a page opened yesterday, say
    field.fill((clock.today() - timedelta(days=1)).isoformat())
    with page.expect_response(lambda r: r.url.endswith("/postpone")) as answer:
        row.locator("button", has_text="推迟到").click()
    assert answer.value.status == 422
    assert "推迟到的日期必须晚于今天" in page.locator(".alert-danger").inner_text()
    assert page.locator("#todo-list .todo-item").count() == 3
