"""联系企业分配: assign firms to advisors, picked or in bulk by filter; handovers keep history."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from cultivation.accounts.access import EVERYTHING
from cultivation.accounts.models import User
from cultivation.accounts.services import AccountError
from cultivation.admin import queries, services
from cultivation.admin.views import bp
from cultivation.enterprises.models import Enterprise
from cultivation.enterprises.queries import EnterpriseFilters, list_page, list_statement
from cultivation.enterprises.views import clock, int_arg
from cultivation.extensions import db
from cultivation.portfolios.queries import advisors
from cultivation.qualifications.tiers import TIER_LABELS
from cultivation.regions import current_region

FILTER_KEYS = ("q", "town", "industry", "tier", "advisor")


def _filters(source: Any) -> tuple[EnterpriseFilters, dict[str, Any]]:
    """The list filters and the non-empty ones as query values (url_for takes them as Any)."""
    values: dict[str, str] = {k: (source.get(k) or "").strip() for k in FILTER_KEYS}
    filters = EnterpriseFilters(q=values["q"], town=values["town"], industry=values["industry"],
                                tier=values["tier"], advisor=values["advisor"])
    return filters, {k: v for k, v in values.items() if v}


@bp.route("/portfolios")
def portfolios():  # type: ignore[no-untyped-def]
    _, today = clock()
    filters, args = _filters(request.args)
    per_page = int(current_app.config.get("PER_PAGE", 50))
    page = int_arg("page")
    rows, total = list_page(db.session, filters, today, page=page, per_page=per_page,
                             scope=EVERYTHING)
    return render_template(
        "admin/portfolios.html", rows=rows, total=total, page=page,
        pages=max((total + per_page - 1) // per_page, 1), filters=filters, args=args,
        page_url=lambda n: url_for("admin.portfolios", **args, page=n),
        loads=queries.advisor_loads(db.session), advisors=list(db.session.scalars(advisors())),
        region=current_region(), tiers=TIER_LABELS,
    )


@bp.route("/portfolios", methods=["POST"])
def assign_portfolios():  # type: ignore[no-untyped-def]
    now, today = clock()
    filters, args = _filters(request.form)
    back = redirect(url_for("admin.portfolios", **args))
    target_name = request.form.get("target", "")
    target: User | None = None
    if target_name != "none":
        target = db.session.scalar(advisors().where(User.username == target_name))
        if target is None:
            flash("请选择要分配给的科技指导员（或选择“取消分配”）", "danger")
            return back
    if request.form.get("mode") == "all":
        ids = list(db.session.scalars(
            list_statement(filters, today, scope=EVERYTHING)
            .with_only_columns(Enterprise.id).order_by(None)
        ))
    else:
        raw = request.form.getlist("ids")
        wanted = [int(i) for i in raw if i.isdigit()]
        ids = list(db.session.scalars(
            select(Enterprise.id).where(Enterprise.id.in_(wanted), Enterprise.deleted_at.is_(None))
        )) if wanted else []
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
