"""Listed / above-scale flags as of a date (dated ``EnterpriseFlag`` history).

``flag_on`` is the one SQL definition reports use, so a report as of an earlier date uses the
flags of that date; a firm without history rows has held its current flag throughout.
``record_flag_changes`` keeps the history when a flag is edited (registry writes, imports).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, literal, select

from cultivation.database import DbSession
from cultivation.enterprises.models import FLAGS, Enterprise, EnterpriseFlag

SINCE_EVER = date(1900, 1, 1)


def flag_on(flag: str, day: date | ColumnElement[Any]) -> ColumnElement[bool]:
    """SQL: the firm's ``flag`` (``listed`` / ``above_scale``) in force on ``day``."""
    when = literal(day) if isinstance(day, date) else day
    dated = (
        select(EnterpriseFlag.value)
        .where(EnterpriseFlag.enterprise_id == Enterprise.id, EnterpriseFlag.flag == flag,
               EnterpriseFlag.valid_from <= when)
        .order_by(EnterpriseFlag.valid_from.desc())
        .limit(1)
        .correlate(Enterprise)
        .scalar_subquery()
    )
    return func.coalesce(dated, getattr(Enterprise, flag)).is_(True)


def record_flag_changes(session: DbSession, changes: list[tuple[Enterprise, dict[str, Any]]],
                        today: date) -> None:
    """After flags changed (each firm with its old values, flag → value), add dated rows: the
    old value since ever when the firm had no history for that flag yet, the new one from
    ``today``. One query for any number of firms."""
    wanted: dict[int, dict[str, tuple[bool, bool]]] = {}
    for firm, before in changes:
        diff = {f: (bool(before[f]), bool(getattr(firm, f))) for f in FLAGS
                if f in before and bool(before[f]) != bool(getattr(firm, f))}
        if diff and firm.id is not None:
            wanted.setdefault(firm.id, {}).update(diff)
    if not wanted:
        return
    rows: dict[tuple[int, str], dict[date, EnterpriseFlag]] = {}
    for row in session.scalars(select(EnterpriseFlag).where(
            EnterpriseFlag.enterprise_id.in_(list(wanted)))):
        rows.setdefault((row.enterprise_id, row.flag), {})[row.valid_from] = row
    for firm_id, diff in wanted.items():
        for flag, (old, new) in diff.items():
            history = rows.get((firm_id, flag), {})
            if not history:
                session.add(EnterpriseFlag(enterprise_id=firm_id, flag=flag, value=old,
                                           valid_from=SINCE_EVER))
            if today in history:
                history[today].value = new
            else:
                session.add(EnterpriseFlag(enterprise_id=firm_id, flag=flag, value=new,
                                           valid_from=today))
