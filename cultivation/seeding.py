"""The seed step: what a fresh database needs before anyone uses it — the policy parameters of
the bundled YAML (or ``PARAMETER_DIR``) and the built-in plans with their targets.

Run by ``cultivation seed`` right after ``cultivation db upgrade`` (``make run``, deployment,
the test database); idempotent, so it is safe after every upgrade. Pages never seed: a GET
request does not write. (The nightly screening job also stores seed values that are new.)
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from cultivation.database import DbSession
from cultivation.parameters.services import seed_parameters
from cultivation.targets.services import seed_plans


def seed_database(session: DbSession, *, parameter_dir: str | None = None) -> dict[str, int]:
    """Store the seed values (from ``parameter_dir`` or the bundled YAML) and built-in plans
    that are missing; flush only."""
    return {"parameters": seed_parameters(session, parameter_dir=parameter_dir),
            "plans": seed_plans(session)}


@click.command("seed", help="写入初始数据（政策参数、内置规划目标）；可重复运行，只补缺失的部分")
@with_appcontext
def seed() -> None:
    from cultivation.extensions import db
    from cultivation.web.settings import app_settings

    added = seed_database(db.session, parameter_dir=app_settings().parameter_dir)
    db.session.commit()
    click.echo(f"初始数据已就绪：新增政策参数 {added['parameters']} 条，规划 {added['plans']} 个")


commands = [seed]
