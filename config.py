"""Settings: every key ``X`` comes from the environment variable ``CULTIVATION_X``.

The database URL is the standard ``SQLALCHEMY_DATABASE_URI``, read from
``CULTIVATION_DATABASE_URL``. Defaults are safe for development only; ``ProductionConfig``
refuses to start without a real secret key.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - a marker production refuses


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"CULTIVATION_{name}", default)


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise RuntimeError(f"CULTIVATION_{name} must be a whole number, got {raw!r}") from None


class Config:
    """Development defaults; every value can be overridden from the environment."""

    ENV_NAME = "development"
    SECRET_KEY = _env("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'cultivation.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    # Connections per process (PostgreSQL): a web worker needs one per thread (serve --threads),
    # the scheduler one per concurrent job; docs/deployment.md sums them up.
    DB_POOL_SIZE = _env_int("DB_POOL_SIZE", 5)
    DB_MAX_OVERFLOW = _env_int("DB_MAX_OVERFLOW", 5)
    TIMEZONE = _env("TIMEZONE", "Asia/Shanghai")
    BASE_URL = _env("BASE_URL", "http://127.0.0.1:5000")
    REGION_CODE = _env("REGION_CODE", "331024")
    REGION_FILE = _env("REGION_FILE")  # YAML with towns and industries; default: built-in 仙居
    PARAMETER_DIR = _env("PARAMETER_DIR")  # policy parameter YAML; default: built-in seeds

    MAIL_BACKEND = _env("MAIL_BACKEND", "outbox")
    MAIL_HOST = _env("MAIL_HOST", "127.0.0.1")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = _env("MAIL_USERNAME")
    MAIL_PASSWORD = _env("MAIL_PASSWORD")
    MAIL_FROM = _env("MAIL_FROM", "梯次培育系统 <noreply@localhost>")
    MAIL_TIMEOUT = _env_int("MAIL_TIMEOUT", 30)
    MAIL_MAX_ATTEMPTS = _env_int("MAIL_MAX_ATTEMPTS", 16)  # ~10 h of backoff before "failed"
    MAIL_RETRY_SECONDS = _env_int("MAIL_RETRY_SECONDS", 60)  # first retry; doubles each time
    MAIL_RETRY_MAX_SECONDS = _env_int("MAIL_RETRY_MAX_SECONDS", 3600)
    MAIL_LEASE_SECONDS = _env_int("MAIL_LEASE_SECONDS", 300)  # a "sending" claim expires after
    MAIL_BATCH = _env_int("MAIL_BATCH", 200)  # messages per dispatcher run

    SCHEDULER_LEASE_SECONDS = _env_int("SCHEDULER_LEASE_SECONDS", 60)  # SQLite lock row lease
    SCHEDULER_POLL_SECONDS = _env_int("SCHEDULER_POLL_SECONDS", 15)  # a waiting scheduler retries
    SCHEDULER_MISFIRE_HOURS = _env_int("SCHEDULER_MISFIRE_HOURS", 6)
    SCHEDULER_QUEUE_SECONDS = _env_int("SCHEDULER_QUEUE_SECONDS", 5)  # "立即运行" picked up within
    REMINDER_CATCHUP_DAYS = _env_int("REMINDER_CATCHUP_DAYS", 3)  # late reminders still sent
    # Screening runs younger than this keep every verdict; older: only each month's last run.
    SCREENING_KEEP_DAYS = _env_int("SCREENING_KEEP_DAYS", 60)
    # Worker processes for a screening run with many firms to evaluate (0: one per core).
    SCREENING_PROCESSES = _env_int("SCREENING_PROCESSES", 0)

    # Login throttling: this many failures for one username (or from one address) within
    # LOGIN_LOCK_MINUTES lock the login (429) until the oldest of them is that old.
    LOGIN_MAX_FAILURES = _env_int("LOGIN_MAX_FAILURES", 10)
    LOGIN_MAX_FAILURES_PER_ADDRESS = _env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 50)
    LOGIN_LOCK_MINUTES = _env_int("LOGIN_LOCK_MINUTES", 15)
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (nginx: 1);
    # without it every client has the proxy's address and the per-address login limit is shared.
    PROXY_HOPS = _env_int("PROXY_HOPS", 0)

    PERMANENT_SESSION_LIFETIME = timedelta(hours=_env_int("SESSION_HOURS", 8))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    WTF_CSRF_TIME_LIMIT = None  # the session lifetime bounds the token already
    MAX_CONTENT_LENGTH = _env_int("MAX_UPLOAD_MB", 50) * 1024 * 1024
    # Uploaded files waiting for the user's check/commit: at most this many per user and this
    # many MB together; the hourly import-purge job deletes those older than IMPORT_PENDING_HOURS.
    IMPORT_PENDING_MAX = _env_int("IMPORT_PENDING_MAX", 10)
    IMPORT_PENDING_MAX_MB = _env_int("IMPORT_PENDING_MAX_MB", 100)
    IMPORT_PENDING_HOURS = _env_int("IMPORT_PENDING_HOURS", 24)
    PER_PAGE = 50

    @classmethod
    def validate(cls, settings: dict[str, Any]) -> None:
        """Raise when a setting makes the app unsafe to start."""
        keep = settings.get("SCREENING_KEEP_DAYS", 60)
        if not isinstance(keep, int) or keep < 31:
            # The dashboard and the leader digest compare with the run a month back.
            raise RuntimeError(f"CULTIVATION_SCREENING_KEEP_DAYS must be 31 or more, got {keep!r}")


class ProductionConfig(Config):
    """Production: PostgreSQL expected, secure cookies, a real secret key required."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)

    @classmethod
    def validate(cls, settings: dict[str, Any]) -> None:
        super().validate(settings)
        key = settings.get("SECRET_KEY")
        if not key or key == DEV_SECRET_KEY or len(str(key)) < 16:
            raise RuntimeError(
                "CULTIVATION_SECRET_KEY must be set to a random value of 16+ characters "
                "in production"
            )


class TestConfig(Config):
    """Tests: in-memory defaults, CSRF on (tests send tokens like a browser)."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("CULTIVATION_TEST_DATABASE_URL", "sqlite:///:memory:")
    MAIL_BACKEND = "outbox"
    BASE_URL = "http://testserver"


CONFIGS: dict[str, type[Config]] = {
    "development": Config,
    "production": ProductionConfig,
    "testing": TestConfig,
}


def config_class() -> type[Config]:
    """The class named by CULTIVATION_ENV (development | production | testing)."""
    name = (_env("ENV", "development") or "development").lower()
    try:
        return CONFIGS[name]
    except KeyError as exc:
        raise RuntimeError(
            f"CULTIVATION_ENV must be one of {sorted(CONFIGS)}, got {name!r}"
        ) from exc
