"""Helpers for the screening tests: a strong firm's figures and four firms whose 高企 outcomes
as of 2026-06-30 are known (eligible, borderline, incomplete, ineligible)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection

AS_OF = date(2026, 6, 30)

# Meets every 高企 condition as of 2026-06-30; with self-assessment 8/8/20 the score is 77–90.
STRONG_YEARS: dict[int, dict[str, Any]] = {
    2023: {"employees": 100, "tech_staff": 15, "sales_revenue": 3500, "total_revenue": 3600,
           "high_tech_revenue": 2500, "rd_expense": 180, "rd_expense_domestic": 180,
           "total_cost": 3200, "total_assets": 7000, "net_assets": 4000, "ip_class_i": 1,
           "ip_class_ii": 3, "conversions": 5},
    2024: {"employees": 110, "tech_staff": 16, "sales_revenue": 3900, "total_revenue": 4000,
           "high_tech_revenue": 2800, "rd_expense": 200, "rd_expense_domestic": 195,
           "total_cost": 3500, "total_assets": 8000, "net_assets": 4600, "ip_class_i": 2,
           "ip_class_ii": 4, "conversions": 5},
    2025: {"employees": 120, "tech_staff": 18, "sales_revenue": 4300, "total_revenue": 4400,
           "high_tech_revenue": 3100, "rd_expense": 270, "rd_expense_domestic": 265,
           "total_cost": 3900, "total_assets": 9000, "net_assets": 5300, "ip_class_i": 2,
           "ip_class_ii": 5, "conversions": 5},
}
STRONG_FIELDS: dict[str, Any] = {
    "registered_on": date(2019, 5, 1), "tech_domain": "电子信息", "core_ip_owned": True,
    "ip_self_developed": True, "major_incident_last_year": False, "led_standard": False,
    "national_award_5y": False, "self_tech_advancement": 8, "self_core_support": 8,
    "self_rd_management": 20, "sector": "industry",
}
NO_SELF_ASSESSMENT = {"self_tech_advancement": None, "self_core_support": None,
                      "self_rd_management": None}


def strong_years(**changes: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """The strong figures with some changed: ``strong_years(y2024={"rd_expense": None})``."""
    years = {y: dict(v) for y, v in STRONG_YEARS.items()}
    for key, edits in changes.items():
        years[int(key.removeprefix("y"))].update(edits)
    return years


def four_firms(make_enterprise: Callable[..., Any], **common: Any) -> dict[str, Any]:
    """One firm per 高企 outcome as of AS_OF, keyed by that outcome."""
    return {
        "eligible": make_enterprise(figures=strong_years(), **{**STRONG_FIELDS, **common}),
        "borderline": make_enterprise(
            figures=strong_years(), **{**STRONG_FIELDS, **NO_SELF_ASSESSMENT, **common}),
        "incomplete": make_enterprise(
            figures=strong_years(y2024={"rd_expense": None}), **{**STRONG_FIELDS, **common}),
        "ineligible": make_enterprise(
            figures=strong_years(), **{**STRONG_FIELDS, "major_incident_last_year": True,
                                       **common}),
    }


class StatementCounter:
    """Counts the SQL statements sent on a connection (executemany counts once)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.count = 0

    def _seen(self, *args: Any) -> None:
        self.count += 1

    def __enter__(self) -> StatementCounter:
        event.listen(self.connection, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.connection, "before_cursor_execute", self._seen)
