"""Report answers on a random data set equal the pure computation (``tiers.tier_at`` per firm):
the funnel counts county-wide and narrowed (town, industry, advisor on the day), the dashboard's
cached figures, on days across the histories — with firms deleted, registered late or without a
registration date."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from reports_support import qualify
from sqlalchemy.orm import Session

from cultivation.dashboard.figures import compute_figures
from cultivation.enterprises.models import Enterprise
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.qualifications.tiers import TIERS, tier_at
from cultivation.reports.filters import ReportFilters
from cultivation.reports.funnel import funnel
from cultivation.reports.tiersql import tier_counts_on

KINDS = ["startup", "zj_tech_sme", "tech_sme", "hnte", "leading"]
TOWNS = ["安洲街道", "福应街道"]
DAYS = [date(2018, 6, 30), date(2020, 12, 31), date(2022, 1, 1), date(2023, 12, 31),
        date(2025, 7, 15)]


def _world(session: Session, make_enterprise: Any, make_user: Any
           ) -> tuple[list[Enterprise], Any, dict[int, tuple[date, date | None]]]:
    rng = random.Random(1212)
    advisor = make_user("advisor")
    firms, held = [], {}
    for n in range(70):
        registered = (None if rng.random() < 0.1
                      else date(2015, 1, 1) + timedelta(days=rng.randint(0, 3650)))
        firm = make_enterprise(town=rng.choice(TOWNS), registered_on=registered,
                               industry=rng.choice(["医药", "机械"]))
        for _ in range(rng.randint(0, 5)):
            start = date(2016, 1, 1) + timedelta(days=rng.randint(0, 3300))
            end = None if rng.random() < 0.2 else start + timedelta(days=rng.randint(0, 1400))
            extra: dict[str, Any] = {}
            if rng.random() < 0.2:
                extra = {"status": "revoked",
                         "revoked_on": start + timedelta(days=rng.randint(-30, 1000))}
            qualify(session, firm, rng.choice(KINDS), start, end, **extra)
        if rng.random() < 0.5:
            since = date(2017, 1, 1) + timedelta(days=rng.randint(0, 2500))
            until = None if rng.random() < 0.5 else since + timedelta(days=rng.randint(1, 900))
            session.add(PortfolioAssignment(enterprise_id=firm.id, advisor_id=advisor.id,
                                            started_on=since, ended_on=until))
            held[firm.id] = (since, until)
        if n % 9 == 0:
            firm.deleted_at = datetime(2024, 3, 1, tzinfo=UTC)
        firms.append(firm)
    session.flush()
    session.expire_all()
    return firms, advisor, held


def _pure(firms: list[Enterprise], day: date, keep: Any = lambda f: True) -> dict[str, int]:
    counts = Counter({t: 0 for t in TIERS})
    for firm in firms:
        if firm.deleted_at is not None or not keep(firm):
            continue
        if firm.registered_on is not None and firm.registered_on > day:
            continue
        counts[tier_at(firm.qualifications, day)] += 1
    return dict(counts)


def test_funnel_counts_equal_the_pure_tier_on_random_data(
        db_session: Session, make_enterprise: Any, make_user: Any) -> None:
    firms, advisor, held = _world(db_session, make_enterprise, make_user)
    county = tier_counts_on(db_session, DAYS)
    town = tier_counts_on(db_session, DAYS, ReportFilters(town=TOWNS[0]))
    industry = tier_counts_on(db_session, DAYS, ReportFilters(industry="机械"))
    mine = tier_counts_on(db_session, DAYS, ReportFilters(advisor_id=advisor.id))

    def in_portfolio(day: date) -> Any:
        def keep(firm: Enterprise) -> bool:
            since, until = held.get(firm.id, (None, None))
            return since is not None and since <= day and (until is None or until > day)
        return keep

    for day in DAYS:
        assert county[day] == _pure(firms, day), day
        assert town[day] == _pure(firms, day, lambda f: f.town == TOWNS[0]), day
        assert industry[day] == _pure(firms, day, lambda f: f.industry == "机械"), day
        assert mine[day] == _pure(firms, day, in_portfolio(day)), day
        result = funnel(db_session, day)
        assert result.current.counts == _pure(firms, day)


def test_the_dashboard_figures_count_tiers_as_the_pure_function(
        db_session: Session, make_enterprise: Any, make_user: Any) -> None:
    firms, _, _ = _world(db_session, make_enterprise, make_user)
    day = date(2025, 7, 15)
    figures = compute_figures(db_session, day)
    assert figures.tier_counts == _pure(firms, day)
    trend = {s["tier"]: s["data"][-1] for s in figures.charts["trend"]["series"]}
    assert trend == {t: n for t, n in _pure(firms, day).items() if t != "none"}


def test_funnel_counts_follow_registration_and_deletion_changes_made_after_the_certificates(
        db_session: Session, make_enterprise: Any, make_user: Any) -> None:
    """The spans carry each firm's registration date and deletion: moving the one, clearing
    it, deleting and restoring firms after their certificates were written changes the
    counts exactly as the pure computation says, on every day."""
    firms, advisor, held = _world(db_session, make_enterprise, make_user)
    rng = random.Random(1213)
    for _ in range(3):
        for firm in rng.sample(firms, 30):
            roll = rng.random()
            if roll < 0.4:
                firm.registered_on = date(2015, 1, 1) + timedelta(days=rng.randint(0, 4000))
            elif roll < 0.5:
                firm.registered_on = None
            else:
                firm.deleted_at = (None if firm.deleted_at is not None
                                   else datetime(2026, 1, 5, tzinfo=UTC))
        db_session.flush()
        county = tier_counts_on(db_session, DAYS)
        town = tier_counts_on(db_session, DAYS, ReportFilters(town=TOWNS[0]))
        for day in DAYS:
            assert county[day] == _pure(firms, day), day
            assert town[day] == _pure(firms, day, lambda f: f.town == TOWNS[0]), day
            assert funnel(db_session, day).previous.counts == _pure(
                firms, date(day.year - 1, day.month, day.day)), day
