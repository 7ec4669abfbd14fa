"""Builders for the pure policy tests: a strong firm to perturb, and the seed parameters."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal

import pytest

from cultivation.policy import Facts, FiscalYear, ParameterTable, SelfAssessment, load_parameters

# A firm that meets every 高企 condition as of 2026-06-30 with a clear score margin (77–90).
STRONG_YEARS: dict[int, dict[str, object]] = {
    2023: {
        "employees": 100,
        "tech_staff": 15,
        "sales_revenue": 3500,
        "total_revenue": 3600,
        "high_tech_revenue": 2500,
        "rd_expense": 180,
        "rd_expense_domestic": 180,
        "total_cost": 3200,
        "total_assets": 7000,
        "net_assets": 4000,
        "ip_class_i": 1,
        "ip_class_ii": 3,
        "conversions": 5,
    },
    2024: {
        "employees": 110,
        "tech_staff": 16,
        "sales_revenue": 3900,
        "total_revenue": 4000,
        "high_tech_revenue": 2800,
        "rd_expense": 200,
        "rd_expense_domestic": 195,
        "total_cost": 3500,
        "total_assets": 8000,
        "net_assets": 4600,
        "ip_class_i": 2,
        "ip_class_ii": 4,
        "conversions": 5,
    },
    2025: {
        "employees": 120,
        "tech_staff": 18,
        "sales_revenue": 4300,
        "total_revenue": 4400,
        "high_tech_revenue": 3100,
        "rd_expense": 270,
        "rd_expense_domestic": 265,
        "total_cost": 3900,
        "total_assets": 9000,
        "net_assets": 5300,
        "ip_class_i": 2,
        "ip_class_ii": 5,
        "conversions": 5,
    },
}
STRONG_FIELDS: dict[str, object] = {
    "registered_on": date(2019, 5, 1),
    "tech_domain": "电子信息",
    "core_ip_owned": True,
    "ip_self_developed": True,
    "major_incident_last_year": False,
    "led_standard": False,
    "holds_valid_hnte": False,
    "provincial_rd_institution": False,
    "national_award_5y": False,
    "self_assessment": SelfAssessment(tech_advancement=8, core_support=8, rd_management=20),
}
COUNTS = frozenset({"ip_class_i", "ip_class_ii", "conversions"})

FactsBuilder = Callable[..., Facts]


def fiscal_year(year: int, figures: Mapping[str, object]) -> FiscalYear:
    """A FiscalYear from plain numbers, converted exactly (4999.99 stays 4999.99)."""
    values = {
        name: None if raw is None else (int(str(raw)) if name in COUNTS else Decimal(str(raw)))
        for name, raw in figures.items()
    }
    return FiscalYear(year=year, **values)  # type: ignore[arg-type]


def build_facts(
    years: Mapping[int, Mapping[str, object]] | None = None,
    change: Mapping[int, Mapping[str, object]] | None = None,
    **fields: object,
) -> Facts:
    """The strong firm, with ``years`` replacing its figures, ``change`` editing single
    figures (None removes one) and ``fields`` replacing top-level facts."""
    table = {y: dict(v) for y, v in (STRONG_YEARS if years is None else years).items()}
    for year, edits in (change or {}).items():
        table.setdefault(year, {}).update(edits)
    merged = {**STRONG_FIELDS, **fields}
    return Facts(
        fiscal_years=tuple(fiscal_year(y, table[y]) for y in sorted(table)),
        **merged,  # type: ignore[arg-type]
    )


@pytest.fixture
def make_facts() -> FactsBuilder:
    """Build facts from the strong firm (see build_facts)."""
    return build_facts


@pytest.fixture(scope="session")
def params() -> ParameterTable:
    """The seed parameters shipped in cultivation/policy/params."""
    return load_parameters()
