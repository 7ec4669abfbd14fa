"""Turn a template into a message (text + HTML) and an outbox row into an ``EmailMessage``."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from cultivation import resource_dir
from cultivation.mail.models import OutboxMessage
from cultivation.settings import ComposeSettings
from cultivation.web.filters import cn_date, percent


@lru_cache(maxsize=1)
def mail_templates() -> Environment:
    """The e-mail templates (``templates/emails/``) with the filters they use: no app needed,
    so a job body renders its mail outside an app context. Autoescaping as Flask's (.html)."""
    env = Environment(loader=FileSystemLoader(str(resource_dir("templates"))),
                      autoescape=select_autoescape(["html", "htm", "xml", "xhtml", "svg"]))
    env.filters.update(cn_date=cn_date, percent=percent)
    return env


def render_parts(template: str, context: Mapping[str, Any], settings: ComposeSettings
                 ) -> tuple[str, str]:
    """Render ``templates/emails/<template>.txt`` and ``.html`` with the link base."""
    ctx = {"base_url": settings.base_url, **context}
    env = mail_templates()
    text = env.get_template(f"emails/{template}.txt").render(ctx)
    html = env.get_template(f"emails/{template}.html").render(ctx)
    return text, html


def message_id_for(dedup_key: str, mail_from: str) -> str:
    """A stable Message-ID from the dedup key, so a resent copy carries the same id."""
    digest = hashlib.sha256(dedup_key.encode()).hexdigest()[:40]
    _, sender = parseaddr(mail_from)
    domain = sender.rpartition("@")[2] or "cultivation.local"
    return f"<{digest}@{domain}>"


def envelope_from(mail_from: str) -> str:
    return parseaddr(mail_from)[1]


def build_email(row: OutboxMessage, mail_from: str) -> EmailMessage:
    """The MIME message for an outbox row: multipart/alternative, UTF-8, stable Message-ID."""
    msg = EmailMessage()
    msg["Subject"] = row.subject
    msg["From"] = mail_from
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
