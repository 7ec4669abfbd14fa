"""The screening service on a real database: facts from the registry, stored verdicts, the
diff between runs, and a statement count that does not grow with the number of firms."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import partial

import pytest
from screening_support import AS_OF, STRONG_FIELDS, StatementCounter, four_firms, strong_years
from sqlalchemy import select

from cultivation.accounts.access import EVERYTHING
from cultivation.enterprises.models import FiscalYearFigures
from cultivation.parameters.services import parameter_table, seed_parameters
from cultivation.policy import evaluate
from cultivation.screening.facts import facts_for_enterprise, facts_for_enterprises
from cultivation.screening.listing import candidates
from cultivation.screening.models import Evaluation
from cultivation.screening.queries import CandidateFilters
from cultivation.screening.services import run_screening, screen_demo, total_gap

listing = partial(candidates, scope=EVERYTHING)

NOW = datetime(2026, 6, 30, 18, 0, tzinfo=UTC)


def evaluations(session, run, rules="hnte"):  # type: ignore[no-untyped-def]
    rows = session.scalars(select(Evaluation).where(Evaluation.run_id == run.id,
                                                    Evaluation.rules == rules))
    return {row.enterprise_id: row for row in rows}


def test_each_firm_gets_the_hnte_outcome_its_figures_give(db_session, make_enterprise):
    firms = four_firms(make_enterprise)
    run = run_screening(db_session, as_of=AS_OF, now=NOW)
    stored = evaluations(db_session, run)
    assert {name: stored[f.id].outcome for name, f in firms.items()} == {
        "eligible": "eligible", "borderline": "borderline", "incomplete": "incomplete",
        "ineligible": "ineligible",
    }
    assert stored[firms["eligible"].id].failed == []
    assert stored[firms["incomplete"].id].failed == ["rd_expense_ratio", "domestic_rd_share"]
    assert stored[firms["ineligible"].id].failed == ["compliance"]
    assert (stored[firms["eligible"].id].score_min, stored[firms["eligible"].id].score_max) == (
        77, 90)
    assert (stored[firms["borderline"].id].score_min,
            stored[firms["borderline"].id].score_max) == (41, 90)


def test_a_run_stores_every_rule_set_and_counts_outcomes(db_session, make_enterprise):
    firms = four_firms(make_enterprise)
    run = run_screening(db_session, as_of=AS_OF, now=NOW)
    assert run.firms == 4
    assert run.evaluations == 12
    assert run.summary["outcomes"]["hnte"] == {
        "eligible": 1, "borderline": 1, "incomplete": 1, "ineligible": 1}
    # 科小 looks at 2025 only and counts the accident: three pass, the accident firm fails.
    assert run.summary["outcomes"]["tech-sme"] == {
        "eligible": 3, "borderline": 0, "incomplete": 0, "ineligible": 1}
    tech = evaluations(db_session, run, "tech-sme")[firms["eligible"].id]
    assert tech.details["score"] == {"total": 88, "tech_staff": 8, "rd_investment": 50,
                                     "achievements": 30}
    assert (tech.score_min, tech.score_max) == (88, 88)


def test_stored_details_are_the_verdict_without_repeated_parameters(db_session, make_enterprise):
    firm = make_enterprise(figures=strong_years(), **STRONG_FIELDS)
    run = run_screening(db_session, as_of=AS_OF, now=NOW, rules=["hnte"])
    details = evaluations(db_session, run)[firm.id].details
    assert details["outcome"] == "eligible"
    assert details["as_of"] == "2026-06-30"
    assert "parameters" not in details
    assert "hnte.rd_expense_ratio_bands" in details["parameter_keys"]
    keys = {p["key"] for p in run.summary["parameters"]["hnte"]}
    assert set(details["parameter_keys"]) <= keys
    ratio = next(c for c in details["criteria"] if c["id"] == "rd_expense_ratio")
    assert ratio["required"] == 0.05
    assert ratio["years"] == [2023, 2024, 2025]
    assert "gap" not in ratio  # passed: the null gap is not stored


def test_facts_come_from_figures_qualifications_and_institutions(
    db_session, make_enterprise, make_institution
):
    firm = make_enterprise(tier="hnte", figures=strong_years(), **STRONG_FIELDS)
    make_institution(firm, "provincial_institute", recognized_on=date(2022, 3, 1))
    make_institution(firm, "municipal_hnte_center", recognized_on=date(2021, 1, 1),
                     revoked_on=date(2024, 1, 1))
    db_session.add(FiscalYearFigures(enterprise_id=firm.id, year=2026, employees=999))
    other = make_enterprise(registered_on=None)
    make_institution(other, "tech_center", level="provincial", recognized_on=date(2027, 1, 1))
    db_session.flush()
    facts = facts_for_enterprises(db_session, [firm.id, other.id], AS_OF)
    mine = facts[firm.id]
    assert mine.holds_valid_hnte is True
    assert mine.hnte_certified_on == date(2020, 1, 1)
    assert mine.provincial_rd_institution is True
    assert mine.municipal_hnte_center is False  # revoked before the as-of date
    assert [fy.year for fy in mine.fiscal_years] == [2023, 2024, 2025]  # not the as-of year
    assert mine.self_assessment.rd_management == 20
    assert mine.tech_domain == "电子信息"
    assert facts[other.id].provincial_rd_institution is False  # recognised later
    assert facts[other.id].holds_valid_hnte is False
    assert facts[other.id].fiscal_years == ()
    assert facts_for_enterprise(db_session, firm, AS_OF) == mine


def test_a_valid_hnte_certificate_is_a_tech_sme_direct_pass(db_session, make_enterprise):
    firm = make_enterprise(tier="hnte", figures={2025: {"employees": 100, "tech_staff": 1,
                                                        "sales_revenue": 100,
                                                        "total_assets": 100}})
    facts = facts_for_enterprise(db_session, firm, AS_OF)
    verdict = evaluate("tech-sme", facts, AS_OF, parameter_table(db_session))
    assert verdict.direct_pass == "holds_valid_hnte"
    assert verdict.criterion("tech_staff_score").passed is True


def test_deleted_firms_are_not_screened(db_session, make_enterprise):
    live = make_enterprise(figures=strong_years(), **STRONG_FIELDS)
    gone = make_enterprise(figures=strong_years(), **STRONG_FIELDS, deleted_at=NOW)
    run = run_screening(db_session, as_of=AS_OF, now=NOW, rules=["hnte"])
    assert set(evaluations(db_session, run)) == {live.id}
    assert gone.id not in facts_for_enterprises(db_session, None, AS_OF)


def test_the_second_run_reports_new_and_dropped_candidates(db_session, make_enterprise):
    firms = four_firms(make_enterprise)
    first = run_screening(db_session, as_of=date(2026, 6, 29), now=NOW, rules=["hnte"])
    assert first.previous_run_id is None
    assert first.summary["new"] == {"hnte": 0}
    # The incomplete firm completes its figures; the eligible firm has an accident.
    row = db_session.scalar(select(FiscalYearFigures).where(
        FiscalYearFigures.enterprise_id == firms["incomplete"].id, FiscalYearFigures.year == 2024))
    row.rd_expense = 200
    firms["eligible"].major_incident_last_year = True
    db_session.flush()
    second = run_screening(db_session, as_of=AS_OF, now=NOW, rules=["hnte"])
    assert second.previous_run_id == first.id
    assert second.summary["new"] == {"hnte": 1}
    assert second.summary["dropped"] == {"hnte": 1}
    assert (second.summary["new_total"], second.summary["dropped_total"]) == (1, 1)
    listed = listing(db_session, CandidateFilters(rules="hnte"))
    assert listed.run.id == second.id
    flags = {r.enterprise_id: (r.is_new, r.is_dropped, r.previous_outcome) for r in listed.rows}
    assert flags[firms["incomplete"].id] == (True, False, "incomplete")
    assert flags[firms["eligible"].id] == (False, True, "eligible")
    assert flags[firms["borderline"].id] == (False, False, "borderline")
    only_new = listing(db_session, CandidateFilters(rules="hnte", change="new"))
    assert [r.enterprise_id for r in only_new.rows] == [firms["incomplete"].id]
    dropped = listing(db_session, CandidateFilters(rules="hnte", change="dropped"))
    assert [r.enterprise_id for r in dropped.rows] == [firms["eligible"].id]
    assert (listed.new, listed.dropped) == (1, 1)


def test_a_second_run_on_the_same_day_compares_with_the_first(db_session, make_enterprise):
    four_firms(make_enterprise)
    first = run_screening(db_session, as_of=AS_OF, now=NOW, rules=["hnte"])
    second = run_screening(db_session, as_of=AS_OF, now=NOW, rules=["hnte"])
    assert second.id != first.id
    assert second.previous_run_id == first.id
    assert second.summary["new"] == {"hnte": 0}
    assert second.summary["dropped"] == {"hnte": 0}


def test_candidates_rank_by_outcome_then_smallest_gap(db_session, make_enterprise, make_user):
    advisor = make_user("advisor")
    firms = four_firms(make_enterprise)
    near = make_enterprise(figures=strong_years(y2025={"tech_staff": 11}), advisor=advisor,
                           **STRONG_FIELDS)  # 9.2 % staff: 1 person short
    run_screening(db_session, as_of=AS_OF, now=NOW, rules=["hnte"])
    listed = listing(db_session, CandidateFilters(rules="hnte"))
    order = [r.enterprise_id for r in listed.rows]
    assert order == [firms["eligible"].id, firms["borderline"].id, firms["incomplete"].id,
                     near.id, firms["ineligible"].id]
    gaps = {r.enterprise_id: r.total_gap for r in listed.rows}
    assert gaps[firms["eligible"].id] == 0
    assert gaps[near.id] == pytest.approx((0.10 - 11 / 120) / 0.10, abs=1e-5)
    assert gaps[firms["ineligible"].id] == 1.0
    assert gaps[firms["incomplete"].id] == 2.0
    assert listed.outcome_counts == {"eligible": 1, "borderline": 1, "incomplete": 1,
                                     "ineligible": 2}
    mine = listing(db_session, CandidateFilters(rules="hnte", portfolio_of=advisor.id))
    assert [r.enterprise_id for r in mine.rows] == [near.id]
    by_name = listing(db_session, CandidateFilters(rules="hnte", advisor=advisor.username,
                                                      outcome="ineligible"))
    assert [r.enterprise_id for r in by_name.rows] == [near.id]
    assert by_name.total == 1


def test_candidates_filter_by_town_and_industry(db_session, make_enterprise):
    a = make_enterprise(town="横溪镇", industry="医疗器械", figures=strong_years(), **STRONG_FIELDS)
    make_enterprise(town="横溪镇", industry="医药", figures=strong_years(), **STRONG_FIELDS)
    make_enterprise(town="白塔镇", industry="医疗器械", figures=strong_years(), **STRONG_FIELDS)
    run_screening(db_session, as_of=AS_OF, now=NOW, rules=["hnte"])
    found = listing(db_session, CandidateFilters(rules="hnte", town="横溪镇",
                                                    industry="医疗器械"))
    assert [r.enterprise_id for r in found.rows] == [a.id]


def test_total_gap_weighs_a_borderline_score_by_its_minimum(db_session, make_enterprise):
    firm = four_firms(make_enterprise)["borderline"]
    facts = facts_for_enterprise(db_session, firm, AS_OF)
    verdict = evaluate("hnte", facts, AS_OF, parameter_table(db_session))
    low, high = verdict.score["min"], verdict.score["max"]
    assert verdict.outcome == "borderline"
    assert low < 71 <= high
    assert total_gap(verdict) == pytest.approx((71 - low) / 71, abs=1e-6)


def test_the_statements_issued_are_the_same_for_10_and_100_firms(db_session, make_enterprise):
    def add(n: int) -> None:
        for _ in range(n):
            make_enterprise(figures=strong_years(), **STRONG_FIELDS)

    def counted_run(incremental_run: bool) -> int:
        with StatementCounter(db_session.connection()) as counter:
            run_screening(db_session, as_of=AS_OF, now=NOW, incremental_run=incremental_run)
        return counter.count

    add(10)
    run_screening(db_session, as_of=AS_OF, now=NOW)  # seeds parameters; later runs diff
    with_10 = counted_run(False)
    add(90)
    with_100 = counted_run(False)
    assert with_10 == with_100, (with_10, with_100)
    # parameters 2, previous run 2, ids 1, windows 1, facts 4, certificates 1, insert 1, run 2,
    # the 培育库's stored counts 1, one UPDATE invalidating the cached dashboard figures
    # (dashboard.invalidation), and the fact-change log read and consumed 2 (screening.changes)
    assert with_100 <= 16 + 2
    # Incremental: 90 firms carried forward (one INSERT … SELECT per rule set), 10 new ones.
    add(10)
    # + how many verdicts may hold, + the batch's previous fingerprints, + 3 copies,
    # + the carried firms' certificates, + 3 first/renewal stamps of the carried verdicts
    # (+ the firms to examine, screening.carry.stale_firms; + the carried verdicts' outcome
    # counts and candidates, read in SQL, instead of the 100 firms' ids)
    assert counted_run(True) <= 16 + 2 + 3 + 1 + 3


def test_the_demo_hooks_seed_parameters_and_screen_every_firm(db_session, make_enterprise):
    four_firms(make_enterprise)
    assert seed_parameters(db_session, AS_OF) > 0
    screen_demo(db_session, AS_OF)
    listed = listing(db_session, CandidateFilters(rules="hnte"))
    assert listed.run.as_of == AS_OF
    assert listed.total == 4


def test_the_demo_run_of_today_is_not_stamped_in_the_future(db_session, make_enterprise):
    # It was stamped 18:00 UTC, shown as "02:00 tomorrow 完成" on the 培育库 page.
    four_firms(make_enterprise)
    seed_parameters(db_session, AS_OF)
    china_today = datetime.now(UTC).date() + timedelta(days=1)  # after 16:00 UTC it is
    screen_demo(db_session, china_today)
    run = listing(db_session, CandidateFilters(rules="hnte")).run
    assert run.finished_at <= datetime.now(UTC)
