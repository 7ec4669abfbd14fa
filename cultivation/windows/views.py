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
from flask_login import current_user, login_required
from sqlalchemy import select

from cultivation.accounts.access import roles_required
from cultivation.accounts.models import User
from cultivation.accounts.models import _new_calendar_token as new_calendar_token
from cultivation.audit import services as audit
from cultivation.database import utcnow
from cultivation.enterprises.schemas import ValidationError
from cultivation.extensions import db
from cultivation.mail.compose import base_url
from cultivation.scheduling.clock import local_date
from cultivation.windows import services
from cultivation.windows.feed import calendar_events
from cultivation.windows.forms import WindowForm
from cultivation.windows.ical import build_calendar
from cultivation.windows.models import PROGRAMME_RULES, ApplicationWindow
from cultivation.windows.queries import windows_in
from cultivation.windows.reminders import candidate_counts

bp = Blueprint("windows", __name__, url_prefix="/windows")

PHASES = {"upcoming": ("未开始", "text-bg-secondary"), "open": ("申报中", "text-bg-success"),
          "closed": ("已截止", "text-bg-light border")}


@bp.route("")
@login_required
def index():  # type: ignore[no-untyped-def]
    today = local_date(utcnow())
    years = list(db.session.scalars(select(ApplicationWindow.year).distinct()
                                    .order_by(ApplicationWindow.year)))
    # By default the year of the next open or upcoming window, not a year where all are closed.
    coming = db.session.scalar(select(ApplicationWindow.year)
                               .where(ApplicationWindow.closes_on >= today)
                               .order_by(ApplicationWindow.closes_on).limit(1))
    default = coming or today.year
    year = request.args.get("year", type=int) or default
    if not 1949 <= year <= 2200:  # a typo, not a year (and out of the date range)
        year = default
    windows = list(db.session.scalars(windows_in(year)))
    mine = candidate_counts(db.session, current_user.id, today) if current_user.is_advisor else {}
    feed_url = f"{base_url()}{url_for('windows.feed', token=current_user.calendar_token)}"
    return render_template("windows/index.html", windows=windows, year=year,
                           years=sorted({*years, today.year}), today=today, phases=PHASES,
                           mine=mine, feed_url=feed_url, programme_rules=PROGRAMME_RULES)


def _form_page(form: WindowForm, window: ApplicationWindow | None):  # type: ignore[no-untyped-def]
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
            ("programme", "year", "batch", "opens_on", "closes_on", "remind_days", "note")} | {
        "confirmed": bool(form.confirmed.data)}


@bp.route("/new", methods=["GET", "POST"])
@roles_required("admin")
def create():  # type: ignore[no-untyped-def]
    form = WindowForm()
    if form.validate_on_submit():
        try:
            window = services.create_window(db.session, _raw(form), actor=current_user,
                                            now=utcnow())
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
def edit(window_id: int):  # type: ignore[no-untyped-def]
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
                                   now=utcnow())
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
def delete(window_id: int):  # type: ignore[no-untyped-def]
    window = db.session.get(ApplicationWindow, window_id) or abort(404)
    title, year = window.title, window.year
    services.delete_window(db.session, window, actor=current_user, now=utcnow())
    db.session.commit()
    flash(f"已删除申报窗口：{title}", "info")
    return redirect(url_for("windows.index", year=year))


@bp.route("/seed", methods=["POST"])
@roles_required("admin")
def seed():  # type: ignore[no-untyped-def]
    year = request.form.get("year", type=int)
    if year is None or not 2000 <= year <= 2100:
        flash("年度无效，应为 2000 到 2100 之间的整数", "error")
        return redirect(url_for("windows.index"))
    added = services.seed_windows(db.session, local_date(utcnow()), years=[year],
                                  actor=current_user)
    db.session.commit()
    if added:
        flash(f"已按默认日历新增 {year} 年申报窗口 {added} 个（日期未核实，请按当年通知修改）",
              "success")
    else:
        flash(f"{year} 年的默认申报窗口已全部存在，未新增", "info")
    return redirect(url_for("windows.index", year=year))


@bp.route("/calendar/<token>.ics")
def feed(token: str):  # type: ignore[no-untyped-def]
    """Public URL: the secret token is the credential (calendar apps cannot log in)."""
    user = db.session.scalar(select(User).where(User.calendar_token == token,
                                                User.is_active_flag.is_(True)))
    if user is None or not token:
        abort(404)
    now = utcnow()
    root = base_url()
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
def reset_feed():  # type: ignore[no-untyped-def]
    user = db.session.get(User, current_user.id) or abort(404)
    user.calendar_token = new_calendar_token()
    audit.record(db.session, actor=user, entity_type="user", entity_id=user.id,
                 action="calendar_reset", ip=request.remote_addr)
    db.session.commit()
    flash("已重新生成日历订阅地址，旧地址立即失效", "success")
    return redirect(url_for("windows.index"))

