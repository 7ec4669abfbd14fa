"""联系企业分配: assign firms to advisors, picked or in bulk by filter; handovers keep history."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from cultivation.accounts.access import EVERYTHING, roles_required
from cultivation.accounts.models import User
from cultivation.accounts.services import AccountError
from cultivation.enterprises.queries import EnterpriseFilters, list_ids, list_page
from cultivation.extensions import db
from cultivation.portfolios import queries, services
from cultivation.qualifications.tiers import TIER_LABELS
from cultivation.web.clock import clock
from cultivation.web.request import int_arg
from cultivation.web.settings import current_region

bp = Blueprint("portfolios", __name__, url_prefix="/admin")

FILTER_KEYS = ("q", "town", "industry", "tier", "advisor")


@bp.before_request
@roles_required("admin")
def admins_only() -> None:
    """Every portfolio page: anonymous → login, other roles → 403."""


def _filters(source: Any) -> tuple[EnterpriseFilters, dict[str, Any]]:
    """The list filters and the non-empty ones as query values (url_for takes them as Any)."""
    values: dict[str, str] = {k: (source.get(k) or "").strip() for k in FILTER_KEYS}
    filters = EnterpriseFilters(q=values["q"], town=values["town"], industry=values["industry"],
                                tier=values["tier"], advisor=values["advisor"])
    return filters, {k: v for k, v in values.items() if v}


@bp.route("/portfolios")
def portfolios() -> ResponseReturnValue:
    _, today = clock()
    filters, args = _filters(request.args)
    per_page = int(current_app.config.get("PER_PAGE", 50))
    page = int_arg("page")
    rows, total = list_page(db.session, filters, today, page=page, per_page=per_page,
                             scope=EVERYTHING)
    return render_template(
        "admin/portfolios.html", rows=rows, total=total, page=page,
        pages=max((total + per_page - 1) // per_page, 1), filters=filters, args=args,
        page_url=lambda n: url_for("portfolios.portfolios", **args, page=n),
        loads=queries.advisor_loads(db.session),
        advisors=queries.active_advisors(db.session),
        region=current_region(), tiers=TIER_LABELS,
    )


@bp.route("/portfolios", methods=["POST"])
def assign_portfolios() -> ResponseReturnValue:
    now, today = clock()
    filters, args = _filters(request.form)
    back = redirect(url_for("portfolios.portfolios", **args))
    target_name = request.form.get("target", "")
    target: User | None = None
    if target_name != "none":
        target = queries.advisor_named(db.session, target_name)
        if target is None:
            flash("请选择要分配给的科技指导员（或选择“取消分配”）", "danger")
            return back
    if request.form.get("mode") == "all":
        ids = list_ids(db.session, filters, today, scope=EVERYTHING)
    else:
        raw = request.form.getlist("ids")
        wanted = [int(i) for i in raw if i.isdigit()]
        ids = queries.live_firm_ids(db.session, wanted)
    if not ids:
        flash("请先勾选企业，或选择“按筛选条件全部分配”", "warning")
        return back
    try:
        changed = services.bulk_assign(db.session, ids, target, on=today, actor=current_user,
                                       now=now)
    except AccountError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return back
    db.session.commit()
    who = target.display_name if target else "无人（取消分配）"
    flash(f"已将 {changed} 家企业分配给 {who}"
          + (f"，另有 {len(ids) - changed} 家原本就是该指导员" if len(ids) > changed else ""),
          "success")
    return back
