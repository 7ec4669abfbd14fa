"""Policy parameters in the database: seeded from the YAML files, read as a ParameterTable,
changed by admins as new dated values (the previous open period is closed; audited).

The YAML seeds (``cultivation/policy/params``, or the ``PARAMETER_DIR`` setting) are inserted
lazily: ``parameter_table`` seeds any key that has no row yet, inside the caller's transaction,
so a fresh database works without ``demo load`` — and ``db upgrade`` never touches data.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cultivation.audit import services as audit
from cultivation.database import DbSession
from cultivation.parameters.closing import close_superseded
from cultivation.parameters.models import PolicyParameter
from cultivation.policy import (
    PARAMETER_CATALOGUE,
    ParameterError,
    ParameterTable,
    ParameterValue,
    default_parameters,
    load_parameters,
)
from cultivation.policy.parameters import parse_value

log = logging.getLogger(__name__)

ENTITY = "policy_parameter"
SOURCE_MAX = 300  # PolicyParameter.source
NOTE_MAX = 2000
_AUDITED = ("key", "value", "valid_from", "valid_to", "source", "note", "confirmed")


class ParameterInputError(ValueError):
    """An admin's new value that cannot be saved; ``errors`` maps form fields to Chinese text."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("；".join(m for msgs in errors.values() for m in msgs))
        self.errors = errors


def seed_table(parameter_dir: str | None = None) -> ParameterTable:
    """The seed values: the YAML in ``parameter_dir`` (the app's ``PARAMETER_DIR``, passed by
    the entry point) when given, else the bundled YAML."""
    return default_parameters() if not parameter_dir else load_parameters(Path(parameter_dir))


def seed_parameters(session: DbSession, today: date | None = None, *,
                    parameter_dir: str | None = None) -> int:
    """Insert the seed values missing from the database, keyed (key, valid_from); flush only.
    Returns how many rows were added or closed (see ``closing.close_superseded``).

    Idempotent. A seed is fitted into the stored history as an admin's value would be: the
    period running on its first day is closed the day before, and it ends before a later
    stored value. ``today`` is accepted (and ignored) for the demo seeder hook; the seeds come
    from ``parameter_dir`` (``seed_table``).
    """
    rows = list(session.scalars(select(PolicyParameter)))
    have = {(r.key, r.valid_from) for r in rows}
    seeds = seed_table(parameter_dir).all_values()
    closed = close_superseded(rows, seeds)
    missing = [v for v in seeds if (v.key, v.valid_from) not in have]
    if not missing:
        session.flush()
        return closed
    by_key: dict[str, list[PolicyParameter]] = {}
    for row in rows:
        by_key.setdefault(row.key, []).append(row)
    for value in sorted(missing, key=lambda v: (v.key, v.valid_from)):
        history = sorted(by_key.get(value.key, []), key=lambda r: r.valid_from)
        closing, end = _placement(history, value.valid_from)
        if closing is not None:
            closing.valid_to = value.valid_from - timedelta(days=1)
        row = _row(value, origin="seed")
        if end is not None and (row.valid_to is None or row.valid_to > end):
            row.valid_to = end
        by_key[value.key] = [*history, row]
        session.add(row)
    session.flush()
    log.info("seeded %d policy parameter values (closed %d)", len(missing), closed)
    return len(missing) + closed


def ensure_parameters(session: DbSession, *, parameter_dir: str | None = None) -> int:
    """Seed when a seed value is not stored yet (fresh database, new key or date) or a stored
    seed is still open where its seed now ends; race-safe. One query when nothing is to do."""
    stored = {(key, day): (end, origin) for key, day, end, origin in session.execute(
        select(PolicyParameter.key, PolicyParameter.valid_from, PolicyParameter.valid_to,
               PolicyParameter.origin))}
    seeds = seed_table(parameter_dir).all_values()
    if all((v.key, v.valid_from) in stored for v in seeds) and not any(
        v.valid_to is not None and stored[(v.key, v.valid_from)] == (None, "seed") for v in seeds
    ):
        return 0
    savepoint = session.begin_nested()
    try:
        added = seed_parameters(session, parameter_dir=parameter_dir)
        savepoint.commit()
    except IntegrityError:
        savepoint.rollback()  # another worker seeded at the same moment: use its rows
        return 0
    return added


def parameter_table(session: DbSession, *, parameter_dir: str | None = None) -> ParameterTable:
    """Every stored value as a ParameterTable (seeding missing values first)."""
    ensure_parameters(session, parameter_dir=parameter_dir)
    return stored_table(session)


def stored_rows(session: DbSession) -> list[PolicyParameter]:
    """Every stored value, by key and start date."""
    return list(session.scalars(select(PolicyParameter).order_by(PolicyParameter.key,
                                                                 PolicyParameter.valid_from)))


def stored_table(session: DbSession) -> ParameterTable:
    """Every stored value as a ParameterTable, without seeding."""
    return table_from_rows(stored_rows(session))


def readable_table(session: DbSession, *, parameter_dir: str | None = None) -> ParameterTable:
    """The stored values, plus the seed values (``seed_table(parameter_dir)``) of keys nothing is
    stored for yet (a database the seed step has not reached); reads only."""
    stored = stored_table(session)
    known = stored.keys()
    missing = [v for v in seed_table(parameter_dir).all_values() if v.key not in known]
    return stored.with_values(missing) if missing else stored


def table_from_rows(rows: Iterable[PolicyParameter]) -> ParameterTable:
    """Validate stored rows into a ParameterTable (keys no longer catalogued are skipped)."""
    values = []
    for row in rows:
        if row.key not in PARAMETER_CATALOGUE:
            log.warning("policy parameter %s is not in the catalogue; ignored", row.key)
            continue
        values.append(row_value(row))
    return ParameterTable(values)


def row_value(row: PolicyParameter) -> ParameterValue:
    """One stored row as a validated ParameterValue."""
    where = f"参数 {row.key}（{row.valid_from} 起）"
    return ParameterValue(
        key=row.key,
        value=parse_value(PARAMETER_CATALOGUE[row.key], row.value, where),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        source=row.source,
        note=row.note or "",
        confirmed=row.confirmed,
    )


def value_from_text(text: str) -> Any:
    """An admin's typed value: a number, or a band list in JSON or YAML; ParameterError if not."""
    raw = (text or "").strip()
    if not raw:
        raise ParameterError("请填写取值：数值，或分段表（JSON / YAML 列表）")
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"（第 {mark.line + 1} 行第 {mark.column + 1} 列）" if mark else ""
        raise ParameterError(
            f"无法解析取值{where}：请输入数值，或 JSON / YAML 格式的分段表"
        ) from exc


def add_parameter_value(
    session: DbSession,
    key: str,
    value: Any,
    valid_from: date,
    source: str,
    note: str | None,
    confirmed: bool,
    actor: Any,
    now: datetime,
) -> PolicyParameter:
    """Add a dated value of ``key`` from ``valid_from``; close the period running then. Flush only.

    The value (a number or a band list, already parsed) is validated against the catalogue and
    the key's whole history is re-checked through ParameterTable; ParameterInputError names the
    field at fault and nothing is changed. A value back-dated before a later one ends the day
    before that later one starts.
    """
    spec = PARAMETER_CATALOGUE.get(key)
    if spec is None:
        raise ParameterInputError({"key": [f"未知参数键“{key}”"]})
    errors: dict[str, list[str]] = {}
    parsed = None
    try:
        parsed = parse_value(spec, value, "取值")
    except ParameterError as exc:
        errors["value"] = [str(exc)]
    source = (source or "").strip()
    if not source:
        errors["source"] = ["请填写来源（文号与文件标题）"]
    elif len(source) > SOURCE_MAX:
        errors["source"] = [f"来源不能超过 {SOURCE_MAX} 个字符"]
    note = (note or "").strip() or None
    if note and len(note) > NOTE_MAX:
        errors["note"] = [f"说明不能超过 {NOTE_MAX} 个字符"]
    ensure_parameters(session)
    history = list(session.scalars(
        select(PolicyParameter).where(PolicyParameter.key == key)
        .order_by(PolicyParameter.valid_from)
    ))
    if any(row.valid_from == valid_from for row in history):
        errors["valid_from"] = [f"该参数在 {valid_from.isoformat()} 已有取值，请选择其他生效日期"]
    if errors or parsed is None:
        raise ParameterInputError(errors)
    closing, end = _placement(history, valid_from)
    row = PolicyParameter(
        key=key, value=None, valid_from=valid_from, valid_to=end,
        source=source, note=note, confirmed=confirmed, origin="admin",
        created_by_id=getattr(actor, "id", None), created_at=now,
    )
    candidate = ParameterValue(key, parsed, valid_from, row.valid_to, source, note or "", confirmed)
    row.value = candidate.value_json()
    try:
        ParameterTable([*(_closed(row_value(r), valid_from) if r is closing else row_value(r)
                          for r in history), candidate])
    except ParameterError as exc:
        raise ParameterInputError({"valid_from": [str(exc)]}) from exc
    if closing is not None:
        before = audit.snapshot(closing, _AUDITED)
        closing.valid_to = valid_from - timedelta(days=1)
        audit.record(session, actor=actor, entity_type=ENTITY, entity_id=closing.id,
                     action="update", before={"valid_to": before["valid_to"]},
                     after={"valid_to": closing.valid_to.isoformat()}, at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, entity_type=ENTITY, entity_id=row.id, action="create",
                 after=audit.snapshot(row, _AUDITED), at=now)
    session.flush()
    log.info("policy parameter %s: new value from %s by %s", key, valid_from,
             getattr(actor, "username", actor))
    return row


def _placement(history: Sequence[PolicyParameter], day: date
               ) -> tuple[PolicyParameter | None, date | None]:
    """For a value starting on ``day``: the stored period still running then (to close the day
    before) and the last day the new value may run (the day before a later stored value)."""
    earlier = [row for row in history if row.valid_from < day]
    later = [row for row in history if row.valid_from > day]
    closing = None
    if earlier and (earlier[-1].valid_to is None or earlier[-1].valid_to >= day):
        closing = earlier[-1]
    return closing, later[0].valid_from - timedelta(days=1) if later else None


def _closed(value: ParameterValue, day: date) -> ParameterValue:
    return ParameterValue(value.key, value.value, value.valid_from, day - timedelta(days=1),
                          value.source, value.note, value.confirmed)


def _row(value: ParameterValue, *, origin: str) -> PolicyParameter:
    return PolicyParameter(
        key=value.key, value=value.value_json(), valid_from=value.valid_from,
        valid_to=value.valid_to, source=value.source, note=value.note or None,
        confirmed=value.confirmed, origin=origin,
    )
