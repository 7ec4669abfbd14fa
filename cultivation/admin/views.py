"""Admin pages (系统管理): users, API tokens, deleted firms. Admins only.

The portfolio assignment page is ``portfolios.views``, the audit log ``audit.views`` (own
blueprints under the same ``/admin`` prefix, admins only too).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user

from cultivation.accounts.access import roles_required
from cultivation.accounts.models import ApiToken, User
from cultivation.accounts.services import AccountError, create_user, revoke_token
from cultivation.admin import queries, services
from cultivation.admin.forms import UserCreateForm, UserEditForm
from cultivation.enterprises.services import get_by_code
from cultivation.extensions import db
from cultivation.portfolios import services as portfolios
from cultivation.web.clock import clock
from cultivation.web.request import INVALID

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@roles_required("admin")
def admins_only() -> None:
    """Every admin page: anonymous → login, other roles → 403."""


def load_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404, "用户不存在")
    return user


@bp.route("/users")
def users() -> ResponseReturnValue:
    return render_template("admin/users.html", rows=queries.users_overview(db.session))


@bp.route("/users/new", methods=["GET", "POST"])
def new_user() -> ResponseReturnValue:
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                db.session, form.username.data or "", role=form.role.data or "",
                password=form.password.data or "", display_name=form.display_name.data,
                email=form.email.data or None, actor=current_user,
            )
            user.is_active_flag = bool(form.is_active.data)
        except AccountError as exc:
            db.session.rollback()
            form.username.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"已新建用户 {user.username}（{user.role_label}）", "success")
            return redirect(url_for("admin.users"))
    status = INVALID if form.errors else 200
    return render_template("admin/users_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id: int) -> ResponseReturnValue:
    user = load_user(user_id)
    form = UserEditForm(obj=user, is_active=user.is_active_flag)
    if form.validate_on_submit():
        now, _ = clock()
        try:
            services.update_user(
                db.session, user, display_name=form.display_name.data or user.display_name,
                email=form.email.data, role=form.role.data or user.role,
                is_active=bool(form.is_active.data), password=form.password.data or None,
                actor=current_user, now=now,
            )
        except AccountError as exc:
            db.session.rollback()
            form.role.errors.append(str(exc))
        else:
            db.session.commit()
            if user.id == current_user.id:
                login_user(user)  # an admin editing themself keeps this session
            flash(f"用户 {user.username} 已保存", "success")
            if not user.is_active_flag and user.is_advisor:
                held = portfolios.open_portfolio_size(db.session, user.id)
                if held:
                    flash(f"该指导员已停用，仍有 {held} 家联系企业，请及时移交", "warning")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    status = INVALID if form.errors else 200
    return render_template(
        "admin/users_form.html", form=form, user=user,
        tokens=queries.user_tokens(db.session, user.id),
        firms=portfolios.open_portfolio_size(db.session, user.id),
    ), status


@bp.route("/users/<int:user_id>/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_user_token(user_id: int, token_id: int) -> ResponseReturnValue:
    user = load_user(user_id)
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        abort(404, "令牌不存在")
    if token.revoked_at is None:
        now, _ = clock()
        revoke_token(db.session, token, actor=current_user, now=now)
        db.session.commit()
        flash(f"已撤销 {user.username} 的令牌“{token.label or token.id}”", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id, _anchor="tokens"))


@bp.route("/users/<int:user_id>/tokens/revoke-all", methods=["POST"])
def revoke_all_tokens(user_id: int) -> ResponseReturnValue:
    user = load_user(user_id)
    now, _ = clock()
    live = [t for t in queries.user_tokens(db.session, user.id) if t.revoked_at is None]
    for token in live:
        revoke_token(db.session, token, actor=current_user, now=now)
    db.session.commit()
    flash(f"已撤销 {user.username} 的全部 {len(live)} 个令牌", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id, _anchor="tokens"))


@bp.route("/deleted")
def deleted() -> ResponseReturnValue:
    return render_template("admin/audit_deleted.html",
                           firms=queries.deleted_enterprises(db.session))


@bp.route("/deleted/<code>/restore", methods=["POST"])
def restore(code: str) -> ResponseReturnValue:
    firm = get_by_code(db.session, code, include_deleted=True)
    if firm is None or firm.deleted_at is None:
        abort(404, "未找到该已删除企业")
    now, _ = clock()
    services.restore_enterprise(db.session, firm, actor=current_user, now=now)
    db.session.commit()
    flash(f"已恢复企业“{firm.name}”", "success")
    return redirect(url_for("enterprises.detail", code=firm.credit_code))
