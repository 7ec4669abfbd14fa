"""GET/POST /api/v1/windows: everyone reads, admins write; bad bodies get 422 with Chinese
errors per field and nothing is saved."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import Api
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cultivation.windows.models import ApplicationWindow

BODY = {"programme": "hnte", "batch": "第二批", "opens_on": "2026-07-01",
        "closes_on": "2026-08-25", "remind_days": [30, 7, 1]}


@pytest.fixture
def api(client, db_session) -> Api:
    return Api(client, db_session)


def count(session: Session) -> int:
    return session.scalar(select(func.count(ApplicationWindow.id))) or 0


def test_an_admin_creates_a_window_and_everyone_reads_it(
        api: Api, make_user: Any, db_session: Session) -> None:  # noqa: F811
    admin = api.as_user(make_user("admin"))
    created = admin.post("/windows", BODY)
    assert created.status_code == 201, created.get_json()
    window = created.get_json()
    assert window["programme"] == "hnte"
    assert window["year"] == 2026
    assert window["remind_days"] == [30, 7, 1]
    assert window["title"] == "高新技术企业认定 2026年 第二批"
    for role in ("leader", "advisor"):
        listed = api.as_user(make_user(role)).get("/windows?year=2026").get_json()
        assert listed["total"] == 1
        assert listed["items"][0]["id"] == window["id"]
    assert admin.get(f"/windows/{window['id']}").get_json()["closes_on"] == "2026-08-25"


@pytest.mark.parametrize("role", ["leader", "advisor"])
def test_only_admins_create_windows(api: Api, make_user: Any, db_session: Session,  # noqa: F811
                                    role: str) -> None:
    response = api.as_user(make_user(role)).post("/windows", BODY)
    assert response.status_code == 403
    assert count(db_session) == 0


def test_no_token_is_a_401(api: Api) -> None:  # noqa: F811
    assert api.get("/windows").status_code == 401


@pytest.mark.parametrize(("body", "field"), [
    ({**BODY, "programme": "nope"}, "programme"),
    ({**BODY, "closes_on": "2026-06-01"}, "closes_on"),
    ({**BODY, "opens_on": "not a date"}, "opens_on"),
    ({**BODY, "remind_days": [-1]}, "remind_days"),
    ({**BODY, "remind_days": "soon"}, "remind_days"),
    ({k: v for k, v in BODY.items() if k != "opens_on"}, "opens_on"),
    ({**BODY, "extra": 1}, "extra"),
])
def test_bad_bodies_get_422_with_chinese_field_errors_and_nothing_saved(
        api: Api, make_user: Any, db_session: Session, body: dict[str, Any],  # noqa: F811
        field: str) -> None:
    response = api.as_user(make_user("admin")).post("/windows", body)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert field in errors
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in errors[field])
    assert count(db_session) == 0


def test_a_body_that_is_not_an_object_is_a_422(api: Api, make_user: Any) -> None:  # noqa: F811
    response = api.as_user(make_user("admin")).post("/windows", [1, 2])
    assert response.status_code == 422


def test_an_admin_patches_a_window(api: Api, make_user: Any) -> None:  # noqa: F811
    admin = api.as_user(make_user("admin"))
    window = admin.post("/windows", BODY).get_json()
    patched = admin.patch(f"/windows/{window['id']}", {"closes_on": "2026-08-31",
                                                        "confirmed": True})
    assert patched.status_code == 200
    assert patched.get_json()["closes_on"] == "2026-08-31"
    assert patched.get_json()["confirmed"] is True
    bad = admin.patch(f"/windows/{window['id']}", {"closes_on": "2026-01-01"})
    assert bad.status_code == 422
    assert admin.get(f"/windows/{window['id']}").get_json()["closes_on"] == "2026-08-31"


def test_list_filters_are_checked(api: Api, make_user: Any) -> None:  # noqa: F811
    reader = api.as_user(make_user("leader"))
    assert reader.get("/windows?year=abc").status_code == 422
    assert reader.get("/windows?programme=nope").status_code == 422
    assert reader.get("/windows/99999").status_code == 404


def test_a_retried_post_does_not_create_the_same_window_twice(
        api: Api, make_user: Any, db_session: Session) -> None:  # noqa: F811
    admin = api.as_user(make_user("admin"))
    assert admin.post("/windows", BODY).status_code == 201
    again = admin.post("/windows", BODY)
    assert again.status_code == 422
    assert "已有" in again.get_json()["errors"]["batch"][0]
    assert count(db_session) == 1
    other = admin.post("/windows", {**BODY, "batch": "第三批"}).get_json()
    clash = admin.patch(f"/windows/{other['id']}", {"batch": "第二批"})
    assert clash.status_code == 422
    assert admin.patch(f"/windows/{other['id']}", {"note": "改备注"}).status_code == 200
