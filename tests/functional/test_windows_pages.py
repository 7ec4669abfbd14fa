"""申报日历: every role sees the windows; admins create, edit, delete and seed them; each user
has a secret calendar feed that works without logging in."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cultivation.qualifications.models import Qualification
from cultivation.visits.models import Visit
from cultivation.windows.models import ApplicationWindow

FORM = {"programme": "hnte", "year": "", "batch": "第一批", "opens_on": "2026-04-01",
        "closes_on": "2026-06-25", "remind_days": "30, 7, 1", "note": "以省厅通知为准"}


@pytest.mark.parametrize("role", ["admin", "leader", "advisor"])
def test_every_role_sees_the_windows_of_a_year(auth: Any, make_window: Any, role: str) -> None:  # noqa: F811
    make_window(date(2026, 4, 1), date(2026, 6, 25))
    auth.login(role)
    html = auth.client.get("/windows?year=2026").get_data(as_text=True)
    assert "申报日历" in html
    assert "高新技术企业认定" in html
    assert "2026年6月25日" in html
    assert ("新增申报窗口" in html) is (role == "admin")


@pytest.mark.parametrize("path", ["/windows/new", "/windows/1/edit"])
@pytest.mark.parametrize("role", ["leader", "advisor"])
def test_only_admins_edit_windows(auth: Any, make_window: Any, path: str, role: str) -> None:  # noqa: F811
    make_window(date(2026, 4, 1), date(2026, 6, 25))
    auth.login(role)
    assert auth.client.get(path).status_code == 403


def test_an_admin_creates_a_window_from_the_form(auth: Any, db_session: Session) -> None:
    auth.login("admin")
    response = auth.post("/windows/new", FORM)
    assert response.status_code == 302
    window = db_session.scalars(select(ApplicationWindow)).one()
    assert (window.programme, window.year, window.remind_days) == ("hnte", 2026, [30, 7, 1])
    assert window.note == "以省厅通知为准"


def test_bad_form_input_shows_chinese_errors_and_saves_nothing(auth: Any,
                                                               db_session: Session) -> None:
    auth.login("admin")
    response = auth.post("/windows/new", {**FORM, "closes_on": "2026-03-01",
                                          "remind_days": "30, 七"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "截止日期不能早于开始日期" in html
    assert "不是有效的数字" in html
    assert db_session.scalars(select(ApplicationWindow)).all() == []


def test_an_admin_edits_every_date_and_marks_it_confirmed(auth: Any, db_session: Session,
                                                          make_window: Any) -> None:  # noqa: F811
    window = make_window(date(2026, 4, 1), date(2026, 6, 25))
    auth.login("admin")
    page = auth.client.get(f"/windows/{window.id}/edit").get_data(as_text=True)
    assert 'value="2026-06-25"' in page
    response = auth.post(f"/windows/{window.id}/edit",
                         {**FORM, "closes_on": "2026-06-30", "remind_days": "14",
                          "confirmed": "y"})
    assert response.status_code == 302
    db_session.refresh(window)
    assert window.closes_on == date(2026, 6, 30)
    assert window.remind_days == [14]
    assert window.confirmed is True


def test_an_admin_deletes_a_window(auth: Any, db_session: Session, make_window: Any) -> None:  # noqa: F811
    window = make_window(date(2026, 4, 1), date(2026, 6, 25))
    auth.login("admin")
    response = auth.post(f"/windows/{window.id}/delete", {}, form_url="/windows?year=2026")
    assert response.status_code == 302
    assert db_session.get(ApplicationWindow, window.id) is None


def test_seeding_the_default_calendar_is_idempotent(auth: Any, db_session: Session) -> None:
    auth.login("admin")
    first = auth.post("/windows/seed", {"year": "2027"}, form_url="/windows",
                      follow_redirects=True).get_data(as_text=True)
    count = len(db_session.scalars(select(ApplicationWindow)).all())
    second = auth.post("/windows/seed", {"year": "2027"}, form_url="/windows",
                       follow_redirects=True).get_data(as_text=True)
    assert "已按默认日历新增 2027 年申报窗口" in first
    assert "已全部存在" in second
    assert len(db_session.scalars(select(ApplicationWindow)).all()) == count
    windows = db_session.scalars(select(ApplicationWindow)).all()
    assert {w.programme for w in windows} >= {"hnte", "tech_sme", "zj_tech_sme"}
    assert not any(w.confirmed for w in windows)
    sign_up = next(w for w in windows if w.batch == "培育库报名")
    assert sign_up.closes_on == date(2026, 12, 31)  # the year before the application year


def test_an_advisor_sees_how_many_of_their_firms_can_apply(
        auth: Any, make_user: Any, make_enterprise: Any, make_window: Any,  # noqa: F811
        make_run: Any) -> None:  # noqa: F811
    advisor = make_user("advisor")
    firm = make_enterprise(advisor=advisor)
    make_window(date(2026, 4, 1), date(2026, 6, 25))
    make_run(date(2026, 1, 1), (firm, "hnte", "eligible"))
    auth.login(advisor)
    html = auth.client.get("/windows?year=2026").get_data(as_text=True)
    assert "我的可申报企业" in html
    row = html.split('data-window="')[1]
    assert '<td class="text-end">1</td>' in row


def test_the_calendar_feed_needs_no_login_and_lists_windows_and_own_deadlines(
        client: FlaskClient, db_session: Session, make_user: Any, make_enterprise: Any,
        make_window: Any) -> None:  # noqa: F811
    advisor = make_user("advisor")
    firm = make_enterprise(advisor=advisor, name="仙居日历科技有限公司")
    other = make_enterprise(advisor=make_user("advisor"), name="仙居别人家有限公司")
    today = date.today()
    make_window(today, today.replace(year=today.year + 1) if today.month < 12 else today)
    db_session.add(Qualification(enterprise_id=firm.id, kind="hnte", valid_from=today.replace(
        year=today.year - 2), valid_to=today.replace(year=today.year + 1) if not (
            today.month == 2 and today.day == 29) else today))
    db_session.add(Qualification(enterprise_id=other.id, kind="hnte", valid_from=today,
                                 valid_to=today))
    db_session.add(Visit(enterprise_id=firm.id, advisor_id=advisor.id, visited_on=today,
                         notes="x", next_follow_up_on=today))
    db_session.flush()
    response = client.get(f"/windows/calendar/{advisor.calendar_token}.ics")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "BEGIN:VCALENDAR" in body
    assert "【开始】高新技术企业认定" in body
    assert "【到期】仙居日历科技有限公司" in body
    assert "【跟进】仙居日历科技有限公司" in body
    assert "高企年度发展情况报表" in body
    assert "仙居别人家有限公司" not in body


def test_a_wrong_calendar_token_is_a_404(client: FlaskClient) -> None:  # noqa: F811
    assert client.get("/windows/calendar/not-a-token.ics").status_code == 404


def test_resetting_the_feed_address_invalidates_the_old_one(auth: Any, db_session: Session,
                                                            make_user: Any) -> None:
    user = auth.login(make_user("advisor"))
    old = user.calendar_token
    assert auth.client.get(f"/windows/calendar/{old}.ics").status_code == 200
    auth.post("/windows/calendar/reset", {}, form_url="/windows")
    db_session.refresh(user)
    assert user.calendar_token != old
    assert auth.client.get(f"/windows/calendar/{old}.ics").status_code == 404
    assert auth.client.get(f"/windows/calendar/{user.calendar_token}.ics").status_code == 200


def test_the_2026_calendar_follows_the_2026_notices(auth: Any, db_session: Session) -> None:
    auth.login("admin")
    auth.post("/windows/seed", {"year": "2026"}, form_url="/windows")
    windows = {(w.programme, w.batch): w for w in db_session.scalars(
        select(ApplicationWindow).where(ApplicationWindow.year == 2026))}
    tech = windows[("tech_sme", "年度评价")]
    assert (tech.opens_on, tech.closes_on) == (date(2026, 6, 1), date(2026, 8, 31))
    assert tech.source is not None
    assert "工企业函〔2026〕160号" in tech.source
    hnte = windows[("hnte", "第二批")]
    assert hnte.closes_on == date(2026, 8, 31)
    assert hnte.issuer is not None
    assert hnte.issuer.startswith("浙江省经济和信息化厅")
    institute = windows[("provincial_institute", "年度申报")]
    assert institute.closes_on == date(2026, 8, 24)
    assert institute.issuer == "浙江省经济和信息化厅"
    assert ("provincial_hnte_center", "年度申报") not in windows  # no 研发中心 window from 2025
    assert not any(w.confirmed for w in windows.values())


def test_earlier_years_keep_their_calendar(auth: Any, db_session: Session) -> None:
    auth.login("admin")
    auth.post("/windows/seed", {"year": "2024"}, form_url="/windows")
    windows = {(w.programme, w.batch): w for w in db_session.scalars(
        select(ApplicationWindow).where(ApplicationWindow.year == 2024))}
    assert windows[("provincial_hnte_center", "年度申报")].issuer == "浙江省科学技术厅"
    assert windows[("tech_sme", "年度评价")].opens_on == date(2024, 6, 30)
    assert windows[("hnte", "第二批")].closes_on == date(2024, 8, 25)


def test_unconfirmed_dates_show_pending_with_issuer_and_source(
        auth: Any, make_window: Any) -> None:  # noqa: F811
    make_window(date(2026, 6, 1), date(2026, 8, 31), programme="tech_sme", batch="年度评价",
                issuer="工业和信息化部", source="工企业函〔2026〕160号")
    make_window(date(2026, 4, 1), date(2026, 6, 25), confirmed=True)
    auth.login("advisor")
    html = auth.client.get("/windows?year=2026").get_data(as_text=True)
    pending = html[html.index("国家科技型中小企业评价"):]
    pending = pending[:pending.index("</tr>")]
    assert pending.count("待确认") == 2  # beside the opening and the closing date
    assert "工业和信息化部" in pending
    assert "依据：工企业函〔2026〕160号" in pending
    confirmed = html[html.index("高新技术企业认定"):]
    assert "待确认" not in confirmed[:confirmed.index("</tr>")]


def test_an_admin_records_issuer_and_source(auth: Any, db_session: Session) -> None:
    auth.login("admin")
    form = {**FORM, "issuer": "浙江省经济和信息化厅", "source": "浙经信高新〔2026〕1号"}
    auth.post("/windows/new", form, form_url="/windows/new")
    window = db_session.scalars(select(ApplicationWindow)).one()
    assert (window.issuer, window.source) == ("浙江省经济和信息化厅", "浙经信高新〔2026〕1号")
