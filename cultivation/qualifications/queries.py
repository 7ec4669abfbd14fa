"""Set-based tier SQL: the tier of every firm at a date in one query."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Integer, and_, case, func, literal, or_, select
from sqlalchemy.sql import ColumnElement, Subquery

from cultivation.database import DbSession
from cultivation.qualifications.models import LeadingKind, Qualification
from cultivation.qualifications.tiers import KIND_TIER, TIER_RANK, TIERS

_RANK_OF_KIND = {kind: TIER_RANK[tier] for kind, tier in KIND_TIER.items()}


def kind_rank() -> ColumnElement[int]:
    """CASE expression: a qualification's tier rank from its kind."""
    return case(
        *[(Qualification.kind == kind, rank) for kind, rank in _RANK_OF_KIND.items()],
        else_=0,
    )


def in_force_on(day: date | ColumnElement[Any]) -> ColumnElement[bool]:
    """SQL form of ``tiers.counts_on``: valid on ``day`` and not revoked by then.

    The one definition: ``day`` is a date or a date expression (a column of a series of days).
    """
    not_revoked = or_(
        Qualification.status != "revoked",
        and_(Qualification.revoked_on.is_not(None), Qualification.revoked_on > day),
    )
    return and_(
        Qualification.valid_from <= day,
        or_(Qualification.valid_to.is_(None), Qualification.valid_to >= day),
        not_revoked,
    )


def tier_ranks_at(day: date) -> Subquery:
    """(enterprise_id, rank) for firms holding any tier on ``day``; others are absent."""
    return (
        select(
            Qualification.enterprise_id.label("enterprise_id"),
            func.max(kind_rank()).label("rank"),
        )
        .where(in_force_on(day), Qualification.kind.in_(list(_RANK_OF_KIND)))
        .group_by(Qualification.enterprise_id)
        .subquery("tier_ranks")
    )


def tier_code(rank: ColumnElement[int]) -> ColumnElement[str]:
    """CASE expression mapping a rank (NULL = none) back to the tier code."""
    return case(
        *[(rank == r, literal(t)) for r, t in enumerate(TIERS) if r > 0], else_=literal("none")
    )


def enterprises_with_tier(day: date) -> tuple[Subquery, ColumnElement[int]]:
    """The tier-rank subquery and a rank column (0 for none) to outer-join on Enterprise.id."""
    ranks = tier_ranks_at(day)
    rank_col = func.coalesce(ranks.c.rank, 0).cast(Integer)
    return ranks, rank_col


def leading_kind_labels(session: DbSession) -> tuple[str, ...]:
    """Every 领军-tier kind label an admin added (领军类型), oldest first (one query)."""
    return tuple(session.scalars(select(LeadingKind.label).order_by(LeadingKind.id)))
