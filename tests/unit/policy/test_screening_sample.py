"""The screening's speed-up changed no stored byte: 1,500 random firms (database-shaped values,
band edges, gaps) × the three screening rule sets on seven days under old and new dated
parameters give the same Evaluation rows — verdict, failed criteria, details JSON text as
COPY receives it, score range, gap sum, next-change date — as main's engine before it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from screening_sample import DAYS, FIRMS, digest, sample_rows

EXPECTED = Path(__file__).parent / "data" / "screening_sample.json"


def test_stored_rows_of_random_firms_are_identical_to_the_engine_before_the_speed_up() -> None:
    expected = json.loads(EXPECTED.read_text())
    assert len(expected) == FIRMS
    changed = [(firm_id, rows) for firm_id, rows in sample_rows()
               if expected[str(firm_id)] != digest(rows)]
    if changed:
        firm_id, rows = changed[0]
        raise AssertionError(f"{len(changed)} firms' rows changed, e.g. firm {firm_id}: "
                             f"{json.dumps(rows, ensure_ascii=False)[:3000]}")


def test_the_sample_covers_every_outcome_and_every_day() -> None:
    outcomes: Counter[tuple[str, str]] = Counter()
    days = set()
    for _, rows in sample_rows():
        for row in rows:
            outcomes[(row["rules"], row["outcome"])] += 1
            days.add(row["as_of"])
    assert {outcome for rules, outcome in outcomes if rules == "hnte"} == {
        "eligible", "borderline", "incomplete", "ineligible"}
    for rules in ("tech-sme", "zj-tech-sme"):
        assert {outcome for name, outcome in outcomes if name == rules} == {
            "eligible", "incomplete", "ineligible"}
    assert days == {day.isoformat() for day in DAYS}
