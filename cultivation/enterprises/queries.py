"""Read side of the registry: the filtered, sorted firm list with tier and advisor in one query."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Select, func, literal, or_, select
from sqlalchemy.orm import aliased

from cultivation.accounts.access import VisibleScope
from cultivation.accounts.models import User
from cultivation.database import DbSession
from cultivation.enterprises.credit_code import normalize
from cultivation.enterprises.models import Enterprise, FiscalYearFigures
from cultivation.inputs import spellings
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.qualifications.models import TierSpan
from cultivation.qualifications.queries import span_on
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
    registered_by: date | None = None  # a list as of a past date: firms registered by then
    only: tuple[int, ...] = ()  # these firms only (a selection on the list: bulk export)


@dataclass(frozen=True)
class EnterpriseRow:
    """One list row: the firm, its tier today and its current advisor."""

    enterprise: Enterprise
    tier: str
    advisor_username: str | None
    advisor_name: str | None


S = TypeVar("S", bound=Select[*tuple[Any, ...]])


def _tier_span(as_of: date) -> Any:
    """ON-clause: the firm's maintained tier span containing ``as_of`` (none: no row)."""
    return (TierSpan.enterprise_id == Enterprise.id) & span_on(as_of)


def tier_rank() -> Any:
    return func.coalesce(TierSpan.rank, 0)


_OPEN = (PortfolioAssignment.enterprise_id == Enterprise.id) & (
    PortfolioAssignment.ended_on.is_(None))


# The firm's open assignment, joined by every statement below that filters or sorts on a detail
# or shows the advisor: ``scope`` (accounts.access) then tests visibility without a subquery.
_OWNER = PortfolioAssignment.advisor_id


def _order(filters: EnterpriseFilters, scope: VisibleScope) -> list[Any]:
    """Sort on the tier or a column; a detail column sorts other portfolios' firms as blank."""
    if filters.sort == "tier":
        order: Any = tier_rank()
    else:
        order = scope.field(SORTS.get(filters.sort, Enterprise.name), Enterprise.id, owner=_OWNER)
    return [order.desc() if filters.desc else order.asc(), Enterprise.id]


def _narrow(stmt: S, filters: EnterpriseFilters, scope: VisibleScope) -> S:
    """The list filters; the statement already joins TierSpan (tier) and the open assignment
    (advisor, details) when those are needed. Filters on details go through ``scope``: for an
    advisor they match only the firms of their portfolio."""
    stmt = stmt.where(Enterprise.deleted_at.is_(None))
    if filters.only:
        stmt = stmt.where(Enterprise.id.in_(filters.only))
    q = filters.q.strip()
    if q:
        code = normalize(q)
        # Names are stored as typed; a search matches the typed, folded and full-width spellings.
        stmt = stmt.where(or_(*(Enterprise.name.contains(term) for term in spellings(q)),
                              Enterprise.credit_code.contains(code)))
    if filters.registered_by is not None:
        stmt = stmt.where(or_(Enterprise.registered_on.is_(None),
                              Enterprise.registered_on <= filters.registered_by))
    if filters.town:
        stmt = stmt.where(Enterprise.town == filters.town)
    if filters.industry:
        stmt = stmt.where(scope.where(Enterprise.industry == filters.industry, Enterprise.id,
                                      owner=_OWNER))
    if filters.tier in TIER_RANK:
        stmt = stmt.where(tier_rank() == TIER_RANK[filters.tier])
    if filters.advisor == "none":
        stmt = stmt.where(scope.where(PortfolioAssignment.id.is_(None), Enterprise.id,
                                      owner=_OWNER))
    elif filters.advisor:
        named = select(User.id).where(User.username == filters.advisor).scalar_subquery()
        stmt = stmt.where(scope.where(_OWNER.in_(named), Enterprise.id, owner=_OWNER))
    return stmt


def row_statement(as_of: date, scope: VisibleScope) -> Select[Enterprise, str, str, str]:
    """SELECT firm, tier code, advisor username and name (no filter, no order); the advisor
    columns are NULL for firms whose details ``scope`` hides."""
    advisor = aliased(User)
    return (
        select(Enterprise, func.coalesce(TierSpan.tier, "none").label("tier"),
               scope.field(advisor.username, Enterprise.id, "advisor", owner=_OWNER),
               scope.field(advisor.display_name, Enterprise.id, "advisor", owner=_OWNER))
        .outerjoin(TierSpan, _tier_span(as_of))
        .outerjoin(PortfolioAssignment, _OPEN)
        .outerjoin(advisor, advisor.id == PortfolioAssignment.advisor_id)
    )


def list_statement(filters: EnterpriseFilters, as_of: date, *,
                   scope: VisibleScope) -> Select[Enterprise, str, str, str]:
    """SELECT firm, tier code, advisor username, advisor name — filtered and sorted."""
    return _narrow(row_statement(as_of, scope), filters, scope).order_by(*_order(filters, scope))


def key_statement(filters: EnterpriseFilters, as_of: date, scope: VisibleScope) -> Select[Any]:
    """SELECT Enterprise.id under the filters, joining spans / assignments only when needed."""
    stmt = select(Enterprise.id)
    if filters.tier in TIER_RANK or filters.sort == "tier":
        stmt = stmt.outerjoin(TierSpan, _tier_span(as_of))
    if filters.advisor or not scope.everything:
        stmt = stmt.outerjoin(PortfolioAssignment, _OPEN)
    return _narrow(stmt, filters, scope)


def list_page(
    session: DbSession, filters: EnterpriseFilters, as_of: date, *, page: int, per_page: int,
    scope: VisibleScope,
) -> tuple[list[EnterpriseRow], int]:
    """One page of rows and the total count: two queries whatever the page size or number.

    The page's ids come from the filtered firms alone (an index walk for the usual sorts);
    tier and advisor are joined for those ``per_page`` ids only."""
    keys = key_statement(filters, as_of, scope)
    total = session.scalar(select(func.count()).select_from(keys.subquery())) or 0
    ids = (keys.order_by(*_order(filters, scope)).limit(per_page)
           .offset((max(page, 1) - 1) * per_page).subquery("page_ids"))
    stmt = (row_statement(as_of, scope).join(ids, ids.c.id == Enterprise.id)
            .order_by(*_order(filters, scope)))
    rows = session.execute(stmt).all()
    return [EnterpriseRow(r[0], r[1], r[2], r[3]) for r in rows], total


def list_all(
    session: DbSession, filters: EnterpriseFilters, as_of: date, *, scope: VisibleScope
) -> Iterator[EnterpriseRow]:
    """Every matching row (exports), fetched in batches of 1,000 as the caller iterates."""
    for r in session.execute(list_statement(filters, as_of, scope=scope)).yield_per(1000):
        yield EnterpriseRow(r[0], r[1], r[2], r[3])


def figures_of(session: DbSession, enterprise_id: int, year: int) -> FiscalYearFigures | None:
    """A firm's figures for one year, if recorded."""
    return session.scalar(select(FiscalYearFigures).where(
        FiscalYearFigures.enterprise_id == enterprise_id, FiscalYearFigures.year == year))


def list_ids(session: DbSession, filters: EnterpriseFilters, as_of: date, *,
             scope: VisibleScope) -> list[int]:
    """The ids of every firm the list shows under ``filters`` (all pages)."""
    return list(session.scalars(key_statement(filters, as_of, scope)))


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
        or_(*(Enterprise.name.contains(t) for t in spellings(q)),
            Enterprise.credit_code.contains(normalize(q))))
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
    by_name = or_(*(Enterprise.name.contains(t) for t in spellings(q)),
                  Enterprise.credit_code.contains(normalize(q)))
    contact = or_(Enterprise.contact_person.contains(q), Enterprise.contact_phone.contains(q),
                  Enterprise.contact_email.contains(q))
    if not all_contacts:
        contact = (Enterprise.id.in_(contacts_of) & contact) if contacts_of is not None \
            else literal(False)
    rows = session.execute(
        select(Enterprise, func.coalesce(TierSpan.tier, "none"), contact & ~by_name)
        .outerjoin(TierSpan, _tier_span(as_of))
        .where(Enterprise.deleted_at.is_(None), or_(by_name, contact))
        .order_by(Enterprise.name).limit(limit))
    return [SearchHit(firm, tier, bool(contacted)) for firm, tier, contacted in rows]


def board_columns(session: DbSession, filters: EnterpriseFilters, as_of: date, *,
                  per_column: int, scope: VisibleScope
                  ) -> dict[str, tuple[list[EnterpriseRow], int]]:
    """The 梯次看板: per tier (every tier, empty ones too) the first ``per_column`` rows by name
    and how many there are. One count query and one query per tier (five), whatever the size."""
    stmt = list_statement(replace(filters, tier="", sort="name", desc=False), as_of, scope=scope)
    counted = stmt.order_by(None).subquery()
    counts: dict[str, int] = dict(session.execute(
        select(counted.c.tier, func.count()).group_by(counted.c.tier)).all())
    columns = {}
    for tier in TIER_RANK:
        rows = session.execute(
            list_statement(replace(filters, tier=tier, sort="name", desc=False), as_of,
                           scope=scope).limit(per_column)).all() if counts.get(tier) else []
        columns[tier] = ([EnterpriseRow(r[0], r[1], r[2], r[3]) for r in rows],
                         int(counts.get(tier, 0)))
    return columns
