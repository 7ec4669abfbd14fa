"""The ``leader-digest`` job: once a month, the leaders' summary — firms by tier, candidates new
since a month ago, 三覆盖 and plan targets. Key: ``leader-digest:<YYYY-MM>:<leader>``."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import aliased

from cultivation.accounts.models import User
from cultivation.clock import local_date
from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.mail.services import enqueue
from cultivation.qualifications.tiers import TIER_LABELS
from cultivation.reports.indicators import as_of_label
from cultivation.reports.tiersql import tier_counts_on
from cultivation.screening.models import Evaluation
from cultivation.screening.queries import (
    OUTCOME_LABELS,
    RULES_LABELS,
    application_of,
    is_candidate,
    latest_run,
)
from cultivation.screening.runs import in_run
from cultivation.settings import ReminderSettings
from cultivation.todos.records import link_mails, todo_key

log = logging.getLogger(__name__)

JOB = "leader-digest"
NEW_LIST_LIMIT = 30


@dataclass
class LeaderSummary:
    today: date
    tiers: list[tuple[str, int]]
    # (rule label, candidates now, of which first applications, of which renewals)
    candidates: list[tuple[str, int, int, int]]
    new_candidates: list[dict[str, Any]]
    new_total: int
    compared_with: date | None
    coverage: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)


def candidate_changes(session: DbSession, today: date, *, base_url: str = ""
                      ) -> tuple[list[tuple[str, int, int, int]], list[dict[str, Any]], int,
                                 date | None]:
    """Candidates per rule set now, and those that were not candidates a month ago (firm links
    start with ``base_url``)."""
    now_run = latest_run(session, today)
    if now_run is None:
        return [], [], 0, None
    renewal = application_of(Evaluation) == "renewal"
    per_rules = session.execute(
        select(Evaluation.rules, func.count(Evaluation.id),
               func.sum(case((renewal, 1), else_=0)))
        .join(Enterprise, Enterprise.id == Evaluation.enterprise_id)
        .where(in_run(Evaluation, now_run), is_candidate(Evaluation),
               Enterprise.deleted_at.is_(None))
        .group_by(Evaluation.rules).order_by(Evaluation.rules)).all()
    before = latest_run(session, today - timedelta(days=30))
    before = before if before is not None and before.id != now_run.id else None
    old = aliased(Evaluation)
    was_candidate = exists().where(
        # No earlier run: compare with no run at all (-1), so every candidate is new.
        in_run(old, before), old.enterprise_id == Evaluation.enterprise_id,
        old.rules == Evaluation.rules, is_candidate(old))
    new_filter = and_(in_run(Evaluation, now_run), is_candidate(Evaluation),
                      ~was_candidate, Enterprise.deleted_at.is_(None))
    total = session.scalar(select(func.count(Evaluation.id))
                           .join(Enterprise, Enterprise.id == Evaluation.enterprise_id)
                           .where(new_filter)) or 0
    rows = session.execute(
        select(Evaluation.rules, Evaluation.outcome, Enterprise.name, Enterprise.credit_code)
        .join(Enterprise, Enterprise.id == Evaluation.enterprise_id).where(new_filter)
        .order_by(Evaluation.rules, Evaluation.outcome.desc(), Enterprise.name)
        .limit(NEW_LIST_LIMIT)).all()
    root = base_url
    new = [{"rules": RULES_LABELS.get(r, r), "outcome": OUTCOME_LABELS.get(o, o), "name": n,
            "url": f"{root}/enterprises/{c}"} for r, o, n, c in rows]
    return ([(RULES_LABELS.get(r, r), n, n - int(k or 0), int(k or 0)) for r, n, k in per_rules],
            new, total,
            before.as_of if before else None)


def _coverage(session: DbSession, today: date) -> list[dict[str, Any]]:
    try:
        from cultivation.reports.coverage import coverage_totals
        from cultivation.reports.models import COVERAGE_KINDS
    except ImportError:  # the reports package is optional for this digest
        return []
    totals = coverage_totals(session, today)  # counts only: no uncovered list
    return [{"label": COVERAGE_KINDS.get(kind, kind), "population": pop.population,
             "covered": pop.covered, "rate": pop.rate}
            for kind, pop in totals.items()]


def _targets(session: DbSession, today: date) -> list[dict[str, Any]]:
    try:
        from cultivation.targets.progress import current_plan, plan_progress
    except ImportError:
        return []
    plan = current_plan(session, today)
    if plan is None:
        return []
    rows = []
    for progress in plan_progress(session, plan, today):
        latest = progress.latest
        rows.append({"label": progress.indicator.label, "unit": progress.indicator.unit,
                     "target": progress.target, "year": latest[0] if latest else None,
                     "actual": latest[1].value if latest else None,
                     "actual_label": progress.latest_label,
                     "current": progress.current.value if progress.current else None,
                     "current_label": as_of_label(today),
                     "completion": progress.completion, "plan": plan.name})
    return rows


def leader_summary(session: DbSession, today: date, *, base_url: str = "") -> LeaderSummary:
    """Everything the leaders' monthly digest shows, as of ``today`` (links from ``base_url``)."""
    tiers = [(TIER_LABELS[t], n) for t, n in tier_counts_on(session, [today])[today].items()]
    per_rules, new, total, compared = candidate_changes(session, today, base_url=base_url)
    return LeaderSummary(today, tiers, per_rules, new, total, compared,
                         _coverage(session, today), _targets(session, today))


def send_leader_digest(session: DbSession, now: datetime, settings: ReminderSettings
                       ) -> dict[str, int]:
    """Queue this month's digest for every active leader (job body; once per month)."""
    today = local_date(now, settings.timezone)
    period = f"{today:%Y-%m}"
    leaders = list(session.scalars(select(User).where(User.role == "leader",
                                                      User.is_active_flag.is_(True))))
    counts: Counter[str] = Counter(leaders=len(leaders))
    if not leaders:
        return dict(counts)
    summary = leader_summary(session, today, base_url=settings.base_url)
    links: list[tuple[str, int]] = []
    for leader in leaders:
        result = enqueue(
            session, dedup_key=f"{JOB}:{period}:{leader.id}", recipient=leader,
            subject=f"【月度摘要】{today.year}年{today.month}月梯次培育情况",
            template="leader_digest", context={"s": summary}, job=JOB, now=now,
            settings=settings.compose,
        )
        counts[result.outcome] += 1
        if result.message_id is not None:
            links.append((todo_key(f"{JOB}:{period}", leader.id), result.message_id))
    link_mails(session, links)
    return dict(counts)
