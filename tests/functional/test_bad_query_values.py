"""Typed-in query strings never answer 500: huge page numbers and years, dates at the ends of
the calendar (they overflowed SQLite's INTEGER and Python's date arithmetic)."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import Api

HUGE = "99999999999999999999"


@pytest.mark.parametrize("url", [
    f"/enterprises?page={HUGE}",
    f"/screening/candidates?page={HUGE}",
    f"/admin/outbox?page={HUGE}",
    f"/admin/audit?page={HUGE}",
    f"/admin/portfolios?page={HUGE}",
    f"/windows?year={HUGE}",
    "/windows?year=-5",
    "/admin/audit?start=0001-01-01",
    "/admin/audit?end=9999-12-31",
])
def test_out_of_range_query_values_answer_a_page_not_a_500(auth: Any, client: Any,
                                                          url: str) -> None:
    auth.login("admin")
    response = client.get(url)
    assert response.status_code == 200, url


def test_an_ignored_audit_date_says_why(auth: Any, client: Any) -> None:
    auth.login("admin")
    html = client.get("/admin/audit?end=9999-12-31").get_data(as_text=True)
    assert "超出范围" in html


@pytest.mark.parametrize("path", [
    "/admin/jobs/runs/{n}", "/admin/outbox/{n}", "/admin/users/{n}/edit", "/imports/{n}",
    "/imports/{n}/errors.xlsx", "/windows/{n}/edit",
])
def test_an_id_too_large_for_the_database_is_a_404(auth: Any, client: Any, path: str) -> None:
    auth.login("admin")
    assert client.get(path.format(n=HUGE)).status_code == 404


def test_the_api_answers_404_and_422_for_huge_ids_and_years(
        client: Any, db_session: Any, make_user: Any) -> None:
    api = Api(client, db_session).as_user(make_user("admin"))
    assert api.get(f"/windows/{HUGE}").status_code == 404
    response = api.get(f"/windows?year={HUGE}")
    assert response.status_code == 422
    assert "year" in response.get_json()["errors"]
