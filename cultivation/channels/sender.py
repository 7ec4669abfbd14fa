"""Post one markdown message to a DingTalk or WeCom robot webhook.

DingTalk "加签": ``timestamp`` (ms) and ``sign`` = urlencode(base64(HMAC-SHA256(secret,
f"{timestamp}\\n{secret}"))) are appended to the webhook URL. The signature uses the wall clock
(the provider rejects timestamps more than an hour off), not the job's business ``now``.
A JSON answer with ``errcode`` ≠ 0 is a failure: permanent for a bad signature or an invalid
webhook, retried otherwise.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from urllib.parse import quote_plus, urlsplit

from cultivation.mail.smtp import SendError

# errcodes retrying cannot fix: DingTalk 310000 (signature/keyword/IP check failed),
# 300001/300005/400101 (token invalid or unknown), 400013 (group dissolved);
# WeCom 93000 (invalid webhook URL), 93004 (robot disabled).
PERMANENT_ERRCODES = {
    "dingtalk": {310000, 300001, 300005, 400013, 400101},
    "wecom": {93000, 93004},
}


def sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature, URL-encoded, for ``timestamp_ms``."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(),
                      hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def signed_url(url: str, secret: str | None, timestamp_ms: int) -> str:
    if not secret:
        return url
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={sign(secret, timestamp_ms)}"


def payload(provider: str, title: str, text: str) -> dict[str, object]:
    if provider == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": title[:60], "text": text}}
    return {"msgtype": "markdown", "markdown": {"content": text}}


def post(provider: str, url: str, secret: str | None, *, title: str, text: str,
         timeout: float) -> None:
    """Deliver or raise ``SendError`` (``uncertain`` when the request may have arrived)."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise SendError("机器人地址不是 http(s) 网址", permanent=True)
    target = signed_url(url, secret, int(time.time() * 1000)) if provider == "dingtalk" else url
    body = json.dumps(payload(provider, title, text), ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        target, data=body, method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read()
    except urllib.error.HTTPError as exc:
        permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
        raise SendError(f"机器人接口返回 HTTP {exc.code}", permanent=permanent) from exc
    except urllib.error.URLError as exc:
        raise SendError(f"无法连接机器人接口：{exc.reason}", connection=True) from exc
    except OSError as exc:  # a timeout or a reset after the request was sent
        raise SendError(f"机器人接口无应答（可能已送达）：{exc}", uncertain=True) from exc
    try:
        answer = json.loads(raw.decode("utf-8"))
        code = int(answer.get("errcode", 0))
    except (ValueError, AttributeError) as exc:
        raise SendError("机器人接口的应答不是有效 JSON") from exc
    if code != 0:
        message = str(answer.get("errmsg", ""))[:200]
        raise SendError(f"机器人接口拒绝：errcode {code} {message}",
                        permanent=code in PERMANENT_ERRCODES.get(provider, set()))
