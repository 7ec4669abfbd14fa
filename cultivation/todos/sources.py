"""Where 待办 items come from: the same sources as the reminder jobs, one query per source.

Each source returns ``Found``: the items that should exist (``wanted``) and the keys still live
(an open item whose key is not live any more is resolved). For most sources both are the same;
new candidates are wanted only when new in the latest screening but stay live while the firm is
still a candidate. Links are app-relative.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.portfolios.queries import current_assignment_join
from cultivation.qualifications.models import QUALIFICATION_KINDS
from cultivation.reminders.annual_report import REMIND_DAYS as REPORT_DAYS
from cultivation.reminders.annual_report import annual_report_due, reporting_firms
from cultivation.reminders.expiry import REMIND_DAYS as EXPIRY_DAYS
from cultivation.reminders.expiry import expiring_rows
from cultivation.reminders.windows import EDGE_LABELS, candidates_by_advisor
from cultivation.screening.models import Evaluation
from cultivation.screening.queries import is_candidate, latest_run
from cultivation.screening.runs import in_run
from cultivation.todos.records import Wanted
from cultivation.visits.models import Visit
from cultivation.vocabulary import RULES_LABELS
from cultivation.windows.models import DEFAULT_REMIND_DAYS, PROGRAMME_RULES, ApplicationWindow

FOLLOWUP_AHEAD_DAYS = 7  # a follow-up shows a week before its date
FOLLOWUP_LOOKBACK_DAYS = 90  # older open follow-ups are left to the firm page


@dataclass
class Found:
    wanted: list[Wanted] = field(default_factory=list)
    live: set[str] | None = None  # None: the wanted keys

    def live_keys(self) -> set[str]:
        return self.live if self.live is not None else {w.key for w in self.wanted}


def _firm_link(code: str) -> str:
    return f"/enterprises/{code}"


def followups(session: DbSession, today: date) -> Found:
    """Open 走访 follow-ups dated up to a week ahead, for the firm's advisor (or the visitor)."""
    recipient = func.coalesce(PortfolioAssignment.advisor_id, Visit.advisor_id)
    rows = session.execute(
        select(Visit.id, Visit.next_follow_up_on, Enterprise.id, Enterprise.name,
               Enterprise.credit_code, recipient)
        .join(Enterprise, Enterprise.id == Visit.enterprise_id)
        .outerjoin(PortfolioAssignment, current_assignment_join())
        .where(Visit.follow_up_done.is_(False),
               Visit.next_follow_up_on <= today + timedelta(days=FOLLOWUP_AHEAD_DAYS),
               Visit.next_follow_up_on >= today - timedelta(days=FOLLOWUP_LOOKBACK_DAYS),
               Enterprise.deleted_at.is_(None), recipient.is_not(None)))
    return Found([
        Wanted(f"followup:{visit_id}:{day.isoformat()}", user_id, "followup",
               f"走访跟进：{name}", day, _firm_link(code), firm_id)
        for visit_id, day, firm_id, name, code, user_id in rows if day is not None])


def _firm_ids(session: DbSession, codes: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    return {code: firm_id for firm_id, code in session.execute(
        select(Enterprise.id, Enterprise.credit_code).where(Enterprise.credit_code.in_(wanted)))}


def expiry(session: DbSession, today: date) -> Found:
    """Certificates whose deadline (last window before expiry, or the expiry) is within the
    first reminder's distance — the expiry job's rows."""
    horizon = max(EXPIRY_DAYS)
    rows = [r for r in expiring_rows(session, today, horizon + 400)
            if today <= (r[4] or r[3]) <= today + timedelta(days=horizon)]
    ids = _firm_ids(session, (r[6] for r in rows))
    return Found([
        Wanted(f"expiry:{qid}:{(deadline or valid_to).isoformat()}", advisor_id, "expiry",
               f"{QUALIFICATION_KINDS.get(kind, kind)}到期需重新申报：{firm}",
               deadline or valid_to, _firm_link(code), ids.get(code))
        for qid, kind, _number, valid_to, deadline, firm, code, advisor_id in rows])


def annual_reports(session: DbSession, today: date) -> Found:
    """高企 that must file the annual report by 31 May, from the first reminder day on."""
    due = annual_report_due(today.year)
    if not due - timedelta(days=max(REPORT_DAYS)) <= today <= due:
        return Found()
    firms = reporting_firms(session, today)
    ids = _firm_ids(session, (f.credit_code for per in firms.values() for f in per))
    return Found([
        Wanted(f"annual-report:{today.year}:{f.credit_code}", advisor_id, "annual_report",
               f"高企年报（{today.year - 1}年度）填报：{f.name}", due, _firm_link(f.credit_code),
               ids.get(f.credit_code))
        for advisor_id, per in firms.items() for f in per])


def windows(session: DbSession, today: date) -> Found:
    """A window opening or closing within its first reminder's distance, for each advisor with
    candidates for its programme (one item per advisor and window edge)."""
    ahead = max(DEFAULT_REMIND_DAYS)
    found = list(session.scalars(select(ApplicationWindow).where(
        ApplicationWindow.closes_on >= today,
        ApplicationWindow.programme.in_(list(PROGRAMME_RULES)))))
    edges = []
    for window in found:
        reach = max(window.remind_days or [ahead])
        for edge, day in (("open", window.opens_on), ("close", window.closes_on)):
            if today <= day <= today + timedelta(days=reach):
                edges.append((window, edge, day))
    rules = {PROGRAMME_RULES[w.programme] for w, _, _ in edges}
    candidates = candidates_by_advisor(session, rules, today)
    wanted = []
    for window, edge, day in edges:
        for advisor_id, firms in candidates.get(PROGRAMME_RULES[window.programme], {}).items():
            wanted.append(Wanted(
                f"window:{window.id}:{edge}:{day.isoformat()}", advisor_id, "window",
                f"{window.programme_label}（{window.year}年{window.batch}）{EDGE_LABELS[edge]}："
                f"{len(firms)}家联系企业可申报", day,
                f"/screening/candidates?rules={PROGRAMME_RULES[window.programme]}"))
    return Found(wanted)


def new_candidates(session: DbSession, today: date) -> Found:
    """Firms of an advisor that became candidates in the latest screening run (not candidates
    in the run it was compared with); the item stays while the firm is still a candidate."""
    run = latest_run(session, today)
    if run is None:
        return Found(live=set())
    previous = aliased(Evaluation)
    was = select(previous.id).where(
        in_run(previous, run.previous_run_id), previous.rules == Evaluation.rules,
        previous.enterprise_id == Evaluation.enterprise_id,
        is_candidate(previous)).exists()
    rows = session.execute(
        select(Evaluation.rules, Enterprise.id, Enterprise.name, Enterprise.credit_code,
               PortfolioAssignment.advisor_id, ~was)
        .join(Enterprise, Enterprise.id == Evaluation.enterprise_id)
        .join(PortfolioAssignment, current_assignment_join())
        .where(in_run(Evaluation, run), is_candidate(Evaluation),
               Enterprise.deleted_at.is_(None)))
    wanted, live = [], set()
    for rules, firm_id, name, code, advisor_id, is_new in rows:
        item = Wanted(f"candidate:{rules}:{firm_id}", advisor_id, "candidate",
                      f"新进入培育库（{RULES_LABELS.get(rules, rules)}）：{name}",
                      run.as_of, _firm_link(code), firm_id)
        live.add(item.key)
        if is_new and run.previous_run_id is not None:
            wanted.append(item)
    return Found(wanted, live)
