"""Access to the screening pages for every role: 培育库 and 自测 for everyone logged in (自测
loads only firms whose details the user may see), 政策参数 for admins and leaders, writes for
admins only. Anonymous visitors go to the login page."""

from __future__ import annotations

from typing import Any

import pytest
from registry_support import ROLES, count_rows

from cultivation.audit.models import AuditLog
from cultivation.parameters.models import PolicyParameter
from cultivation.parameters.services import ensure_parameters

ALL = dict.fromkeys(ROLES[:-1], 200)
READERS = {"admin": 200, "leader": 200, "advisor_in": 403, "advisor_out": 403}
DETAIL_VIEWERS = {"admin": 200, "leader": 200, "advisor_in": 200, "advisor_out": 403}

GET_PAGES: list[tuple[str, dict[str, int]]] = [
    ("/screening/candidates", ALL),
    ("/screening/candidates?rules=tech-sme&scope=all&outcome=eligible&change=new", ALL),
    ("/screening/candidates?format=xlsx", ALL),
    ("/screening/selftest", ALL),
    ("/screening/selftest?q=仙居", ALL),
    ("/screening/selftest?code={code}", DETAIL_VIEWERS),
    ("/screening/selftest?code={other}", {**DETAIL_VIEWERS, "advisor_in": 403}),
    ("/screening/selftest?code=911111111111111111", dict.fromkeys(ROLES[:-1], 404)),
    ("/admin/parameters", READERS),
    ("/admin/parameters/hnte.rd_expense_ratio_bands", READERS),
    ("/admin/parameters/no.such.key", {**READERS, "admin": 404, "leader": 404}),
]


def _url(template: str, world: Any) -> str:
    return template.format(code=world.firm.credit_code, other=world.other.credit_code)


def _cases() -> list[Any]:
    return [pytest.param(path, role, 302 if role == "anonymous" else expected[role],
                         id=f"GET {path} as {role}")
            for path, expected in GET_PAGES for role in ROLES]


@pytest.mark.parametrize(("path", "role", "status"), _cases())
def test_every_screening_page_answers_each_role_as_expected(as_role, world, path, role, status):
    response = as_role(role).client.get(_url(path, world))
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if role == "anonymous":
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ["anonymous", "leader", "advisor_in", "advisor_out"])
def test_only_admins_may_add_a_parameter_value(as_role, db_session, role):
    ensure_parameters(db_session)
    browser = as_role(role)
    before = (count_rows(db_session, PolicyParameter), count_rows(db_session, AuditLog))
    response = browser.post("/admin/parameters/hnte.lookback_years",
                            {"valid_from": "2027-01-01", "value": "4", "source": "测试"})
    assert response.status_code == (302 if role == "anonymous" else 403)
    after = (count_rows(db_session, PolicyParameter), count_rows(db_session, AuditLog))
    assert after == before


@pytest.mark.parametrize("role", ["leader", "advisor_out"])
def test_the_what_if_form_saves_nothing_for_any_role(as_role, world, db_session, role):
    browser = as_role(role)
    before = count_rows(db_session, AuditLog)
    response = browser.post("/screening/selftest",
                            {"as_of": "2026-06-30", "fy0_year": "2025",
                             "fy0_sales_revenue": "99999"})
    assert response.status_code == 200
    assert count_rows(db_session, AuditLog) == before
