"""三覆盖 coverage at a date: populations, covered firms, uncovered lists, breakdowns, snapshots."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from reports_support import count_statements, institute, qualify
from sqlalchemy import select
from sqlalchemy.orm import Session

from cultivation.portfolios.models import PortfolioAssignment
from cultivation.reports.coverage import (
    coverage_at,
    coverage_by_advisor,
    coverage_by_town,
)
from cultivation.reports.coverage_trend import coverage_trend
from cultivation.reports.models import CoverageSnapshot
from cultivation.reports.snapshots import take_coverage_snapshot

D = date(2025, 6, 30)


@pytest.fixture
def county(db_session: Session, make_enterprise: Any, make_user: Any) -> dict[str, Any]:
    adv = make_user("advisor", display_name="王指导")
    f: dict[str, Any] = {
        "L1": make_enterprise(listed=True, town="安洲街道"),
        "L2": make_enterprise(listed=True, town="横溪镇", advisor=adv),
        "L3": make_enterprise(listed=True, town="横溪镇"),
        "H1": make_enterprise(above_scale=True, advisor=adv),
        "H2": make_enterprise(above_scale=True),
        "H3": make_enterprise(above_scale=True, town="白塔镇", advisor=adv),
        "S1": make_enterprise(above_scale=True),
        "N1": make_enterprise(above_scale=False),
        "gone": make_enterprise(above_scale=True, deleted_at=datetime(2025, 1, 1, tzinfo=UTC)),
    }
    institute(db_session, f["L1"], "provincial_institute", date(2022, 12, 1))
    institute(db_session, f["L2"], "municipal_hnte_center", date(2021, 12, 1))
    institute(db_session, f["L3"], "provincial_key_institute", date(2021, 12, 1),
              revoked=date(2025, 1, 1))
    for key in ("H1", "H2", "N1", "gone"):
        qualify(db_session, f[key], "hnte", date(2023, 12, 1), date(2026, 11, 30))
    qualify(db_session, f["H3"], "hnte", date(2021, 12, 1), date(2024, 11, 30))
    qualify(db_session, f["H3"], "zj_tech_sme", date(2022, 1, 1), None)
    qualify(db_session, f["S1"], "startup", date(2022, 1, 1), None)
    institute(db_session, f["H1"], "municipal_hnte_center", date(2024, 1, 1))
    institute(db_session, f["H2"], "tech_center", date(2024, 1, 1))
    institute(db_session, f["H3"], "provincial_hnte_center", date(2025, 7, 1))  # after D
    institute(db_session, f["gone"], "in_house", date(2024, 1, 1))
    f["advisor"] = adv
    return f


def test_each_population_counts_covered_firms_by_its_own_rule(
    db_session: Session, county: dict[str, Any]
) -> None:
    report = coverage_at(db_session, D).as_json()
    code = {k: v.credit_code for k, v in county.items() if k != "advisor"}
    assert report["listed"] == {"population": 3, "covered": 1, "rate": pytest.approx(1 / 3),
                                "uncovered": sorted([code["L2"], code["L3"]])}
    assert report["above_scale_hnte"] == {"population": 2, "covered": 1, "rate": 0.5,
                                          "uncovered": [code["H2"]]}
    assert report["above_scale_tech"] == {"population": 3, "covered": 2,
                                          "rate": pytest.approx(2 / 3), "uncovered": [code["H3"]]}
    assert report["as_of"] == "2025-06-30"


def test_institutions_count_only_between_recognition_and_revocation(
    db_session: Session, county: dict[str, Any]
) -> None:
    earlier = coverage_at(db_session, date(2024, 6, 30)).populations["listed"]
    assert (earlier.population, earlier.covered) == (3, 2)  # L3 not yet revoked
    later = coverage_at(db_session, date(2025, 7, 1)).populations["above_scale_tech"]
    assert later.covered == 3  # H3's centre counts from its recognition day


def test_an_empty_population_has_no_rate(db_session: Session) -> None:
    report = coverage_at(db_session, D)
    assert report.populations["listed"].as_json() == {
        "population": 0, "covered": 0, "rate": None, "uncovered": []}


def test_uncovered_firms_carry_town_advisor_and_their_gaps(
    db_session: Session, county: dict[str, Any]
) -> None:
    rows = {f.credit_code: f for f in coverage_at(db_session, D).uncovered}
    h3 = rows[county["H3"].credit_code]
    assert (h3.town, h3.advisor_name, h3.gaps) == ("白塔镇", "王指导", ("above_scale_tech",))
    assert rows[county["L3"].credit_code].advisor is None
    assert len(rows) == 4


def test_breakdowns_by_town_and_advisor_add_up_to_the_totals(
    db_session: Session, county: dict[str, Any]
) -> None:
    towns = {g.label: g for g in coverage_by_town(db_session, D)}
    assert towns["横溪镇"].counts["listed"] == (2, 0)
    assert towns["白塔镇"].counts["above_scale_tech"] == (1, 0)
    advisors = {g.label: g for g in coverage_by_advisor(db_session, D)}
    assert advisors["王指导"].counts == {"listed": (1, 0), "above_scale_hnte": (1, 1),
                                         "above_scale_tech": (2, 1)}
    assert advisors["未分配"].counts["listed"] == (2, 1)
    for groups in (towns.values(), advisors.values()):
        assert sum(g.counts["above_scale_tech"][0] for g in groups) == 3


def test_the_advisor_breakdown_follows_the_portfolio_on_that_date(
    db_session: Session, county: dict[str, Any], make_user: Any
) -> None:
    new = make_user("advisor", display_name="李指导")
    old = db_session.scalar(select(PortfolioAssignment).where(
        PortfolioAssignment.enterprise_id == county["H3"].id))
    old.ended_on = date(2025, 7, 1)
    db_session.add(PortfolioAssignment(enterprise_id=county["H3"].id, advisor_id=new.id,
                                       started_on=date(2025, 7, 1)))
    db_session.flush()
    at_d = {g.label for g in coverage_by_advisor(db_session, D)}
    assert "李指导" not in at_d
    later = {g.label: g for g in coverage_by_advisor(db_session, date(2025, 8, 1))}
    assert later["李指导"].counts["above_scale_tech"] == (1, 1)


def test_a_snapshot_stores_today_once_and_feeds_the_trend(
    db_session: Session, county: dict[str, Any]
) -> None:
    now = datetime(2025, 6, 29, 20, 0, tzinfo=UTC)  # 2025-06-30 04:00 in Shanghai
    take_coverage_snapshot(db_session, now, timezone="Asia/Shanghai")
    take_coverage_snapshot(db_session, now, timezone="Asia/Shanghai")
    rows = db_session.scalars(select(CoverageSnapshot)).all()
    assert len(rows) == 3
    assert {r.taken_on for r in rows} == {D}
    listed = next(r for r in rows if r.kind == "listed")
    assert (listed.population, listed.covered) == (3, 1)
    assert listed.by_town == {"安洲街道": [1, 1], "横溪镇": [2, 0]}
    trend = coverage_trend(db_session, date(2025, 1, 1), D)
    assert [(p.kind, p.rate) for p in trend if p.kind == "above_scale_hnte"] == [
        ("above_scale_hnte", 0.5)]


def test_coverage_issues_the_same_few_statements_for_5_or_50_firms(
    db_session: Session, make_enterprise: Any
) -> None:
    def statements_for(n: int) -> int:
        for i in range(n):
            firm = make_enterprise(above_scale=True, listed=i % 3 == 0)
            qualify(db_session, firm, "hnte", date(2024, 1, 1), None)
            if i % 2:
                institute(db_session, firm, "in_house", date(2024, 1, 1))
        with count_statements() as log:
            coverage_at(db_session, D)
            coverage_by_advisor(db_session, D)
        return log.count

    assert statements_for(5) == statements_for(45) == 3


def test_a_former_hnte_center_still_covers_after_the_programme_closed(
    db_session: Session, make_enterprise: Any
) -> None:
    # 浙经信高新〔2025〕169号 stopped new 研发中心 recognitions; existing centres still exist.
    firm = make_enterprise(above_scale=True)
    qualify(db_session, firm, "hnte", date(2024, 12, 1), date(2027, 11, 30))
    institute(db_session, firm, "provincial_hnte_center", date(2023, 12, 1))
    report = coverage_at(db_session, date(2026, 6, 30))
    for key in ("above_scale_hnte", "above_scale_tech"):
        assert report.populations[key].covered == 1, key
