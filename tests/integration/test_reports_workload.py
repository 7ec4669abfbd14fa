"""Advisor workload figures, per advisor, in one statement."""

from __future__ import annotations

from datetime import date
from typing import Any

from reports_support import count_statements
from sqlalchemy.orm import Session

from cultivation.accounts.access import EVERYTHING
from cultivation.reports.workload import stale_firms, workload
from cultivation.screening.models import Evaluation, ScreeningRun
from cultivation.visits.models import Visit

START, END = date(2025, 4, 1), date(2025, 6, 30)


def _visit(session: Session, firm: Any, advisor: Any, day: date, **kw: Any) -> Visit:
    v = Visit(enterprise_id=firm.id, advisor_id=advisor.id, visited_on=day, notes="走访", **kw)
    session.add(v)
    session.flush()
    return v


def _evaluate(session: Session, run: ScreeningRun, firm: Any, outcome: str) -> None:
    session.add(Evaluation(run_id=run.id, enterprise_id=firm.id, rules="hnte", as_of=run.as_of,
                           outcome=outcome, details={}))
    session.flush()


def test_workload_counts_portfolio_visits_stale_firms_candidates_and_overdue_follow_ups(
    db_session: Session, make_user: Any, make_enterprise: Any
) -> None:
    wang = make_user("advisor", display_name="王指导")
    li = make_user("advisor", display_name="李指导")
    a, b, c = (make_enterprise(advisor=wang) for _ in range(3))
    d = make_enterprise(advisor=li)
    _visit(db_session, a, wang, date(2025, 5, 1), next_follow_up_on=date(2025, 6, 1))
    _visit(db_session, a, wang, date(2025, 6, 20), next_follow_up_on=date(2025, 7, 20))
    _visit(db_session, b, wang, date(2025, 1, 10), next_follow_up_on=date(2025, 2, 1),
           follow_up_done=True)
    _visit(db_session, d, li, date(2025, 3, 1), next_follow_up_on=date(2025, 3, 15))
    _visit(db_session, d, li, date(2025, 7, 5))  # after the period
    old = ScreeningRun(as_of=date(2025, 5, 1))
    new = ScreeningRun(as_of=date(2025, 6, 29))
    db_session.add_all([old, new])
    db_session.flush()
    _evaluate(db_session, old, c, "eligible")
    _evaluate(db_session, new, a, "eligible")
    _evaluate(db_session, new, b, "borderline")
    _evaluate(db_session, new, c, "ineligible")
    _evaluate(db_session, new, d, "incomplete")

    loads = {w.name: w for w in workload(db_session, START, END, stale_days=90)}
    assert (loads["王指导"].portfolio, loads["王指导"].visits, loads["王指导"].stale,
            loads["王指导"].candidates, loads["王指导"].overdue) == (3, 2, 2, 2, 1)
    assert (loads["李指导"].portfolio, loads["李指导"].visits, loads["李指导"].stale,
            loads["李指导"].candidates, loads["李指导"].overdue) == (1, 0, 1, 0, 1)
    stale = stale_firms(db_session, END, 90, scope=EVERYTHING, advisor_id=wang.id)
    assert [(s.credit_code, s.last_visit) for s in stale] == [
        (c.credit_code, None), (b.credit_code, date(2025, 1, 10))]


def test_workload_is_one_statement_for_any_number_of_firms(
    db_session: Session, make_user: Any, make_enterprise: Any
) -> None:
    advisor = make_user("advisor")

    def statements_for(n: int) -> int:
        for _ in range(n):
            _visit(db_session, make_enterprise(advisor=advisor), advisor, date(2025, 5, 5))
        with count_statements() as log:
            workload(db_session, START, END, 30)
        return log.count

    assert statements_for(4) == statements_for(40) == 1


def test_workload_reads_the_portfolio_once_and_visits_by_day(
    db_session: Session, make_user: Any, make_enterprise: Any
) -> None:
    advisor = make_user("advisor")
    _visit(db_session, make_enterprise(advisor=advisor), advisor, date(2025, 5, 5))
    with count_statements() as log:
        workload(db_session, START, END, 30)
    (sql,) = log.statements
    # one pass over the portfolio (not one per figure); the visits of a window, not every
    # firm's last visit ever
    assert sql.count("FROM portfolio_assignments") == 1
    assert "max(visits.visited_on)" not in sql
