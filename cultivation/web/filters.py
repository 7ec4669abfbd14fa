"""Jinja filters and globals: money in 万元, Chinese dates, tier badges."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from markupsafe import Markup

from cultivation import vocabulary
from cultivation.policy import numbers
from cultivation.policy.numbers import SHARE_DIGITS
from cultivation.policy.sectors import sector_label
from cultivation.qualifications.tiers import TIER_LABELS
from cultivation.reports.indicators import as_of_label

TIER_BADGE_CLASS = {
    "none": "text-bg-light border",
    "startup": "text-bg-info",
    "tech_sme": "text-bg-primary",
    "hnte": "text-bg-success",
    "leading": "text-bg-warning",
}


def money(value: Any, digits: int = 2) -> str:
    """12345.6 → '12,345.60' (万元); blank for None."""
    if value is None or value == "":
        return "—"
    return f"{float(value):,.{digits}f}"


def count(value: Any) -> str:
    return "—" if value is None else f"{int(value):,}"


def percent(value: Any, digits: int = SHARE_DIGITS) -> str:
    """0.222222 → '22.2%', 0.45 → '45%'; '—' for None (``policy.numbers.percent``, the one
    formatter of shares: verdict tables, 自测, reports and mail alike)."""
    return numbers.percent(value, digits)


def cn_date(value: date | datetime | str | None) -> str:
    """2026-06-30 → '2026年6月30日'."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = local_time(value)
    return f"{value.year}年{value.month}月{value.day}日"


def local_time(value: datetime) -> datetime:
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))


def cn_datetime(value: datetime | None) -> str:
    if value is None:
        return "—"
    local = local_time(value)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def tier_badge(tier: str | None) -> Markup:
    tier = tier or "none"
    css = TIER_BADGE_CLASS.get(tier, "text-bg-secondary")
    label = TIER_LABELS.get(tier, tier)
    return Markup('<span class="badge {}" data-tier="{}">{}</span>').format(css, tier, label)


def yes_no(value: bool | None) -> str:
    return "—" if value is None else ("是" if value else "否")


PHONE_SPLIT = re.compile(r"\s*[,，;；/、]\s*|\s{2,}")


def phone_links(value: str | None) -> list[tuple[str, str]]:
    """"0576-8770001 / 13800000000" → [(text, "tel:05768770001"), …]: one tap to call."""
    links = []
    for part in PHONE_SPLIT.split((value or "").strip()):
        digits = re.sub(r"[^\d+]", "", part)
        if len(digits) >= 5:
            links.append((part.strip(), f"tel:{digits}"))
    return links


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(
        money=money,
        count=count,
        percent=percent,
        cn_date=cn_date,
        cn_datetime=cn_datetime,
        tier_badge=tier_badge,
        yes_no=yes_no,
        as_of_label=as_of_label,
        phone_links=phone_links,
    )
    app.jinja_env.globals.update(TIER_LABELS=TIER_LABELS, vocab=vocabulary,
                                 sector_label=sector_label)
