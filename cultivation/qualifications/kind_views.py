"""领军类型: the qualification kinds of the 领军 tier, added by administrators without a code
change (the programme may now be 浙江省科技领军企业 / 科技小巨人; DOMAIN §8). A qualification of
such a kind is recorded as 创新型领军企业 with this label, so it gives the 领军 tier."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from cultivation.accounts.access import roles_required
from cultivation.audit import services as audit
from cultivation.database import utcnow
from cultivation.extensions import db
from cultivation.inputs import text
from cultivation.qualifications.models import LeadingKind

bp = Blueprint("leading_kinds", __name__, url_prefix="/admin/leading-kinds")


@bp.route("", methods=["GET", "POST"])
@roles_required("admin")
def index():  # type: ignore[no-untyped-def]
    errors: list[str] = []
    label = (text(request.form.get("label")) or "") if request.method == "POST" else ""
    note = text(request.form.get("note")) if request.method == "POST" else None
    if request.method == "POST":
        errors = _check(label, note)
        if not errors:
            now = utcnow()
            kind = LeadingKind(label=label, note=note, created_at=now)
            db.session.add(kind)
            db.session.flush()
            audit.record(db.session, actor=current_user, entity_type="leading_kind",
                         entity_id=kind.id, action="create",
                         after={"label": label, "note": note}, at=now)
            db.session.commit()
            flash(f"已添加领军类型：{label}（计入创新型领军梯次）", "success")
            return redirect(url_for("leading_kinds.index"))
    kinds = list(db.session.scalars(select(LeadingKind).order_by(LeadingKind.id)))
    page = render_template("admin/leading_kinds.html", kinds=kinds, errors=errors,
                           label=label, note=note or "")
    return page, 422 if errors else 200


def _check(label: str, note: str | None) -> list[str]:
    if not label:
        return ["请填写领军类型名称"]
    if len(label) > 100:
        return ["名称不超过100个字符"]
    if note is not None and len(note) > 300:
        return ["说明不超过300个字符"]
    if db.session.scalar(select(LeadingKind.id).where(LeadingKind.label == label)) is not None:
        return [f"领军类型“{label}”已存在"]
    return []
