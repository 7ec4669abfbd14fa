"""Every bad body is a 422 naming the field in Chinese — never a 500, nothing saved."""

from __future__ import annotations

import pytest
from api_support import Api, code, corrupt, firm_body
from sqlalchemy import func, select

from cultivation.enterprises.models import Enterprise, FiscalYearFigures


@pytest.fixture
def api(client, db_session) -> Api:
    return Api(client, db_session)


def _count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("body", "field", "fragment"), [
    (firm_body(credit_code=corrupt(code(1))), "credit_code", "校验位"),
    (firm_body(credit_code="91331024MA2"), "credit_code", "18位"),
    (firm_body(credit_code="91331024MA2ABCDEFO"), "credit_code", "非法字符"),
    (firm_body(credit_code=913310240000000000), "credit_code", "字符串"),
    (firm_body(town="火星镇"), "town", "未知的乡镇"),
    (firm_body(industry="航天"), "industry", "未知的产业"),
    (firm_body(tech_domain="人工智能"), "tech_domain", "未知的高新技术领域"),
    (firm_body(registered_on="2999-01-01"), "registered_on", "晚于今天"),
    (firm_body(registered_on="2015年3月1日"), "registered_on", "YYYY-MM-DD"),
    (firm_body(registered_on="2015-02-30"), "registered_on", "不存在"),
    (firm_body(above_scale="是"), "above_scale", "true 或 false"),
    (firm_body(above_scale=1), "above_scale", "true 或 false"),
    (firm_body(name=None), "name", "请填写"),
    (firm_body(name=123), "name", "字符串"),
    (firm_body(name="长" * 201), "name", "200"),
    (firm_body(contact_email="not-an-email"), "contact_email", "邮箱"),
    (firm_body(self_assessment={"tech_advancement": 9}), "self_assessment.tech_advancement", "0–8"),
    (firm_body(self_assessment={"tech_advancement": "abc"}), "self_assessment.tech_advancement",
     "整数"),
    (firm_body(self_assessment={"speed": 1}), "self_assessment.speed", "未知字段"),
    (firm_body(self_assessment=[1, 2]), "self_assessment", "对象"),
    (firm_body(colour="red"), "colour", "未知字段"),
    (firm_body(tier="hnte"), "tier", "只读"),
    (firm_body(version=3), "version", "只读"),
    (firm_body(advisor=42), "advisor", "用户名"),
    (firm_body(advisor="nobody"), "advisor", "未知的科技指导员"),
    ({k: v for k, v in firm_body().items() if k != "town"}, "town", "请填写"),
])
def test_bad_enterprise_bodies_are_422_with_field_errors(api, make_user, db_session, body, field,
                                                         fragment):
    admin = api.as_user(make_user("admin"))
    before = _count(db_session, Enterprise)
    response = admin.post("/enterprises", json=body)
    assert response.status_code == 422, response.get_json()
    data = response.get_json()
    assert fragment in " ".join(data["errors"][field]), data
    assert data["message"]
    assert _count(db_session, Enterprise) == before


@pytest.mark.parametrize("raw", ['[1, 2]', '"text"', "42", "null", "{not json", "", "\x00\x01"])
def test_a_body_that_is_not_a_json_object_is_422(api, make_user, raw):
    admin = api.as_user(make_user("admin"))
    response = admin.post("/enterprises", data=raw, content_type="application/json")
    assert response.status_code == 422
    assert response.get_json()["errors"]["_body"]


def test_a_duplicate_code_is_422_on_the_code(api, make_user, make_enterprise):
    admin = api.as_user(make_user("admin"))
    firm = make_enterprise(credit_code=code(9))
    response = admin.post("/enterprises", json=firm_body(9, credit_code=firm.credit_code.lower()))
    assert response.status_code == 422
    assert "已登记" in response.get_json()["errors"]["credit_code"][0]


def test_an_oddly_typed_valid_code_is_stored_normalised(api, make_user):
    admin = api.as_user(make_user("admin"))
    typed = " " + code(10).lower()[:9] + "　" + code(10)[9:] + " "  # spaces, ideographic space
    response = admin.post("/enterprises", json=firm_body(10, credit_code=typed))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["credit_code"] == code(10)


@pytest.mark.parametrize(("body", "field", "fragment"), [
    ({"version": 1, "name": ""}, "name", "请填写"),
    ({"name": "x"}, "version", "version"),
    ({"version": "1", "name": "x"}, "version", "整数"),
    ({"version": True, "name": "x"}, "version", "整数"),
    ({"version": 1, "town": "unknown"}, "town", "未知"),
    ({"version": 1, "listed": "no"}, "listed", "true 或 false"),
    ({"version": 1, "figures": []}, "figures", "只读"),
])
def test_bad_patch_bodies_are_422_and_change_nothing(api, make_user, make_enterprise, db_session,
                                                     body, field, fragment):
    admin = api.as_user(make_user("admin"))
    firm = make_enterprise(name="不变有限公司")
    response = admin.patch(f"/enterprises/{firm.credit_code}", json=body)
    assert response.status_code == 422, response.get_json()
    assert fragment in " ".join(response.get_json()["errors"][field])
    db_session.expire_all()
    assert db_session.get(Enterprise, firm.id).name == "不变有限公司"


@pytest.mark.parametrize(("body", "field", "fragment"), [
    ({"sales_revenue": -1}, "sales_revenue", "负数"),
    ({"sales_revenue": "abc"}, "sales_revenue", "数字"),
    ({"sales_revenue": "1,234"}, "sales_revenue", "数字"),
    ({"employees": 1.5}, "employees", "整数"),
    ({"employees": -3}, "employees", "负数"),
    ({"employees": 10, "tech_staff": 11}, "tech_staff", "超过"),
    ({"rd_expense": 1e20}, "rd_expense", "过大"),
    ({"source": "guess"}, "source", "数据来源"),
    ({"profit": 1}, "profit", "未知字段"),
    ({"year": 2023}, "year", "不一致"),
])
def test_bad_figures_are_422(api, make_user, make_enterprise, db_session, body, field, fragment):
    admin = api.as_user(make_user("admin"))
    firm = make_enterprise()
    response = admin.put(f"/enterprises/{firm.credit_code}/figures/2024", json=body)
    assert response.status_code == 422, response.get_json()
    assert fragment in " ".join(response.get_json()["errors"][field])
    assert _count(db_session, FiscalYearFigures) == 0


@pytest.mark.parametrize("year", ["20x4", "1800", "3000", "24"])
def test_a_bad_year_in_the_path_is_422(api, make_user, make_enterprise, year):
    admin = api.as_user(make_user("admin"))
    firm = make_enterprise()
    response = admin.put(f"/enterprises/{firm.credit_code}/figures/{year}", json={})
    assert response.status_code == 422
    assert response.get_json()["errors"]["year"]


@pytest.mark.parametrize(("path", "body", "field"), [
    ("qualifications", {"kind": "nobel", "valid_from": "2024-01-01"}, "kind"),
    ("qualifications", {"kind": "hnte"}, "valid_from"),
    ("qualifications", {"kind": "hnte", "valid_from": "2024-01-01", "valid_to": "2023-01-01"},
     "valid_to"),
    ("qualifications", {"kind": "hnte", "valid_from": "2024-01-01", "status": "revoked"},
     "revoked_on"),
    ("qualifications", {"kind": "hnte", "valid_from": 20240101}, "valid_from"),
    ("institutions", {"kind": "tech_center", "recognized_on": "2999-01-01"}, "recognized_on"),
    ("institutions", {"kind": "lab"}, "kind"),
    ("institutions", {"kind": "tech_center", "recognized_on": "2020-01-01", "level": "galactic"},
     "level"),
])
def test_bad_qualification_and_institution_bodies_are_422(api, make_user, make_enterprise, path,
                                                          body, field):
    admin = api.as_user(make_user("admin"))
    firm = make_enterprise()
    response = admin.post(f"/enterprises/{firm.credit_code}/{path}", json=body)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"][field]


@pytest.mark.parametrize("query", ["page=0", "page=x", "per_page=1000", "tier=gold",
                                   "town=火星镇", "industry=航天"])
def test_bad_list_parameters_are_422(api, make_user, query):
    admin = api.as_user(make_user("admin"))
    response = admin.get(f"/enterprises?{query}")
    assert response.status_code == 422
    assert response.get_json()["errors"]


def test_list_filters_and_pages(api, make_user, make_enterprise):
    admin = api.as_user(make_user("admin"))
    for n in range(5):
        make_enterprise(town="横溪镇" if n % 2 else "安洲街道", tier="hnte" if n == 0 else None)
    page = admin.get("/enterprises?per_page=2&page=2").get_json()
    assert page["total"] == 5
    assert len(page["items"]) == 2
    assert page["page"] == 2
    assert admin.get("/enterprises?town=横溪镇").get_json()["total"] == 2
    assert admin.get("/enterprises?tier=hnte").get_json()["total"] == 1


@pytest.mark.parametrize("body", [{"employees": 10**400}, {"sales_revenue": 10**400},
                                  {"employees": 1e300}, {"sales_revenue": float("inf")}])
def test_absurd_numbers_are_422_not_500(api, make_user, make_enterprise, body):
    admin = api.as_user(make_user("admin"))
    firm = make_enterprise()
    response = admin.put(f"/enterprises/{firm.credit_code}/figures/2024", json=body)
    assert response.status_code == 422
