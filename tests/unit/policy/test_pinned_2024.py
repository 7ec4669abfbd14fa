"""Evaluations as of 2024-06-30 keep giving the answers they gave before the 2025–26 rules.

``data/verdicts_2024-06-30.json`` was written by ``pinned_verdicts()`` on the code before
issue 10 (commit 3ba7e55) and must never be regenerated: every rule set, run on a set of firms
around each band edge, with missing data and with the threshold facts present and absent,
must give the same Verdict JSON — outcome, every criterion, score and the parameters used.
New policy from 2025 on is a new dated version; it may not leak into 2024.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cultivation.policy import (
    RULE_SETS,
    SelfAssessment,
    evaluate,
    load_parameters,
    verdict_to_json,
)

AS_OF = date(2024, 6, 30)  # last fiscal year 2023; three years 2021–2023
PINNED = Path(__file__).parent / "data" / "verdicts_2024-06-30.json"


def _year(**figures: object) -> dict[str, object]:
    base: dict[str, object] = {
        "employees": 120,
        "tech_staff": 18,
        "rd_staff": 60,
        "sales_revenue": 4300,
        "total_revenue": 4400,
        "high_tech_revenue": 3100,
        "core_product_revenue": 3500,
        "rd_expense": 270,
        "rd_expense_domestic": 265,
        "total_cost": 3900,
        "total_assets": 9000,
        "net_assets": 5300,
        "ip_class_i": 2,
        "ip_class_ii": 5,
        "conversions": 5,
    }
    base.update(figures)
    return base


def _years(**latest: object) -> dict[int, dict[str, object]]:
    return {
        2021: _year(net_assets=4000, sales_revenue=3500, total_revenue=3600),
        2022: _year(net_assets=4600, sales_revenue=3900, total_revenue=4000),
        2023: _year(**latest),
    }


THRESHOLD_FIELDS: dict[str, object] = {
    "holds_valid_hnte": True,
    "hnte_certified_on": date(2022, 12, 1),
    "municipal_hnte_center": True,
    "software_enterprise": False,
    "rd_site_area": 1000,
    "rd_equipment_value": 1000,
    "provincial_rd_institution": True,
}

CASES: dict[str, tuple[dict[int, dict[str, object]] | None, dict[str, object]]] = {
    "strong": (_years(), {}),
    "strong_with_threshold_facts": (_years(), THRESHOLD_FIELDS),
    "no_figures": ({}, {}),
    "missing_latest_sales": (_years(sales_revenue=None), THRESHOLD_FIELDS),
    "sales_4999.99": (_years(sales_revenue="4999.99", rd_expense="249.99"), THRESHOLD_FIELDS),
    "sales_5000": (_years(sales_revenue=5000, rd_expense=200), THRESHOLD_FIELDS),
    "sales_5000.01": (_years(sales_revenue="5000.01", rd_expense=200), THRESHOLD_FIELDS),
    "sales_9999.99": (_years(sales_revenue="9999.99", rd_expense=300), THRESHOLD_FIELDS),
    "sales_10000": (_years(sales_revenue=10000, rd_expense=300), THRESHOLD_FIELDS),
    "sales_20000": (_years(sales_revenue=20000, rd_expense=800), THRESHOLD_FIELDS),
    "sales_20000.01": (_years(sales_revenue="20000.01", rd_expense=600), THRESHOLD_FIELDS),
    "sales_39999.99_staff_1000": (
        _years(sales_revenue="39999.99", employees=1000, tech_staff=200, rd_expense=1000),
        THRESHOLD_FIELDS,
    ),
    "sales_40000_staff_999": (
        _years(sales_revenue=40000, employees=999, tech_staff=200, rd_expense=1200),
        {},
    ),
    "large_industrial": (
        _years(sales_revenue=40000, employees=1000, tech_staff=200, rd_expense=1200),
        {},
    ),
    "rd_ratio_2.99_percent": (_years(sales_revenue=10000, rd_expense=299), THRESHOLD_FIELDS),
    "rd_amount_999.99": (_years(sales_revenue=50000, rd_expense="999.99"), THRESHOLD_FIELDS),
    "score_borderline": (
        _years(ip_class_i=0, ip_class_ii=1, conversions=1),
        {"self_assessment": None},
    ),
    "score_low": (_years(ip_class_i=0, ip_class_ii=0, conversions=0), {"core_ip_owned": False}),
    "young_firm": (_years(), {"registered_on": date(2023, 7, 1)}),
    "no_hnte_software": (
        _years(rd_staff=20),
        {**THRESHOLD_FIELDS, "holds_valid_hnte": False, "software_enterprise": True},
    ),
}


def _facts(build: Any, name: str) -> Any:
    years, fields = CASES[name]
    fields = dict(fields)
    if "self_assessment" in fields and fields["self_assessment"] is None:
        fields["self_assessment"] = SelfAssessment()
    return build(years=years, **fields)


def _pinned_json(verdict: Any) -> dict[str, Any]:
    # The answer in full; of each parameter used, its key, value and flag (sources are text
    # an admin may complete with a 文号 without changing any answer).
    data = verdict_to_json(verdict)
    data["parameters"] = [
        [p["key"], p["value"], p["confirmed"]]
        for p in data["parameters"]  # type: ignore[index,union-attr]
    ]
    result: dict[str, Any] = json.loads(json.dumps(data, ensure_ascii=False))
    return result


def pinned_verdicts(build: Any, names: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Verdict JSON of every rule set for every case, as of 2024-06-30 (seed parameters)."""
    params = load_parameters()
    return {
        name: {
            rules: _pinned_json(evaluate(rules, _facts(build, name), AS_OF, params))
            for rules in sorted(RULE_SETS)
        }
        for name in (names or list(CASES))
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_verdicts_as_of_2024_06_30_are_unchanged(make_facts: Any, case: str) -> None:
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))
    assert pinned["as_of"] == AS_OF.isoformat()
    current = pinned_verdicts(make_facts, [case])[case]
    for rules, verdict in pinned["cases"][case].items():
        assert current[rules] == verdict, rules


def test_the_pinned_set_covers_every_rule_set_and_case() -> None:
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))
    assert set(pinned["cases"]) == set(CASES)
    for case in pinned["cases"].values():
        assert set(case) >= {
            "hnte",
            "tech-sme",
            "zj-tech-sme",
            "provincial-hnte-center",
            "provincial-institute",
            "leading",
        }


if __name__ == "__main__":  # pragma: no cover - written once, before issue 10
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "policy_conftest", Path(__file__).parent / "conftest.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    verdicts = pinned_verdicts(module.build_facts)
    lines = ",\n".join(
        f" {json.dumps(name)}: {json.dumps(verdicts[name], ensure_ascii=False, sort_keys=True)}"
        for name in sorted(verdicts)
    )
    PINNED.write_text(
        f'{{"as_of": "{AS_OF.isoformat()}", "cases": {{\n{lines}\n}}}}\n', encoding="utf-8"
    )
