"""The ``expiry`` job: qualifications that lapse and must be earned again.

高企 certificates last 3 years and cannot be renewed: the firm re-applies as new, and must do so in
a batch that closes before the certificate ends. The deadline of a certificate is therefore the
last 高企 window closing on or before its expiry (or the expiry itself when no window is left);
科小 registrations (provincial and national) lapse at year end and are handled the same way with
their own programme's windows. The advisor gets a digest 90, 30 and 7 days before each deadline
(with catch-up), unless a newer qualification of the same kind is already recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import aliased

from cultivation.clock import local_date
from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.portfolios.queries import current_assignment_join
from cultivation.qualifications.models import QUALIFICATION_KINDS, Qualification
from cultivation.qualifications.queries import in_force_on
from cultivation.reminders.digest import Item, send_item_digests
from cultivation.reminders.due import due_offset
from cultivation.settings import ReminderSettings
from cultivation.todos.records import todo_key
from cultivation.windows.models import ApplicationWindow

JOB = "expiry"
EXPIRING_KINDS = ("hnte", "tech_sme", "zj_tech_sme")
REMIND_DAYS = (90, 30, 7)


@dataclass(frozen=True)
class Expiring:
    """A qualification that lapses, with the date by which to act."""

    qualification_id: int
    kind: str
    number: str | None
    valid_to: date
    deadline: date
    by_window: bool  # True: the deadline is a window's closing date
    firm: str
    credit_code: str
    url: str
    days_left: int

    @property
    def kind_label(self) -> str:
        return QUALIFICATION_KINDS.get(self.kind, self.kind)


# (qualification id, kind, number, valid_to, last window closing before it, firm, code, advisor)
ExpiringRow = tuple[int, str, str | None, date, date | None, str, str, int]


def expiring_statement(today: date, horizon_days: int, *,
                       advisor_id: int | None = None
                       ) -> Select[int, str, str | None, date | None, date, str, str, int]:
    """SELECT of ``ExpiringRow``: in-force qualifications of advisors' firms (of one advisor
    when given) ending within ``horizon_days`` without a newer one of the same kind (a
    per-firm index lookup: ``ix_qualifications_firm_kind_from``), with their deadline."""
    newer = aliased(Qualification)
    has_newer = exists().where(
        newer.enterprise_id == Qualification.enterprise_id, newer.kind == Qualification.kind,
        newer.valid_from > Qualification.valid_from, newer.status != "revoked",
    )
    last_window = (
        select(func.max(ApplicationWindow.closes_on))
        .where(ApplicationWindow.programme == Qualification.kind,
               ApplicationWindow.closes_on >= today,
               ApplicationWindow.closes_on <= Qualification.valid_to)
        .correlate(Qualification).scalar_subquery()
    )
    stmt = (
        select(Qualification.id, Qualification.kind, Qualification.number, Qualification.valid_to,
               last_window.label("deadline"), Enterprise.name, Enterprise.credit_code,
               PortfolioAssignment.advisor_id)
        .join(Enterprise, Enterprise.id == Qualification.enterprise_id)
        .join(PortfolioAssignment, current_assignment_join())
        .where(in_force_on(today), Qualification.kind.in_(EXPIRING_KINDS),
               Qualification.valid_to.is_not(None),
               Qualification.valid_to <= today + timedelta(days=horizon_days),
               ~has_newer, Enterprise.deleted_at.is_(None))
        .order_by(Qualification.valid_to, Enterprise.name)
    )
    if advisor_id is not None:
        stmt = stmt.where(PortfolioAssignment.advisor_id == advisor_id)
    return stmt


def expiring_rows(session: DbSession, today: date, horizon_days: int, *,
                  advisor_id: int | None = None) -> list[ExpiringRow]:
    """The rows of ``expiring_statement`` — one query."""
    stmt = expiring_statement(today, horizon_days, advisor_id=advisor_id)
    return [tuple(r) for r in session.execute(stmt)]  # type: ignore[misc]


def due_items(rows: list[ExpiringRow], today: date, catchup: int, *, base_url: str = ""
              ) -> list[Item]:
    """The rows whose deadline reminder is due today, as digest items (pure); firm links start
    with ``base_url``."""
    items = []
    root = base_url
    for qid, kind, number, valid_to, deadline, firm, code, advisor_id in rows:
        act_by = deadline or valid_to
        offset = due_offset(act_by, REMIND_DAYS, today, catchup)
        if offset is None:
            continue
        items.append(Item(
            key=f"expiry:{qid}:{act_by.isoformat()}:{offset}", user_id=advisor_id,
            data=Expiring(qid, kind, number, valid_to, act_by, deadline is not None, firm, code,
                          f"{root}/enterprises/{code}", (act_by - today).days),
            todo=todo_key(f"expiry:{qid}:{act_by.isoformat()}", advisor_id),
        ))
    return items


def send_expiry_reminders(session: DbSession, now: datetime, settings: ReminderSettings
                          ) -> dict[str, int]:
    """Queue today's expiry digests (job body)."""
    today = local_date(now, settings.timezone)
    catchup = settings.catchup_days
    # A deadline lies at most about a year before the expiry (windows recur yearly).
    rows = expiring_rows(session, today, max(REMIND_DAYS) + 400)
    items = due_items(rows, today, catchup, base_url=settings.base_url)
    return send_item_digests(
        session, items, job=JOB, template="expiry",
        subject=lambda batch: f"【资格到期提醒】您联系的{len(batch)}家企业需重新申报",
        context={"today": today}, now=now, settings=settings,
    )
