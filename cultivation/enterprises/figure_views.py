"""Web pages of a firm's yearly figures (年度经营数据), under ``/enterprises/<code>/figures``."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from cultivation.accounts.access import login_required
from cultivation.enterprises import schemas, services
from cultivation.enterprises.forms import FiguresForm
from cultivation.enterprises.pages import back_to_firm, editable_firm
from cultivation.enterprises.queries import figures_of
from cultivation.extensions import db
from cultivation.web.clock import clock
from cultivation.web.request import INVALID
from cultivation.web.settings import current_region

bp = Blueprint("figures", __name__, url_prefix="/enterprises")


@bp.route("/<code>/figures/new")
@login_required
def new_figures(code: str) -> ResponseReturnValue:
    """Pick a year (GET ?year=) and go to that year's form."""
    firm = editable_firm(code)
    _, today = clock()
    try:
        year = int(request.args.get("year", ""))
    except ValueError:
        year = 0
    if not 1949 <= year <= today.year:
        flash(f"请选择 1949–{today.year} 之间的年度", "warning")
        return back_to_firm(firm.credit_code, "figures")
    return redirect(url_for("figures.figures", code=firm.credit_code, year=year))


@bp.route("/<code>/figures/<int:year>", methods=["GET", "POST"])
@login_required
def figures(code: str, year: int) -> ResponseReturnValue:
    firm = editable_firm(code)
    now, today = clock()
    if not 1949 <= year <= today.year:
        abort(404, f"年度应在 1949–{today.year} 之间")
    row = figures_of(db.session, firm.id, year)
    if request.method == "GET":
        form = FiguresForm(formdata=None, data=FiguresForm.initial(row) if row else None)
        return render_template("enterprises/figures_form.html", form=form, firm=firm, year=year,
                               row=row)
    form = FiguresForm()
    values = form.clean(services.validation_context(today, current_region()))
    if values is not None:
        try:
            services.record_figures(db.session, firm, year, values, actor=current_user, now=now,
                                    replace=True)
        except schemas.ValidationError as exc:
            db.session.rollback()
            form.attach(exc.errors)
        else:
            db.session.commit()
            flash(f"{year}年度数据已保存", "success")
            return back_to_firm(firm.credit_code, "figures")
    return render_template("enterprises/figures_form.html", form=form, firm=firm, year=year,
                           row=row), INVALID
