"""The stage funnel counts firms by exact tier at a date, reproducibly, with filters."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from reports_support import count_statements, qualify
from sqlalchemy import event
from sqlalchemy.orm import Session

from cultivation.portfolios.models import PortfolioAssignment
from cultivation.reports.filters import ReportFilters
from cultivation.reports.funnel import funnel, year_end_series
from cultivation.reports.tiersql import tier_counts_on

D = date(2024, 6, 30)


@pytest.fixture
def ladder(db_session: Session, make_enterprise: Any) -> dict[str, Any]:
    """Six firms whose tiers on 2024-06-30 and 2023-06-30 are known by hand."""
    none = make_enterprise(town="横溪镇")
    startup = make_enterprise(town="横溪镇", industry="医疗器械")
    sme = make_enterprise()
    hnte = make_enterprise()
    lapsed = make_enterprise()
    revoked = make_enterprise()
    qualify(db_session, startup, "startup", date(2023, 1, 1), date(2025, 12, 31))
    qualify(db_session, sme, "tech_sme", date(2024, 1, 1), date(2024, 12, 31))
    qualify(db_session, sme, "zj_tech_sme", date(2022, 12, 28), date(2023, 12, 27))
    qualify(db_session, hnte, "hnte", date(2023, 12, 1), date(2026, 11, 30))
    qualify(db_session, hnte, "zj_tech_sme", date(2021, 1, 1), None)
    qualify(db_session, lapsed, "hnte", date(2020, 12, 1), date(2023, 11, 30))
    qualify(db_session, revoked, "hnte", date(2022, 12, 1), date(2025, 11, 30),
            status="revoked", revoked_on=date(2024, 3, 1))
    return {"none": none, "startup": startup, "sme": sme, "hnte": hnte, "lapsed": lapsed,
            "revoked": revoked}


def test_funnel_counts_each_firm_once_in_its_exact_tier(
    db_session: Session, ladder: dict[str, Any]
) -> None:
    result = funnel(db_session, D)
    assert result.current.counts == {"none": 3, "startup": 1, "tech_sme": 1, "hnte": 1,
                                     "leading": 0}
    assert result.current.total == 6


def test_funnel_compares_with_the_same_day_a_year_earlier(
    db_session: Session, ladder: dict[str, Any]
) -> None:
    result = funnel(db_session, D)
    assert result.previous.as_of == date(2023, 6, 30)
    # 2023-06-30: startup 1; sme (zj) 1; hnte firm holds zj 科小 only; lapsed and revoked are 高企.
    assert result.previous.counts == {"none": 1, "startup": 1, "tech_sme": 2, "hnte": 2,
                                      "leading": 0}
    rows = {r["tier"]: r for r in result.rows}
    assert rows["hnte"]["change"] == -1
    assert rows["tech_sme"]["at_or_above"] == 2


def test_funnel_json_has_all_five_tiers_filters_and_the_previous_year(
    db_session: Session, ladder: dict[str, Any]
) -> None:
    body = funnel(db_session, D).as_json()
    assert body["as_of"] == "2024-06-30"
    assert [t["tier"] for t in body["tiers"]] == ["none", "startup", "tech_sme", "hnte", "leading"]
    assert body["previous_year"]["as_of"] == "2023-06-30"
    assert body["filters"] == {"town": None, "industry": None, "advisor": None}


def test_rerunning_a_past_date_after_later_edits_gives_the_same_numbers(
    db_session: Session, ladder: dict[str, Any], make_enterprise: Any
) -> None:
    before = funnel(db_session, D).as_json()
    # Later history: new qualifications after D, a revocation after D, a firm founded after D.
    qualify(db_session, ladder["none"], "hnte", date(2024, 7, 1), date(2027, 6, 30))
    qualify(db_session, ladder["startup"], "leading", date(2024, 12, 1), None)
    ladder["hnte"].qualifications[0].status = "revoked"
    ladder["hnte"].qualifications[0].revoked_on = date(2024, 9, 1)
    make_enterprise(registered_on=date(2024, 8, 1))
    db_session.flush()
    assert funnel(db_session, D).as_json() == before
    assert funnel(db_session, date(2024, 12, 31)).current.counts["leading"] == 1


def test_deleted_firms_and_firms_not_yet_registered_are_left_out(
    db_session: Session, ladder: dict[str, Any], make_enterprise: Any
) -> None:
    ladder["hnte"].deleted_at = datetime(2025, 1, 1, tzinfo=UTC)
    make_enterprise(registered_on=date(2025, 1, 1))
    make_enterprise(registered_on=None)
    db_session.flush()
    counts = funnel(db_session, D).current.counts
    assert counts["hnte"] == 0
    assert counts["none"] == 4


def test_filters_narrow_by_town_industry_and_the_advisors_portfolio_on_that_date(
    db_session: Session, ladder: dict[str, Any], make_user: Any
) -> None:
    town = funnel(db_session, D, ReportFilters(town="横溪镇")).current.counts
    assert town == {"none": 1, "startup": 1, "tech_sme": 0, "hnte": 0, "leading": 0}
    industry = funnel(db_session, D, ReportFilters(industry="医疗器械")).current.counts
    assert sum(industry.values()) == 1
    assert industry["startup"] == 1

    advisor = make_user("advisor")
    other = make_user("advisor")
    db_session.add_all([
        # hnte firm: with this advisor until 2024-01-01, then handed over.
        PortfolioAssignment(enterprise_id=ladder["hnte"].id, advisor_id=advisor.id,
                            started_on=date(2022, 1, 1), ended_on=date(2024, 1, 1)),
        PortfolioAssignment(enterprise_id=ladder["hnte"].id, advisor_id=other.id,
                            started_on=date(2024, 1, 1)),
        PortfolioAssignment(enterprise_id=ladder["sme"].id, advisor_id=advisor.id,
                            started_on=date(2023, 1, 1)),
    ])
    db_session.flush()
    mine = funnel(db_session, D, ReportFilters(advisor=advisor.username, advisor_id=advisor.id))
    assert mine.current.counts == {"none": 0, "startup": 0, "tech_sme": 1, "hnte": 0, "leading": 0}
    assert mine.previous.counts == {"none": 0, "startup": 0, "tech_sme": 2, "hnte": 0,
                                    "leading": 0}


def test_the_year_before_the_29th_of_february_is_the_28th(db_session: Session) -> None:
    assert funnel(db_session, date(2024, 2, 29)).previous.as_of == date(2023, 2, 28)


def test_year_end_series_uses_today_for_the_running_year(
    db_session: Session, ladder: dict[str, Any]
) -> None:
    series = year_end_series(db_session, [2022, 2023, 2024], today=D)
    assert series[2022]["hnte"] == 2  # lapsed + revoked hold 高企 on 2022-12-31
    assert series[2023]["hnte"] == 2  # hnte + revoked (lapsed ended 2023-11-30)
    assert series[2024] == funnel(db_session, D).current.counts


def test_the_funnel_is_one_statement_whatever_the_number_of_firms(
    db_session: Session, make_enterprise: Any
) -> None:
    def statements_for(n: int) -> int:
        for _ in range(n):
            qualify(db_session, make_enterprise(), "hnte", date(2023, 1, 1), None)
        with count_statements() as log:
            tier_counts_on(db_session, [D, date(2023, 6, 30), date(2022, 6, 30)])
        return log.count

    assert statements_for(5) == statements_for(45) == 1


def test_the_county_funnel_reads_the_spans_of_live_firms_once_whatever_the_number_of_days(
    db_session: Session, make_enterprise: Any
) -> None:
    """One pass over one index range of the spans (``ix_tier_spans_counted``), not one scan
    per day plus one for the firms registered late or deleted."""
    for n in range(4):
        qualify(db_session, make_enterprise(registered_on=date(2020 + n, 1, 1)), "hnte",
                date(2021, 1, 1), None)
    sent: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            sent.append((statement, parameters))

    conn = db_session.connection()
    event.listen(conn.engine, "before_cursor_execute", capture)
    try:
        tier_counts_on(db_session, [D, date(2023, 6, 30), date(2022, 6, 30), date(2021, 6, 30)])
    finally:
        event.remove(conn.engine, "before_cursor_execute", capture)
    ((statement, parameters),) = sent
    assert len(re.findall(r"\b(?:FROM|JOIN) tier_spans\b", statement)) == 1
    if conn.dialect.name == "postgresql":  # the tiny test tables would be read whole
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        conn.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
        explain = "EXPLAIN (COSTS OFF) "
    else:
        explain = "EXPLAIN QUERY PLAN "
    plan = "\n".join(str(row[-1]) for row in conn.exec_driver_sql(explain + statement,
                                                                   parameters))
    assert "ix_tier_spans_counted" in plan, plan
