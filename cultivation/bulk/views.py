"""Bulk actions on the firms ticked on the 企业库 or the 培育库: 计划走访 (admins and advisors),
导出 (xlsx, anyone) and 分配指导员 (admins). One POST, one transaction: every ticked firm must be
visible to the user or nothing happens. The list's query string rides on the form's URL, so a
refused action answers with the same list (422) and a done one returns to it."""

from __future__ import annotations

import tempfile
from typing import Any

from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from cultivation.accounts.access import login_required, visible_scope
from cultivation.accounts.services import AccountError
from cultivation.bulk.queries import SelectionError, visible_selection
from cultivation.enterprises import schemas
from cultivation.enterprises.queries import EnterpriseFilters
from cultivation.extensions import db
from cultivation.imports.exports import write_export
from cultivation.portfolios import services as portfolios
from cultivation.portfolios.queries import advisor_named
from cultivation.savedfilters.queries import PAGE_ENDPOINTS, list_query
from cultivation.visits import services as visits
from cultivation.web.clock import clock
from cultivation.web.worklists import Notice, relist

bp = Blueprint("bulk", __name__, url_prefix="/bulk")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TYPED = ("planned_on", "note", "advisor")


def _xlsx(ids: list[int], today: Any) -> ResponseReturnValue:
    handle = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - send_file closes it
    write_export(handle, "firms", db.session, EnterpriseFilters(only=tuple(ids)), today,
                 viewer=current_user._get_current_object())
    handle.seek(0)
    return send_file(handle, mimetype=XLSX, as_attachment=True,
                     download_name=f"所选企业-{today.strftime('%Y%m%d')}.xlsx")


def _refused(page: str, action: str, message: str, status: int = 422) -> ResponseReturnValue:
    db.session.rollback()
    ticked = frozenset(int(i) for i in request.form.getlist("ids") if i.isdigit() and len(i) < 19)
    values = {k: (request.form.get(k) or "")[:600] for k in TYPED}
    return relist(PAGE_ENDPOINTS[page], Notice(action, message, values, ticked), status)


@bp.route("/<page>", methods=["POST"])
@login_required
def act(page: str) -> ResponseReturnValue:
    if page not in PAGE_ENDPOINTS:
        abort(404)
    action = request.form.get("action", "")
    if action not in ("visits", "export", "assign"):
        return _refused(page, "export", "请选择要执行的批量操作")
    if action == "assign" and not current_user.is_admin:
        abort(403, "只有管理员可以批量分配科技指导员")
    if action == "visits" and not (current_user.is_admin or current_user.is_advisor):
        abort(403, "只读账号不能计划走访")
    now, today = clock()
    try:
        ids = visible_selection(db.session, request.form.getlist("ids"),
                                visible_scope(current_user))
        if action == "export":
            return _xlsx(ids, today)
        if action == "visits":
            values = visits.plan_values(request.form, today)
            count = visits.plan_visits(db.session, ids, values, actor=current_user, now=now)
            message = f"已为 {count} 家企业计划走访（{values['planned_on'].isoformat()}）"
        else:
            target = advisor_named(db.session, (request.form.get("advisor") or "").strip())
            if target is None:
                raise AccountError("请选择要分配给的科技指导员")
            changed = portfolios.bulk_assign(db.session, ids, target, on=today,
                                             actor=current_user, now=now)
            message = f"已将 {changed} 家企业分配给 {target.display_name}" + (
                f"，另有 {len(ids) - changed} 家原本就由其联系" if changed < len(ids) else "")
    except SelectionError as exc:
        return _refused(page, action, str(exc), exc.status)
    except schemas.ValidationError as exc:
        return _refused(page, action, "；".join(m for ms in exc.errors.values() for m in ms))
    except AccountError as exc:
        return _refused(page, action, str(exc))
    db.session.commit()
    flash(message, "success")
    return redirect(_back(page), 303)


def _back(page: str) -> str:
    """The list the form was on: its filters and its page number."""
    query = list_query(page, request.args)
    return url_for(PAGE_ENDPOINTS[page]) + (f"?{query}" if query else "")
