"""Editing a 通知渠道 in a real browser at desktop and phone (390×844) size: a wrong webhook is
refused beside the field with nothing saved and the secret not echoed; then the name, the
recipient and the enabled flag change while the empty webhook and secret keep the stored
(encrypted) ones, and the list shows the robot 停用 with the same masked webhook."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from browsing import VIEWPORTS, log_in, open_page
from sqlalchemy import delete

from cultivation.channels import crypto
from cultivation.channels.models import NotifyChannel
from cultivation.channels.services import ChannelInput, create
from cultivation.extensions import db
from cultivation.settings import settings_from

WEBHOOK = "https://oapi.dingtalk.com/robot/send?access_token=00aa11bb22cc7788"
SECRET = "SECedit0123456789secretvalue"


def _one_channel(live_server: Any) -> int:
    with live_server.app.app_context():
        db.session.execute(delete(NotifyChannel))
        channel = create(db.session, ChannelInput("dingtalk", "张晓明的钉钉", "role:advisor",
                                                  WEBHOOK, SECRET),
                         actor="test", now=datetime.now(UTC),
                         settings=settings_from(live_server.app.config).channels)
        db.session.commit()
        channel_id = channel.id
        db.session.remove()
    return channel_id


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_admin_edits_a_robot_and_keeps_its_secret(live_server: Any, browser: Any,
                                                     viewport: str) -> None:
    channel_id = _one_channel(live_server)
    page = open_page(browser, viewport)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/admin/channels")
    page.click(f"tr[data-channel='{channel_id}'] a:text-is('编辑')")
    page.wait_for_url(f"**/admin/channels/{channel_id}/edit")
    assert page.input_value("#webhook") == ""
    assert page.input_value("#secret") == ""
    assert "••••••7788" in page.inner_text("#current-webhook")
    assert "已设置" in page.inner_text("#current-secret")
    assert "00aa11bb22cc7788" not in page.content()
    assert SECRET not in page.content()

    page.fill("#name", "指导员群机器人")
    page.fill("#webhook", "oapi.dingtalk.com/robot/send?access_token=x")  # no scheme
    page.fill("#secret", "SECtyped-but-refused")
    page.click("#channel-edit button[type=submit]")
    page.wait_for_load_state()
    assert "机器人地址须为完整的网址" in page.inner_text("#webhook ~ .invalid-feedback")
    assert page.input_value("#name") == "指导员群机器人"  # kept for correction
    assert page.input_value("#secret") == ""  # never echoed back
    assert "SECtyped-but-refused" not in page.content()

    page.fill("#webhook", "")  # keep the stored webhook
    page.select_option("#target", "role:leader")
    page.uncheck("#active")
    page.click("#channel-edit button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/channels")
    assert "已保存通知渠道“指导员群机器人”" in page.inner_text("main")
    row = page.locator(f"tr[data-channel='{channel_id}']")
    text = row.inner_text()
    assert "指导员群机器人" in text
    assert "局领导群" in text
    assert "停用" in text
    assert "7788" in text
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
    with live_server.app.app_context():
        channel = db.session.get(NotifyChannel, channel_id)
        assert channel is not None
        assert (channel.role, channel.active) == ("leader", False)
        key = str(live_server.app.config["SECRET_KEY"])
        assert crypto.decrypt(channel.webhook_encrypted, key) == WEBHOOK
        assert crypto.decrypt(channel.secret_encrypted or "", key) == SECRET
        db.session.remove()
    assert errors == []
    page.context.close()
