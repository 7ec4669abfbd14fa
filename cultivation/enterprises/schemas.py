"""Field specifications for firms, yearly figures, qualifications, institutions and visits.

One source of input validation for the API, the spreadsheet import and the web forms:
``clean(spec, raw, partial=...)`` returns cleaned values or raises ``ValidationError`` whose
``errors`` map field → [Chinese messages]. Policy (eligibility) is not checked here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from cultivation.enterprises.credit_code import validate as validate_code
from cultivation.enterprises.models import COUNT_FIELDS, FIGURE_SOURCES, MONEY_FIELDS
from cultivation.inputs import InputError, folded, parse_bool, parse_date, parse_number, text
from cultivation.policy.rules.hnte import TECH_DOMAINS
from cultivation.qualifications.models import (
    INSTITUTION_KINDS,
    INSTITUTION_LEVELS,
    QUALIFICATION_KINDS,
    QUALIFICATION_STATUSES,
)
from cultivation.regions import Region

Errors = dict[str, list[str]]

# The JSON type of each parser (for strict API input and the OpenAPI document): parser → (type,
# enum options). Types: string, choice, date, boolean, integer, number.
PARSER_KINDS: dict[Callable[..., Any], tuple[str, tuple[str, ...]]] = {}
MAX_COUNT = 2_000_000_000  # fits a 32-bit INTEGER column
MAX_MONEY = 1e13  # 万元; Money is NUMERIC(16, 2)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


_Parser = TypeVar("_Parser", bound=Callable[..., Any])


def _typed(kind: str, options: tuple[str, ...] = ()) -> Callable[[_Parser], _Parser]:
    def register(parser: _Parser) -> _Parser:
        PARSER_KINDS[parser] = (kind, options)
        return parser

    return register


class ValidationError(ValueError):
    """Field-level errors in Chinese; nothing was saved."""

    def __init__(self, errors: Errors) -> None:
        super().__init__("; ".join(f"{k}: {'，'.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Field:
    """One input field: label, parser, whether required, extra check."""

    label: str
    parse: Callable[[Any, Context], Any]
    required: bool = False
    check: Callable[[Any, Context], str | None] | None = None

    @property
    def json_kind(self) -> str:
        """string, choice, date, boolean, integer or number."""
        return PARSER_KINDS.get(self.parse, ("string", ()))[0]

    @property
    def options(self) -> tuple[str, ...]:
        """Allowed codes of a choice field."""
        return PARSER_KINDS.get(self.parse, ("string", ()))[1]


@dataclass
class Context:
    """What parsers need beyond the value: the region and today (for 'not in the future')."""

    region: Region
    today: date
    warnings: dict[str, list[str]] = field(default_factory=dict)


def _text(max_len: int) -> Callable[[Any, Context], str | None]:
    def parse(value: Any, ctx: Context) -> str | None:
        result = text(value)
        if result is not None and len(result) > max_len:
            raise InputError(f"不超过{max_len}个字符")
        return result

    return _typed("string")(parse)


def _choice(
    options: Mapping[str, str] | tuple[str, ...], what: str
) -> Callable[[Any, Context], str | None]:
    labels = dict(options) if isinstance(options, Mapping) else {o: o for o in options}
    by_label = {v: k for k, v in labels.items()}

    def parse(value: Any, ctx: Context) -> str | None:
        raw = folded(value)
        if raw is None:
            return None
        if raw in labels:
            return raw
        if raw in by_label:
            return by_label[raw]
        raise InputError(f"未知的{what}“{raw}”，可选：{'、'.join(labels.values())}")

    return _typed("choice", tuple(labels))(parse)


@_typed("date")
def _date(value: Any, ctx: Context) -> date | None:
    return parse_date(value)


@_typed("date")
def _past_date(value: Any, ctx: Context) -> date | None:
    result = parse_date(value)
    if result is not None and result > ctx.today:
        raise InputError("日期不能晚于今天")
    return result


@_typed("boolean")
def _bool(value: Any, ctx: Context) -> bool | None:
    return parse_bool(value)


@_typed("integer")
def _count(value: Any, ctx: Context) -> int | None:
    result = parse_number(value, integer=True)
    if result is not None and result < 0:
        raise InputError("不能为负数")
    if result is not None and result > MAX_COUNT:
        raise InputError("数值过大")
    return None if result is None else int(result)


@_typed("number")
def _money(value: Any, ctx: Context) -> float | None:
    result = parse_number(value)
    if result is not None and result < 0:
        raise InputError("金额不能为负数")
    if result is not None and result >= MAX_MONEY:
        raise InputError("金额过大（单位为万元）")
    return None if result is None else round(float(result), 2)


@_typed("number")
def _signed_money(value: Any, ctx: Context) -> float | None:
    result = parse_number(value)
    if result is not None and abs(result) >= MAX_MONEY:
        raise InputError("金额过大（单位为万元）")
    return None if result is None else round(float(result), 2)


def _points(maximum: int) -> Callable[[Any, Context], int | None]:
    def parse(value: Any, ctx: Context) -> int | None:
        result = parse_number(value, integer=True)
        if result is not None and not 0 <= result <= maximum:
            raise InputError(f"应为 0–{maximum} 的整数")
        return None if result is None else int(result)

    return _typed("integer")(parse)


@_typed("string")
def _credit_code(value: Any, ctx: Context) -> str | None:
    raw = folded(value)
    if raw is None:
        return None
    result = validate_code(raw)
    if not result.ok:
        raise InputError(result.errors[0])
    if result.warnings:
        ctx.warnings.setdefault("credit_code", []).extend(result.warnings)
    return result.code


@_typed("string")
def _town(value: Any, ctx: Context) -> str | None:
    raw = folded(value)
    if raw is None:
        return None
    town = ctx.region.match_town(raw)
    if town is None:
        raise InputError(f"未知的乡镇（街道）“{raw}”")
    return town


@_typed("string")
def _industry(value: Any, ctx: Context) -> str | None:
    raw = folded(value)
    if raw is None:
        return None
    industry = ctx.region.match_industry(raw)
    if industry is None:
        raise InputError(f"未知的产业“{raw}”，可选：{'、'.join(ctx.region.industries)}")
    return industry


@_typed("string")
def _email(value: Any, ctx: Context) -> str | None:
    raw = folded(value)
    if raw is not None and ("@" not in raw or "." not in raw.split("@")[-1] or " " in raw):
        raise InputError("电子邮箱格式不正确")
    if raw is not None and len(raw) > 200:
        raise InputError("不超过200个字符")
    return raw


@_typed("integer")
def _year(value: Any, ctx: Context) -> int | None:
    result = parse_number(value, integer=True)
    if result is not None and not 1949 <= result <= ctx.today.year:
        raise InputError(f"年度应在 1949–{ctx.today.year} 之间")
    return None if result is None else int(result)


ENTERPRISE: dict[str, Field] = {
    "name": Field("企业名称", _text(200), required=True),
    "credit_code": Field("统一社会信用代码", _credit_code, required=True),
    "town": Field("乡镇（街道）", _town, required=True),
    "industry": Field("所属产业", _industry),
    "tech_domain": Field("高新技术领域", _choice(TECH_DOMAINS, "高新技术领域")),
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


def clean(
    spec: Mapping[str, Field],
    raw: Mapping[str, Any],
    ctx: Context,
    *,
    partial: bool = False,
    strict: bool = False,
) -> dict[str, Any]:
    """Parse every field of ``spec`` present in ``raw``; ``partial`` skips absent required ones.

    ``strict`` (JSON input) also requires each value's JSON type: a number for a number, true or
    false for a yes/no field, an ISO date string for a date. Unknown keys are ignored here
    (callers decide whether they are an error).
    """
    errors: Errors = {}
    cleaned: dict[str, Any] = {}
    for name, fld in spec.items():
        if name not in raw:
            if fld.required and not partial:
                errors[name] = [f"请填写{fld.label}"]
            continue
        problem = json_type_error(fld, raw[name]) if strict else None
        if problem:
            errors[name] = [problem]
            continue
        try:
            value = fld.parse(raw[name], ctx)
        except InputError as exc:
            errors[name] = [str(exc)]
            continue
        if value is None and fld.required:
            errors[name] = [f"请填写{fld.label}"]
            continue
        cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def json_type_error(fld: Field, value: Any) -> str | None:
    """Why ``value`` has the wrong JSON type for ``fld`` (None when it is fine or null)."""
    if value is None:
        return None
    kind = fld.json_kind
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean" and not isinstance(value, bool):
        return "应为 true 或 false"
    if kind == "integer" and not (is_number and (isinstance(value, int) or value.is_integer())):
        return "应为整数"
    if kind == "number" and not is_number:
        return "应为数字"
    if kind == "date" and not (isinstance(value, str) and _ISO_DATE.match(value.strip())):
        return "应为 YYYY-MM-DD 格式的日期字符串"
    if kind in ("string", "choice") and not isinstance(value, str):
        return "应为字符串"
    return None


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


def check_dates(values: Mapping[str, Any], start: str, end: str, message: str) -> Errors:
    a, b = values.get(start), values.get(end)
    if a is not None and b is not None and b < a:
        return {end: [message]}
    return {}
