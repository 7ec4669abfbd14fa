"""梯次看板: one column per tier, cards for the firms of the user's portfolio (admins and
leaders: any scope), with the list's filters; a card shows the firm's candidacy from the latest
screening run (高企 重新认定 …) and its next follow-up — both details, so only on the cards of
firms whose details the user may see. Tiers come from certificates: dropping a card on
another column opens the certificate form for that tier; it never changes a tier itself."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from cultivation.accounts.access import login_required, visible_scope
from cultivation.enterprises.queries import EnterpriseFilters, board_columns
from cultivation.extensions import db
from cultivation.portfolios.queries import active_advisors
from cultivation.qualifications.tiers import KIND_TIER, TIER_LABELS, TIERS
from cultivation.screening.candidacy import candidacies
from cultivation.visits import services as visits
from cultivation.web.clock import clock
from cultivation.web.settings import current_region

bp = Blueprint("board", __name__)

PER_COLUMN = 60
# The certificate a card dropped on a column asks for: the first kind of that tier.
TIER_KIND = {tier: next(k for k, t in KIND_TIER.items() if t == tier) for tier in TIERS[1:]}


@bp.route("/board")
@login_required
def board() -> ResponseReturnValue:
    _, today = clock()
    args = {k: (request.args.get(k) or "").strip()[:50] for k in ("q", "town", "industry",
                                                                    "advisor")}
    region = current_region()
    own = current_user.is_advisor
    filters = EnterpriseFilters(
        q=args["q"],
        town=args["town"] if args["town"] in region.towns else "",
        industry=args["industry"] if args["industry"] in region.industries else "",
        advisor=current_user.username if own else args["advisor"],
    )
    columns = board_columns(db.session, filters, today, per_column=PER_COLUMN,
                            scope=visible_scope(current_user))
    shown = [row for rows, _ in columns.values() for row in rows]
    visible = [r.enterprise.id for r in shown if current_user.sees_everything
               or r.advisor_username == current_user.username]
    return render_template(
        "enterprises/board.html", columns=columns, filters=filters, region=region,
        advisors=[] if own else active_advisors(db.session), tiers=TIER_LABELS,
        tier_kind=TIER_KIND, follow_ups=visits.next_follow_ups(db.session, visible),
        candidacies=candidacies(db.session, visible),
        today=today, per_column=PER_COLUMN,
    )
