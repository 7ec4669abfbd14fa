"""What the pages under ``/enterprises/<code>`` share: the firm from the URL (404 / 403), the
redirect back to a section of its page, and the small record form (clean, save, commit once)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from cultivation.accounts.access import can_edit
from cultivation.enterprises import schemas, services
from cultivation.enterprises.models import Enterprise
from cultivation.extensions import db
from cultivation.web.clock import clock
from cultivation.web.request import INVALID
from cultivation.web.settings import current_region

STALE_MESSAGE = "数据已被他人修改，已载入最新数据，请核对后重新修改"


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


def back_to_firm(code: str, anchor: str) -> ResponseReturnValue:
    """Redirect to a section of the firm's page."""
    return redirect(url_for("enterprises.detail", code=code, _anchor=anchor))


def record_form(form: Any, firm: Any, title: str, anchor: str,
                status: int = 200) -> ResponseReturnValue:
    return render_template("enterprises/record_form.html", form=form, firm=firm, title=title,
                           anchor=anchor), status


def save_record(form: Any, firm: Any, title: str, anchor: str,
                action: Callable[[dict[str, Any], datetime], Any],
                message: str) -> ResponseReturnValue:
    """Clean the form, run the service, commit once; or re-render with field errors (422)."""
    now, today = clock()
    values = form.clean(services.validation_context(today, current_region()))
    if values is not None:
        try:
            action(values, now)
        except schemas.ValidationError as exc:
            db.session.rollback()
            form.attach(exc.errors)
        else:
            db.session.commit()
            flash(message, "success")
            return back_to_firm(firm.credit_code, anchor)
    return record_form(form, firm, title, anchor, INVALID)
