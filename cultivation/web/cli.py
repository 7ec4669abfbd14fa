"""``cultivation serve``: the production WSGI server (waitress)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from config import DEV_SECRET_KEY


@click.command("serve", help="以生产模式启动 Web 服务（waitress）")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
@with_appcontext
def serve(host: str, port: int, threads: int) -> None:
    from waitress import serve as waitress_serve

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("SECRET_KEY") == DEV_SECRET_KEY:
        click.echo("警告：未设置 CULTIVATION_SECRET_KEY，正在使用公开的开发密钥，登录会话可被伪造；"
                   "正式部署请设置 CULTIVATION_ENV=production 和随机的 CULTIVATION_SECRET_KEY",
                   err=True)
    click.echo(f"梯次培育系统已启动：http://{host}:{port}/", err=True)
    waitress_serve(app, host=host, port=port, threads=threads, ident="cultivation")


commands = [serve]
