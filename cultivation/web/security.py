"""Security headers on every response (pages, API, static files) and the per-request CSP nonce.

Scripts and ``<style>`` blocks run only from this site or with the request's nonce
(``{{ csp_nonce() }}`` in templates); inline event handlers are not allowed, so pages use
``data-*`` attributes handled by ``static/js/app.js``. Style *attributes* stay allowed
(``style-src-attr``): layout widths in markup and the inline styles ECharts and Bootstrap set are
not a script-execution path. HSTS is sent only in production (served over https there).
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, Response, current_app, g, request


def csp_nonce() -> str:
    """This request's nonce for inline ``<script>`` and ``<style>`` blocks."""
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(18)
    return str(nonce)


def content_security_policy(nonce: str) -> str:
    return "; ".join((
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        f"style-src 'self' 'nonce-{nonce}'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))


HSTS = "max-age=31536000; includeSubDomains"


def set_security_headers(response: Response) -> Response:
    """Add the headers unless a view chose its own."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config.get("ENV_NAME") == "production":
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


NUL_MESSAGE = "请求参数中含有不可见的控制字符（NUL），请检查后重试"


def _has_nul(pairs: Any) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs.items(multi=True))


def refuse_nul_bytes() -> Any:
    """A NUL byte in a query parameter or form field: 422 here, once for every page and the
    API (PostgreSQL cannot take NUL in text, and no field ever needs one)."""
    form = request.form if request.mimetype in (
        "application/x-www-form-urlencoded", "multipart/form-data") else None
    if _has_nul(request.args) or (form is not None and _has_nul(form)):
        from cultivation.web.errors import error_response

        return error_response(422, NUL_MESSAGE)
    return None


def register_security(app: Flask) -> None:
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops > 0:  # client address and scheme from the trusted reverse proxy's headers
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.before_request(refuse_nul_bytes)
    app.after_request(set_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
