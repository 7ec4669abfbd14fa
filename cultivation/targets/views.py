"""Plan targets page (规划目标) and the admin forms that add plans, targets and actuals."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from cultivation.accounts.access import login_required, roles_required
from cultivation.extensions import db
from cultivation.portfolios.queries import advisor_names
from cultivation.reports import exports
from cultivation.reports.indicators import INDICATORS, as_of_label
from cultivation.reports.models import SCOPE_KINDS, PlanPeriod
from cultivation.targets.forms import ManualActualForm, PlanForm, TargetForm, plan_choices
from cultivation.targets.progress import (
    all_plans,
    current_plan,
    plan_progress,
    plan_targets,
    plan_years,
    scoped_targets,
)
from cultivation.targets.services import (
    TargetError,
    add_plan,
    enter_manual_actual,
    set_target,
)
from cultivation.web import clock
from cultivation.web.clock import today
from cultivation.web.request import dbs, wants_xlsx
from cultivation.web.settings import current_region

bp = Blueprint("targets", __name__, url_prefix="/reports")



def _forms(plans: list[PlanPeriod], chosen: PlanPeriod | None) -> dict[str, FlaskForm]:
    target = TargetForm(prefix="t")
    target.plan.choices = plan_choices([(p.code, p.name) for p in plans])
    if chosen is not None and not target.plan.data:
        target.plan.data = chosen.code
    return {"plan_form": PlanForm(prefix="p"), "target_form": target,
            "actual_form": ManualActualForm(prefix="a")}


def _render(forms: dict[str, FlaskForm] | None = None, status: int = 200) -> ResponseReturnValue:
    plans = all_plans(db.session)
    code = request.args.get("plan", "")
    plan = next((p for p in plans if p.code == code), None) if code else \
        current_plan(dbs(), today())
    if code and plan is None:
        abort(404, description="规划不存在")
    now = today()
    rows: list[Any] = []
    scoped: list[Any] = []
    if plan is not None:
        targets = plan_targets(dbs(), plan)
        rows = plan_progress(dbs(), plan, now, targets)
        scoped = scoped_targets(dbs(), plan, now, targets)
    if plan is not None and wants_xlsx():
        if request.args.get("table") == "scoped":
            return exports.scoped_xlsx(plan.name, scoped, now)
        return exports.targets_xlsx(plan.name, rows, now)
    if current_user.is_admin and forms is None:
        forms = _forms(plans, plan)
    chart = {
        r.indicator.code: {
            "label": r.indicator.label, "unit": r.indicator.unit,
            "years": plan_years(plan) if plan else [],
            "targets": [r.targets.get(y) for y in (plan_years(plan) if plan else [])],
            "actuals": [r.actuals[y].value if y in r.actuals else None
                        for y in (plan_years(plan) if plan else [])],
        } for r in rows
    }
    return render_template("reports/targets.html", plans=plans, plan=plan, rows=rows,
                           scoped=scoped, chart=chart, today=now, scope_kinds=SCOPE_KINDS,
                           today_label=as_of_label(now),
                           indicators=INDICATORS, **(forms or {})), status


@bp.route("/targets")
@login_required
def targets_page() -> ResponseReturnValue:
    return _render()


def _attach(form: FlaskForm, exc: TargetError) -> None:
    field = getattr(form, exc.field or "", None)
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        flash(exc.message, "error")


def _failed(plans_form: str, form: FlaskForm) -> ResponseReturnValue:
    plans = all_plans(db.session)
    forms = _forms(plans, None)
    forms[plans_form] = form
    if isinstance(form, TargetForm):
        form.plan.choices = plan_choices([(p.code, p.name) for p in plans])
    db.session.rollback()
    return _render(forms, 422)


@bp.route("/targets/plans", methods=["POST"])
@roles_required("admin")
def add_plan_view() -> ResponseReturnValue:
    form = PlanForm(prefix="p")
    if form.validate_on_submit():
        try:
            plan = add_plan(dbs(), {name: f.data for name, f in form._fields.items()},
                            actor=current_user)
        except TargetError as exc:
            _attach(form, exc)
        else:
            db.session.commit()
            flash(f"已新增规划：{plan.name}", "success")
            return redirect(url_for("targets.targets_page", plan=plan.code))
    return _failed("plan_form", form)


def _scope_values() -> dict[str, set[str]]:
    region = current_region()
    advisors = {row.username for row in advisor_names(db.session)}
    return {"town": set(region.towns), "industry": set(region.industries), "advisor": advisors}


@bp.route("/targets/targets", methods=["POST"])
@roles_required("admin")
def set_target_view() -> ResponseReturnValue:
    form = TargetForm(prefix="t")
    plans = all_plans(db.session)
    form.plan.choices = plan_choices([(p.code, p.name) for p in plans])
    if form.validate_on_submit():
        plan = next(p for p in plans if p.code == form.plan.data)
        region = current_region()
        value = form.scope_value.data or ""
        if form.scope_kind.data == "town":
            value = region.match_town(value) or value
        try:
            set_target(dbs(), plan, {
                "indicator": form.indicator.data, "scope_kind": form.scope_kind.data,
                "scope_value": value, "year": form.year.data, "value": form.value.data,
                "note": form.note.data}, actor=current_user, scope_values=_scope_values())
        except TargetError as exc:
            _attach(form, exc)
        else:
            db.session.commit()
            flash("目标已保存", "success")
            return redirect(url_for("targets.targets_page", plan=plan.code))
    return _failed("target_form", form)


@bp.route("/targets/actuals", methods=["POST"])
@roles_required("admin")
def manual_actual_view() -> ResponseReturnValue:
    form = ManualActualForm(prefix="a")
    if form.validate_on_submit():
        try:
            enter_manual_actual(dbs(), {"indicator": form.indicator.data,
                                             "year": form.year.data, "value": form.value.data,
                                             "note": form.note.data},
                                actor=current_user, now=clock.now())
        except TargetError as exc:
            _attach(form, exc)
        else:
            db.session.commit()
            flash("实际值已保存", "success")
            return redirect(url_for("targets.targets_page", plan=request.args.get("plan") or None))
    return _failed("actual_form", form)
