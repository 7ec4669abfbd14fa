"""PostgreSQL answered 500 for a NUL byte in any query parameter and for ids between 2³¹ and
2⁶³ (the URL converter allowed BIGINT, the columns are INTEGER). Every GET route is swept."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from api_support import Api
from flask import Flask

INT4_OVERFLOW = 3_000_000_000
PARAMS = ("q", "town", "industry", "tier", "advisor", "sort", "order", "page", "year", "as_of",
          "start", "end", "action", "entity", "user", "status", "job", "kind", "table", "format",
          "days", "compare", "programme", "code", "format", "mode", "next", "rules", "date")


def _get_rules(app: Flask, api: bool, number: int = INT4_OVERFLOW) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        if rule.rule.startswith("/api/") != api:
            continue
        path = rule.rule
        for name, converter in rule._converters.items():
            value = str(number) if converter.__class__.__name__.endswith("IntConverter") \
                else "x"
            path = path.replace(f"<{converter.__class__.__name__}:{name}>", value)
            path = path.replace(f"<int:{name}>", value).replace(f"<{name}>", value)
            path = path.replace(f"<string:{name}>", value).replace(f"<path:{name}>", value)
        urls.append(path)
    return sorted(set(urls))


def _nul_query() -> str:
    return "&".join(f"{p}={quote(chr(0))}" for p in PARAMS)


def test_a_nul_byte_in_a_query_parameter_is_a_422_on_every_page(
        app: Flask, auth: Any, client: Any) -> None:
    auth.login("admin")
    failures = {}
    for url in _get_rules(app, api=False, number=1):
        response = client.get(f"{url}?{_nul_query()}")
        if response.status_code not in (404, 422):
            failures[url] = response.status_code
    assert failures == {}
    response = client.get(f"/enterprises?q=a{quote(chr(0))}b")
    assert response.status_code == 422
    assert "不可见的控制字符" in response.get_data(as_text=True)


def test_a_nul_byte_in_an_api_query_parameter_is_a_json_422(
        app: Flask, client: Any, db_session: Any, make_user: Any) -> None:
    api = Api(client, db_session).as_user(make_user("admin"))
    failures = {}
    for url in _get_rules(app, api=True, number=1):
        response = api.get(f"{url.removeprefix('/api/v1')}?{_nul_query()}")
        if response.status_code >= 500:
            failures[url] = response.status_code
    assert failures == {}
    response = api.get(f"/reports/funnel?as_of=2026-01-01{quote(chr(0))}")
    assert response.status_code == 422
    assert "不可见的控制字符" in response.get_json()["message"]


def test_a_nul_byte_in_a_login_form_is_refused_not_a_500(client: Any) -> None:
    page = client.get("/login").get_data(as_text=True)
    from testkit import csrf_from

    response = client.post("/login", data={"username": "ad\x00min", "password": "x",
                                           "csrf_token": csrf_from(page)})
    assert response.status_code == 422


@pytest.mark.parametrize("api", [False, True])
def test_ids_beyond_a_32_bit_integer_are_404_not_500(
        app: Flask, auth: Any, client: Any, db_session: Any, make_user: Any, api: bool) -> None:
    failures = {}
    if api:
        caller = Api(client, db_session).as_user(make_user("admin"))
        get = lambda url: caller.get(url.removeprefix("/api/v1"))  # noqa: E731
    else:
        auth.login("admin")
        get = client.get
    for url in _get_rules(app, api=api):
        if str(INT4_OVERFLOW) not in url:
            continue
        status = get(url).status_code
        if status != 404:
            failures[url] = status
    assert failures == {}
    assert len([u for u in _get_rules(app, api=api) if str(INT4_OVERFLOW) in u]) >= (1 if api
                                                                                     else 5)


@pytest.mark.parametrize("value", [str(INT4_OVERFLOW), str(2**63), "-" + str(INT4_OVERFLOW)])
def test_huge_numbers_in_query_parameters_never_answer_500(
        app: Flask, auth: Any, client: Any, db_session: Any, make_user: Any, value: str) -> None:
    auth.login("admin")
    query = "&".join(f"{p}={value}" for p in PARAMS)
    failures = {url: status for url in _get_rules(app, api=False, number=1)
                if (status := client.get(f"{url}?{query}").status_code) >= 500}
    caller = Api(client, db_session).as_user(make_user("admin"))
    failures |= {url: status for url in _get_rules(app, api=True, number=1)
                 if (status := caller.get(f"{url.removeprefix('/api/v1')}?{query}").status_code)
                 >= 500}
    assert failures == {}
