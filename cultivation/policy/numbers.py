"""Exact decimal arithmetic for policy figures and their JSON / Chinese text forms.

Every ratio is compared in ``Decimal`` so that the inclusive edges the policy texts
name (exactly 10 % staff, exactly 5 % R&D, sales of exactly 5,000 万) behave as written;
floats coming from JSON or the database are converted through their shortest repr.
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

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


SHARE_DIGITS = 1  # a measured share: 0.222222 → "22.2%"
RATE_DIGITS = 2  # a policy rate as its document writes it: 0.05 → "5%", 0.0125 → "1.25%"


def percent(value: Decimal | float | int | None, digits: int = SHARE_DIGITS, *,
            rounding: str = ROUND_HALF_UP) -> str:
    """A ratio as percent text — the one formatter of shares on pages, in mail and in verdict
    text: ``digits`` decimals, trailing zeros dropped (0.222222 → "22.2%", 0.05 → "5%"); "—"
    for a missing value. ``rounding=ROUND_FLOOR`` for a share that falls short of a minimum, so
    59.96 % never reads as the 60 % it misses; ``digits=RATE_DIGITS`` for policy rates."""
    number = value if isinstance(value, Decimal) else to_decimal(value)
    if number is None:
        return "—"
    scaled = (number * 100).quantize(Decimal(1).scaleb(-digits), rounding=rounding)
    return f"{plain(scaled)}%"


def share_floor(value: Decimal) -> str:
    """A share compared with minimums or score bands: one decimal rounded down (4.57 % →
    "4.5%", 19.96 % → "19.9%"), so it never reads as an edge it has not reached."""
    return percent(value, rounding=ROUND_FLOOR)


def points_up(points: Decimal) -> Decimal:
    """Percentage points still missing, rounded up to 0.1 (never shown as 0): with
    ``share_floor`` the two add up to the minimum (4.5% + 0.5 = 5%)."""
    return max(points.quantize(Decimal("0.1"), rounding=ROUND_CEILING), Decimal("0.1"))


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
