"""Tier changes as of a date, read from the maintained tier spans.

Every span of a firm starting on or before ``as_of`` is one change: to ``rank`` from
``prev_rank``, ``entered_by`` up / lapsed / revoked (see ``qualifications.spans``). A stay in a
tier is complete by ``as_of`` when the next span began by then (``valid_to < as_of``).
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from sqlalchemy import ColumnElement, Integer, Select, extract, literal, select
from sqlalchemy.sql.selectable import CTE

from cultivation.enterprises.models import Enterprise
from cultivation.qualifications.models import TierSpan
from cultivation.reports.filters import ReportFilters
from cultivation.reports.tiersql import narrow


def tier_changes(as_of: date, filters: ReportFilters | None = None) -> CTE:
    """CTE (enterprise_id, p, rank, prev_rank, entered_by, valid_to): every change by ``as_of``."""
    filters = filters or ReportFilters()
    stmt = cast("Select[Any]", (
        select(TierSpan.enterprise_id.label("enterprise_id"), TierSpan.valid_from.label("p"),
               TierSpan.rank.label("rank"), TierSpan.prev_rank.label("prev_rank"),
               TierSpan.entered_by.label("entered_by"), TierSpan.valid_to.label("valid_to"))
        .join(Enterprise, Enterprise.id == TierSpan.enterprise_id)
        .where(Enterprise.deleted_at.is_(None), TierSpan.valid_from <= as_of)
    ))  # one statement type for ``narrow``
    return narrow(stmt, filters, literal(as_of)).cte("tier_changes")


def year_of(col: ColumnElement[Any]) -> ColumnElement[int]:
    """The calendar year of a date column, as an integer."""
    return extract("year", col).cast(Integer)
