"""Secrets at rest: Fernet (AES-128-CBC + HMAC-SHA256) with a key derived from SECRET_KEY.

Rotating SECRET_KEY makes stored webhooks unreadable: re-enter them on the 通知渠道 page.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


def _fernet(secret_key: str) -> Fernet:
    secret = secret_key.encode()
    key = hashlib.sha256(b"cultivation-notify-channels\0" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(value: str, secret_key: str) -> str:
    """``value`` encrypted with a key derived from ``secret_key`` (the app's SECRET_KEY)."""
    return _fernet(secret_key).encrypt(value.encode()).decode()


def decrypt(token: str, secret_key: str) -> str:
    """The plain value; raises ``ValueError`` if the key changed or the token was altered."""
    try:
        return _fernet(secret_key).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError(
            "无法解密已保存的机器人地址或密钥（SECRET_KEY 可能已更换），请重新录入"
        ) from exc


def mask(value: str, keep: int = 4) -> str:
    """Never the whole value: the last ``keep`` characters only."""
    if len(value) <= keep * 2:
        return "•" * 6
    return "•" * 6 + value[-keep:]
