"""Retention of screening history: recent runs in full, older months by their last run.

The policy is the data in ``KEEP_RULES``: a run is kept when any rule holds for it; every other
run is pruned — the Evaluation rows no kept run shares, then the run itself. The rules read only
``as_of``, ``id`` and the comparison links of recent runs, so the set of prunable runs is one SQL
subquery and the prune is a few set-based statements whatever the number of runs or firms:

1. kept runs whose comparison run (``previous_run_id``) is pruned are re-linked to the nearest
   earlier kept run (a kept month's last run then compares with the previous kept month);
2. DELETE the Evaluation rows that are the verdicts of no kept run (a row is shared by the
   runs of its chain, screening.runs: a pruned run's row stays while a kept run holds it);
3. DELETE the prunable runs.

A run's stored ``summary`` (new / dropped counts) stays as it was reported on its day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    and_,
    delete,
    extract,
    false,
    func,
    not_,
    or_,
    select,
    update,
)

from cultivation.clock import DEFAULT_TIMEZONE, local_date
from cultivation.database import DbSession
from cultivation.scheduling.effects import affected
from cultivation.screening.models import Evaluation, ScreeningRun

RUNS = ScreeningRun.__table__
EVALUATIONS = Evaluation.__table__


@dataclass(frozen=True)
class KeepRule:
    """One reason to keep a run: ``holds(ranked, cutoff)`` over ``ranked_runs()`` columns."""

    name: str
    reason: str
    holds: Callable[[Subquery, date], ColumnElement[bool]]


def _recent(as_of: Any, cutoff: date) -> ColumnElement[bool]:
    """Inside the window: ``as_of`` on or after the cutoff."""
    return as_of >= cutoff  # type: ignore[no-any-return]


def _compared_with_live(ranked: Subquery, cutoff: date) -> ColumnElement[bool]:
    live = RUNS.alias()
    latest = RUNS.alias()
    latest_id = (select(latest.c.id).order_by(latest.c.as_of.desc(), latest.c.id.desc())
                 .limit(1).scalar_subquery())
    # NOT NULL: a NULL in an IN list would make "not kept" unknown for every run.
    is_live = or_(_recent(live.c.as_of, cutoff), live.c.id == latest_id)
    return ranked.c.id.in_(
        select(live.c.previous_run_id).where(live.c.previous_run_id.is_not(None), is_live))


KEEP_RULES: tuple[KeepRule, ...] = (
    KeepRule("recent", "as_of on or after today − keep_days: every run kept in full",
             lambda r, cutoff: _recent(r.c.as_of, cutoff)),
    KeepRule("month_last", "the last run (by as_of, id) of each calendar month: month-over-month "
             "history, cohort and workload reports at month ends",
             lambda r, cutoff: r.c.month_rank == 1),
    KeepRule("latest", "the latest run: candidate list, reminders, dashboard (it is also its "
             "month's last run; stated so that no change to the other rules can drop it)",
             lambda r, cutoff: r.c.overall_rank == 1),
    KeepRule("compared_with", "the run a recent run or the latest run is compared with: the "
             "candidate list's new / dropped flags and its 对比 date", _compared_with_live),
)


def ranked_runs() -> Subquery:
    """Every run with its rank in its calendar month and overall (1 = last, by as_of, id)."""
    runs = RUNS.alias()
    newest_first = (runs.c.as_of.desc(), runs.c.id.desc())
    return select(
        runs.c.id, runs.c.as_of,
        func.row_number().over(
            partition_by=(extract("year", runs.c.as_of), extract("month", runs.c.as_of)),
            order_by=newest_first).label("month_rank"),
        func.row_number().over(order_by=newest_first).label("overall_rank"),
    ).subquery()


def prunable_run_ids(cutoff: date, rules: tuple[KeepRule, ...] = KEEP_RULES) -> Select[tuple[int]]:
    """SELECT of the ids of runs no rule keeps (a fresh subquery on each call)."""
    ranked = ranked_runs()
    return select(ranked.c.id).where(not_(or_(*(rule.holds(ranked, cutoff) for rule in rules))))


def cutoff_date(now: datetime, keep_days: int, timezone: str = DEFAULT_TIMEZONE) -> date:
    """The oldest ``as_of`` kept in full: the local date of ``now`` (in ``timezone``, the
    configured zone) minus ``keep_days``."""
    if keep_days < 0:
        raise ValueError(f"筛选结果保留天数（SCREENING_KEEP_DAYS）不能为负数：{keep_days}")
    return local_date(now, timezone) - timedelta(days=keep_days)


def prune_screening_history(session: DbSession, *, now: datetime, keep_days: int,
                            timezone: str = DEFAULT_TIMEZONE) -> dict[str, int]:
    """Apply ``KEEP_RULES``: delete the other runs and their evaluations. Flushes only.

    Returns ``{"pruned_runs", "pruned_evaluations", "relinked_runs"}``; a second call with the
    same arguments prunes nothing.
    """
    cutoff = cutoff_date(now, keep_days, timezone)
    session.flush()
    nearest_kept = RUNS.alias()
    earlier = or_(nearest_kept.c.as_of < RUNS.c.as_of,
                  and_(nearest_kept.c.as_of == RUNS.c.as_of, nearest_kept.c.id < RUNS.c.id))
    relink_to = (select(nearest_kept.c.id)
                 .where(nearest_kept.c.id.not_in(prunable_run_ids(cutoff)), earlier)
                 .order_by(nearest_kept.c.as_of.desc(), nearest_kept.c.id.desc())
                 .limit(1).scalar_subquery())
    relinked = list(session.scalars(
        update(RUNS)
        .where(RUNS.c.previous_run_id.in_(prunable_run_ids(cutoff)),
               RUNS.c.id.not_in(prunable_run_ids(cutoff)))
        .values(previous_run_id=relink_to).returning(RUNS.c.id)))
    evaluations = session.execute(delete(EVALUATIONS).where(_unneeded(session, cutoff)))
    pruned = set(session.scalars(
        delete(RUNS).where(RUNS.c.id.in_(prunable_run_ids(cutoff))).returning(RUNS.c.id)))
    _forget(session, pruned, set(relinked))
    return {"pruned_runs": len(pruned),
            "pruned_evaluations": affected(evaluations),
            "relinked_runs": len(relinked)}


def _unneeded(session: DbSession, cutoff: date) -> ColumnElement[bool]:
    """The Evaluation rows that are verdicts of no kept run (screening.runs: a row is shared
    by the runs of its chain from the run that stored it until ``superseded_in``).

    Exact (the NOT EXISTS), and cheap: the bulk of the rows — still current in a chain whose
    newest run is kept — is never probed. Candidates are rows stored up to the newest pruned
    run that were superseded, or that belong to a chain whose newest run is pruned."""
    chains: list[Any] = list(session.execute(select(RUNS.c.id, RUNS.c.chain_start_id)))
    found: list[Any] = list(session.execute(prunable_run_ids(cutoff)))
    pruned = {int(row[0]) for row in found}
    if not pruned:
        return false()
    newest_of_chain: dict[int, int] = {}
    for run_id, start in chains:
        chain = start if start is not None else run_id
        newest_of_chain[chain] = max(newest_of_chain.get(chain, run_id), run_id)
    ended = [EVALUATIONS.c.run_id.between(chain, newest)
             for chain, newest in newest_of_chain.items() if newest in pruned]
    kept = RUNS.alias("kept")
    covered = select(kept.c.id).where(
        kept.c.id.not_in(pruned),
        func.coalesce(kept.c.chain_start_id, kept.c.id) <= EVALUATIONS.c.run_id,
        EVALUATIONS.c.run_id <= kept.c.id,
        or_(EVALUATIONS.c.superseded_in.is_(None), EVALUATIONS.c.superseded_in > kept.c.id))
    return and_(EVALUATIONS.c.run_id <= max(pruned),
                or_(EVALUATIONS.c.superseded_in.is_not(None), *ended),
                ~covered.exists())


def _forget(session: DbSession, pruned: set[int], relinked: set[int]) -> None:
    """Bring loaded objects in line with the bulk statements, without loading anything."""
    for state in list(session.identity_map.all_states()):
        obj, ident = state.obj(), (state.identity or (None,))[0]
        if obj is None:
            continue
        if state.class_ is ScreeningRun and ident in pruned:
            session.expunge(obj)
        elif state.class_ is ScreeningRun and ident in relinked:
            session.expire(obj, ["previous_run_id"])
        elif state.class_ is Evaluation:  # rows are shared by runs: any may have gone
            session.expunge(obj)
