"""Read side of the registry: the filtered, sorted firm list with tier and advisor in one query."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Select, func, literal, or_, select
from sqlalchemy.orm import aliased

from cultivation.accounts.models import User
from cultivation.database import DbSession
from cultivation.enterprises.credit_code import normalize
from cultivation.enterprises.models import Enterprise, FiscalYearFigures
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.qualifications.queries import enterprises_with_tier, tier_code
from cultivation.qualifications.tiers import TIER_RANK

SORTS = {
    "name": Enterprise.name,
    "code": Enterprise.credit_code,
    "town": Enterprise.town,
    "industry": Enterprise.industry,
    "registered": Enterprise.registered_on,
    "updated": Enterprise.updated_at,
}


@dataclass(frozen=True)
class EnterpriseFilters:
    """List filters as users give them (empty = no filter)."""

    q: str = ""
    town: str = ""
    industry: str = ""
    tier: str = ""
    advisor: str = ""  # username, or "none" for unassigned
    sort: str = "name"
    desc: bool = False


@dataclass(frozen=True)
class EnterpriseRow:
    """One list row: the firm, its tier today and its current advisor."""

    enterprise: Enterprise
    tier: str
    advisor_username: str | None
    advisor_name: str | None


def list_statement(filters: EnterpriseFilters, as_of: date) -> Select[Enterprise, str, str, str]:
    """SELECT firm, tier code, advisor username, advisor name — filtered and sorted."""
    ranks, rank_col = enterprises_with_tier(as_of)
    advisor = aliased(User)
    stmt = (
        select(
            Enterprise, tier_code(rank_col).label("tier"), advisor.username, advisor.display_name
        )
        .outerjoin(ranks, ranks.c.enterprise_id == Enterprise.id)
        .outerjoin(
            PortfolioAssignment,
            (PortfolioAssignment.enterprise_id == Enterprise.id)
            & PortfolioAssignment.ended_on.is_(None),
        )
        .outerjoin(advisor, advisor.id == PortfolioAssignment.advisor_id)
        .where(Enterprise.deleted_at.is_(None))
    )
    q = filters.q.strip()
    if q:
        code = normalize(q)
        stmt = stmt.where(or_(Enterprise.name.contains(q), Enterprise.credit_code.contains(code)))
    if filters.town:
        stmt = stmt.where(Enterprise.town == filters.town)
    if filters.industry:
        stmt = stmt.where(Enterprise.industry == filters.industry)
    if filters.tier in TIER_RANK:
        stmt = stmt.where(rank_col == TIER_RANK[filters.tier])
    if filters.advisor == "none":
        stmt = stmt.where(PortfolioAssignment.id.is_(None))
    elif filters.advisor:
        stmt = stmt.where(advisor.username == filters.advisor)
    if filters.sort == "tier":
        order: Any = rank_col
    else:
        order = SORTS.get(filters.sort, Enterprise.name)
    stmt = stmt.order_by(order.desc() if filters.desc else order.asc(), Enterprise.id)
    return stmt


def list_page(
    session: DbSession, filters: EnterpriseFilters, as_of: date, *, page: int, per_page: int
) -> tuple[list[EnterpriseRow], int]:
    """One page of rows and the total count: two queries whatever the page size."""
    stmt = list_statement(filters, as_of)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.execute(stmt.limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    return [EnterpriseRow(r[0], r[1], r[2], r[3]) for r in rows], total


def list_all(session: DbSession, filters: EnterpriseFilters, as_of: date) -> list[EnterpriseRow]:
    """Every matching row (exports)."""
    return [
        EnterpriseRow(r[0], r[1], r[2], r[3])
        for r in session.execute(list_statement(filters, as_of)).all()
    ]


def figures_of(session: DbSession, enterprise_id: int, year: int) -> FiscalYearFigures | None:
    """A firm's figures for one year, if recorded."""
    return session.scalar(select(FiscalYearFigures).where(
        FiscalYearFigures.enterprise_id == enterprise_id, FiscalYearFigures.year == year))


def list_ids(session: DbSession, filters: EnterpriseFilters, as_of: date) -> list[int]:
    """The ids of every firm the list shows under ``filters`` (all pages)."""
    return list(session.scalars(
        list_statement(filters, as_of).with_only_columns(Enterprise.id).order_by(None)))


def portfolio_firms(session: DbSession, advisor_id: int) -> list[Enterprise]:
    """The live firms of an advisor's current portfolio, by name."""
    from cultivation.portfolios.queries import portfolio_ids

    return list(session.scalars(select(Enterprise).where(
        Enterprise.deleted_at.is_(None), Enterprise.id.in_(portfolio_ids(advisor_id)))
        .order_by(Enterprise.name)))


def find_firms(session: DbSession, q: str, *, limit: int) -> list[Enterprise]:
    """Live firms whose name or credit code contains ``q``, by name."""
    return list(session.scalars(select(Enterprise).where(
        Enterprise.deleted_at.is_(None),
        or_(Enterprise.name.contains(q), Enterprise.credit_code.contains(normalize(q))))
        .order_by(Enterprise.name).limit(limit)))


@dataclass(frozen=True)
class SearchHit:
    """A quick-search result: the firm, its tier today and whether a contact field matched."""

    enterprise: Enterprise
    tier: str
    by_contact: bool


def quick_search(session: DbSession, q: str, as_of: date, *, contacts_of: Select[int] | None,
                 all_contacts: bool, limit: int = 30) -> list[SearchHit]:
    """Live firms whose name or credit code contains ``q`` — or whose contact person, phone or
    e-mail does, but only among firms whose contacts the user may see: every firm
    (``all_contacts``) or the ids ``contacts_of`` selects (an advisor's portfolio). One query."""
    by_name = or_(Enterprise.name.contains(q), Enterprise.credit_code.contains(normalize(q)))
    contact = or_(Enterprise.contact_person.contains(q), Enterprise.contact_phone.contains(q),
                  Enterprise.contact_email.contains(q))
    if not all_contacts:
        contact = (Enterprise.id.in_(contacts_of) & contact) if contacts_of is not None \
            else literal(False)
    ranks, rank = enterprises_with_tier(as_of)
    rows = session.execute(
        select(Enterprise, tier_code(rank), contact & ~by_name)
        .outerjoin(ranks, ranks.c.enterprise_id == Enterprise.id)
        .where(Enterprise.deleted_at.is_(None), or_(by_name, contact))
        .order_by(Enterprise.name).limit(limit))
    return [SearchHit(firm, tier, bool(contacted)) for firm, tier, contacted in rows]


def board_columns(session: DbSession, filters: EnterpriseFilters, as_of: date, *,
                  per_column: int) -> dict[str, tuple[list[EnterpriseRow], int]]:
    """The 梯次看板: per tier (every tier, empty ones too) the first ``per_column`` rows by name
    and how many there are. One count query and one query per tier (five), whatever the size."""
    stmt = list_statement(replace(filters, tier="", sort="name", desc=False), as_of)
    counted = stmt.order_by(None).subquery()
    counts: dict[str, int] = dict(session.execute(
        select(counted.c.tier, func.count()).group_by(counted.c.tier)).all())
    columns = {}
    for tier in TIER_RANK:
        rows = session.execute(
            list_statement(replace(filters, tier=tier, sort="name", desc=False), as_of)
            .limit(per_column)).all() if counts.get(tier) else []
        columns[tier] = ([EnterpriseRow(r[0], r[1], r[2], r[3]) for r in rows],
                         int(counts.get(tier, 0)))
    return columns
