"""The ``followups`` job: visits whose follow-up date has come, reported once to the firm's
current advisor (or the visiting advisor when the firm has none). Item key:
``followup:<visit>:<follow-up date>`` — moving the date makes a new reminder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from cultivation.clock import local_date
from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.portfolios.queries import current_assignment_join
from cultivation.reminders.digest import Item, send_item_digests
from cultivation.settings import ReminderSettings
from cultivation.todos.records import todo_key
from cultivation.visits.models import Visit

JOB = "followups"
LOOKBACK_DAYS = 30  # older overdue follow-ups are not mailed again after long downtime


@dataclass(frozen=True)
class FollowUp:
    visit_id: int
    firm: str
    credit_code: str
    url: str
    visited_on: date | None  # None: a planned 走访 (no visit yet)
    follow_up_on: date
    overdue_days: int
    notes: str


def due_followups(session: DbSession, today: date, *, base_url: str = "") -> list[Item]:
    """Open follow-ups dated today or in the last ``LOOKBACK_DAYS`` days — one query; firm links
    start with ``base_url``."""
    recipient = func.coalesce(PortfolioAssignment.advisor_id, Visit.advisor_id)
    stmt = (
        select(Visit.id, Visit.visited_on, Visit.next_follow_up_on, Visit.notes, Enterprise.name,
               Enterprise.credit_code, recipient)
        .join(Enterprise, Enterprise.id == Visit.enterprise_id)
        .outerjoin(PortfolioAssignment, current_assignment_join())
        .where(Visit.follow_up_done.is_(False), Visit.next_follow_up_on <= today,
               Visit.next_follow_up_on >= today - timedelta(days=LOOKBACK_DAYS),
               Enterprise.deleted_at.is_(None), recipient.is_not(None))
        .order_by(Visit.next_follow_up_on, Enterprise.name)
    )
    root = base_url
    items = []
    for visit_id, visited_on, follow_up_on, notes, name, code, user_id in session.execute(stmt):
        if follow_up_on is None:  # excluded by the query; narrows the type
            continue
        items.append(Item(
            key=f"followup:{visit_id}:{follow_up_on.isoformat()}", user_id=user_id,
            data=FollowUp(visit_id, name, code, f"{root}/enterprises/{code}", visited_on,
                          follow_up_on, (today - follow_up_on).days,
                          (notes or "")[:200]),
            todo=todo_key(f"followup:{visit_id}:{follow_up_on.isoformat()}", user_id),
        ))
    return items


def send_followup_reminders(session: DbSession, now: datetime, settings: ReminderSettings
                            ) -> dict[str, int]:
    """Queue follow-up digests for follow-ups that came due (job body)."""
    today = local_date(now, settings.timezone)
    return send_item_digests(
        session, due_followups(session, today, base_url=settings.base_url), job=JOB,
        template="followups",
        subject=lambda batch: f"【走访跟进提醒】{len(batch)}项走访跟进已到期",
        context={"today": today}, now=now, settings=settings,
    )
