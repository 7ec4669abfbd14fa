"""Seeds that a newer dated version supersedes: a value seeded open-ended (before the version
that replaces it existed) ends where the seed YAML now ends it — unless an admin changed it."""

from __future__ import annotations

from collections.abc import Sequence

from cultivation.parameters.models import PolicyParameter
from cultivation.policy import ParameterValue


def close_superseded(rows: Sequence[PolicyParameter], seeds: Sequence[ParameterValue]) -> int:
    """Give each stored seed row still open the end its seed now has (e.g. the pre-2025
    省企业研究院 values end on 2024-12-31); returns how many rows were closed."""
    ends = {(v.key, v.valid_from): v.valid_to for v in seeds if v.valid_to is not None}
    closed = 0
    for row in rows:
        end = ends.get((row.key, row.valid_from))
        if end is not None and row.valid_to is None and row.origin == "seed":
            row.valid_to = end
            closed += 1
    return closed
