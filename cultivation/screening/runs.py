"""Which stored verdicts belong to a screening run: the one predicate every reader uses.

A run stores only the verdicts it evaluates (screening.services). A verdict that still holds is
not copied into the next run: the row stays, shared by every later run of its *chain* until a
run evaluates that firm again, or no longer screens it, and marks the row ``superseded_in``.

A chain is a range of consecutive run ids: a run joins the chain of the newest run (the
highest id) when it carries verdicts from it, and starts its own chain otherwise (a full run,
a run as of an earlier date, other rule sets). So the verdicts of run R are the rows with

    chain_start(R) ≤ run_id ≤ R  and  (superseded_in IS NULL or superseded_in > R)

— one range on ``run_id`` (the unique index on (run_id, rules, enterprise_id) serves it, and
(enterprise_id, rules, run_id) the per-firm look-ups). Rows of other chains fall outside the
range: ids of a chain are consecutive.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import aliased

from cultivation.database import DbSession
from cultivation.screening.models import ScreeningRun

NO_RUN = -1  # a run id no run has (ids start at 1)


def in_run(evaluation: Any, run: ScreeningRun | int | Any | None, *, newest: bool = False
           ) -> ColumnElement[bool]:
    """The rows of ``evaluation`` (Evaluation, an alias of it, or its table) that are the
    verdicts of ``run``: a ScreeningRun, a run id (int or a scalar SQL expression), or None
    (no run: no rows — ``run_id = -1``, an empty range of the same indexes: a constant false
    inside a LEFT JOIN or a correlated subquery is not hoisted by SQLite, which then scans
    every verdict once per outer row — 17+ minutes at 300k verdicts).

    A run that is a chain of its own holds exactly the rows it stored (a row is only ever
    superseded by a later run): ``run_id = R``, so the indexes led by ``run_id`` serve it as an
    equality. ``newest`` (a ScreeningRun that ``is_newest_of_chain`` said is): its verdicts are
    the chain's rows not superseded at all — ``superseded_in IS NULL`` and the chain's range —
    which the partial index on (rules, outcome, total_gap, enterprise_id) WHERE superseded_in
    IS NULL walks in the 培育库's order (screening.listing)."""
    column = getattr(evaluation, "c", evaluation)
    if run is None:
        return column.run_id == NO_RUN  # type: ignore[no-any-return]
    if isinstance(run, ScreeningRun):
        upper: Any = run.id
        lower: Any = run.chain_start_id if run.chain_start_id is not None else run.id
        if lower == upper:
            return column.run_id == upper  # type: ignore[no-any-return]
        if newest:
            # The range only filters (``+ 0``: no index on run_id can serve it). SQLite's
            # planner, knowing only that run ids are few, otherwise took the run-id index and
            # sorted all of a rule set's rows for a 培育库 page (1.3 s at 100k firms).
            chain_run = column.run_id + 0
            return and_(column.superseded_in.is_(None), chain_run >= lower, chain_run <= upper)
    else:
        upper = run
        other = aliased(ScreeningRun)
        lower = (select(func.coalesce(other.chain_start_id, other.id))
                 .where(other.id == run).scalar_subquery())
    return and_(column.run_id >= lower, column.run_id <= upper,
                or_(column.superseded_in.is_(None), column.superseded_in > upper))


def is_newest_of_chain(session: DbSession, run: ScreeningRun) -> bool:
    """No later run has joined ``run``'s chain (one indexed look-up): then ``in_run(…,
    newest=True)`` selects its verdicts."""
    start = run.chain_start_id if run.chain_start_id is not None else run.id
    later = session.scalar(select(ScreeningRun.id).where(
        ScreeningRun.id > run.id, ScreeningRun.chain_start_id == start).limit(1))
    return later is None
