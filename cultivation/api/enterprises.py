"""/api/v1/enterprises: list, create, read, PATCH (optimistic lock), soft delete, and a firm's
yearly figures, qualifications and R&D institutions.

Access is the web UI's (accounts.access): admins everything; leaders read only (writes 403);
advisors write the firms of their current portfolio (403 elsewhere) and create firms, which are
assigned to them; reading a firm outside the portfolio answers 200 with name, code, town and tier
only (``"restricted": true``), as the UI shows it. DELETE is for admins only.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from flask import request, url_for
from flask.typing import ResponseReturnValue

from cultivation.accounts.access import can_edit, can_view_details, visible_scope
from cultivation.accounts.models import User
from cultivation.accounts.services import get_by_username
from cultivation.api import bp
from cultivation.api import representations as rep
from cultivation.api.auth import api_user, fail, json_body, require_roles
from cultivation.api.openapi import document, param, ref
from cultivation.api.paging import MAX_PER_PAGE, cursor_arg, int_arg, links, page_params
from cultivation.enterprises import schemas, services
from cultivation.enterprises.credit_code import normalize, validate
from cultivation.enterprises.listing import KINDS, exact_total, list_window, order_name
from cultivation.enterprises.models import Enterprise
from cultivation.enterprises.queries import EnterpriseFilters
from cultivation.extensions import db
from cultivation.portfolios import services as portfolios
from cultivation.qualifications import services as qualifications
from cultivation.qualifications.tiers import TIERS, tier_at
from cultivation.web.clock import clock, now, today
from cultivation.web.settings import current_region

CODE = {"credit_code": "统一社会信用代码（大小写、全角、空格均可，按规范化后的代码查找）"}


def _ctx() -> schemas.Context:
    return services.validation_context(today(), current_region())


def _firm(code: str) -> Enterprise:
    result = validate(code)
    if not result.ok:
        fail(404, f"未找到统一社会信用代码为“{normalize(code)[:40]}”的企业（{result.errors[0]}）")
    firm = services.get_by_code(db.session, result.code)
    if firm is None:
        fail(404, f"未找到统一社会信用代码为“{result.code}”的企业")
    return firm


def _writable(firm: Enterprise) -> None:
    if not can_edit(api_user(), firm.id):
        fail(403, "该企业不在您的联系企业范围内，不能修改")


def _advisor_user(username: str | None) -> User | None:
    if username is None:
        return None
    user = get_by_username(db.session, username)
    if user is None or user.role != "advisor" or not user.is_active:
        fail(422, f"未知的科技指导员“{username}”", {"advisor": [f"未知的科技指导员“{username}”"]})
    return user


def _check_advisor_change(extras: dict[str, Any], current: str | None) -> None:
    user = api_user()
    if "advisor" in extras and not user.is_admin and extras["advisor"] != current:
        fail(403, "只有管理员可以分配或更换科技指导员")


def _detail(firm: Enterprise) -> dict[str, Any]:
    tier = tier_at(firm.qualifications, today())
    if not can_view_details(api_user(), firm.id):
        return rep.restricted_json(firm, tier=tier)
    advisor = portfolios.current_advisor(db.session, firm.id)
    data = rep.enterprise_json(firm, tier=tier, advisor=advisor.username if advisor else None)
    data["figures"] = [rep.figures_json(row) for row in firm.figures]
    data["qualifications"] = [rep.qualification_json(q) for q in firm.qualifications]
    data["institutions"] = [rep.institution_json(i) for i in firm.institutions]
    return data


def _filters(errors: dict[str, list[str]]) -> EnterpriseFilters:
    args = {k: (request.args.get(k) or "").replace("\x00", "").strip()
            for k in ("q", "town", "industry", "tier", "advisor")}
    region = _ctx().region
    filters = EnterpriseFilters(q=args["q"][:200], advisor=args["advisor"][:50])
    if args["town"]:
        town = region.match_town(args["town"])
        if town is None:
            errors["town"] = [f"未知的乡镇（街道）“{args['town'][:50]}”"]
        filters = replace(filters, town=town or "")
    if args["industry"]:
        industry = region.match_industry(args["industry"])
        if industry is None:
            errors["industry"] = [f"未知的产业“{args['industry'][:50]}”"]
        filters = replace(filters, industry=industry or "")
    if args["tier"]:
        if args["tier"] not in TIERS:
            errors["tier"] = [f"梯次应为 {'、'.join(TIERS)} 之一"]
        filters = replace(filters, tier=args["tier"])
    return filters


LIST_PARAMS = [
    param("q", description="名称或信用代码包含"),
    param("town", description="乡镇（街道）"),
    param("industry", description="所属产业（指导员：只匹配本人联系企业）"),
    param("tier", description="今天的梯次", enum=TIERS),
    param("advisor", description="科技指导员用户名；none = 未分配（指导员：只匹配本人联系企业）"),
    *page_params(),
]


@bp.route("/enterprises", methods=["GET"])
@document("GET", "企业列表（筛选、分页）", tag="enterprises", query=LIST_PARAMS,
          responses={200: ref("EnterpriseList")}, errors=(400, 422),
          description="指导员可见全部企业的名称、代码、乡镇和梯次；非本人联系企业只返回这些字段，"
                      "按产业、指导员筛选只作用于本人联系企业。")
def list_enterprises() -> ResponseReturnValue:
    errors: dict[str, list[str]] = {}
    filters = _filters(errors)
    page = int_arg("page", 1, 1, 1_000_000, errors)
    per_page = int_arg("per_page", 50, 1, MAX_PER_PAGE, errors)
    if errors:
        fail(422, "查询参数有误", errors)
    cursor = cursor_arg(order_name(filters), [KINDS[filters.sort]])
    user = api_user()
    scope = visible_scope(user)
    day = today()
    window = list_window(db.session, filters, day, per_page=per_page, scope=scope,
                         cursor=cursor, page=page)
    items = []
    for row in window.rows:
        if scope.everything or row.advisor_username == user.username:
            items.append(rep.enterprise_json(row.enterprise, tier=row.tier,
                                             advisor=row.advisor_username))
        else:
            items.append(rep.restricted_json(row.enterprise, tier=row.tier))
    return {"items": items, "total": exact_total(db.session, filters, day, scope=scope),
            "page": window.page, "per_page": per_page, **links(window.next_cursor, per_page)}


@bp.route("/enterprises", methods=["POST"])
@document("POST", "登记企业", tag="enterprises", body=ref("EnterpriseInput"),
          responses={201: ref("EnterpriseDetail")}, errors=(403, 409),
          description="指导员新建的企业自动分配给本人；只有管理员可指定 advisor。")
@require_roles("admin", "advisor")
def create_enterprise() -> ResponseReturnValue:
    body = json_body()
    values, extras = rep.enterprise_input(body, _ctx(), partial=False)
    user = api_user()
    _check_advisor_change(extras, user.username if user.is_advisor else None)
    advisor = None if user.is_advisor else _advisor_user(extras.get("advisor"))
    try:
        moment, day = clock()
        firm = services.create_enterprise(db.session, values, actor=user, now=moment,
                                          today=day, advisor=advisor)
    except schemas.ValidationError as exc:
        fail(422, "提交的数据有误", exc.errors)
    db.session.commit()
    location = url_for("api.get_enterprise", credit_code=firm.credit_code)
    return _detail(firm), 201, {"Location": location}


@bp.route("/enterprises/<credit_code>", methods=["GET"])
@document("GET", "企业详情（含年度数据、资质、研发机构、梯次）", tag="enterprises",
          path_params=CODE, errors=(404,),
          responses={200: {"oneOf": [ref("EnterpriseDetail"), ref("EnterpriseRestricted")]}})
def get_enterprise(credit_code: str) -> ResponseReturnValue:
    return _detail(_firm(credit_code))


@bp.route("/enterprises/<credit_code>", methods=["PATCH"])
@document("PATCH", "修改企业（须带 version）", tag="enterprises", path_params=CODE,
          body=ref("EnterprisePatch"), responses={200: ref("EnterpriseDetail")},
          errors=(403, 404, 409),
          description="只提交要修改的字段和读取时的 version；version 过期时返回 409，数据不变。")
@require_roles("admin", "advisor")
def patch_enterprise(credit_code: str) -> ResponseReturnValue:
    firm = _firm(credit_code)
    _writable(firm)
    body = json_body()
    values, extras = rep.enterprise_input(body, _ctx(), partial=True)
    current = portfolios.current_advisor(db.session, firm.id)
    current_name = current.username if current else None
    _check_advisor_change(extras, current_name)
    if extras["version"] != firm.version:
        fail(409, f"数据已被他人修改（当前版本 {firm.version}），请重新读取后再提交",
             current_version=firm.version)
    moment, day = clock()
    try:
        if "advisor" in extras:
            services.update_and_reassign(
                db.session, firm, values, advisor=_advisor_user(extras["advisor"]),
                actor=api_user(), now=moment, today=day, expected_version=extras["version"])
        else:
            services.update_enterprise(db.session, firm, values, actor=api_user(), now=moment,
                                       today=day, expected_version=extras["version"])
    except services.StaleVersion as exc:
        fail(409, str(exc), current_version=exc.current)
    except schemas.ValidationError as exc:
        fail(422, "提交的数据有误", exc.errors)
    db.session.commit()
    return _detail(firm)


@bp.route("/enterprises/<credit_code>", methods=["DELETE"])
@document("DELETE", "删除企业（软删除，仅管理员）", tag="enterprises", path_params=CODE,
          responses={204: None}, errors=(403, 404))
@require_roles("admin")
def delete_enterprise(credit_code: str) -> ResponseReturnValue:
    firm = _firm(credit_code)
    services.delete_enterprise(db.session, firm, actor=api_user(), now=now())
    db.session.commit()
    return "", 204


def _year(raw: str) -> int:
    problem = None
    if not re.fullmatch(r"\d{4}", raw.strip()):
        problem = "年度应为四位数字，如 2025"
    elif not 1949 <= int(raw) <= today().year:
        problem = f"年度应在 1949–{today().year} 之间"
    if problem:
        fail(422, problem, {"year": [problem]})
    return int(raw)


@bp.route("/enterprises/<credit_code>/figures/<year>", methods=["PUT"])
@document("PUT", "写入某年度数据（整行替换）", tag="figures",
          path_params={**CODE, "year": "会计年度，如 2025"}, body=ref("FiguresInput"),
          responses={200: ref("Figures"), 201: ref("Figures")}, errors=(403, 404),
          description="未提供的字段清空（PUT 语义）；金额单位万元。新建返回 201，更新返回 200。")
@require_roles("admin", "advisor")
def put_figures(credit_code: str, year: str) -> ResponseReturnValue:
    firm = _firm(credit_code)
    _writable(firm)
    number = _year(year)
    body = json_body()
    if "year" in body and body["year"] != number:
        fail(422, "请求体中的年度与路径不一致", {"year": ["与路径中的年度不一致"]})
    values = rep.section_input(schemas.FIGURES, body, _ctx(), ignore={"year": None})
    try:
        row, created = services.record_figures(db.session, firm, number, values, actor=api_user(),
                                               now=now(), replace=True)
    except schemas.ValidationError as exc:
        fail(422, "提交的数据有误", exc.errors)
    db.session.commit()
    return rep.figures_json(row), 201 if created else 200


@bp.route("/enterprises/<credit_code>/qualifications", methods=["POST"])
@document("POST", "登记资质（证书、入库、名单）", tag="qualifications", path_params=CODE,
          body=ref("QualificationInput"), responses={201: ref("Qualification")},
          errors=(403, 404))
@require_roles("admin", "advisor")
def add_qualification(credit_code: str) -> ResponseReturnValue:
    firm = _firm(credit_code)
    _writable(firm)
    values = rep.section_input(schemas.QUALIFICATION, json_body(), _ctx())
    try:
        qual = qualifications.add_qualification(db.session, firm, values, actor=api_user(),
                                                now=now())
    except schemas.ValidationError as exc:
        fail(422, "提交的数据有误", exc.errors)
    db.session.commit()
    return rep.qualification_json(qual), 201


@bp.route("/enterprises/<credit_code>/institutions", methods=["POST"])
@document("POST", "登记研发机构", tag="institutions", path_params=CODE,
          body=ref("InstitutionInput"), responses={201: ref("Institution")}, errors=(403, 404))
@require_roles("admin", "advisor")
def add_institution(credit_code: str) -> ResponseReturnValue:
    firm = _firm(credit_code)
    _writable(firm)
    values = rep.section_input(schemas.INSTITUTION, json_body(), _ctx())
    try:
        inst = qualifications.add_institution(db.session, firm, values, actor=api_user(),
                                              now=now())
    except schemas.ValidationError as exc:
        fail(422, "提交的数据有误", exc.errors)
    db.session.commit()
    return rep.institution_json(inst), 201
