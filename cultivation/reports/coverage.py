"""三覆盖 coverage as of any date: populations, covered firms, uncovered lists, breakdowns.

A firm is in a population when it is live, registered by the date and: listed (listed); above
scale with a 高企 certificate in force (above_scale_hnte); above scale with tier 科技型中小 or
higher (above_scale_tech). It is covered when an institution of a covering kind (see
``coverage_rules.yaml``) is in force that day. The rules and result types are in
``coverage_types``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, exists, func, literal, or_, select
from sqlalchemy.sql.selectable import Subquery

from cultivation.accounts.access import VisibleScope
from cultivation.accounts.models import User
from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise, EnterpriseFlag
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.qualifications.models import Qualification, RDInstitution, TierSpan
from cultivation.qualifications.queries import in_force_on, span_on
from cultivation.qualifications.tiers import TIER_RANK
from cultivation.reports.coverage_types import (
    KINDS,
    CoverageGroup,
    CoverageReport,
    CoverageRule,
    PopulationCoverage,
    UncoveredFirm,
    coverage_rules,
)
from cultivation.reports.tiersql import (
    active_position_join,
    firm_exists_on,
    institution_in_force,
)

__all__ = ["KINDS", "CoverageGroup", "CoverageReport", "CoverageRule", "PopulationCoverage",
           "UncoveredFirm", "coverage_rules", "coverage_at", "coverage_by_advisor",
           "coverage_by_town", "coverage_totals", "coverage_with_groups"]


def flags_on(as_of: date) -> Subquery:
    """(enterprise_id, listed, above_scale): each firm's dated flags in force on ``as_of`` as
    0/1 (NULL: no dated row by then — the firm's current flag holds), for the firms with a
    history. The same answer as ``enterprises.flags.flag_on``, as one join instead of a
    correlated subquery per firm and flag."""
    latest = func.row_number().over(partition_by=(EnterpriseFlag.enterprise_id,
                                                  EnterpriseFlag.flag),
                                    order_by=EnterpriseFlag.valid_from.desc())
    rows = (select(EnterpriseFlag.enterprise_id, EnterpriseFlag.flag,
                   case((EnterpriseFlag.value.is_(True), 1), else_=0).label("value"),
                   latest.label("rn"))
            .where(EnterpriseFlag.valid_from <= as_of).subquery("flag_rows"))
    return (select(rows.c.enterprise_id,
                   *[func.max(case((rows.c.flag == f, rows.c.value))).label(f)
                     for f in ("listed", "above_scale")])
            .where(rows.c.rn == 1).group_by(rows.c.enterprise_id).subquery("cov_flags"))


def _flag(flags: Subquery, name: str) -> ColumnElement[bool]:
    """The firm's flag on the day: its dated value, else the current one."""
    current = case((getattr(Enterprise, name).is_(True), 1), else_=0)
    return func.coalesce(flags.c[name], current) == 1


def _flags(as_of: date) -> tuple[Subquery, Subquery, Subquery, dict[str, ColumnElement[bool]],
                                 dict[str, ColumnElement[bool]]]:
    """Per-firm tier, institution and flag subqueries; membership and covered conditions."""
    day = literal(as_of)
    # Tier from the maintained spans; 高企 in force is the tier itself, or above it (领军)
    # a 高企 certificate next to it.
    hnte = TIER_RANK["hnte"]
    hnte_certificate = exists().where(
        Qualification.enterprise_id == TierSpan.enterprise_id, Qualification.kind == "hnte",
        in_force_on(day))
    tiers = (
        select(
            TierSpan.enterprise_id.label("enterprise_id"),
            TierSpan.rank.label("rank"),
            case((TierSpan.rank == hnte, 1), (and_(TierSpan.rank > hnte, hnte_certificate), 1),
                 else_=0).label("hnte"),
        )
        .where(span_on(day), TierSpan.rank > 0)
        .subquery("cov_tiers")
    )
    rules = coverage_rules()
    inst = (
        select(
            RDInstitution.enterprise_id.label("enterprise_id"),
            *[func.max(case((RDInstitution.kind.in_(rules[k].covered_by), 1), else_=0)).label(k)
              for k in KINDS],
        )
        .where(institution_in_force(day))
        .group_by(RDInstitution.enterprise_id)
        .subquery("cov_institutions")
    )
    rank = func.coalesce(tiers.c.rank, 0).cast(Integer)
    flags = flags_on(as_of)
    above_scale = _flag(flags, "above_scale")  # the flags in force on the day
    member = {
        "listed": _flag(flags, "listed"),
        "above_scale_hnte": and_(above_scale, func.coalesce(tiers.c.hnte, 0) == 1),
        "above_scale_tech": and_(above_scale, rank >= TIER_RANK["tech_sme"]),
    }
    covered = {k: and_(member[k], func.coalesce(inst.c[k], 0) == 1) for k in KINDS}
    return tiers, inst, flags, member, covered


def in_some_population(flags: Subquery) -> ColumnElement[bool]:
    """Listed or above scale on the day of ``flags``: every population needs one of them
    (narrows before the joins)."""
    return or_(_flag(flags, "listed"), _flag(flags, "above_scale"))


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
    tiers, inst, flags, member, covered = _flags(as_of)
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
    tiers, inst, flags, member, covered = _flags(as_of)
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
    tiers, inst, flags, member, covered = _flags(as_of)
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


@dataclass(frozen=True)
class CoveragePage:
    """Everything the 三覆盖 page shows, from one pass over the population members."""

    report: CoverageReport
    towns: list[CoverageGroup]
    advisors: list[CoverageGroup]


def _members(session: DbSession, as_of: date, scope: VisibleScope) -> list[Any]:
    """Every firm in at least one population on ``as_of``: its town, advisor on that day, per
    kind membership and coverage flags, and whether ``scope`` shows its details (one query; no
    ORDER BY, callers sort)."""
    tiers, inst, flags, member, covered = _flags(as_of)
    stmt = (
        select(
            Enterprise.credit_code, Enterprise.name, Enterprise.town, Enterprise.industry,
            User.username, User.display_name,
            case((scope.details(Enterprise.id), 1), else_=0).label("visible"),
            *[case((member[k], 1), else_=0).label(f"m_{k}") for k in KINDS],
            *[case((covered[k], 1), else_=0).label(f"c_{k}") for k in KINDS],
        )
        .select_from(Enterprise)
        .outerjoin(flags, flags.c.enterprise_id == Enterprise.id)
        .outerjoin(tiers, tiers.c.enterprise_id == Enterprise.id)
        .outerjoin(inst, inst.c.enterprise_id == Enterprise.id)
        .outerjoin(PortfolioAssignment, active_position_join(literal(as_of)))
        .outerjoin(User, User.id == PortfolioAssignment.advisor_id)
        .where(firm_exists_on(literal(as_of)), in_some_population(flags))
    )
    return list(session.execute(stmt))


def _report(as_of: date, rows: list[Any]) -> CoverageReport:
    pops = {k: PopulationCoverage(k) for k in KINDS}
    for r in sorted(rows, key=lambda r: (r.town, r.name, r.credit_code)):
        values = r._mapping
        # County counts for everyone; an uncovered firm is listed only where its details are
        # visible (being on the list says listed / above scale and without an institution).
        gaps = (tuple(k for k in KINDS if values[f"m_{k}"] and not values[f"c_{k}"])
                if r.visible else ())
        firm = UncoveredFirm(
            credit_code=r.credit_code, name=r.name, town=r.town, industry=r.industry,
            advisor=r.username, advisor_name=r.display_name, gaps=gaps,
        ) if gaps else None
        for k in KINDS:
            if values[f"m_{k}"]:
                pops[k].population += 1
                pops[k].covered += 1 if values[f"c_{k}"] else 0
                if firm is not None and k in gaps:
                    pops[k].uncovered.append(firm)
    return CoverageReport(as_of, pops)


def _grouped(rows: list[Any], key: Any, label: Any) -> list[CoverageGroup]:
    counts: dict[Any, dict[str, list[int]]] = {}
    labels: dict[Any, str] = {}
    for r in rows:
        k = key(r)
        labels[k] = label(r)
        group = counts.setdefault(k, {kind: [0, 0] for kind in KINDS})
        values = r._mapping
        for kind in KINDS:
            group[kind][0] += values[f"m_{kind}"]
            group[kind][1] += values[f"c_{kind}"]
    return [CoverageGroup(None if k is None else str(k), labels[k],
                          {kind: (v[0], v[1]) for kind, v in counts[k].items()})
            for k in counts]


def coverage_at(session: DbSession, as_of: date, *,
                scope: VisibleScope) -> CoverageReport:
    """The three coverages at ``as_of`` (county counts) with the uncovered firms whose details
    ``scope`` shows, by town and name (one query)."""
    return _report(as_of, _members(session, as_of, scope))


def coverage_with_groups(session: DbSession, as_of: date, *,
                         scope: VisibleScope) -> CoveragePage:
    """The report with its town and advisor breakdowns, from the same single query (towns by
    name; advisors by display name, unassigned last); uncovered lists as ``coverage_at``."""
    rows = _members(session, as_of, scope)
    towns = sorted(_grouped(rows, lambda r: r.town, lambda r: str(r.town)),
                   key=lambda g: g.label)
    advisors = sorted(_grouped(rows, lambda r: r.username, lambda r: r.display_name or "未分配"),
                      key=lambda g: (g.key is None, g.label, g.key or ""))
    return CoveragePage(_report(as_of, rows), towns, advisors)
