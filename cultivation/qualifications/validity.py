"""How long a qualification lasts when its list or certificate gives no end date. Pure."""

from __future__ import annotations

from datetime import date, timedelta

# 高企 certificates last 3 years from the issue date; 科小 registrations one year.
VALIDITY_YEARS = {"hnte": 3, "zj_tech_sme": 1, "tech_sme": 1}


def default_valid_to(kind: str, valid_from: date) -> date | None:
    """The last valid day of a ``kind`` qualification starting on ``valid_from`` (None: open)."""
    years = VALIDITY_YEARS.get(kind)
    if years is None or valid_from.year + years > date.max.year:  # a typo like 9999-12-31
        return None
    try:
        end = valid_from.replace(year=valid_from.year + years)
    except ValueError:  # 29 February
        end = valid_from.replace(year=valid_from.year + years, day=28)
    return end - timedelta(days=1)
