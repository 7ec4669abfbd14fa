"""A certificate entered by mistake: an admin deletes it (audited); the tier follows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cultivation.audit.models import AuditLog
from cultivation.qualifications.models import Qualification


def test_an_admin_deletes_a_mistaken_certificate_and_the_tier_follows(
        auth: Any, client: Any, db_session: Any, make_enterprise: Any) -> None:
    firm = make_enterprise(tier="hnte")
    qual = db_session.scalars(select(Qualification).where(
        Qualification.enterprise_id == firm.id)).one()
    qual_id = qual.id
    auth.login("admin")
    page_url = f"/enterprises/{firm.credit_code}"
    assert 'data-tier="hnte"' in client.get(page_url).get_data(as_text=True)
    response = auth.post(f"{page_url}/qualifications/{qual_id}/delete", {}, form_url=page_url)
    assert response.status_code == 302
    assert response.location.endswith(f"{page_url}#qualifications")
    db_session.expire_all()
    assert db_session.get(Qualification, qual_id) is None
    entry = db_session.scalars(select(AuditLog).where(
        AuditLog.entity_type == "qualification", AuditLog.entity_id == qual_id,
        AuditLog.action == "delete")).one()
    assert entry.enterprise_id == firm.id
    assert entry.before is not None
    assert entry.before["kind"] == "hnte"
    html = client.get(page_url).get_data(as_text=True)
    assert "已删除误录的资质" in html
    assert 'data-tier="none"' in html  # tier and history come from the remaining certificates
    from cultivation.qualifications.spans import check_spans

    assert check_spans(db_session).differing == 0  # the maintained spans followed the delete


def test_only_admins_delete_certificates(
        auth: Any, client: Any, db_session: Any, make_user: Any, make_enterprise: Any) -> None:
    advisor = make_user("advisor")
    firm = make_enterprise(tier="hnte", advisor=advisor)
    qual_id = db_session.scalars(select(Qualification.id).where(
        Qualification.enterprise_id == firm.id)).one()
    auth.login(advisor)
    page_url = f"/enterprises/{firm.credit_code}"
    assert "delete-qualification" not in client.get(page_url).get_data(as_text=True)
    response = auth.post(f"{page_url}/qualifications/{qual_id}/delete", {}, form_url=page_url)
    assert response.status_code == 403
    assert db_session.get(Qualification, qual_id) is not None


def test_a_certificate_of_another_firm_is_not_found(
        auth: Any, db_session: Any, make_enterprise: Any) -> None:
    firm, other = make_enterprise(), make_enterprise(tier="startup")
    qual_id = db_session.scalars(select(Qualification.id).where(
        Qualification.enterprise_id == other.id)).one()
    auth.login("admin")
    page_url = f"/enterprises/{firm.credit_code}"
    response = auth.post(f"{page_url}/qualifications/{qual_id}/delete", {}, form_url=page_url)
    assert response.status_code == 404
    assert db_session.get(Qualification, qual_id) is not None
