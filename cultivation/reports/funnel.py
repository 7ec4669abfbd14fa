"""The stage funnel: firms per tier as of any date, beside the same date a year earlier."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cultivation.database import DbSession
from cultivation.qualifications.tiers import TIER_LABELS, TIERS
from cultivation.reports.dates import same_day_year_before
from cultivation.reports.filters import ReportFilters
from cultivation.reports.tiersql import tier_counts_on


@dataclass(frozen=True)
class TierColumn:
    """Counts per tier (exact tier) on one date."""

    as_of: date
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def at_or_above(self, tier: str) -> int:
        """Firms whose tier is ``tier`` or higher."""
        return sum(self.counts[t] for t in TIERS[TIERS.index(tier):])

    def as_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "tiers": [{"tier": t, "label": TIER_LABELS[t], "count": self.counts[t]}
                      for t in TIERS],
            "total": self.total,
        }


@dataclass(frozen=True)
class Funnel:
    """The funnel at ``as_of`` and a year earlier, under the same filters."""

    current: TierColumn
    previous: TierColumn
    filters: ReportFilters = field(default_factory=ReportFilters)

    @property
    def rows(self) -> list[dict[str, Any]]:
        """One table row per tier: counts, change, and the share at or above it."""
        out = []
        for tier in TIERS:
            now, before = self.current.counts[tier], self.previous.counts[tier]
            out.append({
                "tier": tier, "label": TIER_LABELS[tier], "count": now, "previous": before,
                "change": now - before,
                "at_or_above": self.current.at_or_above(tier),
                "share": (now / self.current.total) if self.current.total else None,
            })
        return out

    def as_json(self) -> dict[str, Any]:
        """The API shape: as_of, tiers, plus filters and the year-earlier block."""
        body = self.current.as_json()
        body["filters"] = self.filters.as_json()
        body["previous_year"] = self.previous.as_json()
        return body


def funnel(session: DbSession, as_of: date, filters: ReportFilters | None = None) -> Funnel:
    """Firms per tier at ``as_of`` and on the same day a year earlier (one query)."""
    filters = filters or ReportFilters()
    before = same_day_year_before(as_of)
    counts = tier_counts_on(session, [as_of, before], filters)
    return Funnel(TierColumn(as_of, counts[as_of]), TierColumn(before, counts[before]), filters)


def year_end_series(session: DbSession, years: list[int], today: date,
                    filters: ReportFilters | None = None) -> dict[int, dict[str, int]]:
    """Tier counts at each year's end (today for the running year), keyed by year."""
    days = {year: min(date(year, 12, 31), today) for year in years}
    counts = tier_counts_on(session, list(days.values()), filters)
    return {year: counts[day] for year, day in days.items()}

