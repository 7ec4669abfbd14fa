"""Typed, frozen settings: what services and job bodies may know of the configuration.

Only entry points (views, the API, CLI commands, the job wiring in ``jobs/definitions.py``) read
the app's config; they call ``settings_from(config)`` once per request, command or job run and
pass the part a service needs (``ReminderSettings``, ``MailSettings``, …) as a parameter.
Services and job bodies never import ``current_app`` (``tests/unit/test_config_access.py``), so
they run — and are tested — without an app context.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class ComposeSettings:
    """What composing a message needs: the link base and the sender (for the Message-ID)."""

    base_url: str  # without a trailing slash
    mail_from: str


@dataclass(frozen=True)
class ReminderSettings:
    """What a reminder job needs besides ``now``."""

    compose: ComposeSettings
    timezone: str  # "today" is the date of ``now`` in this zone
    catchup_days: int  # a missed reminder day is still sent this many days late
    parameter_dir: str | None = None  # seed YAML for parameters not stored yet (PARAMETER_DIR)

    @property
    def base_url(self) -> str:
        return self.compose.base_url


@dataclass(frozen=True)
class MailSettings:
    """The SMTP dispatcher: backend, server, retry and lease rules."""

    backend: str  # smtp sends; anything else keeps the messages in the outbox
    mail_from: str
    host: str
    port: int
    use_ssl: bool
    use_tls: bool
    username: str | None
    password: str | None = field(repr=False)
    timeout: float
    batch: int
    lease_seconds: float
    retry_seconds: int
    retry_max_seconds: int
    max_attempts: int


@dataclass(frozen=True)
class ChannelSettings:
    """DingTalk / WeCom robots: backend, request timeout, URL check, the encryption secret."""

    backend: str  # http posts; anything else keeps the messages in the outbox
    timeout: float
    allow_any_url: bool
    secret_key: str = field(repr=False)  # Fernet key material for stored webhooks


@dataclass(frozen=True)
class JobSettings:
    """The screening and import-purge jobs."""

    screening_processes: int  # 0: one per core
    screening_keep_days: int
    import_pending_hours: int


@dataclass(frozen=True)
class Settings:
    """Everything above, built once from the app's config by ``settings_from``."""

    timezone: str
    base_url: str
    reminders: ReminderSettings
    mail: MailSettings
    channels: ChannelSettings
    jobs: JobSettings
    parameter_dir: str | None  # seed YAML of policy parameters; None: the bundled seeds
    region_file: str | None  # towns and industries; None: the built-in 仙居 file


def _optional(value: Any) -> str | None:
    return str(value) if value else None


def settings_from(config: Mapping[str, Any]) -> Settings:
    """The typed settings from a Flask config (or any mapping with the same keys)."""
    timezone = str(config.get("TIMEZONE") or DEFAULT_TIMEZONE)
    base_url = str(config["BASE_URL"]).rstrip("/")
    compose = ComposeSettings(base_url=base_url, mail_from=str(config["MAIL_FROM"]))
    parameter_dir = _optional(config.get("PARAMETER_DIR"))
    return Settings(
        timezone=timezone,
        base_url=base_url,
        reminders=ReminderSettings(compose=compose, timezone=timezone,
                                   catchup_days=int(config["REMINDER_CATCHUP_DAYS"]),
                                   parameter_dir=parameter_dir),
        mail=MailSettings(
            backend=str(config["MAIL_BACKEND"]),
            mail_from=str(config["MAIL_FROM"]),
            host=str(config["MAIL_HOST"]),
            port=int(config["MAIL_PORT"]),
            use_ssl=bool(config.get("MAIL_USE_SSL")),
            use_tls=bool(config.get("MAIL_USE_TLS")),
            username=_optional(config.get("MAIL_USERNAME")),
            password=_optional(config.get("MAIL_PASSWORD")),
            timeout=float(config.get("MAIL_TIMEOUT") or 30),
            batch=int(config["MAIL_BATCH"]),
            lease_seconds=float(config["MAIL_LEASE_SECONDS"]),
            retry_seconds=int(config["MAIL_RETRY_SECONDS"]),
            retry_max_seconds=int(config["MAIL_RETRY_MAX_SECONDS"]),
            max_attempts=int(config["MAIL_MAX_ATTEMPTS"]),
        ),
        channels=ChannelSettings(
            backend=str(config["CHANNEL_BACKEND"]),
            timeout=float(config["CHANNEL_TIMEOUT"]),
            allow_any_url=bool(config["CHANNEL_ALLOW_ANY_URL"]),
            secret_key=str(config["SECRET_KEY"]),
        ),
        jobs=JobSettings(
            screening_processes=int(config["SCREENING_PROCESSES"]),
            screening_keep_days=int(config["SCREENING_KEEP_DAYS"]),
            import_pending_hours=int(config["IMPORT_PENDING_HOURS"]),
        ),
        parameter_dir=parameter_dir,
        region_file=_optional(config.get("REGION_FILE")),
    )
