"""The performance work on the pure engine changed no answer: a sample of 240 firms × six rule
sets gives byte-identical verdict JSON (and stored Evaluation rows) to the engine before it."""

from __future__ import annotations

import json
from pathlib import Path

from verdict_sample import digests, sample_verdicts

EXPECTED = Path(__file__).parent / "data" / "verdict_sample.json"


def test_a_sample_of_verdicts_is_identical_to_the_engine_before_the_speed_up() -> None:
    expected = json.loads(EXPECTED.read_text())
    actual = digests()
    assert len(actual) == len(expected) == 240 * 6
    changed = sorted(key for key in expected if actual.get(key) != expected[key])
    if changed:
        firm, rules = changed[0].split(":")
        example = next(item for item in sample_verdicts()
                       if item["firm"] == int(firm) and item["rules"] == rules)
        raise AssertionError(f"{len(changed)} verdicts changed, e.g. {changed[0]}: "
                             f"{json.dumps(example, ensure_ascii=False)[:3000]}")


def test_the_sample_covers_every_outcome_and_missing_parameters() -> None:
    seen = {(item["rules"], item.get("verdict", {}).get("outcome", "error"))
            for item in sample_verdicts()}
    outcomes = {outcome for _, outcome in seen}
    assert {"eligible", "incomplete", "ineligible", "error"} <= outcomes
