"""Access control over every web page of the registry and the admin area, for every role.

admin: everything. leader: reads everything, writes nothing. advisor: writes the firms in their
portfolio, sees only name, town and tier of the others. Anonymous visitors go to the login page.
"""

from __future__ import annotations

from typing import Any

import pytest
from registry_support import ROLES, SECRETS, count_rows

from cultivation.audit.models import AuditLog

ALL = dict.fromkeys(ROLES[:-1], 200)
EDITORS = {"admin": 200, "leader": 403, "advisor_in": 200, "advisor_out": 403}
ADMIN_ONLY = {"admin": 200, "leader": 403, "advisor_in": 403, "advisor_out": 403}
CREATORS = {"admin": 200, "leader": 403, "advisor_in": 200, "advisor_out": 200}
MISSING = dict.fromkeys(ROLES[:-1], 404)
REDIRECT_EDITORS = {"admin": 302, "leader": 403, "advisor_in": 302, "advisor_out": 403}

# path → expected status per logged-in role (anonymous always gets 302 to /login).
GET_PAGES: list[tuple[str, dict[str, int]]] = [
    ("/", ALL),
    ("/enterprises", ALL),
    ("/enterprises?scope=all&sort=tier&desc=1&page=2", ALL),
    ("/enterprises/new", CREATORS),
    ("/enterprises/{code}", ALL),
    ("/enterprises/{other}", ALL),
    ("/enterprises/911111111111111111", MISSING),
    ("/enterprises/{code}/edit", EDITORS),
    ("/enterprises/{other}/edit", {**EDITORS, "advisor_in": 403}),
    ("/enterprises/{code}/figures/2024", EDITORS),
    ("/enterprises/{code}/figures/2025", EDITORS),
    ("/enterprises/{code}/figures/new?year=2025", REDIRECT_EDITORS),
    ("/enterprises/{code}/figures/1800", {**EDITORS, "admin": 404, "advisor_in": 404}),
    ("/enterprises/{code}/qualifications/new", EDITORS),
    ("/enterprises/{code}/qualifications/{qual}/edit", EDITORS),
    ("/enterprises/{code}/qualifications/999999/edit", {**EDITORS, "admin": 404,
                                                        "advisor_in": 404}),
    ("/enterprises/{other}/qualifications/{qual}/edit", {**EDITORS, "admin": 404,
                                                         "advisor_in": 403}),
    ("/enterprises/{code}/institutions/new", EDITORS),
    ("/enterprises/{code}/visits/new", EDITORS),
    ("/enterprises/911111111111111111/edit", MISSING),
    ("/admin/users", ADMIN_ONLY),
    ("/admin/users/new", ADMIN_ONLY),
    ("/admin/users/{leader}/edit", ADMIN_ONLY),
    ("/admin/users/999999/edit", {**ADMIN_ONLY, "admin": 404}),
    ("/admin/portfolios", ADMIN_ONLY),
    ("/admin/portfolios?advisor=none&tier=hnte", ADMIN_ONLY),
    ("/admin/audit", ADMIN_ONLY),
    ("/admin/deleted", ADMIN_ONLY),
    ("/admin/audit?action=create&start=2020-01-01&end=2099-12-31", ADMIN_ONLY),
]

# POSTs with a valid CSRF token: who is refused before anything happens.
WRITE_REFUSED = {"leader": 403, "advisor_out": 403}
POSTS: list[tuple[str, dict[str, int]]] = [
    ("/enterprises/new", {"leader": 403}),
    ("/enterprises/{code}/edit", WRITE_REFUSED),
    ("/enterprises/{code}/delete", {**WRITE_REFUSED, "advisor_in": 403}),
    ("/enterprises/{code}/figures/2024", WRITE_REFUSED),
    ("/enterprises/{code}/qualifications/new", WRITE_REFUSED),
    ("/enterprises/{code}/qualifications/{qual}/edit", WRITE_REFUSED),
    ("/enterprises/{code}/institutions/new", WRITE_REFUSED),
    ("/enterprises/{code}/visits/new", WRITE_REFUSED),
    ("/admin/users/new", {"leader": 403, "advisor_in": 403, "advisor_out": 403}),
    ("/admin/users/{leader}/edit", {"leader": 403, "advisor_in": 403, "advisor_out": 403}),
    ("/admin/users/{leader}/tokens/revoke-all", {"leader": 403, "advisor_in": 403,
                                                 "advisor_out": 403}),
    ("/admin/portfolios", {"leader": 403, "advisor_in": 403, "advisor_out": 403}),
    ("/admin/deleted/{code}/restore", {"leader": 403, "advisor_in": 403, "advisor_out": 403}),
]


def _url(template: str, world: Any) -> str:
    return template.format(code=world.firm.credit_code, other=world.other.credit_code,
                           qual=world.qualification.id, leader=world.users["leader"].id)


def _get_cases() -> list[Any]:
    cases = []
    for path, expected in GET_PAGES:
        for role in ROLES:
            status = 302 if role == "anonymous" else expected[role]
            cases.append(pytest.param(path, role, status, id=f"GET {path} as {role}"))
    return cases


def _post_cases() -> list[Any]:
    cases = []
    for path, refused in POSTS:
        for role in ("anonymous", *refused):
            status = 302 if role == "anonymous" else refused[role]
            cases.append(pytest.param(path, role, status, id=f"POST {path} as {role}"))
    return cases


@pytest.mark.parametrize(("path", "role", "status"), _get_cases())
def test_every_page_answers_each_role_as_expected(as_role: Any, world: Any, path: str,
                                                  role: str, status: int) -> None:
    browser = as_role(role)
    response = browser.client.get(_url(path, world))
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if status == 302 and role == "anonymous":
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(("path", "role", "status"), _post_cases())
def test_writes_are_refused_to_roles_without_the_right(as_role: Any, world: Any, db_session: Any,
                                                       path: str, role: str, status: int) -> None:
    browser = as_role(role)
    before = count_rows(db_session, AuditLog)
    response = browser.post(_url(path, world), {"name": "改名", "target": "none",
                                                "mode": "all", "role": "admin"})
    assert response.status_code == status
    if role == "anonymous":
        assert response.headers["Location"].startswith("/login")
    assert count_rows(db_session, AuditLog) == before  # nothing happened
    db_session.refresh(world.firm)
    assert world.firm.name == "仙居测试制药有限公司"


@pytest.mark.parametrize("role", ["leader", "advisor_in"])
def test_the_forbidden_page_is_chinese(as_role: Any, role: str) -> None:
    response = as_role(role).client.get("/admin/users")
    assert response.status_code == 403
    assert "您没有权限访问此页面" in response.get_data(as_text=True)


def test_an_unknown_credit_code_gives_a_chinese_404(as_role: Any) -> None:
    response = as_role("admin").client.get("/enterprises/911111111111111111")
    assert response.status_code == 404
    assert "未找到该企业" in response.get_data(as_text=True)


def test_a_deleted_firm_is_not_found(as_role: Any, world: Any, db_session: Any) -> None:
    from datetime import UTC, datetime

    world.other.deleted_at = datetime.now(UTC)
    db_session.flush()
    assert as_role("admin").client.get(f"/enterprises/{world.other.credit_code}").status_code == 404


@pytest.mark.parametrize("role", ["admin", "leader", "advisor_in"])
def test_the_firm_page_shows_figures_contacts_notes_and_visits_to_those_allowed(
    as_role: Any, world: Any, role: str
) -> None:
    html = as_role(role).client.get(f"/enterprises/{world.firm.credit_code}").get_data(as_text=True)
    for secret in SECRETS.values():
        assert secret in html


def test_an_advisor_sees_only_name_town_and_tier_of_a_firm_outside_the_portfolio(
    as_role: Any, world: Any
) -> None:
    response = as_role("advisor_out").client.get(f"/enterprises/{world.firm.credit_code}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "仙居测试制药有限公司" in html
    assert "白塔镇" in html
    assert 'data-tier="hnte"' in html
    for secret in SECRETS.values():
        assert secret not in html
    for section in ("年度数据", "动态", "走访", "联系电话", "本企业指导员"):
        assert section not in html
    assert "/edit" not in html


def test_an_advisor_sees_no_edit_buttons_on_a_leaders_view(as_role: Any, world: Any) -> None:
    html = as_role("leader").client.get(f"/enterprises/{world.firm.credit_code}").get_data(
        as_text=True)
    assert "编辑企业信息" not in html
    assert "记录走访" not in html
    assert "删除" not in html


def test_a_credit_code_typed_in_lower_case_redirects_to_the_canonical_page(
    as_role: Any, world: Any
) -> None:
    code = world.firm.credit_code
    response = as_role("admin").client.get(f"/enterprises/{code.lower()}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/enterprises/{code}"
