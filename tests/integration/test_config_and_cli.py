"""Settings from CULTIVATION_* variables, production's refusal without a secret, users CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import DEV_SECRET_KEY
from cultivation import create_app
from cultivation.accounts.models import ApiToken, User, hash_token

ROOT = Path(__file__).resolve().parents[2]


def _run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("CULTIVATION_")}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _run_python(
        "from cultivation import create_app; create_app()",
        CULTIVATION_ENV="production",
        CULTIVATION_DATABASE_URL=f"sqlite:///{tmp_path}/p.db",
    )
    assert result.returncode != 0
    assert "CULTIVATION_SECRET_KEY" in result.stderr


def test_production_starts_with_a_real_secret_and_reads_env_settings(tmp_path: Path) -> None:
    result = _run_python(
        "from cultivation import create_app; a = create_app(); "
        "print(a.config['TIMEZONE'], a.config['REGION_CODE'], a.config['MAIL_BACKEND'], "
        "a.config['SESSION_COOKIE_SECURE'])",
        CULTIVATION_ENV="production",
        CULTIVATION_SECRET_KEY="x" * 32,
        CULTIVATION_DATABASE_URL=f"sqlite:///{tmp_path}/p.db",
        CULTIVATION_TIMEZONE="UTC",
        CULTIVATION_REGION_CODE="331000",
        CULTIVATION_MAIL_BACKEND="smtp",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["UTC", "331000", "smtp", "True"]


def test_create_app_mapping_overrides_settings() -> None:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "PER_PAGE": 7})
    assert app.config["PER_PAGE"] == 7
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"


def test_creating_the_app_starts_no_scheduler_thread() -> None:
    import threading

    before = {t.name for t in threading.enumerate()}
    create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    after = {t.name for t in threading.enumerate()}
    assert after == before


def test_users_create_stores_a_hashed_password(runner: Any, db_session: Session) -> None:
    result = runner.invoke(
        args=[
            "users",
            "create",
            "zhang",
            "--role",
            "advisor",
            "--email",
            "zhang@example.test",
            "--password",
            "s3cret-pass",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db_session.scalar(select(User).where(User.username == "zhang"))
    assert user is not None
    assert user.role == "advisor"
    assert user.password_hash != "s3cret-pass"
    assert user.check_password("s3cret-pass")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "create", "li", "--role", "boss", "--password", "longenough"], "boss"),
        (["users", "create", "li", "--role", "admin", "--password", "short"], "密码至少8位"),
        (["users", "create", "li", "--role", "advisor", "--password", "longenough",
          "--email", "notanemail"], "电子邮箱格式不正确"),
    ],
)
def test_users_create_rejects_bad_arguments(
    runner: Any, db_session: Session, args: list[str], message: str
) -> None:
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output
    assert db_session.scalar(select(User).where(User.username == "li")) is None


def test_users_create_refuses_a_username_the_admin_page_would_refuse(
    runner: Any, db_session: Session
) -> None:
    result = runner.invoke(
        args=["users", "create", "li wei!", "--role", "advisor", "--password", "longenough"]
    )
    assert result.exit_code != 0
    assert "用户名只能包含" in result.output
    assert db_session.scalar(select(User).where(User.username == "li wei!")) is None


def test_users_create_refuses_a_taken_username(runner: Any, make_user: Any) -> None:
    make_user(role="admin", username="wang")
    result = runner.invoke(
        args=["users", "create", "wang", "--role", "admin", "--password", "longenough"]
    )
    assert result.exit_code != 0
    assert "已存在" in result.output


def test_users_token_prints_a_token_that_is_stored_only_hashed(
    runner: Any, make_user: Any, db_session: Session
) -> None:
    user = make_user(role="advisor", username="zhao")
    result = runner.invoke(args=["users", "token", "zhao"])
    assert result.exit_code == 0, result.output
    raw = result.output.strip().splitlines()[-1]
    assert len(raw) >= 32
    stored = db_session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all()
    assert [t.token_hash for t in stored] == [hash_token(raw)]
    assert raw not in {t.token_hash for t in stored}


def test_users_token_for_an_unknown_user_fails(runner: Any) -> None:
    result = runner.invoke(args=["users", "token", "nobody"])
    assert result.exit_code != 0
    assert "不存在" in result.output


def test_a_malformed_number_setting_names_the_variable(tmp_path: Path) -> None:
    result = _run_python(
        "import config",
        CULTIVATION_MAIL_PORT="abc", CULTIVATION_DATABASE_URL=f"sqlite:///{tmp_path}/p.db",
    )
    assert result.returncode != 0
    assert "CULTIVATION_MAIL_PORT must be a whole number" in result.stderr


def test_a_screening_history_shorter_than_a_month_is_refused() -> None:
    with pytest.raises(RuntimeError, match="SCREENING_KEEP_DAYS must be 31 or more"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                    "SCREENING_KEEP_DAYS": 10})


@pytest.mark.parametrize(("secret", "warned"), [(DEV_SECRET_KEY, True),
                                                ("a-real-random-secret-key", False)])
def test_serve_warns_when_it_runs_with_the_public_development_secret(
    runner: Any, app: Any, monkeypatch: Any, secret: str, warned: bool
) -> None:
    from cultivation.web import cli as web_cli

    served: list[Any] = []
    monkeypatch.setattr(web_cli._Server, "run", staticmethod(served.append))
    monkeypatch.setitem(app.config, "SECRET_KEY", secret)
    result = runner.invoke(args=["serve", "--port", "5999"])
    assert result.exit_code == 0, result.output
    assert [options["bind"] for options in served] == ["127.0.0.1:5999"]
    assert ("CULTIVATION_SECRET_KEY" in result.output) is warned


def test_a_missing_command_module_is_an_error_not_skipped(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from flask import Flask

    from cultivation import commands

    monkeypatch.setattr(commands, "CLI_MODULES", (*commands.CLI_MODULES, "cultivation.web.nope"))
    with pytest.raises(ModuleNotFoundError, match=r"cultivation\.web\.nope"):
        commands.register_commands(Flask(__name__))
