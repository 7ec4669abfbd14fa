"""Read side of screening: the 培育库 candidate list from the latest run, with new / dropped
flags against the run it was compared with, and a firm's stored verdicts. Never writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    false,
    func,
    literal,
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
from cultivation.keyset import Cursor
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
    page: int = 1
    next_cursor: Cursor | None = None  # keyset cursors of the pages around (screening.listing)
    previous_cursor: Cursor | None = None


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


def base_rows(run: ScreeningRun, filters: CandidateFilters, scope: VisibleScope, *,
              deleted: bool = False, tier: bool = True, every_rules: tuple[str, ...] = ()
              ) -> tuple[Select[Any], ColumnElement[bool], ColumnElement[bool]]:
    """The filtered rows of ``run`` with the previous outcome and the new / dropped flags —
    of the firms whose details ``scope`` shows (a verdict comes from a firm's figures).
    ``deleted``: the rows of firms deleted since (to take off counts stored with the run);
    ``tier=False`` leaves out the firm's tier (a subquery over the spans); ``every_rules``:
    the rows of these rule sets instead of ``filters.rules``."""
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
               tier_code(rank_col).label("tier") if tier else literal("none").label("tier"))
        .join(Enterprise, Enterprise.id == Evaluation.enterprise_id)
        .outerjoin(previous, and_(in_run(previous, run.previous_run_id),
                                  previous.rules == Evaluation.rules,
                                  previous.enterprise_id == Evaluation.enterprise_id))
        .outerjoin(PortfolioAssignment, and_(PortfolioAssignment.enterprise_id == Enterprise.id,
                                             PortfolioAssignment.ended_on.is_(None)))
        .outerjoin(advisor, advisor.id == PortfolioAssignment.advisor_id)
        .where(in_run(Evaluation, run),
               Evaluation.rules.in_(every_rules) if every_rules
               else Evaluation.rules == filters.rules,
               Enterprise.deleted_at.is_not(None) if deleted else Enterprise.deleted_at.is_(None),
               not_holder(Evaluation),
               scope.details(Enterprise.id, owner=PortfolioAssignment.advisor_id))
    )
    if tier:
        stmt = stmt.outerjoin(ranks, ranks.c.enterprise_id == Enterprise.id)
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
