"""Bearer-token authentication, role checks and JSON errors for the API."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn, TypeVar

from flask import abort, g, jsonify, make_response, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from cultivation.accounts.services import record_token_use, token_for, token_use_due
from cultivation.api import bp
from cultivation.extensions import csrf, db
from cultivation.web import clock

F = TypeVar("F", bound=Callable[..., Any])

csrf.exempt(bp)  # token-authenticated; no cookies are used


class ApiError(Exception):
    """An error answered as JSON: {"message": ..., "status": ..., "errors": {...}}."""

    def __init__(self, status: int, message: str, errors: dict[str, list[str]] | None = None,
                 **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.extra = extra


def fail(status: int, message: str, errors: dict[str, list[str]] | None = None,
         **extra: Any) -> NoReturn:
    """Stop the request with a JSON error (``extra`` keys are added to the body)."""
    raise ApiError(status, message, errors, **extra)


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> ResponseReturnValue:
    db.session.rollback()
    body: dict[str, Any] = {"message": exc.message, "status": exc.status, **exc.extra}
    if exc.errors is not None:
        body["errors"] = exc.errors
    return jsonify(body), exc.status


@bp.errorhandler(StaleDataError)
def _stale(exc: StaleDataError) -> ResponseReturnValue:
    db.session.rollback()
    return jsonify({"message": "数据已被他人修改，请重新读取后再提交", "status": 409}), 409


@bp.errorhandler(IntegrityError)
def _conflict(exc: IntegrityError) -> ResponseReturnValue:
    db.session.rollback()
    message = "数据冲突（可能已被他人同时创建），请重新读取后再试"
    return jsonify({"message": message, "status": 409}), 409


PUBLIC_ENDPOINTS = {"api.openapi"}


@bp.before_request
def _authenticate() -> Any:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    found = None
    token = raw.strip()
    if scheme.lower() == "bearer" and token and len(token) <= 200 and token.isprintable():
        found = token_for(db.session, token)
    if found is None:
        message = "缺少或无效的访问令牌（Authorization: Bearer …）"
        response = make_response(jsonify({"message": message, "status": 401}), 401)
        response.headers["WWW-Authenticate"] = 'Bearer realm="cultivation"'
        return response
    moment = clock.now()
    if token_use_due(found, moment):
        # End the read first: an UPDATE that opens its own transaction waits for a busy
        # SQLite instead of failing ("database is locked").
        token_id = found.id
        db.session.commit()
        record_token_use(db.session, token_id, now=moment)
        db.session.commit()
    g.api_user = found.user
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
                fail(403, "当前角色无权执行此操作" if g.api_user.role != "leader"
                     else "局领导账号为只读，不能修改数据")
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 422 in Chinese for anything else."""
    try:
        data = request.get_json(force=True, silent=True)
    except RecursionError:  # absurdly nested JSON
        data = None
    if not isinstance(data, dict):
        what = "无法解析的内容" if data is None else _JSON_TYPES.get(type(data), "非对象")
        fail(422, f"请求体必须是 JSON 对象（收到{what}）", {"_body": ["请求体必须是 JSON 对象"]})
    return data


_JSON_TYPES = {list: "数组", str: "字符串", int: "数字", float: "数字", bool: "布尔值"}


__all__ = ["ApiError", "abort", "api_user", "fail", "json_body", "require_roles"]
