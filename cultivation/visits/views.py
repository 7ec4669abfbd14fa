"""走访 pages: log a visit to a firm, under ``/enterprises/<code>/visits``."""

from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from cultivation.accounts.access import login_required
from cultivation.enterprises.pages import editable_firm, record_form, save_record
from cultivation.extensions import db
from cultivation.visits import services
from cultivation.visits.forms import VisitForm
from cultivation.web.clock import clock

bp = Blueprint("visits", __name__, url_prefix="/enterprises")


@bp.route("/<code>/visits/new", methods=["GET", "POST"])
@login_required
def new_visit(code: str) -> ResponseReturnValue:
    firm = editable_firm(code)
    title = "记录走访"
    if request.method == "GET":
        _, today = clock()
        form = VisitForm(formdata=None, data={"visited_on": today.isoformat()})
        return record_form(form, firm, title, "activity")
    return save_record(
        VisitForm(), firm, title, "activity",
        lambda values, now: services.log_visit(db.session, firm, values,
                                               actor=current_user, now=now),
        "走访记录已保存",
    )
