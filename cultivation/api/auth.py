"""Bearer-token authentication and role checks for the JSON API."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import wraps
from typing import Any, Callable, NoReturn, TypeVar

from flask import abort, g, jsonify, make_response, request

from cultivation.accounts.services import user_for_token
from cultivation.api import bp
from cultivation.extensions import csrf, db

F = TypeVar("F", bound=Callable[..., Any])

csrf.exempt(bp)  # token-authenticated; no cookies are used


class ApiError(Exception):
    """An error answered as JSON: {"message": ..., "errors": {...}}."""

    def __init__(self, status: int, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors


def fail(status: int, message: str, errors: dict[str, list[str]] | None = None) -> NoReturn:
    raise ApiError(status, message, errors)


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):  # type: ignore[no-untyped-def]
    body: dict[str, Any] = {"message": exc.message, "status": exc.status}
    if exc.errors is not None:
        body["errors"] = exc.errors
    return jsonify(body), exc.status


PUBLIC_ENDPOINTS = {"api.openapi"}


@bp.before_request
def _authenticate() -> Any:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    user = None
    if scheme.lower() == "bearer" and raw.strip():
        user = user_for_token(db.session, raw.strip(), now=datetime.now(UTC))
    if user is None:
        response = make_response(
            jsonify({"message": "缺少或无效的访问令牌（Authorization: Bearer …）", "status": 401}), 401
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="cultivation"'
        return response
    g.api_user = user
    db.session.commit()  # last_used_at
    return None


def api_user() -> Any:
    """The authenticated user of this API request."""
    return g.api_user


def require_roles(*roles: str) -> Callable[[F], F]:
    """Route decorator: 403 (JSON) unless the token's user has one of ``roles``."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if g.api_user.role not in roles:
                fail(403, "当前角色无权执行此操作")
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 422 in Chinese for anything else."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        fail(422, "请求体必须是 JSON 对象", {"_body": ["请求体必须是 JSON 对象"]})
    return data


__all__ = ["ApiError", "abort", "api_user", "fail", "json_body", "require_roles"]
