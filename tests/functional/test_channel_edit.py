"""Editing a 通知渠道: name, recipient, enabled flag, webhook and secret. An empty webhook or
secret keeps the stored (encrypted) one, a new value replaces it; bad input is a 422 in Chinese
with nothing changed; every change is audited without the secret; admins only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask, current_app
from schedule_support import compose_settings
from sqlalchemy import select
from sqlalchemy.orm import Session

from cultivation.audit.models import AuditLog
from cultivation.channels import crypto
from cultivation.channels.models import NotifyChannel
from cultivation.mail.models import OutboxMessage
from cultivation.mail.services import enqueue

DING = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef"
DING2 = "https://oapi.dingtalk.com/robot/send?access_token=fedcba9876543210"
WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
SECRET = "SEC1234567890abcdefsecretvalue"
SECRET2 = "SECnewnewnew0987654321zyxwvu"


def plain(token: str | None) -> str:
    """A stored webhook or secret decrypted with the app's SECRET_KEY."""
    return crypto.decrypt(token or "", str(current_app.config["SECRET_KEY"]))


@pytest.fixture
def strict_urls(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "CHANNEL_ALLOW_ANY_URL", False)


@pytest.fixture
def channel(auth: Any, db_session: Session, make_user: Any, strict_urls: None) -> NotifyChannel:
    auth.login("admin")
    advisor = make_user("advisor", display_name="王指导")
    response = auth.post("/admin/channels", {
        "provider": "dingtalk", "name": "王指导的机器人", "target": f"user:{advisor.id}",
        "webhook": DING, "secret": SECRET})
    assert response.status_code == 302
    return db_session.scalars(select(NotifyChannel)).one()


def edit(auth: Any, channel: NotifyChannel, **form: str) -> Any:
    url = f"/admin/channels/{channel.id}/edit"
    data = {"name": channel.name, "target": f"user:{channel.user_id}", "active": "1",
            "webhook": "", "secret": "", **form}
    return auth.post(url, {k: v for k, v in data.items() if v is not None}, form_url=url)


def audits(db_session: Session) -> list[AuditLog]:
    return list(db_session.scalars(select(AuditLog).where(
        AuditLog.entity_type == "notify_channel", AuditLog.action == "update")))


def test_the_edit_form_shows_the_current_values_masked(auth: Any, channel: NotifyChannel) -> None:
    html = auth.client.get(f"/admin/channels/{channel.id}/edit").get_data(as_text=True)
    assert 'value="王指导的机器人"' in html
    assert "••••••cdef" in html
    assert "0123456789abcdef" not in html
    assert SECRET not in html
    assert "留空则保持不变" in html


def test_empty_webhook_and_secret_keep_the_stored_ones(auth: Any, db_session: Session,
                                                       channel: NotifyChannel) -> None:
    response = edit(auth, channel, name="领导群机器人", target="role:leader", active=None)
    assert response.status_code == 302
    db_session.refresh(channel)
    assert (channel.name, channel.user_id, channel.role, channel.active) == (
        "领导群机器人", None, "leader", False)
    assert plain(channel.webhook_encrypted) == DING
    assert plain(channel.secret_encrypted) == SECRET
    [entry] = audits(db_session)
    assert entry.before["name"] == "王指导的机器人"
    assert entry.after == {"name": "领导群机器人", "user_id": None, "role": "leader",
                           "active": False}
    page = auth.client.get("/admin/channels").get_data(as_text=True)
    assert "已保存通知渠道“领导群机器人”" in page
    assert "停用" in page


def test_new_webhook_and_secret_replace_the_stored_ones(auth: Any, db_session: Session,
                                                        channel: NotifyChannel) -> None:
    assert edit(auth, channel, webhook=DING2, secret=SECRET2).status_code == 302
    db_session.refresh(channel)
    assert plain(channel.webhook_encrypted) == DING2
    assert plain(channel.secret_encrypted) == SECRET2
    [entry] = audits(db_session)
    assert entry.after["webhook_change"] == "已更换"
    assert entry.after["secret_change"] == "已更换"
    assert entry.after["webhook"].endswith("3210")
    stored = f"{entry.before}{entry.after}"
    for value in (SECRET, SECRET2, "0123456789abcdef", "fedcba9876543210"):
        assert value not in stored


def test_the_secret_can_be_cleared(auth: Any, db_session: Session,
                                   channel: NotifyChannel) -> None:
    assert edit(auth, channel, clear_secret="1").status_code == 302
    db_session.refresh(channel)
    assert channel.secret_encrypted is None
    assert audits(db_session)[0].after == {"signed": False, "secret_change": "已清除"}


def test_saving_without_a_change_records_nothing(auth: Any, db_session: Session,
                                                 channel: NotifyChannel) -> None:
    response = edit(auth, channel, webhook=DING, secret=SECRET)  # the same values typed again
    assert response.status_code == 302
    assert "没有改动" in auth.client.get("/admin/channels").get_data(as_text=True)
    assert audits(db_session) == []


@pytest.mark.parametrize(("form", "message"), [
    ({"webhook": "https://example.com/robot/send?access_token=x"}, "钉钉群机器人地址应形如"),
    ({"webhook": WECOM}, "钉钉群机器人地址应形如"),
    ({"webhook": "oapi.dingtalk.com/robot/send?access_token=x"}, "须为完整的网址"),
    ({"name": "  "}, "请填写名称"),
    ({"name": "长" * 101}, "请填写名称（不超过100字）"),
    ({"target": "user:999999"}, "所选用户不存在"),
    ({"target": "user:99999999999999999999"}, "请选择接收人"),
    ({"target": ""}, "请选择接收人"),
    ({"secret": "x" * 201}, "密钥过长"),
])
def test_bad_input_is_a_422_in_chinese_and_nothing_changes(
        auth: Any, db_session: Session, channel: NotifyChannel, form: dict[str, str],
        message: str) -> None:
    response = edit(auth, channel, **{"name": "改了名字", "active": None, "secret": SECRET2,
                                      **form})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert SECRET2 not in html
    assert SECRET not in html
    db_session.expire_all()
    channel = db_session.get(NotifyChannel, channel.id)
    assert (channel.name, channel.active) == ("王指导的机器人", True)  # nothing half-saved
    assert plain(channel.secret_encrypted) == SECRET
    assert plain(channel.webhook_encrypted) == DING
    assert audits(db_session) == []


def test_a_wecom_robot_takes_no_secret_on_edit(auth: Any, db_session: Session,
                                               strict_urls: None) -> None:
    auth.login("admin")
    auth.post("/admin/channels", {"provider": "wecom", "name": "群", "target": "role:advisor",
                                  "webhook": WECOM})
    wecom = db_session.scalars(select(NotifyChannel)).one()
    url = f"/admin/channels/{wecom.id}/edit"
    assert "加签密钥（钉钉" not in auth.client.get(url).get_data(as_text=True)
    response = auth.post(url, {"name": "群", "target": "role:advisor", "active": "1",
                               "webhook": "", "secret": "SECx"}, form_url=url)
    assert response.status_code == 422
    assert "企业微信群机器人没有加签密钥" in response.get_data(as_text=True)


def test_a_disabled_channel_gets_no_new_messages(auth: Any, db_session: Session,
                                                 channel: NotifyChannel) -> None:
    advisor = channel.user
    edit(auth, channel, active=None)
    enqueue(db_session, dedup_key="edit:1", recipient=advisor, subject="提醒",
            template="followups", context={"items": []}, now=datetime(2026, 6, 1, tzinfo=UTC),
            settings=compose_settings())
    robots = db_session.scalars(select(OutboxMessage).where(
        OutboxMessage.channel == "dingtalk")).all()
    assert robots == []
    edit(auth, channel, active="1")
    enqueue(db_session, dedup_key="edit:2", recipient=advisor, subject="提醒",
            template="followups", context={"items": []}, now=datetime(2026, 6, 1, tzinfo=UTC),
            settings=compose_settings())
    assert len(db_session.scalars(select(OutboxMessage).where(
        OutboxMessage.channel == "dingtalk")).all()) == 1


@pytest.mark.parametrize("role", ["advisor", "leader"])
def test_only_admins_edit_channels(auth: Any, db_session: Session, channel: NotifyChannel,
                                   role: str) -> None:
    channel_id = channel.id
    auth.logout()
    auth.login(role)
    url = f"/admin/channels/{channel_id}/edit"
    assert auth.client.get(url).status_code == 403
    response = auth.post(url, {"name": "x", "target": "role:advisor", "active": "1"},
                         form_url="/")  # a valid CSRF token: the role check answers
    assert response.status_code == 403
    db_session.expire_all()
    assert db_session.get(NotifyChannel, channel_id).name == "王指导的机器人"


def test_an_unknown_channel_is_a_404(auth: Any) -> None:
    auth.login("admin")
    assert auth.client.get("/admin/channels/987654/edit").status_code == 404
    assert auth.client.get("/admin/channels/99999999999/edit").status_code == 404
