"""A deterministic sample of firms as the screening loads them (``RawFacts``: database values,
floats for money, ints for counts) and the Evaluation rows a full run stores for them, with the
JSON columns encoded as PostgreSQL's COPY receives them (``evaluate_batch(encode=True)``).

``data/screening_sample.json`` holds, per firm, a SHA-256 (16 hex digits) of its rows under the
three screening rule sets on every sample day, written by this module on main's engine before
the screening speed-up (issue 12). ``test_screening_sample`` checks that the engine and the
worker path still store byte-identical rows (verdicts, gaps, details text, score range, gap
sum, next-change date) — on today's parameters and on earlier days' dated parameters.

Regenerate only for an intended change of answers:
``python tests/unit/policy/screening_sample.py > tests/unit/policy/data/screening_sample.json``.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cultivation.policy import default_parameters
from cultivation.screening.facts import RawFacts
from cultivation.screening.incremental import evaluate_batch, next_parameter_change

SEED = 2026
FIRMS = 1500
RULES = ("hnte", "tech-sme", "zj-tech-sme")
# Days under older and newer parameter versions, a year's first and last day, the bench's day.
DAYS = (date(2017, 6, 30), date(2021, 1, 1), date(2024, 6, 30), date(2024, 12, 31),
        date(2025, 6, 30), date(2026, 11, 28), date(2027, 1, 1))
NOW = datetime(2026, 11, 28, 2, tzinfo=UTC)
DOMAINS = ("电子信息", "生物与新医药", "新材料", "先进制造与自动化", "其他", "高技术服务业务")
SECTORS = ("industry", "software_it", "construction", "agriculture", "real_estate",
           "leasing_business", "other", "retail")
# Band edges of the rules (万元, people, items) and ordinary values.
SALES = (0.0, 150.0, 4999.99, 5000.0, 5000.01, 12000.0, 19999.99, 20000.0, 20000.01, 40000.0,
         60000.0)
STAFF = (0, 1, 9, 10, 100, 299, 300, 499, 500, 501, 1000, 1200)
SHARES = (0.0, 0.02, 0.03, 0.0399, 0.04, 0.05, 0.06, 0.1, 0.3, 0.6, 0.9)
STRONG_SHARES = (0.04, 0.05, 0.06, 0.08)  # R&D / sales of a firm close to the 高企 lines


def _maybe(rng: random.Random, value: Any, p: float = 0.06) -> Any:
    return None if rng.random() < p else value


def _money(rng: random.Random, value: float) -> float:
    return round(value, 2) if rng.random() < 0.7 else round(value * rng.uniform(0.5, 1.5), 2)


def _year_row(rng: random.Random, firm_id: int, year: int, sales: float, staff: int,
              strong: bool) -> tuple[Any, ...]:
    rd = _money(rng, sales * rng.choice(STRONG_SHARES if strong else SHARES))
    tech = int(staff * rng.choice((0.1, 0.12, 0.2) if strong else (0.0, 0.05, 0.1, 0.1, 0.3)))
    m = lambda value: _maybe(rng, value, 0.01 if strong else 0.06)  # noqa: E731
    # COUNT_FIELDS then MONEY_FIELDS (cultivation.enterprises.models), as the query returns them
    return (firm_id, year, m(staff), m(tech),
            m(rng.choice((1, 2, 5) if strong else (0, 0, 1, 2, 5, 10))),
            m(rng.choice((0, 1, 3, 6, 15, 40))),
            m(rng.choice((3, 5, 8) if strong else (0, 1, 3, 5, 8))),
            m(sales), m(_money(rng, sales * 1.1)),
            m(_money(rng, sales * rng.choice((0.65, 0.9) if strong else (0.0, 0.5, 0.6)))),
            m(rd), m(_money(rng, rd * rng.choice((0.5, 0.6, 0.8, 1.0)))),
            m(_money(rng, sales * 0.8)), m(_money(rng, sales * 1.3)),
            m(_money(rng, sales * rng.choice((-0.1, 0.0, 0.4, 0.6)))))


def sample_firms() -> Iterator[tuple[RawFacts, date]]:
    """(RawFacts, as-of day) pairs: random firms around the band edges, some with gaps."""
    rng = random.Random(SEED)
    for firm_id in range(1, FIRMS + 1):
        as_of = DAYS[firm_id % len(DAYS)]
        registered = as_of - timedelta(days=rng.choice(
            (0, 10, 364, 365, 366, 700, 1095, 1200, 2000, 5000, -30)))
        sales = rng.choice(SALES)
        staff = rng.choice(STAFF)
        strong = rng.random() < 0.35  # shaped to meet most 高企 conditions
        years = []
        for year in range(as_of.year - 6, as_of.year):
            grow = rng.choice((1.1, 1.25, 1.4) if strong else (0.0, 0.9, 1.0, 1.1, 1.25, 2.0))
            sales, staff = round(sales * grow, 2) or rng.choice(SALES), int(staff * grow)
            if rng.random() < 0.9:
                years.append(_year_row(rng, firm_id, year, sales, staff, strong))
        if rng.random() < 0.08:
            years = []
        flag = lambda p, q=(0.03 if strong else 0.15): _maybe(rng, rng.random() < p, q)  # noqa: E731
        unknown = 0.1 if strong else 0.4  # self-assessed score items not given
        judged = lambda good, any_, q=unknown, s=strong: _maybe(  # noqa: E731
            rng, rng.choice(good if s else any_), q)
        firm = (firm_id, _maybe(rng, registered, 0.04),
                _maybe(rng, DOMAINS[0] if strong else rng.choice(DOMAINS), 0.1),
                flag(0.95 if strong else 0.6), flag(0.6), flag(0.02 if strong else 0.08),
                flag(0.2), flag(0.05),
                judged((16, 24, 30), (0, 8, 16, 24, 30, 40)),
                judged((14, 22, 30), (0, 6, 14, 22, 30, 40)),
                judged((12, 18, 20), (0, 6, 12, 18, 20, 30)),
                _maybe(rng, rng.choice(SECTORS), 0.2),
                _maybe(rng, rng.choice((0.0, 59.9, 60.0, 75.5, 100.0)), 0.6))
        certified = _maybe(rng, as_of - timedelta(days=rng.choice((0, 100, 365, 900))), 0.7)
        yield (RawFacts(firm, tuple(years), certified, rng.random() < 0.1,
                        rng.random() < 0.2, rng.random() < 0.3), as_of)


def sample_rows() -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """(firm id, its stored rows under every rule set) as the screening's workers build them."""
    params = default_parameters()
    for raw, as_of in sample_firms():
        rows = evaluate_batch([(raw.firm[0], raw, RULES, "f" * 32)], as_of, params, NOW, 7,
                              next_parameter_change(params, as_of), encode=True)
        yield raw.firm[0], [{k: v.isoformat() if isinstance(v, date) else v
                             for k, v in row.items()} for row in rows]


def digest(rows: list[dict[str, Any]]) -> str:
    """The first 16 hex digits of the SHA-256 of the rows' canonical JSON."""
    text = json.dumps(rows, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def digests() -> dict[str, str]:
    """Firm id → the digest of its rows."""
    return {str(firm_id): digest(rows) for firm_id, rows in sample_rows()}


if __name__ == "__main__":
    json.dump(digests(), sys.stdout, indent=0)
