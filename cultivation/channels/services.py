"""Channel use cases: validate and save a robot, edit it (an empty webhook or secret keeps the
stored one), delete it, queue robot messages beside a mail.

Functions flush, never commit. Validation collects every error first and saves nothing when
any is found (the view answers 422).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import scoped_session

from cultivation.accounts.models import ROLES, User
from cultivation.audit import services as audit
from cultivation.channels import crypto
from cultivation.channels.models import PROVIDERS, NotifyChannel
from cultivation.database import DbSession
from cultivation.mail.models import OutboxMessage
from cultivation.scheduling.effects import insert_new
from cultivation.settings import ChannelSettings

log = logging.getLogger(__name__)

# The production shape of each provider's webhook: https, this host, this path, this token.
WEBHOOK_SHAPES = {
    "dingtalk": ("oapi.dingtalk.com", "/robot/send", "access_token"),
    "wecom": ("qyapi.weixin.qq.com", "/cgi-bin/webhook/send", "key"),
}
TODO_PATH = "/todos"
_CACHE = "notify_channels"  # session.info key: (transaction, active channels), see _active


class ChannelError(ValueError):
    """Invalid channel input; ``errors`` maps a field to its Chinese message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class ChannelInput:
    provider: str
    name: str
    target: str  # "user:<id>" or "role:<role>"
    webhook: str
    secret: str = ""


def webhook_error(provider: str, url: str, *, allow_any: bool) -> str | None:
    """Why ``url`` is not a webhook of ``provider`` (None: it is)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "机器人地址须为完整的网址（https://…）"
    if allow_any:
        return None
    host, path, token = WEBHOOK_SHAPES[provider]
    query = dict(p.partition("=")[::2] for p in parts.query.split("&") if p)
    if parts.scheme != "https" or parts.hostname != host or parts.path != path \
            or not query.get(token) or parts.port not in (None, 443):
        return f"{PROVIDERS[provider]}地址应形如 https://{host}{path}?{token}=…"
    return None


def _target(session: DbSession, target: str, errors: dict[str, str]
            ) -> tuple[int | None, str | None]:
    kind, _, value = target.partition(":")
    if kind == "user" and value.isdigit() and len(value) < 10:
        user = session.get(User, int(value))
        if user is not None:
            return user.id, None
        errors["target"] = "所选用户不存在"
    elif kind == "role" and value in ROLES:
        return None, value
    else:
        errors["target"] = "请选择接收人（某个用户或某类角色的群）"
    return None, None


def _check(session: DbSession, provider: str, name: str, target: str, url: str | None,
           secret: str, *, allow_any_url: bool) -> tuple[int | None, str | None]:
    """The (user id, role) target; raises ``ChannelError`` with every problem found. ``url``
    None: the stored webhook is kept (not checked again)."""
    errors: dict[str, str] = {}
    if provider not in PROVIDERS:
        errors["provider"] = "请选择钉钉或企业微信"
    if not name or len(name) > 100:
        errors["name"] = "请填写名称（不超过100字）"
    user_id, role = _target(session, target, errors)
    if url is not None and not url:
        errors["webhook"] = "请填写机器人 Webhook 地址"
    elif url is not None and len(url) > 1000:
        errors["webhook"] = "机器人地址过长"
    elif url is not None and provider in PROVIDERS:
        problem = webhook_error(provider, url, allow_any=allow_any_url)
        if problem:
            errors["webhook"] = problem
    if secret and provider == "wecom":
        errors["secret"] = "企业微信群机器人没有加签密钥，请留空"  # noqa: S105
    elif len(secret) > 200:
        errors["secret"] = "密钥过长"  # noqa: S105
    if errors:
        raise ChannelError(errors)
    return user_id, role


def validate(session: DbSession, data: ChannelInput, *, allow_any_url: bool
             ) -> tuple[int | None, str | None]:
    """The (user id, role) target of a new channel; raises ``ChannelError`` with every problem
    found. ``allow_any_url``: CHANNEL_ALLOW_ANY_URL (any http(s) webhook, a local test robot)."""
    return _check(session, data.provider, data.name.strip(), data.target, data.webhook.strip(),
                  data.secret.strip(), allow_any_url=allow_any_url)


def create(session: DbSession, data: ChannelInput, *, actor: Any, now: datetime,
           settings: ChannelSettings) -> NotifyChannel:
    user_id, role = validate(session, data, allow_any_url=settings.allow_any_url)
    key = settings.secret_key
    channel = NotifyChannel(
        provider=data.provider, name=data.name.strip(), user_id=user_id, role=role,
        webhook_encrypted=crypto.encrypt(data.webhook.strip(), key),
        secret_encrypted=(crypto.encrypt(data.secret.strip(), key)
                          if data.secret.strip() else None),
        active=True, created_at=now,
    )
    session.add(channel)
    session.flush()
    _forget(session)
    audit.record(session, actor=actor, entity_type="notify_channel", entity_id=channel.id,
                 action="create", after=describe(channel, key), at=now)
    return channel


@dataclass(frozen=True)
class ChannelEdit:
    """An edit: an empty ``webhook`` or ``secret`` keeps the stored one; ``clear_secret``
    removes the signing secret (the robot no longer signs)."""

    name: str
    target: str
    active: bool
    webhook: str = ""
    secret: str = ""
    clear_secret: bool = False


def _plain(token: str | None, key: str) -> str | None:
    try:
        return crypto.decrypt(token, key) if token is not None else None
    except ValueError:  # SECRET_KEY changed: any typed value replaces it
        return None


def update(session: DbSession, channel: NotifyChannel, data: ChannelEdit, *, actor: Any,
           now: datetime, settings: ChannelSettings) -> bool:
    """Apply an edit (all or nothing: ``ChannelError`` before anything changes); audited with
    the masked before/after. Returns whether anything changed."""
    url, secret, key = data.webhook.strip(), data.secret.strip(), settings.secret_key
    user_id, role = _check(session, channel.provider, data.name.strip(), data.target,
                           url or None, secret, allow_any_url=settings.allow_any_url)
    kept = "（未改）"
    before = {**describe(channel, key), "webhook_change": kept, "secret_change": kept}
    channel.name, channel.user_id, channel.role = data.name.strip(), user_id, role
    channel.active = data.active
    notes = {"webhook_change": kept, "secret_change": kept}
    if url and url != _plain(channel.webhook_encrypted, key):
        channel.webhook_encrypted, notes["webhook_change"] = crypto.encrypt(url, key), "已更换"
    if secret and secret != _plain(channel.secret_encrypted, key):
        channel.secret_encrypted, notes["secret_change"] = crypto.encrypt(secret, key), "已更换"
    elif data.clear_secret and channel.secret_encrypted is not None:
        channel.secret_encrypted, notes["secret_change"] = None, "已清除"
    old, new = audit.diff(before, {**describe(channel, key), **notes})
    if not new:
        return False
    session.flush()
    _forget(session)
    audit.record(session, actor=actor, entity_type="notify_channel", entity_id=channel.id,
                 action="update", before=old, after=new, at=now)
    return True


def delete(session: DbSession, channel: NotifyChannel, *, actor: Any, now: datetime,
           settings: ChannelSettings) -> None:
    """Remove a channel; its queued messages fail (``notify_channel_id`` becomes NULL)."""
    before = describe(channel, settings.secret_key)
    session.delete(channel)
    session.flush()
    _forget(session)
    audit.record(session, actor=actor, entity_type="notify_channel", entity_id=before["id"],
                 action="delete", before=before, at=now)


def describe(channel: NotifyChannel, secret_key: str) -> dict[str, Any]:
    """What the audit log and the page may show: never the secret, the webhook masked."""
    return {"id": channel.id, "provider": channel.provider, "name": channel.name,
            "user_id": channel.user_id, "role": channel.role, "active": channel.active,
            "webhook": masked_webhook(channel, secret_key),
            "signed": channel.secret_encrypted is not None}


def masked_webhook(channel: NotifyChannel, secret_key: str) -> str:
    try:
        url = crypto.decrypt(channel.webhook_encrypted, secret_key)
    except ValueError:
        return "（无法解密）"
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{crypto.mask(parts.query)}"


def channels_page(session: DbSession) -> list[NotifyChannel]:
    return list(session.scalars(select(NotifyChannel).order_by(NotifyChannel.id)))


def message_text(subject: str, link: str) -> str:
    """The robot message: short, with one link (DingTalk/WeCom markdown)."""
    return f"#### 【梯次培育】{subject}\n\n[打开待办查看详情]({link})"


def _forget(session: DbSession) -> None:
    real = session() if isinstance(session, scoped_session) else session
    real.info.pop(_CACHE, None)


@dataclass(frozen=True)
class _Channel:
    id: int
    provider: str
    name: str
    user_id: int | None
    role: str | None


def _active(session: DbSession) -> list[_Channel]:
    """Every active channel, read once per transaction (a job queues many digests in one):
    no query per recipient. ``create``/``update``/``delete`` drop the cached list."""
    real = session() if isinstance(session, scoped_session) else session
    transaction = real.get_transaction()
    cached = real.info.get(_CACHE)
    if cached is not None and cached[0] is transaction:
        return list(cached[1])
    rows = session.execute(
        select(NotifyChannel.id, NotifyChannel.provider, NotifyChannel.name,
               NotifyChannel.user_id, NotifyChannel.role)
        .where(NotifyChannel.active.is_(True)).order_by(NotifyChannel.id)
    ).all()
    channels = [_Channel(*row) for row in rows]
    real.info[_CACHE] = (transaction, channels)
    return channels


def enqueue_robots(session: DbSession, *, dedup_key: str, subject: str, recipient: User,
                   now: datetime, job: str | None, kind: str, link: str) -> list[int]:
    """Queue one robot message per active channel of ``recipient`` (own or role's group).

    The key is the mail's key plus the channel: unique per channel and recipient, so a job run
    twice queues nothing new. Returns the new outbox ids."""
    channels = [c for c in _active(session)
                if c.user_id == recipient.id or c.role == recipient.role]
    rows = [{
        "dedup_key": f"{dedup_key}#{c.provider}:{c.id}"[:300],
        "channel": c.provider,
        "notify_channel_id": c.id,
        "job": job,
        "kind": kind,
        "recipient_id": recipient.id,
        "to_address": f"{PROVIDERS[c.provider]}：{c.name}"[:200],
        "subject": subject[:300],
        "body_text": message_text(subject, link),
        "body_html": "",
        "message_id": "",
        "status": "pending",
        "attempts": 0,
        "uncertain": 0,
        "created_at": now,
    } for c in channels]
    new = insert_new(session, OutboxMessage, rows, key="dedup_key", returning="id")
    if new:
        log.info("outbox: queued %d robot message(s) for %s", len(new), dedup_key)
    return list(new)
