"""Cached dashboard figures (``dashboard.figures``): the county-wide dashboard answers from
today's cached figures exactly what it computes live, and a write they depend on invalidates
them in its own transaction, so the page never shows stale tiers."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cultivation.dashboard.figures import TABLE, compute_figures, read_figures, refresh_figures
from cultivation.demo.services import load_demo
from cultivation.enterprises.models import EnterpriseFlag
from cultivation.qualifications.models import Qualification
from cultivation.scheduling.services import run_job
from cultivation.web.clock import today as local_today

NOW = datetime.now(UTC)


def _page(client: Any, path: str = "/") -> str:
    """A page's HTML without what differs per request (CSP nonce, CSRF token)."""
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    html = re.sub(r'nonce="[^"]*"', 'nonce=""', html)
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', html)


def _tier_card(html: str, label: str) -> str:
    """The county panel's count next to a tier label (e.g. 高新技术企业)."""
    panel = html.split('id="advisor-panel"')[1] if 'id="advisor-panel"' in html else html
    found = re.search(re.escape(label) + r"\D{0,200}?(\d+)", panel)
    assert found, label
    return found.group(1)


def _world(db_session: Session, make_enterprise: Any, make_user: Any,
           make_institution: Any) -> None:
    today = local_today()
    advisor = make_user("advisor")
    for n, tier in enumerate(["none", "startup", "tech_sme", "tech_sme", "hnte", "leading"]):
        firm = make_enterprise(tier=tier, advisor=advisor if n % 2 else None)
        db_session.add(EnterpriseFlag(enterprise_id=firm.id, flag="above_scale", value=True,
                                      valid_from=date(2019, 1, 1)))
        if n == 4:
            make_institution(firm, "municipal_hnte_center")
    expiring = make_enterprise(name="快到期企业", advisor=advisor)
    db_session.add(Qualification(enterprise_id=expiring.id, kind="hnte", number="GR-EXP",
                                 valid_from=today - timedelta(days=1000),
                                 valid_to=today + timedelta(days=40)))
    db_session.flush()


def test_cached_figures_answer_what_the_live_dashboard_answers(
        auth: Any, client: Any, db_session: Session, make_enterprise: Any, make_user: Any,
        make_institution: Any) -> None:
    _world(db_session, make_enterprise, make_user, make_institution)
    auth.login("admin")
    today = local_today()
    assert read_figures(db_session, today) is None
    live = _page(client)
    assert refresh_figures(db_session, today, NOW)
    cached = read_figures(db_session, today)
    assert cached is not None
    assert cached == compute_figures(db_session, today)
    assert _page(client) == live
    assert "快到期企业" in live


def test_the_dashboard_reads_todays_cached_figures(
        auth: Any, client: Any, db_session: Session, make_enterprise: Any, make_user: Any,
        make_institution: Any) -> None:
    _world(db_session, make_enterprise, make_user, make_institution)
    auth.login("admin")
    today = local_today()
    refresh_figures(db_session, today, NOW)
    payload = db_session.scalar(select(TABLE.c.payload))
    payload["renewals"][0][0] = "缓存里的企业"
    db_session.execute(update(TABLE).values(payload=payload))
    assert "缓存里的企业" in _page(client)
    # yesterday's figures are not today's
    db_session.execute(update(TABLE).values(day=today - timedelta(days=1)))
    assert read_figures(db_session, today) is None
    assert "缓存里的企业" not in _page(client)


def test_a_certificate_write_invalidates_the_figures_in_its_own_transaction(
        auth: Any, client: Any, db_session: Session, make_enterprise: Any, make_user: Any,
        make_institution: Any) -> None:
    _world(db_session, make_enterprise, make_user, make_institution)
    auth.login("admin")
    today = local_today()
    refresh_figures(db_session, today, NOW)
    before = read_figures(db_session, today)
    assert before is not None
    assert before.tier_counts["hnte"] == 2  # one expiring soon
    firm = make_enterprise(name="新认定企业")  # a new firm alone invalidates too
    refresh_figures(db_session, today, NOW)
    assert read_figures(db_session, today) is not None
    db_session.add(Qualification(enterprise_id=firm.id, kind="hnte", number="GR-NEW",
                                 valid_from=today - timedelta(days=3),
                                 valid_to=today + timedelta(days=1000)))
    db_session.flush()  # not committed: the same transaction
    assert read_figures(db_session, today) is None
    live = _page(client)
    assert compute_figures(db_session, today).tier_counts["hnte"] == 3
    # the job brings the figures back, answering what the live page answered
    run = run_job(db_session, "dashboard-figures", NOW)
    assert run.counts == {"refreshed": 1}
    assert read_figures(db_session, today) is not None
    assert _page(client) == live
    assert run_job(db_session, "dashboard-figures", NOW).counts == {"refreshed": 0}


def test_a_refresh_that_lost_the_race_to_a_write_stores_nothing(
        db_session: Session, make_enterprise: Any) -> None:
    today = local_today()
    make_enterprise(tier="hnte")
    refresh_figures(db_session, today, NOW)

    def write_meanwhile(session: Session, day: date) -> Any:
        figures = compute_figures(session, day)
        make_enterprise(tier="hnte")  # a write lands while the refresh computes
        return figures

    assert not refresh_figures(db_session, today, NOW, compute=write_meanwhile)
    assert read_figures(db_session, today) is None
    assert refresh_figures(db_session, today, NOW)
    figures = read_figures(db_session, today)
    assert figures is not None
    assert figures.tier_counts["hnte"] == 2


def test_at_800_demo_firms_the_cached_dashboard_equals_the_live_one(
        auth: Any, client: Any, db_session: Session) -> None:
    today = local_today()
    load_demo(db_session, firms=800, seed=2026, today=today)
    db_session.flush()
    admin = auth.login("admin")
    live_admin = _page(client)
    auth.logout()
    auth.login("leader")
    live_leader = _page(client)
    assert refresh_figures(db_session, today, NOW)
    assert read_figures(db_session, today) is not None
    assert _page(client) == live_leader
    auth.logout()
    auth.login(admin)
    assert _page(client) == live_admin


def test_the_flows_page_of_today_reads_the_cached_figures_and_answers_the_same(
        auth: Any, client: Any, db_session: Session, make_enterprise: Any, make_user: Any,
        make_institution: Any) -> None:
    _world(db_session, make_enterprise, make_user, make_institution)
    auth.login("admin")
    today = local_today()

    def flows() -> str:
        return _page(client, "/reports/flows")

    live = flows()
    assert refresh_figures(db_session, today, NOW)
    assert flows().splitlines() == live.splitlines()
    payload = db_session.scalar(select(TABLE.c.payload))
    assert payload["flow_rows"]
    for row in payload["flow_rows"]:
        if row[-1] == "flows" and row[2] == 3:  # entries into 高企 in one year
            row[3] = 4321
    db_session.execute(update(TABLE).values(payload=payload))
    assert "4321" in flows()
    assert "4321" not in client.get("/reports/flows?town=安洲街道").get_data(as_text=True)
