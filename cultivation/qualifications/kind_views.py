"""领军类型: the qualification kinds of the 领军 tier, added by administrators without a code
change (the programme may now be 浙江省科技领军企业 / 科技小巨人; DOMAIN §8). A qualification of
such a kind is recorded as 创新型领军企业 with this label, so it gives the 领军 tier."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from cultivation.accounts.access import roles_required
from cultivation.enterprises.schemas import ValidationError
from cultivation.extensions import db
from cultivation.inputs import text
from cultivation.qualifications.kinds import add_leading_kind, leading_kinds
from cultivation.web.clock import now

bp = Blueprint("leading_kinds", __name__, url_prefix="/admin/leading-kinds")


@bp.route("", methods=["GET", "POST"])
@roles_required("admin")
def index() -> ResponseReturnValue:
    errors: list[str] = []
    label, note = "", None
    if request.method == "POST":
        label = text(request.form.get("label")) or ""
        note = text(request.form.get("note"))
        try:
            kind = add_leading_kind(db.session, label, note, actor=current_user, now=now())
        except ValidationError as exc:
            db.session.rollback()
            errors = [m for messages in exc.errors.values() for m in messages]
        else:
            db.session.commit()
            flash(f"已添加领军类型：{kind.label}（计入创新型领军梯次）", "success")
            return redirect(url_for("leading_kinds.index"))
    page = render_template("admin/leading_kinds.html", kinds=leading_kinds(db.session),
                           errors=errors, label=label, note=note or "")
    return page, 422 if errors else 200
