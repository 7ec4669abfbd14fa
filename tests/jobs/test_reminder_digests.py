"""Expiry, 高企 annual report, follow-up and leader digests: the day before, on and after each
reminder day, each item mailed once, to the right person."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from schedule_support import outbox, reminder_settings
from sqlalchemy import update
from sqlalchemy.orm import Session

from cultivation.portfolios.models import PortfolioAssignment
from cultivation.qualifications.models import Qualification
from cultivation.reminders.annual_report import send_annual_report_reminders
from cultivation.reminders.expiry import send_expiry_reminders
from cultivation.reminders.followups import send_followup_reminders
from cultivation.reminders.leader_digest import send_leader_digest
from cultivation.visits.models import Visit

BATCH2_CLOSES = date(2026, 8, 25)


def qualify(session: Session, firm: Any, kind: str, valid_from: date, valid_to: date) -> Any:
    q = Qualification(enterprise_id=firm.id, kind=kind, valid_from=valid_from, valid_to=valid_to,
                      number=f"GR{valid_from.year}{firm.id:04d}")
    session.add(q)
    session.flush()
    return q


@pytest.fixture
def expiry_world(db_session: Session, make_user: Any, make_enterprise: Any,
                 make_window: Any) -> dict[str, Any]:
    advisor = make_user("advisor", email="wang@example.test")
    expiring = make_enterprise(advisor=advisor, name="仙居到期科技有限公司")
    renewed = make_enterprise(advisor=advisor, name="仙居已重新认定有限公司")
    sme = make_enterprise(advisor=advisor, name="仙居省科小有限公司")
    orphan = make_enterprise(name="仙居无人联系有限公司")
    qualify(db_session, expiring, "hnte", date(2023, 12, 1), date(2026, 11, 30))
    qualify(db_session, renewed, "hnte", date(2023, 12, 1), date(2026, 11, 30))
    qualify(db_session, renewed, "hnte", date(2026, 11, 1), date(2029, 10, 31))
    qualify(db_session, sme, "zj_tech_sme", date(2026, 1, 1), date(2026, 12, 31))
    qualify(db_session, orphan, "hnte", date(2023, 12, 1), date(2026, 11, 30))
    make_window(date(2026, 4, 1), date(2026, 6, 25))
    make_window(date(2026, 7, 1), BATCH2_CLOSES, batch="第二批")
    return {"advisor": advisor}


@pytest.mark.parametrize(("offset"), [90, 30, 7])
def test_a_hnte_certificate_is_reminded_before_the_last_batch_that_closes_before_it_ends(
        db_session: Session, expiry_world: dict[str, Any], at: Any, offset: int) -> None:
    day = BATCH2_CLOSES - timedelta(days=offset)
    send_expiry_reminders(db_session, at(day - timedelta(days=1)), reminder_settings())
    assert outbox(db_session) == []
    send_expiry_reminders(db_session, at(day), reminder_settings())
    send_expiry_reminders(db_session, at(day + timedelta(days=1)), reminder_settings())
    [message] = outbox(db_session)
    assert message.recipient_id == expiry_world["advisor"].id
    assert "仙居到期科技有限公司" in message.body_text
    assert "2026年8月25日" in message.body_text
    assert "不能续期" in message.body_text
    assert "仙居已重新认定有限公司" not in message.body_text
    assert "仙居无人联系有限公司" not in message.body_text


def test_a_missed_expiry_reminder_is_caught_up_once(
        db_session: Session, expiry_world: dict[str, Any], at: Any) -> None:
    late = BATCH2_CLOSES - timedelta(days=28)  # two days after the 30-day reminder
    first = send_expiry_reminders(db_session, at(late), reminder_settings())
    second = send_expiry_reminders(db_session, at(late + timedelta(days=1)), reminder_settings())
    assert first["items_new"] == 1
    assert second["items_new"] == 0
    assert len(outbox(db_session)) == 1


def test_after_the_last_batch_the_expiry_itself_is_the_deadline(
        db_session: Session, expiry_world: dict[str, Any], at: Any) -> None:
    send_expiry_reminders(db_session, at(date(2026, 10, 31)),
                          reminder_settings())  # 30 days before 30 Nov
    [message] = outbox(db_session)
    assert "仙居到期科技有限公司" in message.body_text
    assert "到期前已无可申报批次" in message.body_text


def test_a_tech_sme_registration_is_reminded_before_it_lapses_at_year_end(
        db_session: Session, expiry_world: dict[str, Any], at: Any) -> None:
    send_expiry_reminders(db_session, at(date(2026, 12, 24)), reminder_settings())
    [message] = outbox(db_session)
    assert "仙居省科小有限公司" in message.body_text
    assert "浙江省科技型中小企业" in message.body_text


@pytest.fixture
def hnte_firms(db_session: Session, make_user: Any, make_enterprise: Any) -> dict[str, Any]:
    advisor = make_user("advisor", email="wang@example.test")
    idle = make_user("advisor", email="idle@example.test")
    current = make_enterprise(advisor=advisor, name="仙居在册高企有限公司")
    lapsed = make_enterprise(advisor=advisor, name="仙居早已过期有限公司")
    make_enterprise(advisor=idle, tier="tech_sme")
    qualify(db_session, current, "hnte", date(2024, 12, 1), date(2027, 11, 30))
    qualify(db_session, lapsed, "hnte", date(2021, 12, 1), date(2024, 11, 30))
    return {"advisor": advisor}


@pytest.mark.parametrize(("offset"), [30, 7, 1])
def test_the_annual_report_reminder_comes_before_31_may_once_per_offset(
        db_session: Session, hnte_firms: dict[str, Any], at: Any, offset: int) -> None:
    day = date(2026, 5, 31) - timedelta(days=offset)
    send_annual_report_reminders(db_session, at(day - timedelta(days=1)), reminder_settings())
    before = [m.dedup_key for m in outbox(db_session)]
    send_annual_report_reminders(db_session, at(day), reminder_settings())
    send_annual_report_reminders(db_session, at(day + timedelta(days=1)), reminder_settings())
    new = [m for m in outbox(db_session) if m.dedup_key not in before]
    [message] = new
    assert message.dedup_key == f"annual-report:2026:{offset}:{hnte_firms['advisor'].id}"
    assert "仙居在册高企有限公司" in message.body_text
    assert "仙居早已过期有限公司" not in message.body_text
    assert "5月31日" in message.subject


def test_no_annual_report_mail_outside_the_reminder_days(
        db_session: Session, hnte_firms: dict[str, Any], at: Any) -> None:
    for day in (date(2026, 3, 1), date(2026, 6, 1), date(2026, 5, 20)):
        send_annual_report_reminders(db_session, at(day), reminder_settings())
    assert outbox(db_session) == []


@pytest.fixture
def visits(db_session: Session, make_user: Any, make_enterprise: Any) -> dict[str, Any]:
    advisor = make_user("advisor", email="wang@example.test")
    firm = make_enterprise(advisor=advisor, name="仙居走访有限公司")
    visit = Visit(enterprise_id=firm.id, advisor_id=advisor.id, visited_on=date(2026, 5, 1),
                  notes="约定补充研发费用台账", next_follow_up_on=date(2026, 6, 10))
    done = Visit(enterprise_id=firm.id, advisor_id=advisor.id, visited_on=date(2026, 5, 2),
                 notes="已办结", next_follow_up_on=date(2026, 6, 10), follow_up_done=True)
    db_session.add_all([visit, done])
    db_session.flush()
    return {"advisor": advisor, "firm": firm, "visit": visit}


def test_a_follow_up_is_reminded_on_its_day_and_not_again(
        db_session: Session, visits: dict[str, Any], at: Any) -> None:
    send_followup_reminders(db_session, at(date(2026, 6, 9)), reminder_settings())
    assert outbox(db_session) == []
    send_followup_reminders(db_session, at(date(2026, 6, 10)), reminder_settings())
    send_followup_reminders(db_session, at(date(2026, 6, 11)), reminder_settings())
    [message] = outbox(db_session)
    assert message.recipient_id == visits["advisor"].id
    assert "约定补充研发费用台账" in message.body_text
    assert "已办结" not in message.body_text


def test_an_overdue_follow_up_found_late_says_how_late(
        db_session: Session, visits: dict[str, Any], at: Any) -> None:
    send_followup_reminders(db_session, at(date(2026, 6, 13)), reminder_settings())
    [message] = outbox(db_session)
    assert "已逾期3天" in message.body_text


def test_a_follow_up_goes_to_the_firms_current_advisor_after_a_handover(
        db_session: Session, visits: dict[str, Any], make_user: Any, at: Any) -> None:
    successor = make_user("advisor", email="li@example.test")
    db_session.execute(update(PortfolioAssignment)
                       .where(PortfolioAssignment.enterprise_id == visits["firm"].id)
                       .values(advisor_id=successor.id))
    send_followup_reminders(db_session, at(date(2026, 6, 10)), reminder_settings())
    [message] = outbox(db_session)
    assert message.to_address == "li@example.test"


def test_moving_the_follow_up_date_reminds_again(
        db_session: Session, visits: dict[str, Any], at: Any) -> None:
    send_followup_reminders(db_session, at(date(2026, 6, 10)), reminder_settings())
    visits["visit"].next_follow_up_on = date(2026, 6, 20)
    send_followup_reminders(db_session, at(date(2026, 6, 20)), reminder_settings())
    assert len(outbox(db_session)) == 2


def test_leaders_get_one_digest_a_month_with_tiers_and_new_candidates(
        db_session: Session, make_user: Any, make_enterprise: Any, make_run: Any,
        at: Any) -> None:
    leader = make_user("leader", email="boss@example.test")
    make_user("leader", email="quiet@example.test", digest_opt_out=True)
    old = make_enterprise(tier="hnte", name="仙居老高企有限公司")
    new = make_enterprise(tier="tech_sme", name="仙居新苗子有限公司")
    make_run(date(2026, 5, 1), (old, "hnte", "eligible"))
    make_run(date(2026, 5, 31), (old, "hnte", "eligible"), (new, "hnte", "borderline"))
    first = send_leader_digest(db_session, at(date(2026, 6, 1)), reminder_settings())
    again = send_leader_digest(db_session, at(date(2026, 6, 2)), reminder_settings())
    [message] = outbox(db_session)
    assert first["queued"] == 1
    assert first["opted_out"] == 1
    assert again["duplicate"] == 1
    assert message.recipient_id == leader.id
    assert message.dedup_key == f"leader-digest:2026-06:{leader.id}"
    assert "高新技术企业：1 家" in message.body_text
    assert "仙居新苗子有限公司" in message.body_text
    assert "仙居老高企有限公司" not in message.body_text.split("新增")[1]
    assert "三覆盖" in message.body_html
    send_leader_digest(db_session, at(date(2026, 7, 1)), reminder_settings())
    assert len(outbox(db_session)) == 2
