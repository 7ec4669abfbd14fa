"""``demo load`` in production: refused unless ``--force-demo`` (shared known passwords)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cultivation.accounts.models import User
from cultivation.enterprises.models import Enterprise


def test_production_refuses_the_demo_without_force_and_writes_nothing(
    runner: Any, app: Any, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "ENV_NAME", "production")

    refused = runner.invoke(args=["demo", "load", "--firms", "5"])

    assert refused.exit_code == 1
    assert "生产环境" in refused.output
    assert "--force-demo" in refused.output
    assert db_session.scalar(select(func.count()).select_from(Enterprise)) == 0
    assert db_session.scalar(select(func.count()).select_from(User)) == 0

    forced = runner.invoke(args=["demo", "load", "--firms", "5", "--force-demo"])
    assert forced.exit_code == 0, forced.output
    assert db_session.scalar(select(func.count()).select_from(Enterprise)) == 5


def test_the_demo_refusal_follows_cultivation_env(tmp_path: Any) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CULTIVATION_")}
    env.update(CULTIVATION_ENV="production", CULTIVATION_SECRET_KEY="s" * 32,
               CULTIVATION_DATABASE_URL=f"sqlite:///{tmp_path / 'prod.db'}")
    result = subprocess.run([str(Path(sys.executable).with_name("cultivation")), "demo", "load"],
                            env=env, capture_output=True, text=True, timeout=120, check=False)

    assert result.returncode == 1
    assert "拒绝装入演示数据" in result.stderr
    assert "Traceback" not in result.stderr
