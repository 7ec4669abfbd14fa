"""``cultivation tiers rebuild [--check]``: recompute (or only compare) the maintained tier spans.

Rebuild rewrites every firm's spans from its qualifications in one transaction. ``--check``
writes nothing: it compares the stored spans with the qualifications and exits 1 (naming up to
20 firms) when any differ, 0 when all agree.
"""

from __future__ import annotations

import sys
import time

import click
from flask.cli import AppGroup

from cultivation.dashboard.invalidation import invalidate as invalidate_figures
from cultivation.enterprises.models import Enterprise
from cultivation.extensions import db
from cultivation.qualifications.spans import check_spans, refresh_spans

tiers = AppGroup("tiers", help="梯次（资质区间）维护")


@tiers.command("rebuild")
@click.option("--check", "check_only", is_flag=True, help="只检查，不写入；不一致时退出码为 1")
def rebuild(check_only: bool) -> None:
    """按资质重新计算所有企业的梯次区间（tier_spans）。"""
    started = time.monotonic()
    if check_only:
        result = check_spans(db.session)
        if result.differing:
            codes = [code for (code,) in db.session.execute(
                db.select(Enterprise.credit_code).where(Enterprise.id.in_(result.examples)))]
            click.echo(f"梯次区间与资质不一致：{result.differing} 家企业（共检查 "
                       f"{result.firms_checked} 家），例如：{'、'.join(codes)}。"
                       "请运行 cultivation tiers rebuild 重建。", err=True)
            sys.exit(1)
        click.echo(f"梯次区间与资质一致：共检查 {result.firms_checked} 家企业"
                   f"（{time.monotonic() - started:.1f} 秒）。")
        return
    refresh_spans(db.session, None)
    invalidate_figures(db.session)  # the dashboard's cached figures read the spans
    db.session.commit()
    count = db.session.scalar(db.select(db.func.count()).select_from(Enterprise)) or 0
    click.echo(f"已重建梯次区间：{count} 家企业（{time.monotonic() - started:.1f} 秒）。")


commands = [tiers]
