"""The 自测 (what-if) form: facts ↔ form text, with Chinese errors per field. Nothing is saved.

Field names: the Facts JSON names for the top level (``registered_on``, ``core_ip_owned`` …),
``self_<item>`` for the self-assessment, ``fy<i>_<field>`` for fiscal-year column ``i``.
Typed input is read with ``cultivation.inputs`` (dates like 2019年5月1日, numbers with
thousands separators); the checks on the whole (negative money, a part above its whole,
duplicate years) are ``facts_from_json``'s, mapped back to the field that caused them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cultivation.inputs import InputError, parse_bool, parse_date, parse_number
from cultivation.policy import Facts, FactsError, facts_from_json
from cultivation.policy.rules.base import FIELD_LABELS
from cultivation.policy.rules.hnte import TECH_DOMAINS
from cultivation.policy.sectors import SECTORS

COLUMNS = 4
DATES = {"as_of": "评估日期", "registered_on": "注册成立日期",
         "hnte_certified_on": "认定为高企的日期"}
FLAGS = {
    "core_ip_owned": "拥有核心知识产权",
    "ip_self_developed": "知识产权为自主研发",
    "led_standard": "主导制定过标准（近五年）",
    "major_incident_last_year": "近一年发生重大事故或严重违法",
    "national_award_5y": "近五年获国家级科技奖励（前三）",
    "holds_valid_hnte": "持有有效高企证书",
    "provincial_rd_institution": "拥有省部级以上研发机构",
    "municipal_hnte_center": "已有市级高新研发中心",
    "software_enterprise": "软件企业",
    "municipal_rd_institution": "建有市级及以上企业研发机构",
}
SELF = {"tech_advancement": "技术先进程度（0–8）", "core_support": "核心支持作用（0–8）",
        "rd_management": "研发组织管理水平（0–20）"}
EXTRA = {"rd_site_area": "研发场地面积（平方米）", "rd_equipment_value": "研发设备原值（万元）",
         "provincial_innovation_score": "省企业研究院创新能力评价得分（0–100）"}
YEAR_FIELDS = ("employees", "tech_staff", "rd_staff", "sales_revenue", "total_revenue",
               "high_tech_revenue", "core_product_revenue", "rd_expense", "rd_expense_domestic",
               "total_cost", "total_assets", "net_assets", "ip_class_i", "ip_class_ii",
               "conversions")
INTEGER_FIELDS = frozenset({"ip_class_i", "ip_class_ii", "conversions"})
HEADCOUNT_FIELDS = frozenset({"employees", "tech_staff", "rd_staff"})
OTHER_DOMAIN = "不属于上述领域"
_YEAR_NAME = re.compile(r"^fiscal_years\[(\d+)\]\.(\w+)$")


def year_label(name: str) -> str:
    """Row label of a fiscal-year field, with its unit."""
    label = FIELD_LABELS[name]
    if name in HEADCOUNT_FIELDS:
        return f"{label}（人）"
    if name in INTEGER_FIELDS:
        return f"{label}（项）"
    return f"{label}（万元）"


@dataclass
class SelfTest:
    """The form as typed, its errors by field, and the facts when it reads cleanly."""

    values: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)
    facts: Facts | None = None

    @property
    def as_of(self) -> date | None:
        return self.facts.as_of if self.facts else None

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def blank_values(as_of: date) -> dict[str, str]:
    """An empty form: the as-of date and the three fiscal years before it."""
    values = {"as_of": as_of.isoformat()}
    for i, year in enumerate(range(as_of.year - 3, as_of.year)):
        values[f"fy{i}_year"] = str(year)
    return values


def values_from_facts(facts: Facts, as_of: date) -> dict[str, str]:
    """The form prefilled from a firm's stored facts (years before the as-of year)."""
    values = blank_values(as_of)
    for name in DATES:
        day = getattr(facts, name, None)
        if day is not None and name != "as_of":
            values[name] = day.isoformat()
    if facts.tech_domain:
        values["tech_domain"] = facts.tech_domain
    if facts.sector:
        values["sector"] = facts.sector
    for name in FLAGS:
        flag = getattr(facts, name)
        if flag is not None:
            values[name] = "1" if flag else "0"
    for name in SELF:
        point = getattr(facts.self_assessment, name)
        if point is not None:
            values[f"self_{name}"] = str(point)
    for name in EXTRA:
        amount = getattr(facts, name)
        if amount is not None:
            values[name] = _text(amount)
    years = sorted({fy.year for fy in facts.fiscal_years} | set(range(as_of.year - 3, as_of.year)))
    for i, year in enumerate(years[-COLUMNS:]):
        values[f"fy{i}_year"] = str(year)
        fiscal_year = facts.year(year)
        for name in YEAR_FIELDS:
            amount = None if fiscal_year is None else getattr(fiscal_year, name)
            values[f"fy{i}_{name}"] = "" if amount is None else _text(amount)
    return values


def _text(amount: Any) -> str:
    text = f"{amount:f}" if not isinstance(amount, int) else str(amount)
    return text.rstrip("0").rstrip(".") if "." in text else text


def read_form(form: Mapping[str, str]) -> SelfTest:
    """Read the posted form into Facts; every problem is attached to its field in Chinese."""
    names = (*DATES, "tech_domain", "sector", *FLAGS, *(f"self_{n}" for n in SELF), *EXTRA,
             *(f"fy{i}_{n}" for i in range(COLUMNS) for n in ("year", *YEAR_FIELDS)))
    result = SelfTest({name: (form.get(name) or "").strip()[:50] for name in names})
    data: dict[str, Any] = {}
    for name in DATES:
        _read(result, data, name, name, lambda raw: _iso(parse_date(raw)))
    domain = result.values.get("tech_domain")
    if domain:
        data["tech_domain"] = domain
    sector = result.values.get("sector")
    if sector:
        data["sector"] = sector
    for name in FLAGS:
        _read(result, data, name, name, parse_bool)
    for name in SELF:
        _read(result, data.setdefault("self_assessment", {}), f"self_{name}", name,
              lambda raw: parse_number(raw, integer=True))
    for name in EXTRA:
        _read(result, data, name, name, parse_number)
    columns = _fiscal_years(result)
    data["fiscal_years"] = [values for _, values in columns]
    if result.errors:
        return result
    try:
        result.facts = facts_from_json(data)
    except FactsError as exc:
        for path, messages in exc.errors.items():
            for message in messages:
                result.fail(_form_name(path, columns), message)
    return result


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _read(result: SelfTest, target: dict[str, Any], name: str, key: str, parse: Any) -> None:
    raw = result.values.get(name)
    if not raw:
        return
    try:
        value = parse(raw)
    except InputError as exc:
        result.fail(name, str(exc))
        return
    if value is not None:
        target[key] = value


def _fiscal_years(result: SelfTest) -> list[tuple[int, dict[str, Any]]]:
    """(column, values) for every column with any figure; a figure without a year is an error."""
    columns = []
    for i in range(COLUMNS):
        values: dict[str, Any] = {}
        for name in YEAR_FIELDS:
            _read(result, values, f"fy{i}_{name}", name,
                  lambda raw, n=name: parse_number(raw, integer=n in INTEGER_FIELDS))
        year_name = f"fy{i}_year"
        if not values:
            continue
        _read(result, values, year_name, "year", lambda raw: parse_number(raw, integer=True))
        if "year" not in values and year_name not in result.errors:
            result.fail(year_name, "填写了该列数据，请同时填写年度")
        columns.append((i, values))
    return columns


def _form_name(path: str, columns: list[tuple[int, dict[str, Any]]]) -> str:
    match = _YEAR_NAME.match(path)
    if match:
        column = columns[int(match.group(1))][0]
        return f"fy{column}_{match.group(2)}"
    if path.startswith("self_assessment."):
        return "self_" + path.removeprefix("self_assessment.")
    return path


def sector_choices() -> list[tuple[str, str]]:
    """The 行业门类 select (工信部联企业〔2011〕300号), with "unknown" first."""
    return [("", "未填写"), *SECTORS.items()]


def domain_choices() -> list[tuple[str, str]]:
    """The 高新技术领域 select: unknown, the eight domains, or none of them."""
    return [("", "未填写"), *((d, d) for d in TECH_DOMAINS), (OTHER_DOMAIN, OTHER_DOMAIN)]
