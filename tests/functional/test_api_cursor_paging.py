"""Cursor paging in the JSON API (issue 12 §4): the firm list and the 培育库 answer a ``next``
link and ``next_cursor``, take ``cursor=``, keep ``page`` / ``per_page``; a forged, garbled or
foreign cursor answers 400 in Chinese, never 500."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from api_support import Api
from screening_support import AS_OF, STRONG_FIELDS, strong_years

from cultivation.screening.services import run_screening

NOW = datetime(2026, 6, 30, 20, 0, tzinfo=UTC)


@pytest.fixture
def admin(client: Any, db_session: Any, make_user: Any) -> Api:
    return Api(client, db_session).as_user(make_user("admin"))


def _walk(api: Api, path: str) -> list[dict[str, Any]]:
    """Every page from ``path`` by its ``next`` links (each a path under /api/v1)."""
    pages = []
    while path:
        response = api.get(path)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        pages.append(body)
        link = body["next"]
        assert (link is None) == (body["next_cursor"] is None)
        path = link.removeprefix("/api/v1") if link else ""
        assert len(pages) < 20
    return pages


def test_the_firm_list_walks_by_next_links_to_the_same_rows_as_page_numbers(
        admin: Api, make_enterprise: Any) -> None:
    for n in range(7):
        make_enterprise(name=f"仙居游标科技有限公司{n}")
    pages = _walk(admin, "/enterprises?q=游标&per_page=3")
    codes = [[i["credit_code"] for i in p["items"]] for p in pages]
    assert [len(c) for c in codes] == [3, 3, 1]
    assert [p["page"] for p in pages] == [1, 2, 3]
    assert {p["total"] for p in pages} == {7}
    numbered = [[i["credit_code"] for i in admin.get(
        f"/enterprises?q=游标&per_page=3&page={n}").get_json()["items"]] for n in (1, 2, 3)]
    assert codes == numbered
    query = parse_qs(urlsplit(pages[0]["next"]).query)
    assert query["q"] == ["游标"]
    assert query["per_page"] == ["3"]
    assert "page" not in query
    # the cursor alone, as a parameter, gives the same page as the link
    again = admin.get(f"/enterprises?q=游标&per_page=3&cursor={pages[0]['next_cursor']}")
    assert again.get_json()["items"] == pages[1]["items"]


def test_a_typed_page_number_still_works_and_links_the_page_after_it(
        admin: Api, make_enterprise: Any) -> None:
    for n in range(5):
        make_enterprise(name=f"仙居页码科技有限公司{n}")
    body = admin.get("/enterprises?q=页码&per_page=2&page=2").get_json()
    assert (body["page"], body["per_page"], body["total"], len(body["items"])) == (2, 2, 5, 2)
    last = admin.get(body["next"].removeprefix("/api/v1")).get_json()
    assert last["page"] == 3
    assert len(last["items"]) == 1
    assert last["next"] is None
    assert last["items"] == admin.get("/enterprises?q=页码&per_page=2&page=3").get_json()["items"]


def _forged(token: str) -> str:
    """The same cursor body with another id and a made-up signature."""
    data = token.rpartition(".")[0]
    body = json.loads(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    body[2] = 1
    raw = base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")
    return f"{raw}.{'0' * 24}"


def test_bad_cursors_answer_400_in_chinese(admin: Api, make_enterprise: Any) -> None:
    for n in range(3):
        make_enterprise(name=f"仙居坏游标科技有限公司{n}", town="安洲街道")
    token = admin.get("/enterprises?per_page=1").get_json()["next_cursor"]
    tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
    for bad in ("abc", "%%%", "a.b", "翻页", "x" * 700, tampered, _forged(token),
                token.replace(".", "")):
        response = admin.get(f"/enterprises?per_page=1&cursor={bad}")
        assert response.status_code == 400, bad
        body = response.get_json()
        assert "cursor" in body["message"]
        assert "无效" in body["message"]
        assert body["errors"] == {"cursor": ["无效的翻页游标"]}
    # a good cursor of another filter set or of another list is refused too
    assert admin.get(f"/enterprises?per_page=1&town=安洲街道&cursor={token}").status_code == 400
    assert admin.get(f"/candidates?programme=hnte&cursor={token}").status_code == 400


@pytest.fixture
def screened(db_session: Any, make_enterprise: Any, make_user: Any) -> Any:
    advisor = make_user("advisor")
    for n in range(5):
        make_enterprise(name=f"仙居候选科技有限公司{n}", advisor=advisor,
                        figures=strong_years(), **STRONG_FIELDS)
    run_screening(db_session, as_of=AS_OF, now=NOW)
    return advisor


def test_the_candidates_walk_by_cursor_to_the_whole_list(
        client: Any, db_session: Any, admin: Api, screened: Any) -> None:
    whole = admin.get("/candidates?programme=hnte").get_json()
    assert len(whole["items"]) == 5
    assert whole["total"] == 5
    assert (whole["page"], whole["per_page"], whole["next"], whole["next_cursor"]) == (
        None, None, None, None)
    pages = _walk(admin, "/candidates?programme=hnte&per_page=2")
    assert [len(p["items"]) for p in pages] == [2, 2, 1]
    assert [p["page"] for p in pages] == [1, 2, 3]
    assert [i for p in pages for i in p["items"]] == whole["items"]
    assert admin.get("/candidates?programme=hnte&per_page=2&page=3").get_json()["items"] == \
        pages[2]["items"]
    mine = Api(client, db_session).as_user(screened)
    assert [i for p in _walk(mine, "/candidates?programme=hnte&per_page=4")
            for i in p["items"]] == whole["items"]
    bad = admin.get("/candidates?programme=hnte&cursor=garbled")
    assert bad.status_code == 400
    assert "cursor" in bad.get_json()["message"]
    # the cursor of another programme's list does not fit this one
    token = pages[0]["next_cursor"]
    assert admin.get(f"/candidates?programme=tech-sme&cursor={token}").status_code == 400
    assert admin.get("/candidates?programme=hnte&per_page=0").status_code == 422


def test_the_openapi_document_describes_cursor_paging(admin: Api) -> None:
    doc = admin.get("/openapi.json").get_json()
    for path in ("/api/v1/enterprises", "/api/v1/candidates"):
        operation = doc["paths"][path]["get"]
        assert {"page", "per_page", "cursor"} <= {p["name"] for p in operation["parameters"]}
        assert "400" in operation["responses"]
    for schema in ("EnterpriseList", "Candidates"):
        assert {"next", "next_cursor"} <= set(doc["components"]["schemas"][schema]["properties"])
