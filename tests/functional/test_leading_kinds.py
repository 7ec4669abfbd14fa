"""领军类型: an administrator adds a qualification kind of the 领军 tier without a code change;
a qualification of that kind gives the firm the 领军 tier."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from cultivation.audit.models import AuditLog
from cultivation.qualifications.models import LeadingKind, Qualification
from cultivation.qualifications.tiers import tier_at

KIND = "浙江省科技领军企业"


def _qualification(**changes: str) -> dict[str, str]:
    return {"kind": "leading", "number": "KJLJ-01", "valid_from": "2026-01-05",
            "valid_to": "2028-12-31", "status": "valid", "revoked_on": "", "note": "",
            "leading_kind": KIND, **changes}


def test_an_admin_adds_a_leading_kind_and_it_gives_the_leading_tier(
        as_role: Any, world: Any, db_session: Any) -> None:
    admin = as_role("admin")
    response = admin.post("/admin/leading-kinds", {"label": KIND, "note": "文号待核实"})
    assert response.status_code == 302
    assert db_session.scalars(select(LeadingKind.label)).all() == [KIND]
    assert db_session.scalars(select(AuditLog).where(
        AuditLog.entity_type == "leading_kind")).one().action == "create"
    code = world.firm.credit_code
    form = admin.client.get(f"/enterprises/{code}/qualifications/new").get_data(as_text=True)
    assert f'<option value="{KIND}">{KIND}</option>' in form
    added = admin.post(f"/enterprises/{code}/qualifications/new", _qualification())
    assert added.status_code == 302
    qual = db_session.scalars(select(Qualification).where(
        Qualification.number == "KJLJ-01")).one()
    assert (qual.kind, qual.leading_kind, qual.kind_label) == ("leading", KIND, KIND)
    assert tier_at([qual], date(2026, 6, 30)) == "leading"
    assert KIND in admin.client.get(f"/enterprises/{code}").get_data(as_text=True)


def test_an_unknown_or_misplaced_leading_kind_is_refused(as_role: Any, world: Any,
                                                         db_session: Any) -> None:
    admin = as_role("admin")
    admin.post("/admin/leading-kinds", {"label": KIND})
    url = f"/enterprises/{world.firm.credit_code}/qualifications/new"
    unknown = admin.post(url, _qualification(leading_kind="科技小巨人企业"))
    assert unknown.status_code == 422
    assert "未知的领军类型“科技小巨人企业”" in unknown.get_data(as_text=True)
    misplaced = admin.post(url, _qualification(kind="hnte"))
    assert misplaced.status_code == 422
    assert "只有“创新型领军企业”类资质可选领军类型" in misplaced.get_data(as_text=True)
    assert db_session.scalars(select(Qualification).where(
        Qualification.number == "KJLJ-01")).all() == []


def test_leading_kinds_are_for_admins(as_role: Any) -> None:
    assert as_role("advisor_in").client.get("/admin/leading-kinds").status_code == 403


def test_leading_kinds_refuse_blanks_and_duplicates(as_role: Any, db_session: Any) -> None:
    admin = as_role("admin")
    assert admin.post("/admin/leading-kinds", {"label": " "}).status_code == 422
    admin.post("/admin/leading-kinds", {"label": KIND})
    again = admin.post("/admin/leading-kinds", {"label": KIND})
    assert again.status_code == 422
    assert f"领军类型“{KIND}”已存在" in again.get_data(as_text=True)
    assert len(db_session.scalars(select(LeadingKind)).all()) == 1


def test_the_api_records_a_configured_leading_kind(client: Any, db_session: Any,
                                                   make_user: Any, make_enterprise: Any) -> None:
    from api_support import Api

    db_session.add(LeadingKind(label=KIND))
    db_session.flush()
    firm = make_enterprise()
    admin = Api(client, db_session).as_user(make_user("admin"))
    url = f"/enterprises/{firm.credit_code}/qualifications"
    body = {"kind": "leading", "valid_from": "2026-01-05", "leading_kind": KIND}
    created = admin.post(url, json=body)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["leading_kind"] == KIND
    assert admin.get(f"/enterprises/{firm.credit_code}").get_json()["tier"] == "leading"
    bad = admin.post(url, json={**body, "leading_kind": "科技小巨人企业"})
    assert bad.status_code == 422
    assert "未知的领军类型" in bad.get_json()["errors"]["leading_kind"][0]
