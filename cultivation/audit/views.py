"""操作日志: the audit log viewer, paginated and filtered."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, render_template, request, url_for
from flask.typing import ResponseReturnValue

from cultivation.accounts.access import roles_required
from cultivation.audit.queries import ACTIONS, ENTITIES, AuditFilters, actor_names, log_page
from cultivation.extensions import db
from cultivation.inputs import InputError, parse_date
from cultivation.web.request import int_arg

bp = Blueprint("audit", __name__, url_prefix="/admin")

KEYS = ("actor", "entity_type", "action", "enterprise", "start", "end")


@bp.before_request
@roles_required("admin")
def admins_only() -> None:
    """The audit log: anonymous → login, other roles → 403."""


def _day(args: dict[str, str], key: str, label: str) -> date | None:
    try:
        day = parse_date(args.get(key))
    except InputError as exc:
        flash(f"{label}：{exc}（已忽略）", "warning")
        args.pop(key, None)
        return None
    if day is not None and not 1900 <= day.year <= 9998:  # the calendar's ends overflow
        flash(f"{label}：超出范围（1900—9998 年，已忽略）", "warning")
        args.pop(key, None)
        return None
    return day


@bp.route("/audit")
def audit() -> ResponseReturnValue:
    # Query values, handed back to url_for (which takes them as Any).
    args: dict[str, Any] = {k: request.args.get(k, "").strip() for k in KEYS}
    args = {k: v for k, v in args.items() if v}
    filters = AuditFilters(
        actor=args.get("actor", ""), entity_type=args.get("entity_type", ""),
        action=args.get("action", ""), enterprise=args.get("enterprise", ""),
        start=_day(args, "start", "开始日期"), end=_day(args, "end", "结束日期"),
    )
    per_page = int(current_app.config.get("PER_PAGE", 50))
    page = int_arg("page")
    entries, total = log_page(db.session, filters, ZoneInfo(current_app.config["TIMEZONE"]),
                              page=page, per_page=per_page)
    actors = actor_names(db.session)
    return render_template(
        "admin/audit.html", entries=entries, total=total, page=page, filters=filters, args=args,
        pages=max((total + per_page - 1) // per_page, 1), actors=actors,
        page_url=lambda n: url_for("audit.audit", **args, page=n),
        actions=ACTIONS, entities=ENTITIES,
    )
