"""Exact decimal arithmetic for policy figures and their JSON / Chinese text forms.

Every ratio is compared in ``Decimal`` so that the inclusive edges the policy texts
name (exactly 10 % staff, exactly 5 % R&D, sales of exactly 5,000 万) behave as written;
floats coming from JSON or the database are converted through their shortest repr.
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation

JSONValue = None | bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"]

_RATIO_PLACES = Decimal("0.000001")
_MONEY_PLACES = Decimal("0.01")


def to_decimal(value: object) -> Decimal | None:
    """A finite Decimal for an int, float, Decimal or numeric string; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            return None
        number = Decimal(repr(value))
    else:
        return None
    return number if number.is_finite() else None


def ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part / whole``, or None when the whole is zero."""
    if whole == 0:
        return None
    try:
        return part / whole
    except InvalidOperation:
        return None


def decimal_to_json(value: Decimal) -> int | float:
    """An int when the value is whole, else a float (for JSON output)."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def ratio_to_json(value: Decimal | None) -> float | None:
    """A ratio rounded to six decimals for JSON output."""
    if value is None:
        return None
    return float(value.quantize(_RATIO_PLACES, rounding=ROUND_HALF_UP))


def money_up(value: Decimal) -> Decimal:
    """Round a missing amount up to the fen-level 0.01 万元, so paying it really closes the gap."""
    return value.quantize(_MONEY_PLACES, rounding=ROUND_CEILING)


def plain(value: Decimal | int) -> str:
    """Chinese-friendly number text without trailing zeros: 38.50 → "38.5", 100 → "100"."""
    if isinstance(value, int):
        return str(value)
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def percent(value: Decimal) -> str:
    """A ratio as percent text with up to two decimals: 0.05 → "5%", 0.04567 → "4.57%"."""
    scaled = (value * 100).quantize(_MONEY_PLACES, rounding=ROUND_HALF_UP)
    return f"{plain(scaled)}%"


def ceil_int(value: Decimal) -> int:
    """The smallest integer ≥ value (for head counts and items still needed)."""
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def coerce_amounts(instance: object, names: tuple[str, ...]) -> None:
    """Turn a frozen dataclass's int and float fields ``names`` (e.g. database values) into exact
    Decimals in place; refuse anything else (TypeError)."""
    values = instance.__dict__
    for name in names:
        raw = values[name]
        kind = type(raw)
        if raw is None or kind is Decimal:
            continue
        if kind is float and math.isfinite(raw):  # the common cases (database values), inlined
            values[name] = Decimal(repr(raw))
            continue
        if kind is int:
            values[name] = Decimal(raw)
            continue
        number = to_decimal(raw)
        if number is None:
            raise TypeError(f"{name} must be a finite number, not {raw!r}")
        object.__setattr__(instance, name, number)
