"""One figure per indicator, with its date (issue 9 §3): the dashboard card and the targets
report give the same 高企 count for the same date, and both say which date."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from cultivation.qualifications.models import Qualification
from cultivation.reports.indicators import as_of_label


def local_today(app: Any) -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(app.config["TIMEZONE"])).date()


def test_the_dashboard_card_and_the_targets_report_agree_and_are_dated(
        app: Any, auth: Any, client: Any, db_session: Any, make_enterprise: Any,
        seeded: None) -> None:
    today = local_today(app)
    spans = [  # one lapsed since last year end, one current, one new this year
        (date(today.year - 3, 12, 1), today - timedelta(days=1)),
        (date(today.year - 2, 12, 1), date(today.year + 1, 11, 30)),
        (today - timedelta(days=1), today + timedelta(days=1000)),
    ]
    for start, end in spans:
        firm = make_enterprise()
        db_session.add(Qualification(enterprise_id=firm.id, kind="hnte", number="GR1",
                                     valid_from=start, valid_to=end))
    db_session.flush()
    auth.login("leader")
    report = client.get("/reports/targets").get_data(as_text=True)
    dashboard = client.get("/").get_data(as_text=True)
    card = re.search(r'data-card="hnte_count".*?</a>', dashboard, re.S)
    assert card, "no 高企 card"
    card_value = re.search(r'headline-actual">(\d+)<', card.group(0)).group(1)
    assert as_of_label(today) in card.group(0)
    row = re.search(r'<tr data-indicator="hnte_count">.*?</tr>', report, re.S).group(0)
    current = re.search(r'<td class="num current" data-as-of="([0-9-]+)">([\d,]+)', row)
    assert current.group(1) == today.isoformat()
    assert current.group(2) == card_value == "2"
    assert f'current-head">{as_of_label(today)}<' in report
    # the plan-year actual says which year end it is
    assert re.search(r'actual-date">(\d{4}年末|截至 [^<]+)<', row)
    sheet = load_workbook(io.BytesIO(client.get("/reports/targets?format=xlsx").data)).active
    header = [c.value for c in next(r for r in sheet.iter_rows() if r[0].value == "指标")]
    assert as_of_label(today) in header
