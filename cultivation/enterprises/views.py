"""Web pages of the registry: list, detail, create, edit, delete (企业库).

Figures, qualifications and institutions live in ``record_views``, visits in
``cultivation.visits.views``; all on this blueprint.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

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
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from cultivation.accounts.access import (
    can_edit,
    can_view_details,
    roles_required,
    visible_scope,
)
from cultivation.accounts.models import User
from cultivation.enterprises import schemas, services
from cultivation.enterprises.detail import firm_page, tier_today
from cultivation.enterprises.forms import EnterpriseForm, options
from cultivation.enterprises.models import Enterprise
from cultivation.enterprises.queries import SORTS, EnterpriseFilters, list_page
from cultivation.extensions import db
from cultivation.portfolios import services as portfolios
from cultivation.portfolios.queries import advisors
from cultivation.qualifications.tiers import TIER_LABELS
from cultivation.regions import current_region

bp = Blueprint("enterprises", __name__, url_prefix="/enterprises")

INVALID = 422  # status of a form re-rendered with errors (nothing saved)
STALE_MESSAGE = "数据已被他人修改，已载入最新数据，请核对后重新修改"


def clock() -> tuple[datetime, date]:
    """Now (UTC) and today's date in the configured time zone: the one clock of a request."""
    now = datetime.now(UTC)
    return now, now.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def load_firm(code: str) -> Enterprise:
    """The live firm with this credit code (typed any way), or a Chinese 404."""
    firm = services.get_by_code(db.session, code)
    if firm is None:
        abort(404, "未找到该企业（统一社会信用代码不存在或已删除）")
    return firm


def editable_firm(code: str) -> Enterprise:
    """The firm, if the current user may change it; 404 / 403 otherwise."""
    firm = load_firm(code)
    if not can_edit(current_user, firm.id):
        abort(403)
    return firm


MAX_PAGE = 100_000  # a page number past this is a typo, not a page (and overflows OFFSET)


def int_arg(name: str, default: int = 1) -> int:
    """A positive page-like number from the query string; bad or huge values fall back."""
    try:
        value = int(request.args.get(name, default))
    except ValueError:
        return default
    return min(max(value, 1), MAX_PAGE)


@bp.route("")
@login_required
def index():  # type: ignore[no-untyped-def]
    _, today = clock()
    args = {k: v.strip() for k, v in request.args.items() if v.strip() and k != "page"}
    scope = args.get("scope") or ("mine" if current_user.is_advisor else "all")
    filters = EnterpriseFilters(
        q=args.get("q", ""), town=args.get("town", ""), industry=args.get("industry", ""),
        tier=args.get("tier", ""),
        advisor=current_user.username if scope == "mine" and current_user.is_advisor
        else args.get("advisor", ""),
        sort=args.get("sort", "name") if args.get("sort") in (*SORTS, "tier") else "name",
        desc=args.get("desc") == "1",
    )
    per_page = int(current_app.config.get("PER_PAGE", 50))
    page = int_arg("page")
    rows, total = list_page(db.session, filters, today, page=page, per_page=per_page,
                            scope=visible_scope(current_user))
    region = current_region()

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
        list_url=list_url, page_url=lambda n: list_url(page=n),
        pages=max((total + per_page - 1) // per_page, 1), filters=filters, args=args,
        scope=scope, region=region, advisors=list(db.session.scalars(advisors())),
        tiers=TIER_LABELS, today=today,
    )


def prepare_form(form: EnterpriseForm) -> EnterpriseForm:
    """Region options; the advisor select only for admins."""
    form.set_region(current_region())
    if current_user.is_admin:
        form.advisor.choices = options(
            [(u.username, f"{u.display_name}（{u.username}）")
             for u in db.session.scalars(advisors())], "（不分配）")
    else:
        del form.advisor
    return form


def chosen_advisor(form: EnterpriseForm) -> tuple[User | None, bool]:
    """The advisor picked in the form (admins only) and whether the choice is valid."""
    if "advisor" not in form or not form.advisor.data:
        return None, True
    user = db.session.scalar(advisors().where(User.username == form.advisor.data))
    if user is None:
        form.attach({"advisor": ["请选择有效的科技指导员"]})
        return None, False
    return user, True


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():  # type: ignore[no-untyped-def]
    if not can_edit(current_user, None):
        abort(403)
    now, today = clock()
    form = prepare_form(EnterpriseForm())
    if request.method == "POST":
        values = form.clean(services.validation_context(today))
        advisor, advisor_ok = chosen_advisor(form)
        if values is not None and advisor_ok:
            if current_user.is_advisor:
                advisor = db.session.get(User, current_user.id)
            try:
                firm = services.create_enterprise(db.session, values, actor=current_user,
                                                  now=now, advisor=advisor)
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
def detail(code: str):  # type: ignore[no-untyped-def]
    firm = load_firm(code)
    if code != firm.credit_code:
        return redirect(url_for("enterprises.detail", code=firm.credit_code))
    _, today = clock()
    if not can_view_details(current_user, firm.id):
        return render_template("enterprises/summary.html", firm=firm,
                               tier=tier_today(firm, today), today=today)
    return render_template(
        "enterprises/detail.html", page=firm_page(db.session, firm, today), firm=firm,
        today=today, can_edit=can_edit(current_user, firm.id),
        year_choices=list(range(today.year, today.year - 10, -1)),
    )


def _edit_form(firm: Enterprise) -> EnterpriseForm:
    advisor = portfolios.current_advisor(db.session, firm.id)
    data = EnterpriseForm.initial(firm, version=str(firm.version),
                                  advisor=advisor.username if advisor else "")
    return prepare_form(EnterpriseForm(formdata=None, data=data))


@bp.route("/<code>/edit", methods=["GET", "POST"])
@login_required
def edit(code: str):  # type: ignore[no-untyped-def]
    firm = editable_firm(code)
    if request.method == "GET":
        return render_template("enterprises/form.html", form=_edit_form(firm), firm=firm)
    now, today = clock()
    form = prepare_form(EnterpriseForm())
    values = form.clean(services.validation_context(today))
    advisor, advisor_ok = chosen_advisor(form)
    if values is None or not advisor_ok:
        return render_template("enterprises/form.html", form=form, firm=firm), INVALID
    try:
        expected = int(form.version.data or "")
    except ValueError:
        expected = -1
    try:
        services.update_enterprise(db.session, firm, values, actor=current_user, now=now,
                                   expected_version=expected)
        current = portfolios.current_advisor(db.session, firm.id)
        if "advisor" in form and (current.id if current else None) != (
            advisor.id if advisor else None
        ):
            portfolios.assign(db.session, firm, advisor, on=today, actor=current_user)
        db.session.flush()
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
def delete(code: str):  # type: ignore[no-untyped-def]
    firm = load_firm(code)
    now, _ = clock()
    services.delete_enterprise(db.session, firm, actor=current_user, now=now)
    db.session.commit()
    flash(f"已删除企业“{firm.name}”（历史记录保留）", "success")
    return redirect(url_for("enterprises.index"))


from cultivation.enterprises import record_views  # noqa: E402,F401  (routes on ``bp``)
from cultivation.visits import views as visit_views  # noqa: E402,F401  (routes on ``bp``)
