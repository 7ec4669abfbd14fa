"""Saved filters on the 企业库 and the 培育库: saved per user under a name, applied in one click,
deleted by their owner only; a saved filter never widens what an advisor sees."""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest
from sqlalchemy import func, select

from cultivation.audit.models import AuditLog
from cultivation.savedfilters.models import SavedFilter
from cultivation.savedfilters.queries import normalise


def _count(db_session: Any, **where: Any) -> int:
    stmt = select(func.count()).select_from(SavedFilter)
    for key, value in where.items():
        stmt = stmt.where(getattr(SavedFilter, key) == value)
    return db_session.scalar(stmt) or 0


def test_normalise_keeps_only_the_pages_known_filters() -> None:
    assert normalise("enterprises", "town=白塔镇&page=3&bogus=1&tier=hnte&as_of=2020-01-01") \
        == "tier=hnte&town=%E7%99%BD%E5%A1%94%E9%95%87"
    assert normalise("enterprises", {"tier": "nonsense", "sort": "tier", "desc": "0"}) \
        == "sort=tier"
    assert normalise("candidates", "rules=tech-sme&format=xlsx&scope=all&outcome=eligible") \
        == "outcome=eligible&rules=tech-sme"
    assert normalise("candidates", {"town": "x" * 201}) == ""


def test_an_advisor_saves_the_current_filter_and_applies_it(auth, client, db_session,
                                                            make_enterprise):
    user = auth.login("advisor")
    make_enterprise(town="白塔镇", tier="hnte", advisor=user, name="白塔高企一号有限公司")
    make_enterprise(town="安洲街道", tier="hnte", advisor=user, name="安洲高企二号有限公司")
    response = auth.post("/saved-filters/enterprises?town=白塔镇&tier=hnte&page=2&bogus=1",
                         {"name": "  白塔 高企  "}, form_url="/enterprises")
    assert response.status_code == 303
    saved = db_session.scalars(select(SavedFilter)).one()
    assert (saved.user_id, saved.page, saved.name) == (user.id, "enterprises", "白塔 高企")
    assert saved.query == normalise("enterprises", "tier=hnte&town=白塔镇")
    assert response.headers["Location"].endswith(f"/enterprises?{saved.query}")
    audit = db_session.scalars(select(AuditLog).where(AuditLog.entity_type == "saved_filter")).one()
    assert (audit.action, audit.actor_id, audit.after["name"]) == ("create", user.id, "白塔 高企")
    # The list shows it in 我的筛选 (active when the list is showing it); one click applies it.
    html = unescape(client.get("/enterprises").get_data(as_text=True))
    assert f'href="/enterprises?{saved.query}">白塔 高企</a>' in html
    applied = unescape(client.get(f"/enterprises?{saved.query}").get_data(as_text=True))
    assert "白塔高企一号有限公司" in applied
    assert "安洲高企二号有限公司" not in applied
    assert f'dropdown-item text-break active" href="/enterprises?{saved.query}"' in applied


def test_the_candidate_list_saves_its_own_parameters(auth, client, db_session):
    auth.login("admin")
    response = auth.post(
        "/saved-filters/candidates?rules=tech-sme&outcome=eligible&format=xlsx&q=nothing",
        {"name": "科小 符合"}, form_url="/screening/candidates")
    assert response.status_code == 303
    saved = db_session.scalars(select(SavedFilter)).one()
    assert saved.query == "outcome=eligible&rules=tech-sme"
    assert response.headers["Location"].endswith("/screening/candidates?" + saved.query)


@pytest.mark.parametrize(("name", "query", "message", "status"), [
    ("", "town=白塔镇", "请填写筛选名称", 422),
    ("  \u200b ", "town=白塔镇", "请填写筛选名称", 422),
    ("名" * 41, "town=白塔镇", "筛选名称不能超过 40 个字（现有 41 个）", 422),
    ("无条件", "page=2&bogus=1", "当前没有任何筛选条件，无需保存", 422),
    ("已有", "town=白塔镇", "已有名为“已有”的筛选，请换一个名称", 409),
])
def test_a_bad_name_or_an_empty_filter_is_refused_and_nothing_saved(
        auth, client, db_session, name, query, message, status):
    auth.login("advisor")
    first = auth.post("/saved-filters/enterprises?tier=hnte", {"name": "已有"},
                      form_url="/enterprises")
    assert first.status_code == 303
    response = auth.post(f"/saved-filters/enterprises?{query}", {"name": name},
                         form_url="/enterprises")
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert message in html
    assert 'id="save-filter" class="collapse show' in html  # the form stays open, list shown
    assert "<h1 class=\"h4 mb-0 me-3\">企业库</h1>" in html
    assert _count(db_session) == 1


def test_a_user_sees_and_deletes_only_their_own_filters(auth, client, db_session, make_user):
    other = make_user("advisor")
    theirs = SavedFilter(user_id=other.id, page="enterprises", name="别人的筛选",
                         query="tier=hnte")
    db_session.add(theirs)
    db_session.flush()
    me = auth.login("advisor")
    assert "别人的筛选" not in client.get("/enterprises").get_data(as_text=True)
    refused = auth.post(f"/saved-filters/{theirs.id}/delete", {}, form_url="/enterprises")
    assert refused.status_code == 404
    assert "没有找到该筛选" in refused.get_data(as_text=True)
    assert _count(db_session, user_id=other.id) == 1
    assert auth.post("/saved-filters/999999999/delete", {},
                     form_url="/enterprises").status_code == 404
    # A name another user has is free for me; then I delete mine.
    assert auth.post("/saved-filters/enterprises?tier=hnte", {"name": "别人的筛选"},
                     form_url="/enterprises").status_code == 303
    mine = db_session.scalars(select(SavedFilter).where(SavedFilter.user_id == me.id)).one()
    gone = auth.post(f"/saved-filters/{mine.id}/delete?tier=hnte", {}, form_url="/enterprises")
    assert gone.status_code == 303
    assert gone.headers["Location"].endswith("/enterprises?tier=hnte")
    assert _count(db_session, user_id=me.id) == 0
    assert _count(db_session, user_id=other.id) == 1
    actions = db_session.scalars(select(AuditLog.action).where(
        AuditLog.entity_type == "saved_filter").order_by(AuditLog.id)).all()
    assert actions == ["create", "delete"]


def test_an_unknown_page_is_404_and_anonymous_users_go_to_login(auth, client):
    assert client.post("/saved-filters/enterprises", data={"name": "x"}).status_code in (302, 400)
    auth.login("advisor")
    assert auth.post("/saved-filters/reports?tier=hnte", {"name": "x"},
                     form_url="/enterprises").status_code == 404


def test_a_saved_filter_cannot_widen_an_advisors_view(auth, client, db_session, make_user,
                                                      make_enterprise):
    other = make_user("advisor", username="otheradvisor")
    hidden = make_enterprise(advisor=other, industry="医药", name="别人联系的医药企业有限公司",
                             contact_person="赵保密")
    me = auth.login("advisor")
    make_enterprise(advisor=me, industry="医药", name="我联系的医药企业有限公司")
    response = auth.post("/saved-filters/enterprises?scope=all&advisor=otheradvisor&industry=医药",
                         {"name": "想看别人的"}, form_url="/enterprises")
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert hidden.name not in html
    assert "赵保密" not in html
    # The candidate list forces the advisor's own portfolio whatever the saved query says.
    saved = auth.post("/saved-filters/candidates?advisor=otheradvisor", {"name": "别人的培育库"},
                      form_url="/screening/candidates")
    assert saved.status_code == 303
    assert hidden.name not in client.get(saved.headers["Location"]).get_data(as_text=True)


def test_the_number_of_filters_per_page_is_capped(auth, client, db_session):
    from cultivation.savedfilters.services import MAX_PER_PAGE

    me = auth.login("advisor")
    db_session.add_all(SavedFilter(user_id=me.id, page="enterprises", name=f"筛选{i}",
                                   query="tier=hnte") for i in range(MAX_PER_PAGE))
    db_session.commit()  # as if saved in earlier requests (the refused POST rolls back)
    response = auth.post("/saved-filters/enterprises?tier=hnte", {"name": "再来一个"},
                         form_url="/enterprises")
    assert response.status_code == 422
    assert f"每个页面最多保存 {MAX_PER_PAGE} 个筛选" in response.get_data(as_text=True)
    assert _count(db_session, user_id=me.id) == MAX_PER_PAGE
