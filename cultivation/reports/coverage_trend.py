"""The 三覆盖 trend: the weekly snapshots (``snapshots.take_coverage_snapshot``) read back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from cultivation.database import DbSession
from cultivation.reports.coverage import KINDS, coverage_rules
from cultivation.reports.models import CoverageSnapshot


@dataclass(frozen=True)
class TrendPoint:
    """One weekly snapshot of one population."""

    taken_on: date
    kind: str
    population: int
    covered: int

    @property
    def rate(self) -> float | None:
        return self.covered / self.population if self.population else None


def coverage_trend(session: DbSession, since: date, until: date) -> list[TrendPoint]:
    """Snapshots between two dates, oldest first (one query)."""
    stmt = (
        select(CoverageSnapshot.taken_on, CoverageSnapshot.kind, CoverageSnapshot.population,
               CoverageSnapshot.covered)
        .where(CoverageSnapshot.taken_on >= since, CoverageSnapshot.taken_on <= until)
        .order_by(CoverageSnapshot.taken_on, CoverageSnapshot.kind)
    )
    return [TrendPoint(*row) for row in session.execute(stmt)]


def trend_chart(points: list[TrendPoint]) -> dict[str, Any]:
    """Chart data: per population a list of [date, rate %, covered, population]."""
    series: dict[str, list[list[Any]]] = {k: [] for k in KINDS}
    for p in points:
        if p.kind in series and p.rate is not None:
            series[p.kind].append([p.taken_on.isoformat(), round(p.rate * 100, 1), p.covered,
                                   p.population])
    rules = coverage_rules()
    return {"series": [{"kind": k, "label": rules[k].label, "data": series[k]} for k in KINDS]}
