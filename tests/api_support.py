"""Helpers for the JSON API tests: a client that sends a bearer token for a given user."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from cultivation.accounts.models import User
from cultivation.accounts.services import issue_token
from cultivation.enterprises.credit_code import make_code


class Api:
    """Sends JSON requests to /api/v1 as one user (token issued on first use)."""

    def __init__(self, client: FlaskClient, session: Session, user: User | None = None,
                 token: str | None = None) -> None:
        self.client = client
        self.session = session
        self.user = user
        self.token = token

    def as_user(self, user: User) -> Api:
        return Api(self.client, self.session, user, issue_token(self.session, user, label="test"))

    def request(self, method: str, path: str, *, token: str | None = None, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}))
        bearer = token if token is not None else self.token
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, json=json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("PATCH", path, json=json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("PUT", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)


def code(n: int, prefix: str = "91331024") -> str:
    """A valid credit code of the county numbered ``n``."""
    return make_code(prefix, f"{50000000 + n:08d}")


def corrupt(valid: str) -> str:
    """The same code with a wrong check character."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return valid[:17] + alphabet[(alphabet.index(valid[17]) + 1) % len(alphabet)]


def firm_body(n: int = 1, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": f"仙居接口测试有限公司{n}", "credit_code": code(n),
                            "town": "安洲街道", "industry": "医药", "tech_domain": "生物与新医药",
                            "registered_on": "2016-05-01", "above_scale": True, "listed": False}
    body.update(overrides)
    return body
