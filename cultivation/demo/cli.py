"""``cultivation demo load [--firms N] [--seed S] [--as-of YYYY-MM-DD]`` (``--today`` is the
old name of ``--as-of``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from cultivation.accounts.models import ROLES
from cultivation.demo.generator import MAX_FIRMS
from cultivation.demo.services import (
    DEFAULT_FIRMS,
    DEFAULT_SEED,
    EARLIEST_AS_OF,
    LATEST_AS_OF,
    DemoError,
    DemoSummary,
    load_demo,
)
from cultivation.extensions import db
from cultivation.web.settings import current_region

PRODUCTION_REFUSAL = (
    "当前为生产环境（CULTIVATION_ENV=production），拒绝装入演示数据：演示数据会创建多个使用同一"
    "公开密码的账号和虚构企业。确需装入请加 --force-demo。"
)


class WholeNumber(click.ParamType[int, Any]):
    """An integer within bounds, with Chinese error messages."""

    name = "整数"

    def __init__(self, label: str, low: int | None = None, high: int | None = None) -> None:
        self.label, self.low, self.high = label, low, high

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            self.fail(f"{self.label}必须是整数，收到“{value}”", param, ctx)
        if (self.low is not None and number < self.low) or (
                self.high is not None and number > self.high):
            self.fail(f"{self.label}必须在 {self.low} 到 {self.high} 之间，收到 {number}",
                      param, ctx)
        return number


class Day(click.ParamType[date, Any]):
    """A YYYY-MM-DD date, with a Chinese error message."""

    name = "日期"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"日期格式应为 YYYY-MM-DD，收到“{value}”", param, ctx)


@click.group("demo", help="演示数据")
def demo() -> None:
    pass


@demo.command("load", help="装入仙居县演示数据（可重复执行：已装入则跳过）")
@click.option("--firms", type=WholeNumber("企业数量", 1, MAX_FIRMS), default=DEFAULT_FIRMS,
              show_default=True, help="企业数量")
@click.option("--seed", type=WholeNumber("随机种子", 0, 2**31 - 1), default=DEFAULT_SEED,
              show_default=True, help="随机种子（相同种子生成相同数据）")
@click.option("--as-of", "--today", "today", type=Day(), default=None,
              help="把县里的历史推演到该日期并以其为“今天”（默认：本地今天）")
@click.option("--force-demo", is_flag=True, default=False,
              help="生产环境（CULTIVATION_ENV=production）下仍然装入演示数据")
@with_appcontext
def load(firms: int, seed: int, today: date | None, force_demo: bool) -> None:
    if current_app.config.get("ENV_NAME") == "production" and not force_demo:
        # Demo data creates accounts sharing one printed password: never by accident in production.
        click.echo(PRODUCTION_REFUSAL, err=True)
        raise click.exceptions.Exit(1)
    if today is None:
        today = datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()
    if not EARLIEST_AS_OF <= today <= LATEST_AS_OF:
        raise click.ClickException(
            f"演示数据的日期应在 {EARLIEST_AS_OF.isoformat()} 至 {LATEST_AS_OF.isoformat()} 之间"
            "（2020—2025 年的数据按“十四五”规划校准）")
    try:
        summary = load_demo(db.session, firms=firms, seed=seed, today=today,
                            region=current_region())
    except DemoError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    if not summary.skipped and db.engine.dialect.name == "postgresql":
        # Fresh bulk-loaded tables have no planner statistics yet; without them PostgreSQL
        # picks nested loops for the report queries (seconds instead of milliseconds).
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    _report(summary)


def _report(summary: DemoSummary) -> None:
    if summary.skipped:
        click.echo(summary.skipped)
    else:
        click.echo(
            f"已装入演示数据：企业 {summary.firms} 家，年度数据 {summary.figures} 条，"
            f"资质 {summary.qualifications} 条，研发机构 {summary.institutions} 个，"
            f"用户 {summary.users} 个，联系企业分配 {summary.assignments} 条，"
            f"走访 {summary.visits} 条"
        )
    if summary.logins:
        click.echo("演示账号（仅供演示，请勿用于生产环境）：")
    for login in summary.logins:
        password = login.password or "（账号已存在，密码未改动）"
        click.echo(f"  {login.username:<9} {ROLES.get(login.role, login.role)}  "
                   f"{login.display_name}  密码：{password}")


commands = [demo]
