"""An Evaluation row from a verdict: the stored details, the score range and the ranking key.

Pure (no database access): built in the screening's worker processes too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cultivation.policy import Verdict


def evaluation_row(run_id: int | None, firm_id: int, verdict: Verdict, now: datetime
                   ) -> dict[str, Any]:
    """The Evaluation column values for one verdict (for a bulk INSERT)."""
    low, high = score_range(verdict)
    return {
        "run_id": run_id, "enterprise_id": firm_id, "rules": verdict.rules,
        "as_of": verdict.as_of, "outcome": verdict.outcome, "score_min": low, "score_max": high,
        "total_gap": total_gap(verdict),
        "failed": [c.id for c in verdict.criteria if c.passed is not True and not c.soft],
        "details": stored_details(verdict), "created_at": now,
    }


def score_range(verdict: Verdict) -> tuple[float | None, float | None]:
    """(min, max) of the 高企 innovation score, or the 科小 total (a range if data is missing)."""
    score = verdict.score or {}
    if isinstance(score.get("min"), int | float):
        return float(score["min"]), float(score["max"])  # type: ignore[arg-type]
    if isinstance(score.get("total"), int | float):
        return float(score["total"]), float(score["total"])  # type: ignore[arg-type]
    try:
        actual = verdict.criterion("score_total").actual
    except KeyError:
        return None, None
    if isinstance(actual, list) and len(actual) == 2:
        return float(actual[0]), float(actual[1])  # type: ignore[arg-type]
    return None, None


def total_gap(verdict: Verdict) -> float:
    """The ranking key: the sum over criteria not passed of a normalised gap in [0, 1].

    - failed, numeric actual and required: ``min(1, |required − actual| / |required|)`` — the
      relative shortfall (an R&D ratio of 4.9 % against 5 % gives 0.02; 600 staff against a
      limit of 500 gives 0.2). A score range counts by its best end (max) when failed and by
      its worst end (min) when borderline (71 − 64 = 7 → 7 / 71);
    - failed yes/no or list criteria, or a required value of 0: 1;
    - undecided for missing data: 1 (each missing criterion weighs like a full failure).
    Passed and soft criteria add 0, so eligible firms have 0. Rounded to six decimals.
    """
    gap = 0.0
    for criterion in verdict.criteria:
        if criterion.passed is True or criterion.soft:
            continue
        if criterion.passed is None and not criterion.borderline:
            gap += 1.0
            continue
        actual = criterion.actual
        if isinstance(actual, list) and len(actual) == 2:
            actual = actual[1] if criterion.passed is False else actual[0]
        gap += _relative(actual, criterion.required)
    return round(gap, 6)


def _relative(actual: object, required: object) -> float:
    if isinstance(required, str) and required.startswith("> "):  # a strict mark, e.g. "> 70"
        try:
            required = float(required[2:]) + 1  # whole points: > 70 needs 71
        except ValueError:
            return 1.0
    if (
        isinstance(actual, int | float) and not isinstance(actual, bool)
        and isinstance(required, int | float) and not isinstance(required, bool)
        and required != 0
    ):
        return min(1.0, abs(float(required) - float(actual)) / abs(float(required)))
    return 1.0


def stored_details(verdict: Verdict) -> dict[str, Any]:
    """The verdict JSON as kept in Evaluation.details (see the model's docstring).

    Built like ``verdict_to_json`` minus the parameter values: serialising the band tables of
    every verdict only to drop them was a fifth of a run's time.
    """
    data: dict[str, Any] = {
        "rules": verdict.rules,
        "as_of": verdict.as_of.isoformat(),
        "outcome": verdict.outcome,
        "criteria": [c.to_compact_json() for c in verdict.criteria],
        "score": verdict.score,
        "parameter_keys": [p.key for p in verdict.parameters],
    }
    if verdict.offers_direct_pass:
        data["direct_pass"] = verdict.direct_pass
    return data
