"""``cultivation serve``: the production WSGI server (gunicorn, several worker processes).

One Python process serves one request at a time on the CPU (the GIL), so a production server
runs several processes: gunicorn's arbiter forks ``--workers`` processes (default 2 × cores + 1),
each with ``--threads`` threads for requests that wait on the database. Every worker builds its
own app after the fork (no database connection is shared between processes); its connection
pool is sized by ``CULTIVATION_DB_POOL_SIZE`` / ``CULTIVATION_DB_MAX_OVERFLOW``
(docs/deployment.md gives the arithmetic for PostgreSQL's ``max_connections``).
"""

from __future__ import annotations

import os
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from config import DEV_SECRET_KEY


def default_workers() -> int:
    """gunicorn's rule of thumb: two workers per core plus one."""
    return 2 * (os.cpu_count() or 1) + 1


class _Server:
    """A gunicorn application whose workers each build the Flask app after the fork."""

    @staticmethod
    def run(options: dict[str, Any]) -> None:
        from gunicorn.app.base import BaseApplication

        class Application(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                for key, value in options.items():
                    self.cfg.set(key, value)

            def load(self) -> Flask:
                from cultivation import create_app

                return create_app()

        Application().run()


@click.command("serve", help="以生产模式启动 Web 服务（gunicorn，多进程）")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=None, type=click.IntRange(1, 256),
              help="工作进程数（默认 2×CPU 核数+1）")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64),
              help="每个工作进程的线程数")
@click.option("--timeout", default=120, show_default=True, type=click.IntRange(10, 3600),
              help="单个请求的最长秒数（超时的工作进程会被重启）")
@with_appcontext
def serve(host: str, port: int, workers: int | None, threads: int, timeout: int) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("SECRET_KEY") == DEV_SECRET_KEY:
        click.echo("警告：未设置 CULTIVATION_SECRET_KEY，正在使用公开的开发密钥，登录会话可被伪造；"
                   "正式部署请设置 CULTIVATION_ENV=production 和随机的 CULTIVATION_SECRET_KEY",
                   err=True)
    count = workers or default_workers()
    # The arbiter process serves nothing: close what the CLI's app opened before forking.
    from cultivation.extensions import db

    db.engine.dispose()
    click.echo(f"梯次培育系统已启动：http://{host}:{port}/（{count} 个工作进程 × {threads} 线程）",
               err=True)
    _Server.run({
        "bind": f"{host}:{port}", "workers": count, "threads": threads,
        "worker_class": "gthread", "timeout": timeout, "graceful_timeout": 30, "keepalive": 5,
        "proc_name": "cultivation", "accesslog": None, "errorlog": "-",
        "max_requests": 5000, "max_requests_jitter": 500,
    })


commands = [serve]
