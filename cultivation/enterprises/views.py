"""Web pages of the registry: list, detail, create, edit, delete (企业库).

Yearly figures are on ``figure_views``; qualifications, institutions and visits have their own
packages' blueprints (``qualifications.views``, ``visits.views``) under the same URL prefix.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from cultivation.accounts.access import (
    can_edit,
    can_view_details,
    login_required,
    roles_required,
    visible_scope,
)
from cultivation.accounts.models import User
from cultivation.enterprises import schemas, services
from cultivation.enterprises.activity import firm_activity
from cultivation.enterprises.detail import firm_page, tier_today
from cultivation.enterprises.forms import EnterpriseForm, options
from cultivation.enterprises.listing import KINDS, list_total, list_window, order_name
from cultivation.enterprises.models import Enterprise
from cultivation.enterprises.pages import STALE_MESSAGE, editable_firm, load_firm
from cultivation.enterprises.queries import SORTS, EnterpriseFilters
from cultivation.extensions import db
from cultivation.keyset import Cursor
from cultivation.portfolios import services as portfolios
from cultivation.portfolios.queries import active_advisors, advisor_named
from cultivation.qualifications.tiers import TIER_LABELS
from cultivation.visits import services as visits
from cultivation.web.clock import clock, zone
from cultivation.web.request import INVALID, cursor_token, int_arg, read_cursor
from cultivation.web.settings import current_region

bp = Blueprint("enterprises", __name__, url_prefix="/enterprises")



@bp.route("")
@login_required
def index() -> ResponseReturnValue:
    _, today = clock()
    args = {k: v.strip() for k, v in request.args.items()
            if v.strip() and k not in ("page", "cursor")}
    scope = args.get("scope") or ("mine" if current_user.is_advisor else "all")
    # ``as_of``: the list as of a past date (the funnel's counts link here): tiers of that day
    # and only firms registered by then; anything unreadable or later falls back to today.
    as_of = None
    try:
        as_of = date.fromisoformat(args.get("as_of", "")[:10])
    except ValueError:
        args.pop("as_of", None)
    if as_of is not None and as_of >= today:
        as_of = None
        args.pop("as_of", None)
    filters = EnterpriseFilters(
        q=args.get("q", ""), town=args.get("town", ""), industry=args.get("industry", ""),
        tier=args.get("tier", ""), registered_by=as_of,
        advisor=current_user.username if scope == "mine" and current_user.is_advisor
        else args.get("advisor", ""),
        sort=args.get("sort", "name") if args.get("sort") in (*SORTS, "tier") else "name",
        desc=args.get("desc") == "1",
    )
    per_page = int(current_app.config.get("PER_PAGE", 50))
    scope_of = visible_scope(current_user)
    cursor = read_cursor(order_name(filters), [KINDS[filters.sort]])
    window = list_window(db.session, filters, as_of or today, per_page=per_page, scope=scope_of,
                         cursor=cursor, page=1 if cursor or request.args.get("cursor")
                         else int_arg("page"))
    rows, page = window.rows, window.page
    total = list_total(db.session, filters, as_of or today, scope=scope_of)
    region = current_region()
    # The phone cards show the next follow-up: only of firms whose details the user may see.
    own = [r.enterprise.id for r in rows if current_user.sees_everything
           or r.advisor_username == current_user.username]
    follow_ups = visits.next_follow_ups(db.session, own)

    def list_url(**changes: str | int | None) -> str:
        """This list's URL with some parameters changed (None drops one)."""
        # Query values for url_for, which takes them as Any.
        params: dict[str, Any] = {**args, "scope": scope} if current_user.is_advisor \
            else dict(args)
        for key, value in changes.items():
            if value is None or value == "":
                params.pop(key, None)
            else:
                params[key] = value
        return url_for("enterprises.index", **params)

    return render_template(
        "enterprises/index.html", rows=rows, total=total, page=page, per_page=per_page,
        list_url=list_url, next_url=_step_url(list_url, window.next_cursor, page + 1),
        previous_url=_step_url(list_url, window.previous_cursor, page - 1)
        or (list_url() if page > 1 else None),
        filters=filters, args=args,
        scope=scope, region=region, advisors=active_advisors(db.session),
        tiers=TIER_LABELS, today=today, as_of=as_of, follow_ups=follow_ups,
    )


def _step_url(list_url: Any, cursor: Cursor | None, page: int) -> str | None:
    """The link to the next / previous page: its cursor; page 1 is the plain list URL; an
    empty page past the end links back to page 1."""
    if page < 1:
        return None
    if page == 1:
        return str(list_url())
    return str(list_url(cursor=cursor_token(cursor))) if cursor is not None else None


def prepare_form(form: EnterpriseForm) -> EnterpriseForm:
    """Region options; the advisor select only for admins."""
    form.set_region(current_region())
    if current_user.is_admin:
        form.advisor.choices = options(
            [(u.username, f"{u.display_name}（{u.username}）")
             for u in active_advisors(db.session)], "（不分配）")
    else:
        del form.advisor
    return form


def chosen_advisor(form: EnterpriseForm) -> tuple[User | None, bool]:
    """The advisor picked in the form (admins only) and whether the choice is valid."""
    if "advisor" not in form or not form.advisor.data:
        return None, True
    user = advisor_named(db.session, form.advisor.data)
    if user is None:
        form.attach({"advisor": ["请选择有效的科技指导员"]})
        return None, False
    return user, True


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create() -> ResponseReturnValue:
    if not can_edit(current_user, None):
        abort(403)
    now, today = clock()
    form = prepare_form(EnterpriseForm())
    if request.method == "POST":
        values = form.clean(services.validation_context(today, current_region()))
        advisor, advisor_ok = chosen_advisor(form)
        if values is not None and advisor_ok:
            try:
                firm = services.create_enterprise(db.session, values, actor=current_user,
                                                  now=now, today=today, advisor=advisor)
            except schemas.ValidationError as exc:
                db.session.rollback()
                form.attach(exc.errors)
            else:
                db.session.commit()
                flash(f"已新增企业“{firm.name}”", "success")
                return redirect(url_for("enterprises.detail", code=firm.credit_code))
        return render_template("enterprises/form.html", form=form, firm=None), INVALID
    return render_template("enterprises/form.html", form=form, firm=None)


@bp.route("/<code>")
@login_required
def detail(code: str) -> ResponseReturnValue:
    firm = load_firm(code)
    if code != firm.credit_code:
        return redirect(url_for("enterprises.detail", code=firm.credit_code))
    now, today = clock()
    if not can_view_details(current_user, firm.id):
        return render_template("enterprises/summary.html", firm=firm,
                               tier=tier_today(firm, today), today=today)
    return render_template(
        "enterprises/detail.html", firm=firm,
        page=firm_page(db.session, firm, today, now=now, zone=zone()),
        today=today, can_edit=can_edit(current_user, firm.id),
        year_choices=list(range(today.year, today.year - 10, -1)),
    )


@bp.route("/<code>/activity")
@login_required
def activity(code: str) -> ResponseReturnValue:
    """The firm's whole timeline, a page at a time (the firm page shows the first page)."""
    firm = load_firm(code)
    if not can_view_details(current_user, firm.id):
        abort(403)
    now, today = clock()
    page = int_arg("page")
    timeline = firm_activity(db.session, firm.id, zone=zone(), now=now, page=page)
    return render_template("enterprises/activity.html", firm=firm, timeline=timeline,
                           today=today)


def _edit_form(firm: Enterprise) -> EnterpriseForm:
    advisor = portfolios.current_advisor(db.session, firm.id)
    data = EnterpriseForm.initial(firm, version=str(firm.version),
                                  advisor=advisor.username if advisor else "")
    return prepare_form(EnterpriseForm(formdata=None, data=data))


@bp.route("/<code>/edit", methods=["GET", "POST"])
@login_required
def edit(code: str) -> ResponseReturnValue:
    firm = editable_firm(code)
    if request.method == "GET":
        return render_template("enterprises/form.html", form=_edit_form(firm), firm=firm)
    now, today = clock()
    form = prepare_form(EnterpriseForm())
    values = form.clean(services.validation_context(today, current_region()))
    advisor, advisor_ok = chosen_advisor(form)
    if values is None or not advisor_ok:
        return render_template("enterprises/form.html", form=form, firm=firm), INVALID
    try:
        expected = int(form.version.data or "")
    except ValueError:
        expected = -1
    try:
        if "advisor" in form:
            services.update_and_reassign(db.session, firm, values, advisor=advisor,
                                         actor=current_user, now=now, today=today,
                                         expected_version=expected)
        else:
            services.update_enterprise(db.session, firm, values, actor=current_user, now=now,
                                       today=today, expected_version=expected)
    except (services.StaleVersion, StaleDataError):
        db.session.rollback()
        flash(STALE_MESSAGE, "warning")
        firm = load_firm(code)
        return render_template("enterprises/form.html", form=_edit_form(firm), firm=firm), 409
    except schemas.ValidationError as exc:
        db.session.rollback()
        form.attach(exc.errors)
        return render_template("enterprises/form.html", form=form, firm=firm), INVALID
    db.session.commit()
    flash("企业信息已保存", "success")
    return redirect(url_for("enterprises.detail", code=firm.credit_code))


@bp.route("/<code>/delete", methods=["POST"])
@roles_required("admin")
def delete(code: str) -> ResponseReturnValue:
    firm = load_firm(code)
    now, _ = clock()
    services.delete_enterprise(db.session, firm, actor=current_user, now=now)
    db.session.commit()
    flash(f"已删除企业“{firm.name}”（历史记录保留）", "success")
    return redirect(url_for("enterprises.index"))
