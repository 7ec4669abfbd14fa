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
``conversions`` are the 成果转化 items of that year. The strict reader of Facts JSON is
``policy.facts_json``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Any

from cultivation.policy.numbers import coerce_amounts


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


_TOP_AMOUNTS = ("rd_site_area", "rd_equipment_value", "provincial_innovation_score")
