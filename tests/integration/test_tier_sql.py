"""The set-based tier SQL agrees with the pure function, at interval edges."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cultivation.enterprises.models import Enterprise
from cultivation.qualifications.models import Qualification
from cultivation.qualifications.queries import enterprises_with_tier, tier_code
from cultivation.qualifications.tiers import tier_at
from cultivation.reports.tiersql import tier_counts_on


def _sql_tiers(session: Session, day: date) -> dict[int, str]:
    ranks, rank_col = enterprises_with_tier(day)
    stmt = select(Enterprise.id, tier_code(rank_col)).outerjoin(
        ranks, ranks.c.enterprise_id == Enterprise.id
    )
    return dict(session.execute(stmt).all())


@pytest.fixture
def firms(db_session: Session, make_enterprise: Any) -> list[Enterprise]:
    a, b, c, d = (make_enterprise() for _ in range(4))
    db_session.add_all(
        [
            Qualification(
                enterprise_id=a.id,
                kind="hnte",
                valid_from=date(2020, 12, 1),
                valid_to=date(2023, 11, 30),
            ),
            Qualification(
                enterprise_id=a.id,
                kind="zj_tech_sme",
                valid_from=date(2019, 1, 1),
                valid_to=date(2024, 12, 31),
            ),
            Qualification(
                enterprise_id=b.id,
                kind="tech_sme",
                valid_from=date(2021, 5, 1),
                valid_to=date(2022, 4, 30),
            ),
            Qualification(
                enterprise_id=c.id,
                kind="hnte",
                valid_from=date(2021, 1, 1),
                valid_to=date(2023, 12, 31),
                status="revoked",
                revoked_on=date(2022, 3, 15),
            ),
            Qualification(
                enterprise_id=c.id, kind="leading", valid_from=date(2022, 1, 1), valid_to=None
            ),
        ]
    )
    db_session.flush()
    return [a, b, c, d]


EDGE_DAYS = [
    date(2018, 12, 31),
    date(2019, 1, 1),
    date(2020, 11, 30),
    date(2020, 12, 1),
    date(2021, 4, 30),
    date(2021, 5, 1),
    date(2022, 3, 14),
    date(2022, 3, 15),
    date(2022, 4, 30),
    date(2022, 5, 1),
    date(2023, 11, 30),
    date(2023, 12, 1),
    date(2024, 12, 31),
    date(2025, 1, 1),
]


@pytest.mark.parametrize("day", EDGE_DAYS)
def test_sql_tier_matches_the_pure_function_on_edge_days(
    db_session: Session, firms: list[Enterprise], day: date
) -> None:
    sql = _sql_tiers(db_session, day)
    for firm in firms:
        db_session.refresh(firm)
        assert sql[firm.id] == tier_at(firm.qualifications, day), (firm.id, day)


def test_tier_counts_group_every_live_firm_once(
    db_session: Session, firms: list[Enterprise]
) -> None:
    day = date(2022, 3, 15)
    counts = tier_counts_on(db_session, [day])[day]
    assert counts == {"none": 1, "startup": 0, "tech_sme": 1, "hnte": 1, "leading": 1}
    firms[3].deleted_at = firms[3].created_at + timedelta(days=1)
    db_session.flush()
    after = tier_counts_on(db_session, [day])[day]
    assert after == {**counts, "none": 0}


def test_the_funnel_the_dashboards_and_the_digest_count_tiers_alike(
    db_session: Session, firms: list[Enterprise], make_user: Any
) -> None:
    from cultivation.dashboard.advisor import tier_counts as panel_counts
    from cultivation.portfolios.models import PortfolioAssignment
    from cultivation.reminders.leader_digest import leader_summary
    from cultivation.reports.filters import ReportFilters
    from cultivation.reports.funnel import funnel

    day = date(2022, 3, 15)
    leader, advisor = make_user("leader"), make_user("advisor")
    db_session.add_all(PortfolioAssignment(enterprise_id=f.id, advisor_id=advisor.id,
                                           started_on=date(2020, 1, 1)) for f in firms[:2])
    db_session.flush()
    county = funnel(db_session, day).current.counts
    assert panel_counts(db_session, leader, day) == county
    assert [n for _, n in leader_summary(db_session, day).tiers] == list(county.values())
    mine = panel_counts(db_session, advisor, day)
    assert mine == tier_counts_on(db_session, [day], ReportFilters(advisor_id=advisor.id))[day]
    assert sum(mine.values()) == 2
