"""The screening service: evaluate every live firm as of a date and keep the verdicts.

Set-based: the firm ids in one query, then per batch of ``BATCH_SIZE`` firms the facts in four
queries (screening.facts), the rules in memory and one bulk INSERT of Evaluation rows. The
statements issued depend on the number of batches, never on the number of firms in a batch.

Incremental (screening.incremental): a firm whose fingerprint (facts, parameters, rule sets,
engine) matches its verdict in the previous run, before that verdict's ``stable_until`` and
with the same first/renewal standing, is not evaluated again and nothing is written for it:
the new run shares the row (screening.carry, screening.runs). Nothing at all is read for a
firm no write reached since the previous run and no day boundary either
(screening.carry.stale_firms; the writes are logged by screening.changes), and the run's counts
are the previous run's plus what changed (screening.deltas). A run with
many firms to evaluate (new parameters, a new release, the first run) spreads the batches over
``processes`` worker processes (forked); this process reads the facts and is the only writer.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func, insert, select

from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.parameters.services import parameter_table
from cultivation.policy import ParameterError, normalise_rules_name
from cultivation.policy.numbers import JSONValue
from cultivation.screening import carry, deltas, incremental
from cultivation.screening import changes as fact_changes
from cultivation.screening.applications import (
    HOLDER,
    PROGRAMMES,
    certificates_held,
    renewal_horizons,
    standing,
)
from cultivation.screening.facts import raw_facts_for_enterprises
from cultivation.screening.models import Evaluation, ScreeningRun
from cultivation.screening.queries import CANDIDATE_OUTCOMES, OUTCOMES, latest_run
from cultivation.screening.rows import evaluation_row, score_range, stored_details, total_gap

log = logging.getLogger(__name__)

__all__ = ["evaluation_row", "parameter_json", "run_screening", "score_range", "screen_demo",
           "stored_details", "total_gap"]

DEFAULT_RULES = ("hnte", "tech-sme", "zj-tech-sme")
BATCH_SIZE = 1000
POOL_MIN_FIRMS = 3000  # fewer firms to evaluate than this: a pool's start-up is not worth it



def run_screening(
    session: DbSession,
    *,
    as_of: date,
    now: datetime,
    rules: Iterable[str] = DEFAULT_RULES,
    batch_size: int = BATCH_SIZE,
    processes: int = 1,
    incremental_run: bool = True,
    pool_min_firms: int = POOL_MIN_FIRMS,
    progress: Callable[[int, int], None] | None = None,
    parameter_dir: str | None = None,
) -> ScreeningRun:
    """Evaluate every live firm under ``rules`` as of ``as_of``; store a run and its verdicts.

    Flushes only (the job or command commits). Every call is a new run; its summary compares
    the candidates (eligible or borderline) with those of the previous run — the latest run,
    by (as_of, id), on or before ``as_of`` — and says how many verdicts were evaluated and how
    many carried forward unchanged from it (``incremental_run=False`` evaluates every firm).
    A carried verdict is not written again: the row is shared (screening.carry, .runs).
    Seed values missing from the database are stored first, from ``parameter_dir`` (the app's
    ``PARAMETER_DIR``) or the bundled YAML.
    """
    names = tuple(dict.fromkeys(normalise_rules_name(name) for name in rules))
    params = parameter_table(session, parameter_dir=parameter_dir)
    carry.serialise(session)
    changes = fact_changes.pending(session)  # before any facts are read (screening.changes)
    previous = latest_run(session, as_of)
    context = incremental.context_digest(params, names)
    # First application / renewal / holder (screening.applications): a kept verdict whose
    # standing differs on this day is evaluated again (the horizon moves with the day).
    horizons = renewal_horizons(session, params, as_of, names)
    live_firms = select(Enterprise.id).where(Enterprise.deleted_at.is_(None))
    # The firms whose facts are read: when the run can join the previous run's chain, only
    # those whose verdicts may not hold (screening.carry.stale_firms) — the others cost
    # nothing — provided most verdicts hold; else every live firm, in a chain of its own.
    examined: list[int] | None = None
    recount = False
    if incremental_run and previous is not None and carry.joinable(session, previous, names,
                                                                   context):
        live = int(session.scalar(select(func.count()).select_from(live_firms.subquery())) or 0)
        held = carry.holding(session, previous, as_of)
        if held and held >= carry.MIN_CARRIED_SHARE * live * len(names):
            changed = sorted({firm for _, firm in changes})
            # A firm deleted outright (an import's revert) took its verdicts with it: the
            # previous run's counts no longer say what the chain holds, so look and count.
            recount = carry.vanished(session, changed)
            examined = carry.stale_firms(session, previous, as_of, horizons, changed,
                                         None if recount else live)
    chain_from = previous if examined is not None else None
    if examined is None:
        examined = list(session.scalars(live_firms.order_by(Enterprise.id)))
        live = len(examined)
    run = ScreeningRun(as_of=as_of, previous_run_id=previous.id if previous else None,
                       started_at=now,  # None: a chain of its own (screening.runs)
                       chain_start_id=chain_from and (chain_from.chain_start_id or chain_from.id))
    session.add(run)
    session.flush()
    parameter_change = incremental.next_parameter_change(params, as_of)
    outcomes: dict[str, Counter[str]] = {name: Counter() for name in names}
    used_keys: dict[str, dict[str, None]] = {name: {} for name in names}
    after: set[tuple[int, str]] = set()
    written = 0

    def application(held: dict[tuple[int, str], date], firm_id: int, name: str
                    ) -> tuple[str | None, date | None]:
        if name not in PROGRAMMES:
            return None, None
        where = standing(held.get((firm_id, PROGRAMMES[name][0])), horizons[name])
        return where.application, where.certificate_valid_to

    def write(rows: list[dict[str, Any]]) -> None:
        nonlocal written
        written += len(rows)
        held = certificates_held(session, sorted({row["enterprise_id"] for row in rows}), as_of)
        for row in rows:
            name = row["rules"]
            outcomes[name][row["outcome"]] += 1
            row["application"], row["certificate_valid_to"] = application(
                held, row["enterprise_id"], name)
            if row["outcome"] in CANDIDATE_OUTCOMES and row["application"] != HOLDER:
                after.add((row["enterprise_id"], name))
            used_keys[name].update(dict.fromkeys(row.pop("_keys")))
        if rows and copy:
            carry.copy_rows(session, rows)
        elif rows:  # Core executemany: one statement per batch (the ORM would split on NULLs)
            session.execute(insert(Evaluation.__table__), rows)

    def batches() -> Iterator[list[incremental.Item]]:
        for done, batch in enumerate(_chunks(examined, batch_size)):
            if progress is not None:
                progress(min(done * batch_size, len(examined)), len(examined))
            items: list[incremental.Item] = []
            # One query per batch: memory stays flat.
            kept = {} if chain_from is None else carry.current(session, chain_from, batch)
            held = certificates_held(session, batch, as_of) if kept else {}
            superseded: list[int] = []
            restamped: dict[int, tuple[str | None, date | None]] = {}
            for firm_id, raw in raw_facts_for_enterprises(session, batch, as_of).items():
                print_ = incremental.fingerprint(raw, context)
                todo = []
                for name in names:
                    verdict = kept.get((firm_id, name))
                    if verdict is None:
                        todo.append(name)
                        continue
                    app, valid_to = application(held, firm_id, name)
                    if (verdict.fingerprint == print_ and verdict.stable_until is not None
                            and verdict.stable_until > as_of):
                        if (verdict.application, verdict.certificate_valid_to) != (app, valid_to):
                            restamped[verdict.id] = (app, valid_to)
                        outcomes[name][verdict.outcome] += 1
                        if verdict.outcome in CANDIDATE_OUTCOMES and app != HOLDER:
                            after.add((firm_id, name))
                    else:
                        todo.append(name)
                        superseded.append(verdict.id)
                if todo:  # Facts are built only for the firms evaluated (in the workers)
                    items.append((firm_id, raw, tuple(todo), print_))
            carry.supersede(session, run.id, superseded)
            carry.restamp(session, run.id, as_of, now, restamped)
            if items:
                yield items

    copy = session.get_bind().dialect.name == "postgresql"  # COPY: the fastest bulk write
    args = (params, as_of, now, run.id, parameter_change, copy)
    if processes > 1 and len(examined) >= pool_min_firms:
        incremental.run_pool(batches(), args, processes, write)
    else:
        for items in batches():
            write(incremental.evaluate_batch(items, *_local_args(args)))
    if chain_from is not None:
        carry.drop_deleted(session, chain_from, run.id)
    fact_changes.consume(session, [row_id for row_id, _ in changes])
    carried = live * len(names) - written
    if carried:  # parameters of the carried verdicts: the same values (same table, same day)
        for name in names:
            used_keys[name].update(dict.fromkeys(_previous_keys(previous, name)))
    counted = None
    if chain_from is not None and not recount and deltas.usable(chain_from, names):
        # The carried verdicts count as in the previous run: its counts plus what changed —
        # which must add up to one verdict per live firm and rule set, or they are counted.
        counted = deltas.summarise(session, run, chain_from, names)
        if any(sum(counted["outcomes"][name].values()) != live for name in names):
            log.warning("screening run %s: derived counts do not add up; counting", run.id)
            counted = None
    if counted is None:
        counted = deltas.counted(session, run, previous, names, outcomes, after,
                                 carried=chain_from is not None)
    run.firms = live
    run.evaluations = live * len(names)
    run.finished_at = now
    run.summary = {
        # The 培育库's unfiltered counts, stored once instead of counted on every page view.
        "listed": counted["listed"],
        "rules": list(names),
        "outcomes": {name: {o: counted["outcomes"][name][o] for o in OUTCOMES}
                     for name in names},
        "candidates": counted["candidates"],
        "new": counted["new"],
        "dropped": counted["dropped"],
        "previous_run_id": run.previous_run_id,
        "parameters": {name: _parameters_json(params, used_keys[name], as_of)
                       for name in names},
        "evaluated": run.evaluations - carried,
        "carried_forward": carried,
        "examined": len(examined),  # firms whose facts were read
        carry.LOGGED: True,  # the next run may trust the fact-change log from here on
        "context": context,  # the next run carries from this one only under the same context
    }
    # Totals as plain ints: the job runner copies int values into the JobRun counts.
    for key in ("candidates", "new", "dropped"):
        run.summary[f"{key}_total"] = sum(run.summary[key].values())
    session.flush()
    log.info("screening run %s as of %s: %d firms, %d evaluations (%d carried forward)",
             run.id, as_of, run.firms, run.evaluations, carried)
    return run


def _local_args(args: tuple[Any, ...]) -> tuple[Any, ...]:
    params, as_of, now, run_id, parameter_change, encode = args
    return as_of, params, now, run_id, parameter_change, encode


def _parameters_json(params: Any, keys: Iterable[str], as_of: date
                     ) -> list[dict[str, JSONValue]]:
    out = []
    for key in keys:
        try:
            out.append(parameter_json(params.lookup(key, as_of)))
        except ParameterError:  # a key only an older carried verdict read: not in force today
            continue
    return out


def _previous_keys(previous: ScreeningRun | None, name: str) -> list[str]:
    if previous is None or not previous.summary:
        return []
    items = (previous.summary.get("parameters") or {}).get(name) or []
    return [item["key"] for item in items if isinstance(item, dict) and "key" in item]


def screen_demo(session: DbSession, today: date) -> None:
    """Demo seeder hook (``DEMO_SEEDERS``): a first run as of the demo's day, so the 培育库 and
    the reminders have candidates right after ``demo load``. Flushes only."""
    # 18:00 UTC is 02:00 the next morning in China: never stamp the run later than now.
    now = min(datetime.now(UTC), datetime.combine(today, time(18), tzinfo=UTC))
    run_screening(session, as_of=today, now=now)


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), max(size, 1)):
        yield items[start:start + size]


def parameter_json(value: Any) -> dict[str, JSONValue]:
    """A ParameterValue as JSON with its validity and source (run summaries, the firm card)."""
    return {
        "key": value.key, "value": value.value_json(), "valid_from": value.valid_from.isoformat(),
        "valid_to": value.valid_to.isoformat() if value.valid_to else None,
        "source": value.source, "confirmed": value.confirmed,
    }
