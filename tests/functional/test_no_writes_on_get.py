"""A GET request never writes: seeding is the seed step's job (``cultivation seed``), not the
first page visit's. On a database the seed step has not reached, the pages still answer (the
policy rules read the bundled seed values) and leave every table as it was."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cultivation.extensions import db
from cultivation.parameters.models import PolicyParameter
from cultivation.reports.models import PlanPeriod, Target

PAGES = ["/", "/reports/targets", "/admin/parameters", "/admin/parameters/hnte.lookback_years",
         "/screening/candidates", "/screening/selftest", "/todos"]


def row_counts(session: Session) -> dict[str, int]:
    return {table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in db.metadata.sorted_tables}


@pytest.mark.parametrize("path", PAGES)
def test_pages_seed_nothing_on_a_fresh_database(auth: Any, client: Any, db_session: Session,
                                                make_enterprise: Any, path: str) -> None:
    make_enterprise(tier="hnte")
    auth.login("admin")
    before = row_counts(db_session)
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    db_session.expire_all()
    assert row_counts(db_session) == before
    assert before[PolicyParameter.__tablename__] == 0
    assert before[PlanPeriod.__tablename__] == 0


def test_the_seed_command_stores_parameters_and_plans_once(runner: Any,
                                                           db_session: Session) -> None:
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "初始数据已就绪" in result.output
    parameters = db_session.scalar(select(func.count(PolicyParameter.id)))
    assert parameters
    assert db_session.scalar(select(PlanPeriod.name).where(PlanPeriod.code == "14th")) == (
        "“十四五”科技创新发展规划")
    targets = db_session.scalar(select(func.count(Target.id)))
    again = runner.invoke(args=["seed"])
    assert again.exit_code == 0
    assert "新增政策参数 0 条，规划 0 个" in again.output
    assert db_session.scalar(select(func.count(PolicyParameter.id))) == parameters
    assert db_session.scalar(select(func.count(Target.id))) == targets


@pytest.mark.parametrize("path", ["/reports/funnel", "/reports/flows", "/enterprises",
                                  "/admin/portfolios"])
def test_advisor_pickers_list_advisors_by_name(auth: Any, client: Any, make_user: Any,
                                               path: str) -> None:
    make_user("advisor", username="zhao", display_name="赵指导")
    auth.login("admin")
    html = client.get(path).get_data(as_text=True)
    assert '<option value="zhao"' in html
    assert "赵指导" in html
