"""Free text is stored exactly as typed (issue 9 §1): names, addresses, notes, contacts and
certificate numbers keep their full-width characters through the web forms, the API and the
import; only identifiers, numbers, dates and choice values are folded."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from api_support import Api, code, firm_body
from import_support import run, write_csv
from sqlalchemy import select

from cultivation.enterprises.models import Enterprise
from cultivation.inputs import folded, parse_date, parse_number, spellings, text
from cultivation.qualifications.models import Qualification
from cultivation.visits.models import Visit

NAME = "仙居县某某科技有限公司（东区分公司）"
NOTE = "①用地；②人才"
ADDRESS = "仙居县安洲街道　环城南路１２３号"
PERSON = "王Ａ"


def test_text_keeps_what_was_typed_and_drops_only_invisible_characters() -> None:
    assert text(f"  {NAME}\u200b\x00 ") == NAME
    assert text("①用地；②人才\ufeff") == NOTE
    assert text("\u3000全角空格在外\u3000") == "全角空格在外"
    assert text("中\u200d间") == "中间"
    assert text(" \u200b ") is None
    # identifiers and numbers are still folded
    assert folded("ＡＢＣ１２３") == "ABC123"
    assert parse_number("１２３．５") == 123.5
    assert parse_date("２０２５年３月１日") == date(2025, 3, 1)
    assert spellings("(东区分公司)") == ["(东区分公司)", "（东区分公司）"]


@pytest.fixture
def api(client: Any, db_session: Any) -> Api:
    return Api(client, db_session)


def test_the_api_stores_names_addresses_notes_contacts_and_numbers_as_typed(
        api: Api, make_user: Any, db_session: Any) -> None:
    admin = api.as_user(make_user("admin"))
    body = firm_body(1, name=f" {NAME} ", address=ADDRESS, notes=NOTE, contact_person=PERSON,
                     credit_code=" " + code(1).translate(str.maketrans(
                         "0123456789", "０１２３４５６７８９")))
    created = admin.post("/enterprises", json=body)
    assert created.status_code == 201, created.get_json()
    data = created.get_json()
    assert data["credit_code"] == code(1)  # the identifier is folded
    firm = db_session.scalar(select(Enterprise).where(Enterprise.credit_code == code(1)))
    assert (firm.name, firm.address, firm.notes, firm.contact_person) == (
        NAME, ADDRESS, NOTE, PERSON)
    qual = admin.post(f"/enterprises/{code(1)}/qualifications", json={
        "kind": "hnte", "number": "ＧＲ２０２３３３０００１２３", "valid_from": "2023-12-08",
        "valid_to": "2026-12-07"})
    assert qual.status_code == 201, qual.get_json()
    stored = db_session.scalar(select(Qualification).where(Qualification.enterprise_id == firm.id))
    assert stored.number == "ＧＲ２０２３３３０００１２３"
    # a search typed with ASCII brackets still finds the full-width name
    found = admin.get("/enterprises?q=(东区分公司)").get_json()
    assert [i["name"] for i in found["items"]] == [NAME]


def test_web_forms_store_firm_and_visit_text_as_typed(as_role: Any, world: Any,
                                                      db_session: Any) -> None:
    browser = as_role("admin")
    new_code = code(77)
    response = browser.post("/enterprises/new", {
        "name": NAME, "credit_code": new_code, "town": "安洲街道", "address": ADDRESS,
        "notes": NOTE, "contact_person": PERSON, "industry": "", "tech_domain": "",
        "registered_on": "", "self_tech_advancement": ""})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    firm = db_session.scalar(select(Enterprise).where(Enterprise.credit_code == new_code))
    assert (firm.name, firm.address, firm.notes) == (NAME, ADDRESS, NOTE)
    browser.post(f"/enterprises/{new_code}/visits/new",
                 {"visited_on": "2026-01-05", "notes": NOTE})
    visit = db_session.scalar(select(Visit).where(Visit.enterprise_id == firm.id))
    assert visit.notes == NOTE
    page = browser.client.get(f"/enterprises/{new_code}").get_data(as_text=True)
    assert NAME in page
    assert NOTE in page


def test_the_import_stores_names_and_addresses_as_typed(db_session: Any, tmp_path: Any) -> None:
    path = write_csv(tmp_path / "firms.csv", [
        ["企业名称", "统一社会信用代码", "乡镇（街道）", "地址", "备注"],
        [NAME, code(5), "安洲", ADDRESS, NOTE],
    ])
    report = run(db_session, path, commit=True)
    assert report.errors == [], report.errors
    firm = db_session.scalar(select(Enterprise).where(Enterprise.credit_code == code(5)))
    assert (firm.name, firm.address, firm.notes) == (NAME, ADDRESS, NOTE)
