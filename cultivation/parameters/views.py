"""政策参数 admin pages at /admin/parameters: every key with its current value, source and
history; admins add a new dated value (audited), leaders read only. UNCONFIRMED values carry a
"待确认" badge wherever they are shown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from cultivation.accounts.access import roles_required
from cultivation.accounts.services import display_names
from cultivation.extensions import db
from cultivation.inputs import InputError, parse_date
from cultivation.parameters.forms import ParameterValueForm
from cultivation.parameters.models import PolicyParameter
from cultivation.parameters.services import (
    ParameterInputError,
    add_parameter_value,
    stored_rows,
    value_from_text,
)
from cultivation.policy import PARAMETER_CATALOGUE, ParameterError, ParameterSpec
from cultivation.screening.presenters import parameter_value_text
from cultivation.web.clock import clock
from cultivation.web.request import INVALID

bp = Blueprint("parameters", __name__, url_prefix="/admin/parameters")
GROUPS = {
    "hnte": "高新技术企业认定",
    "tech_sme": "科技型中小企业评价",
    "zj_tech_sme": "浙江省科技型中小企业",
    "provincial_hnte_center": "省级高新技术企业研究开发中心",
    "provincial_institute": "省级企业研究院",
    "leading": "浙江省创新型领军企业",
    "coverage": "三覆盖",
}


@bp.before_request
@roles_required("admin", "leader")
def readers_only() -> None:
    """Admins and leaders read; only admins post (checked in the view)."""


@dataclass(frozen=True)
class KeyLine:
    """One parameter key as the list shows it."""

    key: str
    spec: ParameterSpec
    current: PolicyParameter | None
    upcoming: list[PolicyParameter]
    versions: int

    @property
    def value_text(self) -> str:
        return parameter_value_text(self.key, self.current.value) if self.current else "—"


def _rows() -> dict[str, list[PolicyParameter]]:
    by_key: dict[str, list[PolicyParameter]] = {}
    for row in stored_rows(db.session):
        by_key.setdefault(row.key, []).append(row)
    return by_key


def _covers(row: PolicyParameter, day: date) -> bool:
    return row.valid_from <= day and (row.valid_to is None or day <= row.valid_to)


@bp.route("")
def index() -> ResponseReturnValue:
    _, today = clock()
    by_key = _rows()
    groups: dict[str, list[KeyLine]] = {}
    for key, spec in PARAMETER_CATALOGUE.items():
        rows = by_key.get(key, [])
        line = KeyLine(key, spec, next((r for r in rows if _covers(r, today)), None),
                       [r for r in rows if r.valid_from > today], len(rows))
        groups.setdefault(GROUPS.get(key.split(".")[0], "其他"), []).append(line)
    unconfirmed = sum(1 for lines in groups.values() for line in lines
                      if line.current is not None and not line.current.confirmed)
    return render_template("admin/parameters.html", groups=groups, today=today,
                           unconfirmed=unconfirmed)


def _value_text(value: Any) -> str:
    """A stored value as the form shows it: a number, or one band per line."""
    if isinstance(value, list):
        return "\n".join("- " + json.dumps(band, ensure_ascii=False) for band in value)
    return json.dumps(value)


@bp.route("/<key>", methods=["GET", "POST"])
def detail(key: str) -> ResponseReturnValue:
    spec = PARAMETER_CATALOGUE.get(key)
    if spec is None:
        abort(404, f"没有名为“{key[:80]}”的政策参数")
    if request.method == "POST" and not current_user.is_admin:
        abort(403, "局领导账号为只读，不能修改政策参数")
    now, today = clock()
    rows = _rows().get(key, [])
    current = next((r for r in rows if _covers(r, today)), None)
    form = ParameterValueForm(data={"value": _value_text(current.value)} if current else None)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            errors: dict[str, list[str]] = {}
            valid_from = raw = None
            try:
                valid_from = parse_date(form.valid_from.data)
            except InputError as exc:
                errors["valid_from"] = [str(exc)]
            try:
                raw = value_from_text(form.value.data or "")
            except ParameterError as exc:
                errors["value"] = [str(exc)]
            if not errors and valid_from is not None:
                try:
                    add_parameter_value(
                        db.session, key, raw, valid_from, form.source.data or "",
                        form.note.data, bool(form.confirmed.data), actor=current_user, now=now)
                except ParameterInputError as exc:
                    db.session.rollback()
                    errors = exc.errors
                else:
                    db.session.commit()
                    flash(f"已新增“{spec.label}”自 {valid_from.isoformat()} 起的取值", "success")
                    return redirect(url_for("parameters.detail", key=key))
            for name, messages in errors.items():
                target = getattr(form, name, None) or form.value
                target.errors = [*target.errors, *messages]
        status = INVALID
    creators = display_names(db.session, {r.created_by_id for r in rows if r.created_by_id})
    return render_template("admin/parameters_detail.html", key=key, spec=spec, rows=rows,
                           current=current, form=form, today=today, creators=creators,
                           value_text=parameter_value_text, raw_text=_value_text,
                           group=GROUPS.get(key.split(".")[0], "其他")), status
