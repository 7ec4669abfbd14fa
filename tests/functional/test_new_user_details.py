"""Smaller things a new user hit (issue 9 §5): the calendar's default year, one word for
unverified dates, the 三覆盖 trend on a date axis, funnel links as of the funnel's date, xlsx
number and date styles, idle job runs folded and Chinese counters."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from cultivation.qualifications.models import Qualification
from cultivation.reports.coverage_trend import TrendPoint, trend_chart
from cultivation.scheduling.services import counts_text, run_job
from cultivation.windows.models import ApplicationWindow


def local_today(app: Any) -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(app.config["TIMEZONE"])).date()


def test_the_calendar_opens_on_the_year_of_the_next_window_and_says_待确认(
        app: Any, auth: Any, client: Any, db_session: Any) -> None:
    today = local_today(app)
    db_session.add_all([
        ApplicationWindow(programme="hnte", year=today.year, batch="第一批",
                          opens_on=today - timedelta(days=40), closes_on=today - timedelta(days=5),
                          remind_days=[7]),
        ApplicationWindow(programme="tech_sme", year=today.year + 1, batch="第一批",
                          opens_on=today + timedelta(days=20), closes_on=today + timedelta(days=60),
                          remind_days=[7]),
    ])
    db_session.flush()
    auth.login("advisor")
    calendar = client.get("/windows").get_data(as_text=True)
    assert f"申报日历 · {today.year + 1}年" in calendar
    assert "国家科技型中小企业评价" in calendar
    dashboard = client.get("/").get_data(as_text=True)
    assert "待核实" not in calendar + dashboard
    assert "未核实" not in calendar + dashboard
    assert "待确认" in calendar
    assert "待确认" in dashboard


def test_the_coverage_trend_is_on_a_date_axis(auth: Any, client: Any) -> None:
    points = [TrendPoint(date(2026, 11, 22), "listed", 8, 5),
              TrendPoint(date(2026, 11, 29), "listed", 8, 6),
              TrendPoint(date(2026, 11, 29), "above_scale_hnte", 40, 30),
              TrendPoint(date(2026, 12, 6), "listed", 8, 6)]
    chart = trend_chart(points)
    assert chart["labels"] == ["2026年11月22日", "2026年11月29日", "2026年12月6日"]
    listed = next(s for s in chart["series"] if s["kind"] == "listed")
    assert listed["data"] == [62.5, 75.0, 75.0]
    hnte = next(s for s in chart["series"] if s["kind"] == "above_scale_hnte")
    assert hnte["data"] == [None, 75.0, None]
    auth.login("leader")
    page = client.get("/reports/coverage").get_data(as_text=True)
    assert "type: 'time'" not in page
    assert "type: 'category'" in page


def test_funnel_counts_link_to_the_list_as_of_the_funnels_date(
        auth: Any, client: Any, db_session: Any, make_enterprise: Any) -> None:
    lapsed = make_enterprise(name="仙居已到期高企有限公司")
    db_session.add(Qualification(enterprise_id=lapsed.id, kind="hnte", number="GR2",
                                 valid_from=date(2022, 12, 1), valid_to=date(2025, 11, 30)))
    db_session.flush()
    auth.login("leader")
    funnel = client.get("/reports/funnel?as_of=2024-12-31").get_data(as_text=True)
    link = re.search(r'<tr data-tier="hnte">.*?<a href="([^"]+)">(\d+)</a>', funnel, re.S)
    assert link
    assert "as_of=2024-12-31" in link.group(1)
    listing = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "仙居已到期高企有限公司" in listing
    assert f"共 {link.group(2)} 家" in listing
    assert "2024年12月31日" in listing
    today_list = client.get("/enterprises?tier=hnte").get_data(as_text=True)
    assert "仙居已到期高企有限公司" not in today_list


def test_xlsx_counts_are_integers_dates_have_one_style_and_funnel_rows_follow_the_page(
        auth: Any, client: Any, seeded: None) -> None:
    auth.login("leader")
    sheet = load_workbook(io.BytesIO(client.get("/reports/targets?format=xlsx").data)).active
    header = next(r for r in sheet.iter_rows() if r[0].value == "指标")
    columns = {c.value: i for i, c in enumerate(header)}
    row = next(r for r in sheet.iter_rows() if r[0].value == "高新技术企业数")
    target = row[columns["目标值"]]
    assert target.value == 90
    assert isinstance(target.value, int)
    assert target.number_format == "#,##0"
    generated = sheet["A3"].value
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", generated)
    assert not re.search(r"年0\d月|月0\d日", generated)
    funnel = load_workbook(io.BytesIO(
        client.get("/reports/funnel?format=xlsx").data)).active
    labels = [r[0].value for r in funnel.iter_rows(min_row=5) if r[0].value]
    page = client.get("/reports/funnel").get_data(as_text=True)
    order = re.findall(r'<tr data-tier="([a-z_]+)">', page)
    assert order[0] == "leading"
    assert labels[0] == "创新型领军"
    assert len(labels) == len(order) + 1
    assert labels[-1] == "合计"


def test_idle_outbox_runs_are_folded_and_counters_are_chinese(
        auth: Any, client: Any, db_session: Any) -> None:
    start = datetime(2026, 12, 6, 17, 0, tzinfo=UTC)
    run_job(db_session, "screening", start)
    for minute in range(1, 30):
        run_job(db_session, "outbox", start + timedelta(minutes=minute))
    auth.login("admin")
    page = client.get("/admin/jobs/runs").get_data(as_text=True)
    assert "已折叠 29 次空转运行" in page
    assert page.count("邮件发送") <= 2  # the filter option, no rows
    assert "夜间筛选" in page
    assert "企业 0" in page
    everything = client.get("/admin/jobs/runs?idle=1").get_data(as_text=True)
    assert everything.count("已发送 0") == 29
    assert counts_text({"sent": 2, "retry": 1}) == "已发送 2，待重试 1"
