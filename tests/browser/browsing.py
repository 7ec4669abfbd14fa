"""Helpers the browser tests share: the two viewports every flow is tested at, a page in a fresh
context for one of them, and a login through the real form."""

from __future__ import annotations

from typing import Any

VIEWPORTS = {"desktop": {"width": 1366, "height": 860}, "phone": {"width": 390, "height": 844}}


def open_page(browser: Any, viewport: str) -> Any:
    """A page in a new context sized for ``viewport`` (the phone one touch-enabled)."""
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN",
                                  is_mobile=viewport == "phone", has_touch=viewport == "phone")
    return context.new_page()


def log_in(page: Any, live_server: Any, username: str | None = None) -> None:
    """Log in through the form (the live server's advisor unless ``username``)."""
    page.goto(f"{live_server.url}/login")
    page.fill("input[name=username]", username or live_server.advisor)
    page.fill("input[name=password]", live_server.password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
