"""Listed / above-scale flags have a dated history (issue 9 §4): edits record it, and reports
as of a past date use the flags of that date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cultivation.accounts.access import EVERYTHING
from cultivation.enterprises.flags import flag_on
from cultivation.enterprises.models import Enterprise, EnterpriseFlag
from cultivation.enterprises.services import update_enterprise
from cultivation.reports.coverage import coverage_at
from cultivation.reports.indicators import INDICATORS
from cultivation.targets.indicators import computed_actuals


def flags(session: Session, firm: Enterprise) -> list[tuple[str, bool, date]]:
    return [(f.flag, f.value, f.valid_from) for f in session.scalars(
        select(EnterpriseFlag).where(EnterpriseFlag.enterprise_id == firm.id)
        .order_by(EnterpriseFlag.flag, EnterpriseFlag.valid_from))]


def test_an_edit_records_the_flag_history_and_past_reports_keep_past_flags(
        db_session: Session, make_enterprise: Any) -> None:
    firm = make_enterprise(listed=False, above_scale=False,
                           figures={2022: {"sales_revenue": 3000, "rd_expense": 150},
                                    2024: {"sales_revenue": 5000, "rd_expense": 300}})
    update_enterprise(db_session, firm, {"listed": True, "above_scale": True}, actor="test",
                      now=datetime(2024, 3, 1, 2, 0, tzinfo=UTC), today=date(2024, 3, 1))
    db_session.flush()
    assert flags(db_session, firm) == [
        ("above_scale", False, date(1900, 1, 1)), ("above_scale", True, date(2024, 3, 1)),
        ("listed", False, date(1900, 1, 1)), ("listed", True, date(2024, 3, 1))]
    listed_on = db_session.scalars(select(Enterprise.id).where(
        flag_on("listed", date(2023, 12, 31)))).all()
    assert firm.id not in listed_on
    def listed(day: date) -> int:
        return coverage_at(db_session, day, scope=EVERYTHING).populations["listed"].population

    assert listed(date(2023, 12, 31)) == 0
    assert listed(date(2024, 12, 31)) == 1
    # 规上 R&D ratio: 2022 had no above-scale firm then; 2024 counts the firm
    actuals = computed_actuals(db_session, [2022, 2024], date(2025, 6, 30),
                               indicators=[INDICATORS["above_scale_rd_ratio"]])
    assert ("above_scale_rd_ratio", "", 2022) not in actuals
    assert actuals[("above_scale_rd_ratio", "", 2024)].value == 6.0
