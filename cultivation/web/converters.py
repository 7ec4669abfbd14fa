"""URL converters: ``<int:…>`` ids beyond SQL's BIGINT do not match a route (404), instead of
reaching the database and overflowing its integer type (500)."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter

BIGINT_MAX = 2**63 - 1


class BoundedIntConverter(IntegerConverter):
    """Werkzeug's ``int`` converter with an upper bound that every database accepts."""

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = BIGINT_MAX, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)
