"""A live server for browser tests: the real app on 127.0.0.1 (free port) in a thread, against
its own temporary SQLite file, migrated with Alembic and filled with committed data (not the
rolled-back ``db_session`` of the other tests: the browser talks to another thread).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from cultivation import create_app
from cultivation.accounts.models import User
from cultivation.enterprises import schemas, services
from cultivation.enterprises.credit_code import make_code
from cultivation.extensions import db
from cultivation.qualifications import services as qualifications
from cultivation.regions import load_region
from cultivation.visits import services as visits

PASSWORD = "browser-test-password"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]

FIRMS = [
    ("浙江仙琚制药股份有限公司", "福应街道", "医药", "生物与新医药", "leading"),
    ("仙居县康达医疗器械有限公司", "安洲街道", "医疗器械", "生物与新医药", "hnte"),
    ("浙江神仙居橡塑科技有限公司", "南峰街道", "橡塑制品", "新材料", "hnte"),
    ("台州市永安电子电气有限公司", "白塔镇", "电子电气", "电子信息", "tech_sme"),
    ("仙居县华丰工艺品有限公司", "横溪镇", "工艺礼品", "先进制造与自动化", "startup"),
    ("浙江君乐高端装备制造有限公司", "下各镇", "高端装备", "先进制造与自动化", "tech_sme"),
    ("仙居县绿源新材料科技有限公司", "田市镇", "新材料", "新材料", "none"),
    ("浙江数智仙居信息技术有限公司", "安洲街道", "数字经济", "电子信息", "startup"),
    ("仙居县杨梅生物科技有限公司", "步路乡", "农业", "生物与新医药", "tech_sme"),
    ("浙江天台山精密机械有限公司", "埠头镇", "高端装备", "先进制造与自动化", "hnte"),
    ("仙居县朱溪竹木工艺厂", "朱溪镇", "工艺礼品", "先进制造与自动化", "none"),
    ("台州仙医药业有限公司", "福应街道", "医药", "生物与新医药", "tech_sme"),
]
MINE = 5  # the first firms belong to the advisor who logs in
TIER_KIND = {"startup": "startup", "tech_sme": "zj_tech_sme", "hnte": "hnte", "leading": "leading"}


def _ladder(tier: str, today: date) -> list[tuple[str, date, date]]:
    """Qualifications (kind, from, to) that put a firm on ``tier`` today, with a past."""
    def ago(years: float) -> date:
        return today - timedelta(days=round(365.25 * years))

    def until(years: float) -> date:  # the day before ``ago(years)``: back-to-back certificates
        return ago(years) - timedelta(days=1)

    steps = {
        "startup": [("startup", ago(1), ago(-2))],
        "tech_sme": [("startup", ago(4), until(1)), ("zj_tech_sme", ago(1), ago(-0.4))],
        "hnte": [("zj_tech_sme", ago(4), until(3)), ("hnte", ago(3), ago(-0.5))],
        "leading": [("zj_tech_sme", ago(7), until(5)), ("hnte", ago(5), until(2)),
                    ("hnte", ago(2), ago(-1)), ("leading", ago(0.9), ago(-2))],
    }
    return steps.get(tier, [])


@dataclass(frozen=True)
class LiveServer:
    """Where the app listens and who can log in."""

    url: str
    app: Flask
    advisor: str
    password: str
    firm_code: str


def _seed(session: Session, now: datetime) -> str:
    """Users and a dozen realistic firms, written through the services (so audited)."""
    today = now.date()
    admin = User(username="admin", display_name="管理员", role="admin")
    advisor = User(username="zhang", display_name="张晓明", role="advisor")
    other = User(username="li", display_name="李文静", role="advisor")
    for user in (admin, advisor, other):
        user.set_password(PASSWORD)
        session.add(user)
    session.flush()
    ctx = services.validation_context(today, load_region())
    first = ""
    for n, (name, town, industry, domain, tier) in enumerate(FIRMS, start=1):
        values = schemas.clean(schemas.ENTERPRISE, {
            "name": name, "credit_code": make_code("91331024", f"{31000000 + n * 7:08d}"),
            "town": town, "industry": industry, "tech_domain": domain,
            "registered_on": date(2004 + n, n, 10 + n), "above_scale": n % 3 != 0,
            "listed": n == 1, "contact_person": "王建国", "contact_phone": f"0576-8770{n:04d}",
            "address": f"仙居县{town}工业园区{n}号", "core_ip_owned": "是",
            "ip_self_developed": "是", "self_tech_advancement": 6, "self_core_support": 6,
            "self_rd_management": 14,
        }, ctx)
        owner = advisor if n <= MINE else (other if n % 2 else None)
        firm = services.create_enterprise(session, values, actor=admin, now=now, today=today,
                                           advisor=owner)
        first = first or firm.credit_code
        size = (len(FIRMS) + 1 - n) / 3
        for i, year in enumerate(range(today.year - 3, today.year)):
            scale = size * (1 + 0.18 * i)
            services.record_figures(session, firm, year, {
                "employees": int(60 * scale), "tech_staff": int(9 * scale),
                "sales_revenue": round(3150.5 * scale, 2), "total_revenue": round(3300 * scale, 2),
                "high_tech_revenue": round(2100 * scale, 2), "rd_expense": round(158.4 * scale, 2),
                "rd_expense_domestic": round(150 * scale, 2), "total_cost": round(2900 * scale, 2),
                "total_assets": round(6200 * scale, 2), "net_assets": round(3100 * scale, 2),
                "ip_class_i": n % 3 + i, "ip_class_ii": 4 + i, "conversions": 2 + i,
                "source": "stats" if i < 2 else "self",
            }, actor=advisor, now=now)
        for k, (kind, start, end) in enumerate(_ladder(tier, today)):
            qualifications.add_qualification(session, firm, {
                "kind": kind, "number": f"{'GR' if kind == 'hnte' else 'ZJ'}{start.year}{n:03d}{k}",
                "valid_from": start, "valid_to": end}, actor=admin, now=now)
        if n <= 3:
            qualifications.add_institution(session, firm, {
                "kind": "provincial_hnte_center",
                "name": f"{name[:-6]}省级高新技术企业研究开发中心",
                "recognized_on": date(2021, 6, 1)}, actor=admin, now=now)
        if owner is advisor:
            visits.log_visit(session, firm, {
                "visited_on": today - timedelta(days=40 + 9 * n),
                "notes": "走访了解研发投入和高企申报准备情况；"
                         "建议规范研发费用辅助账，梳理核心知识产权。",
                "next_follow_up_on": today - timedelta(days=12 - 6 * n)}, actor=advisor, now=now)
    return first


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app served by werkzeug in a daemon thread; stopped after the session."""
    db_file = tmp_path_factory.mktemp("live") / "live.db"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
                      "SERVER_NAME": None})
    with app.app_context():
        upgrade()
        code = _seed(db.session, datetime.now(UTC))
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, "zhang", PASSWORD, code)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def browser() -> Iterator[object]:
    """Debian's Chromium, headless. Fails (never skips) when it is not installed."""
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install -y chromium"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
