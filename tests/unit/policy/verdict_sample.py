"""A deterministic sample of firms' facts (random, plus edge values) and their verdicts under
every rule set, as the JSON the screening stores (``evaluation_row``) and the page shows
(``verdict_to_json``). ``data/verdict_sample.json`` holds a SHA-256 (16 hex digits) of each
verdict's canonical JSON, written by this module on main's engine without the performance work
(regenerated when main's rules changed);
``test_verdict_sample`` checks that the engine still answers identically.

Regenerate only for an intended change of answers:
``python tests/unit/policy/verdict_sample.py > tests/unit/policy/data/verdict_sample.json``.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cultivation.policy import (
    RULE_SETS,
    Facts,
    FiscalYear,
    ParameterError,
    SelfAssessment,
    evaluate,
)
from cultivation.policy import verdict_to_json as _verdict_json

SEED = 12
FIRMS = 240
AS_OF = (date(2017, 6, 30), date(2021, 1, 1), date(2023, 12, 31), date(2025, 6, 30),
         date(2026, 11, 28), date(2027, 1, 1))
DOMAINS = ("电子信息", "新材料", "其他", "先进制造与自动化")
NOW = datetime(2026, 11, 28, 2, tzinfo=UTC)


def _maybe(rng: random.Random, value: Any, p: float = 0.06) -> Any:
    return None if rng.random() < p else value


def sample_facts() -> list[tuple[Facts, date]]:
    rng = random.Random(SEED)
    out: list[tuple[Facts, date]] = []
    for i in range(FIRMS):
        as_of = AS_OF[i % len(AS_OF)]
        registered = as_of - timedelta(days=rng.choice((10, 364, 365, 366, 700, 1200, 5000)))
        years = []
        sales = rng.choice((0.0, 150.0, 4999.99, 5000.0, 12000.0, 20000.0, 60000.0))
        employees = rng.choice((0, 9, 10, 100, 499, 500, 501, 1200))
        for year in range(as_of.year - 5, as_of.year):
            grow = rng.choice((0.9, 1.0, 1.1, 1.25))
            sales_y = round(sales * grow, 2)
            rd = round(sales_y * rng.choice((0.0, 0.02, 0.03, 0.04, 0.05, 0.06, 0.1)), 2)
            staff = max(0, int(employees * grow))
            years.append(FiscalYear(
                year=year, employees=_maybe(rng, staff),
                tech_staff=_maybe(rng, int(staff * rng.choice((0.05, 0.1, 0.1, 0.3)))),
                sales_revenue=_maybe(rng, sales_y), total_revenue=_maybe(rng, sales_y * 1.1),
                high_tech_revenue=_maybe(rng, round(sales_y * rng.choice((0.5, 0.6, 0.9)), 2)),
                rd_expense=_maybe(rng, rd),
                rd_expense_domestic=_maybe(rng, round(rd * rng.choice((0.5, 0.6, 1.0)), 2)),
                total_cost=_maybe(rng, round(sales_y * 0.8, 2)),
                total_assets=_maybe(rng, round(sales_y * 1.3, 2)),
                net_assets=_maybe(rng, round(sales_y * rng.choice((-0.1, 0.4, 0.6)), 2)),
                ip_class_i=_maybe(rng, rng.choice((0, 1, 2, 5))),
                ip_class_ii=_maybe(rng, rng.choice((0, 3, 6, 15))),
                conversions=_maybe(rng, rng.choice((0, 1, 3, 5))),
            ))
            sales = sales_y
        if rng.random() < 0.2:
            years = [y for y in years if rng.random() < 0.6]
        flag = lambda p: _maybe(rng, rng.random() < p, 0.15)  # noqa: E731
        out.append((Facts(
            registered_on=_maybe(rng, registered, 0.05), as_of=as_of,
            tech_domain=_maybe(rng, rng.choice(DOMAINS), 0.1),
            core_ip_owned=flag(0.6), ip_self_developed=flag(0.6),
            major_incident_last_year=flag(0.1),
            led_standard=flag(0.2), holds_valid_hnte=flag(0.3), provincial_rd_institution=flag(0.1),
            national_award_5y=flag(0.05),
            hnte_certified_on=_maybe(rng, as_of - timedelta(days=rng.choice((100, 365, 900))), 0.5),
            municipal_hnte_center=flag(0.3), software_enterprise=flag(0.2),
            rd_site_area=_maybe(rng, rng.choice((0.0, 500.0, 1000.0, 3000.0)), 0.5),
            rd_equipment_value=_maybe(rng, rng.choice((10.0, 300.0, 1000.0)), 0.5),
            self_assessment=SelfAssessment(
                tech_advancement=_maybe(rng, rng.choice((8, 16, 24)), 0.3),
                core_support=_maybe(rng, rng.choice((6, 14, 22)), 0.3),
                rd_management=_maybe(rng, rng.choice((6, 12, 18)), 0.3)),
            fiscal_years=tuple(years),
        ), as_of))
    return out


def sample_verdicts() -> list[dict[str, Any]]:
    from cultivation.screening.services import evaluation_row

    out = []
    for n, (facts, as_of) in enumerate(sample_facts()):
        for name in RULE_SETS:
            try:
                verdict = evaluate(name, facts, as_of)
            except ParameterError as exc:  # no parameters in force that day: same error
                out.append({"firm": n, "rules": name, "error": str(exc)})
                continue
            row = evaluation_row(1, n, verdict, NOW)
            out.append({
                "firm": n, "rules": name, "verdict": _verdict_json(verdict),
                "row": {k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()},
            })
    return json.loads(json.dumps(out, ensure_ascii=False))


def digests() -> dict[str, str]:
    """``firm:rules`` → the first 16 hex digits of the SHA-256 of the canonical JSON."""
    return {
        f"{item['firm']}:{item['rules']}": hashlib.sha256(
            json.dumps(item, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]
        for item in sample_verdicts()
    }


if __name__ == "__main__":
    json.dump(digests(), sys.stdout, indent=0)
