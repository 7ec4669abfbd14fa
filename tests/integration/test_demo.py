"""``cultivation demo load`` and ``load_demo``: calibrated, idempotent, deterministic, bulk.

Calibration (domain.md §1, §4): with the default 800 firms exactly 48 高企 / 281 省科小 are in force
on 2020-12-31 and 90 / 450 on 2025-12-31; 8 省级企业研究院 / 24 省高新研发中心 by the end of 2020
and 15 / 48 by the end of 2025. Fewer firms scale every target by n / 800, rounded half up.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from cultivation.accounts.models import User
from cultivation.audit.models import AuditLog
from cultivation.demo.generator import build_plan
from cultivation.demo.people import DEMO_PASSWORD
from cultivation.demo.services import DemoSummary, load_demo
from cultivation.enterprises.credit_code import validate
from cultivation.enterprises.models import Enterprise, FiscalYearFigures
from cultivation.extensions import db
from cultivation.policy.rules.hnte import TECH_DOMAINS
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.qualifications.models import Qualification, RDInstitution
from cultivation.qualifications.queries import in_force_on
from cultivation.qualifications.spans import check_spans
from cultivation.regions import load_region
from cultivation.reports.tiersql import tier_counts_on
from cultivation.visits.models import Visit
from testkit import count_queries

TODAY = date(2026, 11, 28)
END_2020 = date(2020, 12, 31)
END_2025 = date(2025, 12, 31)
TABLES = (Enterprise, FiscalYearFigures, Qualification, RDInstitution, User,
          PortfolioAssignment, Visit, AuditLog)


def kind_counts(session: Session, day: date) -> dict[str, int]:
    """Qualifications in force on ``day`` per kind (one GROUP BY)."""
    rows = session.execute(
        select(Qualification.kind, func.count()).where(in_force_on(day))
        .group_by(Qualification.kind)
    )
    return {kind: n for kind, n in rows}


def institution_counts(session: Session, day: date) -> dict[str, int]:
    """R&D institutions recognised by ``day`` and not revoked by then, per kind."""
    rows = session.execute(
        select(RDInstitution.kind, func.count())
        .where(RDInstitution.recognized_on <= day,
               or_(RDInstitution.revoked_on.is_(None), RDInstitution.revoked_on > day))
        .group_by(RDInstitution.kind)
    )
    return {kind: n for kind, n in rows}


def row_counts(session: Session) -> dict[str, int]:
    return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0
            for m in TABLES}


def load(session: Session, firms: int = 50, seed: int = 7, **kwargs: Any) -> DemoSummary:
    """The core demo load (other concepts' seeders are tested separately below)."""
    kwargs.setdefault("seeders", [])
    return load_demo(session, firms=firms, seed=seed, today=TODAY, **kwargs)


def test_default_load_hits_the_plan_counts_exactly(db_session: Session) -> None:
    summary = load(db_session, firms=800, seed=2026)

    assert summary.firms == 800
    at_2020, at_2025 = kind_counts(db_session, END_2020), kind_counts(db_session, END_2025)
    assert (at_2020["hnte"], at_2020["zj_tech_sme"]) == (48, 281)
    assert (at_2025["hnte"], at_2025["zj_tech_sme"]) == (90, 450)
    assert 2 <= at_2025["leading"] <= 3
    counts = tier_counts_on(db_session, [END_2020, END_2025])
    tiers_2020, tiers_2025 = counts[END_2020], counts[END_2025]
    assert tiers_2020["hnte"] + tiers_2020["leading"] == 48
    assert tiers_2025["hnte"] + tiers_2025["leading"] == 90
    assert sum(tiers_2025.values()) == 800
    inst_2020, inst_2025 = institution_counts(db_session, END_2020), institution_counts(
        db_session, END_2025)
    assert (inst_2020["provincial_institute"], inst_2020["provincial_hnte_center"]) == (8, 24)
    assert (inst_2025["provincial_institute"], inst_2025["provincial_hnte_center"]) == (15, 48)
    assert {"municipal_hnte_center", "tech_center", "in_house"} <= set(inst_2025)
    assert check_spans(db_session).differing == 0  # bulk inserts refreshed the tier spans


def test_default_load_has_valid_unique_codes_in_configured_towns(db_session: Session) -> None:
    load(db_session, firms=800, seed=2026)
    region = load_region()

    firms = db_session.execute(
        select(Enterprise.credit_code, Enterprise.town, Enterprise.industry,
               Enterprise.tech_domain, Enterprise.name)
    ).all()
    codes = [f.credit_code for f in firms]
    assert len(set(codes)) == len(codes) == 800
    assert all(validate(c).ok and not validate(c).warnings for c in codes)
    assert all(c.startswith("91331024") for c in codes)
    assert {f.town for f in firms} == set(region.towns)
    assert {f.industry for f in firms} <= set(region.industries)
    assert {f.tech_domain for f in firms} - {None} <= set(TECH_DOMAINS)
    assert len({f.name for f in firms}) == 800
    assert all(f.name.startswith("仙居") and f.name.endswith("有限公司") for f in firms)


def test_listed_firms_leave_a_coverage_gap_and_above_scale_follows_sales(
        db_session: Session) -> None:
    load(db_session, firms=800, seed=2026)

    listed = db_session.scalars(select(Enterprise.id).where(Enterprise.listed)).all()
    with_institute = db_session.scalars(
        select(RDInstitution.enterprise_id)
        .where(RDInstitution.kind == "provincial_institute",
               RDInstitution.enterprise_id.in_(listed)).distinct()
    ).all()
    assert 6 <= len(listed) <= 8
    assert len(listed) // 2 < len(with_institute) < len(listed)
    latest = (
        select(FiscalYearFigures.enterprise_id, func.max(FiscalYearFigures.year).label("year"))
        .group_by(FiscalYearFigures.enterprise_id).subquery()
    )
    fy = aliased(FiscalYearFigures)
    mismatched = db_session.scalar(
        select(func.count()).select_from(Enterprise)
        .join(latest, latest.c.enterprise_id == Enterprise.id)
        .join(fy, (fy.enterprise_id == latest.c.enterprise_id) & (fy.year == latest.c.year))
        .where(Enterprise.above_scale != (fy.sales_revenue >= 2000))
    )
    assert mismatched == 0
    assert 150 < db_session.scalar(select(func.count()).where(Enterprise.above_scale)) < 500


@pytest.mark.parametrize("firms", [20, 400])
def test_the_load_takes_the_same_few_statements_whatever_the_size(db_session: Session,
                                                                   firms: int) -> None:
    with count_queries(db.engine) as queries:
        load(db_session, firms=firms)

    assert queries.count <= 25


def test_fewer_firms_scale_the_targets_proportionally(db_session: Session) -> None:
    load(db_session, firms=200)

    at_2020, at_2025 = kind_counts(db_session, END_2020), kind_counts(db_session, END_2025)
    # 48/4 = 12, 90/4 = 22.5 -> 23, 281/4 = 70.25 -> 70, 450/4 = 112.5 -> 113
    assert (at_2020["hnte"], at_2025["hnte"]) == (12, 23)
    assert (at_2020["zj_tech_sme"], at_2025["zj_tech_sme"]) == (70, 113)
    assert institution_counts(db_session, END_2020)["provincial_institute"] == 2


def test_a_second_load_adds_nothing(db_session: Session) -> None:
    first = load(db_session)
    before = row_counts(db_session)

    second = load(db_session)

    assert first.skipped is None
    assert first.firms == 50
    assert second.skipped == "演示数据已存在，未重复装入"
    assert row_counts(db_session) == before


def test_a_database_with_real_firms_is_left_alone(db_session: Session,
                                                  make_enterprise: Any) -> None:
    make_enterprise()

    summary = load(db_session)

    assert summary.skipped is not None
    assert "已有 1 家企业" in summary.skipped
    assert db_session.scalar(select(func.count()).select_from(Enterprise)) == 1
    assert db_session.scalar(select(func.count()).select_from(AuditLog)) == 0
    assert summary.logins == ()


def test_the_same_seed_gives_the_same_firms_and_another_seed_different_ones(
        db_session: Session) -> None:
    region = load_region()
    load(db_session, firms=60, seed=11)
    stored = db_session.scalars(select(Enterprise.credit_code).order_by(Enterprise.id)).all()

    again = build_plan(60, 11, region, TODAY)
    other = build_plan(60, 12, region, TODAY)

    assert stored == [f.credit_code for f in again.firms]
    assert again.figures == build_plan(60, 11, region, TODAY).figures
    assert set(stored).isdisjoint(f.credit_code for f in other.firms)
    assert [f.name for f in other.firms] != [f.name for f in again.firms]


def test_five_advisors_share_most_firms_with_handovers_kept(db_session: Session) -> None:
    load(db_session, firms=300)

    advisors = db_session.scalars(select(User).where(User.role == "advisor")).all()
    open_rows = db_session.execute(
        select(PortfolioAssignment.advisor_id, func.count())
        .where(PortfolioAssignment.ended_on.is_(None)).group_by(PortfolioAssignment.advisor_id)
    ).all()
    covered = sum(n for _, n in open_rows)
    assert sorted(u.username for u in advisors) == [f"advisor{i}" for i in range(1, 6)]
    assert all(u.email == f"{u.username}@example.com" and u.display_name != u.username
               for u in advisors)
    assert len(open_rows) == 5
    assert all(n > 10 for _, n in open_rows)
    assert covered >= 0.8 * 300
    successor = aliased(PortfolioAssignment)
    handovers = db_session.scalar(
        select(func.count()).select_from(PortfolioAssignment)
        .join(successor, (successor.enterprise_id == PortfolioAssignment.enterprise_id)
              & (successor.started_on == PortfolioAssignment.ended_on)
              & (successor.advisor_id != PortfolioAssignment.advisor_id))
    )
    assert handovers > 0


@pytest.mark.parametrize(("today", "years"), [
    (date(2026, 3, 31), []), (date(2026, 12, 6), [2026]), (date(2027, 5, 20), [2026, 2027])])
def test_portfolio_handovers_are_played_forward_to_the_load_date(
        db_session: Session, today: date, years: list[int]) -> None:
    load_demo(db_session, firms=300, seed=7, today=today, seeders=[])
    starts = set(db_session.scalars(
        select(PortfolioAssignment.started_on)
        .where(PortfolioAssignment.started_on > date(2025, 4, 1))
        .join(PortfolioAssignment.enterprise)
        .where(Enterprise.registered_on < PortfolioAssignment.started_on)))
    assert sorted({d for d in starts if (d.month, d.day) == (4, 1)}) == [
        date(y, 4, 1) for y in years]
    assert all(d <= today for d in starts)
    open_per_firm = db_session.execute(
        select(PortfolioAssignment.enterprise_id, func.count())
        .where(PortfolioAssignment.ended_on.is_(None))
        .group_by(PortfolioAssignment.enterprise_id).having(func.count() > 1)).all()
    assert open_per_firm == []  # one advisor at a time


def test_visits_are_by_the_advisor_in_charge_and_some_follow_ups_are_overdue(
        db_session: Session) -> None:
    load(db_session, firms=300)

    overdue = db_session.scalar(
        select(func.count()).select_from(Visit)
        .where(Visit.follow_up_done.is_(False), Visit.next_follow_up_on < TODAY)
    )
    upcoming = db_session.scalar(
        select(func.count()).select_from(Visit)
        .where(Visit.follow_up_done.is_(False), Visit.next_follow_up_on >= TODAY)
    )
    total = db_session.scalar(select(func.count()).select_from(Visit)) or 0
    wrong_advisor = db_session.scalar(
        select(func.count()).select_from(Visit)
        .where(~select(PortfolioAssignment.id).where(
            PortfolioAssignment.enterprise_id == Visit.enterprise_id,
            PortfolioAssignment.advisor_id == Visit.advisor_id,
            PortfolioAssignment.started_on <= Visit.visited_on,
            or_(PortfolioAssignment.ended_on.is_(None),
                PortfolioAssignment.ended_on > Visit.visited_on),
        ).exists())
    )
    assert total > 200
    assert 0 < overdue < total // 5
    assert upcoming > 0
    assert wrong_advisor == 0
    assert db_session.scalar(select(func.max(Visit.visited_on))) < TODAY


def test_certificates_have_their_terms_and_one_is_revoked(db_session: Session) -> None:
    load(db_session, firms=200)

    hnte = db_session.scalars(select(Qualification).where(Qualification.kind == "hnte")).all()
    zj = db_session.scalars(
        select(Qualification).where(Qualification.kind == "zj_tech_sme")).all()
    # 3 years from the issue date, the last day inclusive (issue dates are in December).
    assert all(q.valid_to + timedelta(days=1) == q.valid_from.replace(year=q.valid_from.year + 3)
               for q in hnte)
    assert all((q.valid_to - q.valid_from).days in (364, 365) for q in zj)
    revoked = [q for q in hnte if q.status == "revoked"]
    assert len(revoked) == 1
    assert revoked[0].revoked_on is not None
    assert any(q.note == "重新认定" for q in hnte)
    assert {q.status for q in hnte} == {"valid", "expired", "revoked"}
    kinds = set(db_session.scalars(select(Qualification.kind).distinct()))
    assert kinds == {"startup", "zj_tech_sme", "tech_sme", "hnte", "leading"}


def test_figures_cover_2019_to_2025_with_varied_sources_and_a_few_gaps(
        db_session: Session) -> None:
    load(db_session, firms=300)

    years = set(db_session.scalars(select(FiscalYearFigures.year).distinct()))
    sources = set(db_session.scalars(select(FiscalYearFigures.source).distinct()))
    firms_with_2025 = db_session.scalar(
        select(func.count()).where(FiscalYearFigures.year == 2025))
    assert years == set(range(2019, 2026))
    assert sources == {"stats", "tax", "self", "verified"}
    assert 0.85 * 300 < (firms_with_2025 or 0) < 300
    assert db_session.scalar(
        select(func.count()).where(FiscalYearFigures.high_tech_revenue.is_(None))) > 0


def test_demo_users_get_the_printed_password_and_one_audit_entry(db_session: Session) -> None:
    summary = load(db_session)

    admin = db_session.scalar(select(User).where(User.username == "admin"))
    audit_rows = db_session.scalars(select(AuditLog)).all()
    assert admin is not None
    assert admin.role == "admin"
    assert admin.check_password(DEMO_PASSWORD)
    assert {(x.username, x.password) for x in summary.logins} >= {("leader", DEMO_PASSWORD)}
    assert [(a.entity_type, a.action) for a in audit_rows] == [("demo", "load")]


def test_an_existing_admin_is_kept_with_its_password(db_session: Session,
                                                     make_user: Any) -> None:
    make_user(role="admin", username="admin")

    summary = load(db_session)

    admin = next(x for x in summary.logins if x.username == "admin")
    assert admin.password is None
    assert summary.users == 6
    assert db_session.scalar(select(func.count()).where(User.username == "admin")) == 1


def test_seeders_run_after_the_core_load_and_not_on_a_skip(db_session: Session) -> None:
    seen: list[tuple[int, date]] = []

    def seeder(session: Session, today: date) -> None:
        seen.append((session.scalar(select(func.count()).select_from(Enterprise)) or 0, today))

    load(db_session, seeders=[seeder])
    load(db_session, seeders=[seeder])

    assert seen == [(50, TODAY)]


def test_cli_loads_prints_logins_and_skips_the_second_time(runner: Any,
                                                          db_session: Session) -> None:
    first = runner.invoke(args=["demo", "load", "--firms", "50", "--today", "2026-11-28"])
    second = runner.invoke(args=["demo", "load", "--firms", "50"])

    assert first.exit_code == 0, first.output
    assert "已装入演示数据：企业 50 家" in first.output
    assert "admin" in first.output
    assert DEMO_PASSWORD in first.output
    assert second.exit_code == 0
    assert "演示数据已存在" in second.output
    assert db_session.scalar(select(func.count()).select_from(Enterprise)) == 50


@pytest.mark.parametrize(("args", "message"), [
    (["--firms", "0"], "企业数量必须在 1 到 20000 之间"),
    (["--firms", "-5"], "企业数量必须在 1 到 20000 之间"),
    (["--firms", "many"], "企业数量必须是整数"),
    (["--today", "2026-13-01"], "日期格式应为 YYYY-MM-DD"),
])
def test_cli_rejects_bad_arguments_and_writes_nothing(runner: Any, db_session: Session,
                                                      args: list[str], message: str) -> None:
    result = runner.invoke(args=["demo", "load", *args])

    assert result.exit_code != 0
    assert message in result.output
    assert all(n == 0 for n in row_counts(db_session).values())


def test_the_full_load_seeds_windows_parameters_a_screening_run_and_a_snapshot(
    db_session: Session,
) -> None:
    from cultivation.parameters.models import PolicyParameter
    from cultivation.reports.models import CoverageSnapshot
    from cultivation.screening.models import Evaluation, ScreeningRun
    from cultivation.windows.models import ApplicationWindow

    load(db_session, firms=60, seeders=None)

    def rows(model: Any) -> int:
        return db_session.scalar(select(func.count()).select_from(model)) or 0

    assert rows(PolicyParameter) > 0
    assert rows(ApplicationWindow) > 0
    assert rows(ScreeningRun) == 1
    assert rows(Evaluation) == 60 * 3
    assert rows(CoverageSnapshot) == 3


def test_the_full_load_statement_count_does_not_grow_with_firms(db_session: Session) -> None:
    counts = []
    for firms in (20, 200):
        savepoint = db_session.begin_nested()
        with count_queries(db.engine) as queries:
            load(db_session, firms=firms, seeders=None)
        counts.append(queries.count)
        savepoint.rollback()
    assert counts[0] == counts[1] <= 200


def test_demo_firms_carry_a_sector_for_sme_sizing() -> None:
    from datetime import date as _date

    from cultivation.demo.generator import build_plan
    from cultivation.policy.sectors import SECTORS
    from cultivation.regions import load_region

    rows = list(build_plan(40, 7, load_region(), _date(2026, 6, 30)).enterprise_rows())
    assert {row["sector"] for row in rows} <= set(SECTORS)
    assert all(row["sector"] for row in rows)
