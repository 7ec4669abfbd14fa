"""Login, logout and the user's own account page."""

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
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from cultivation.accounts import throttle
from cultivation.accounts.access import login_required
from cultivation.accounts.forms import AccountForm, LoginForm
from cultivation.accounts.models import User, check_dummy_password
from cultivation.accounts.services import get_by_username
from cultivation.audit import services as audit
from cultivation.extensions import db, login_manager
from cultivation.web.clock import now as clock_now

bp = Blueprint("accounts", __name__)


def load_user(session_id: str) -> User | None:
    """The session's user, if its generation is still current (see ``User.end_sessions``)."""
    user_id, _, generation = session_id.partition(":")
    if not user_id.isdigit() or not generation.isdigit():
        return None  # a cookie from before generations, or forged
    user = db.session.get(User, int(user_id))
    if user is None or user.session_generation != int(generation):
        return None
    return user


login_manager.user_loader(load_user)  # a plain call: Flask-Login's decorator is untyped


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/"):
        return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        now = clock_now()
        username, password = form.username.data or "", form.password.data or ""
        limits = throttle.Limits.from_config(current_app.config)
        wait = throttle.retry_after(db.session, username, request.remote_addr, now=now,
                                    limits=limits)
        if wait is not None:  # even the right password waits: the lock must not be an oracle
            return _locked(form, wait)
        user = get_by_username(db.session, username)
        # Unknown users cost a hash check too, so timing does not tell which names exist.
        valid = user.check_password(password) if user else check_dummy_password(password)
        if user is None or not user.is_active or not valid:
            throttle.record_failure(db.session, username, request.remote_addr, now=now,
                                    limits=limits, user=user)
            db.session.commit()
            form.password.errors.append("用户名或密码错误")
        else:
            throttle.clear_failures(db.session, username)
            session.clear()
            session.permanent = True
            login_user(user)
            audit.record(db.session, actor=user, entity_type="user", entity_id=user.id,
                         action="login", ip=request.remote_addr)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form), (200 if not form.errors else 401)


def _locked(form: LoginForm, wait: int) -> Response:
    minutes = max(1, -(-wait // 60))
    form.password.errors.append(f"登录失败次数过多，账户已暂时锁定，请 {minutes} 分钟后再试")
    response = current_app.make_response(
        (render_template("accounts/login.html", form=form), 429))
    response.headers["Retry-After"] = str(wait)
    return response


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    if current_user.is_authenticated:
        user = db.session.get(User, current_user.id)
        if user is not None:  # a copied cookie must not outlive the logout
            user.end_sessions()
            db.session.commit()
    logout_user()
    session.clear()
    flash("已退出登录", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> ResponseReturnValue:
    user = db.session.get(User, current_user.id)
    if user is None:  # deleted since this request's login check
        abort(404)
    form = AccountForm(obj=user)
    if form.validate_on_submit():
        if form.password.data and not user.check_password(form.current_password.data or ""):
            form.current_password.errors.append("当前密码不正确")
            return render_template("accounts/account.html", form=form, user=user), 422
        before = {"email": user.email, "digest_opt_out": user.digest_opt_out}
        user.email = form.email.data or None
        user.digest_opt_out = bool(form.digest_opt_out.data)
        after = {"email": user.email, "digest_opt_out": user.digest_opt_out}
        if form.password.data:
            user.set_password(form.password.data)
            user.end_sessions()  # every other session (and copied cookie) ends here
            after["password"] = "（已修改，其他会话已退出）"  # noqa: S105 - an audit marker
        audit.record(db.session, actor=user, entity_type="user", entity_id=user.id,
                     action="update", before=before, after=after)
        db.session.commit()
        if form.password.data:
            login_user(user)  # this session continues under the new generation
        flash("账户设置已保存", "success")
        return redirect(url_for("accounts.account"))
    status = 422 if form.errors else 200
    return render_template("accounts/account.html", form=form, user=user), status
