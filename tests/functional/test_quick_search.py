"""The navbar's quick search: name, credit code and contact — contacts only where the user may
see a firm's details (an advisor's own portfolio; admins and leaders everywhere)."""

from __future__ import annotations

from typing import Any


def _world(make_user: Any, make_enterprise: Any) -> tuple[Any, Any, Any]:
    advisor = make_user("advisor")
    mine = make_enterprise(advisor=advisor, name="仙居搜索甲科技有限公司", tier="hnte",
                           contact_person="王建国", contact_phone="0576-87701234")
    other = make_enterprise(advisor=make_user("advisor"), name="仙居搜索乙材料有限公司",
                            contact_person="王建华", contact_phone="0576-87705678")
    return advisor, mine, other


def test_every_page_has_the_search_box(auth: Any, client: Any) -> None:
    auth.login("leader")
    for url in ("/", "/enterprises", "/windows"):
        assert 'id="quick-search"' in client.get(url).get_data(as_text=True)


def test_names_and_codes_find_any_firm_one_hit_opens_it(
        auth: Any, client: Any, make_user: Any, make_enterprise: Any) -> None:
    advisor, mine, other = _world(make_user, make_enterprise)
    auth.login(advisor)
    html = client.get("/search?q=仙居搜索").get_data(as_text=True)
    assert mine.name in html
    assert other.name in html
    assert "王建华" not in html  # found by name: no contact shown for another advisor's firm
    response = client.get(f"/search?q={other.credit_code[-8:]}")
    assert response.status_code == 302
    assert response.location.endswith(f"/enterprises/{other.credit_code}")


def test_an_advisor_finds_contacts_only_in_the_own_portfolio(
        auth: Any, client: Any, make_user: Any, make_enterprise: Any) -> None:
    advisor, mine, other = _world(make_user, make_enterprise)
    auth.login(advisor)
    html = client.get("/search?q=王建&list=1").get_data(as_text=True)
    assert mine.name in html
    assert other.name not in html  # another advisor's contact is a hidden field
    assert "没有找到" in client.get("/search?q=87705678").get_data(as_text=True)
    found = client.get("/search?q=87701234")
    assert found.location.endswith(f"/enterprises/{mine.credit_code}")


def test_admins_and_leaders_search_every_contact(
        auth: Any, client: Any, make_user: Any, make_enterprise: Any) -> None:
    _, mine, other = _world(make_user, make_enterprise)
    for role in ("admin", "leader"):
        auth.login(role)
        html = client.get("/search?q=王建").get_data(as_text=True)
        assert mine.name in html
        assert other.name in html
        assert "联系人 王建华" in html
        auth.logout()


def test_a_one_character_query_asks_for_more(auth: Any, client: Any) -> None:
    auth.login("advisor")
    response = client.get("/search?q=仙")
    assert response.status_code == 200
    assert "请至少输入 2 个字符" in response.get_data(as_text=True)
