"""培育库: first applications vs renewals; holders of a certificate running beyond the renewal
horizon are not candidates (issue 9 §2) — screening, page, dashboard card, reminders, API."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from api_support import Api
from schedule_support import outbox, reminder_settings
from screening_support import AS_OF, STRONG_FIELDS, strong_years
from sqlalchemy import select

from cultivation.qualifications.models import Qualification
from cultivation.reminders.windows import send_window_reminders
from cultivation.screening.applications import add_months
from cultivation.screening.models import Evaluation
from cultivation.screening.services import run_screening

NOW = datetime(2026, 6, 30, 20, 0, tzinfo=UTC)


def hnte(db_session: Any, firm: Any, start: date, end: date, kind: str = "hnte") -> None:
    db_session.add(Qualification(enterprise_id=firm.id, kind=kind, number=f"GR{firm.id:06d}",
                                 valid_from=start, valid_to=end))
    db_session.flush()


@pytest.fixture
def portfolio(db_session: Any, make_enterprise: Any, make_user: Any) -> dict[str, Any]:
    """Five strong firms of one advisor, screened as of 2026-06-30 (AS_OF)."""
    advisor = make_user("advisor", display_name="王指导", email="wang@example.test")
    strong = {"advisor": advisor, "figures": strong_years(), **STRONG_FIELDS}
    firms = {
        "first": make_enterprise(name="仙居首次申报有限公司", **strong),
        "renewal": make_enterprise(name="仙居到期重新认定有限公司", **strong),
        "holder": make_enterprise(name="仙居持证到2028有限公司", **strong),
        "window": make_enterprise(name="仙居窗口前到期有限公司", **strong),
        "short": make_enterprise(
            name="仙居研发不足有限公司", advisor=advisor, **STRONG_FIELDS,
            figures=strong_years(y2025={"rd_expense": 100, "rd_expense_domestic": 100})),
    }
    hnte(db_session, firms["renewal"], date(2023, 12, 1), date(2026, 11, 30))
    hnte(db_session, firms["holder"], date(2025, 12, 1), date(2028, 11, 30))
    # ends after 12 months but before the next 高企 window of the calendar closes
    hnte(db_session, firms["window"], date(2024, 9, 1), date(2027, 8, 31))
    # 科小 入库 for this year: not a 科小 candidate
    hnte(db_session, firms["first"], date(2026, 3, 1), date(2026, 12, 31), kind="tech_sme")
    from cultivation.windows.models import ApplicationWindow
    db_session.add(ApplicationWindow(programme="hnte", year=2027, batch="第一批",
                                     opens_on=date(2027, 7, 1), closes_on=date(2027, 9, 30),
                                     remind_days=[30, 7, 1]))
    db_session.flush()
    run_screening(db_session, as_of=AS_OF, now=NOW)
    return {"advisor": advisor, **firms}


def standing(db_session: Any, firm: Any, rules: str = "hnte") -> tuple[str | None, date | None]:
    ev = db_session.scalar(select(Evaluation).where(Evaluation.enterprise_id == firm.id,
                                                    Evaluation.rules == rules))
    return ev.application, ev.certificate_valid_to


def test_screening_tells_first_applications_renewals_and_holders_apart(
        db_session: Any, portfolio: dict[str, Any]) -> None:
    assert standing(db_session, portfolio["first"]) == ("first", None)
    assert standing(db_session, portfolio["renewal"]) == ("renewal", date(2026, 11, 30))
    assert standing(db_session, portfolio["holder"]) == ("holder", date(2028, 11, 30))
    assert standing(db_session, portfolio["window"]) == ("renewal", date(2027, 8, 31))
    assert standing(db_session, portfolio["first"], "tech-sme") == ("holder", date(2026, 12, 31))
    assert standing(db_session, portfolio["renewal"], "tech-sme") == ("first", None)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)


def test_the_page_has_tier_and_application_tabs_with_counts_and_gaps_in_words(
        auth: Any, client: Any, portfolio: dict[str, Any]) -> None:
    auth.login(portfolio["advisor"])
    html = client.get("/screening/candidates").get_data(as_text=True)
    assert "仙居持证到2028有限公司" not in html
    assert 'data-application="first">首次申报 2<' in html
    assert 'data-application="renewal">重新认定 2<' in html
    assert "<th>梯次</th>" in html
    assert "高新技术企业" in html
    assert "证书有效期至 2026年11月30日" in html
    assert "差距合计" not in html
    assert "0.000" not in html
    assert "研发费用还差" in html  # the main missing criterion, in words
    renewals = client.get("/screening/candidates?application=renewal").get_data(as_text=True)
    assert "仙居到期重新认定有限公司" in renewals
    assert "仙居首次申报有限公司" not in renewals
    dashboard = client.get("/").get_data(as_text=True)
    assert "重新认定 2" in dashboard
    assert "首次申报" in dashboard
    assert "仙居持证到2028有限公司" not in dashboard


def test_the_window_reminder_splits_and_names_the_certificate_end(
        db_session: Any, portfolio: dict[str, Any], make_window: Any, at: Any) -> None:
    make_window(date(2026, 7, 10), date(2026, 8, 25), remind_days=[7])
    send_window_reminders(db_session, at(date(2026, 7, 3)), reminder_settings())
    [message] = outbox(db_session)
    assert "仙居持证到2028有限公司" not in message.body_text
    assert "重新认定" in message.body_text
    assert "现有证书有效期至 2026年11月30日" in message.body_text
    assert "现有证书有效期至 2026年11月30日" in message.body_html


def test_the_candidates_api(client: Any, db_session: Any, make_user: Any,
                            portfolio: dict[str, Any]) -> None:
    api = Api(client, db_session)
    mine = api.as_user(portfolio["advisor"])
    data = mine.get("/candidates?programme=hnte").get_json()
    assert data["as_of"] == "2026-06-30"
    assert set(data["run"]) == {"id", "finished_at"}
    names = {i["name"]: i for i in data["items"]}
    assert "仙居持证到2028有限公司" not in names
    item = names["仙居到期重新认定有限公司"]
    assert set(item) == {"credit_code", "name", "tier", "outcome", "application",
                         "certificate_valid_to", "gap_total", "advisor"}
    assert (item["tier"], item["application"], item["certificate_valid_to"]) == (
        "hnte", "renewal", "2026-11-30")
    assert names["仙居首次申报有限公司"]["application"] == "first"
    assert item["advisor"] == portfolio["advisor"].username
    renewals = mine.get("/candidates?programme=hnte&application=renewal").get_json()["items"]
    assert {i["application"] for i in renewals} == {"renewal"}
    assert mine.get("/candidates?programme=x").status_code == 422
    assert mine.get("/candidates?programme=hnte&advisor=someone").status_code == 403
    other = api.as_user(make_user("advisor"))
    assert other.get("/candidates?programme=hnte").get_json()["items"] == []
    admin = api.as_user(make_user("admin"))
    by_name = admin.get(f"/candidates?programme=hnte&advisor={portfolio['advisor'].username}")
    assert len(by_name.get_json()["items"]) == len(data["items"])
    by_display = admin.get("/candidates?programme=hnte&advisor=王指导")
    assert len(by_display.get_json()["items"]) == len(data["items"])
    assert admin.get("/candidates?programme=hnte&advisor=nobody").status_code == 422
    doc = api.get("/openapi.json").get_json()
    assert "/api/v1/candidates" in doc["paths"] or "/candidates" in doc["paths"]
