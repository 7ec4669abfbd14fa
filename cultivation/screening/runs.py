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

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import aliased

from cultivation.screening.models import ScreeningRun


def in_run(evaluation: Any, run: ScreeningRun | int | Any | None) -> ColumnElement[bool]:
    """The rows of ``evaluation`` (Evaluation, an alias of it, or its table) that are the
    verdicts of ``run``: a ScreeningRun, a run id (int or a scalar SQL expression), or None
    (no run: no rows)."""
    if run is None:
        return false()
    if isinstance(run, ScreeningRun):
        upper: Any = run.id
        lower: Any = run.chain_start_id if run.chain_start_id is not None else run.id
    else:
        upper = run
        other = aliased(ScreeningRun)
        lower = (select(func.coalesce(other.chain_start_id, other.id))
                 .where(other.id == run).scalar_subquery())
    column = getattr(evaluation, "c", evaluation)
    return and_(column.run_id >= lower, column.run_id <= upper,
                or_(column.superseded_in.is_(None), column.superseded_in > upper))
