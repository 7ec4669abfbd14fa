"""The engine behind demo qualification histories: exact year-end counts (pure).

Every certificate of a year is issued in that year and is still in force on its 31 December, so
the year-end count of a kind is "issued in the last ``term`` years and not revoked". Each year
the expiring holders renew (or lapse) and new firms fill the gap up to the year's target.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from cultivation.demo.firms import FirmSpec

Row = dict[str, Any]  # one row to insert; ``firm`` is the firm's index in the plan


def add_years(day: date, years: int) -> date:
    """Same calendar day ``years`` later (28 Feb for a 29 Feb start)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def term_end(start: date, years: int) -> date:
    """Last valid day of a certificate of ``years`` years from ``start``."""
    return add_years(start, years) - timedelta(days=1)


@dataclass
class Ladder:
    """Qualification rows (firm index instead of id) and per-firm facts the figures need."""

    rows: list[Row] = field(default_factory=list)
    hnte_issued: dict[int, list[int]] = field(default_factory=dict)  # firm -> issue years
    hnte_held: dict[int, set[int]] = field(default_factory=dict)  # firm -> year-ends held
    zj_held: dict[int, set[int]] = field(default_factory=dict)
    revoked_firm: int | None = None

    def holds_hnte(self, firm: int, year: int) -> bool:
        return year in self.hnte_held.get(firm, set())

    def holds_zj(self, firm: int, year: int) -> bool:
        return year in self.zj_held.get(firm, set())


Eligible = Callable[[FirmSpec, int], bool]
Weight = Callable[[FirmSpec, int], float]


def _pick(rng: random.Random, pool: list[FirmSpec], k: int, weight: Weight, year: int,
          ) -> list[FirmSpec]:
    """``k`` distinct firms, weighted, without replacement (fewer if the pool is small)."""
    items = [(f, weight(f, year)) for f in pool]
    items = [(f, w) for f, w in items if w > 0]
    # Efraimidis–Spirakis: the k largest u**(1/w) keys are a weighted sample.
    keyed = sorted(items, key=lambda fw: rng.random() ** (1.0 / fw[1]), reverse=True)
    return [f for f, _ in keyed[:k]]


def roll(
    rng: random.Random, firms: list[FirmSpec], targets: dict[int, int], *, term: int,
    renew_p: float, eligible: Eligible, weight: Weight, keep: AbstractSet[int] = frozenset(),
    revoke: dict[int, int] | None = None, first: Callable[[int], list[FirmSpec]] | None = None,
) -> tuple[dict[int, list[tuple[int, bool]]], dict[int, int]]:
    """Year by year: renew expiring holders, revoke, then add new holders up to the target.

    Returns {year: [(firm index, is_renewal)]} and {firm index: revocation year}.
    """
    issued: dict[int, list[tuple[int, bool]]] = {}
    revoked: dict[int, int] = {}

    def active(y: int) -> list[int]:
        return [i for i, _ in issued.get(y, []) if i not in revoked]

    for year in sorted(targets):
        continuing = [i for y in range(year - term + 1, year) for i in active(y)]
        for _ in range((revoke or {}).get(year, 0)):
            victims = [i for i in continuing if i not in keep]
            if victims:
                victim = rng.choice(victims)
                revoked[victim] = year
                continuing.remove(victim)
        expiring = active(year - term)
        renew = [i for i in expiring if i in keep or rng.random() < renew_p]
        need = targets[year] - len(continuing) - len(renew)
        while need < 0 and renew:  # never happens with growing targets; kept for safety
            renew.remove(next((i for i in renew if i not in keep), renew[-1]))
            need += 1
        need = max(need, 0)
        holding = set(continuing) | set(renew) | set(revoked)
        new: list[FirmSpec] = []
        if first is not None:
            new = [f for f in first(year) if f.index not in holding and eligible(f, year)][:need]
            holding.update(f.index for f in new)
        pool = [f for f in firms if f.index not in holding and eligible(f, year)]
        new += _pick(rng, pool, need - len(new), weight, year)
        issued[year] = [(i, True) for i in renew] + [(f.index, False) for f in new]
    return issued, revoked


def row(index: int, kind: str, number: str, start: date, end: date | None,
        note: str | None = None) -> Row:
    """A qualification row for firm ``index`` (status valid; the loader sets expired)."""
    return {"firm": index, "kind": kind, "number": number, "valid_from": start,
            "valid_to": end, "status": "valid", "revoked_on": None, "note": note}


