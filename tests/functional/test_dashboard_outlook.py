"""The dashboard's outlook row: an advisor sees their own 高企 candidates with what they miss,
their certificates to re-apply for, and the windows opening soon; a leader sees the county."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from screening_support import AS_OF, STRONG_FIELDS, strong_years

from cultivation.qualifications.models import Qualification
from cultivation.screening.services import run_screening
from cultivation.windows.models import ApplicationWindow

NOW = datetime(2026, 6, 30, 18, tzinfo=UTC)


def _world(db_session: Any, make_user: Any, make_enterprise: Any) -> dict[str, Any]:
    today = date.today()
    mine, other = make_user("advisor"), make_user("advisor")
    make_enterprise(name="我的合格企业", advisor=mine, figures=strong_years(), **STRONG_FIELDS)
    make_enterprise(name="我的临界企业", advisor=mine, figures=strong_years(),
                    **{**STRONG_FIELDS, "self_rd_management": None,
                       "self_tech_advancement": None, "self_core_support": None})
    make_enterprise(name="别人的合格企业", advisor=other, figures=strong_years(), **STRONG_FIELDS)
    for name, owner in (("我的到期企业", mine), ("别人的到期企业", other)):
        firm = make_enterprise(name=name, advisor=owner)
        db_session.add(Qualification(enterprise_id=firm.id, kind="hnte", number="GR1",
                                     valid_from=today - timedelta(days=1000),
                                     valid_to=today + timedelta(days=50)))
    db_session.add(ApplicationWindow(programme="hnte", year=today.year, batch="测试批",
                                     opens_on=today + timedelta(days=20),
                                     closes_on=today + timedelta(days=80)))
    db_session.add(ApplicationWindow(programme="tech_sme", year=today.year + 1, batch="远期批",
                                     opens_on=today + timedelta(days=200),
                                     closes_on=today + timedelta(days=260)))
    db_session.flush()
    run_screening(db_session, as_of=AS_OF, now=NOW)
    db_session.flush()
    return {"mine": mine, "other": other}


def test_an_advisor_sees_their_candidates_renewals_and_the_next_windows(
        auth: Any, client: Any, db_session: Any, make_user: Any, make_enterprise: Any) -> None:
    world = _world(db_session, make_user, make_enterprise)
    auth.login(world["mine"])
    html = client.get("/").get_data(as_text=True)
    candidates = html.split('id="outlook-candidates"')[1].split("</section>")[0]
    assert "我的合格企业" in candidates
    assert "我的临界企业" in candidates
    assert "创新能力评价得分" in candidates  # what the borderline firm misses
    assert "别人的合格企业" not in candidates
    renewals = html.split('id="outlook-renewals"')[1].split("</section>")[0]
    assert "我的到期企业" in renewals
    assert "别人的到期企业" not in renewals
    windows = html.split('id="outlook-windows"')[1].split("</section>")[0]
    assert "测试批" in windows
    assert "远期批" not in windows


def test_a_leader_sees_the_whole_county_in_the_outlook(
        auth: Any, client: Any, db_session: Any, make_user: Any, make_enterprise: Any) -> None:
    _world(db_session, make_user, make_enterprise)
    auth.login("leader")
    html = client.get("/").get_data(as_text=True)
    assert "别人的合格企业" in html.split('id="outlook-candidates"')[1].split("</section>")[0]
    renewals = html.split('id="outlook-renewals"')[1].split("</section>")[0]
    assert "我的到期企业" in renewals
    assert "别人的到期企业" in renewals


def test_an_empty_database_shows_sane_empty_panels(auth: Any, client: Any) -> None:
    auth.login("advisor")
    html = client.get("/").get_data(as_text=True)
    assert "尚未进行筛选" in html
    assert "没有需要重新申报的资格" in html
    assert "没有开放的申报窗口" in html


def test_renewals_read_only_the_rows_they_show_and_count_the_rest(
    db_session: Any, make_user: Any, make_enterprise: Any
) -> None:
    from reports_support import count_statements

    from cultivation.dashboard.outlook import EXPIRY_LIMIT, renewals

    adv = make_user("advisor")
    today = date.today()
    for i in range(EXPIRY_LIMIT + 4):
        firm = make_enterprise(advisor=adv, name=f"到期{i:02d}")
        db_session.add(Qualification(enterprise_id=firm.id, kind="hnte",
                                     valid_from=today - timedelta(days=1000),
                                     valid_to=today + timedelta(days=10 + i)))
    far = make_enterprise(advisor=adv, name="远期")
    db_session.add(Qualification(enterprise_id=far.id, kind="hnte",
                                 valid_from=today - timedelta(days=100),
                                 valid_to=today + timedelta(days=900)))
    db_session.flush()
    with count_statements() as log:
        shown, total = renewals(db_session, adv.id, today)
    assert total == EXPIRY_LIMIT + 4
    assert [r.name for r in shown] == [f"到期{i:02d}" for i in range(EXPIRY_LIMIT)]
    assert shown[0].days_left == 10
    assert any("LIMIT" in s.upper() for s in log.selects())
