"""Chinese error pages for the web UI and JSON errors under /api/."""

from __future__ import annotations

import logging

from flask import Flask, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

MESSAGES = {
    400: "请求有误",
    401: "请先登录或提供有效的访问令牌",
    403: "您没有权限访问此页面",
    404: "页面或记录不存在",
    405: "不支持该请求方法",
    409: "数据已被他人修改，请刷新后重试",
    413: "上传的文件过大",
    422: "提交的数据有误",
    500: "服务器内部错误，请稍后再试",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(code: int, message: str | None = None) -> ResponseReturnValue:
    message = message or MESSAGES.get(code, "请求无法处理")
    if wants_json():
        return jsonify({"message": message, "status": code}), code
    return render_template("errors/error.html", code=code, message=message), code


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> ResponseReturnValue:
        if (not current_user.is_authenticated and not wants_json()
                and request.endpoint != "accounts.login"):
            # The session expired while a form was open: log in again and come back to the
            # form, where static/js/app.js restores the typed draft.
            flash("登录已过期，请重新登录；刚才填写的内容会在返回表单后自动恢复", "warning")
            return redirect(url_for("accounts.login", next=request.path))
        return error_response(400, "表单已过期或缺少安全令牌（CSRF），请刷新页面后重试")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        code = exc.code or 500
        desc = exc.description if isinstance(exc.description, str) else None
        # Werkzeug's default English descriptions are replaced by Chinese ones.
        if desc and not any("\u4e00" <= ch <= "\u9fff" for ch in desc):
            desc = None
        return error_response(code, desc)

    @app.errorhandler(Exception)
    def unhandled(exc: Exception) -> ResponseReturnValue:
        log.exception("unhandled error on %s", request.path)
        from cultivation.extensions import db

        db.session.rollback()
        return error_response(500)
