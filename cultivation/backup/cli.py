"""``cultivation backup FILE`` and ``cultivation restore FILE [--replace]``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from cultivation.backup.services import BackupError, backup, restore
from cultivation.extensions import db


@click.command("backup", help="备份整个数据库到文件（PostgreSQL：pg_dump -Fc；SQLite：在线备份）")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@with_appcontext
def backup_command(file: Path) -> None:
    try:
        result = backup(db.engine, file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    size = result.size / 1024 / 1024
    click.echo(f"已备份 {result.tables} 张表到 {result.path}（{size:.1f} MiB）")


@click.command("restore", help="从备份文件恢复整个数据库（默认只恢复到空数据库）")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--replace", is_flag=True, default=False,
              help="当前数据库已有数据时仍然恢复（覆盖现有数据）")
@with_appcontext
def restore_command(file: Path, replace: bool) -> None:
    try:
        tables = restore(db.engine, file, replace=replace)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已从 {file} 恢复 {tables} 张表；如程序比备份新，请接着运行 cultivation db upgrade")


commands = [backup_command, restore_command]
