"""Field specifications for firms, yearly figures, qualifications, institutions and visits.

One source of input validation for the API, the spreadsheet import and the web forms:
``clean(spec, raw, partial=...)`` returns cleaned values or raises ``ValidationError`` whose
``errors`` map field → [Chinese messages]. The parsers and ``clean`` are in ``fields``; this
module is the declarative table of what each record holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cultivation.enterprises.fields import (
    PARSER_KINDS,
    Context,
    Errors,
    Field,
    ValidationError,
    _bool,
    _choice,
    _count,
    _credit_code,
    _date,
    _email,
    _industry,
    _leading_kind,
    _money,
    _past_date,
    _points,
    _score_100,
    _signed_money,
    _text,
    _town,
    check_dates,
    clean,
    json_type_error,
)
from cultivation.enterprises.models import COUNT_FIELDS, FIGURE_SOURCES, MONEY_FIELDS
from cultivation.policy.rules.hnte import TECH_DOMAINS
from cultivation.policy.sectors import SECTORS
from cultivation.qualifications.models import (
    INSTITUTION_KINDS,
    INSTITUTION_LEVELS,
    QUALIFICATION_KINDS,
    QUALIFICATION_STATUSES,
)

__all__ = ["ENTERPRISE", "FIGURES", "INSTITUTION", "PARSER_KINDS", "QUALIFICATION", "VISIT",
           "Context", "Errors", "Field", "ValidationError", "check_dates", "check_figures",
           "clean", "json_type_error"]

ENTERPRISE: dict[str, Field] = {
    "name": Field("企业名称", _text(200), required=True),
    "credit_code": Field("统一社会信用代码", _credit_code, required=True),
    "town": Field("乡镇（街道）", _town, required=True),
    "industry": Field("所属产业", _industry),
    "tech_domain": Field("高新技术领域", _choice(TECH_DOMAINS, "高新技术领域")),
    "sector": Field("行业门类（中小企业划型）", _choice(SECTORS, "行业门类")),
    "registered_on": Field("注册日期", _past_date),
    "above_scale": Field("规上企业", _bool),
    "listed": Field("上市企业", _bool),
    "address": Field("地址", _text(300)),
    "contact_person": Field("联系人", _text(50)),
    "contact_phone": Field("联系电话", _text(50)),
    "contact_email": Field("联系邮箱", _email),
    "notes": Field("备注", _text(5000)),
    "core_ip_owned": Field("拥有核心知识产权", _bool),
    "ip_self_developed": Field("知识产权自主研发", _bool),
    "led_standard": Field("主导制定标准", _bool),
    "major_incident_last_year": Field("近一年发生重大安全质量事故或严重环境违法", _bool),
    "national_award_5y": Field("近五年获国家科技奖", _bool),
    "self_tech_advancement": Field("自评：技术先进程度（0–8）", _points(8)),
    "self_core_support": Field("自评：核心支持作用（0–8）", _points(8)),
    "self_rd_management": Field("自评：研发组织管理水平（0–20）", _points(20)),
    "provincial_innovation_score": Field("省企业研究院创新能力评价得分（0–100）", _score_100),
}

FIGURES: dict[str, Field] = {
    "employees": Field("职工总数", _count),
    "tech_staff": Field("科技人员数", _count),
    **{
        name: Field(label, _signed_money if name == "net_assets" else _money)
        for name, label in {
            "sales_revenue": "销售收入（万元）",
            "total_revenue": "总收入（万元）",
            "high_tech_revenue": "高新技术产品（服务）收入（万元）",
            "rd_expense": "研发费用（万元）",
            "rd_expense_domestic": "境内研发费用（万元）",
            "total_cost": "成本费用总额（万元）",
            "total_assets": "资产总额（万元）",
            "net_assets": "净资产（万元）",
        }.items()
    },
    "ip_class_i": Field("Ⅰ类知识产权（件）", _count),
    "ip_class_ii": Field("Ⅱ类知识产权（件）", _count),
    "conversions": Field("科技成果转化（项）", _count),
    "source": Field("数据来源", _choice(FIGURE_SOURCES, "数据来源")),
}
assert set(MONEY_FIELDS) | set(COUNT_FIELDS) <= set(FIGURES)

QUALIFICATION: dict[str, Field] = {
    "kind": Field("资质类型", _choice(QUALIFICATION_KINDS, "资质类型"), required=True),
    "number": Field("证书编号", _text(60)),
    "valid_from": Field("发证（生效）日期", _date, required=True),
    "valid_to": Field("有效期至", _date),
    "status": Field("状态", _choice(QUALIFICATION_STATUSES, "状态")),
    "revoked_on": Field("撤销日期", _date),
    "note": Field("备注", _text(300)),
    "leading_kind": Field("领军类型（管理员配置）", _leading_kind),
}

INSTITUTION: dict[str, Field] = {
    "kind": Field("研发机构类型", _choice(INSTITUTION_KINDS, "研发机构类型"), required=True),
    "level": Field("级别", _choice(INSTITUTION_LEVELS, "级别")),
    "name": Field("机构名称", _text(200)),
    "recognized_on": Field("认定日期", _past_date, required=True),
    "revoked_on": Field("撤销日期", _date),
}

VISIT: dict[str, Field] = {
    "visited_on": Field("走访日期", _past_date, required=True),
    "notes": Field("走访记录", _text(5000), required=True),
    "next_follow_up_on": Field("下次跟进日期", _date),
}


def check_figures(values: Mapping[str, Any]) -> Errors:
    """Cross-field checks on one year's figures (a part cannot exceed its whole)."""
    errors: Errors = {}
    pairs = (
        ("tech_staff", "employees", "科技人员数不能超过职工总数"),
        ("rd_expense_domestic", "rd_expense", "境内研发费用不能超过研发费用"),
        ("high_tech_revenue", "total_revenue", "高新技术产品（服务）收入不能超过总收入"),
        ("sales_revenue", "total_revenue", "销售收入不能超过总收入"),
    )
    for part, whole, message in pairs:
        a, b = values.get(part), values.get(whole)
        if a is not None and b is not None and a > b + 1e-9:
            errors.setdefault(part, []).append(message)
    return errors
