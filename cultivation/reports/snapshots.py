"""The weekly 三覆盖 snapshot (the coverage-snapshot job's one write; read back by
``coverage_trend``). Flushes, never commits."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from cultivation.clock import DEFAULT_TIMEZONE, local_date
from cultivation.database import DbSession
from cultivation.reports.coverage import KINDS, coverage_by_town, coverage_totals
from cultivation.reports.models import CoverageSnapshot

log = logging.getLogger(__name__)


def take_coverage_snapshot(
    session: DbSession, now: datetime, *, timezone: str = DEFAULT_TIMEZONE
) -> list[CoverageSnapshot]:
    """Store today's 三覆盖 figures (one row per population); re-running the same day updates."""
    day = local_date(now, timezone)
    totals = coverage_totals(session, day)
    towns = coverage_by_town(session, day)
    existing = {s.kind: s for s in session.scalars(
        select(CoverageSnapshot).where(CoverageSnapshot.taken_on == day))}
    rows = []
    for kind in KINDS:
        pop = totals[kind]
        snap = existing.get(kind) or CoverageSnapshot(taken_on=day, kind=kind)
        snap.population, snap.covered = pop.population, pop.covered
        snap.by_town = {g.label: list(g.counts[kind]) for g in towns if g.counts[kind][0]}
        session.add(snap)
        rows.append(snap)
    session.flush()
    log.info("coverage snapshot %s: %s", day,
             {k: (p.covered, p.population) for k, p in totals.items()})
    return rows
