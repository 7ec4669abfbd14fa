"""发件箱 (admin): every message with its status, attempts and error; resend failed ones."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from cultivation.accounts.access import roles_required
from cultivation.extensions import db
from cultivation.mail.models import STATUSES, OutboxMessage
from cultivation.mail.services import outbox_page, resend, resend_failed, status_counts
from cultivation.web import clock
from cultivation.web.request import int_arg

bp = Blueprint("mail", __name__, url_prefix="/admin/outbox")
PER_PAGE = 50


@bp.route("")
@roles_required("admin")
def index() -> ResponseReturnValue:
    status = request.args.get("status") or None
    if status not in STATUSES:
        status = None
    page = int_arg("page")
    messages, total = outbox_page(db.session, status, page=page, per_page=PER_PAGE)
    return render_template(
        "admin/outbox.html", messages=messages, counts=status_counts(db.session),
        statuses=STATUSES, status=status, page=page, pages=max(1, -(-total // PER_PAGE)),
        total=total, backend=current_app.config["MAIL_BACKEND"],
        page_url=lambda n: url_for("mail.index", status=status, page=n),
    )


@bp.route("/<int:message_id>")
@roles_required("admin")
def detail(message_id: int) -> ResponseReturnValue:
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    return render_template("admin/outbox_message.html", message=message,
                           backend=current_app.config["MAIL_BACKEND"])


@bp.route("/<int:message_id>/resend", methods=["POST"])
@roles_required("admin")
def resend_one(message_id: int) -> ResponseReturnValue:
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    try:
        resend(db.session, message, actor=current_user, now=clock.now())
    except ValueError as exc:
        flash(str(exc), "warning")
        return redirect(url_for("mail.detail", message_id=message.id))
    db.session.commit()
    flash(f"邮件“{message.subject}”已重新排队，将在一分钟内由发送任务发出", "success")
    back = request.form.get("next") or ""
    if not back.startswith(url_for("mail.index")):  # only back to an outbox page
        back = url_for("mail.detail", message_id=message.id)
    return redirect(back)


@bp.route("/resend-failed", methods=["POST"])
@roles_required("admin")
def resend_all_failed() -> ResponseReturnValue:
    n = resend_failed(db.session, actor=current_user, now=clock.now())
    db.session.commit()
    if n:
        flash(f"已将 {n} 封发送失败的邮件重新排队", "success")
    else:
        flash("没有发送失败的邮件", "info")
    return redirect(url_for("mail.index"))
