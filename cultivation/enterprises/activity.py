"""A firm's activity timeline (动态): 走访, certificates, yearly figures, imports and the firm's
other audited changes in one list, newest first, a page at a time. Read side only.

Where each kind comes from, and why:

- **The audit log** for every change made to the firm (certificates added, revoked, deleted;
  figures entered or changed; firm details; advisor handovers; institutions): it is the only
  record of who did it, of the value before (研发费用 120 → 150), and of a deleted certificate —
  the registry tables hold only the current state.
- **The visits table** for 走访: a visit's audit row holds just its two dates, while the note,
  the advisor and visits loaded in bulk (the demo, older data) are only in the table. Audit rows
  of visits are therefore left out, so a visit shows once.
- **Import batches** through the batch's own audit row (file name, kind, counts, when it was
  committed or reverted), for the batches whose ``import_changes`` touch the firm, its figures
  or its certificates — the rows an import changed are in the audit log as well, without the
  file they came from.

Set-based: one UNION ALL of (source, id, moment) keys, ordered and cut to the page with one
extra row to know whether older entries exist; then one query for the page's audit rows, one
for its visits, one for advisor names in handovers and one for the changed certificates' kinds —
at most five statements per page, whatever its size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    DateTime,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import selectinload

from cultivation.accounts.models import User
from cultivation.audit.models import AuditLog
from cultivation.audit.queries import Change, changes_of
from cultivation.database import DbSession
from cultivation.enterprises.activity_text import describe
from cultivation.enterprises.models import FiscalYearFigures
from cultivation.imports.models import ImportChange
from cultivation.qualifications.models import Qualification
from cultivation.visits.models import Visit

PER_PAGE = 20
IMPORT_ACTIONS = ("import", "revert")


@dataclass(frozen=True)
class Activity:
    """One line of the timeline, ready to show."""

    kind: str  # visit | certificate | figures | import | firm | portfolio | institution | other
    at: datetime | None  # the instant (audited entries); None for a visit (a date)
    day: date  # the visit's date, or the local date of ``at``
    who: str
    what: str  # Chinese: 走访, 新增资质, 撤销资质, 修改年度数据, 导入 …
    detail: str  # one short line: 研发费用 120 → 150 万元, 高新技术企业 2023年… 至 …, 文件 x.xlsx
    changes: list[Change] = field(default_factory=list)  # every field changed (folded)
    notes: str = ""  # a visit's note
    follow_up: date | None = None
    follow_up_done: bool = False
    planned: bool = False  # a planned 走访 (no visit date yet): ``follow_up`` is its planned day


@dataclass(frozen=True)
class ActivityPage:
    """A page of the timeline and whether older entries follow."""

    entries: list[Activity]
    page: int
    has_older: bool


def _visit_moment(dialect: str, zone: ZoneInfo, now: datetime) -> Any:
    """Where a visit sorts among timestamped entries: when it was logged, held inside the local
    day it took place (a visit typed in later stays on its own day; one logged on the day keeps
    its exact place)."""
    if dialect == "postgresql":
        day = cast(Visit.visited_on, DateTime())
        start = func.timezone(zone.key, day)
        end = func.timezone(zone.key, day + literal_column(
            "interval '1 day' - interval '1 microsecond'"))
        return case((Visit.visited_on.is_(None), Visit.created_at),
                    else_=func.greatest(start, func.least(Visit.created_at, end)))
    if dialect == "sqlite":  # stored as UTC text; the zone's offset now (no DST in 中国)
        offset = now.astimezone(zone).utcoffset() or timedelta(0)
        minutes = f"{-int(offset.total_seconds() // 60)} minutes"
        start = func.strftime("%Y-%m-%d %H:%M:%f", Visit.visited_on, minutes)
        end = func.strftime("%Y-%m-%d %H:%M:%f", Visit.visited_on, "+1 day", minutes,
                            "-0.001 seconds")
        return case((Visit.visited_on.is_(None), Visit.created_at),
                    else_=func.max(start, func.min(Visit.created_at, end)))
    return Visit.created_at  # pragma: no cover - only SQLite and PostgreSQL are supported


def _batches_touching(firm_id: int) -> Any:
    """Ids of the import batches that created or changed the firm, its figures or certificates."""
    figures = select(FiscalYearFigures.id).where(FiscalYearFigures.enterprise_id == firm_id)
    certificates = select(Qualification.id).where(Qualification.enterprise_id == firm_id)
    return select(ImportChange.batch_id).where(or_(
        and_(ImportChange.entity_type.in_(("enterprise", "portfolio")),
             ImportChange.entity_id == firm_id),
        and_(ImportChange.entity_type == "figures", ImportChange.entity_id.in_(figures)),
        and_(ImportChange.entity_type == "qualification",
             ImportChange.entity_id.in_(certificates)),
    ))


def _keys(session: DbSession, firm_id: int, zone: ZoneInfo, now: datetime) -> Any:
    """The UNION ALL of every entry's (source, id, moment)."""
    dialect = session.get_bind().dialect.name
    audited = select(literal("audit").label("source"), AuditLog.id.label("id"),
                     AuditLog.at.label("moment")).where(
        AuditLog.enterprise_id == firm_id, AuditLog.entity_type != "visit")
    imports = select(literal("audit"), AuditLog.id, AuditLog.at).where(
        AuditLog.entity_type == "import_batch", AuditLog.action.in_(IMPORT_ACTIONS),
        AuditLog.entity_id.in_(_batches_touching(firm_id)))
    visits = select(literal("visit"), Visit.id, _visit_moment(dialect, zone, now)).where(
        Visit.enterprise_id == firm_id)
    return union_all(audited, imports, visits).subquery("activity")


def firm_activity(session: DbSession, firm_id: int, *, zone: ZoneInfo, now: datetime,
                  page: int = 1, per_page: int = PER_PAGE) -> ActivityPage:
    """One page of the firm's timeline, newest first (see the module docstring)."""
    page = max(page, 1)
    keys = _keys(session, firm_id, zone, now)
    rows = session.execute(
        select(keys.c.source, keys.c.id)
        .order_by(keys.c.moment.desc(), keys.c.source, keys.c.id.desc())
        .limit(per_page + 1).offset((page - 1) * per_page)
    ).all()
    has_older = len(rows) > per_page
    rows = rows[:per_page]
    audit_ids = [i for source, i in rows if source == "audit"]
    visit_ids = [i for source, i in rows if source == "visit"]
    logs: dict[int, tuple[AuditLog, str | None]] = {}
    if audit_ids:
        logs = {log.id: (log, name) for log, name in session.execute(
            select(AuditLog, User.display_name).outerjoin(User, User.id == AuditLog.actor_id)
            .where(AuditLog.id.in_(audit_ids)))}
    visits: dict[int, Visit] = {}
    if visit_ids:
        visits = {v.id: v for v in session.scalars(
            select(Visit).where(Visit.id.in_(visit_ids)).options(selectinload(Visit.advisor)))}
    names = _advisor_names(session, [log for log, _ in logs.values()])
    certificates = _certificates(session, [log for log, _ in logs.values()])
    entries = []
    for source, i in rows:
        if source == "visit":
            entries.append(_visit_entry(visits[i], zone))
        else:
            log, actor = logs[i]
            entries.append(_audit_entry(log, actor, names, certificates, zone))
    return ActivityPage(entries, page, has_older)


def _advisor_names(session: DbSession, logs: list[AuditLog]) -> dict[int, str]:
    """Display names of the advisors named in handovers on the page (one query)."""
    ids = {v for log in logs for part in (log.before or {}, log.after or {})
           for k, v in part.items() if k == "advisor_id" and isinstance(v, int)}
    if not ids:
        return {}
    return {i: n for i, n in session.execute(
        select(User.id, User.display_name).where(User.id.in_(ids)))}


def _certificates(session: DbSession, logs: list[AuditLog]) -> dict[int, dict[str, Any]]:
    """Kind and dates of the certificates whose changes are on the page: a change's audit row
    keeps only the fields that changed (one query)."""
    ids = {log.entity_id for log in logs if log.entity_type == "qualification"
           and log.action == "update" and log.entity_id is not None}
    if not ids:
        return {}
    rows = session.execute(select(
        Qualification.id, Qualification.kind, Qualification.leading_kind, Qualification.number,
        Qualification.valid_from, Qualification.valid_to, Qualification.status,
        Qualification.revoked_on).where(Qualification.id.in_(ids)))
    return {r.id: r._asdict() for r in rows}


def _visit_entry(visit: Visit, zone: ZoneInfo) -> Activity:
    advisor = visit.advisor.display_name if visit.advisor else "—"
    if visit.visited_on is None:  # planned: listed when it was planned, for its planned day
        return Activity(kind="visit", at=visit.created_at,
                        day=visit.created_at.astimezone(zone).date(), who=advisor,
                        what="计划走访", detail="", notes=visit.notes,
                        follow_up=visit.next_follow_up_on, follow_up_done=visit.follow_up_done,
                        planned=True)
    return Activity(kind="visit", at=None, day=visit.visited_on, who=advisor, what="走访",
                    detail="", notes=visit.notes, follow_up=visit.next_follow_up_on,
                    follow_up_done=visit.follow_up_done)


def _audit_entry(log: AuditLog, actor: str | None, names: dict[int, str],
                 certificates: dict[int, dict[str, Any]], zone: ZoneInfo) -> Activity:
    kind, what, detail = describe(log, names, certificates, log.entity_id)
    return Activity(kind=kind, at=log.at, day=log.at.astimezone(zone).date(),
                    who=actor or log.actor_name, what=what, detail=detail,
                    changes=changes_of(log, names) if kind not in ("import", "certificate")
                    else [])
