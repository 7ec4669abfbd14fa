"""三覆盖 coverage as of any date: populations, covered firms, uncovered lists, breakdowns.

A firm is in a population when it is live, registered by the date and: listed (listed); above
scale with a 高企 certificate in force (above_scale_hnte); above scale with tier 科技型中小 or
higher (above_scale_tech). It is covered when an institution of a covering kind (see
``coverage_rules.yaml``) is in force that day. The rules and result types are in
``coverage_types``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, select

from cultivation.accounts.access import VisibleScope
from cultivation.accounts.models import User
from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.reports.coverage_sql import (
    in_some_population,
    listed_rows,
    member_conditions,
    member_rows,
    summary_and_list,
    uncovered_firm,
)
from cultivation.reports.coverage_types import (
    KINDS,
    CoverageGroup,
    CoverageReport,
    CoverageRule,
    PopulationCoverage,
    UncoveredFirm,
    coverage_rules,
)
from cultivation.reports.tiersql import active_position_join, firm_exists_on

__all__ = ["KINDS", "CoverageGroup", "CoverageReport", "CoverageRule", "PopulationCoverage",
           "UncoveredFirm", "coverage_rules", "coverage_at", "coverage_by_advisor",
           "coverage_by_town", "coverage_totals", "coverage_with_groups", "uncovered_list"]


def _sums(member: dict[str, ColumnElement[bool]],
          covered: dict[str, ColumnElement[bool]]) -> list[Any]:
    cols: list[Any] = []
    for k in KINDS:
        cols.append(func.sum(case((member[k], 1), else_=0)).label(f"{k}_population"))
        cols.append(func.sum(case((covered[k], 1), else_=0)).label(f"{k}_covered"))
    return cols


def _groups(rows: Any, labels: dict[Any, str] | None = None) -> list[CoverageGroup]:
    groups = []
    for row in rows:
        key, values = row[0], row._mapping
        counts = {k: (int(values[f"{k}_population"] or 0), int(values[f"{k}_covered"] or 0))
                  for k in KINDS}
        if not any(p for p, _ in counts.values()):
            continue
        label = (labels or {}).get(key) or (str(key) if key is not None else "未分配")
        groups.append(CoverageGroup(None if key is None else str(key), label, counts))
    return groups


def coverage_totals(session: DbSession, as_of: date) -> dict[str, PopulationCoverage]:
    """Population and covered counts of the three kinds, without the lists (one query)."""
    tiers, inst, flags, member, covered = member_conditions(as_of)
    stmt = (
        select(*_sums(member, covered))
        .select_from(Enterprise)
        .outerjoin(flags, flags.c.enterprise_id == Enterprise.id)
        .outerjoin(tiers, tiers.c.enterprise_id == Enterprise.id)
        .outerjoin(inst, inst.c.enterprise_id == Enterprise.id)
        .where(firm_exists_on(literal(as_of)), in_some_population(flags))
    )
    row = session.execute(stmt).one()._mapping
    return {k: PopulationCoverage(k, int(row[f"{k}_population"] or 0),
                                  int(row[f"{k}_covered"] or 0)) for k in KINDS}


def coverage_by_town(session: DbSession, as_of: date) -> list[CoverageGroup]:
    """Population and covered counts per town (towns with no firm in any population omitted)."""
    tiers, inst, flags, member, covered = member_conditions(as_of)
    stmt = (
        select(Enterprise.town, *_sums(member, covered))
        .outerjoin(flags, flags.c.enterprise_id == Enterprise.id)
        .outerjoin(tiers, tiers.c.enterprise_id == Enterprise.id)
        .outerjoin(inst, inst.c.enterprise_id == Enterprise.id)
        .where(firm_exists_on(literal(as_of)), in_some_population(flags))
        .group_by(Enterprise.town)
        .order_by(Enterprise.town)
    )
    return _groups(session.execute(stmt).all())


def coverage_by_advisor(session: DbSession, as_of: date) -> list[CoverageGroup]:
    """Population and covered counts per advisor (portfolio on ``as_of``; None = unassigned)."""
    tiers, inst, flags, member, covered = member_conditions(as_of)
    stmt = (
        select(User.username, User.display_name, *_sums(member, covered))
        .select_from(Enterprise)
        .outerjoin(flags, flags.c.enterprise_id == Enterprise.id)
        .outerjoin(tiers, tiers.c.enterprise_id == Enterprise.id)
        .outerjoin(inst, inst.c.enterprise_id == Enterprise.id)
        .outerjoin(PortfolioAssignment, active_position_join(literal(as_of)))
        .outerjoin(User, User.id == PortfolioAssignment.advisor_id)
        .where(firm_exists_on(literal(as_of)), in_some_population(flags))
        .group_by(User.username, User.display_name)
        .order_by(User.display_name)
    )
    rows = session.execute(stmt).all()
    labels = {r.username: r.display_name for r in rows if r.username}
    return _groups(rows, labels)


def populations(sums: list[Any]) -> dict[str, PopulationCoverage]:
    """Counts of the three kinds added up over ``sum`` rows."""
    pops = {k: PopulationCoverage(k) for k in KINDS}
    for row in sums:
        values = row._mapping
        for k in KINDS:
            pops[k].population += int(values[f"m_{k}"] or 0)
            pops[k].covered += int(values[f"c_{k}"] or 0)
    return pops


def coverage_at(session: DbSession, as_of: date, *, scope: VisibleScope,
                advisors: bool = True) -> CoverageReport:
    """The three coverages at ``as_of`` (county counts) with the uncovered firms whose details
    ``scope`` shows, by town, name and credit code (one query: the counts in SQL, only the
    uncovered firms come back). Without ``advisors`` the firms carry none (the API's codes)."""
    members = member_rows(as_of, scope, advisors=advisors)
    result = session.execute(summary_and_list(members, [], listed_rows(members))).all()
    pops = populations([r for r in result if r.part == "sum"])
    for row in result:
        if row.part == "row":
            firm = uncovered_firm(row)
            for k in firm.gaps:
                pops[k].uncovered.append(firm)
    return CoverageReport(as_of, pops)


@dataclass(frozen=True)
class CoveragePage:
    """What the 三覆盖 page shows: county counts (``report``, its lists empty), the town and
    advisor breakdowns, one page of the uncovered list and the list's length."""

    report: CoverageReport
    towns: list[CoverageGroup]
    advisors: list[CoverageGroup]
    uncovered: list[UncoveredFirm]
    uncovered_total: int


def _breakdown(sums: list[Any], key: Any, label: Any) -> list[CoverageGroup]:
    counts: dict[Any, dict[str, list[int]]] = {}
    labels: dict[Any, str] = {}
    for r in sums:
        k = key(r)
        labels[k] = label(r)
        group = counts.setdefault(k, {kind: [0, 0] for kind in KINDS})
        for kind in KINDS:
            group[kind][0] += int(r._mapping[f"m_{kind}"] or 0)
            group[kind][1] += int(r._mapping[f"c_{kind}"] or 0)
    return [CoverageGroup(None if k is None else str(k), labels[k],
                          {kind: (v[0], v[1]) for kind, v in counts[k].items()})
            for k in counts]


def coverage_with_groups(session: DbSession, as_of: date, *, scope: VisibleScope, kind: str = "",
                  limit: int, offset: int = 0) -> CoveragePage:
    """The page in one statement: counts per town and advisor added up in SQL (towns by name;
    advisors by display name, unassigned last) and ``limit`` firms of the uncovered list of
    ``kind`` ("" = any) from ``offset`` — the firms ``scope`` shows, by town, name and code."""
    members = member_rows(as_of, scope)
    listed = listed_rows(members, kind).limit(limit).offset(offset)
    keys = [members.c.town, members.c.username, members.c.display_name]
    result = session.execute(summary_and_list(members, keys, listed)).all()
    sums = [r for r in result if r.part == "sum"]
    towns = sorted(_breakdown(sums, lambda r: r.town, lambda r: str(r.town)),
                   key=lambda g: g.label)
    advisors = sorted(_breakdown(sums, lambda r: r.username,
                                 lambda r: r.display_name or "未分配"),
                      key=lambda g: (g.key is None, g.label, g.key or ""))
    total = sum(int(r._mapping[f"g_{kind}" if kind else "g_any"] or 0) for r in sums)
    return CoveragePage(CoverageReport(as_of, populations(sums)), towns, advisors,
                        [uncovered_firm(r) for r in result if r.part == "row"], total)


def uncovered_list(session: DbSession, as_of: date, *, scope: VisibleScope,
                   kind: str = "") -> Iterator[UncoveredFirm]:
    """The whole uncovered list of ``kind``, streamed in batches (for the xlsx)."""
    members = member_rows(as_of, scope)
    for row in session.execute(listed_rows(members, kind)).yield_per(1000):
        yield uncovered_firm(row)
