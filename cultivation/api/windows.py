"""/api/v1/windows: application windows (申报窗口). Everyone reads; admins create and edit."""

from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue

from cultivation.api import bp
from cultivation.api.auth import api_user, fail, json_body, require_roles
from cultivation.api.openapi import document, param, ref, register_schema
from cultivation.enterprises.schemas import ValidationError
from cultivation.extensions import db
from cultivation.web.clock import now
from cultivation.windows import queries, services
from cultivation.windows.models import PROGRAMMES, ApplicationWindow

_FIELDS = {
    "programme": {"type": "string", "enum": list(PROGRAMMES), "description": "申报项目代码"},
    "year": {"type": "integer", "description": "申报年度（默认取开始日期的年份）",
             "nullable": True},
    "batch": {"type": "string", "description": "批次，如“第一批”", "maxLength": 50},
    "opens_on": {"type": "string", "format": "date", "description": "开始日期"},
    "closes_on": {"type": "string", "format": "date", "description": "截止日期（不早于开始日期）"},
    "remind_days": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 366},
                    "description": "开始和截止前各提前几天提醒，默认 [30, 7, 1]"},
    "note": {"type": "string", "nullable": True, "description": "备注"},
    "issuer": {"type": "string", "nullable": True, "maxLength": 100,
               "description": "发文机关，如“浙江省经济和信息化厅”"},
    "source": {"type": "string", "nullable": True, "maxLength": 300,
               "description": "日期依据的通知（名称与文号）"},
    "confirmed": {"type": "boolean",
                  "description": "日期已按当年正式通知核实；false 时日历显示“待确认”"},
}
register_schema("WindowInput", {"type": "object", "properties": _FIELDS,
                                "required": ["programme", "opens_on", "closes_on"],
                                "additionalProperties": False})
register_schema("WindowPatch", {"type": "object", "properties": _FIELDS,
                                "additionalProperties": False})
register_schema("Window", {"type": "object", "properties": {
    "id": {"type": "integer"}, **_FIELDS,
    "programme_label": {"type": "string"}, "title": {"type": "string"}}})
register_schema("WindowList", {"type": "object", "properties": {
    "items": {"type": "array", "items": ref("Window")}, "total": {"type": "integer"}}})


def _window(window_id: int) -> ApplicationWindow:
    window = db.session.get(ApplicationWindow, window_id)
    if window is None:
        fail(404, f"申报窗口 {window_id} 不存在")
    return window


@bp.route("/windows", methods=["GET"])
@document("GET", "申报窗口列表", tag="windows", responses={200: ref("WindowList")},
          query=[param("year", "integer", "申报年度"),
                 param("programme", "string", "申报项目", enum=PROGRAMMES)], errors=(422,))
def list_windows() -> ResponseReturnValue:
    errors: dict[str, list[str]] = {}
    year = None
    raw_year = request.args.get("year")
    if raw_year:
        try:
            year = int(raw_year)
        except ValueError:
            errors["year"] = ["年度应为整数"]
        else:
            if not 1949 <= year <= 2200:
                errors["year"] = ["年度应在 1949–2200 之间"]
    programme = request.args.get("programme") or None
    if programme is not None and programme not in PROGRAMMES:
        errors["programme"] = [f"未知的申报项目，可选：{'、'.join(PROGRAMMES)}"]
    if errors:
        fail(422, "查询参数无效", errors)
    items = [services.window_json(w) for w in queries.list_windows(db.session, year, programme)]
    total = len(items)
    return {"items": items, "total": total}


@bp.route("/windows", methods=["POST"])
@document("POST", "新建申报窗口", tag="windows", body=ref("WindowInput"),
          responses={201: ref("Window")}, errors=(403,))
@require_roles("admin")
def create_window() -> ResponseReturnValue:
    body = json_body()
    try:
        window = services.create_window(db.session, body, actor=api_user(), now=now())
    except ValidationError as exc:
        db.session.rollback()
        fail(422, "申报窗口数据有误，未保存", exc.errors)
    db.session.commit()
    return services.window_json(window), 201


@bp.route("/windows/<int:window_id>", methods=["GET"])
@document("GET", "申报窗口详情", tag="windows", responses={200: ref("Window")}, errors=(404,),
          path_params={"window_id": "申报窗口编号"})
def get_window(window_id: int) -> ResponseReturnValue:
    return services.window_json(_window(window_id))


@bp.route("/windows/<int:window_id>", methods=["PATCH"])
@document("PATCH", "修改申报窗口", tag="windows", body=ref("WindowPatch"),
          responses={200: ref("Window")}, errors=(403, 404),
          path_params={"window_id": "申报窗口编号"})
@require_roles("admin")
def patch_window(window_id: int) -> ResponseReturnValue:
    window = _window(window_id)
    body = json_body()
    try:
        services.update_window(db.session, window, body, actor=api_user(), now=now())
    except ValidationError as exc:
        db.session.rollback()
        fail(422, "申报窗口数据有误，未保存", exc.errors)
    db.session.commit()
    return services.window_json(window)
