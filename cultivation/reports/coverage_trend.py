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
    """Chart data on a date axis: ``dates`` (ISO) and ``labels`` (2026年12月6日) of the
    snapshots, and per population the rate % on each date (None where it has no snapshot)."""
    dates = sorted({p.taken_on for p in points})
    index = {d: i for i, d in enumerate(dates)}
    series: dict[str, list[float | None]] = {k: [None] * len(dates) for k in KINDS}
    for p in points:
        if p.kind in series and p.rate is not None:
            series[p.kind][index[p.taken_on]] = round(p.rate * 100, 1)
    rules = coverage_rules()
    return {
        "dates": [d.isoformat() for d in dates],
        "labels": [f"{d.year}年{d.month}月{d.day}日" for d in dates],
        "series": [{"kind": k, "label": rules[k].label, "data": series[k]} for k in KINDS],
    }
