"""What makes a stored verdict reusable by the next run, and the batch evaluation itself.

A verdict of firm F under rule set R as of day D is carried forward to a run as of day D' ≥ D
without evaluating again when

- F's **fingerprint** is unchanged: a digest of the values its facts are built from, as loaded
  for D' (figures, flags,
  certificates and institutions in force on D' — so a certificate that ends, or an institution
  recognised, changes the facts and hence the fingerprint), of the whole parameter table, of the
  rule sets run and of the engine's own code (a deployment that changes a rule re-evaluates all);
- and D' is before the verdict's **stable_until**, the first day on which it could change by time
  alone: 1 January after D (the fiscal years looked at move), the next day a parameter value
  starts or ends, and D + 1 when a criterion counted in days has not passed yet (a firm less than
  a year old: its "还需 N 天" changes every day).

Everything here is pure (no database): ``evaluate_batch`` runs in the screening's worker
processes (``run_pool``) too.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from cultivation.policy import ParameterTable, Verdict, evaluate

PACKAGE = Path(__file__).resolve().parent.parent
# The code whose change changes stored verdicts: the engine, the facts loader, the row builder.
ENGINE_FILES = ("policy", "screening/facts.py", "screening/rows.py", "screening/incremental.py")
DAY = timedelta(days=1)
# json.dumps's text exactly (its defaults), minus the check for circular references: a
# verdict's JSON is a tree, and the check costs about a tenth of the encoding.
_JSON = json.JSONEncoder(check_circular=False)
# firm id, its RawFacts (screening.facts; Facts are built where evaluated), rule sets, fingerprint
Item = tuple[int, Any, tuple[str, ...], str]


@lru_cache(maxsize=1)
def engine_digest() -> str:
    """A digest of the engine's source and seed files (read once per process)."""
    digest = hashlib.blake2b(digest_size=16)
    for name in ENGINE_FILES:
        path = PACKAGE / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file() and file.suffix in {".py", ".yaml"}:
                digest.update(file.relative_to(PACKAGE).as_posix().encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()


def context_digest(params: ParameterTable, rules: Sequence[str]) -> str:
    """What every fingerprint of one run shares: engine, parameter table and rule sets."""
    values = sorted((repr(v.key), repr(v.valid_from), repr(v.valid_to), repr(v.value))
                    for v in params.all_values())
    text = f"{engine_digest()}|{','.join(rules)}|{values!r}"
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def fingerprint(raw: Any, context: str) -> str:
    """The firm's fingerprint: the database values its facts are built from
    (screening.facts.RawFacts — Facts are a function of these and the day) within the run's
    context."""
    return hashlib.blake2b((context + repr(raw)).encode(), digest_size=16).hexdigest()


def next_parameter_change(params: ParameterTable, as_of: date) -> date | None:
    """The first day after ``as_of`` on which any parameter value starts or stops applying."""
    days: list[date] = []
    for value in params.all_values():
        if value.valid_from > as_of:
            days.append(value.valid_from)
        if value.valid_to is not None and value.valid_to >= as_of and value.valid_to < date.max:
            days.append(value.valid_to + DAY)  # valid_to is the last day the value applies
    return min(days, default=None)


def stable_until(verdict: Verdict, as_of: date, parameter_change: date | None) -> date:
    """The first day on which ``verdict`` may differ from an evaluation as of that day."""
    if any(c.unit == "天" and c.passed is not True and c.actual is not None
           for c in verdict.criteria):
        return as_of + DAY
    until = date(as_of.year + 1, 1, 1)
    if parameter_change is not None and parameter_change < until:
        until = parameter_change
    return until


def evaluate_batch(items: Iterable[Item], as_of: date,
                   params: ParameterTable, now: datetime, run_id: int,
                   parameter_change: date | None, encode: bool = False) -> list[dict[str, Any]]:
    """Evaluation rows for (firm id, raw facts, rule sets to evaluate, fingerprint) items, each
    with ``_keys`` (the parameter keys read, for the run summary; not a column). ``encode``:
    the JSON columns as JSON text, for PostgreSQL's COPY (and off the writer's CPU)."""
    from cultivation.screening.facts import build_facts
    from cultivation.screening.rows import evaluation_row

    # The rules build no reference cycles: without the cyclic collector's passes over the
    # batch's young objects a batch is about a sixth cheaper. Restored after the batch.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _evaluate_batch(items, as_of, params, now, run_id, parameter_change, encode,
                               build_facts, evaluation_row)
    finally:
        if collecting:
            gc.enable()


def _evaluate_batch(items: Iterable[Item], as_of: date, params: ParameterTable, now: datetime,
                    run_id: int, parameter_change: date | None, encode: bool,
                    build_facts: Callable[[Any, date], Any],
                    evaluation_row: Callable[..., dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for firm_id, raw, names, print_ in items:
        facts = build_facts(raw, as_of)
        for name in names:
            verdict = evaluate(name, facts, as_of, params)
            row = evaluation_row(run_id, firm_id, verdict, now)
            row["fingerprint"] = print_
            row["stable_until"] = stable_until(verdict, as_of, parameter_change)
            row["evaluated_on"] = as_of
            row["_keys"] = row["details"]["parameter_keys"]
            if encode:  # what SQLAlchemy's JSON type would send (json.dumps, its defaults)
                row["details"] = _JSON.encode(row["details"])
                row["failed"] = _JSON.encode(row["failed"])
            rows.append(row)
    return rows


# ------------------------------------------------------------------ worker processes
_WORKER: dict[str, Any] = {}


def init_worker(params: ParameterTable, as_of: date, now: datetime, run_id: int,
                parameter_change: date | None, encode: bool) -> None:
    """Pool initializer: the run's constants, sent once per worker process."""
    _WORKER.update(params=params, as_of=as_of, now=now, run_id=run_id,
                   parameter_change=parameter_change, encode=encode)


def worker_batch(items: list[Item]) -> list[dict[str, Any]]:
    """One batch in a worker process (the parent process writes the rows)."""
    return evaluate_batch(items, _WORKER["as_of"], _WORKER["params"], _WORKER["now"],
                          _WORKER["run_id"], _WORKER["parameter_change"], _WORKER["encode"])


def run_pool(batches: Iterator[list[Item]], args: tuple[Any, ...], processes: int,
             write: Callable[[list[dict[str, Any]]], None]) -> None:
    """Evaluate batches in ``processes`` workers, at most two batches in flight per worker;
    rows are written here, in batch order, while the workers evaluate the next ones."""
    # fork: "spawn" would re-run the caller's __main__ in each worker. The workers inherit this
    # process's connection pool but never touch it, and leave through os._exit (no finalizers).
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(processes, mp_context=context, initializer=init_worker,
                             initargs=args) as pool:
        pending: list[Future[list[dict[str, Any]]]] = []
        for items in batches:
            pending.append(pool.submit(worker_batch, items))
            while len(pending) >= 2 * processes:
                write(pending.pop(0).result())
        for future in pending:
            write(future.result())
