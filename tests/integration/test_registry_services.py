"""Decisions of the registry live in its services, so the web form and the API agree: a firm
an advisor registers is theirs; changing a firm and its advisor is one use case."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cultivation.enterprises import services
from cultivation.enterprises.credit_code import make_code
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.portfolios.services import current_advisor

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
TODAY = date(2026, 6, 1)


def values(n: int) -> dict[str, Any]:
    return {"name": f"服务测试科技有限公司{n}", "town": "安洲街道",
            "credit_code": make_code("91331024", f"{8800000 + n:08d}")}


def test_a_firm_an_advisor_registers_is_theirs(db_session: Session, make_user: Any) -> None:
    advisor, other = make_user("advisor"), make_user("advisor")
    firm = services.create_enterprise(db_session, values(1), actor=advisor, now=NOW,
                                      today=TODAY)
    assert current_advisor(db_session, firm.id) == advisor
    firm = services.create_enterprise(db_session, values(2), actor=advisor, now=NOW, today=TODAY,
                                      advisor=other)
    assert current_advisor(db_session, firm.id) == advisor


def test_an_admin_registers_a_firm_for_the_advisor_chosen_or_nobody(
        db_session: Session, make_user: Any) -> None:
    admin, advisor = make_user("admin"), make_user("advisor")
    assert current_advisor(db_session, services.create_enterprise(
        db_session, values(3), actor=admin, now=NOW, today=TODAY).id) is None
    assert current_advisor(db_session, services.create_enterprise(
        db_session, values(4), actor=admin, now=NOW, today=TODAY,
        advisor=advisor).id) == advisor


def test_update_and_reassign_changes_fields_then_hands_the_firm_over(
        db_session: Session, make_user: Any, make_enterprise: Any) -> None:
    admin, first, second = make_user("admin"), make_user("advisor"), make_user("advisor")
    firm = make_enterprise(advisor=first)
    changed = services.update_and_reassign(db_session, firm, {"address": "新地址"},
                                           advisor=second, actor=admin, now=NOW, today=TODAY)
    assert changed == {"address": "新地址"}
    assert current_advisor(db_session, firm.id) == second
    services.update_and_reassign(db_session, firm, {}, advisor=second, actor=admin, now=NOW,
                                 today=TODAY)
    open_rows = db_session.scalar(select(func.count(PortfolioAssignment.id)).where(
        PortfolioAssignment.enterprise_id == firm.id, PortfolioAssignment.ended_on.is_(None)))
    assert open_rows == 1
    services.update_and_reassign(db_session, firm, {}, advisor=None, actor=admin, now=NOW,
                                 today=TODAY)
    assert current_advisor(db_session, firm.id) is None
