"""Turn a template into a message (text + HTML) and an outbox row into an ``EmailMessage``."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

from flask import current_app, render_template

from cultivation.mail.models import OutboxMessage


def render_parts(template: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """Render ``templates/emails/<template>.txt`` and ``.html`` with the app's link base."""
    ctx = {"base_url": base_url(), **context}
    text = render_template(f"emails/{template}.txt", **ctx)
    html = render_template(f"emails/{template}.html", **ctx)
    return text, html


def base_url() -> str:
    """``BASE_URL`` without a trailing slash: links in mails and feeds start with it."""
    return str(current_app.config["BASE_URL"]).rstrip("/")


def message_id_for(dedup_key: str, config: Mapping[str, Any]) -> str:
    """A stable Message-ID from the dedup key, so a resent copy carries the same id."""
    digest = hashlib.sha256(dedup_key.encode()).hexdigest()[:40]
    _, sender = parseaddr(str(config["MAIL_FROM"]))
    domain = sender.rpartition("@")[2] or "cultivation.local"
    return f"<{digest}@{domain}>"


def envelope_from(config: Mapping[str, Any]) -> str:
    return parseaddr(str(config["MAIL_FROM"]))[1]


def build_email(row: OutboxMessage, config: Mapping[str, Any]) -> EmailMessage:
    """The MIME message for an outbox row: multipart/alternative, UTF-8, stable Message-ID."""
    msg = EmailMessage()
    msg["Subject"] = row.subject
    msg["From"] = str(config["MAIL_FROM"])
    name = row.recipient.display_name if row.recipient is not None else ""
    local, _, domain = row.to_address.rpartition("@")
    msg["To"] = Address(display_name=name, username=local, domain=domain)
    msg["Date"] = format_datetime(row.created_at)
    msg["Message-ID"] = row.message_id
    msg["X-Cultivation-Key"] = hashlib.sha256(row.dedup_key.encode()).hexdigest()[:16]
    if row.kind == "digest":
        msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(row.body_text)
    msg.add_alternative(row.body_html, subtype="html")
    return msg
