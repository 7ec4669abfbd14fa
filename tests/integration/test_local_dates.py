"""Services date what they do in the bureau's zone, which the entry point passes down: an import
committed or a firm registered at 07:30 in 仙居 (23:30 UTC the day before)
opens the advisor's portfolio on the local day, not on the UTC one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from import_support import write_csv
from sqlalchemy import select
from sqlalchemy.orm import Session

from cultivation.enterprises import services
from cultivation.enterprises.credit_code import make_code
from cultivation.imports.services import ImportOptions, run_import
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.regions import load_region

EARLY = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)  # 2026-06-02 07:30 in Asia/Shanghai
LOCAL_DAY = date(2026, 6, 2)


def _starts(session: Session, firm_id: int) -> list[date]:
    return list(session.scalars(select(PortfolioAssignment.started_on).where(
        PortfolioAssignment.enterprise_id == firm_id).order_by(PortfolioAssignment.id)))


def test_an_import_opens_the_portfolio_on_the_local_day(
        db_session: Session, tmp_path: Path, make_user: Any) -> None:
    admin, advisor = make_user("admin"), make_user("advisor")
    code = make_code("91331024", "63000001")
    path = write_csv(tmp_path / "firms.csv", [["企业名称", "统一社会信用代码", "所属乡镇（街道）",
                                             "科技指导员"],
                                            ["早班科技有限公司", code, "安洲街道",
                                             advisor.username]])
    report = run_import(db_session, path, filename=path.name, options=ImportOptions("auto"),
                        user=admin, ctx=services.validation_context(LOCAL_DAY, load_region()),
                        now=EARLY, commit=True)
    assert report.created == 1, report.errors
    firm = services.get_by_code(db_session, code)
    assert firm is not None
    assert _starts(db_session, firm.id) == [LOCAL_DAY]


def test_registering_uses_the_day_given(
        db_session: Session, make_user: Any) -> None:
    advisor = make_user("advisor")
    firm = services.create_enterprise(
        db_session, {"name": "晨间科技有限公司", "town": "安洲街道",
                     "credit_code": make_code("91331024", "63000002")},
        actor=advisor, now=EARLY, today=LOCAL_DAY)
    assert _starts(db_session, firm.id) == [LOCAL_DAY]
