"""Plan targets: the 14th plan seeded, actuals computed or entered by hand, decomposed targets."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from reports_support import count_statements, institute, qualify
from sqlalchemy import select
from sqlalchemy.orm import Session

from cultivation.audit.models import AuditLog
from cultivation.reports.indicators import INDICATORS
from cultivation.reports.models import PlanPeriod
from cultivation.targets.progress import (
    computed_actuals,
    current_plan,
    plan_progress,
    scoped_targets,
)
from cultivation.targets.services import (
    TargetError,
    add_plan,
    ensure_plans,
    enter_manual_actual,
    seed_plans,
    set_target,
)

TODAY = date(2024, 6, 30)
NOW = datetime(2024, 6, 30, 8, 0, tzinfo=UTC)


@pytest.fixture
def plan14(db_session: Session) -> PlanPeriod:
    assert ensure_plans(db_session) is True
    plan = db_session.scalar(select(PlanPeriod).where(PlanPeriod.code == "14th"))
    assert plan is not None
    return plan


def test_the_14th_plan_is_seeded_once_with_2020_baselines_and_2025_targets(
    db_session: Session, plan14: PlanPeriod
) -> None:
    assert seed_plans(db_session) == 0
    assert ensure_plans(db_session) is False
    values = {(t.indicator, t.year): t.value for t in plan14.targets}
    assert values[("hnte_count", 2020)] == 48
    assert values[("hnte_count", 2025)] == 90
    assert values[("zj_tech_sme_count", 2025)] == 450
    assert values[("rd_gdp_ratio", 2025)] == 2.6
    assert values[("hightech_value_added", 2020)] == 37.62
    assert values[("hightech_investment_growth", 2025)] is None
    assert len({t.indicator for t in plan14.targets}) == 15


def test_stock_actuals_are_counted_at_each_year_end_and_today_for_the_running_year(
    db_session: Session, plan14: PlanPeriod, make_enterprise: Any
) -> None:
    a, b, c = make_enterprise(), make_enterprise(), make_enterprise()
    qualify(db_session, a, "hnte", date(2021, 12, 1), date(2024, 11, 30))
    qualify(db_session, b, "hnte", date(2022, 12, 1), date(2025, 11, 30))
    qualify(db_session, c, "hnte", date(2024, 7, 1), None)  # after "today"
    qualify(db_session, c, "zj_tech_sme", date(2023, 12, 28), None)
    institute(db_session, a, "provincial_institute", date(2022, 11, 1))
    institute(db_session, a, "provincial_key_institute", date(2023, 11, 1))
    institute(db_session, b, "provincial_hnte_center", date(2023, 11, 1), revoked=date(2024, 3, 1))
    rows = {p.indicator.code: p for p in plan_progress(db_session, plan14, TODAY)}
    hnte = rows["hnte_count"]
    assert {y: a.value for y, a in hnte.actuals.items()} == {2021: 1, 2022: 2, 2023: 2, 2024: 2}
    assert hnte.actuals[2024].as_of == TODAY
    assert hnte.baseline == 48
    assert hnte.target == 90
    assert hnte.completion == pytest.approx(2 / 90)
    assert rows["zj_tech_sme_count"].actuals[2023].value == 1
    assert rows["provincial_institute_count"].actuals[2023].value == 1  # one firm, two institutes
    assert rows["provincial_hnte_center_count"].actuals[2023].value == 1
    assert rows["provincial_hnte_center_count"].actuals[2024].value == 0


def test_the_rd_ratio_of_above_scale_firms_comes_from_their_figures(
    db_session: Session, plan14: PlanPeriod, make_enterprise: Any
) -> None:
    make_enterprise(above_scale=True, figures={2023: {"rd_expense": 300, "sales_revenue": 10000,
                                                      "ip_class_i": 2}})
    make_enterprise(above_scale=True, figures={2023: {"rd_expense": 100, "sales_revenue": 5000}})
    make_enterprise(above_scale=False, figures={2023: {"rd_expense": 900, "sales_revenue": 1000,
                                                       "ip_class_i": 1}})
    make_enterprise(above_scale=True, figures={2023: {"rd_expense": None, "sales_revenue": 7000}})
    actuals = computed_actuals(db_session, [2023], TODAY)
    assert actuals[("above_scale_rd_ratio", "", 2023)].value == pytest.approx(400 / 15000 * 100)
    assert actuals[("invention_patents", "", 2023)].value == 3
    rows = {p.indicator.code: p for p in plan_progress(db_session, plan14, TODAY)}
    ratio = rows["above_scale_rd_ratio"]
    assert ratio.progress == pytest.approx((400 / 150 - 2.63) / (2.7 - 2.63))


def test_manual_actuals_record_who_entered_them_and_can_be_corrected(
    db_session: Session, plan14: PlanPeriod, make_user: Any
) -> None:
    admin = make_user("admin", display_name="张管理")
    enter_manual_actual(db_session, {"indicator": "rd_gdp_ratio", "year": 2022, "value": 2.3},
                        actor=admin, now=NOW)
    enter_manual_actual(db_session, {"indicator": "rd_gdp_ratio", "year": 2022, "value": 2.35,
                                     "note": "统计公报"}, actor=admin, now=NOW)
    rows = {p.indicator.code: p for p in plan_progress(db_session, plan14, TODAY)}
    actual = rows["rd_gdp_ratio"].actuals[2022]
    assert (actual.value, actual.source, actual.entered_by, actual.note) == (
        2.35, "manual", "张管理", "统计公报")
    assert actual.entered_at == NOW
    assert db_session.scalar(select(AuditLog).where(AuditLog.entity_type == "manual_actual")
                             .order_by(AuditLog.id.desc())).before == {"value": 2.3, "note": None}
    with pytest.raises(TargetError, match="系统根据企业数据计算"):
        enter_manual_actual(db_session, {"indicator": "hnte_count", "year": 2022, "value": 5},
                            actor=admin, now=NOW)


def test_admins_add_the_15th_plan_and_decompose_targets_by_town_and_advisor(
    db_session: Session, plan14: PlanPeriod, make_user: Any, make_enterprise: Any
) -> None:
    admin, adv = make_user("admin"), make_user("advisor")
    plan = add_plan(db_session, {"code": "15th", "name": "“十五五”规划", "start_year": 2026,
                                 "end_year": 2030, "baseline_year": 2025}, actor=admin)
    scopes = {"town": {"横溪镇", "安洲街道"}, "industry": {"医药"}, "advisor": {adv.username}}
    set_target(db_session, plan, {"indicator": "hnte_count", "year": 2030, "value": 150},
               actor=admin, scope_values=scopes)
    set_target(db_session, plan, {"indicator": "hnte_count", "scope_kind": "town",
                                  "scope_value": "横溪镇", "year": 2026, "value": 3},
               actor=admin, scope_values=scopes)
    set_target(db_session, plan, {"indicator": "hnte_count", "scope_kind": "advisor",
                                  "scope_value": adv.username, "year": 2026, "value": 4},
               actor=admin, scope_values=scopes)
    firm = make_enterprise(town="横溪镇", advisor=adv)
    qualify(db_session, firm, "hnte", date(2025, 12, 1), None)
    other = make_enterprise(town="安洲街道")
    qualify(db_session, other, "hnte", date(2025, 12, 1), None)

    today = date(2026, 3, 1)
    assert current_plan(db_session, today).code == "15th"
    assert current_plan(db_session, date(2024, 1, 1)).code == "14th"
    scoped = {(s.target.scope_kind, s.target.scope_value): s
              for s in scoped_targets(db_session, plan, today)}
    assert scoped[("town", "横溪镇")].actual.value == 1
    assert scoped[("town", "横溪镇")].completion == pytest.approx(1 / 3)
    assert scoped[("advisor", adv.username)].actual.value == 1
    county = {p.indicator.code: p for p in plan_progress(db_session, plan, today)}
    assert county["hnte_count"].target == 150
    assert county["hnte_count"].actuals[2026].value == 2


@pytest.mark.parametrize(("data", "field"), [
    ({"indicator": "nope", "year": 2025, "value": 1}, "indicator"),
    ({"indicator": "hnte_count", "year": 2031, "value": 1}, "year"),
    ({"indicator": "hnte_count", "scope_kind": "town", "scope_value": "火星镇", "year": 2025,
      "value": 1}, "scope_value"),
    ({"indicator": "rd_gdp_ratio", "scope_kind": "town", "scope_value": "横溪镇", "year": 2025,
      "value": 1}, "scope_kind"),
])
def test_bad_targets_are_refused_with_a_chinese_message(
    db_session: Session, plan14: PlanPeriod, data: dict[str, Any], field: str
) -> None:
    with pytest.raises(TargetError) as err:
        set_target(db_session, plan14, data, actor=None, scope_values={"town": {"横溪镇"}})
    assert err.value.field == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.value.message)


def test_a_duplicate_plan_code_or_inverted_years_are_refused(
    db_session: Session, plan14: PlanPeriod
) -> None:
    with pytest.raises(TargetError, match="已存在"):
        add_plan(db_session, {"code": "14th", "name": "x", "start_year": 2021, "end_year": 2025,
                              "baseline_year": 2020}, actor=None)
    with pytest.raises(TargetError, match="结束年份"):
        add_plan(db_session, {"code": "16th", "name": "x", "start_year": 2031, "end_year": 2030,
                              "baseline_year": 2020}, actor=None)


def test_plan_progress_issues_a_fixed_number_of_statements(
    db_session: Session, plan14: PlanPeriod, make_enterprise: Any
) -> None:
    def statements_for(n: int) -> int:
        for i in range(n):
            firm = make_enterprise(above_scale=True,
                                   figures={2022: {"rd_expense": 10 + i, "sales_revenue": 500}})
            qualify(db_session, firm, "hnte", date(2021, 1, 1), None)
            institute(db_session, firm, "provincial_institute", date(2022, 1, 1))
        db_session.expire_all()
        plan14.id  # noqa: B018 - reload the expired plan outside the count
        with count_statements() as log:
            plan_progress(db_session, plan14, TODAY)
        return log.count

    # targets, qualification stocks, institution stocks, figures, manual actuals, and the
    # stored policy parameters (is the 研发中心 programme closed?); the stocks as of today (the
    # 截至 column) come with the year ends, today's fiscal year is the series' own row
    assert statements_for(3) == statements_for(30) == 6


def test_the_closed_center_target_is_noted_and_shown_with_the_institutes(
    db_session: Session, plan14: PlanPeriod, make_enterprise: Any
) -> None:
    # 浙经信高新〔2025〕169号: the 研发中心 joined the 研究院 series; the old ones still count.
    centre, both, inst = (make_enterprise() for _ in range(3))
    institute(db_session, centre, "provincial_hnte_center", date(2021, 1, 1))
    institute(db_session, both, "provincial_hnte_center", date(2021, 1, 1))
    institute(db_session, both, "provincial_institute", date(2022, 1, 1))
    institute(db_session, inst, "provincial_key_institute", date(2022, 1, 1))
    rows = {r.indicator.code: r for r in plan_progress(db_session, plan14, date(2025, 6, 30))}
    center = rows["provincial_hnte_center_count"]
    assert center.closed_note is not None
    assert "无法再通过新认定增长" in center.closed_note
    series = rows["provincial_rd_series_count"]
    assert (series.baseline, series.target) == (32, 63)  # 8 + 24, 15 + 48
    assert series.actuals[2025].value == 3  # every firm once: 研究院 and former 研发中心 together
    assert center.actuals[2025].value == 2
    before = {r.indicator.code: r for r in plan_progress(db_session, plan14, date(2024, 6, 30))}
    assert before["provincial_hnte_center_count"].closed_note is None


def test_the_yearly_figures_join_the_dated_flags_once_for_every_year(
    db_session: Session, plan14: PlanPeriod, make_enterprise: Any
) -> None:
    make_enterprise(above_scale=True, figures={2023: {"rd_expense": 3, "sales_revenue": 10}})
    with count_statements() as log:
        computed_actuals(db_session, [2021, 2022, 2023, 2024, 2025], TODAY,
                         indicators=[INDICATORS["above_scale_rd_ratio"]])
    (sql,) = log.statements
    # one join of the flag history, not a correlated subquery per year and figure row
    assert sql.count("FROM enterprise_flags") == 1


def test_the_stock_counts_are_one_pass_over_the_certificates(
    db_session: Session, plan14: PlanPeriod, make_enterprise: Any
) -> None:
    qualify(db_session, make_enterprise(), "hnte", date(2021, 1, 1), None)
    with count_statements() as log:
        computed_actuals(db_session, [2021, 2022, 2023, 2024, 2025], TODAY,
                         indicators=[INDICATORS["hnte_count"], INDICATORS["zj_tech_sme_count"]])
    (sql,) = log.statements
    assert sql.count("FROM qualifications") == 1  # not joined to a series of days
    assert "DISTINCT" not in sql.upper()
