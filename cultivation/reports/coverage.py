"""三覆盖 coverage as of any date: populations, covered firms, uncovered lists, breakdowns.

A firm is in a population when it is live, registered by the date and: listed (listed); above
scale with a 高企 certificate in force (above_scale_hnte); above scale with tier 科技型中小 or
higher (above_scale_tech). It is covered when an institution of a covering kind (see
``coverage_rules.yaml``) is in force that day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import ColumnElement, Integer, and_, case, func, literal, not_, or_, select
from sqlalchemy.sql.selectable import Subquery

from cultivation.accounts.models import User
from cultivation.database import DbSession
from cultivation.enterprises.flags import flag_on
from cultivation.enterprises.models import Enterprise
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.qualifications.models import INSTITUTION_KINDS, Qualification, RDInstitution
from cultivation.qualifications.queries import in_force_on, kind_rank
from cultivation.qualifications.tiers import TIER_RANK
from cultivation.reports.tiersql import (
    TIER_KINDS,
    active_position_join,
    firm_exists_on,
    institution_in_force,
)

RULES_FILE = Path(__file__).with_name("coverage_rules.yaml")
KINDS = ("listed", "above_scale_hnte", "above_scale_tech")


@dataclass(frozen=True)
class CoverageRule:
    """One of the three populations and the institution kinds that cover it."""

    kind: str
    label: str
    population_label: str
    covered_by: tuple[str, ...]


@lru_cache(maxsize=1)
def coverage_rules() -> dict[str, CoverageRule]:
    """The three rules from ``coverage_rules.yaml`` ("any" = every institution kind)."""
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    rules = {}
    for kind in KINDS:
        entry = data[kind]
        kinds = entry["covered_by"]
        covered = tuple(INSTITUTION_KINDS) if kinds == "any" else tuple(str(k) for k in kinds)
        unknown = set(covered) - set(INSTITUTION_KINDS)
        if unknown:
            raise ValueError(f"{RULES_FILE}: unknown institution kinds {sorted(unknown)}")
        rules[kind] = CoverageRule(kind, str(entry["label"]), str(entry["population"]), covered)
    return rules


@dataclass(frozen=True)
class UncoveredFirm:
    """A firm in at least one population without a covering institution."""

    credit_code: str
    name: str
    town: str
    industry: str | None
    advisor: str | None
    advisor_name: str | None
    gaps: tuple[str, ...]  # the population kinds it is not covered in

    @property
    def gap_labels(self) -> str:
        rules = coverage_rules()
        return "；".join(rules[k].population_label for k in self.gaps)


@dataclass
class PopulationCoverage:
    """Population, covered count, rate (None when the population is empty), uncovered firms."""

    kind: str
    population: int = 0
    covered: int = 0
    uncovered: list[UncoveredFirm] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return self.covered / self.population if self.population else None

    @property
    def rule(self) -> CoverageRule:
        return coverage_rules()[self.kind]

    def as_json(self) -> dict[str, Any]:
        return {"population": self.population, "covered": self.covered, "rate": self.rate,
                "uncovered": sorted(f.credit_code for f in self.uncovered)}


@dataclass
class CoverageReport:
    """三覆盖 as of one date."""

    as_of: date
    populations: dict[str, PopulationCoverage]

    def as_json(self) -> dict[str, Any]:
        """The API shape (one block per population, see the OpenAPI document) plus ``as_of``."""
        body: dict[str, Any] = {"as_of": self.as_of.isoformat()}
        body.update({kind: pop.as_json() for kind, pop in self.populations.items()})
        return body

    @property
    def uncovered(self) -> list[UncoveredFirm]:
        """Every uncovered firm once, whatever the number of gaps."""
        seen: dict[str, UncoveredFirm] = {}
        for pop in self.populations.values():
            for firm in pop.uncovered:
                seen.setdefault(firm.credit_code, firm)
        return sorted(seen.values(), key=lambda f: (f.town, f.name))


@dataclass(frozen=True)
class CoverageGroup:
    """Population and covered counts of the three kinds for one town or advisor."""

    key: str | None
    label: str
    counts: dict[str, tuple[int, int]]  # kind -> (population, covered)

    def rate(self, kind: str) -> float | None:
        population, covered = self.counts[kind]
        return covered / population if population else None


def _flags(as_of: date) -> tuple[Subquery, Subquery, dict[str, ColumnElement[bool]],
                                 dict[str, ColumnElement[bool]]]:
    """Per-firm tier and institution subqueries; membership and covered conditions."""
    day = literal(as_of)
    tiers = (
        select(
            Qualification.enterprise_id.label("enterprise_id"),
            func.max(kind_rank()).label("rank"),
            func.max(case((Qualification.kind == "hnte", 1), else_=0)).label("hnte"),
        )
        .where(in_force_on(day), Qualification.kind.in_(TIER_KINDS))
        .group_by(Qualification.enterprise_id)
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
    above_scale = flag_on("above_scale", as_of)  # the flags in force on the day
    member = {
        "listed": flag_on("listed", as_of),
        "above_scale_hnte": and_(above_scale, func.coalesce(tiers.c.hnte, 0) == 1),
        "above_scale_tech": and_(above_scale, rank >= TIER_RANK["tech_sme"]),
    }
    covered = {k: and_(member[k], func.coalesce(inst.c[k], 0) == 1) for k in KINDS}
    return tiers, inst, member, covered


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
    tiers, inst, member, covered = _flags(as_of)
    stmt = (
        select(*_sums(member, covered))
        .select_from(Enterprise)
        .outerjoin(tiers, tiers.c.enterprise_id == Enterprise.id)
        .outerjoin(inst, inst.c.enterprise_id == Enterprise.id)
        .where(firm_exists_on(literal(as_of)))
    )
    row = session.execute(stmt).one()._mapping
    return {k: PopulationCoverage(k, int(row[f"{k}_population"] or 0),
                                  int(row[f"{k}_covered"] or 0)) for k in KINDS}


def coverage_by_town(session: DbSession, as_of: date) -> list[CoverageGroup]:
    """Population and covered counts per town (towns with no firm in any population omitted)."""
    tiers, inst, member, covered = _flags(as_of)
    stmt = (
        select(Enterprise.town, *_sums(member, covered))
        .outerjoin(tiers, tiers.c.enterprise_id == Enterprise.id)
        .outerjoin(inst, inst.c.enterprise_id == Enterprise.id)
        .where(firm_exists_on(literal(as_of)))
        .group_by(Enterprise.town)
        .order_by(Enterprise.town)
    )
    return _groups(session.execute(stmt).all())


def coverage_by_advisor(session: DbSession, as_of: date) -> list[CoverageGroup]:
    """Population and covered counts per advisor (portfolio on ``as_of``; None = unassigned)."""
    tiers, inst, member, covered = _flags(as_of)
    stmt = (
        select(User.username, User.display_name, *_sums(member, covered))
        .select_from(Enterprise)
        .outerjoin(tiers, tiers.c.enterprise_id == Enterprise.id)
        .outerjoin(inst, inst.c.enterprise_id == Enterprise.id)
        .outerjoin(PortfolioAssignment, active_position_join(literal(as_of)))
        .outerjoin(User, User.id == PortfolioAssignment.advisor_id)
        .where(firm_exists_on(literal(as_of)))
        .group_by(User.username, User.display_name)
        .order_by(User.display_name)
    )
    rows = session.execute(stmt).all()
    labels = {r.username: r.display_name for r in rows if r.username}
    return _groups(rows, labels)


def coverage_at(session: DbSession, as_of: date) -> CoverageReport:
    """The three coverages at ``as_of`` with their uncovered firms (two queries)."""
    groups = coverage_by_town(session, as_of)
    pops = {k: PopulationCoverage(k) for k in KINDS}
    for group in groups:
        for k, (population, covered) in group.counts.items():
            pops[k].population += population
            pops[k].covered += covered
    for firm in uncovered_firms(session, as_of):
        for k in firm.gaps:
            pops[k].uncovered.append(firm)
    return CoverageReport(as_of, pops)


def uncovered_firms(session: DbSession, as_of: date) -> list[UncoveredFirm]:
    """Firms in a population with no covering institution, by town and name."""
    tiers, inst, member, covered = _flags(as_of)
    gaps = [and_(member[k], not_(covered[k])) for k in KINDS]
    stmt = (
        select(
            Enterprise.credit_code, Enterprise.name, Enterprise.town, Enterprise.industry,
            User.username, User.display_name,
            *[case((g, 1), else_=0).label(f"gap_{k}") for g, k in zip(gaps, KINDS, strict=True)],
        )
        .select_from(Enterprise)
        .outerjoin(tiers, tiers.c.enterprise_id == Enterprise.id)
        .outerjoin(inst, inst.c.enterprise_id == Enterprise.id)
        .outerjoin(PortfolioAssignment, active_position_join(literal(as_of)))
        .outerjoin(User, User.id == PortfolioAssignment.advisor_id)
        .where(firm_exists_on(literal(as_of)), or_(*gaps))
        .order_by(Enterprise.town, Enterprise.name, Enterprise.credit_code)
    )
    return [
        UncoveredFirm(
            credit_code=r.credit_code, name=r.name, town=r.town, industry=r.industry,
            advisor=r.username, advisor_name=r.display_name,
            gaps=tuple(k for k in KINDS if r._mapping[f"gap_{k}"]),
        )
        for r in session.execute(stmt)
    ]
