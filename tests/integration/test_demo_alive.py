"""The demo is alive on the day it is loaded (issue 9 §4): history played forward to the load
date, stable counts for the next 120 days, calibration kept, dated listed / above-scale flags."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cultivation.demo.firms import scaled
from cultivation.demo.generator import build_plan
from cultivation.demo.services import load_demo
from cultivation.enterprises.flags import flag_on
from cultivation.enterprises.models import Enterprise, EnterpriseFlag, FiscalYearFigures
from cultivation.qualifications.models import Qualification, RDInstitution
from cultivation.qualifications.queries import in_force_on
from cultivation.regions import load_region
from cultivation.reports.coverage import coverage_at
from cultivation.reports.tiersql import tier_counts_on

PLAN_HNTE_2025 = 90  # cultivation/reports/plans/14th.yaml, for 800 firms


def hnte_valid(session: Session, day: date) -> int:
    return session.scalar(select(func.count()).select_from(Qualification).where(
        Qualification.kind == "hnte", in_force_on(day))) or 0


def ladder(session: Session, day: date) -> tuple[int, int]:
    counts = tier_counts_on(session, [day])[day]
    return counts["tech_sme"], counts["hnte"] + counts["leading"]


@pytest.mark.parametrize("as_of", [date(2026, 12, 6), date(2026, 9, 1), date(2027, 5, 20)])
def test_counts_hold_for_120_days_after_the_load_date(db_session: Session, as_of: date) -> None:
    load_demo(db_session, firms=800, seed=2026, today=as_of, seeders=[])
    tech, hnte = ladder(db_session, as_of)
    for offset in (2, 30, 60, 90, 120):
        later_tech, later_hnte = ladder(db_session, as_of + timedelta(days=offset))
        assert abs(later_tech - tech) < 0.15 * tech, (offset, tech, later_tech)
        assert abs(later_hnte - hnte) < 0.15 * hnte, (offset, hnte, later_hnte)
    assert hnte_valid(db_session, as_of) >= scaled(PLAN_HNTE_2025, 800)
    # calibration stays exact whatever the load date
    assert hnte_valid(db_session, date(2020, 12, 31)) == 48
    assert hnte_valid(db_session, date(2025, 12, 31)) == 90
    # institutions keep being recognised after the plan period, never after the load date
    recognised = db_session.scalars(select(RDInstitution.recognized_on)).all()
    assert max(recognised) <= as_of
    if as_of.year > 2026:
        assert any(d.year == 2026 for d in recognised)
    # figures up to the last closed fiscal year, never later
    last = db_session.scalar(select(func.max(FiscalYearFigures.year)))
    assert last == max(2025, as_of.year - 1)


def test_the_plan_is_deterministic_per_seed_and_load_date() -> None:
    region = load_region()
    one = build_plan(120, 5, region, date(2027, 3, 1))
    two = build_plan(120, 5, region, date(2027, 3, 1))
    assert one.qualifications == two.qualifications
    assert one.figures == two.figures
    assert one.flags == two.flags
    earlier = build_plan(120, 5, region, date(2026, 3, 1))
    # playing further forward adds years; it never rewrites the years already played
    old = [r for r in earlier.qualifications if r["valid_from"] <= date(2025, 12, 31)]
    new = [r for r in one.qualifications if r["valid_from"] <= date(2025, 12, 31)]
    assert [(r["firm"], r["kind"], r["valid_from"]) for r in old] == [
        (r["firm"], r["kind"], r["valid_from"]) for r in new]


def test_announced_lists_are_marked_and_past_reports_use_past_flags(db_session: Session) -> None:
    as_of = date(2026, 12, 6)
    load_demo(db_session, firms=800, seed=2026, today=as_of, seeders=[])
    future = db_session.scalars(select(Qualification).where(
        Qualification.valid_from > as_of)).all()
    assert future
    assert all((q.note or "").startswith("已公示") for q in future)
    assert db_session.scalar(select(func.count()).select_from(EnterpriseFlag)) > 800
    above_now = db_session.scalar(select(func.count()).select_from(Enterprise)
                                  .where(Enterprise.above_scale.is_(True)))
    above_2020 = db_session.scalar(select(func.count()).select_from(Enterprise)
                                   .where(flag_on("above_scale", date(2020, 6, 30))))
    listed_now = db_session.scalar(select(func.count()).select_from(Enterprise)
                                   .where(flag_on("listed", as_of)))
    listed_2012 = db_session.scalar(select(func.count()).select_from(Enterprise)
                                    .where(flag_on("listed", date(2012, 1, 1))))
    assert above_2020 < above_now
    assert listed_2012 < listed_now
    assert coverage_at(db_session, date(2012, 1, 1)).populations["listed"].population == (
        listed_2012)
