"""``cultivation users create|token|list``."""

from __future__ import annotations

import secrets

import click
from flask.cli import with_appcontext

from cultivation.accounts.models import ROLES
from cultivation.accounts.services import AccountError, create_user, get_by_username, issue_token
from cultivation.extensions import db


@click.group("users", help="用户管理")
def users() -> None:
    pass


@users.command("create", help="新建用户")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(list(ROLES)), help="角色")
@click.option("--email", default=None, help="电子邮箱")
@click.option("--password", default=None, help="密码（不填则随机生成并打印）")
@click.option("--display-name", default=None, help="姓名")
@with_appcontext
def create(name: str, role: str, email: str | None, password: str | None,
           display_name: str | None) -> None:
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    try:
        user = create_user(db.session, name, role=role, password=password,
                           display_name=display_name, email=email, actor="cli")
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"已创建用户 {user.username}（{user.role_label}）")
    if generated:
        click.echo(f"初始密码：{password}")


@users.command("token", help="为用户生成新的 API 令牌（最后一行即令牌）")
@click.argument("name")
@click.option("--label", default=None, help="令牌用途说明")
@with_appcontext
def token(name: str, label: str | None) -> None:
    user = get_by_username(db.session, name)
    if user is None:
        raise click.ClickException(f"用户“{name}”不存在")
    raw = issue_token(db.session, user, label=label or "cli")
    db.session.commit()
    click.echo(f"已为 {user.username} 生成 API 令牌（仅显示一次）：")
    click.echo(raw)


commands = [users]
