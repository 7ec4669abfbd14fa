"""Web pages for a firm's records: yearly figures, qualifications, R&D institutions."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from cultivation.enterprises import schemas, services
from cultivation.enterprises.forms import FiguresForm, InstitutionForm, QualificationForm
from cultivation.enterprises.models import FiscalYearFigures
from cultivation.enterprises.views import INVALID, bp, clock, editable_firm
from cultivation.extensions import db
from cultivation.qualifications.models import Qualification, RDInstitution


def _detail(code: str, anchor: str) -> Any:
    return redirect(url_for("enterprises.detail", code=code, _anchor=anchor))


@bp.route("/<code>/figures/new")
@login_required
def new_figures(code: str):  # type: ignore[no-untyped-def]
    """Pick a year (GET ?year=) and go to that year's form."""
    firm = editable_firm(code)
    _, today = clock()
    try:
        year = int(request.args.get("year", ""))
    except ValueError:
        year = 0
    if not 1949 <= year <= today.year:
        flash(f"请选择 1949–{today.year} 之间的年度", "warning")
        return _detail(firm.credit_code, "figures")
    return redirect(url_for("enterprises.figures", code=firm.credit_code, year=year))


@bp.route("/<code>/figures/<int:year>", methods=["GET", "POST"])
@login_required
def figures(code: str, year: int):  # type: ignore[no-untyped-def]
    firm = editable_firm(code)
    now, today = clock()
    if not 1949 <= year <= today.year:
        abort(404, f"年度应在 1949–{today.year} 之间")
    row = db.session.scalar(select(FiscalYearFigures).where(
        FiscalYearFigures.enterprise_id == firm.id, FiscalYearFigures.year == year))
    if request.method == "GET":
        form = FiguresForm(formdata=None, data=FiguresForm.initial(row) if row else None)
        return render_template("enterprises/figures_form.html", form=form, firm=firm, year=year,
                               row=row)
    form = FiguresForm()
    values = form.clean(services.validation_context(today))
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
            return _detail(firm.credit_code, "figures")
    return render_template("enterprises/figures_form.html", form=form, firm=firm, year=year,
                           row=row), INVALID


def _record_form(form: Any, firm: Any, title: str, anchor: str, status: int = 200) -> Any:
    return render_template("enterprises/record_form.html", form=form, firm=firm, title=title,
                           anchor=anchor), status


def _save(form: Any, firm: Any, title: str, anchor: str, action: Any, message: str) -> Any:
    """Clean the form, run the service, commit once; or re-render with field errors (422)."""
    now, today = clock()
    values = form.clean(services.validation_context(today))
    if values is not None:
        try:
            action(values, now)
        except schemas.ValidationError as exc:
            db.session.rollback()
            form.attach(exc.errors)
        else:
            db.session.commit()
            flash(message, "success")
            return _detail(firm.credit_code, anchor)
    return _record_form(form, firm, title, anchor, INVALID)


@bp.route("/<code>/qualifications/new", methods=["GET", "POST"])
@login_required
def new_qualification(code: str):  # type: ignore[no-untyped-def]
    firm = editable_firm(code)
    title = "新增资质"
    if request.method == "GET":
        return _record_form(QualificationForm(formdata=None), firm, title, "qualifications")
    return _save(
        QualificationForm(), firm, title, "qualifications",
        lambda values, now: services.add_qualification(db.session, firm, values,
                                                       actor=current_user, now=now),
        "资质已添加",
    )


@bp.route("/<code>/qualifications/<int:qual_id>/edit", methods=["GET", "POST"])
@login_required
def edit_qualification(code: str, qual_id: int):  # type: ignore[no-untyped-def]
    firm = editable_firm(code)
    qual = db.session.get(Qualification, qual_id)
    if qual is None or qual.enterprise_id != firm.id:
        abort(404, "未找到该资质记录")
    title = f"修改资质：{qual.kind_label}"
    if request.method == "GET":
        form = QualificationForm(formdata=None, data=QualificationForm.initial(qual))
        return _record_form(form, firm, title, "qualifications")
    return _save(
        QualificationForm(), firm, title, "qualifications",
        lambda values, now: services.update_qualification(
            db.session, qual,
            {**{k: values.get(k) for k in QualificationForm.spec},
             "status": values.get("status") or "valid"},
            actor=current_user, now=now),
        "资质已更新",
    )


@bp.route("/<code>/institutions/new", methods=["GET", "POST"])
@login_required
def new_institution(code: str):  # type: ignore[no-untyped-def]
    firm = editable_firm(code)
    title = "新增研发机构"
    if request.method == "GET":
        return _record_form(InstitutionForm(formdata=None), firm, title, "institutions")
    return _save(
        InstitutionForm(), firm, title, "institutions",
        lambda values, now: services.add_institution(db.session, firm, values,
                                                     actor=current_user, now=now),
        "研发机构已添加",
    )


@bp.route("/<code>/institutions/<int:inst_id>/edit", methods=["GET", "POST"])
@login_required
def edit_institution(code: str, inst_id: int):  # type: ignore[no-untyped-def]
    firm = editable_firm(code)
    inst = db.session.get(RDInstitution, inst_id)
    if inst is None or inst.enterprise_id != firm.id:
        abort(404, "未找到该研发机构记录")
    title = f"修改研发机构：{inst.kind_label}"
    if request.method == "GET":
        form = InstitutionForm(formdata=None, data=InstitutionForm.initial(inst))
        return _record_form(form, firm, title, "institutions")
    return _save(
        InstitutionForm(), firm, title, "institutions",
        lambda values, now: services.update_institution(
            db.session, inst, {k: values.get(k) for k in InstitutionForm.spec},
            actor=current_user, now=now),
        "研发机构已更新",
    )
