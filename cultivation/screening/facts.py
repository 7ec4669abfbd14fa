"""Facts for the policy rules, loaded from the registry in a few set-based queries.

Four statements per call whatever the number of firms: the firms, their fiscal years, their
高企 certificates in force, their R&D institutions in force. Derived facts:

- ``holds_valid_hnte``: a 高企 qualification in force on ``as_of`` (qualifications.queries);
  ``hnte_certified_on``: the earliest ``valid_from`` among those certificates.
- ``provincial_rd_institution`` (科小 direct pass: 省部级以上研发机构): an institution in force of
  a provincial kind, or of any kind with level national or provincial.
- ``municipal_hnte_center`` (省高新研发中心 precondition): a 市级 or 省级 高新研发中心 in force.
- ``municipal_rd_institution`` (省企业研究院 from 2025, "原则上应建有市级企业研发机构"): an
  institution in force of level 市级 or higher, or of a 市级/省级 kind.
- ``sector`` and ``provincial_innovation_score`` are the firm's own fields (None until entered).

The registry is the record of certificates and institutions, so their absence reads as False.
The what-if-only fields (software enterprise, site area, equipment value, full-time R&D staff,
core product revenue) are not stored: they stay None and their criteria ``null``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from operator import itemgetter
from typing import Any

from sqlalchemy import func, or_, select

from cultivation.database import DbSession, id_in
from cultivation.enterprises.models import COUNT_FIELDS, MONEY_FIELDS, Enterprise, FiscalYearFigures
from cultivation.policy import Facts, FiscalYear, SelfAssessment
from cultivation.qualifications.models import Qualification, RDInstitution
from cultivation.qualifications.queries import in_force_on

# Fiscal years loaded before the as-of year: the rules look back at most three years; the
# margin keeps a parameter change (e.g. a five-year lookback) from silently missing data.
YEARS_LOADED = 6
PROVINCIAL_KINDS = ("provincial_key_institute", "provincial_institute", "provincial_hnte_center")
PROVINCIAL_LEVELS = ("national", "provincial")
HNTE_CENTER_KINDS = ("municipal_hnte_center", "provincial_hnte_center")
MUNICIPAL_LEVELS = ("national", "provincial", "municipal")

_FIRM_COLUMNS = (
    Enterprise.id, Enterprise.registered_on, Enterprise.tech_domain, Enterprise.core_ip_owned,
    Enterprise.ip_self_developed, Enterprise.major_incident_last_year, Enterprise.led_standard,
    Enterprise.national_award_5y, Enterprise.self_tech_advancement, Enterprise.self_core_support,
    Enterprise.self_rd_management, Enterprise.sector, Enterprise.provincial_innovation_score,
)
_FIGURE_FIELDS = (*COUNT_FIELDS, *MONEY_FIELDS)
# A fiscal-year row is (firm id, year, *_FIGURE_FIELDS); FiscalYear's own arguments after the
# year, in its field order, picked from the row with None appended (index len(row): no column).
_YEAR_FIELDS = tuple(f.name for f in fields(FiscalYear))[1:]
assert set(_FIGURE_FIELDS) <= set(_YEAR_FIELDS)
_YEAR_ARGUMENTS = itemgetter(*(2 + _FIGURE_FIELDS.index(name) if name in _FIGURE_FIELDS
                               else 2 + len(_FIGURE_FIELDS) for name in _YEAR_FIELDS))


@dataclass(frozen=True)
class RawFacts:
    """One firm's database values that its Facts are built from (``build_facts``): the firm's
    columns, its fiscal-year rows, and what the certificate and institution queries found.
    Facts are a function of these and the as-of day only, so the screening fingerprints these
    and builds Facts only for the firms it evaluates."""

    firm: tuple[Any, ...]
    years: tuple[tuple[Any, ...], ...]
    hnte_certified_on: date | None
    provincial: bool
    centre: bool
    municipal: bool


def raw_facts_for_enterprises(
    session: DbSession, ids: Sequence[int] | None, as_of: date
) -> dict[int, RawFacts]:
    """The values behind the Facts of the given firms (or every live firm when ``ids`` is None)."""
    if ids is not None and not ids:
        return {}
    firms = select(*_FIRM_COLUMNS)
    if ids is None:
        firms = firms.where(Enterprise.deleted_at.is_(None))
        live = select(Enterprise.id).where(Enterprise.deleted_at.is_(None))

        def scope(column: Any) -> Any:
            return column.in_(live)
    else:
        firms = firms.where(id_in(session, Enterprise.id, ids))

        def scope(column: Any) -> Any:
            return id_in(session, column, ids)
    years = _years(session, scope, as_of)
    hnte = _hnte_certified_on(session, scope, as_of)
    provincial, centre, municipal = _institutions(session, scope, as_of)
    return {
        row[0]: RawFacts(tuple(row), tuple(years.get(row[0], ())), hnte.get(row[0]),
                         row[0] in provincial, row[0] in centre, row[0] in municipal)
        for row in session.execute(firms)
    }


def build_facts(raw: RawFacts, as_of: date) -> Facts:
    """The Facts the rules read, from a firm's RawFacts."""
    (_id, registered_on, tech_domain, core_ip_owned, ip_self_developed, major_incident,
     led_standard, national_award_5y, tech_advancement, core_support, rd_management, sector,
     provincial_innovation_score) = raw.firm
    return Facts(
        registered_on=registered_on,
        as_of=as_of,
        tech_domain=tech_domain,
        core_ip_owned=core_ip_owned,
        ip_self_developed=ip_self_developed,
        major_incident_last_year=major_incident,
        led_standard=led_standard,
        holds_valid_hnte=raw.hnte_certified_on is not None,
        provincial_rd_institution=raw.provincial,
        national_award_5y=national_award_5y,
        hnte_certified_on=raw.hnte_certified_on,
        municipal_hnte_center=raw.centre,
        municipal_rd_institution=raw.municipal,
        sector=sector,
        provincial_innovation_score=provincial_innovation_score,
        self_assessment=SelfAssessment(tech_advancement=tech_advancement,
                                       core_support=core_support, rd_management=rd_management),
        # Positional, as picked by _YEAR_ARGUMENTS: a keyword dict per row cost a tenth of this.
        fiscal_years=tuple(FiscalYear(row[1], *_YEAR_ARGUMENTS((*row, None)))
                           for row in raw.years),
    )


def facts_for_enterprises(
    session: DbSession, ids: Sequence[int] | None, as_of: date
) -> dict[int, Facts]:
    """Facts of the given firms (or of every live firm when ``ids`` is None), as of ``as_of``."""
    return {firm_id: build_facts(raw, as_of)
            for firm_id, raw in raw_facts_for_enterprises(session, ids, as_of).items()}


def facts_for_enterprise(session: DbSession, firm: Enterprise, as_of: date) -> Facts:
    """Facts of one firm as of ``as_of`` (the same four queries)."""
    return facts_for_enterprises(session, [firm.id], as_of)[firm.id]


def _years(session: DbSession, scope: Any, as_of: date) -> dict[int, list[tuple[Any, ...]]]:
    stmt = (
        select(FiscalYearFigures.enterprise_id, FiscalYearFigures.year,
               *(getattr(FiscalYearFigures, name) for name in _FIGURE_FIELDS))
        .where(scope(FiscalYearFigures.enterprise_id),
               FiscalYearFigures.year >= as_of.year - YEARS_LOADED,
               FiscalYearFigures.year < as_of.year)
        .order_by(FiscalYearFigures.enterprise_id, FiscalYearFigures.year)
    )
    years: dict[int, list[tuple[Any, ...]]] = {}
    for row in session.execute(stmt):
        years.setdefault(row[0], []).append(tuple(row))
    return years


def _hnte_certified_on(session: DbSession, scope: Any, as_of: date) -> dict[int, date]:
    stmt = (
        select(Qualification.enterprise_id, func.min(Qualification.valid_from))
        .where(scope(Qualification.enterprise_id), Qualification.kind == "hnte",
               in_force_on(as_of))
        .group_by(Qualification.enterprise_id)
    )
    return {firm_id: since for firm_id, since in session.execute(stmt)}


def _institutions(
    session: DbSession, scope: Any, as_of: date
) -> tuple[set[int], set[int], set[int]]:
    stmt = (
        select(RDInstitution.enterprise_id, RDInstitution.kind, RDInstitution.level)
        .where(scope(RDInstitution.enterprise_id), RDInstitution.recognized_on <= as_of,
               or_(RDInstitution.revoked_on.is_(None), RDInstitution.revoked_on > as_of),
               or_(RDInstitution.kind.in_(PROVINCIAL_KINDS + HNTE_CENTER_KINDS),
                   RDInstitution.level.in_(MUNICIPAL_LEVELS)))
    )
    provincial: set[int] = set()
    centre: set[int] = set()
    municipal: set[int] = set()
    for firm_id, kind, level in session.execute(stmt):
        if kind in PROVINCIAL_KINDS or level in PROVINCIAL_LEVELS:
            provincial.add(firm_id)
        if kind in HNTE_CENTER_KINDS:
            centre.add(firm_id)
        municipal.add(firm_id)  # every row here is 市级 or higher (by kind or level)
    return provincial, centre, municipal
