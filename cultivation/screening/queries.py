"""Read side of screening: the 培育库 candidate list from the latest run, with new / dropped
flags against the run it was compared with, and a firm's stored verdicts. Never writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, not_, or_, select
from sqlalchemy.orm import aliased

from cultivation.accounts.models import User
from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.screening.models import Evaluation, ScreeningRun
from cultivation.vocabulary import CANDIDATE_CHANGES
from cultivation.vocabulary import OUTCOME_LABELS as OUTCOME_LABELS
from cultivation.vocabulary import RULES_LABELS as RULES_LABELS

CANDIDATE_OUTCOMES = ("eligible", "borderline")
OUTCOMES = ("eligible", "borderline", "incomplete", "ineligible")
SCREENED_RULES = ("hnte", "tech-sme", "zj-tech-sme")
CHANGES = CANDIDATE_CHANGES


@dataclass(frozen=True)
class CandidateFilters:
    """培育库 filters; empty strings mean "all"."""

    rules: str = "hnte"
    outcome: str = ""  # one of OUTCOMES
    advisor: str = ""  # username, or "none" for unassigned firms
    town: str = ""
    industry: str = ""
    change: str = ""  # "new" | "dropped"
    portfolio_of: int | None = None  # an advisor's id: only their current portfolio


@dataclass(frozen=True)
class CandidateRow:
    """One firm's stored verdict in the run, with what it was in the previous run."""

    enterprise_id: int
    name: str
    credit_code: str
    town: str
    industry: str | None
    advisor_username: str | None
    advisor_name: str | None
    outcome: str
    previous_outcome: str | None
    score_min: float | None
    score_max: float | None
    total_gap: float | None
    failed: list[str]
    details: dict[str, Any]
    is_new: bool
    is_dropped: bool

    @property
    def shortfalls(self) -> list[dict[str, Any]]:
        """The stored criteria not passed (failed or undecided), in rule order."""
        return [c for c in self.details.get("criteria", []) if c.get("passed") is not True]


@dataclass(frozen=True)
class CandidateList:
    """One page of the list, the run it comes from, and counts under the same filters."""

    run: ScreeningRun | None
    rows: list[CandidateRow]
    total: int
    outcome_counts: dict[str, int] = field(default_factory=dict)
    new: int = 0
    dropped: int = 0


def latest_run_id(as_of: date | None = None) -> Any:
    """Scalar subquery: the id of the most recent run (by as_of, id), on or before ``as_of``."""
    stmt = select(ScreeningRun.id).order_by(ScreeningRun.as_of.desc(), ScreeningRun.id.desc())
    if as_of is not None:
        stmt = stmt.where(ScreeningRun.as_of <= as_of)
    return stmt.limit(1).scalar_subquery()


def latest_run(session: DbSession, as_of: date | None = None) -> ScreeningRun | None:
    """The most recent run (by as_of, then id), on or before ``as_of`` when given."""
    stmt = select(ScreeningRun).order_by(ScreeningRun.as_of.desc(), ScreeningRun.id.desc())
    if as_of is not None:
        stmt = stmt.where(ScreeningRun.as_of <= as_of)
    return session.scalar(stmt.limit(1))


def _base(run: ScreeningRun, filters: CandidateFilters
          ) -> tuple[Select[Any], ColumnElement[bool], ColumnElement[bool]]:
    """The filtered rows of ``run`` with the previous outcome and the new / dropped flags."""
    previous = aliased(Evaluation)
    advisor = aliased(User)
    is_candidate = Evaluation.outcome.in_(CANDIDATE_OUTCOMES)
    was_candidate = previous.outcome.in_(CANDIDATE_OUTCOMES)
    is_new: ColumnElement[bool] = false()
    is_dropped: ColumnElement[bool] = false()
    if run.previous_run_id is not None:
        is_new = and_(is_candidate, or_(previous.id.is_(None), not_(was_candidate)))
        is_dropped = and_(not_(is_candidate), previous.id.is_not(None), was_candidate)
    stmt = (
        select(Evaluation, Enterprise.name, Enterprise.credit_code, Enterprise.town,
               Enterprise.industry, advisor.username, advisor.display_name,
               previous.outcome.label("previous_outcome"),
               is_new.label("is_new"), is_dropped.label("is_dropped"))
        .join(Enterprise, Enterprise.id == Evaluation.enterprise_id)
        .outerjoin(previous, and_(previous.run_id == (run.previous_run_id or -1),
                                  previous.rules == Evaluation.rules,
                                  previous.enterprise_id == Evaluation.enterprise_id))
        .outerjoin(PortfolioAssignment, and_(PortfolioAssignment.enterprise_id == Enterprise.id,
                                             PortfolioAssignment.ended_on.is_(None)))
        .outerjoin(advisor, advisor.id == PortfolioAssignment.advisor_id)
        .where(Evaluation.run_id == run.id, Evaluation.rules == filters.rules,
               Enterprise.deleted_at.is_(None))
    )
    if filters.town:
        stmt = stmt.where(Enterprise.town == filters.town)
    if filters.industry:
        stmt = stmt.where(Enterprise.industry == filters.industry)
    if filters.advisor == "none":
        stmt = stmt.where(PortfolioAssignment.id.is_(None))
    elif filters.advisor:
        stmt = stmt.where(advisor.username == filters.advisor)
    if filters.portfolio_of is not None:
        stmt = stmt.where(PortfolioAssignment.advisor_id == filters.portfolio_of)
    if filters.change == "new":
        stmt = stmt.where(is_new)
    elif filters.change == "dropped":
        stmt = stmt.where(is_dropped)
    return stmt, is_new, is_dropped  # type: ignore[return-value]


def candidates(
    session: DbSession, filters: CandidateFilters, *, run: ScreeningRun | None = None,
    page: int | None = None, per_page: int | None = None,
) -> CandidateList:
    """The ranked list from ``run`` (default: the latest): eligible → borderline → incomplete →
    ineligible, each by smallest total gap, then name. Three queries whatever the page size."""
    run = run or latest_run(session)
    if run is None:
        return CandidateList(None, [], 0)
    stmt, is_new, is_dropped = _base(run, filters)
    counted = stmt.with_only_columns(
        Evaluation.outcome, func.count(), func.sum(case((is_new, 1), else_=0)),
        func.sum(case((is_dropped, 1), else_=0)),
    ).group_by(Evaluation.outcome)
    counts: dict[str, int] = dict.fromkeys(OUTCOMES, 0)
    new = dropped = 0
    for outcome, n, n_new, n_dropped in session.execute(counted):
        counts[outcome] = n
        new += int(n_new or 0)
        dropped += int(n_dropped or 0)
    if filters.outcome in OUTCOMES:
        stmt = stmt.where(Evaluation.outcome == filters.outcome)
    total = counts.get(filters.outcome, 0) if filters.outcome in OUTCOMES else sum(counts.values())
    rank = case(*[(Evaluation.outcome == o, i) for i, o in enumerate(OUTCOMES)],
                else_=len(OUTCOMES))
    order = (rank, Evaluation.total_gap, Enterprise.name, Enterprise.id)
    if page is not None and per_page is not None:
        # Rank and skip on narrow rows, then read the stored verdicts of this page only.
        ids = (stmt.with_only_columns(Evaluation.id).order_by(*order).limit(per_page)
               .offset((max(page, 1) - 1) * per_page).subquery("page_ids"))
        stmt = stmt.join(ids, ids.c.id == Evaluation.id)
    rows = [_row(r) for r in session.execute(stmt.order_by(*order))]
    return CandidateList(run, rows, total, counts, new, dropped)


def _row(r: Any) -> CandidateRow:
    ev: Evaluation = r[0]
    return CandidateRow(
        enterprise_id=ev.enterprise_id, name=r.name, credit_code=r.credit_code, town=r.town,
        industry=r.industry, advisor_username=r.username, advisor_name=r.display_name,
        outcome=ev.outcome, previous_outcome=r.previous_outcome, score_min=ev.score_min,
        score_max=ev.score_max, total_gap=ev.total_gap, failed=list(ev.failed or []),
        details=ev.details or {}, is_new=bool(r.is_new), is_dropped=bool(r.is_dropped),
    )


def firm_evaluations(session: DbSession, firm_id: int) -> dict[str, Evaluation]:
    """A firm's stored verdicts from the latest run that evaluated it, by rule set (one query)."""
    last_run = (
        select(Evaluation.run_id).join(ScreeningRun, ScreeningRun.id == Evaluation.run_id)
        .where(Evaluation.enterprise_id == firm_id)
        .order_by(ScreeningRun.as_of.desc(), ScreeningRun.id.desc()).limit(1).scalar_subquery()
    )
    stmt = select(Evaluation).where(Evaluation.enterprise_id == firm_id,
                                    Evaluation.run_id == last_run)
    return {ev.rules: ev for ev in session.scalars(stmt)}
