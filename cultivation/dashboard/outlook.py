"""What is coming for the firms on the dashboard (工作台): 高企 candidates with what they miss,
certificates to re-apply for, application windows opening.

Read side only; each panel is one query. An advisor sees their current portfolio; an admin or
leader the whole county. The dashboard view renders ``dashboard/_outlook.html`` with
``outlook_context``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import case, func, or_, select

from cultivation.accounts.access import VisibleScope
from cultivation.database import DbSession
from cultivation.qualifications.models import QUALIFICATION_KINDS, Qualification
from cultivation.reminders.expiry import REMIND_DAYS, expiring_statement
from cultivation.screening.listing import candidates
from cultivation.screening.queries import CANDIDATE_OUTCOMES, CandidateFilters
from cultivation.windows.models import ApplicationWindow
from cultivation.windows.queries import windows_around

CANDIDATE_LIMIT = 8
EXPIRY_HORIZON_DAYS = 120  # act-by dates (window closing or expiry) this close are shown
EXPIRY_LIMIT = 8
WINDOW_AHEAD_DAYS = 60


@dataclass(frozen=True)
class Candidate:
    """A 高企 candidate of the latest screening run and the criteria it still misses."""

    name: str
    credit_code: str
    outcome: str
    is_new: bool
    score_min: float | None
    score_max: float | None
    shortfalls: list[tuple[str, str]]  # (criterion label, gap text)
    application: str = "first"  # first | renewal
    certificate_valid_to: date | None = None
    main_gap: str = ""


@dataclass(frozen=True)
class Renewal:
    """A certificate that lapses soon, and the date by which the firm must re-apply."""

    name: str
    credit_code: str
    kind_label: str
    valid_to: date
    act_by: date
    by_window: bool
    days_left: int


@dataclass(frozen=True)
class Outlook:
    """Everything ``dashboard/_outlook.html`` shows."""

    candidates: list[Candidate]
    candidate_total: int
    by_application: dict[str, int]  # candidates per 首次申报 / 重新认定
    new_total: int
    screened_on: date | None
    renewals: list[Renewal]
    renewal_total: int
    windows: list[ApplicationWindow]


def hnte_candidates(session: DbSession, advisor_id: int | None
                    ) -> tuple[list[Candidate], int, int, date | None, dict[str, int]]:
    """The best-placed 高企 candidates of the latest run, their count, how many are new and
    the split first application / renewal (the 培育库's tabs, same query)."""
    result = candidates(session, CandidateFilters(rules="hnte", portfolio_of=advisor_id,
                                                  candidates_only=True),
                        scope=VisibleScope(advisor_id), page=1, per_page=CANDIDATE_LIMIT)
    rows = [Candidate(r.name, r.credit_code, r.outcome, r.is_new, r.score_min, r.score_max,
                      [(c.get("label", ""), c.get("gap") or "未达标") for c in r.shortfalls[:2]],
                      r.application, r.certificate_valid_to, r.main_gap)
            for r in result.rows]
    total = sum(result.outcome_counts.get(o, 0) for o in CANDIDATE_OUTCOMES)
    screened_on = result.run.as_of if result.run is not None else None
    return rows, total, result.new, screened_on, result.application_candidates


def renewals(session: DbSession, advisor_id: int | None, today: date) -> tuple[list[Renewal], int]:
    """Certificates whose re-application deadline (or expiry) falls within the horizon: the
    first ``EXPIRY_LIMIT`` and how many there are (one query returning at most that many
    rows, the count as a window over the same rows)."""
    horizon = today + timedelta(days=EXPIRY_HORIZON_DAYS)
    # Due by the horizon means expiring by then or a window of its programme closing by then.
    closing = select(ApplicationWindow.programme).where(ApplicationWindow.closes_on >= today,
                                                        ApplicationWindow.closes_on <= horizon)
    rows = (expiring_statement(today, max(REMIND_DAYS) + 400, advisor_id=advisor_id)
            .where(or_(Qualification.valid_to <= horizon, Qualification.kind.in_(closing)))
            .order_by(None).subquery("expiring"))
    act_by = func.coalesce(rows.c.deadline, rows.c.valid_to)
    first = session.execute(
        select(rows.c.kind, rows.c.valid_to, rows.c.deadline, rows.c.name, rows.c.credit_code,
               func.count().over().label("total"))
        .where(act_by <= horizon)
        .order_by(act_by, case((rows.c.kind == "hnte", 0), else_=1), rows.c.name, rows.c.id)
        .limit(EXPIRY_LIMIT))
    out, total = [], 0
    for kind, valid_to, deadline, firm, code, count in first:
        total = count
        act = deadline or valid_to
        out.append(Renewal(firm, code, QUALIFICATION_KINDS.get(kind, kind), valid_to, act,
                           deadline is not None, (act - today).days))
    return out, int(total)


CandidatePanel = tuple[list[Candidate], int, int, date | None, dict[str, int]]


def outlook_context(session: DbSession, user: Any, today: date,
                    county_renewals: tuple[list[Renewal], int] | None = None,
                    county_candidates: CandidatePanel | None = None) -> dict[str, Outlook]:
    """Template context for ``dashboard/_outlook.html``: ``{"outlook": Outlook}``;
    ``county_renewals`` and ``county_candidates`` are today's cached county figures (used for
    a county-wide user)."""
    advisor_id = None if user.sees_everything else user.id
    rows, total, new, screened_on, split = (
        county_candidates if county_candidates is not None and advisor_id is None
        else hnte_candidates(session, advisor_id))
    due, due_total = (county_renewals if county_renewals is not None and advisor_id is None
                      else renewals(session, advisor_id, today))
    windows = list(session.scalars(windows_around(today, back_days=0,
                                                  ahead_days=WINDOW_AHEAD_DAYS)))
    return {"outlook": Outlook(rows, total, split, new, screened_on, due, due_total, windows)}
