"""Secrets at rest: Fernet (AES-128-CBC + HMAC-SHA256) with a key derived from SECRET_KEY.

Rotating SECRET_KEY makes stored webhooks unreadable: re-enter them on the 通知渠道 page.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def _fernet() -> Fernet:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    key = hashlib.sha256(b"cultivation-notify-channels\0" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """The plain value; raises ``ValueError`` if the key changed or the token was altered."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError(
            "无法解密已保存的机器人地址或密钥（SECRET_KEY 可能已更换），请重新录入"
        ) from exc


def decrypt_or_none(token: str) -> str | None:
    """The plain value, or None when it cannot be decrypted (the key changed)."""
    try:
        return decrypt(token)
    except ValueError:
        return None


def mask(value: str, keep: int = 4) -> str:
    """Never the whole value: the last ``keep`` characters only."""
    if len(value) <= keep * 2:
        return "•" * 6
    return "•" * 6 + value[-keep:]
