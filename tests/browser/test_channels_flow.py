"""通知渠道 in a real browser, at desktop and phone (390×844) size: a wrong webhook is refused
with the Chinese error beside the field (nothing saved, the secret not echoed), the corrected
form saves, and the list shows the webhook masked."""

from __future__ import annotations

from typing import Any

import pytest
from browsing import VIEWPORTS
from sqlalchemy import delete

from cultivation.channels.models import NotifyChannel
from cultivation.extensions import db

SECRET = "SECbrowser0123456789secret"


@pytest.mark.browser
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_an_admin_adds_a_dingtalk_robot_for_an_advisor(live_server: Any, browser: Any,
                                                       size: str) -> None:
    with live_server.app.app_context():
        db.session.execute(delete(NotifyChannel))
        db.session.commit()
        db.session.remove()
    page = browser.new_page(viewport=VIEWPORTS[size], locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", live_server.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/admin/channels")
    assert "尚未配置通知渠道" in page.inner_text("table")

    page.select_option("#provider", "dingtalk")
    page.fill("#name", "张晓明的钉钉")
    page.select_option("#target", label="张晓明（zhang）")
    page.fill("#webhook", "oapi.dingtalk.com/robot/send?access_token=x")  # no scheme
    page.fill("#secret", SECRET)
    page.click("form[action$='/admin/channels'] button[type=submit]")
    page.wait_for_load_state()
    assert "机器人地址须为完整的网址" in page.inner_text("#webhook ~ .invalid-feedback")
    assert page.input_value("#name") == "张晓明的钉钉"  # kept
    assert page.input_value("#secret") == ""  # never echoed back
    assert SECRET not in page.content()
    assert "尚未配置通知渠道" in page.inner_text("table")

    page.fill("#webhook", "https://oapi.dingtalk.com/robot/send?access_token=0a1b2c3d4e5f9876")
    page.fill("#secret", SECRET)
    page.click("form[action$='/admin/channels'] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/channels")
    assert "已添加通知渠道“张晓明的钉钉”" in page.inner_text("body")
    row = page.locator("tr[data-channel]")
    assert row.count() == 1
    text = row.inner_text()
    assert "张晓明（zhang）" in text
    assert "9876" in text
    assert "0a1b2c3d4e5f9876" not in page.content()
    assert SECRET not in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[size]["width"]  # the table scrolls inside its card
    assert errors == []
    page.close()
