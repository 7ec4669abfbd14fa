"""Band tables: contiguous numeric intervals, each carrying points, a rate or an amount.

YAML form (one mapping per band; order does not matter, gaps and overlaps are rejected)::

    - {max: 5000, max_inclusive: true, rate: 0.05}
    - {min: 5000, min_inclusive: false, max: 20000, max_inclusive: true, rate: 0.04}
    - {min: 20000, min_inclusive: false, rate: 0.03}

``min_inclusive`` defaults to true and ``max_inclusive`` to false, so the usual
"lower bound inclusive" bands need no flags. ``points`` is an integer or an
inclusive ``[low, high]`` range (expert judgment picks a point inside it).

An ``rd_test`` table (R&D intensity and amount tested together) gives every band a
``rate``, an ``amount`` and ``combine``: ``all`` (both must hold) or ``any`` (either)::

    - {max: 5000, rate: 0.05, amount: 100, combine: all}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

from cultivation.policy.numbers import JSONValue, decimal_to_json, to_decimal

Payload = Literal["points", "rate", "amount", "rd_test"]
PAYLOADS: tuple[Payload, ...] = ("points", "rate", "amount", "rd_test")
Combine = Literal["all", "any"]
COMBINE_WORDS: dict[str, str] = {"all": "且", "any": "或"}
# The fields each payload requires in a band (rd_test: both thresholds and how they combine).
_PAYLOAD_FIELDS: dict[str, tuple[str, ...]] = {
    "points": ("points",),
    "rate": ("rate",),
    "amount": ("amount",),
    "rd_test": ("rate", "amount", "combine"),
}
_VALUE_FIELDS = ("points", "rate", "amount", "combine")
_BAND_FIELDS = frozenset({"min", "max", "min_inclusive", "max_inclusive", *_VALUE_FIELDS})


class BandError(ValueError):
    """A band table that is malformed (raised with a Chinese message)."""


@dataclass(frozen=True)
class Band:
    """One interval of a band table and what it yields."""

    lower: Decimal | None
    upper: Decimal | None
    lower_inclusive: bool = True
    upper_inclusive: bool = False
    points: tuple[int, int] | None = None
    rate: Decimal | None = None
    amount: Decimal | None = None
    combine: Combine | None = None

    def contains(self, x: Decimal) -> bool:
        """Whether ``x`` lies inside this band."""
        if self.lower is not None and (
            x < self.lower or (x == self.lower and not self.lower_inclusive)
        ):
            return False
        return not (
            self.upper is not None
            and (x > self.upper or (x == self.upper and not self.upper_inclusive))
        )

    def describe(self) -> str:
        """Chinese interval text, e.g. "≥ 5000 且 ≤ 20000"."""
        parts = []
        if self.lower is not None:
            parts.append(f"{'≥' if self.lower_inclusive else '>'} {decimal_to_json(self.lower)}")
        if self.upper is not None:
            parts.append(f"{'≤' if self.upper_inclusive else '<'} {decimal_to_json(self.upper)}")
        return " 且 ".join(parts) or "任意值"

    def to_json(self) -> dict[str, JSONValue]:
        """The YAML/JSON mapping this band was read from (normalised)."""
        out: dict[str, JSONValue] = {}
        if self.lower is not None:
            out["min"] = decimal_to_json(self.lower)
            out["min_inclusive"] = self.lower_inclusive
        if self.upper is not None:
            out["max"] = decimal_to_json(self.upper)
            out["max_inclusive"] = self.upper_inclusive
        if self.points is not None:
            low, high = self.points
            out["points"] = low if low == high else [low, high]
        if self.rate is not None:
            out["rate"] = decimal_to_json(self.rate)
        if self.amount is not None:
            out["amount"] = decimal_to_json(self.amount)
        if self.combine is not None:
            out["combine"] = self.combine
        return out


@dataclass(frozen=True)
class BandTable:
    """Contiguous, non-overlapping bands sorted from low to high."""

    payload: Payload
    bands: tuple[Band, ...]

    def find(self, x: Decimal) -> Band:
        """The band containing ``x``; BandError when the table does not cover it."""
        for band in self.bands:
            if band.contains(x):
                return band
        raise BandError(f"数值 {decimal_to_json(x)} 不在分段表覆盖的范围内")

    def points_range(self) -> tuple[int, int]:
        """The lowest and highest points any band can give."""
        pairs = [b.points for b in self.bands if b.points is not None]
        return min(p[0] for p in pairs), max(p[1] for p in pairs)

    def first_scoring_band(self) -> Band | None:
        """The lowest band that gives more than zero points."""
        return next((b for b in self.bands if b.points is not None and b.points[1] > 0), None)

    def to_json(self) -> list[JSONValue]:
        """The normalised list of band mappings."""
        return [b.to_json() for b in self.bands]


def parse_band_table(raw: object, payload: Payload) -> BandTable:
    """Build a BandTable from YAML data, rejecting anything malformed."""
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        raise BandError("分段表必须是非空列表")
    bands = [_parse_band(item, payload, i) for i, item in enumerate(raw)]
    bands.sort(key=lambda b: (b.lower is not None, b.lower or Decimal(0)))
    _check_contiguous(bands)
    return BandTable(payload=payload, bands=tuple(bands))


def _parse_band(raw: object, payload: Payload, index: int) -> Band:
    where = f"第 {index + 1} 段"
    if not isinstance(raw, Mapping):
        raise BandError(f"{where}必须是映射（min / max / {payload}）")
    unknown = sorted(str(k) for k in raw if k not in _BAND_FIELDS)
    if unknown:
        raise BandError(f"{where}含未知字段：{', '.join(unknown)}")
    given = [p for p in _VALUE_FIELDS if p in raw]
    wanted = list(_PAYLOAD_FIELDS[payload])
    if given != wanted:
        raise BandError(
            f"{where}必须且只能给出 {' / '.join(wanted)}（实际：{', '.join(given) or '无'}）"
        )
    lower = _bound(raw.get("min"), where, "min")
    upper = _bound(raw.get("max"), where, "max")
    lower_inc = _flag(raw.get("min_inclusive", True), where, "min_inclusive")
    upper_inc = _flag(raw.get("max_inclusive", False), where, "max_inclusive")
    if (
        lower is not None
        and upper is not None
        and (lower > upper or (lower == upper and not (lower_inc and upper_inc)))
    ):
        raise BandError(f"{where}的区间为空（min {lower}，max {upper}）")
    band = Band(lower, upper, lower_inc, upper_inc)
    if payload == "points":
        return replace(band, points=_points(raw["points"], where))
    if "rate" in raw:
        band = replace(band, rate=_number(raw["rate"], where, "rate"))
    if "amount" in raw:
        band = replace(band, amount=_number(raw["amount"], where, "amount"))
    if "combine" in raw:
        combine = raw["combine"]
        if combine not in COMBINE_WORDS:
            raise BandError(f"{where}的 combine 必须是 all（同时满足）或 any（满足其一）")
        band = replace(band, combine=combine)
    return band


def _number(value: object, where: str, name: str) -> Decimal:
    number = _bound(value, where, name)
    if number is None or number < 0 or (name == "rate" and number > 1):
        raise BandError(f"{where}的 {name} 必须是{'0 到 1 之间的' if name == 'rate' else '非负'}数")
    return number


def _bound(value: object, where: str, name: str) -> Decimal | None:
    if value is None:
        return None
    number = to_decimal(value)
    if number is None:
        raise BandError(f"{where}的 {name} 必须是数字")
    return number


def _flag(value: object, where: str, name: str) -> bool:
    if not isinstance(value, bool):
        raise BandError(f"{where}的 {name} 必须是 true 或 false")
    return value


def _points(value: object, where: str) -> tuple[int, int]:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value, value
    if (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)
        and value[0] <= value[1]
    ):
        return int(value[0]), int(value[1])
    raise BandError(f"{where}的 points 必须是非负整数或 [低, 高] 区间")


def _check_contiguous(bands: list[Band]) -> None:
    if bands[0].lower is None and len([b for b in bands if b.lower is None]) > 1:
        raise BandError("只能有一段没有下限（min）")
    for before, after in zip(bands, bands[1:], strict=False):
        if before.upper is None:
            raise BandError("只有最高一段可以没有上限（max）")
        edge = decimal_to_json(before.upper)
        if after.lower != before.upper:
            raise BandError(f"分段不连续或重叠：一段止于 {edge}，下一段始于 {after.lower}")
        if before.upper_inclusive == after.lower_inclusive:
            state = "重叠" if before.upper_inclusive else "遗漏"
            raise BandError(f"分段在 {edge} 处{state}：恰好一段应包含该端点")
