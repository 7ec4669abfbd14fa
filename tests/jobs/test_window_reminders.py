"""The window-reminders job: one digest per advisor with candidates, on the right days, once."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from schedule_support import outbox, reminder_settings, verdict
from sqlalchemy.orm import Session

from cultivation.reminders.windows import send_window_reminders
from cultivation.scheduling.services import run_job

OPENS = date(2026, 7, 1)
CLOSES = date(2026, 8, 25)


@pytest.fixture
def world(make_user: Any, make_enterprise: Any, make_window: Any, make_run: Any) -> dict[str, Any]:
    """Two advisors; only ``alice`` has an eligible and a borderline 高企 candidate."""
    alice = make_user("advisor", display_name="王指导", email="alice@example.test")
    bob = make_user("advisor", display_name="李指导", email="bob@example.test")
    good = make_enterprise(advisor=alice, name="仙居甲科技有限公司")
    close = make_enterprise(advisor=alice, name="仙居乙制药有限公司")
    bobs = make_enterprise(advisor=bob, name="仙居丙橡塑有限公司")
    no_advisor = make_enterprise(name="仙居丁无人联系有限公司")
    window = make_window(OPENS, CLOSES, remind_days=[30, 7, 1])
    make_run(OPENS - timedelta(days=40),
             (good, "hnte", "eligible"),
             (close, "hnte", "borderline",
              verdict("hnte", "borderline", {"研发费用占比": "研发费用还差 38.5 万元"}, (64, 79))),
             (bobs, "hnte", "ineligible"), (bobs, "tech-sme", "eligible"),
             (no_advisor, "hnte", "eligible"))
    return {"alice": alice, "bob": bob, "good": good, "close": close, "window": window}


def test_the_advisor_with_candidates_gets_one_digest_naming_them(
        db_session: Session, world: dict[str, Any], at: Any) -> None:
    counts = send_window_reminders(db_session, at(OPENS - timedelta(days=7)), reminder_settings())
    [message] = outbox(db_session)
    assert counts["queued"] == 1
    assert message.recipient_id == world["alice"].id
    assert message.to_address == "alice@example.test"
    assert "仙居甲科技有限公司" in message.body_text
    assert "仙居乙制药有限公司" in message.body_html
    assert "研发费用还差 38.5 万元" in message.body_text
    assert "64–79" in message.body_text
    assert f"http://testserver/enterprises/{world['good'].credit_code}" in message.body_html
    assert "7天后开始" in message.subject
    assert "2家企业" in message.subject
    assert "仙居丙橡塑有限公司" not in message.body_text  # bob's firm is not a 高企 candidate
    assert "仙居丁无人联系有限公司" not in message.body_text
    assert "/account" in message.body_text  # how to change notification preferences


def test_an_advisor_without_candidates_gets_nothing(
        db_session: Session, world: dict[str, Any], at: Any) -> None:
    send_window_reminders(db_session, at(OPENS - timedelta(days=7)), reminder_settings())
    assert [m.recipient_id for m in outbox(db_session)] == [world["alice"].id]


@pytest.mark.parametrize("offset", [30, 7, 1])
def test_each_offset_fires_on_its_day_not_the_day_before_and_not_again_after(
        db_session: Session, world: dict[str, Any], at: Any, offset: int) -> None:
    due = OPENS - timedelta(days=offset)
    send_window_reminders(db_session, at(due - timedelta(days=1)), reminder_settings())
    before = {m.dedup_key for m in outbox(db_session)}
    assert not any(key.endswith(f":open:{OPENS}:{offset}:{world['alice'].id}") for key in before)
    send_window_reminders(db_session, at(due), reminder_settings())
    send_window_reminders(db_session, at(due + timedelta(days=1)), reminder_settings())
    keys = [m.dedup_key for m in outbox(db_session)]
    mine = [k for k in keys if f":open:{OPENS}:{offset}:" in k]
    window, alice = world["window"].id, world["alice"].id
    assert mine == [f"window-reminder:{window}:open:{OPENS}:{offset}:{alice}"]


def test_a_missed_day_is_caught_up_the_next_day_once(
        db_session: Session, world: dict[str, Any], at: Any) -> None:
    send_window_reminders(db_session, at(OPENS - timedelta(days=6)),
                          reminder_settings())  # 7-day reminder, a day late
    send_window_reminders(db_session, at(OPENS - timedelta(days=5)), reminder_settings())
    [message] = outbox(db_session)
    assert message.dedup_key.endswith(f":open:{OPENS}:7:{world['alice'].id}")
    assert "6天后开始" in message.subject


def test_closing_reminders_fire_before_the_window_closes(
        db_session: Session, world: dict[str, Any], at: Any) -> None:
    send_window_reminders(db_session, at(CLOSES - timedelta(days=1)), reminder_settings())
    [message] = outbox(db_session)
    assert f":close:{CLOSES}:1:" in message.dedup_key
    assert "明天截止" in message.subject


def test_a_closing_reminder_before_the_opening_is_left_to_the_opening_one(
        db_session: Session, world: dict[str, Any], at: Any) -> None:
    # closes_on − 30 = 26 July lies inside the window; a 60-day offset would fall before opening.
    world["window"].remind_days = [60]
    send_window_reminders(db_session, at(CLOSES - timedelta(days=60)), reminder_settings())
    assert outbox(db_session) == []


def test_running_twice_sends_nothing_twice(db_session: Session, world: dict[str, Any],
                                           at: Any) -> None:
    now = at(OPENS - timedelta(days=30))
    first = send_window_reminders(db_session, now, reminder_settings())
    second = send_window_reminders(db_session, now, reminder_settings())
    assert first.get("queued") == 1
    assert second.get("duplicate") == 1
    assert len(outbox(db_session)) == 1


def test_moving_the_opening_date_makes_new_reminders(
        db_session: Session, world: dict[str, Any], at: Any) -> None:
    send_window_reminders(db_session, at(OPENS - timedelta(days=7)), reminder_settings())
    world["window"].opens_on = OPENS + timedelta(days=3)
    send_window_reminders(db_session, at(OPENS + timedelta(days=3) - timedelta(days=7)),
                          reminder_settings())
    assert len(outbox(db_session)) == 2


def test_digest_opt_out_is_respected(db_session: Session, world: dict[str, Any], at: Any) -> None:
    world["alice"].digest_opt_out = True
    counts = send_window_reminders(db_session, at(OPENS - timedelta(days=7)), reminder_settings())
    assert counts.get("opted_out") == 1
    assert outbox(db_session) == []


def test_the_latest_screening_run_decides(db_session: Session, world: dict[str, Any],
                                          make_run: Any, at: Any) -> None:
    make_run(OPENS - timedelta(days=10), (world["good"], "hnte", "ineligible"))
    send_window_reminders(db_session, at(OPENS - timedelta(days=7)), reminder_settings())
    assert outbox(db_session) == []


def test_a_run_dated_after_today_is_not_used(db_session: Session, world: dict[str, Any],
                                             make_run: Any, at: Any) -> None:
    make_run(OPENS, (world["good"], "hnte", "ineligible"), (world["close"], "hnte", "ineligible"))
    send_window_reminders(db_session, at(OPENS - timedelta(days=7)), reminder_settings())
    assert len(outbox(db_session)) == 1


def test_other_programmes_use_their_rule_set(db_session: Session, world: dict[str, Any],
                                             make_window: Any, at: Any) -> None:
    make_window(date(2026, 6, 30), date(2026, 9, 30), programme="tech_sme", remind_days=[7],
                batch="年度评价")
    send_window_reminders(db_session, at(date(2026, 6, 23)), reminder_settings())
    [message] = outbox(db_session)
    assert message.recipient_id == world["bob"].id
    assert "仙居丙橡塑有限公司" in message.body_text


def test_the_candidate_query_runs_once_whatever_the_number_of_advisors(
        db_session: Session, world: dict[str, Any], make_user: Any, make_enterprise: Any,
        make_run: Any, at: Any) -> None:
    from cultivation.extensions import db
    from testkit import count_queries

    firms = []
    for _ in range(6):
        firms.append(make_enterprise(advisor=make_user("advisor")))
    make_run(OPENS - timedelta(days=20), *[(f, "hnte", "eligible") for f in firms])
    with count_queries(db.engine) as q:
        counts = send_window_reminders(db_session, at(OPENS - timedelta(days=7)),
                                       reminder_settings())
    assert counts["queued"] == 6
    # windows + candidates + advisors + settled 待办, one INSERT per digest, one 待办 link,
    # the robot channels (read once per transaction, not per advisor)
    assert q.count <= 4 + 6 + 1 + 1


def test_the_job_runner_commits_the_digests_and_counts_them(
        db_session: Session, world: dict[str, Any], at: Any) -> None:
    run = run_job(db_session, "window-reminders", at(OPENS - timedelta(days=7)))
    assert run.outcome == "success"
    # the job first brings the advisor's 待办 up to date (one new item for the window)
    assert run.counts == {"reminders_due": 1, "queued": 1, "todos_new": 1}


@pytest.mark.parametrize(("year", "due"), [(2024, 1), (2026, 0)])
def test_a_closed_programme_gets_no_reminders(db_session: Session, world: dict[str, Any],
                                              make_window: Any, at: Any, year: int,
                                              due: int) -> None:
    # 省高新研发中心 joined the 研究院 series (浙经信高新〔2025〕169号): no reminders from 2025.
    opens = date(year, 10, 1)
    make_window(opens, date(year, 11, 30), programme="provincial_hnte_center", remind_days=[7],
                batch="年度申报")
    counts = send_window_reminders(db_session, at(opens - timedelta(days=7)), reminder_settings())
    assert counts["reminders_due"] == due
    assert outbox(db_session) == []
