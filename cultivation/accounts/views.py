"""Login, logout and the user's own account page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from cultivation.accounts.access import login_required
from cultivation.accounts.forms import AccountForm, LoginForm
from cultivation.accounts.models import User
from cultivation.accounts.services import get_by_username
from cultivation.audit import services as audit
from cultivation.extensions import db, login_manager

bp = Blueprint("accounts", __name__)


def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


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
        user = get_by_username(db.session, form.username.data or "")
        if user is None or not user.is_active or not user.check_password(form.password.data or ""):
            form.password.errors.append("用户名或密码错误")
        else:
            session.clear()
            session.permanent = True
            login_user(user)
            audit.record(db.session, actor=user, entity_type="user", entity_id=user.id,
                         action="login", ip=request.remote_addr)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form), (200 if not form.errors else 401)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
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
        before = {"email": user.email, "digest_opt_out": user.digest_opt_out}
        user.email = form.email.data or None
        user.digest_opt_out = bool(form.digest_opt_out.data)
        if form.password.data:
            user.set_password(form.password.data)
        audit.record(db.session, actor=user, entity_type="user", entity_id=user.id,
                     action="update", before=before,
                     after={"email": user.email, "digest_opt_out": user.digest_opt_out})
        db.session.commit()
        flash("账户设置已保存", "success")
        return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form, user=user)
