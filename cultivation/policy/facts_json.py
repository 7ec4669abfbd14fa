"""The strict reader of Facts JSON (docs/architecture.md, "Facts JSON and Verdict JSON"): every
problem reported at once, keyed by field path, in Chinese."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import date
from decimal import Decimal
from typing import Any

from cultivation.policy.facts import _AMOUNTS, _TOP_AMOUNTS, Facts, FiscalYear, SelfAssessment
from cultivation.policy.numbers import to_decimal
from cultivation.policy.sectors import read_sector


class FactsError(ValueError):
    """Invalid Facts JSON; ``errors`` maps a field path to Chinese messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {'，'.join(v)}" for k, v in errors.items()))
        self.errors = errors


_COUNTS = ("ip_class_i", "ip_class_ii", "conversions")
_MAY_BE_NEGATIVE = frozenset({"net_assets"})  # liabilities can exceed assets
_DATES = ("registered_on", "as_of", "hnte_certified_on")
_BOOLS = (
    "core_ip_owned",
    "ip_self_developed",
    "major_incident_last_year",
    "led_standard",
    "holds_valid_hnte",
    "provincial_rd_institution",
    "national_award_5y",
    "municipal_hnte_center",
    "software_enterprise",
    "municipal_rd_institution",
)
_SELF_ASSESSMENT = tuple(f.name for f in fields(SelfAssessment))
_TOP_FIELDS = frozenset(
    {*_DATES, *_BOOLS, *_TOP_AMOUNTS, "tech_domain", "sector", "self_assessment", "fiscal_years"}
)
_YEAR_FIELDS = frozenset({"year", *_AMOUNTS, *_COUNTS})
# (part, whole, message): a part may not exceed its whole within one year.
_PART_OF = (
    ("tech_staff", "employees", "科技人员不能多于职工总数"),
    ("rd_staff", "employees", "研发人员不能多于职工总数"),
    ("rd_expense_domestic", "rd_expense", "境内研发费用不能大于研发费用总额"),
    ("high_tech_revenue", "total_revenue", "高新技术产品（服务）收入不能大于总收入"),
)


class _Reader:
    """Collects every error instead of stopping at the first, keyed by field path."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def fail(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def read(
        self,
        data: Mapping[str, Any],
        name: str,
        path: str,
        convert: Callable[[object], Any],
        message: str,
    ) -> Any:
        raw = data.get(name)
        if raw is None:
            return None
        value = convert(raw)
        if value is None:
            self.fail(path, message)
        return value

    def unknown(self, data: Mapping[str, Any], allowed: frozenset[str], prefix: str) -> None:
        for name in data:
            if name not in allowed:
                self.fail(f"{prefix}{name}", "未知字段")


def facts_from_json(data: object) -> Facts:
    """Validate Facts JSON strictly and build Facts; FactsError lists every problem."""
    reader = _Reader()
    if not isinstance(data, Mapping):
        raise FactsError({"_schema": ["请求体必须是 JSON 对象"]})
    reader.unknown(data, _TOP_FIELDS, "")
    values: dict[str, Any] = {}
    for name in _DATES:
        values[name] = reader.read(data, name, name, _as_date, "必须是 YYYY-MM-DD 格式的日期")
    for name in _BOOLS:
        values[name] = reader.read(data, name, name, _as_bool, "必须是 true 或 false")
    for name in _TOP_AMOUNTS:
        values[name] = reader.read(data, name, name, _non_negative, "必须是非负数")
    domain = data.get("tech_domain")
    if domain is not None and (not isinstance(domain, str) or not domain.strip()):
        reader.fail("tech_domain", "必须是非空文本")
    values["tech_domain"] = domain.strip() if isinstance(domain, str) and domain.strip() else None
    values["sector"], problem = read_sector(data.get("sector"))
    if problem:
        reader.fail("sector", problem)
    score = values["provincial_innovation_score"]
    if score is not None and score > 100:
        reader.fail("provincial_innovation_score", "必须在 0 到 100 之间")
    values["self_assessment"] = _self_assessment(reader, data.get("self_assessment"))
    values["fiscal_years"] = _fiscal_years(reader, data.get("fiscal_years"))
    if reader.errors:
        raise FactsError(reader.errors)
    return Facts(**values)


def _self_assessment(reader: _Reader, raw: object) -> SelfAssessment:
    if raw is None:
        return SelfAssessment()
    if not isinstance(raw, Mapping):
        reader.fail("self_assessment", "必须是 JSON 对象")
        return SelfAssessment()
    reader.unknown(raw, frozenset(_SELF_ASSESSMENT), "self_assessment.")
    return SelfAssessment(
        **{
            name: reader.read(raw, name, f"self_assessment.{name}", _count, "必须是非负整数")
            for name in _SELF_ASSESSMENT
        }
    )


def _fiscal_years(reader: _Reader, raw: object) -> tuple[FiscalYear, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        reader.fail("fiscal_years", "必须是数组")
        return ()
    years: dict[int, FiscalYear] = {}
    for i, item in enumerate(raw):
        prefix = f"fiscal_years[{i}]"
        if not isinstance(item, Mapping):
            reader.fail(prefix, "必须是 JSON 对象")
            continue
        fiscal_year = _fiscal_year(reader, item, prefix)
        if fiscal_year is None:
            continue
        if fiscal_year.year in years:
            reader.fail(f"{prefix}.year", f"年份重复：{fiscal_year.year}")
            continue
        years[fiscal_year.year] = fiscal_year
    return tuple(years[y] for y in sorted(years))


def _fiscal_year(reader: _Reader, item: Mapping[str, Any], prefix: str) -> FiscalYear | None:
    reader.unknown(item, _YEAR_FIELDS, f"{prefix}.")
    year = item.get("year")
    if year is None:
        reader.fail(f"{prefix}.year", "必须填写年份")
    elif _count(year) is None or not 1900 <= year <= 2200:
        reader.fail(f"{prefix}.year", "必须是四位整数年份")
        year = None
    values: dict[str, Any] = {}
    for name in _AMOUNTS:
        convert = _number if name in _MAY_BE_NEGATIVE else _non_negative
        message = "必须是数字" if name in _MAY_BE_NEGATIVE else "必须是非负数"
        values[name] = reader.read(item, name, f"{prefix}.{name}", convert, message)
    for name in _COUNTS:
        values[name] = reader.read(item, name, f"{prefix}.{name}", _count, "必须是非负整数")
    for part, whole, message in _PART_OF:
        if values[part] is not None and values[whole] is not None and values[part] > values[whole]:
            reader.fail(f"{prefix}.{part}", message)
    return None if year is None else FiscalYear(year=year, **values)


def _as_date(raw: object) -> date | None:
    if not isinstance(raw, str):
        return None
    try:
        return date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        return None


def _as_bool(raw: object) -> bool | None:
    return raw if isinstance(raw, bool) else None


def _number(raw: object) -> Decimal | None:
    # JSON numbers only: a numeric string is a client bug worth reporting.
    return to_decimal(raw) if isinstance(raw, int | float) else None


def _non_negative(raw: object) -> Decimal | None:
    number = _number(raw)
    return number if number is not None and number >= 0 else None


def _count(raw: object) -> int | None:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        return None
    return raw
