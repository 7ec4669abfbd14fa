"""申报日历: windows for every role, editing for admins, and each user's secret .ics feed."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
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

from cultivation.accounts.access import login_required, roles_required
from cultivation.accounts.models import User
from cultivation.accounts.models import _new_calendar_token as new_calendar_token
from cultivation.audit import services as audit
from cultivation.enterprises.schemas import ValidationError
from cultivation.extensions import db
from cultivation.reminders.windows import candidate_counts
from cultivation.web import clock
from cultivation.web.clock import local_date
from cultivation.web.settings import app_settings
from cultivation.windows import services
from cultivation.windows.feed import calendar_events
from cultivation.windows.forms import WindowForm
from cultivation.windows.ical import build_calendar
from cultivation.windows.models import PROGRAMME_RULES, ApplicationWindow
from cultivation.windows.queries import (
    calendar_owner,
    list_windows,
    next_window_year,
    window_years,
)

bp = Blueprint("windows", __name__, url_prefix="/windows")

PHASES = {"upcoming": ("未开始", "text-bg-secondary"), "open": ("申报中", "text-bg-success"),
          "closed": ("已截止", "text-bg-light border")}


@bp.route("")
@login_required
def index() -> ResponseReturnValue:
    today = clock.today()
    years = window_years(db.session)
    # By default the year of the next open or upcoming window, not a year where all are closed.
    default = next_window_year(db.session, today) or today.year
    year = request.args.get("year", type=int) or default
    if not 1949 <= year <= 2200:  # a typo, not a year (and out of the date range)
        year = default
    windows = list_windows(db.session, year)
    mine = candidate_counts(db.session, current_user.id, today) if current_user.is_advisor else {}
    feed = url_for('windows.feed', token=current_user.calendar_token)
    feed_url = f"{app_settings().base_url}{feed}"
    return render_template("windows/index.html", windows=windows, year=year,
                           years=sorted({*years, today.year}), today=today, phases=PHASES,
                           mine=mine, feed_url=feed_url, programme_rules=PROGRAMME_RULES)


def _form_page(form: WindowForm, window: ApplicationWindow | None) -> str:
    return render_template("windows/form.html", form=form, window=window)


def _apply_errors(form: WindowForm, errors: dict[str, list[str]]) -> None:
    for field, messages in errors.items():
        target = getattr(form, field, None)
        if target is not None:
            target.errors = list(messages)
        else:
            flash(f"{field}：{'，'.join(messages)}", "error")


def _raw(form: WindowForm) -> dict[str, object]:
    return {name: request.form.get(name, "") for name in
            ("programme", "year", "batch", "opens_on", "closes_on", "remind_days", "note",
             "issuer", "source")} | {
        "confirmed": bool(form.confirmed.data)}


@bp.route("/new", methods=["GET", "POST"])
@roles_required("admin")
def create() -> ResponseReturnValue:
    form = WindowForm()
    if form.validate_on_submit():
        try:
            window = services.create_window(db.session, _raw(form), actor=current_user,
                                            now=clock.now())
        except ValidationError as exc:
            db.session.rollback()
            _apply_errors(form, exc.errors)
            return _form_page(form, None), 422
        db.session.commit()
        flash(f"已新增申报窗口：{window.title}", "success")
        return redirect(url_for("windows.index", year=window.year))
    return _form_page(form, None), 422 if form.errors else 200


@bp.route("/<int:window_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit(window_id: int) -> ResponseReturnValue:
    window = db.session.get(ApplicationWindow, window_id) or abort(404)
    form = WindowForm(obj=window)
    if request.method == "GET":
        form.remind_days.data = ", ".join(str(d) for d in window.remind_days or [])
        form.year.data = str(window.year)
        form.opens_on.data = window.opens_on.isoformat()
        form.closes_on.data = window.closes_on.isoformat()
    if form.validate_on_submit():
        try:
            services.update_window(db.session, window, _raw(form), actor=current_user,
                                   now=clock.now())
        except ValidationError as exc:
            db.session.rollback()
            _apply_errors(form, exc.errors)
            return _form_page(form, window), 422
        db.session.commit()
        flash(f"已保存申报窗口：{window.title}", "success")
        return redirect(url_for("windows.index", year=window.year))
    return _form_page(form, window), 422 if form.errors else 200


@bp.route("/<int:window_id>/delete", methods=["POST"])
@roles_required("admin")
def delete(window_id: int) -> ResponseReturnValue:
    window = db.session.get(ApplicationWindow, window_id) or abort(404)
    title, year = window.title, window.year
    services.delete_window(db.session, window, actor=current_user, now=clock.now())
    db.session.commit()
    flash(f"已删除申报窗口：{title}", "info")
    return redirect(url_for("windows.index", year=year))


@bp.route("/seed", methods=["POST"])
@roles_required("admin")
def seed() -> ResponseReturnValue:
    year = request.form.get("year", type=int)
    if year is None or not 2000 <= year <= 2100:
        flash("年度无效，应为 2000 到 2100 之间的整数", "error")
        return redirect(url_for("windows.index"))
    added = services.seed_windows(db.session, clock.today(), years=[year],
                                  actor=current_user)
    db.session.commit()
    if added:
        flash(f"已按默认日历新增 {year} 年申报窗口 {added} 个（日期待确认，请按当年通知修改）",
              "success")
    else:
        flash(f"{year} 年的默认申报窗口已全部存在，未新增", "info")
    return redirect(url_for("windows.index", year=year))


@bp.route("/calendar/<token>.ics")
def feed(token: str) -> ResponseReturnValue:
    """Public URL: the secret token is the credential (calendar apps cannot log in)."""
    user = calendar_owner(db.session, token)
    if user is None or not token:
        abort(404)
    now = clock.now()
    root = app_settings().base_url
    body = build_calendar(
        calendar_events(db.session, user, local_date(now), root),
        name=f"梯次培育申报日历（{user.display_name}）",
        domain=urlsplit(root).hostname or "cultivation",
        now=now, timezone=current_app.config["TIMEZONE"],
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="cultivation.ics"'
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.route("/calendar/reset", methods=["POST"])
@login_required
def reset_feed() -> ResponseReturnValue:
    user = db.session.get(User, current_user.id) or abort(404)
    user.calendar_token = new_calendar_token()
    audit.record(db.session, actor=user, entity_type="user", entity_id=user.id,
                 action="calendar_reset", ip=request.remote_addr)
    db.session.commit()
    flash("已重新生成日历订阅地址，旧地址立即失效", "success")
    return redirect(url_for("windows.index"))

