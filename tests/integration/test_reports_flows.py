"""Tier flows, cohorts and time in tier from the SQL interval chain agree with the pure
tier history, on hand-made and on random histories."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from reports_support import count_statements, qualify
from sqlalchemy.orm import Session

from cultivation.enterprises.models import Enterprise
from cultivation.qualifications.tiers import TIER_RANK, effective_end, tier_history
from cultivation.reports.filters import ReportFilters
from cultivation.reports.flows import cohorts, flows_by_year, flows_report, time_in_tier

AS_OF = date(2025, 6, 30)


@pytest.fixture
def climber(db_session: Session, make_enterprise: Any) -> Enterprise:
    """startup 2019 → 科小 2020 → 高企 2021-12 → 高企 revoked 2023-05 (back to 科小)."""
    firm = make_enterprise()
    qualify(db_session, firm, "startup", date(2019, 3, 1), date(2020, 12, 31))
    qualify(db_session, firm, "zj_tech_sme", date(2020, 6, 1), None)
    qualify(db_session, firm, "hnte", date(2021, 12, 1), date(2024, 11, 30),
            status="revoked", revoked_on=date(2023, 5, 10))
    return firm


def test_a_climbing_firm_enters_and_leaves_each_tier_in_the_right_year(
    db_session: Session, climber: Enterprise
) -> None:
    years = {f.year: f for f in flows_by_year(db_session, AS_OF)}
    assert years[2019].tiers["startup"].entered == 1
    assert years[2020].tiers["tech_sme"].entered == 1
    assert years[2020].tiers["startup"].left_up == 1
    assert years[2021].tiers["hnte"].entered == 1
    assert years[2021].tiers["tech_sme"].left_up == 1
    assert years[2023].tiers["hnte"].left_revoked == 1
    assert years[2023].tiers["tech_sme"].fell_into == 1
    assert years[2023].regressions == 1
    assert sorted(years) == [2019, 2020, 2021, 2023]


def test_an_expired_certificate_counts_as_lapsed_not_revoked(
    db_session: Session, make_enterprise: Any
) -> None:
    firm = make_enterprise()
    qualify(db_session, firm, "hnte", date(2020, 12, 1), date(2023, 11, 30))
    years = {f.year: f for f in flows_by_year(db_session, AS_OF)}
    assert years[2023].tiers["hnte"].left_lapsed == 1
    assert years[2023].tiers["hnte"].left_revoked == 0
    assert years[2023].regressions == 1


def test_changes_after_the_as_of_date_are_not_counted(
    db_session: Session, climber: Enterprise
) -> None:
    before = flows_by_year(db_session, date(2022, 12, 31))
    qualify(db_session, climber, "leading", date(2023, 1, 1), None)
    assert flows_by_year(db_session, date(2022, 12, 31)) == before


def test_cohorts_count_firms_reaching_hnte_within_one_two_three_years(
    db_session: Session, climber: Enterprise, make_enterprise: Any
) -> None:
    slow = make_enterprise()
    qualify(db_session, slow, "zj_tech_sme", date(2020, 12, 28), None)
    qualify(db_session, slow, "hnte", date(2023, 12, 1), None)
    never = make_enterprise()
    qualify(db_session, never, "tech_sme", date(2020, 5, 1), date(2021, 4, 30))
    skipped = make_enterprise()  # 高企 first, 科小 only after losing it: not in a cohort
    qualify(db_session, skipped, "hnte", date(2019, 1, 1), date(2021, 12, 31))
    qualify(db_session, skipped, "zj_tech_sme", date(2019, 1, 1), None)

    (c2020,) = cohorts(db_session, AS_OF)
    assert c2020.year == 2020
    assert c2020.size == 3
    assert c2020.reached == (1, 1, 2)
    assert c2020.reached_ever == 2
    assert c2020.share(3) == pytest.approx(2 / 3)
    assert c2020.complete == (True, True, True)
    assert cohorts(db_session, date(2022, 6, 30))[0].complete == (True, False, False)


def test_median_time_in_tier_uses_completed_stays(
    db_session: Session, make_enterprise: Any
) -> None:
    for days in (100, 200, 400, 1000):
        firm = make_enterprise()
        qualify(db_session, firm, "startup", date(2020, 1, 1),
                date(2020, 1, 1) + timedelta(days=days - 1))
    still = make_enterprise()
    qualify(db_session, still, "startup", date(2024, 1, 1), None)
    stats = {t.tier: t for t in time_in_tier(db_session, AS_OF)}
    assert stats["startup"].completed == 4
    assert stats["startup"].median_days == 300
    assert stats["startup"].ongoing == 1
    assert stats["hnte"].median_days is None


def test_filters_apply_to_flows(db_session: Session, climber: Enterprise,
                                make_enterprise: Any) -> None:
    elsewhere = make_enterprise(town="白塔镇")
    qualify(db_session, elsewhere, "startup", date(2019, 5, 1), None)
    all_firms = {f.year: f for f in flows_by_year(db_session, AS_OF)}
    town = {f.year: f for f in flows_by_year(db_session, AS_OF, ReportFilters(town="白塔镇"))}
    assert all_firms[2019].tiers["startup"].entered == 2
    assert town[2019].tiers["startup"].entered == 1
    assert set(town) == {2019}


KINDS = ["startup", "zj_tech_sme", "tech_sme", "hnte", "leading"]


def _random_history(rng: random.Random, session: Session, firm: Enterprise) -> None:
    for _ in range(rng.randint(0, 5)):
        start = date(2017, 1, 1) + timedelta(days=rng.randint(0, 3000))
        end = None if rng.random() < 0.2 else start + timedelta(days=rng.randint(0, 1500))
        extra: dict[str, Any] = {}
        if rng.random() < 0.2:
            extra = {"status": "revoked",
                     "revoked_on": None if rng.random() < 0.1
                     else start + timedelta(days=rng.randint(0, 1200))}
        qualify(session, firm, rng.choice(KINDS), start, end, **extra)


def _expected_changes(firms: list[Enterprise], as_of: date) -> Counter[tuple[int, int, int, str]]:
    expected: Counter[tuple[int, int, int, str]] = Counter()
    for firm in firms:
        prev = 0
        for interval in tier_history(firm.qualifications):
            if interval.start > as_of:
                break
            rank = TIER_RANK[interval.tier]
            if rank > prev:
                why = "up"
            else:
                revoked = any(
                    q.status == "revoked" and TIER_RANK.get(
                        {"zj_tech_sme": "tech_sme"}.get(q.kind, q.kind), 0) == prev
                    and (effective_end(q) or date.max) + timedelta(days=1) == interval.start
                    and (q.revoked_on or q.valid_from) == interval.start
                    for q in firm.qualifications)
                why = "revoked" if revoked else "lapsed"
            expected[(interval.start.year, prev, rank, why)] += 1
            prev = rank
    return expected


@pytest.mark.parametrize("seed", [20250630, 7, 1949])
def test_random_histories_match_the_pure_tier_history(
    db_session: Session, make_enterprise: Any, seed: int
) -> None:
    rng = random.Random(seed)
    firms = [make_enterprise() for _ in range(60)]
    for firm in firms:
        _random_history(rng, db_session, firm)
    for firm in firms:
        db_session.refresh(firm)
    expected = _expected_changes(firms, AS_OF)

    got: Counter[tuple[int, int, int, str]] = Counter()
    ranks = {t: TIER_RANK[t] for t in TIER_RANK}
    for flows in flows_by_year(db_session, AS_OF):
        for tier, flow in flows.tiers.items():
            got[(flows.year, -1, ranks[tier], "in")] += flow.entered + flow.fell_into
            got[(flows.year, ranks[tier], -1, "out")] += flow.left
    exp_in: Counter[tuple[int, int, int, str]] = Counter()
    for (year, prev, rank, _why), n in expected.items():
        if rank > 0:
            exp_in[(year, -1, rank, "in")] += n
        if prev > 0:
            exp_in[(year, prev, -1, "out")] += n
    assert +got == +exp_in
    assert sum(exp_in.values()) > 60  # the random histories do move firms around
    revoked = sum(n for (_, _, _, why), n in expected.items() if why == "revoked")
    assert revoked > 0
    assert revoked == sum(f.left_revoked for y in flows_by_year(db_session, AS_OF)
                          for f in y.tiers.values())


def test_flow_reports_issue_a_fixed_number_of_statements(
    db_session: Session, make_enterprise: Any
) -> None:
    rng = random.Random(7)

    def statements_for(n: int) -> int:
        for _ in range(n):
            _random_history(rng, db_session, make_enterprise())
        with count_statements() as log:
            flows_by_year(db_session, AS_OF)
            cohorts(db_session, AS_OF)
            time_in_tier(db_session, AS_OF)
        return log.count

    assert statements_for(3) == statements_for(30) == 3


def test_the_one_statement_page_report_equals_the_three_reports(
    db_session: Session, make_enterprise: Any
) -> None:
    rng = random.Random(11)
    for _ in range(40):
        _random_history(rng, db_session, make_enterprise())
    with count_statements() as log:
        report = flows_report(db_session, AS_OF)
    assert log.count == 1
    assert report.flows == flows_by_year(db_session, AS_OF)
    assert report.cohorts == cohorts(db_session, AS_OF)
    assert report.times == time_in_tier(db_session, AS_OF)
    assert report.cohorts
    assert any(t.median_days for t in report.times)
