"""Flows between tiers, cohorts and time in tier — all from one chain of set-based CTEs.

Tier intervals in SQL: every date a tier qualification starts or stops counting is a change
point; the tier at each point is the highest rank in force then; ``lag`` over the points of a
firm finds the changes. A stop is the day after ``valid_to`` or the revocation date (the same
rule as ``qualifications.tiers.effective_end``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    case,
    extract,
    func,
    literal,
    or_,
    select,
    union,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.selectable import CTE

from cultivation.enterprises.models import Enterprise
from cultivation.qualifications.models import Qualification
from cultivation.qualifications.queries import kind_rank
from cultivation.qualifications.tiers import TIER_LABELS, TIER_RANK, TIERS
from cultivation.reports.dates import add_days, days_between
from cultivation.reports.filters import ReportFilters
from cultivation.reports.tiersql import TIER_KINDS, narrow

LADDER = TIERS[1:]  # startup … leading
REASONS = {"up": "升级", "lapsed": "到期失效", "revoked": "撤销"}


def tier_changes(as_of: date, filters: ReportFilters | None = None) -> CTE:
    """CTE (enterprise_id, p, rank, prev_rank, revoked_rank): every tier change up to ``as_of``."""
    filters = filters or ReportFilters()
    day = literal(as_of)
    stop_by_revocation = func.coalesce(Qualification.revoked_on, Qualification.valid_from)
    after_expiry = add_days(Qualification.valid_to, 1)
    revoked = Qualification.status == "revoked"
    lapse_on = case(
        (and_(revoked, or_(Qualification.valid_to.is_(None),
                           stop_by_revocation <= after_expiry)), stop_by_revocation),
        else_=after_expiry,
    )
    revoked_end = case(
        (and_(revoked, or_(Qualification.valid_to.is_(None),
                           stop_by_revocation <= after_expiry)), 1),
        else_=0,
    )
    base = (
        select(Qualification.enterprise_id.label("enterprise_id"), kind_rank().label("rank"),
               Qualification.valid_from.label("start"), lapse_on.label("lapse_on"),
               revoked_end.label("revoked_end"))
        .join(Enterprise, Enterprise.id == Qualification.enterprise_id)
        .where(Enterprise.deleted_at.is_(None), Qualification.kind.in_(TIER_KINDS))
    )
    quals = narrow(base, filters, day).cte("tier_quals")
    points = union(
        select(quals.c.enterprise_id, quals.c.start.label("p")).where(quals.c.start <= day),
        select(quals.c.enterprise_id, quals.c.lapse_on.label("p"))
        .where(quals.c.lapse_on.is_not(None), quals.c.lapse_on <= day),
    ).cte("tier_points")
    q = aliased(quals, name="q")
    holds = and_(q.c.start <= points.c.p, or_(q.c.lapse_on.is_(None), q.c.lapse_on > points.c.p))
    states = (
        select(
            points.c.enterprise_id, points.c.p,
            func.max(case((holds, q.c.rank), else_=0)).label("rank"),
            func.max(case((and_(q.c.revoked_end == 1, q.c.lapse_on == points.c.p), q.c.rank),
                          else_=0)).label("revoked_rank"),
        )
        .join(q, q.c.enterprise_id == points.c.enterprise_id)
        .group_by(points.c.enterprise_id, points.c.p)
        .cte("tier_states")
    )
    steps = select(
        states.c.enterprise_id, states.c.p, states.c.rank, states.c.revoked_rank,
        func.lag(states.c.rank, 1, 0).over(partition_by=states.c.enterprise_id,
                                           order_by=states.c.p).label("prev_rank"),
    ).cte("tier_steps")
    return (
        select(steps).where(steps.c.rank != steps.c.prev_rank).cte("tier_changes")
    )


def _year(col: ColumnElement[Any]) -> ColumnElement[int]:
    return extract("year", col).cast(Integer)


@dataclass
class TierFlow:
    """One tier in one year: firms entering it and leaving it, by how."""

    entered: int = 0  # from below (first entry or promotion)
    fell_into: int = 0  # from above (a higher qualification ended)
    left_up: int = 0
    left_lapsed: int = 0
    left_revoked: int = 0

    @property
    def left(self) -> int:
        return self.left_up + self.left_lapsed + self.left_revoked


@dataclass
class YearFlows:
    """All tier flows of one calendar year, and its regressions (moves down)."""

    year: int
    tiers: dict[str, TierFlow] = field(default_factory=lambda: {t: TierFlow() for t in LADDER})
    regressions: int = 0


def flows_by_year(session: Session, as_of: date,
                  filters: ReportFilters | None = None) -> list[YearFlows]:
    """Entries into and exits from each tier per year, up to ``as_of`` (one query)."""
    changes = tier_changes(as_of, filters)
    reason = case(
        (changes.c.rank > changes.c.prev_rank, literal("up")),
        (changes.c.revoked_rank == changes.c.prev_rank, literal("revoked")),
        else_=literal("lapsed"),
    )
    year = _year(changes.c.p)
    stmt = (
        select(year.label("year"), changes.c.prev_rank, changes.c.rank, reason.label("reason"),
               func.count().label("n"))
        .group_by(year, changes.c.prev_rank, changes.c.rank, reason)
        .order_by(year)
    )
    years: dict[int, YearFlows] = {}
    for y, prev, rank, why, n in session.execute(stmt):
        flows = years.setdefault(int(y), YearFlows(int(y)))
        prev, rank, n = int(prev), int(rank), int(n)
        if rank > 0:
            into = flows.tiers[TIERS[rank]]
            if rank > prev:
                into.entered += n
            else:
                into.fell_into += n
        if prev > 0:
            out = flows.tiers[TIERS[prev]]
            if why == "up":
                out.left_up += n
            elif why == "revoked":
                out.left_revoked += n
            else:
                out.left_lapsed += n
        if rank < prev:
            flows.regressions += n
    return [years[y] for y in sorted(years)]


@dataclass(frozen=True)
class Cohort:
    """Firms first entering 科技型中小 in ``year`` and how many reached 高企 within N years."""

    year: int
    size: int
    reached: tuple[int, int, int]  # within 1, 2, 3 calendar years
    reached_ever: int
    complete: tuple[bool, bool, bool]  # whether year + N is over by the as-of date

    def share(self, n: int) -> float | None:
        return self.reached[n - 1] / self.size if self.size else None


def cohorts(session: Session, as_of: date, filters: ReportFilters | None = None) -> list[Cohort]:
    """Cohorts by year of first entering 科技型中小; "within N years" compares calendar years
    (lists and certificates are annual), counting only 高企 reached after that entry."""
    changes = tier_changes(as_of, filters)
    sme, hnte = TIER_RANK["tech_sme"], TIER_RANK["hnte"]
    firsts = (
        select(
            changes.c.enterprise_id,
            func.min(case((changes.c.rank == sme, changes.c.p))).label("entry"),
            func.min(case((changes.c.rank >= hnte, changes.c.p))).label("high"),
        )
        .group_by(changes.c.enterprise_id)
        .subquery("firsts")
    )
    entry_year, high_year = _year(firsts.c.entry), _year(firsts.c.high)
    within = [
        func.sum(case((and_(firsts.c.high.is_not(None), high_year - entry_year <= n), 1),
                      else_=0)).label(f"r{n}")
        for n in (1, 2, 3)
    ]
    stmt = (
        select(entry_year.label("year"), func.count().label("size"), *within,
               func.sum(case((firsts.c.high.is_not(None), 1), else_=0)).label("ever"))
        .where(firsts.c.entry.is_not(None),
               or_(firsts.c.high.is_(None), firsts.c.high > firsts.c.entry))
        .group_by(entry_year)
        .order_by(entry_year)
    )
    out = []
    for row in session.execute(stmt):
        y = int(row.year)
        out.append(Cohort(
            year=y, size=int(row.size), reached=(int(row.r1), int(row.r2), int(row.r3)),
            reached_ever=int(row.ever),
            complete=tuple(date(y + n, 12, 31) <= as_of for n in (1, 2, 3)),  # type: ignore[arg-type]
        ))
    return out


@dataclass(frozen=True)
class TimeInTier:
    """Median days spent in a tier over completed stays, and stays still running."""

    tier: str
    completed: int
    median_days: float | None
    ongoing: int

    @property
    def label(self) -> str:
        return TIER_LABELS[self.tier]

    @property
    def median_years(self) -> float | None:
        return None if self.median_days is None else self.median_days / 365.25


def time_in_tier(session: Session, as_of: date,
                 filters: ReportFilters | None = None) -> list[TimeInTier]:
    """Median length of completed stays per tier (portable median by window functions)."""
    changes = tier_changes(as_of, filters)
    # A stay ends at the firm's next change, a drop to "none" included.
    stays = select(
        changes.c.rank, changes.c.p.label("start"),
        func.lead(changes.c.p).over(partition_by=changes.c.enterprise_id,
                                    order_by=changes.c.p).label("stop"),
    ).cte("stays")
    done = select(stays.c.rank, days_between(stays.c.stop, stays.c.start).label("d")).where(
        stays.c.rank > 0, stays.c.stop.is_not(None)).cte("done")
    ranked = select(
        done.c.rank, done.c.d,
        func.row_number().over(partition_by=done.c.rank, order_by=done.c.d).label("rn"),
        func.count().over(partition_by=done.c.rank).label("cnt"),
    ).cte("ranked")
    median = (
        select(ranked.c.rank, func.avg(ranked.c.d).label("median"),
               func.max(ranked.c.cnt).label("completed"))
        .where(or_(ranked.c.rn == (ranked.c.cnt + 1) // 2, ranked.c.rn == (ranked.c.cnt + 2) // 2))
        .group_by(ranked.c.rank)
    )
    ongoing = (
        select(stays.c.rank, func.count().label("n"))
        .where(stays.c.rank > 0, stays.c.stop.is_(None))
        .group_by(stays.c.rank)
    )
    medians = {int(r.rank): (float(r.median), int(r.completed)) for r in session.execute(median)}
    running = {int(r.rank): int(r.n) for r in session.execute(ongoing)}
    return [
        TimeInTier(tier, medians.get(rank, (None, 0))[1], medians.get(rank, (None, 0))[0],
                   running.get(rank, 0))
        for rank, tier in enumerate(TIERS) if rank > 0
    ]


def flow_chart(flows: list[YearFlows]) -> dict[str, Any]:
    """Chart data: years, and per tier the entries (positive) and exits (negative)."""
    return {
        "years": [str(y.year) for y in flows],
        "tiers": [{"tier": t, "label": TIER_LABELS[t],
                   "in": [y.tiers[t].entered + y.tiers[t].fell_into for y in flows],
                   "out": [-y.tiers[t].left for y in flows]} for t in LADDER],
    }
