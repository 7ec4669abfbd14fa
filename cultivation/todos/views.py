"""待办 pages: my list, and the actions 完成 / 推迟到… / 不再提醒 (POST, audited)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from cultivation.accounts.access import login_required
from cultivation.todos import services
from cultivation.todos.queries import open_count, open_items, postponed_items, settled_items
from cultivation.todos.services import TodoError
from cultivation.web import clock
from cultivation.web.request import dbs

bp = Blueprint("todos", __name__, url_prefix="/todos")
DEFAULT_POSTPONE_DAYS = 7  # the date a 推迟到… field starts with


@bp.app_context_processor
def navbar_count() -> dict[str, Any]:
    """``todo_count()`` for the navbar badge: computed only when a page's navbar asks."""
    def todo_count() -> int:
        if not current_user.is_authenticated:
            return 0
        return open_count(dbs(), current_user, clock.today())
    return {"todo_count": todo_count}


def _page(error: str | None = None, status: int = 200) -> ResponseReturnValue:
    today = clock.today()
    return render_template(
        "todos/index.html", today=today, error=error,
        postpone={"min": (today + timedelta(days=1)).isoformat(),
                  "default": (today + timedelta(days=DEFAULT_POSTPONE_DAYS)).isoformat()},
        items=open_items(dbs(), current_user, today),
        postponed=postponed_items(dbs(), current_user, today),
        settled=settled_items(dbs(), current_user, today)), status


@bp.route("")
@login_required
def index() -> ResponseReturnValue:
    return _page()


def _act(todo_id: int, action: str) -> ResponseReturnValue:
    session = dbs()
    try:
        item = services.item_for(session, current_user, todo_id)
        if action == "done":
            services.complete(session, item, actor=current_user, now=clock.now())
            message = f"已完成：{item.title}"
        elif action == "dismiss":
            services.dismiss(session, item, actor=current_user, now=clock.now())
            message = f"不再提醒：{item.title}"
        else:
            until = services.parse_day(request.form.get("until"))
            services.postpone(session, item, until, actor=current_user, now=clock.now(),
                              today=clock.today())
            message = f"已推迟到 {until.year}年{until.month}月{until.day}日：{item.title}"
    except TodoError as exc:
        session.rollback()
        return _page(str(exc), exc.status)
    session.commit()
    flash(message, "success")
    return redirect(url_for("todos.index"))


@bp.route("/<int:todo_id>/done", methods=["POST"])
@login_required
def done(todo_id: int) -> ResponseReturnValue:
    return _act(todo_id, "done")


@bp.route("/<int:todo_id>/dismiss", methods=["POST"])
@login_required
def dismiss(todo_id: int) -> ResponseReturnValue:
    return _act(todo_id, "dismiss")


@bp.route("/<int:todo_id>/postpone", methods=["POST"])
@login_required
def postpone(todo_id: int) -> ResponseReturnValue:
    return _act(todo_id, "postpone")
