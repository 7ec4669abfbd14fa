"""The screening service: evaluate every live firm as of a date and keep the verdicts.

Set-based: the firm ids in one query, then per batch of ``BATCH_SIZE`` firms the facts in four
queries (screening.facts), the rules in memory and one bulk INSERT of Evaluation rows. The
statements issued depend on the number of batches, never on the number of firms in a batch.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import insert, select

from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.parameters.services import parameter_table
from cultivation.policy import Verdict, evaluate, normalise_rules_name
from cultivation.policy.numbers import JSONValue
from cultivation.screening.facts import facts_for_enterprises
from cultivation.screening.models import Evaluation, ScreeningRun
from cultivation.screening.queries import CANDIDATE_OUTCOMES, OUTCOMES, latest_run

log = logging.getLogger(__name__)

DEFAULT_RULES = ("hnte", "tech-sme", "zj-tech-sme")
BATCH_SIZE = 1000


def run_screening(
    session: DbSession,
    *,
    as_of: date,
    now: datetime,
    rules: Iterable[str] = DEFAULT_RULES,
    batch_size: int = BATCH_SIZE,
) -> ScreeningRun:
    """Evaluate every live firm under ``rules`` as of ``as_of``; store a run and its verdicts.

    Flushes only (the job or command commits). Every call is a new run; its summary compares
    the candidates (eligible or borderline) with those of the previous run — the latest run,
    by (as_of, id), on or before ``as_of``.
    """
    names = tuple(dict.fromkeys(normalise_rules_name(name) for name in rules))
    params = parameter_table(session)
    previous = latest_run(session, as_of)
    before = _candidates(session, previous.id) if previous else set()
    run = ScreeningRun(as_of=as_of, previous_run_id=previous.id if previous else None,
                       started_at=now)
    session.add(run)
    session.flush()
    ids = list(session.scalars(
        select(Enterprise.id).where(Enterprise.deleted_at.is_(None)).order_by(Enterprise.id)
    ))
    outcomes: dict[str, Counter[str]] = {name: Counter() for name in names}
    used: dict[str, dict[str, dict[str, JSONValue]]] = {name: {} for name in names}
    after: set[tuple[int, str]] = set()
    for batch in _chunks(ids, batch_size):
        rows = []
        for firm_id, facts in facts_for_enterprises(session, batch, as_of).items():
            for name in names:
                verdict = evaluate(name, facts, as_of, params)
                outcomes[name][verdict.outcome] += 1
                if verdict.outcome in CANDIDATE_OUTCOMES:
                    after.add((firm_id, name))
                for value in verdict.parameters:
                    if value.key not in used[name]:
                        used[name][value.key] = parameter_json(value)
                rows.append(evaluation_row(run.id, firm_id, verdict, now))
        if rows:  # Core executemany: one statement per batch (the ORM would split on NULLs)
            session.execute(insert(Evaluation.__table__), rows)
    run.firms = len(ids)
    run.evaluations = len(ids) * len(names)
    run.finished_at = now
    run.summary = {
        "rules": list(names),
        "outcomes": {name: {o: outcomes[name][o] for o in OUTCOMES} for name in names},
        "candidates": {name: sum(1 for _, r in after if r == name) for name in names},
        # Without a previous run there is nothing to compare: no firm is "new".
        "new": {name: sum(1 for _, r in after - before if r == name and previous)
                for name in names},
        "dropped": {name: sum(1 for _, r in before - after if r == name) for name in names},
        "previous_run_id": run.previous_run_id,
        "parameters": {name: list(used[name].values()) for name in names},
    }
    # Totals as plain ints: the job runner copies int values into the JobRun counts.
    for key in ("candidates", "new", "dropped"):
        run.summary[f"{key}_total"] = sum(run.summary[key].values())
    session.flush()
    log.info("screening run %s as of %s: %d firms, %d evaluations", run.id, as_of, run.firms,
             run.evaluations)
    return run


def screen_demo(session: DbSession, today: date) -> None:
    """Demo seeder hook (``DEMO_SEEDERS``): a first run as of the demo's day, so the 培育库 and
    the reminders have candidates right after ``demo load``. Flushes only."""
    # 18:00 UTC is 02:00 the next morning in China: never stamp the run later than now.
    now = min(datetime.now(UTC), datetime.combine(today, time(18), tzinfo=UTC))
    run_screening(session, as_of=today, now=now)


def _candidates(session: DbSession, run_id: int) -> set[tuple[int, str]]:
    stmt = select(Evaluation.enterprise_id, Evaluation.rules).where(
        Evaluation.run_id == run_id, Evaluation.outcome.in_(CANDIDATE_OUTCOMES))
    return {(firm_id, rules) for firm_id, rules in session.execute(stmt)}


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), max(size, 1)):
        yield items[start:start + size]


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
        "criteria": [
            {k: v for k, v in c.to_json().items() if k == "passed" or (v is not None and v != [])}
            for c in verdict.criteria
        ],
        "score": verdict.score,
        "parameter_keys": [p.key for p in verdict.parameters],
    }
    if verdict.offers_direct_pass:
        data["direct_pass"] = verdict.direct_pass
    return data


def parameter_json(value: Any) -> dict[str, JSONValue]:
    """A ParameterValue as JSON with its validity and source (run summaries, the firm card)."""
    return {
        "key": value.key, "value": value.value_json(), "valid_from": value.valid_from.isoformat(),
        "valid_to": value.valid_to.isoformat() if value.valid_to else None,
        "source": value.source, "confirmed": value.confirmed,
    }
