"""Tier at a date, derived from qualifications (pure: no Flask, no database).

A qualification counts on day ``d`` when ``valid_from <= d <= valid_to`` (``valid_to`` None =
open-ended) and it was not revoked on or before ``d``. The highest tier wins; 科小 holds while
either 科小 kind (provincial or national) is valid.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from cultivation.vocabulary import TIER_LABELS as TIER_LABELS

TIERS = ("none", "startup", "tech_sme", "hnte", "leading")
TIER_RANK = {tier: rank for rank, tier in enumerate(TIERS)}
KIND_TIER = {
    "startup": "startup",
    "zj_tech_sme": "tech_sme",
    "tech_sme": "tech_sme",
    "hnte": "hnte",
    "leading": "leading",
}


class QualificationLike(Protocol):
    kind: str
    valid_from: date
    valid_to: date | None
    status: str
    revoked_on: date | None


@dataclass(frozen=True)
class TierInterval:
    """``tier`` from ``start`` through ``end`` inclusive (``end`` None = still holds)."""

    tier: str
    start: date
    end: date | None

    @property
    def label(self) -> str:
        return TIER_LABELS[self.tier]


def effective_end(q: QualificationLike) -> date | None:
    """The last day ``q`` counts: its expiry, or the day before its revocation."""
    end = q.valid_to
    if q.status == "revoked":
        cut = (q.revoked_on or q.valid_from) - timedelta(days=1)
        end = cut if end is None else min(end, cut)
    return end


def counts_on(q: QualificationLike, day: date) -> bool:
    """Whether ``q`` is in force on ``day``."""
    end = effective_end(q)
    return q.valid_from <= day and (end is None or day <= end)


def tier_at(qualifications: Iterable[QualificationLike], day: date) -> str:
    """The highest tier any qualification in force on ``day`` gives; ``none`` otherwise."""
    best = "none"
    for q in qualifications:
        tier = KIND_TIER.get(q.kind)
        if tier and counts_on(q, day) and TIER_RANK[tier] > TIER_RANK[best]:
            best = tier
    return best


def tier_history(qualifications: Iterable[QualificationLike]) -> list[TierInterval]:
    """Every interval of constant tier, oldest first; gaps in tier ``none`` are included."""
    quals = [q for q in qualifications if q.kind in KIND_TIER]
    points: set[date] = set()
    for q in quals:
        points.add(q.valid_from)
        end = effective_end(q)
        if end is not None and end < date.max:
            points.add(end + timedelta(days=1))
    intervals: list[TierInterval] = []
    ordered = sorted(points)
    for i, start in enumerate(ordered):
        tier = tier_at(quals, start)
        end = ordered[i + 1] - timedelta(days=1) if i + 1 < len(ordered) else None
        if intervals and intervals[-1].tier == tier:
            intervals[-1] = TierInterval(tier, intervals[-1].start, end)
        else:
            intervals.append(TierInterval(tier, start, end))
    # A trailing interval of "none" with no end is the state after the last lapse; keep it
    # so the timeline shows the drop, but drop leading "none" (before the first entry).
    while intervals and intervals[0].tier == "none":
        intervals.pop(0)
    return intervals
