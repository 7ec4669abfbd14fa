"""Facts about one firm, as the rules see them, and the strict reader for Facts JSON.

Money is in 万元 and every figure may be missing (None): a rule then reports the
criterion it feeds as ``passed = None``. Besides the Facts JSON fields (docs/architecture.md), the
R&D-institution threshold checks read these optional ones (missing from the database, so
those criteria stay ``null`` until an advisor supplies them in the what-if calculator):
``hnte_certified_on``, ``municipal_hnte_center``, ``software_enterprise``,
``rd_site_area`` (m²), ``rd_equipment_value`` (万元) and, per fiscal year, ``rd_staff``
(full-time R&D staff) and ``core_product_revenue``.

``sector``: 行业门类 for SME sizing (``policy.sectors``). 省企业研究院 from 2025 reads
``provincial_innovation_score`` (the province's 0–100 evaluation) and ``municipal_rd_institution``.

``ip_class_i`` / ``ip_class_ii`` are the valid IP items the firm holds at year end;
``conversions`` are the 成果转化 items of that year.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Any

from cultivation.policy.numbers import coerce_amounts, to_decimal
from cultivation.policy.sectors import read_sector


class FactsError(ValueError):
    """Invalid Facts JSON; ``errors`` maps a field path to Chinese messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {'，'.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class SelfAssessment:
    """The advisor's estimate of the expert-judged 高企 score items (integer points)."""

    tech_advancement: int | None = None
    core_support: int | None = None
    rd_management: int | None = None


@dataclass(frozen=True, init=False)
class FiscalYear:
    """One fiscal year's figures (money in 万元, head counts as yearly averages)."""

    year: int
    employees: Decimal | None = None
    tech_staff: Decimal | None = None
    rd_staff: Decimal | None = None
    sales_revenue: Decimal | None = None
    total_revenue: Decimal | None = None
    high_tech_revenue: Decimal | None = None
    core_product_revenue: Decimal | None = None
    rd_expense: Decimal | None = None
    rd_expense_domestic: Decimal | None = None
    total_cost: Decimal | None = None
    total_assets: Decimal | None = None
    net_assets: Decimal | None = None
    ip_class_i: int | None = None
    ip_class_ii: int | None = None
    conversions: int | None = None

    def __init__(
        self,
        year: int,
        employees: Decimal | int | float | None = None,
        tech_staff: Decimal | int | float | None = None,
        rd_staff: Decimal | int | float | None = None,
        sales_revenue: Decimal | int | float | None = None,
        total_revenue: Decimal | int | float | None = None,
        high_tech_revenue: Decimal | int | float | None = None,
        core_product_revenue: Decimal | int | float | None = None,
        rd_expense: Decimal | int | float | None = None,
        rd_expense_domestic: Decimal | int | float | None = None,
        total_cost: Decimal | int | float | None = None,
        total_assets: Decimal | int | float | None = None,
        net_assets: Decimal | int | float | None = None,
        ip_class_i: int | None = None,
        ip_class_ii: int | None = None,
        conversions: int | None = None,
    ) -> None:
        # One dict update instead of the generated frozen __init__'s sixteen
        # object.__setattr__ calls (a full screening run builds half a million of these).
        self.__dict__.update(
            year=year, employees=employees, tech_staff=tech_staff, rd_staff=rd_staff,
            sales_revenue=sales_revenue, total_revenue=total_revenue,
            high_tech_revenue=high_tech_revenue, core_product_revenue=core_product_revenue,
            rd_expense=rd_expense, rd_expense_domestic=rd_expense_domestic,
            total_cost=total_cost, total_assets=total_assets, net_assets=net_assets,
            ip_class_i=ip_class_i, ip_class_ii=ip_class_ii, conversions=conversions)
        # Callers building facts from database floats get exact decimals, as JSON input does.
        coerce_amounts(self, _AMOUNTS)


_AMOUNTS = tuple(
    f.name
    for f in fields(FiscalYear)
    if f.name not in {"year", "ip_class_i", "ip_class_ii", "conversions"}
)
_COUNTS = ("ip_class_i", "ip_class_ii", "conversions")
_MAY_BE_NEGATIVE = frozenset({"net_assets"})  # liabilities can exceed assets


@dataclass(frozen=True)
class Facts:
    """Everything a rule may read about one firm."""

    registered_on: date | None = None
    as_of: date | None = None
    tech_domain: str | None = None
    core_ip_owned: bool | None = None
    ip_self_developed: bool | None = None
    major_incident_last_year: bool | None = None
    led_standard: bool | None = None
    holds_valid_hnte: bool | None = None
    provincial_rd_institution: bool | None = None
    national_award_5y: bool | None = None
    hnte_certified_on: date | None = None
    municipal_hnte_center: bool | None = None
    software_enterprise: bool | None = None
    rd_site_area: Decimal | None = None
    rd_equipment_value: Decimal | None = None
    sector: str | None = None
    provincial_innovation_score: Decimal | None = None
    municipal_rd_institution: bool | None = None
    self_assessment: SelfAssessment = field(default_factory=SelfAssessment)
    fiscal_years: tuple[FiscalYear, ...] = ()

    def __post_init__(self) -> None:
        coerce_amounts(self, _TOP_AMOUNTS)
        # Derived, not a field: the year index (a linear scan was a hot spot); first one wins.
        by_year: dict[int, FiscalYear] = {}
        for fiscal_year in self.fiscal_years:
            by_year.setdefault(fiscal_year.year, fiscal_year)
        self.__dict__["_by_year"] = by_year
        # Derived too: sums of one figure over some years, as the rules compute them
        # (rules.base.total; the three screening rule sets ask for the same ones again).
        self.__dict__["_totals"] = {}

    def year(self, year: int) -> FiscalYear | None:
        """The figures of ``year``, if given."""
        by_year: dict[int, FiscalYear] = self.__dict__["_by_year"]
        return by_year.get(year)

    def years_by_number(self) -> Mapping[int, FiscalYear]:
        """Every fiscal year by its year (the rules' hot path reads this instead of ``year``)."""
        by_year: dict[int, FiscalYear] = self.__dict__["_by_year"]
        return by_year

    def memo(self) -> dict[Any, Any]:
        """A cache of values derived from these facts alone (immutable values only)."""
        totals: dict[Any, Any] = self.__dict__["_totals"]
        return totals

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
_TOP_AMOUNTS = ("rd_site_area", "rd_equipment_value", "provincial_innovation_score")
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
