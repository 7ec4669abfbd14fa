"""Plan rows that policy changes reshape: a programme that no longer recognises new firms
(its closing parameter in force today) and rows summed from other indicators' targets."""

from __future__ import annotations

from datetime import date

from cultivation.database import DbSession
from cultivation.parameters.services import readable_table
from cultivation.reports.indicators import INDICATORS
from cultivation.reports.models import Target


def summed_targets(county: list[Target], codes: tuple[str, ...]) -> dict[int, float | None]:
    """Year → the sum of ``codes``' county targets (years where every one has a value)."""
    values: dict[int, dict[str, float]] = {}
    for t in county:
        if t.indicator in codes and t.value is not None:
            values.setdefault(t.year, {})[t.indicator] = t.value
    return {y: sum(v.values()) for y, v in sorted(values.items()) if len(v) == len(codes)}


def closed_parameters(session: DbSession, today: date) -> set[str]:
    """The indicators' closing parameters in force today (reads only: stored values, and the
    bundled ones of keys not stored yet)."""
    keys = {i.closed_by for i in INDICATORS.values() if i.closed_by}
    if not keys:
        return set()
    table = readable_table(session)
    return {key for key in keys if any(v.covers(today) and v.value for v in table.history(key))}
