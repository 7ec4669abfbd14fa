"""The enterprise API: authentication, roles, portfolio limits, optimistic locking, audit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from api_support import Api, code, firm_body
from sqlalchemy import func, select

from cultivation.accounts.models import ApiToken
from cultivation.accounts.services import revoke_token
from cultivation.audit.models import AuditLog
from cultivation.enterprises.models import Enterprise, FiscalYearFigures


@pytest.fixture
def api(client, db_session) -> Api:
    return Api(client, db_session)


def test_requests_without_a_token_are_401_in_chinese(api):
    response = api.get("/enterprises")
    assert response.status_code == 401
    assert "令牌" in response.get_json()["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer nonsense", "Basic abc", "Bearer ", "token"])
def test_invalid_tokens_are_401(api, header):
    response = api.get("/enterprises", headers={"Authorization": header}, token="")
    assert response.status_code == 401


def test_a_revoked_token_is_401(api, make_user, db_session):
    admin = api.as_user(make_user("admin"))
    assert admin.get("/enterprises").status_code == 200
    token = db_session.scalar(select(ApiToken).where(ApiToken.user_id == admin.user.id))
    revoke_token(db_session, token, actor=admin.user, now=datetime.now(UTC))
    db_session.flush()
    assert admin.get("/enterprises").status_code == 401


def test_an_inactive_users_token_is_401(api, make_user, db_session):
    admin = api.as_user(make_user("admin"))
    admin.user.is_active_flag = False
    db_session.flush()
    assert admin.get("/enterprises").status_code == 401


def test_the_openapi_document_needs_no_token(api):
    response = api.get("/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["openapi"].startswith("3.")


def test_admin_creates_reads_and_lists_a_firm(api, make_user):
    admin = api.as_user(make_user("admin"))
    advisor = make_user("advisor")
    body = firm_body(1, advisor=advisor.username,
                     self_assessment={"tech_advancement": 6, "core_support": 5,
                                      "rd_management": 14})
    created = admin.post("/enterprises", json=body)
    assert created.status_code == 201, created.get_json()
    data = created.get_json()
    assert data["credit_code"] == code(1)
    assert data["advisor"] == advisor.username
    assert data["self_assessment"] == {"tech_advancement": 6, "core_support": 5,
                                       "rd_management": 14}
    assert data["tier"] == "none"
    assert data["version"] == 1
    assert data["figures"] == []
    assert data["qualifications"] == []
    assert created.headers["Location"].endswith(f"/api/v1/enterprises/{code(1)}")
    listed = admin.get("/enterprises?town=安洲&per_page=10").get_json()
    assert listed["total"] == 1
    assert listed["items"][0]["name"] == body["name"]


def test_codes_in_urls_are_normalised(api, make_user, make_enterprise):
    admin = api.as_user(make_user("admin"))
    firm = make_enterprise(credit_code=code(2))
    odd = [firm.credit_code.lower(), " ".join(firm.credit_code[i:i + 6] for i in (0, 6, 12)),
           "".join(chr(ord(ch) + 0xFEE0) for ch in firm.credit_code)]  # full-width
    for typed in odd:
        response = admin.get(f"/enterprises/{typed}")
        assert response.status_code == 200, typed
        assert response.get_json()["credit_code"] == firm.credit_code


def test_a_corrupted_code_in_the_url_is_404_with_the_check_character_reason(api, make_user):
    admin = api.as_user(make_user("admin"))
    valid = code(3)
    response = admin.get(f"/enterprises/{valid[:17]}{'0' if valid[17] != '0' else '1'}")
    assert response.status_code == 404
    assert "校验位" in response.get_json()["message"]
    assert admin.get(f"/enterprises/{code(4)}").status_code == 404


def test_leaders_read_but_every_write_is_403(api, make_user, make_enterprise):
    leader = api.as_user(make_user("leader"))
    firm = make_enterprise()
    assert leader.get(f"/enterprises/{firm.credit_code}").get_json()["restricted"] is False
    path = f"/enterprises/{firm.credit_code}"
    assert leader.post("/enterprises", json=firm_body(5)).status_code == 403
    assert leader.patch(path, json={"version": 1, "name": "x"}).status_code == 403
    assert leader.delete(path).status_code == 403
    assert leader.put(f"{path}/figures/2024", json={}).status_code == 403
    assert leader.post(f"{path}/qualifications", json={}).status_code == 403
    assert leader.post(f"{path}/institutions", json={}).status_code == 403


def test_advisors_see_only_name_town_and_tier_outside_their_portfolio(api, make_user,
                                                                      make_enterprise):
    advisor = api.as_user(make_user("advisor"))
    mine = make_enterprise(advisor=advisor.user, contact_phone="13800000000")
    other = make_enterprise(tier="hnte", contact_phone="13900000000")
    own = advisor.get(f"/enterprises/{mine.credit_code}").get_json()
    assert own["contact_phone"] == "13800000000"
    assert own["restricted"] is False
    foreign = advisor.get(f"/enterprises/{other.credit_code}").get_json()
    assert foreign == {"name": other.name, "credit_code": other.credit_code, "town": other.town,
                       "tier": "hnte", "restricted": True}
    items = {i["credit_code"]: i for i in advisor.get("/enterprises").get_json()["items"]}
    assert "contact_phone" not in items[other.credit_code]
    assert items[mine.credit_code]["contact_phone"] == "13800000000"


def test_advisors_get_403_when_writing_outside_their_portfolio(api, make_user, make_enterprise):
    advisor = api.as_user(make_user("advisor"))
    other = make_enterprise(advisor=make_user("advisor"))
    path = f"/enterprises/{other.credit_code}"
    assert advisor.patch(path, json={"version": other.version, "name": "改名"}).status_code == 403
    assert advisor.put(f"{path}/figures/2024", json={"employees": 5}).status_code == 403
    assert advisor.post(f"{path}/qualifications",
                        json={"kind": "hnte", "valid_from": "2024-01-01"}).status_code == 403
    assert advisor.delete(path).status_code == 403
    assert other.name != "改名"


def test_a_firm_created_by_an_advisor_is_in_their_portfolio(api, make_user):
    advisor = api.as_user(make_user("advisor"))
    response = advisor.post("/enterprises", json=firm_body(6))
    assert response.status_code == 201
    assert response.get_json()["advisor"] == advisor.user.username
    assert advisor.post("/enterprises",
                        json=firm_body(7, advisor="someone")).status_code == 403


def test_patch_changes_fields_bumps_the_version_and_is_audited(api, make_user, make_enterprise,
                                                               db_session):
    admin = api.as_user(make_user("admin"))
    firm = make_enterprise(name="旧名称有限公司")
    response = admin.patch(f"/enterprises/{firm.credit_code}",
                           json={"version": firm.version, "name": "新名称有限公司",
                                 "self_assessment": {"rd_management": 12}})
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["name"] == "新名称有限公司"
    assert data["version"] == 2
    assert data["self_assessment"]["rd_management"] == 12
    entry = db_session.scalars(select(AuditLog).where(
        AuditLog.enterprise_id == firm.id, AuditLog.action == "update")).one()
    assert entry.actor_id == admin.user.id
    assert entry.before["name"] == "旧名称有限公司"
    assert entry.after["name"] == "新名称有限公司"


def test_a_stale_version_is_409_and_leaves_the_row_unchanged(api, make_user, make_enterprise,
                                                             db_session):
    admin = api.as_user(make_user("admin"))
    firm = make_enterprise(name="原名称有限公司")
    path = f"/enterprises/{firm.credit_code}"
    assert admin.patch(path, json={"version": 1, "town": "横溪镇"}).status_code == 200
    stale = admin.patch(path, json={"version": 1, "name": "覆盖他人修改"})
    assert stale.status_code == 409
    assert stale.get_json()["current_version"] == 2
    db_session.expire_all()
    stored = db_session.get(Enterprise, firm.id)
    assert stored.name == "原名称有限公司"
    assert stored.town == "横溪镇"
    assert stored.version == 2


def test_delete_is_a_soft_delete_for_admins_only(api, make_user, make_enterprise, db_session):
    admin = api.as_user(make_user("admin"))
    advisor = api.as_user(make_user("advisor"))
    firm = make_enterprise(advisor=advisor.user)
    path = f"/enterprises/{firm.credit_code}"
    assert advisor.delete(path).status_code == 403
    assert admin.delete(path).status_code == 204
    assert admin.get(path).status_code == 404
    assert admin.delete(path).status_code == 404
    assert db_session.get(Enterprise, firm.id).deleted_at is not None
    assert db_session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.enterprise_id == firm.id, AuditLog.action == "delete")) == 1


def test_put_figures_creates_then_replaces_a_year(api, make_user, make_enterprise, db_session):
    advisor = api.as_user(make_user("advisor"))
    firm = make_enterprise(advisor=advisor.user)
    path = f"/enterprises/{firm.credit_code}/figures/2024"
    first = advisor.put(path, json={"employees": 120, "tech_staff": 18, "sales_revenue": 4300.5,
                                    "rd_expense": 270})
    assert first.status_code == 201, first.get_json()
    second = advisor.put(path, json={"employees": 121, "source": "tax"})
    assert second.status_code == 200
    row = db_session.scalars(select(FiscalYearFigures).where(
        FiscalYearFigures.enterprise_id == firm.id)).one()
    assert (row.employees, row.sales_revenue, row.source) == (121, None, "tax")
    detail = advisor.get(f"/enterprises/{firm.credit_code}").get_json()
    assert [f["year"] for f in detail["figures"]] == [2024]
    assert db_session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.entity_type == "figures", AuditLog.actor_id == advisor.user.id)) == 2


def test_qualifications_and_institutions_are_added_and_change_the_tier(api, make_user,
                                                                        make_enterprise):
    admin = api.as_user(make_user("admin"))
    firm = make_enterprise()
    path = f"/enterprises/{firm.credit_code}"
    qual = admin.post(f"{path}/qualifications", json={
        "kind": "hnte", "number": "GR202333000123", "valid_from": "2023-12-08",
        "valid_to": "2099-12-07"})
    assert qual.status_code == 201, qual.get_json()
    assert qual.get_json()["status"] == "valid"
    again = admin.post(f"{path}/qualifications", json={"kind": "hnte", "valid_from": "2023-12-08"})
    assert again.status_code == 422
    assert "同生效日期" in again.get_json()["errors"]["valid_from"][0]
    body = {"kind": "tech_center", "level": "municipal", "name": "市级企业技术中心",
            "recognized_on": "2022-11-23"}
    inst = admin.post(f"{path}/institutions", json=body)
    assert inst.status_code == 201, inst.get_json()
    repeated = admin.post(f"{path}/institutions", json=body)
    assert repeated.status_code == 422
    assert "recognized_on" in repeated.get_json()["errors"]
    detail = admin.get(path).get_json()
    assert detail["tier"] == "hnte"
    assert [i["kind"] for i in detail["institutions"]] == ["tech_center"]


def test_a_certificate_without_an_end_date_gets_the_kinds_validity(api, make_user,
                                                                   make_enterprise):
    # Left open, a 高企 certificate kept the firm a 高企 forever and never raised an expiry.
    admin = api.as_user(make_user("admin"))
    path = f"/enterprises/{make_enterprise().credit_code}/qualifications"
    hnte = admin.post(path, json={"kind": "hnte", "valid_from": "2025-12-04"}).get_json()
    assert hnte["valid_to"] == "2028-12-03"
    sme = admin.post(path, json={"kind": "zj_tech_sme", "valid_from": "2025-12-31"}).get_json()
    assert sme["valid_to"] == "2026-12-30"
    leading = admin.post(path, json={"kind": "leading", "valid_from": "2025-03-01"}).get_json()
    assert leading["valid_to"] is None


def test_a_typo_like_year_9999_is_refused_before_it_can_break_the_firm_page(
        api, make_user, make_enterprise):
    admin = api.as_user(make_user("admin"))
    firm = make_enterprise()
    path = f"/enterprises/{firm.credit_code}"
    refused = admin.post(f"{path}/qualifications", json={
        "kind": "hnte", "valid_from": "2025-12-04", "valid_to": "9999-12-31"})
    assert refused.status_code == 422
    assert "超出范围" in refused.get_json()["errors"]["valid_to"][0]
    assert admin.get(path).get_json()["qualifications"] == []


def test_unknown_api_paths_are_json_404(api, make_user):
    admin = api.as_user(make_user("admin"))
    response = admin.get("/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["message"]


def test_an_unsupported_method_is_json_405(api, make_user):
    admin = api.as_user(make_user("admin"))
    response = admin.put("/enterprises", json={})
    assert response.status_code == 405
    assert response.get_json()["message"]
