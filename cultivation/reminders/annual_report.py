"""The ``annual-report`` job: 高企 must file their annual development report by 31 May.

30, 7 and 1 days before (with catch-up), each advisor gets one digest of their firms that held a
高企 certificate at the end of last year or hold one today. Key:
``annual-report:<year>:<offset>:<advisor>``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select

from cultivation.accounts.models import User
from cultivation.clock import local_date
from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.mail.services import enqueue
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.portfolios.queries import current_assignment_join
from cultivation.qualifications.models import Qualification
from cultivation.qualifications.queries import in_force_on
from cultivation.reminders.due import due_offset, in_days_text
from cultivation.settings import ReminderSettings
from cultivation.todos.records import link_mails, suppressed, todo_key

JOB = "annual-report"
DUE_MONTH, DUE_DAY = 5, 31
REMIND_DAYS = (30, 7, 1)


@dataclass(frozen=True)
class ReportingFirm:
    name: str
    credit_code: str
    url: str


def annual_report_due(year: int) -> date:
    return date(year, DUE_MONTH, DUE_DAY)


def reporting_firms(session: DbSession, today: date, *, base_url: str = ""
                    ) -> dict[int, list[ReportingFirm]]:
    """{advisor id: firms that must file this year's 高企 annual report} — one query; firm links
    start with ``base_url``."""
    last_year_end = date(today.year - 1, 12, 31)
    stmt = (
        select(PortfolioAssignment.advisor_id, Enterprise.name, Enterprise.credit_code)
        .select_from(Enterprise)
        .join(PortfolioAssignment, current_assignment_join())
        .where(Enterprise.deleted_at.is_(None),
               Enterprise.id.in_(select(Qualification.enterprise_id).where(
                   Qualification.kind == "hnte",
                   or_(in_force_on(last_year_end), in_force_on(today)))))
        .order_by(PortfolioAssignment.advisor_id, Enterprise.name)
    )
    found: dict[int, list[ReportingFirm]] = defaultdict(list)
    root = base_url
    for advisor_id, name, code in session.execute(stmt):
        found[advisor_id].append(ReportingFirm(name, code, f"{root}/enterprises/{code}"))
    return found


def send_annual_report_reminders(session: DbSession, now: datetime, settings: ReminderSettings
                                 ) -> dict[str, int]:
    """Queue the annual-report digests due today (job body)."""
    today = local_date(now, settings.timezone)
    due = annual_report_due(today.year)
    offset = due_offset(due, REMIND_DAYS, today, settings.catchup_days)
    counts: Counter[str] = Counter(reminders_due=0 if offset is None else 1)
    if offset is None:
        return dict(counts)
    firms = reporting_firms(session, today, base_url=settings.base_url)
    advisors = {u.id: u for u in session.scalars(select(User).where(User.id.in_(list(firms))))}
    when = in_days_text((due - today).days)

    def item(firm: ReportingFirm, advisor_id: int) -> str:
        return todo_key(f"annual-report:{today.year}:{firm.credit_code}", advisor_id)

    quiet = suppressed(session, [item(f, a) for a, per in firms.items() for f in per], today)
    links: list[tuple[str, int]] = []
    for advisor_id, all_firms in firms.items():
        advisor_firms = [f for f in all_firms if item(f, advisor_id) not in quiet]
        if not advisor_firms:
            counts["settled_in_todos"] += 1
            continue
        result = enqueue(
            session, dedup_key=f"{JOB}:{today.year}:{offset}:{advisor_id}",
            recipient=advisors[advisor_id],
            subject=f"【高企年报提醒】{today.year}年度发展情况报表{when}截止（5月31日）："
                    f"{len(advisor_firms)}家企业",
            template="annual_report",
            context={"due": due, "when": when, "firms": advisor_firms, "year": today.year},
            job=JOB, now=now, settings=settings.compose,
        )
        counts[result.outcome] += 1
        if result.message_id is not None:
            links += [(item(f, advisor_id), result.message_id) for f in advisor_firms]
    link_mails(session, links)
    return dict(counts)
