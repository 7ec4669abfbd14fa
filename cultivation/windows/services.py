"""Application windows: create, edit, delete, seed the default calendar. Flush, never commit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select, tuple_

from cultivation.audit import services as audit
from cultivation.database import DbSession
from cultivation.enterprises.schemas import ValidationError
from cultivation.windows.models import DEFAULT_REMIND_DAYS, ApplicationWindow
from cultivation.windows.schema import FIELDS, clean_window

CALENDAR_FILE = Path(__file__).with_name("calendar.yaml")


def window_json(window: ApplicationWindow) -> dict[str, Any]:
    """The API representation of a window."""
    return {
        "id": window.id,
        "programme": window.programme,
        "programme_label": window.programme_label,
        "year": window.year,
        "batch": window.batch,
        "title": window.title,
        "opens_on": window.opens_on.isoformat(),
        "closes_on": window.closes_on.isoformat(),
        "remind_days": list(window.remind_days or []),
        "note": window.note,
        "issuer": window.issuer,
        "source": window.source,
        "confirmed": window.confirmed,
    }


def _snapshot(window: ApplicationWindow) -> dict[str, Any]:
    return audit.snapshot(window, list(FIELDS))


def _refuse_duplicate(session: DbSession, values: Mapping[str, Any], *,
                      exclude: int | None = None) -> None:
    """One window per programme, year and batch (the key the default calendar seeds on): a
    retried POST must not make advisors get every reminder twice."""
    stmt = select(ApplicationWindow.id).where(
        ApplicationWindow.programme == values["programme"],
        ApplicationWindow.year == values["year"],
        ApplicationWindow.batch == values["batch"])
    if exclude is not None:
        stmt = stmt.where(ApplicationWindow.id != exclude)
    if session.scalar(stmt.limit(1)) is not None:
        batch = f"批次“{values['batch']}”" if values["batch"] else "未分批次"
        raise ValidationError({"batch": [
            f"{values['year']} 年已有该项目{batch}的申报窗口，请修改原窗口或换一个批次名"]})


def create_window(session: DbSession, raw: Mapping[str, Any], *, actor: Any, now: datetime
                  ) -> ApplicationWindow:
    """Add a window from raw input (API JSON or form); raises ``ValidationError``."""
    values = clean_window(raw)
    _refuse_duplicate(session, values)
    window = ApplicationWindow(**values, created_at=now, updated_at=now)
    session.add(window)
    session.flush()
    audit.record(session, actor=actor, entity_type="application_window", entity_id=window.id,
                 action="create", after=_snapshot(window), at=now)
    return window


def update_window(session: DbSession, window: ApplicationWindow, raw: Mapping[str, Any], *,
                  actor: Any, now: datetime) -> ApplicationWindow:
    """Change a window's fields from raw input; raises ``ValidationError``; audited."""
    before = _snapshot(window)
    current = {f: getattr(window, f) for f in FIELDS}
    values = clean_window(raw, current=current)
    _refuse_duplicate(session, values, exclude=window.id)
    for field, value in values.items():
        setattr(window, field, value)
    window.updated_at = now
    session.flush()
    old, new = audit.diff(before, _snapshot(window))
    if new:
        audit.record(session, actor=actor, entity_type="application_window",
                     entity_id=window.id, action="update", before=old, after=new, at=now)
    return window


def delete_window(session: DbSession, window: ApplicationWindow, *, actor: Any, now: datetime
                  ) -> None:
    """Remove a window (reminders already queued stay in the outbox); audited."""
    audit.record(session, actor=actor, entity_type="application_window", entity_id=window.id,
                 action="delete", before=_snapshot(window), at=now)
    session.delete(window)
    session.flush()


def default_calendar(year: int, path: Path = CALENDAR_FILE) -> list[dict[str, Any]]:
    """The default windows of application year ``year`` from the calendar YAML."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = []
    for item in spec["windows"]:
        if not int(item.get("from_year", year)) <= year <= int(item.get("to_year", year)):
            continue  # this entry's calendar is not the one of ``year``
        rows.append({
            "programme": item["programme"],
            "year": year,
            "batch": item["batch"],
            "opens_on": _day(year, item["opens"]),
            "closes_on": _day(year, item["closes"]),
            "remind_days": list(item.get("remind_days", DEFAULT_REMIND_DAYS)),
            "note": item.get("note"),
            "issuer": item.get("issuer"),
            "source": item.get("source"),
            "confirmed": bool(item.get("confirmed", False)),
        })
    return rows


def _day(year: int, spec: Mapping[str, int]) -> date:
    return date(year + int(spec.get("year_offset", 0)), int(spec["month"]), int(spec["day"]))


def seed_windows(session: DbSession, today: date, *, years: Iterable[int] | None = None,
                 actor: Any = "seed") -> int:
    """Add the default calendar for this year and next (or ``years``) where a window of the
    same programme, year and batch does not exist yet; returns how many were added."""
    wanted = [row for y in (years or (today.year, today.year + 1)) for row in default_calendar(y)]
    keys = [(r["programme"], r["year"], r["batch"]) for r in wanted]
    existing = {tuple(row) for row in session.execute(
        select(ApplicationWindow.programme, ApplicationWindow.year, ApplicationWindow.batch)
        .where(tuple_(ApplicationWindow.programme, ApplicationWindow.year,
                      ApplicationWindow.batch).in_(keys))
    )}
    added = [ApplicationWindow(**row) for row in wanted
             if (row["programme"], row["year"], row["batch"]) not in existing]
    session.add_all(added)
    session.flush()
    if added:
        audit.record(session, actor=actor, entity_type="application_window", entity_id=None,
                     action="seed", after={"count": len(added),
                                           "years": sorted({w.year for w in added})})
    return len(added)
