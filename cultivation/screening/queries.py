"""Read side of screening: the 培育库 candidate list from the latest run, with new / dropped
flags against the run it was compared with, and a firm's stored verdicts. Never writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    false,
    func,
    literal_column,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from cultivation.accounts.access import VisibleScope
from cultivation.accounts.models import User
from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.qualifications.queries import enterprises_with_tier, tier_code
from cultivation.screening.models import Evaluation, ScreeningRun
from cultivation.screening.runs import in_run
from cultivation.vocabulary import APPLICATION_LABELS as APPLICATION_LABELS
from cultivation.vocabulary import CANDIDATE_CHANGES
from cultivation.vocabulary import OUTCOME_LABELS as OUTCOME_LABELS
from cultivation.vocabulary import RULES_LABELS as RULES_LABELS

CANDIDATE_OUTCOMES = ("eligible", "borderline")
OUTCOMES = ("eligible", "borderline", "incomplete", "ineligible")
SCREENED_RULES = ("hnte", "tech-sme", "zj-tech-sme")
CHANGES = CANDIDATE_CHANGES


def not_holder(evaluation: Any) -> ColumnElement[bool]:
    """The firm does not hold a certificate of the programme beyond the renewal horizon
    (screening.applications); runs before 0.2 stored no application and keep every firm."""
    return or_(evaluation.application.is_(None), evaluation.application != "holder")


def is_candidate(evaluation: Any) -> ColumnElement[bool]:
    """The one definition of a 培育库 candidate: eligible or borderline, and not a holder.
    ``evaluation`` is Evaluation or an alias of it."""
    return and_(evaluation.outcome.in_(CANDIDATE_OUTCOMES), not_holder(evaluation))


def application_of(evaluation: Any) -> ColumnElement[str]:
    """first | renewal (a run before 0.2 stored none: first). The default is inlined so that
    GROUP BY repeats the selected expression exactly (PostgreSQL compares the SQL text)."""
    return func.coalesce(evaluation.application, literal_column("'first'"))


@dataclass(frozen=True)
class CandidateFilters:
    """培育库 filters; empty strings mean "all"."""

    rules: str = "hnte"
    outcome: str = ""  # one of OUTCOMES
    advisor: str = ""  # username, or "none" for unassigned firms
    town: str = ""
    industry: str = ""
    change: str = ""  # "new" | "dropped"
    application: str = ""  # "first" | "renewal"
    candidates_only: bool = False  # only eligible and borderline (the API)
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
    tier: str = "none"
    application: str = "first"
    certificate_valid_to: date | None = None

    def _main(self) -> dict[str, Any] | None:
        """The main missing criterion: the first failed one, else the first undecided one."""
        items = self.shortfalls
        failed = [c for c in items if c.get("passed") is False]
        pool = failed or items
        return pool[0] if pool else None

    @property
    def main_gap(self) -> str:
        """The main missing criterion and its gap in words ("研发费用还差 67.5 万元");
        "" when every criterion is met."""
        main = self._main()
        if main is None:
            return ""
        gap = str(main.get("gap") or "")
        label = str(main.get("label") or main.get("id") or "")
        if not gap:
            return f"{label}未达标"
        return gap if label and gap.startswith(label[:2]) else f"{label}：{gap}"

    @property
    def other_shortfalls(self) -> list[dict[str, Any]]:
        """The criteria not passed besides the main one."""
        main = self._main()
        return [c for c in self.shortfalls if c is not main]

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
    application_counts: dict[str, int] = field(default_factory=dict)  # rows per tab
    application_candidates: dict[str, int] = field(default_factory=dict)  # 符合 + 临界 per tab


def latest_run_id(as_of: date | None = None) -> Any:
    """Scalar subquery: the id of the most recent run (by as_of, id), on or before ``as_of``."""
    stmt = select(ScreeningRun.id).order_by(ScreeningRun.as_of.desc(), ScreeningRun.id.desc())
    if as_of is not None:
        stmt = stmt.where(ScreeningRun.as_of <= as_of)
    return stmt.limit(1).scalar_subquery()


def latest_run(session: DbSession, as_of: date | None = None, *, finished: bool = False
               ) -> ScreeningRun | None:
    """The most recent run (by as_of, then id), on or before ``as_of`` when given; only
    finished runs when ``finished``."""
    stmt = select(ScreeningRun).order_by(ScreeningRun.as_of.desc(), ScreeningRun.id.desc())
    if as_of is not None:
        stmt = stmt.where(ScreeningRun.as_of <= as_of)
    if finished:
        stmt = stmt.where(ScreeningRun.finished_at.is_not(None))
    return session.scalar(stmt.limit(1))


def _base(run: ScreeningRun, filters: CandidateFilters, scope: VisibleScope
          ) -> tuple[Select[Any], ColumnElement[bool], ColumnElement[bool]]:
    """The filtered rows of ``run`` with the previous outcome and the new / dropped flags —
    of the firms whose details ``scope`` shows (a verdict comes from a firm's figures)."""
    previous = aliased(Evaluation)
    advisor = aliased(User)
    candidate = is_candidate(Evaluation)
    was_candidate = is_candidate(previous)
    is_new: ColumnElement[bool] = false()
    is_dropped: ColumnElement[bool] = false()
    if run.previous_run_id is not None:
        is_new = and_(candidate, or_(previous.id.is_(None), not_(was_candidate)))
        is_dropped = and_(not_(candidate), previous.id.is_not(None), was_candidate)
    ranks, rank_col = enterprises_with_tier(run.as_of)
    stmt = (
        select(Evaluation, Enterprise.name, Enterprise.credit_code, Enterprise.town,
               Enterprise.industry, advisor.username, advisor.display_name,
               previous.outcome.label("previous_outcome"),
               is_new.label("is_new"), is_dropped.label("is_dropped"),
               tier_code(rank_col).label("tier"))
        .join(Enterprise, Enterprise.id == Evaluation.enterprise_id)
        .outerjoin(ranks, ranks.c.enterprise_id == Enterprise.id)
        .outerjoin(previous, and_(in_run(previous, run.previous_run_id),
                                  previous.rules == Evaluation.rules,
                                  previous.enterprise_id == Evaluation.enterprise_id))
        .outerjoin(PortfolioAssignment, and_(PortfolioAssignment.enterprise_id == Enterprise.id,
                                             PortfolioAssignment.ended_on.is_(None)))
        .outerjoin(advisor, advisor.id == PortfolioAssignment.advisor_id)
        .where(in_run(Evaluation, run), Evaluation.rules == filters.rules,
               Enterprise.deleted_at.is_(None), not_holder(Evaluation),
               scope.details(Enterprise.id, owner=PortfolioAssignment.advisor_id))
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
    if filters.application in APPLICATION_LABELS:
        stmt = stmt.where(application_of(Evaluation) == filters.application)
    if filters.candidates_only:
        stmt = stmt.where(Evaluation.outcome.in_(CANDIDATE_OUTCOMES))
    return stmt, is_new, is_dropped  # type: ignore[return-value]


def candidates(
    session: DbSession, filters: CandidateFilters, *, scope: VisibleScope,
    run: ScreeningRun | None = None, page: int | None = None, per_page: int | None = None,
) -> CandidateList:
    """The ranked list from ``run`` (default: the latest): eligible → borderline → incomplete →
    ineligible, each by smallest total gap, then name. Three queries whatever the page size."""
    run = run or latest_run(session)
    if run is None:
        return CandidateList(None, [], 0)
    tabs = _base(run, replace(filters, application="", outcome=""), scope)[0].with_only_columns(
        application_of(Evaluation), func.count(),
        func.sum(case((is_candidate(Evaluation), 1), else_=0)))
    application_counts = dict.fromkeys(APPLICATION_LABELS, 0)
    application_candidates = dict.fromkeys(APPLICATION_LABELS, 0)
    for application, n, n_candidates in session.execute(
            tabs.group_by(application_of(Evaluation))):
        application_counts[application] = n
        application_candidates[application] = int(n_candidates or 0)
    stmt, is_new, is_dropped = _base(run, filters, scope)
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
    return CandidateList(run, rows, total, counts, new, dropped, application_counts,
                         application_candidates)


def _row(r: Any) -> CandidateRow:
    ev: Evaluation = r[0]
    return CandidateRow(
        enterprise_id=ev.enterprise_id, name=r.name, credit_code=r.credit_code, town=r.town,
        industry=r.industry, advisor_username=r.username, advisor_name=r.display_name,
        outcome=ev.outcome, previous_outcome=r.previous_outcome, score_min=ev.score_min,
        score_max=ev.score_max, total_gap=ev.total_gap, failed=list(ev.failed or []),
        details=ev.details or {}, is_new=bool(r.is_new), is_dropped=bool(r.is_dropped),
        tier=r.tier, application=ev.application if ev.application in APPLICATION_LABELS
        else "first", certificate_valid_to=ev.certificate_valid_to,
    )


def firm_evaluations(session: DbSession, firm_id: int) -> dict[str, Evaluation]:
    """A firm's stored verdicts from the latest run that screened it, by rule set (one query)."""
    last_run = (
        select(ScreeningRun.id).join(Evaluation, and_(
            Evaluation.enterprise_id == firm_id, in_run(Evaluation, ScreeningRun.id)))
        .order_by(ScreeningRun.as_of.desc(), ScreeningRun.id.desc()).limit(1).scalar_subquery()
    )
    stmt = select(Evaluation).where(Evaluation.enterprise_id == firm_id,
                                    in_run(Evaluation, last_run))
    return {ev.rules: ev for ev in session.scalars(stmt)}
