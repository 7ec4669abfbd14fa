"""Incremental screening: unchanged firms carry their verdict forward without being evaluated;
a changed firm, a verdict past its next-change date, new parameters or a new year are evaluated
again; an incremental run stores what a full run stores; a run over worker processes too."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from screening_support import AS_OF, STRONG_FIELDS, four_firms, strong_years
from sqlalchemy import select

from cultivation.enterprises.models import FiscalYearFigures
from cultivation.parameters.models import PolicyParameter
from cultivation.parameters.services import parameter_table
from cultivation.policy import Verdict, evaluate
from cultivation.screening import incremental
from cultivation.screening.models import Evaluation
from cultivation.screening.runs import in_run
from cultivation.screening.services import run_screening

NOW = datetime(2026, 6, 30, 18, 0, tzinfo=UTC)
NEXT_DAY = AS_OF + timedelta(days=1)
COMPARED = ("outcome", "score_min", "score_max", "total_gap", "failed", "details")


def rows(session: Any, run: Any) -> dict[tuple[int, str], Evaluation]:
    found = session.scalars(select(Evaluation).where(in_run(Evaluation, run)))
    return {(row.enterprise_id, row.rules): row for row in found}


def evaluated_firms(session: Any, run: Any) -> set[int]:
    """Firms evaluated by this run (a carried verdict keeps the day it was evaluated for)."""
    return {firm for (firm, _), row in rows(session, run).items() if row.evaluated_on == run.as_of}


def answers(session: Any, run: Any) -> dict[tuple[int, str], tuple[Any, ...]]:
    return {key: tuple(getattr(row, c) for c in COMPARED) for key, row in rows(session,
                                                                                run).items()}


def test_an_unchanged_registry_is_carried_forward_whole(db_session, make_enterprise):
    four_firms(make_enterprise)
    first = run_screening(db_session, as_of=AS_OF, now=NOW)
    second = run_screening(db_session, as_of=NEXT_DAY, now=NOW + timedelta(days=1))
    assert first.summary["evaluated"] == 12
    assert first.summary["carried_forward"] == 0
    assert second.summary["evaluated"] == 0
    assert second.summary["carried_forward"] == 12
    assert evaluated_firms(db_session, second) == set()
    carried = rows(db_session, second)
    # Carried, not copied: the second run's verdicts are the first run's rows.
    assert {row.id for row in carried.values()} == {row.id for row in rows(db_session,
                                                                           first).values()}
    assert {row.evaluated_on for row in carried.values()} == {AS_OF}
    assert second.summary["outcomes"] == first.summary["outcomes"]
    assert second.summary["parameters"] == first.summary["parameters"]
    assert second.summary["new_total"] == second.summary["dropped_total"] == 0


def test_changing_one_firm_re_evaluates_only_that_firm(db_session, make_enterprise):
    firms = four_firms(make_enterprise)
    run_screening(db_session, as_of=AS_OF, now=NOW)
    figures = db_session.scalars(select(FiscalYearFigures).where(
        FiscalYearFigures.enterprise_id == firms["eligible"].id,
        FiscalYearFigures.year == 2025)).one()
    figures.rd_expense = 1.0  # far below 5 % of sales: no longer eligible
    db_session.flush()
    second = run_screening(db_session, as_of=NEXT_DAY, now=NOW + timedelta(days=1))
    assert evaluated_firms(db_session, second) == {firms["eligible"].id}
    assert second.summary["evaluated"] == 3
    assert second.summary["carried_forward"] == 9
    stored = rows(db_session, second)
    assert stored[(firms["eligible"].id, "hnte")].outcome == "ineligible"
    assert second.summary["dropped"]["hnte"] == 1


def test_a_verdict_is_evaluated_again_once_its_next_change_date_is_reached(
        db_session, make_enterprise):
    four_firms(make_enterprise)
    # Registered 2025-07-05: one year old (365 days) on 2026-07-05 — until then "还需 N 天"
    # changes every day, so its verdict holds one day only.
    young = make_enterprise(figures=strong_years(), **{**STRONG_FIELDS,
                                                        "registered_on": date(2025, 7, 5)})
    first = run_screening(db_session, as_of=AS_OF, now=NOW)
    young_rows = {rules: row for (firm, rules), row in rows(db_session, first).items()
                  if firm == young.id}
    assert young_rows["hnte"].stable_until == NEXT_DAY
    others = {row.stable_until for (firm, _), row in rows(db_session, first).items()
              if firm != young.id}
    assert others == {date(2027, 1, 1)}  # the fiscal-year roll-over (no parameter ends sooner)
    second = run_screening(db_session, as_of=NEXT_DAY, now=NOW + timedelta(days=1))
    assert evaluated_firms(db_session, second) == {young.id}
    gap = next(c["gap"] for c in rows(db_session, second)[(young.id, "hnte")].details[
        "criteria"] if c["id"] == "registration_age")
    assert gap.startswith("还需 4 天")
    # The new year changes the fiscal years looked at: every firm is evaluated again.
    third = run_screening(db_session, as_of=date(2027, 1, 1), now=NOW + timedelta(days=185))
    assert third.summary["carried_forward"] == 0


def test_new_parameters_re_evaluate_every_firm(db_session, make_enterprise):
    four_firms(make_enterprise)
    run_screening(db_session, as_of=AS_OF, now=NOW)
    current = db_session.scalars(select(PolicyParameter).where(
        PolicyParameter.key == "hnte.innovation_score_min")).first()
    current.note = "unchanged value, new note"  # not part of any verdict: still carried
    db_session.flush()
    assert run_screening(db_session, as_of=AS_OF, now=NOW).summary["carried_forward"] == 12
    current.value = 72
    db_session.flush()
    again = run_screening(db_session, as_of=AS_OF, now=NOW)
    assert again.summary["carried_forward"] == 0
    assert again.summary["evaluated"] == 12


def test_a_parameter_that_starts_later_bounds_every_verdict(db_session, make_enterprise):
    four_firms(make_enterprise)
    params = parameter_table(db_session)
    later = date(2026, 9, 1)
    db_session.add(PolicyParameter(key="hnte.innovation_score_min", value=75,
                                   valid_from=later, source="测试", confirmed=True))
    old = db_session.scalars(select(PolicyParameter).where(
        PolicyParameter.key == "hnte.innovation_score_min",
        PolicyParameter.valid_from < later)).one()
    old.valid_to = later - timedelta(days=1)
    db_session.flush()
    assert incremental.next_parameter_change(params, AS_OF) != later
    first = run_screening(db_session, as_of=AS_OF, now=NOW)
    assert {row.stable_until for row in rows(db_session, first).values()} == {later}
    assert run_screening(db_session, as_of=later - timedelta(days=1),
                         now=NOW).summary["carried_forward"] == 12
    assert run_screening(db_session, as_of=later, now=NOW).summary["carried_forward"] == 0


def test_an_incremental_run_stores_what_a_full_run_stores(db_session, make_enterprise):
    firms = four_firms(make_enterprise)
    for n in range(6):
        make_enterprise(figures=strong_years(), **{**STRONG_FIELDS,
                                                   "registered_on": date(2019, 1, n + 1)})
    run_screening(db_session, as_of=AS_OF, now=NOW)
    figures = db_session.scalars(select(FiscalYearFigures).where(
        FiscalYearFigures.enterprise_id == firms["borderline"].id)).first()
    figures.employees = 1000
    db_session.flush()
    incremental_run = run_screening(db_session, as_of=AS_OF, now=NOW)
    full = run_screening(db_session, as_of=AS_OF, now=NOW, incremental_run=False)
    assert incremental_run.summary["carried_forward"] == 27
    assert full.summary["carried_forward"] == 0
    assert answers(db_session, incremental_run) == answers(db_session, full)
    for key in ("outcomes", "candidates", "parameters"):
        assert incremental_run.summary[key] == full.summary[key]


def test_worker_processes_give_the_same_verdicts(db_session, make_enterprise):
    four_firms(make_enterprise)
    for n in range(8):
        make_enterprise(figures=strong_years(), **{**STRONG_FIELDS,
                                                   "registered_on": date(2018, 2, n + 1)})
    alone = run_screening(db_session, as_of=AS_OF, now=NOW, incremental_run=False)
    pooled = run_screening(db_session, as_of=AS_OF, now=NOW, incremental_run=False,
                           processes=2, pool_min_firms=1, batch_size=3)
    assert pooled.summary["evaluated"] == 36
    assert answers(db_session, pooled) == answers(db_session, alone)
    assert {k: v for k, v in pooled.summary.items() if k != "previous_run_id"} == {
        k: v for k, v in alone.summary.items() if k != "previous_run_id"}


def test_a_failed_day_count_holds_one_day_and_a_passed_one_until_the_new_year() -> None:
    from cultivation.policy import Facts

    young = Facts(registered_on=date(2026, 6, 1))
    old = Facts(registered_on=date(2020, 6, 1))
    verdicts: list[Verdict] = [evaluate("hnte", f, AS_OF) for f in (young, old)]
    assert [incremental.stable_until(v, AS_OF, None) for v in verdicts] == [
        NEXT_DAY, date(2027, 1, 1)]
    assert incremental.stable_until(verdicts[1], AS_OF, date(2026, 8, 1)) == date(2026, 8, 1)


def test_a_certificate_that_ends_changes_the_facts_and_re_evaluates_the_firm(
        db_session, make_enterprise):
    from cultivation.qualifications.models import Qualification

    firms = four_firms(make_enterprise)
    holder = firms["eligible"]
    db_session.add(Qualification(enterprise_id=holder.id, kind="hnte", number="GR1",
                                 valid_from=date(2023, 7, 1), valid_to=AS_OF))  # last day
    db_session.flush()
    first = run_screening(db_session, as_of=AS_OF, now=NOW)
    assert first.summary["evaluated"] == 12
    second = run_screening(db_session, as_of=NEXT_DAY, now=NOW + timedelta(days=1))
    assert evaluated_firms(db_session, second) == {holder.id}


def test_a_carried_verdict_gets_the_days_first_or_renewal_standing(db_session, make_enterprise):
    """The renewal horizon moves with the as-of date: a verdict carried forward unchanged must
    not keep the previous run's 'holder', or a firm due for 重新认定 never shows in the 培育库."""
    from cultivation.qualifications.models import Qualification

    firm = make_enterprise(figures=strong_years(), **STRONG_FIELDS)
    db_session.add(Qualification(enterprise_id=firm.id, kind="hnte", number="GR-CARRY",
                                 valid_from=date(2024, 3, 1), valid_to=date(2027, 2, 28)))
    db_session.flush()
    early, later = date(2026, 1, 10), date(2026, 6, 30)  # same fiscal years, same facts
    first = run_screening(db_session, as_of=early, now=NOW - timedelta(days=171))
    second = run_screening(db_session, as_of=later, now=NOW)
    assert second.summary["carried_forward"] == 3  # nothing about the firm changed
    before = rows(db_session, first)[(firm.id, "hnte")]
    after = rows(db_session, second)[(firm.id, "hnte")]
    assert before.application == "holder"  # ends beyond 2027-01-10 (12 months ahead)
    assert (after.application, after.certificate_valid_to) == ("renewal", date(2027, 2, 28))
    assert after.evaluated_on == early
