"""Carrying verdicts by reference (screening.carry, screening.runs): a run that changes nothing
writes no verdict row, however many firms there are; a changed firm is evaluated again while
the earlier run keeps its answer; deleted firms leave the chain; runs that cannot carry (an
earlier day, a full run) start chains of their own; retention deletes only rows no kept run
holds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from screening_support import AS_OF, STRONG_FIELDS, StatementCounter, four_firms, strong_years
from sqlalchemy import event, func, select
from sqlalchemy.engine import Connection

from cultivation.enterprises.models import FiscalYearFigures
from cultivation.screening.models import Evaluation, ScreeningRun
from cultivation.screening.retention import prune_screening_history
from cultivation.screening.runs import in_run
from cultivation.screening.services import run_screening

NOW = datetime(2026, 6, 30, 18, 0, tzinfo=UTC)


class RowsWritten:
    """Rows of ``evaluations`` inserted, updated or deleted through SQLAlchemy on a connection
    (PostgreSQL's COPY of evaluated rows is not seen: compare the stored row count too)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.rows = 0

    def _seen(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        head = statement.lstrip().split(None, 3)
        if head and head[0].upper() in {"INSERT", "UPDATE", "DELETE"} and (
                "evaluations" in statement.split("(")[0].split("SET")[0]):
            self.rows += max(cursor.rowcount, 0)

    def __enter__(self) -> RowsWritten:
        event.listen(self.connection, "after_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.connection, "after_cursor_execute", self._seen)


def verdicts(session: Any, run: ScreeningRun) -> dict[tuple[int, str], str]:
    return {(row.enterprise_id, row.rules): row.outcome for row in session.scalars(
        select(Evaluation).where(in_run(Evaluation, run)))}


def stored(session: Any) -> int:
    return session.scalar(select(func.count()).select_from(Evaluation)) or 0


def add_firms(make_enterprise: Any, n: int) -> None:
    for _ in range(n):
        make_enterprise(figures=strong_years(), **STRONG_FIELDS)


def test_a_run_with_nothing_changed_writes_no_verdict_row_for_5_or_25_firms(
        db_session, make_enterprise):
    def unchanged_run(day: date) -> tuple[int, int, int]:
        before = stored(db_session)
        with RowsWritten(db_session.connection()) as written, \
                StatementCounter(db_session.connection()) as statements:
            run = run_screening(db_session, as_of=day, now=NOW)
        assert run.summary["carried_forward"] == run.evaluations
        return written.rows, stored(db_session) - before, statements.count

    add_firms(make_enterprise, 5)
    run_screening(db_session, as_of=AS_OF, now=NOW)
    small = unchanged_run(AS_OF + timedelta(days=1))
    add_firms(make_enterprise, 20)
    run_screening(db_session, as_of=AS_OF + timedelta(days=2), now=NOW)  # the 20 new firms
    large = unchanged_run(AS_OF + timedelta(days=3))
    # No verdict row written or added (a copy per firm and rule set before), and the same
    # statements for 5 and for 25 firms.
    assert small == large
    assert small[:2] == (0, 0)


def test_a_changed_firm_is_evaluated_again_and_the_earlier_run_keeps_its_answer(
        db_session, make_enterprise):
    firms = four_firms(make_enterprise)
    first = run_screening(db_session, as_of=AS_OF, now=NOW)
    figures = db_session.scalars(select(FiscalYearFigures).where(
        FiscalYearFigures.enterprise_id == firms["eligible"].id,
        FiscalYearFigures.year == 2025)).one()
    figures.rd_expense = 1.0  # far below 5 % of sales: no longer eligible
    db_session.flush()
    before = stored(db_session)
    second = run_screening(db_session, as_of=AS_OF + timedelta(days=1),
                           now=NOW + timedelta(days=1))
    assert second.summary["evaluated"] == 3
    # Three new rows for the changed firm, its three old rows superseded: nothing else.
    assert stored(db_session) - before == 3
    assert db_session.scalar(select(func.count()).select_from(Evaluation).where(
        Evaluation.superseded_in == second.id)) == 3
    key = (firms["eligible"].id, "hnte")
    assert verdicts(db_session, first)[key] == "eligible"
    assert verdicts(db_session, second)[key] == "ineligible"
    unchanged = {k: v for k, v in verdicts(db_session, first).items()
                 if k[0] != firms["eligible"].id}
    assert {k: v for k, v in verdicts(db_session, second).items()
            if k[0] != firms["eligible"].id} == unchanged
    assert len(verdicts(db_session, second)) == 12


def test_a_deleted_firm_leaves_the_chain_and_stays_in_the_earlier_run(
        db_session, make_enterprise):
    firms = four_firms(make_enterprise)
    first = run_screening(db_session, as_of=AS_OF, now=NOW)
    firms["borderline"].deleted_at = NOW
    db_session.flush()
    second = run_screening(db_session, as_of=AS_OF + timedelta(days=1), now=NOW)
    assert {firm for firm, _ in verdicts(db_session, second)} == {
        firm.id for name, firm in firms.items() if name != "borderline"}
    assert len(verdicts(db_session, first)) == 12
    assert second.summary["dropped"]["hnte"] == 1  # it was a 临界 candidate
    firms["borderline"].deleted_at = None  # restored: evaluated again the next day
    db_session.flush()
    third = run_screening(db_session, as_of=AS_OF + timedelta(days=2), now=NOW)
    assert third.summary["evaluated"] == 3
    assert len(verdicts(db_session, third)) == 12


def test_runs_that_cannot_carry_start_their_own_chain(db_session, make_enterprise):
    four_firms(make_enterprise)
    a = run_screening(db_session, as_of=AS_OF, now=NOW)
    b = run_screening(db_session, as_of=AS_OF + timedelta(days=10), now=NOW)
    earlier = run_screening(db_session, as_of=AS_OF + timedelta(days=5), now=NOW)
    after = run_screening(db_session, as_of=AS_OF + timedelta(days=11), now=NOW)
    full = run_screening(db_session, as_of=AS_OF + timedelta(days=11), now=NOW,
                         incremental_run=False)
    assert b.summary["carried_forward"] == 12  # b joins a's chain
    assert earlier.previous_run_id == a.id  # a is not the newest run: a chain of its own
    assert earlier.summary["evaluated"] == 12
    assert after.previous_run_id == b.id  # b is not the newest run either
    assert after.summary["evaluated"] == 12
    assert full.summary["evaluated"] == 12
    for run in (a, b, earlier, after, full):
        assert len(verdicts(db_session, run)) == 12
    assert verdicts(db_session, earlier) == verdicts(db_session, a)


def test_retention_deletes_only_rows_no_kept_run_holds(db_session, make_enterprise):
    firms = four_firms(make_enterprise)
    days = [date(2026, 3, 2), date(2026, 3, 10), date(2026, 3, 20), date(2026, 6, 28),
            date(2026, 6, 29)]
    runs = [run_screening(db_session, as_of=days[0], now=NOW)]
    figures = db_session.scalars(select(FiscalYearFigures).where(
        FiscalYearFigures.enterprise_id == firms["eligible"].id,
        FiscalYearFigures.year == 2025)).one()
    for n, day in enumerate(days[1:], start=1):
        if n == 1:  # changed on 10 March and again on 20 March
            figures.rd_expense = 1.0
        elif n == 2:
            figures.rd_expense = 2.0
        db_session.flush()
        runs.append(run_screening(db_session, as_of=day, now=NOW))
    answers = {run.id: verdicts(db_session, run) for run in runs}
    rows_before = stored(db_session)

    result = prune_screening_history(db_session, now=NOW, keep_days=5)

    kept = set(db_session.scalars(select(ScreeningRun.id)))
    # March keeps its last run (20 March); 2 and 10 March go. The rows stored on 2 March stay
    # (20 March and June share them); the firm's 10 March rows, superseded on 20 March, go.
    assert kept == {runs[2].id, runs[3].id, runs[4].id}
    assert result["pruned_evaluations"] == 3 + 3  # 2 March's rows of the firm, and 10 March's
    assert stored(db_session) == rows_before - 6
    for run in runs[2:]:
        assert verdicts(db_session, run) == answers[run.id]
