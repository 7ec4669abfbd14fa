"""Flows between tiers, cohorts and time in tier, from the tier changes of ``intervals``.

Each report is a statement over the changes CTE; ``flows_report`` runs all three as one
UNION ALL so the page evaluates the interval chain once (a CTE used three times is materialised
by SQLite and PostgreSQL alike).
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.selectable import CTE

from cultivation.database import DbSession
from cultivation.qualifications.tiers import TIER_LABELS, TIER_RANK, TIERS
from cultivation.reports.dates import days_between
from cultivation.reports.filters import ReportFilters
from cultivation.reports.intervals import tier_changes, year_of

LADDER = TIERS[1:]  # startup … leading
REASONS = {"up": "升级", "lapsed": "到期失效", "revoked": "撤销"}


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


# -- statements over the changes CTE: columns a–f (integers), x (float), reason (text) --------

def _flows_stmt(changes: CTE) -> Select[Any]:
    reason = changes.c.entered_by
    year = year_of(changes.c.p)
    return (
        select(year.label("a"), changes.c.prev_rank.label("b"), changes.c.rank.label("c"),
               func.count().label("d"), _int("e"), _int("f"), _float(), reason.label("reason"))
        .group_by(year, changes.c.prev_rank, changes.c.rank, reason)
    )


def _cohorts_stmt(changes: CTE) -> Select[Any]:
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
    entry_year, high_year = year_of(firsts.c.entry), year_of(firsts.c.high)
    within = [
        func.sum(case((and_(firsts.c.high.is_not(None), high_year - entry_year <= n), 1),
                      else_=0))
        for n in (1, 2, 3)
    ]
    return (
        select(entry_year.label("a"), func.count().label("b"), within[0].label("c"),
               within[1].label("d"), within[2].label("e"),
               func.sum(case((firsts.c.high.is_not(None), 1), else_=0)).label("f"),
               _float(), _text())
        .where(firsts.c.entry.is_not(None),
               or_(firsts.c.high.is_(None), firsts.c.high > firsts.c.entry))
        .group_by(entry_year)
    )


def _time_stmt(changes: CTE, as_of: date) -> Select[Any]:
    # A stay ends where the firm's next span begins, a drop to "none" included; it is complete
    # when that happened by ``as_of``.
    done = case((changes.c.valid_to < as_of, 1), else_=0)
    lengths = select(
        changes.c.rank, done.label("done"),
        (days_between(changes.c.valid_to, changes.c.p) + 1).label("d"),
    ).where(changes.c.rank > 0).cte("lengths")
    ranked = select(
        lengths.c.rank, lengths.c.done, lengths.c.d,
        func.row_number().over(partition_by=(lengths.c.rank, lengths.c.done),
                               order_by=lengths.c.d).label("rn"),
        func.count().over(partition_by=(lengths.c.rank, lengths.c.done)).label("cnt"),
    ).cte("ranked")
    middle = and_(ranked.c.done == 1, or_(ranked.c.rn == (ranked.c.cnt + 1) // 2,
                                          ranked.c.rn == (ranked.c.cnt + 2) // 2))
    return (
        select(ranked.c.rank.label("a"),
               func.max(case((ranked.c.done == 1, ranked.c.cnt), else_=0)).label("b"),
               func.sum(case((ranked.c.done == 0, 1), else_=0)).label("c"),
               _int("d"), _int("e"), _int("f"),
               cast(func.avg(case((middle, ranked.c.d))), Float).label("x"), _text())
        .group_by(ranked.c.rank)
    )


def _int(name: str) -> Any:
    return cast(null(), Integer).label(name)


def _float() -> Any:
    return cast(null(), Float).label("x")


def _text() -> Any:
    return cast(null(), String).label("reason")


# -- row parsers ------------------------------------------------------------------------------

def _flows(rows: list[Any]) -> list[YearFlows]:
    years: dict[int, YearFlows] = {}
    for row in rows:
        y, prev, rank, n, why = int(row.a), int(row.b), int(row.c), int(row.d), row.reason
        flows = years.setdefault(y, YearFlows(y))
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


def _cohorts(rows: list[Any], as_of: date) -> list[Cohort]:
    out = []
    for row in sorted(rows, key=lambda r: int(r.a)):
        y = int(row.a)
        out.append(Cohort(
            year=y, size=int(row.b), reached=(int(row.c), int(row.d), int(row.e)),
            reached_ever=int(row.f),
            complete=(date(y + 1, 12, 31) <= as_of, date(y + 2, 12, 31) <= as_of,
                      date(y + 3, 12, 31) <= as_of),
        ))
    return out


def _times(rows: list[Any]) -> list[TimeInTier]:
    found = {int(r.a): r for r in rows}
    out = []
    for rank, tier in enumerate(TIERS):
        if rank == 0:
            continue
        row = found.get(rank)
        median = None if row is None or row.x is None else float(row.x)
        out.append(TimeInTier(tier, int(row.b) if row else 0, median,
                              int(row.c) if row else 0))
    return out


# -- public functions -------------------------------------------------------------------------

def flows_by_year(session: DbSession, as_of: date,
                  filters: ReportFilters | None = None) -> list[YearFlows]:
    """Entries into and exits from each tier per year, up to ``as_of`` (one query)."""
    return _flows(list(session.execute(_flows_stmt(tier_changes(as_of, filters)))))


def cohorts(session: DbSession, as_of: date, filters: ReportFilters | None = None) -> list[Cohort]:
    """Cohorts by year of first entering 科技型中小; "within N years" compares calendar years
    (lists and certificates are annual), counting only 高企 reached after that entry."""
    return _cohorts(list(session.execute(_cohorts_stmt(tier_changes(as_of, filters)))), as_of)


def time_in_tier(session: DbSession, as_of: date,
                 filters: ReportFilters | None = None) -> list[TimeInTier]:
    """Median length of completed stays per tier (portable median by window functions)."""
    return _times(list(session.execute(_time_stmt(tier_changes(as_of, filters), as_of))))


@dataclass(frozen=True)
class FlowsReport:
    """Everything the flows page shows."""

    flows: list[YearFlows]
    cohorts: list[Cohort]
    times: list[TimeInTier]


FLOW_ROW = namedtuple("FLOW_ROW", "a b c d e f x reason part")  # noqa: PYI024


def flows_rows(session: DbSession, as_of: date,
               filters: ReportFilters | None = None) -> list[tuple[Any, ...]]:
    """The rows of the flows page's one statement (flows, cohorts and time in tier: the
    interval chain runs once), as plain tuples (the dashboard figures cache them)."""
    changes = tier_changes(as_of, filters)
    parts = {"flows": _flows_stmt(changes), "cohorts": _cohorts_stmt(changes),
             "times": _time_stmt(changes, as_of)}
    stmt = union_all(*[s.add_columns(cast(literal(name), String).label("part"))
                       for name, s in parts.items()])
    return [tuple(row) for row in session.execute(stmt)]


def flows_from_rows(rows: list[Any], as_of: date) -> FlowsReport:
    """The report from ``flows_rows``' rows."""
    by_part: dict[str, list[Any]] = {"flows": [], "cohorts": [], "times": []}
    for row in rows:
        flow_row = FLOW_ROW(*row)
        by_part[flow_row.part].append(flow_row)
    return FlowsReport(_flows(by_part["flows"]), _cohorts(by_part["cohorts"], as_of),
                       _times(by_part["times"]))


def flows_report(session: DbSession, as_of: date,
                 filters: ReportFilters | None = None) -> FlowsReport:
    """Flows, cohorts and time in tier in one statement (the interval chain runs once)."""
    return flows_from_rows(flows_rows(session, as_of, filters), as_of)


def flow_chart(flows: list[YearFlows]) -> dict[str, Any]:
    """Chart data: years, and per tier the entries (positive) and exits (negative)."""
    return {
        "years": [str(y.year) for y in flows],
        "tiers": [{"tier": t, "label": TIER_LABELS[t],
                   "in": [y.tiers[t].entered + y.tiers[t].fell_into for y in flows],
                   "out": [-y.tiers[t].left for y in flows]} for t in LADDER],
    }
