"""The dashboard (工作台): the leader's headline cards for admins and leaders, and the
"my firms" panel (``dashboard.advisor``) for everyone."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from cultivation.accounts.access import login_required
from cultivation.dashboard.advisor import advisor_context
from cultivation.dashboard.figures import read_figures
from cultivation.dashboard.outlook import outlook_context
from cultivation.dashboard.queries import leader_context
from cultivation.todos.queries import open_count, open_items
from cultivation.web.clock import today as local_today
from cultivation.web.request import dbs

bp = Blueprint("dashboard", __name__)
TODO_CARD_ITEMS = 5  # the first card: the most urgent items


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    today = local_today()
    context: dict[str, Any] = {"today": today}
    # County-wide users read today's cached figures when current (dashboard.figures).
    cached = read_figures(dbs(), today) if current_user.sees_everything else None
    if current_user.sees_everything:
        context.update(leader_context(
            dbs(), today, values=cached.actuals if cached else None,
            coverage=cached.coverage if cached else None,
            charts=cached.charts if cached else None))
    context.update(advisor_context(dbs(), current_user, today,
                                   cached.tier_counts if cached else None))
    context.update(outlook_context(
        dbs(), current_user, today,
        (cached.renewals, cached.renewal_total) if cached else None,
        cached.candidates if cached else None))
    context.update(todo_top=open_items(dbs(), current_user, today, limit=TODO_CARD_ITEMS),
                   todo_total=open_count(dbs(), current_user, today))
    return render_template("dashboard/index.html", **context)
