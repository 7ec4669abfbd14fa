"""/api/v1/reports: the stage funnel and 三覆盖 coverage as of any date (every role may read)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from cultivation.accounts.access import visible_scope
from cultivation.api import bp
from cultivation.api.auth import api_user, fail, require_roles
from cultivation.api.openapi import document, param, ref, register_schema
from cultivation.qualifications.tiers import TIERS
from cultivation.reports.coverage import KINDS, coverage_at
from cultivation.reports.filters import FilterError, parse_day, parse_report_args
from cultivation.reports.funnel import funnel
from cultivation.web.clock import today
from cultivation.web.request import dbs
from cultivation.web.settings import current_region

_TIER_COUNTS = {
    "type": "array",
    "items": {"type": "object", "required": ["tier", "count"], "properties": {
        "tier": {"type": "string", "enum": list(TIERS)},
        "label": {"type": "string", "description": "梯次中文名"},
        "count": {"type": "integer", "description": "统计日期梯次恰为该梯次的企业数"}}},
}
register_schema("Funnel", {
    "type": "object", "required": ["as_of", "tiers"],
    "properties": {
        "as_of": {"type": "string", "format": "date"},
        "tiers": _TIER_COUNTS,
        "total": {"type": "integer"},
        "filters": {"type": "object", "properties": {
            "town": {"type": "string", "nullable": True},
            "industry": {"type": "string", "nullable": True},
            "advisor": {"type": "string", "nullable": True}}},
        "previous_year": {"type": "object", "description": "上年同日，同样的筛选条件",
                          "properties": {"as_of": {"type": "string", "format": "date"},
                                         "tiers": _TIER_COUNTS, "total": {"type": "integer"}}},
    },
})
_POPULATION = {
    "type": "object", "required": ["population", "covered", "rate", "uncovered"],
    "properties": {
        "population": {"type": "integer", "description": "对象企业数"},
        "covered": {"type": "integer", "description": "已覆盖企业数"},
        "rate": {"type": "number", "nullable": True,
                 "description": "覆盖率 0–1；对象为 0 时为 null"},
        "uncovered": {"type": "array", "items": {"type": "string"},
                      "description": "未覆盖企业的统一社会信用代码（指导员：仅本人联系企业）"},
    },
}
register_schema("Coverage", {
    "type": "object", "required": ["as_of", *KINDS],
    "properties": {"as_of": {"type": "string", "format": "date"},
                   **{kind: _POPULATION for kind in KINDS}},
})
AS_OF = param("as_of", "string", "统计日期 YYYY-MM-DD，默认今天")


def _bad(exc: FilterError) -> Any:
    fail(422, exc.message, {exc.field: [exc.message]})


@bp.route("/reports/funnel")
@document("GET", "梯次漏斗：统计日期各梯次企业数（含上年同期）", tag="reports",
          query=[AS_OF, param("town", "string", "乡镇（街道）"),
                 param("industry", "string", "产业"),
                 param("advisor", "string", "科技指导员用户名（按统计日期的联系企业）")],
          responses={200: ref("Funnel")}, errors=(403, 422))
@require_roles("admin", "leader", "advisor")
def report_funnel() -> ResponseReturnValue:
    try:
        as_of, filters = parse_report_args(dbs(), request.args, current_region(), today())
    except FilterError as exc:
        _bad(exc)
    return jsonify(funnel(dbs(), as_of, filters).as_json())


@bp.route("/reports/coverage")
@document("GET", "三覆盖：统计日期的对象数、覆盖数、覆盖率和未覆盖企业", tag="reports",
          query=[AS_OF], responses={200: ref("Coverage")}, errors=(403, 422))
@require_roles("admin", "leader", "advisor")
def report_coverage() -> ResponseReturnValue:
    try:
        as_of = parse_day(request.args.get("as_of"), field="as_of", default=today())
    except FilterError as exc:
        _bad(exc)
    return jsonify(coverage_at(dbs(), as_of, scope=visible_scope(api_user()),
                               advisors=False).as_json())  # codes only: no portfolio join
