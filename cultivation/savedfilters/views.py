"""Saved filters on the 企业库 and the 培育库: 保存当前筛选 (POST, the list's query string on the
form's URL), apply (a link to the list with the saved query) and delete (own only). The list
templates read ``saved_filters(page)`` and ``worklist_action(endpoint, page)``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from cultivation.accounts.access import login_required
from cultivation.extensions import db
from cultivation.savedfilters import services
from cultivation.savedfilters.queries import PAGE_ENDPOINTS, filters_of, list_query, normalise
from cultivation.savedfilters.services import SavedFilterError
from cultivation.web.clock import clock
from cultivation.web.worklists import Notice, relist

bp = Blueprint("savedfilters", __name__, url_prefix="/saved-filters")


@dataclass(frozen=True)
class Shown:
    """A saved filter as the list shows it: its link, and whether the list is showing it now."""

    id: int
    name: str
    url: str
    active: bool


def _list_url(page: str, query: str) -> str:
    return url_for(PAGE_ENDPOINTS[page]) + (f"?{query}" if query else "")


@bp.app_template_global()
def saved_filters(page: str) -> list[Shown]:
    """The current user's saved filters of ``page`` (one query, only when a list asks)."""
    if not current_user.is_authenticated:
        return []
    current = normalise(page, request.args)
    return [Shown(f.id, f.name, _list_url(page, f.query), f.query == current)
            for f in filters_of(db.session, current_user.id, page)]


@bp.app_template_global()
def worklist_action(endpoint: str, page: str, **values: Any) -> str:
    """The URL of a working-tool form on ``page``: ``endpoint`` with the list's filters and page
    number, so a refused POST can answer with the same list."""
    query = list_query(page, request.args)
    target = url_for(endpoint, **values) if values else url_for(endpoint, page=page)
    return target + (f"?{query}" if query else "")


@bp.route("/<page>", methods=["POST"])
@login_required
def save(page: str) -> ResponseReturnValue:
    if page not in PAGE_ENDPOINTS:
        abort(404)
    now, _ = clock()
    name = request.form.get("name", "")
    try:
        saved = services.save(db.session, current_user, page, name, request.args, now=now)
    except SavedFilterError as exc:
        db.session.rollback()
        return relist(PAGE_ENDPOINTS[page], Notice("save", str(exc), {"name": name[:200]}),
                      exc.status)
    db.session.commit()
    flash(f"已保存筛选“{saved.name}”", "success")
    return redirect(_list_url(page, saved.query), 303)


@bp.route("/<int:filter_id>/delete", methods=["POST"])
@login_required
def delete(filter_id: int) -> ResponseReturnValue:
    now, _ = clock()
    try:
        saved = services.delete(db.session, current_user, filter_id, now=now)
    except SavedFilterError as exc:
        db.session.rollback()
        abort(exc.status, str(exc))
    db.session.commit()
    flash(f"已删除筛选“{saved.name}”", "success")
    return redirect(_list_url(saved.page, list_query(saved.page, request.args)), 303)
