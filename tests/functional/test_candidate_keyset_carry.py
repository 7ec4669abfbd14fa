"""The 培育库 of a run that carried verdicts by reference (screening.runs): the same firms, the
same order, the same counts — stored and live — as a full run of the same day, whether the run
is the newest of its chain (the walk on the rows not superseded) or an older one (in_run)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from screening_support import AS_OF, STRONG_FIELDS, four_firms, strong_years
from sqlalchemy import select

from cultivation.accounts.access import EVERYTHING
from cultivation.enterprises.models import FiscalYearFigures
from cultivation.screening.candidacy import candidacies
from cultivation.screening.listing import _tallies, candidates
from cultivation.screening.models import ScreeningRun
from cultivation.screening.queries import OUTCOMES, CandidateFilters
from cultivation.screening.services import run_screening

NOW = datetime(2026, 6, 30, 20, 0, tzinfo=UTC)
DAY = AS_OF + timedelta(days=1)
FILTERS = [CandidateFilters(rules=rules) for rules in ("hnte", "tech-sme", "zj-tech-sme")] + [
    CandidateFilters(outcome="ineligible"), CandidateFilters(application="first"),
    CandidateFilters(town="白塔镇"), CandidateFilters(change="new"),
    CandidateFilters(change="dropped")]


def listing(session: Any, run: ScreeningRun) -> list[Any]:
    """Per filter set: the firms page by page (two a page, by cursor), every row at once, the
    counts shown, and the live GROUP BY (the stored counts must agree with it)."""
    seen = []
    for filters in FILTERS:
        pages, cursor = [], None
        while True:
            page = candidates(session, filters, scope=EVERYTHING, run=run, per_page=2,
                              cursor=cursor)
            pages.append([(r.enterprise_id, r.outcome, r.total_gap, r.is_new, r.is_dropped,
                           r.previous_outcome, r.application) for r in page.rows])
            cursor = page.next_cursor
            if cursor is None or len(pages) > 30:
                break
        whole = candidates(session, filters, scope=EVERYTHING, run=run)
        live = sorted(_tallies(session, run, filters, EVERYTHING))
        seen.append((pages, [r.enterprise_id for r in whole.rows], page.total,
                     page.outcome_counts, page.new, page.dropped, page.application_counts,
                     page.application_candidates, live))
    return seen


def test_a_carried_run_lists_what_a_full_run_of_the_same_day_lists(
        db_session: Any, make_enterprise: Any) -> None:
    firms = list(four_firms(make_enterprise).values()) + list(four_firms(make_enterprise).values())
    firms += [make_enterprise(town="白塔镇", figures=strong_years(), **STRONG_FIELDS)
              for _ in range(3)]
    # An earlier chain whose rows are never superseded: the newest run's walk must not see them.
    run_screening(db_session, as_of=AS_OF - timedelta(days=1), now=NOW - timedelta(days=1))
    first = run_screening(db_session, as_of=AS_OF, now=NOW, incremental_run=False)
    # Between the runs: two firms change (evaluated again, their old rows superseded: one
    # drops out, one becomes a candidate) and one firm is deleted (it leaves the chain).
    figures = db_session.scalars(select(FiscalYearFigures).where(
        FiscalYearFigures.enterprise_id == firms[0].id, FiscalYearFigures.year == 2025)).one()
    figures.rd_expense = 1.0
    firms[1].deleted_at = NOW
    firms[3].major_incident_last_year = False
    db_session.flush()

    savepoint = db_session.begin_nested()
    carried = run_screening(db_session, as_of=DAY, now=NOW + timedelta(days=1))
    assert carried.chain_start_id == first.id
    assert carried.summary["evaluated"] == 6  # the changed firms only
    assert carried.summary["carried_forward"] == 24
    newest = listing(db_session, carried)
    # Once a later run joins the chain the carried run is no longer its newest: the same list.
    later = run_screening(db_session, as_of=DAY + timedelta(days=1), now=NOW + timedelta(days=2))
    assert later.chain_start_id == first.id
    assert listing(db_session, carried) == newest
    savepoint.rollback()

    full = run_screening(db_session, as_of=DAY, now=NOW + timedelta(days=1),
                         incremental_run=False)
    assert full.chain_start_id is None
    assert full.previous_run_id == first.id
    assert full.summary["evaluated"] == 30
    expected = listing(db_session, full)
    assert newest == expected
    # Not an empty comparison: several pages, every outcome, a new and a dropped candidate.
    hnte = expected[0]
    assert len(hnte[0]) > 3
    assert all(hnte[3][outcome] for outcome in OUTCOMES)
    assert expected[-2][2] >= 1
    assert expected[-1][2] >= 1


def test_board_cards_read_the_candidacy_a_carried_run_shares(
        db_session: Any, make_enterprise: Any) -> None:
    firms = four_firms(make_enterprise)
    ids = [firm.id for firm in firms.values()]
    run_screening(db_session, as_of=AS_OF, now=NOW)
    full = candidacies(db_session, ids)
    carried = run_screening(db_session, as_of=DAY, now=NOW + timedelta(days=1))
    assert carried.summary["evaluated"] == 0  # nothing written: every verdict is shared
    shared = candidacies(db_session, ids)
    assert firms["eligible"].id in full
    assert set(shared) == set(full)
    assert [(c.rules, c.application, c.outcome) for f in ids for c in shared.get(f, [])] == [
        (c.rules, c.application, c.outcome) for f in ids for c in full.get(f, [])]
    # The day shown is the latest run's, not the day the shared row was stored.
    assert {c.as_of for found in shared.values() for c in found} == {DAY}
