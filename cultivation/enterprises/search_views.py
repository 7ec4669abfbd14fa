"""Quick search from the navbar: firms by name, credit code or contact (``/search?q=``).

Contacts are details: advisors find a firm by its contact person, phone or e-mail only within
their own portfolio; admins and leaders everywhere. One exact hit opens the firm page.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from cultivation.accounts.access import login_required
from cultivation.enterprises.queries import quick_search
from cultivation.extensions import db
from cultivation.portfolios.queries import portfolio_ids
from cultivation.web.clock import clock

bp = Blueprint("search", __name__)

MIN_LENGTH = 2  # one character matches half the register


@bp.route("/search")
@login_required
def search() -> ResponseReturnValue:
    _, today = clock()
    q = (request.args.get("q") or "").strip()[:50]
    hits = []
    if len(q) >= MIN_LENGTH:
        hits = quick_search(
            db.session, q, today, all_contacts=current_user.sees_everything,
            contacts_of=portfolio_ids(current_user.id) if current_user.is_advisor else None)
        if len(hits) == 1 and not request.args.get("list"):
            return redirect(url_for("enterprises.detail", code=hits[0].enterprise.credit_code))
    return render_template("enterprises/search.html", q=q, hits=hits, min_length=MIN_LENGTH,
                           today=today)
