"""Listed / above-scale flags as of a date (dated ``EnterpriseFlag`` history).

``flag_on`` is the one SQL definition reports use, so a report as of an earlier date uses the
flags of that date; a firm without history rows has held its current flag throughout.
``record_flag_changes`` keeps the history when a flag is edited (registry writes, imports).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, select, union_all
from sqlalchemy.sql.selectable import Subquery

from cultivation.database import DbSession
from cultivation.enterprises.models import FLAGS, Enterprise, EnterpriseFlag
from cultivation.reports.dates import day_literal

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


def dated_flags(flag: str, days: Mapping[int, date]) -> Subquery:
    """(enterprise_id, key, value 0/1): the dated ``flag`` row in force on each of ``days``
    (key → day) for the firms with a history — ``flag_on`` for many firms and days as one join
    instead of a correlated subquery per row. Outer-join it on (firm, key) and fall back to the
    current flag where it has no row (``flag_from``)."""
    picks = [select(literal(key).label("key"), day_literal(day).label("day"))
             for key, day in sorted(days.items())]
    series = (picks[0] if len(picks) == 1 else union_all(*picks)).subquery("flag_days")
    latest = func.row_number().over(partition_by=(EnterpriseFlag.enterprise_id, series.c.key),
                                    order_by=EnterpriseFlag.valid_from.desc())
    rows = (select(EnterpriseFlag.enterprise_id, series.c.key,
                   case((EnterpriseFlag.value.is_(True), 1), else_=0).label("value"),
                   latest.label("rn"))
            .join(series, EnterpriseFlag.valid_from <= series.c.day)
            .where(EnterpriseFlag.flag == flag).subquery("flag_rows"))
    return (select(rows.c.enterprise_id, rows.c.key, rows.c.value).where(rows.c.rn == 1)
            .subquery(f"dated_{flag}"))


def flag_from(dated: Subquery, flag: str) -> ColumnElement[bool]:
    """The flag on the day of a ``dated_flags`` row joined to ``Enterprise``: its dated value,
    else the firm's current one (the rule of ``flag_on``)."""
    current = case((getattr(Enterprise, flag).is_(True), 1), else_=0)
    return func.coalesce(dated.c.value, current) == 1


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
