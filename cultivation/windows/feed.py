"""The iCalendar feed of one user: all application windows, and for an advisor the deadlines of
their own firms (certificate expiries, the 高企 annual report, visit follow-ups)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from cultivation.accounts.models import User
from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.portfolios.queries import portfolio_ids
from cultivation.qualifications.models import QUALIFICATION_KINDS, Qualification
from cultivation.qualifications.queries import in_force_on
from cultivation.reminders.annual_report import annual_report_due
from cultivation.visits.models import Visit
from cultivation.windows.ical import CalendarEvent
from cultivation.windows.queries import windows_around

PAST_DAYS = 90
AHEAD_DAYS = 400


def calendar_events(session: DbSession, user: User, today: date, root: str) -> list[CalendarEvent]:
    """Every event of the user's feed (a handful of set-based queries, none per row)."""
    events: list[CalendarEvent] = []
    for w in session.scalars(windows_around(today, back_days=PAST_DAYS, ahead_days=AHEAD_DAYS)):
        note = "" if w.confirmed else "（默认日期，待确认）"
        description = f"申报时间 {w.opens_on.isoformat()} 至 {w.closes_on.isoformat()}{note}"
        if w.note:
            description += f"\n{w.note}"
        events.append(CalendarEvent(f"window-{w.id}-open", w.opens_on, f"【开始】{w.title}",
                                    description, f"{root}/windows"))
        events.append(CalendarEvent(f"window-{w.id}-close", w.closes_on, f"【截止】{w.title}",
                                    description, f"{root}/windows"))
    if user.is_advisor:
        events += _advisor_events(session, user, today, root)
    return events


def _advisor_events(session: DbSession, user: User, today: date, root: str
                    ) -> list[CalendarEvent]:
    mine = portfolio_ids(user.id)
    events = []
    expiring = session.execute(
        select(Qualification.id, Qualification.kind, Qualification.valid_to, Enterprise.name,
               Enterprise.credit_code)
        .join(Enterprise, Enterprise.id == Qualification.enterprise_id)
        .where(Qualification.enterprise_id.in_(mine), in_force_on(today),
               Qualification.kind.in_(("hnte", "tech_sme", "zj_tech_sme")),
               Qualification.valid_to <= today + timedelta(days=AHEAD_DAYS),
               Enterprise.deleted_at.is_(None))
    )
    for qid, kind, valid_to, name, code in expiring:
        if valid_to is None:
            continue
        events.append(CalendarEvent(
            f"expiry-{qid}", valid_to, f"【到期】{name} {QUALIFICATION_KINDS.get(kind, kind)}",
            "资格有效期最后一天；高企须在到期前按新申请重新认定", f"{root}/enterprises/{code}"))
    has_hnte = session.scalar(
        select(Qualification.id).where(Qualification.enterprise_id.in_(mine),
                                       Qualification.kind == "hnte", in_force_on(today)).limit(1))
    if has_hnte is not None:
        for year in (today.year, today.year + 1):
            due = annual_report_due(year)
            if due >= today - timedelta(days=PAST_DAYS):
                events.append(CalendarEvent(f"annual-report-{year}", due,
                                            "【截止】高企年度发展情况报表",
                                            "联系企业中的高企须在5月31日前填报上年度年报",
                                            f"{root}/enterprises"))
    followups = session.execute(
        select(Visit.id, Visit.next_follow_up_on, Enterprise.name, Enterprise.credit_code)
        .join(Enterprise, Enterprise.id == Visit.enterprise_id)
        .where(Visit.enterprise_id.in_(mine), Visit.follow_up_done.is_(False),
               Visit.next_follow_up_on.is_not(None),
               Visit.next_follow_up_on >= today - timedelta(days=PAST_DAYS),
               Enterprise.deleted_at.is_(None))
    )
    for visit_id, day, name, code in followups:
        if day is None:
            continue
        events.append(CalendarEvent(f"followup-{visit_id}", day, f"【跟进】{name}",
                                    "走访约定的跟进日期", f"{root}/enterprises/{code}"))
    return events
