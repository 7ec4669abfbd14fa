"""The OpenAPI document describes every /api/v1 route, parameter and schema."""

from __future__ import annotations

from typing import Any

from cultivation import create_app
from cultivation.api.openapi import build_document, undocumented


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                found.add(value.rsplit("/", 1)[-1])
            else:
                found |= _refs(value)
    elif isinstance(node, list):
        for item in node:
            found |= _refs(item)
    return found


def test_every_api_route_and_method_is_in_the_document(app):
    assert undocumented(app) == []


def test_an_undocumented_route_is_reported_missing():
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    other.add_url_rule("/api/v1/secret/<int:n>", "secret", lambda n: "", methods=["GET", "POST"])
    assert ("/api/v1/secret/{n}", "GET") in undocumented(other)
    assert ("/api/v1/secret/{n}", "POST") in undocumented(other)


def test_the_document_is_served_and_well_formed(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.0.3"
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for path, operations in doc["paths"].items():
        names = {p["name"] for op in operations.values() for p in op["parameters"]
                 if p["in"] == "path"}
        assert names == set(path.replace("}", "{").split("{")[1::2]), path
        for method, op in operations.items():
            assert op["summary"], (path, method)
            assert op["responses"], (path, method)
            if op.get("security") != []:
                assert "401" in op["responses"], (path, method)
            if "requestBody" in op:
                assert "422" in op["responses"], (path, method)
    assert _refs(doc) <= set(doc["components"]["schemas"])
    ids = [op["operationId"] for ops in doc["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))


def test_the_enterprise_schema_lists_every_field_of_the_contract(app):
    schemas = build_document(app)["components"]["schemas"]
    props = schemas["Enterprise"]["properties"]
    for name in ("name", "credit_code", "town", "industry", "tech_domain", "registered_on",
                 "above_scale", "listed", "advisor", "contact_person", "contact_phone",
                 "contact_email", "address", "core_ip_owned", "ip_self_developed",
                 "led_standard", "major_incident_last_year", "national_award_5y",
                 "self_assessment", "tier", "version"):
        assert name in props, name
    assert props["tier"]["enum"] == ["none", "startup", "tech_sme", "hnte", "leading"]
    assert schemas["EnterprisePatch"]["required"] == ["version"]
    assert schemas["QualificationInput"]["properties"]["kind"]["enum"] == [
        "startup", "zj_tech_sme", "tech_sme", "hnte", "leading"]
    assert schemas["FiguresInput"]["properties"]["sales_revenue"]["type"] == "number"


def test_list_parameters_are_documented(app):
    params = build_document(app)["paths"]["/api/v1/enterprises"]["get"]["parameters"]
    assert {p["name"] for p in params} >= {"q", "town", "tier", "advisor", "page", "per_page"}
