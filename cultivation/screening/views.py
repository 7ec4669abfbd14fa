"""Screening pages: the 培育库 candidate list (with xlsx export) and the 自测 what-if page.

Also registers the firm page's verdict cards (the ``firm_verdicts`` template global). The
政策参数 admin pages are ``cultivation.parameters.views`` (/admin/parameters).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from cultivation.accounts.access import can_view_details, login_required, visible_scope
from cultivation.enterprises import services as registry
from cultivation.enterprises.models import Enterprise
from cultivation.enterprises.queries import find_firms, portfolio_firms
from cultivation.extensions import db
from cultivation.policy import ParameterError, evaluate, verdict_to_json
from cultivation.portfolios.queries import active_advisors, advisor_names
from cultivation.screening import selftest as whatif
from cultivation.screening.exports import candidates_xlsx
from cultivation.screening.facts import facts_for_enterprise
from cultivation.screening.listing import KINDS, candidates, order_name
from cultivation.screening.models import ScreeningRun
from cultivation.screening.presenters import VerdictView, verdict_view
from cultivation.screening.queries import (
    APPLICATION_LABELS,
    CHANGES,
    OUTCOME_LABELS,
    OUTCOMES,
    RULES_LABELS,
    SCREENED_RULES,
    CandidateFilters,
)
from cultivation.vocabulary import TIER_LABELS
from cultivation.web.clock import clock
from cultivation.web.request import INVALID, cursor_token, int_arg, read_cursor
from cultivation.web.settings import current_region, request_parameters

bp = Blueprint("screening", __name__, url_prefix="/screening")
THRESHOLD_RULES = ("provincial-hnte-center", "provincial-institute", "leading")



def verdict_views(facts: Any, as_of: Any, rules: tuple[str, ...]) -> list[VerdictView]:
    """Evaluate ``rules`` with this request's parameters and present the verdicts."""
    params = request_parameters()
    return [verdict_view(verdict_to_json(evaluate(name, facts, as_of, params))) for name in rules]


@bp.app_template_global()
def firm_verdicts(enterprise: Enterprise) -> list[VerdictView]:
    """The firm page's verdict cards, live as of today; empty for users who may not see details."""
    if not can_view_details(current_user, enterprise.id):
        return []
    _, today = clock()
    try:
        return verdict_views(facts_for_enterprise(db.session, enterprise, today), today,
                             SCREENED_RULES)
    except ParameterError:
        current_app.logger.exception("policy parameters unusable for the firm page")
        return []


def _choice(value: str, allowed: Any, default: str = "") -> str:
    return value if value in allowed else default


@bp.route("/candidates")
@login_required
def candidates_page() -> ResponseReturnValue:
    args = {k: (request.args.get(k) or "").strip()[:50]
            for k in ("rules", "outcome", "advisor", "town", "industry", "change", "scope",
                      "application")}
    region = current_region()
    advisor_view = current_user.is_advisor
    scope = "mine" if advisor_view else "all"  # verdicts of others' firms are details
    filters = CandidateFilters(
        rules=_choice(args["rules"], SCREENED_RULES, "hnte"),
        outcome=_choice(args["outcome"], OUTCOMES),
        advisor=args["advisor"] if scope == "all" else "",
        town=_choice(args["town"], region.towns),
        industry=_choice(args["industry"], region.industries),
        change=_choice(args["change"], CHANGES),
        application=_choice(args["application"], APPLICATION_LABELS),
        portfolio_of=current_user.id if scope == "mine" else None,
    )

    def restricted(row: Any) -> bool:
        return bool(advisor_view and row.advisor_username != current_user.username)

    if request.args.get("format") == "xlsx":
        result = candidates(db.session, filters, scope=visible_scope(current_user))
        return candidates_xlsx(result, filters, restricted)
    per_page = int(current_app.config.get("PER_PAGE", 50))
    cursor = read_cursor(order_name(filters), KINDS)
    result = candidates(db.session, filters, scope=visible_scope(current_user),
                        page=1 if cursor or request.args.get("cursor") else int_arg("page"),
                        per_page=per_page, cursor=cursor)
    page = result.page
    previous = None
    if result.run is not None and result.run.previous_run_id is not None:
        previous = db.session.get(ScreeningRun, result.run.previous_run_id)
    advisors = advisor_names(db.session)

    def list_url(**changes: Any) -> str:
        params: dict[str, Any] = {k: v for k, v in args.items() if v}
        params["scope"] = scope if advisor_view else ""
        params.update(changes)
        return url_for("screening.candidates_page",
                       **{k: v for k, v in params.items() if v not in (None, "")})

    return render_template(
        "screening/candidates.html", result=result, filters=filters, scope=scope,
        previous=previous, page=page, per_page=per_page, list_url=list_url,
        next_url=list_url(cursor=cursor_token(result.next_cursor)) if result.next_cursor
        else None,
        previous_url=(list_url(cursor=cursor_token(result.previous_cursor))
                      if result.previous_cursor and page > 2 else list_url() if page > 1
                      else None),
        restricted=restricted,
        region=region, advisors=list(advisors), rules_labels={r: RULES_LABELS[r]
                                                                for r in SCREENED_RULES},
        outcome_labels=OUTCOME_LABELS, changes=CHANGES, advisor_view=advisor_view,
        application_labels=APPLICATION_LABELS, tier_labels=TIER_LABELS, today=clock()[1],
        assignable=active_advisors(db.session) if current_user.is_admin else [],
    )


def _firm_for_selftest(code: str) -> Enterprise | None:
    if not code:
        return None
    firm = registry.get_by_code(db.session, code)
    if firm is None:
        abort(404, "未找到该企业（统一社会信用代码不存在或已删除）")
    if not can_view_details(current_user, firm.id):
        abort(403, "该企业不在您的联系企业范围内，不能载入其数据")
    return firm


def _firm_choices(q: str) -> list[Enterprise]:
    """Advisors: their portfolio; admins and leaders: firms matching ``q`` (at most 20)."""
    if current_user.is_advisor:
        return portfolio_firms(db.session, current_user.id)
    return find_firms(db.session, q, limit=20) if q else []


@bp.route("/selftest", methods=["GET", "POST"])
@login_required
def selftest() -> ResponseReturnValue:
    _, today = clock()
    q = (request.args.get("q") or "").strip()[:50]
    choices = _firm_choices(q)
    code = (request.values.get("code") or "").strip()[:40]
    picked = (request.args.get("firm") or "").strip()[:100]
    if picked and not code:  # the searchable box: a name (or code) typed or picked
        match = next((f for f in choices if picked in (f.name, f.credit_code)), None)
        if match is None:
            abort(404, f"您联系的企业中没有“{picked}”，请从候选中选择")
        code = match.credit_code
    firm = _firm_for_selftest(code)
    status = 200
    verdicts: list[VerdictView] = []
    if request.method == "POST":
        form = whatif.read_form(request.form)
        if form.facts is not None:
            as_of = form.facts.as_of or today
            try:
                verdicts = verdict_views(form.facts, as_of, SCREENED_RULES + THRESHOLD_RULES)
            except ParameterError as exc:
                form.fail("as_of", f"该日期没有有效的政策参数：{exc}")
        if form.errors:
            status = INVALID
    elif firm is not None:
        facts = facts_for_enterprise(db.session, firm, today)
        form = whatif.SelfTest(whatif.values_from_facts(facts, today), facts=facts)
        verdicts = verdict_views(facts, today, SCREENED_RULES + THRESHOLD_RULES)
    else:
        form = whatif.SelfTest(whatif.blank_values(today))
    return render_template(
        "screening/selftest.html", form=form, firm=firm, verdicts=verdicts, q=q,
        choices=choices, whatif=whatif, today=today,
        main_rules=len(SCREENED_RULES),
    ), status
