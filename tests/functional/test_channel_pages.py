"""通知渠道 page: admins add DingTalk / WeCom robots per user or role group; bad input is a
422 with Chinese errors and nothing saved; the secret is never shown back."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from schedule_support import compose_settings, robot_settings
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cultivation.audit.models import AuditLog
from cultivation.channels.models import NotifyChannel
from cultivation.mail.services import enqueue

DING = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef"
WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
SECRET = "SEC1234567890abcdefsecretvalue"


@pytest.fixture
def strict_urls(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Production's rule: only the providers' own webhook hosts."""
    monkeypatch.setitem(app.config, "CHANNEL_ALLOW_ANY_URL", False)


def count(session: Session) -> int:
    return session.scalar(select(func.count(NotifyChannel.id))) or 0


def test_an_admin_adds_a_signed_dingtalk_robot_and_sees_it_masked(
        auth: Any, db_session: Session, make_user: Any, strict_urls: None) -> None:
    auth.login("admin")
    advisor = make_user("advisor", display_name="王指导")
    response = auth.post("/admin/channels", {
        "provider": "dingtalk", "name": "王指导的机器人", "target": f"user:{advisor.id}",
        "webhook": DING, "secret": SECRET}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "已添加通知渠道“王指导的机器人”" in html
    assert SECRET not in html
    assert "0123456789abcdef" not in html
    assert "cdef" in html  # the last characters only
    [channel] = db_session.scalars(select(NotifyChannel)).all()
    assert (channel.user_id, channel.role) == (advisor.id, None)
    audit = db_session.scalars(select(AuditLog).where(AuditLog.entity_type == "notify_channel"))
    assert all(SECRET not in str(a.after) for a in audit)


def test_a_wecom_group_robot_for_leaders(auth: Any, db_session: Session,
                                         strict_urls: None) -> None:
    auth.login("admin")
    response = auth.post("/admin/channels", {
        "provider": "wecom", "name": "局领导群", "target": "role:leader", "webhook": WECOM})
    assert response.status_code == 302
    [channel] = db_session.scalars(select(NotifyChannel)).all()
    assert (channel.role, channel.secret_encrypted) == ("leader", None)


@pytest.mark.parametrize(("form", "message"), [
    ({"provider": "dingtalk", "webhook": WECOM}, "钉钉群机器人地址应形如 https://oapi.dingtalk.com"),
    ({"provider": "wecom", "webhook": DING}, "企业微信群机器人地址应形如"),
    ({"webhook": DING.replace("https", "http")}, "钉钉群机器人地址应形如"),
    ({"webhook": "https://oapi.dingtalk.com/robot/send"}, "钉钉群机器人地址应形如"),
    ({"webhook": "oapi.dingtalk.com/robot/send?access_token=x"}, "须为完整的网址"),
    ({"webhook": ""}, "请填写机器人 Webhook 地址"),
    ({"name": " "}, "请填写名称"),
    ({"target": "user:999999"}, "所选用户不存在"),
    ({"target": "role:boss"}, "请选择接收人"),
    ({"provider": "sms"}, "请选择钉钉或企业微信"),
    ({"provider": "wecom", "webhook": WECOM, "secret": "SECx"}, "企业微信群机器人没有加签密钥"),
])
def test_bad_input_is_a_422_in_chinese_and_nothing_is_saved(
        auth: Any, db_session: Session, strict_urls: None, form: dict[str, str],
        message: str) -> None:
    auth.login("admin")
    data = {"provider": "dingtalk", "name": "机器人", "target": "role:advisor",
            "webhook": DING, "secret": SECRET, **form}
    response = auth.post("/admin/channels", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert SECRET not in html
    assert count(db_session) == 0


def test_any_url_is_accepted_only_where_configured(auth: Any, db_session: Session) -> None:
    auth.login("admin")
    response = auth.post("/admin/channels", {
        "provider": "dingtalk", "name": "本地测试", "target": "role:advisor",
        "webhook": "http://127.0.0.1:8099/robot/send?access_token=t"})
    assert response.status_code == 302
    assert count(db_session) == 1


def test_deleting_a_channel_fails_its_queued_messages_instead_of_sending_them(
        app: Flask, auth: Any, db_session: Session, make_user: Any) -> None:
    from datetime import UTC, datetime

    from cultivation.channels.dispatch import dispatch_robots

    auth.login("admin")
    advisor = make_user("advisor")
    auth.post("/admin/channels", {"provider": "dingtalk", "name": "旧机器人",
                                  "target": f"user:{advisor.id}", "webhook": DING})
    [channel] = db_session.scalars(select(NotifyChannel)).all()
    now = datetime(2026, 6, 1, tzinfo=UTC)
    enqueue(db_session, dedup_key="t:1", recipient=advisor, subject="提醒", template="followups",
            context={"items": []}, now=now, settings=compose_settings())
    response = auth.post(f"/admin/channels/{channel.id}/delete", {}, form_url="/admin/channels")
    assert response.status_code == 302
    assert count(db_session) == 0
    counts = dispatch_robots(db_session, now, **robot_settings({**app.config,
                                                                "CHANNEL_BACKEND": "http"}))
    assert counts["failed"] == 1


def test_the_outbox_shows_each_messages_channel(auth: Any, db_session: Session,
                                                make_user: Any) -> None:
    from datetime import UTC, datetime

    auth.login("admin")
    advisor = make_user("advisor")
    auth.post("/admin/channels", {"provider": "wecom", "name": "指导员群",
                                  "target": "role:advisor", "webhook": WECOM})
    enqueue(db_session, dedup_key="t:2", recipient=advisor, subject="跟进提醒",
            template="followups", context={"items": []}, now=datetime(2026, 6, 1, tzinfo=UTC),
            settings=compose_settings())
    html = auth.client.get("/admin/outbox").get_data(as_text=True)
    assert 'data-channel="wecom">企业微信' in html
    assert 'data-channel="mail">邮件' in html
    assert "企业微信群机器人：指导员群" in html


@pytest.mark.parametrize("role", ["advisor", "leader"])
def test_only_admins_manage_channels(auth: Any, role: str) -> None:
    auth.login(role)
    assert auth.client.get("/admin/channels").status_code == 403
