"""/api/v1/assess/<rules> (facts JSON in, verdict JSON out) and a firm's live verdicts.

Both evaluate with the parameters stored in the database (seeded from the YAML files on first
use) as of the evaluation date. Any role may assess posted facts; a firm's verdicts follow the
firm page's access: an advisor outside the firm's portfolio gets 403.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import request
from flask.typing import ResponseReturnValue

from cultivation.accounts.access import can_view_details
from cultivation.api import bp
from cultivation.api.auth import api_user, fail, json_body
from cultivation.api.openapi import document, param, ref, register_schema
from cultivation.enterprises import services as registry
from cultivation.enterprises.credit_code import normalize, validate
from cultivation.enterprises.models import Enterprise
from cultivation.extensions import db
from cultivation.policy import (
    RULE_SETS,
    FactsError,
    ParameterError,
    UnknownRuleSet,
    evaluate,
    facts_from_json,
    normalise_rules_name,
    verdict_to_json,
)
from cultivation.policy.sectors import SECTORS
from cultivation.screening.facts import facts_for_enterprise
from cultivation.screening.queries import SCREENED_RULES
from cultivation.web.clock import today
from cultivation.web.settings import request_parameters

RULES_PARAM = {"rules": f"规则集：{'、'.join(RULE_SETS)}（下划线写法亦可）"}
_NUMBER = {"type": "number", "nullable": True}
_COUNT = {"type": "integer", "minimum": 0, "nullable": True}

register_schema("FiscalYearFacts", {
    "type": "object", "required": ["year"], "additionalProperties": False,
    "description": "一个会计年度的数据（金额单位万元，人数为全年月平均）",
    "properties": {
        "year": {"type": "integer"},
        **{name: {**_NUMBER, "minimum": 0} for name in (
            "employees", "tech_staff", "rd_staff", "sales_revenue", "total_revenue",
            "high_tech_revenue", "core_product_revenue", "rd_expense", "rd_expense_domestic",
            "total_cost", "total_assets")},
        "net_assets": _NUMBER,
        "ip_class_i": _COUNT, "ip_class_ii": _COUNT, "conversions": _COUNT,
    },
})
register_schema("Facts", {
    "type": "object", "additionalProperties": False,
    "description": "企业事实；任一字段可缺，缺失时相关条件结论为 null（数据不全）",
    "properties": {
        "as_of": {"type": "string", "format": "date", "description": "评估日期（默认今天）"},
        "registered_on": {"type": "string", "format": "date"},
        "hnte_certified_on": {"type": "string", "format": "date"},
        "tech_domain": {"type": "string", "description": "高新技术领域"},
        "sector": {"type": "string", "enum": list(SECTORS),
                   "description": "行业门类（工信部联企业〔2011〕300号，省科小中小企业划型用）"},
        **{name: {"type": "boolean", "nullable": True} for name in (
            "core_ip_owned", "ip_self_developed", "major_incident_last_year", "led_standard",
            "holds_valid_hnte", "provincial_rd_institution", "national_award_5y",
            "municipal_hnte_center", "software_enterprise", "municipal_rd_institution")},
        "provincial_innovation_score": {
            **_NUMBER, "minimum": 0, "maximum": 100,
            "description": "省企业研究院创新能力评价得分（省级评价，非高企评分）"},
        "rd_site_area": {**_NUMBER, "minimum": 0, "description": "研发场地面积（平方米）"},
        "rd_equipment_value": {**_NUMBER, "minimum": 0, "description": "研发设备原值（万元）"},
        "self_assessment": {"type": "object", "additionalProperties": False, "properties": {
            "tech_advancement": _COUNT, "core_support": _COUNT, "rd_management": _COUNT}},
        "fiscal_years": {"type": "array", "items": ref("FiscalYearFacts")},
    },
})
register_schema("Criterion", {
    "type": "object", "required": ["id", "label", "passed"],
    "properties": {
        "id": {"type": "string"}, "label": {"type": "string"},
        "passed": {"type": "boolean", "nullable": True, "description": "null = 数据不全或临界"},
        "actual": {"nullable": True}, "required": {"nullable": True},
        "gap": {"type": "string", "nullable": True, "description": "差距（中文）"},
        "gap_value": {"type": "number", "nullable": True},
        "unit": {"type": "string", "nullable": True},
        "years": {"type": "array", "items": {"type": "integer"}},
        "note": {"type": "string", "nullable": True},
        "soft": {"type": "boolean",
                 "description": "仅在为 true 时出现：原则性条件，只作提示，不影响结论"},
    },
})
register_schema("Verdict", {
    "type": "object", "required": ["rules", "as_of", "outcome", "criteria", "parameters"],
    "properties": {
        "rules": {"type": "string", "enum": list(RULE_SETS)},
        "as_of": {"type": "string", "format": "date"},
        "outcome": {"type": "string",
                    "enum": ["eligible", "borderline", "incomplete", "ineligible"]},
        "criteria": {"type": "array", "items": ref("Criterion")},
        "score": {"type": "object", "nullable": True,
                  "description": "高企：{min, max, parts}；科小：{total, tech_staff, "
                                 "rd_investment, achievements}"},
        "direct_pass": {"type": "string", "nullable": True, "description": "科小直通条件"},
        "parameters": {"type": "array", "items": {"type": "object", "properties": {
            "key": {"type": "string"}, "value": {}, "source": {"type": "string"},
            "confirmed": {"type": "boolean"}}}},
    },
})
register_schema("FirmVerdicts", {
    "type": "object", "required": ["credit_code", "as_of", "verdicts"],
    "properties": {
        "credit_code": {"type": "string"}, "name": {"type": "string"},
        "as_of": {"type": "string", "format": "date"},
        "verdicts": {"type": "array", "items": ref("Verdict")},
    },
})


def _as_of_arg(errors: dict[str, list[str]]) -> date | None:
    raw = (request.args.get("as_of") or "").strip()
    if not raw:
        return None
    if len(raw) == 10:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    errors["as_of"] = ["查询参数 as_of 应为 YYYY-MM-DD 格式的日期"]
    return None


def _verdict_json(rules: str, facts: Any, as_of: date) -> dict[str, Any]:
    try:
        return verdict_to_json(evaluate(rules, facts, as_of, request_parameters()))
    except ParameterError as exc:
        fail(422, "该评估日期没有有效的政策参数", {"as_of": [str(exc)]})


@bp.route("/assess/<rules>", methods=["POST"])
@document("POST", "按规则集评估企业事实", tag="assess", path_params=RULES_PARAM,
          query=[param("as_of", description="评估日期 YYYY-MM-DD（请求体中的 as_of 优先）")],
          body=ref("Facts"), responses={200: ref("Verdict")}, errors=(404,),
          description="事实 JSON 输入，结论 JSON 输出（不保存任何内容）。事实格式错误返回 422，"
                      "errors 按字段路径（如 fiscal_years[0].rd_expense）列出中文原因。")
def assess(rules: str) -> ResponseReturnValue:
    try:
        name = normalise_rules_name(rules)
    except UnknownRuleSet as exc:
        fail(404, str(exc))
    body = json_body()
    errors: dict[str, list[str]] = {}
    query_as_of = _as_of_arg(errors)
    try:
        facts = facts_from_json(body)
    except FactsError as exc:
        for path, messages in exc.errors.items():
            errors.setdefault(path, []).extend(messages)
        facts = None
    if errors or facts is None:
        fail(422, "事实数据有误", errors)
    return _verdict_json(name, facts, facts.as_of or query_as_of or today())


def _firm(code: str) -> Enterprise:
    result = validate(code)
    firm = registry.get_by_code(db.session, result.code) if result.ok else None
    if firm is None:
        fail(404, f"未找到统一社会信用代码为“{normalize(code)[:40]}”的企业")
    return firm


@bp.route("/enterprises/<credit_code>/verdicts", methods=["GET"])
@document("GET", "企业的政策评估结论（按当前数据实时计算）", tag="assess",
          path_params={"credit_code": "统一社会信用代码"},
          query=[param("rules", description="规则集，逗号分隔多个；默认 hnte,tech-sme,zj-tech-sme"),
                 param("as_of", description="评估日期 YYYY-MM-DD（默认今天）")],
          responses={200: ref("FirmVerdicts")}, errors=(403, 404, 422),
          description="指导员只能查看本人联系企业的评估结论。")
def firm_verdicts(credit_code: str) -> ResponseReturnValue:
    firm = _firm(credit_code)
    if not can_view_details(api_user(), firm.id):
        fail(403, "该企业不在您的联系企业范围内，不能查看评估结论")
    errors: dict[str, list[str]] = {}
    as_of = _as_of_arg(errors) or today()
    names: list[str] = []
    for raw in (request.args.get("rules") or ",".join(SCREENED_RULES)).split(","):
        if not raw.strip():
            continue
        try:
            names.append(normalise_rules_name(raw))
        except UnknownRuleSet as exc:
            errors.setdefault("rules", []).append(str(exc))
    if errors:
        fail(422, "查询参数有误", errors)
    facts = facts_for_enterprise(db.session, firm, as_of)
    return {
        "credit_code": firm.credit_code, "name": firm.name, "as_of": as_of.isoformat(),
        "verdicts": [_verdict_json(name, facts, as_of) for name in dict.fromkeys(names)],
    }
