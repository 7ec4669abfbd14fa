"""Web pages of a firm's qualifications (certificates, list entries) and R&D institutions,
under ``/enterprises/<code>/``."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from cultivation.accounts.access import login_required, roles_required
from cultivation.enterprises.pages import back_to_firm, editable_firm, record_form, save_record
from cultivation.extensions import db
from cultivation.qualifications import services
from cultivation.qualifications.forms import InstitutionForm, QualificationForm
from cultivation.qualifications.models import QUALIFICATION_KINDS, Qualification, RDInstitution
from cultivation.web.clock import clock

bp = Blueprint("qualifications", __name__, url_prefix="/enterprises")


@bp.route("/<code>/qualifications/new", methods=["GET", "POST"])
@login_required
def new_qualification(code: str) -> ResponseReturnValue:
    firm = editable_firm(code)
    title = "新增资质"
    if request.method == "GET":
        kind = request.args.get("kind", "")  # preset by the 梯次看板
        form = QualificationForm(formdata=None,
                                 data={"kind": kind} if kind in QUALIFICATION_KINDS else None)
        if request.args.get("from") == "board":
            flash("梯次由资质决定：在看板上移动卡片不会直接改变梯次，请登记相应的资质证书。",
                  "info")
        return record_form(form, firm, title, "qualifications")
    return save_record(
        QualificationForm(), firm, title, "qualifications",
        lambda values, now: services.add_qualification(db.session, firm, values,
                                                       actor=current_user, now=now),
        "资质已添加",
    )


@bp.route("/<code>/qualifications/<int:qual_id>/edit", methods=["GET", "POST"])
@login_required
def edit_qualification(code: str, qual_id: int) -> ResponseReturnValue:
    firm = editable_firm(code)
    qual = db.session.get(Qualification, qual_id)
    if qual is None or qual.enterprise_id != firm.id:
        abort(404, "未找到该资质记录")
    title = f"修改资质：{qual.kind_label}"
    if request.method == "GET":
        form = QualificationForm(formdata=None, data=QualificationForm.initial(qual))
        return record_form(form, firm, title, "qualifications")
    return save_record(
        QualificationForm(), firm, title, "qualifications",
        lambda values, now: services.update_qualification(
            db.session, qual,
            {**{k: values.get(k) for k in QualificationForm.spec},
             "status": values.get("status") or "valid"},
            actor=current_user, now=now),
        "资质已更新",
    )


@bp.route("/<code>/qualifications/<int:qual_id>/delete", methods=["POST"])
@roles_required("admin")
def delete_qualification(code: str, qual_id: int) -> ResponseReturnValue:
    """A certificate entered by mistake: admins delete it (audited); tiers follow."""
    firm = editable_firm(code)
    qual = db.session.get(Qualification, qual_id)
    if qual is None or qual.enterprise_id != firm.id:
        abort(404, "未找到该资质记录")
    label = qual.kind_label
    services.delete_qualification(db.session, qual, actor=current_user, now=clock()[0])
    db.session.commit()
    flash(f"已删除误录的资质：{label}（操作已记入操作日志）", "success")
    return back_to_firm(firm.credit_code, "qualifications")


@bp.route("/<code>/institutions/new", methods=["GET", "POST"])
@login_required
def new_institution(code: str) -> ResponseReturnValue:
    firm = editable_firm(code)
    title = "新增研发机构"
    if request.method == "GET":
        return record_form(InstitutionForm(formdata=None), firm, title, "institutions")
    return save_record(
        InstitutionForm(), firm, title, "institutions",
        lambda values, now: services.add_institution(db.session, firm, values,
                                                     actor=current_user, now=now),
        "研发机构已添加",
    )


@bp.route("/<code>/institutions/<int:inst_id>/edit", methods=["GET", "POST"])
@login_required
def edit_institution(code: str, inst_id: int) -> ResponseReturnValue:
    firm = editable_firm(code)
    inst = db.session.get(RDInstitution, inst_id)
    if inst is None or inst.enterprise_id != firm.id:
        abort(404, "未找到该研发机构记录")
    title = f"修改研发机构：{inst.kind_label}"
    if request.method == "GET":
        form = InstitutionForm(formdata=None, data=InstitutionForm.initial(inst))
        return record_form(form, firm, title, "institutions")
    return save_record(
        InstitutionForm(), firm, title, "institutions",
        lambda values, now: services.update_institution(
            db.session, inst, {k: values.get(k) for k in InstitutionForm.spec},
            actor=current_user, now=now),
        "研发机构已更新",
    )
