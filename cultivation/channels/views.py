"""通知渠道 (admin): DingTalk / WeCom robots per user or per role group."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from cultivation.accounts.access import roles_required
from cultivation.accounts.models import ROLES, User
from cultivation.channels.models import PROVIDERS, NotifyChannel
from cultivation.channels.services import (
    ChannelEdit,
    ChannelError,
    ChannelInput,
    channels_page,
    create,
    delete,
    masked_webhook,
    update,
)
from cultivation.extensions import db
from cultivation.web import clock
from cultivation.web.request import INVALID
from cultivation.web.settings import app_settings

bp = Blueprint("channels", __name__, url_prefix="/admin/channels")


def _users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.username)))


def _page(errors: dict[str, str] | None = None, form: dict[str, str] | None = None,
          status: int = 200) -> ResponseReturnValue:
    users = _users()
    channels = channels_page(db.session)
    key = app_settings().channels.secret_key
    return render_template(
        "admin/channels.html", channels=channels,
        masked={c.id: masked_webhook(c, key) for c in channels},
        users=users, roles=ROLES, providers=PROVIDERS, errors=errors or {}, form=form or {},
        backend=current_app.config["CHANNEL_BACKEND"],
    ), status


@bp.route("")
@roles_required("admin")
def index() -> ResponseReturnValue:
    return _page()


@bp.route("", methods=["POST"])
@roles_required("admin")
def add() -> ResponseReturnValue:
    form = {k: request.form.get(k, "") for k in ("provider", "name", "target", "webhook", "secret")}
    try:
        channel = create(db.session, ChannelInput(**form), actor=current_user, now=clock.now(),
                         settings=app_settings().channels)
    except ChannelError as exc:
        db.session.rollback()
        form.pop("secret")  # never echoed back
        return _page(exc.errors, form, INVALID)
    db.session.commit()
    flash(f"已添加通知渠道“{channel.name}”（{channel.provider_label}）", "success")
    return redirect(url_for("channels.index"))


@bp.route("/<int:channel_id>/delete", methods=["POST"])
@roles_required("admin")
def remove(channel_id: int) -> ResponseReturnValue:
    channel = _channel(channel_id)
    name = channel.name
    delete(db.session, channel, actor=current_user, now=clock.now(),
           settings=app_settings().channels)
    db.session.commit()
    flash(f"已删除通知渠道“{name}”", "success")
    return redirect(url_for("channels.index"))


def _channel(channel_id: int) -> NotifyChannel:
    return db.session.get(NotifyChannel, channel_id) or abort(404)


def _edit_page(channel: NotifyChannel, form: dict[str, str], errors: dict[str, str] | None = None,
               status: int = 200) -> ResponseReturnValue:
    return render_template(
        "admin/channel_edit.html", channel=channel,
        masked=masked_webhook(channel, app_settings().channels.secret_key),
        users=_users(), roles=ROLES, errors=errors or {}, form=form,
    ), status


@bp.route("/<int:channel_id>/edit")
@roles_required("admin")
def edit(channel_id: int) -> ResponseReturnValue:
    channel = _channel(channel_id)
    target = f"user:{channel.user_id}" if channel.user_id is not None else f"role:{channel.role}"
    return _edit_page(channel, {"name": channel.name, "target": target,
                                "active": "1" if channel.active else ""})


@bp.route("/<int:channel_id>/edit", methods=["POST"])
@roles_required("admin")
def save(channel_id: int) -> ResponseReturnValue:
    channel = _channel(channel_id)
    form = {k: request.form.get(k, "") for k in ("name", "target", "webhook", "secret", "active",
                                                 "clear_secret")}
    data = ChannelEdit(name=form["name"], target=form["target"], active=form["active"] == "1",
                       webhook=form["webhook"], secret=form["secret"],
                       clear_secret=form["clear_secret"] == "1")  # noqa: S105 - a flag
    try:
        changed = update(db.session, channel, data, actor=current_user, now=clock.now(),
                         settings=app_settings().channels)
    except ChannelError as exc:
        db.session.rollback()
        form.pop("secret")  # never echoed back
        return _edit_page(_channel(channel_id), form, exc.errors, INVALID)
    db.session.commit()
    if changed:
        flash(f"已保存通知渠道“{channel.name}”", "success")
    else:
        flash(f"通知渠道“{channel.name}”没有改动", "info")
    return redirect(url_for("channels.index"))
