"""``cultivation import FILE [--dry-run] [--json]`` and ``cultivation export enterprises|figures|
qualifications FILE.xlsx``.

Exit code 0 when the file was read, whatever the row errors; 1 (message on stderr) when it could
not be read at all. Without ``--dry-run`` the valid rows are committed in one transaction.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from flask.cli import with_appcontext

from cultivation.accounts.services import get_by_username
from cultivation.enterprises.queries import EnterpriseFilters
from cultivation.enterprises.services import validation_context
from cultivation.extensions import db
from cultivation.imports import exports
from cultivation.imports.headers import KINDS
from cultivation.imports.reader import ReadError
from cultivation.imports.services import (
    ImportOptions,
    Report,
    refresh_statistics,
    run_import,
)
from cultivation.qualifications.models import QUALIFICATION_KINDS
from cultivation.web import clock
from cultivation.web.clock import local_date
from cultivation.web.settings import current_region


def _print_human(report: Report, elapsed: float) -> None:
    mode = "试导入（未写入任何数据）" if report.dry_run else f"已导入，批次 #{report.batch}"
    click.echo(f"{mode}：类型 {KINDS.get(report.kind, report.kind)}，共 {report.rows} 行，"
               f"有效 {report.valid} 行，错误 {len(report.errors)} 处，用时 {elapsed:.1f} 秒")
    if report.dry_run:
        click.echo(f"将新建 {report.to_create}，将更新 {report.to_update}，"
                   f"无变化 {report.unchanged}")
        _print_updates(report)
    else:
        click.echo(f"新建 {report.created}，更新 {report.updated}，无变化 {report.unchanged}")
    for notice in report.notices:
        click.echo(f"提示：{notice}")
    if report.unknown_columns:
        click.echo(f"未识别的列（已忽略）：{'、'.join(report.unknown_columns)}")
    for item in report.skipped:
        click.echo(f"跳过 第{item['row']}行：{item['message']}")
    for error in report.errors:
        click.echo(f"第{error['row']}行 [{error['column']}] {error['value']!r}：{error['message']}")


SHOWN_UPDATES = 200  # the rest are in --json


def _print_updates(report: Report) -> None:
    """The dry run's field-by-field changes of the rows it will update (old → new)."""
    updates = [item for item in report.changes if item["action"] == "update"]
    for item in updates[:SHOWN_UPDATES]:
        subject = f" {item['subject']}" if item["subject"] else ""
        fields = "；".join(f"{c['label']}：{c['old']} → {c['new']}" for c in item["changes"])
        click.echo(f"更新 第{item['row']}行 {item['name']}{subject}：{fields}")
    if len(updates) > SHOWN_UPDATES:
        click.echo(f"……另有 {len(updates) - SHOWN_UPDATES} 行更新未列出（--json 输出全部）")


@click.command("import", help="导入企业名录、年度数据或资质名单（.xlsx / .csv）")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="只检查，不写入")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果")
@click.option("--kind", type=click.Choice(["auto", *KINDS]), default="auto", show_default=True,
              help="数据类型（默认按表头自动判断）")
@click.option("--qualification-kind", type=click.Choice(list(QUALIFICATION_KINDS)), default=None,
              help="资质名单的资质类型（表中无“资质类型”列时；默认按标题或文件名判断）")
@click.option("--user", "username", default=None,
              help="以该用户身份导入（默认：命令行，等同管理员）")
@with_appcontext
def import_command(file: Path, dry_run: bool, as_json: bool, kind: str,
                   qualification_kind: str | None, username: str | None) -> None:
    user = None
    if username:
        user = get_by_username(db.session, username)
        if user is None:
            raise click.ClickException(f"用户“{username}”不存在")
    now = clock.now()
    ctx = validation_context(local_date(now), current_region())
    started = time.perf_counter()
    try:
        report = run_import(db.session, file, filename=file.name,
                            options=ImportOptions(kind, qualification_kind), user=user, ctx=ctx,
                            now=now, commit=not dry_run)
    except ReadError as exc:
        db.session.rollback()
        click.echo(f"无法导入 {file}：{exc}", err=True)
        raise SystemExit(1) from exc
    except Exception:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
        refresh_statistics(db.engine, report)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, default=str))
    else:
        _print_human(report, time.perf_counter() - started)


@click.group("export", help="导出为 Excel（表头可直接再导入）")
def export_group() -> None:
    pass


def _filters(q: str, town: str, industry: str, tier: str, advisor: str) -> EnterpriseFilters:
    return EnterpriseFilters(q=q, town=town, industry=industry, tier=tier, advisor=advisor)


_F = TypeVar("_F", bound=Callable[..., Any])


def _export_options(func: _F) -> _F:
    for option in (
        click.option("--q", default="", help="名称或代码包含"),
        click.option("--town", default="", help="乡镇（街道）"),
        click.option("--industry", default="", help="所属产业"),
        click.option("--tier", default="", help="梯次代码"),
        click.option("--advisor", default="", help="科技指导员用户名；none = 未分配"),
    ):
        func = option(func)
    return func


def _write(kind: str, file: Path, filters: EnterpriseFilters, year: int | None) -> None:
    now = clock.now()
    today = local_date(now)
    with file.open("wb") as handle:
        count = exports.write_export(handle, kind, db.session, filters, today, viewer=None,
                                     year=year)
    click.echo(f"已导出 {count} 行到 {file}")


@export_group.command("enterprises", help="导出企业名录")
@click.argument("file", type=click.Path(path_type=Path))
@_export_options
@with_appcontext
def export_enterprises(file: Path, q: str, town: str, industry: str, tier: str,
                       advisor: str) -> None:
    _write("firms", file, _filters(q, town, industry, tier, advisor), None)


@export_group.command("figures", help="导出年度数据")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--year", type=int, default=None, help="只导出该年度")
@_export_options
@with_appcontext
def export_figures(file: Path, year: int | None, q: str, town: str, industry: str, tier: str,
                   advisor: str) -> None:
    _write("figures", file, _filters(q, town, industry, tier, advisor), year)


@export_group.command("qualifications", help="导出资质")
@click.argument("file", type=click.Path(path_type=Path))
@_export_options
@with_appcontext
def export_qualifications(file: Path, q: str, town: str, industry: str, tier: str,
                          advisor: str) -> None:
    _write("qualifications", file, _filters(q, town, industry, tier, advisor), None)


commands = [import_command, export_group]
