"""走访 pages: log a visit to a firm (routes on the registry blueprint, under the firm)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from cultivation.enterprises import schemas, services
from cultivation.enterprises.forms import VisitForm
from cultivation.enterprises.views import INVALID, bp, clock, editable_firm
from cultivation.extensions import db


@bp.route("/<code>/visits/new", methods=["GET", "POST"])
@login_required
def new_visit(code: str):  # type: ignore[no-untyped-def]
    firm = editable_firm(code)
    now, today = clock()
    if request.method == "GET":
        form = VisitForm(formdata=None, data={"visited_on": today.isoformat()})
        return render_template("enterprises/record_form.html", form=form, firm=firm,
                               title="记录走访", anchor="visits")
    form = VisitForm()
    values = form.clean(services.validation_context(today))
    if values is not None:
        try:
            services.log_visit(db.session, firm, values, actor=current_user, now=now)
        except schemas.ValidationError as exc:
            db.session.rollback()
            form.attach(exc.errors)
        else:
            db.session.commit()
            flash("走访记录已保存", "success")
            return redirect(url_for("enterprises.detail", code=firm.credit_code, _anchor="visits"))
    return render_template("enterprises/record_form.html", form=form, firm=firm,
                           title="记录走访", anchor="visits"), INVALID
