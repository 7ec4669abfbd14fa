"""URL converters: ``<int:…>`` ids beyond the id columns' INTEGER (32-bit) do not match a route
(404), instead of reaching the database and overflowing its integer type (500 on PostgreSQL)."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter

INTEGER_MAX = 2**31 - 1  # every id column is INTEGER


class BoundedIntConverter(IntegerConverter):
    """Werkzeug's ``int`` converter with the upper bound of an INTEGER id column."""

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = INTEGER_MAX, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)
