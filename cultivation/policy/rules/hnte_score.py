"""高企 创新能力评价 (国科发火〔2016〕195号 工作指引) as a range of possible scores.

Items judged by experts (技术先进程度, 核心支持作用, 研发组织管理水平) span their whole band
unless the advisor's self-assessment gives a point. Items computed from figures take the
band the figures fall in, and the experts' choice inside that band stays a range. A part
whose figures are missing spans every band and records what is missing, so a straddling
score can be told apart: ``borderline`` (judgment) versus ``incomplete`` (data).

Growth: rate = ½ × (y2/y1 + y3/y2) − 1 over the years used; y1 = 0 → y3/y2 − 1; y2 = 0 →
0 points. With two years the rate is y2/y1 − 1 (y1 = 0 → 0 points); with one year, 0 points.
A negative base (net assets below zero) also scores 0: the ratio has no meaning there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from cultivation.policy.bands import BandTable
from cultivation.policy.facts import Facts
from cultivation.policy.numbers import RATE_DIGITS, JSONValue, percent, plain, ratio_to_json
from cultivation.policy.rules.base import FIELD_LABELS, ParameterLookup, total

Points = tuple[int, int]


@dataclass(frozen=True, init=False)
class Part:
    """One part of the score: [low, high] points, with details and what data is missing."""

    low: int
    high: int
    detail: dict[str, JSONValue] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def __init__(self, low: int, high: int, detail: dict[str, JSONValue] | None = None,
                 missing: tuple[str, ...] = (), notes: tuple[str, ...] = ()) -> None:
        # One dict update instead of the frozen __init__'s object.__setattr__ per field.
        self.__dict__.update(low=low, high=high, detail={} if detail is None else detail,
                             missing=missing, notes=notes)

    def to_json(self) -> dict[str, JSONValue]:
        """The part as score JSON."""
        out: dict[str, JSONValue] = {"min": self.low, "max": self.high, **self.detail}
        out["missing"] = list(self.missing)
        out["notes"] = list(self.notes)
        return out


@dataclass(frozen=True)
class ScoreRange:
    """The whole 创新能力评价 as a range, with hints on what would raise it."""

    parts: dict[str, Part]
    hints: tuple[str, ...] = ()

    @cached_property  # read several times per verdict; the parts never change
    def low(self) -> int:
        """The lowest total the firm could be given."""
        return sum(p.low for p in self.parts.values())

    @cached_property  # read several times per verdict; the parts never change
    def high(self) -> int:
        """The highest total the firm could be given."""
        return sum(p.high for p in self.parts.values())

    @cached_property  # read several times per verdict; the parts never change
    def missing(self) -> tuple[str, ...]:
        """Every figure missing from any part."""
        return tuple(m for p in self.parts.values() for m in p.missing)

    @cached_property  # read several times per verdict; the parts never change
    def notes(self) -> tuple[str, ...]:
        """Every note from any part, then the hints."""
        return tuple(n for p in self.parts.values() for n in p.notes) + self.hints

    def to_json(self) -> dict[str, JSONValue]:
        """Score JSON: {"min", "max", "parts": {...}}."""
        return {
            "min": self.low,
            "max": self.high,
            "parts": {name: part.to_json() for name, part in self.parts.items()},
        }


def innovation_score(
    facts: Facts, years: tuple[int, ...], latest: int, p: ParameterLookup
) -> ScoreRange:
    """The four parts of the 创新能力评价 for the fiscal years used."""
    ip, hints = _ip_part(facts, latest, p)
    return ScoreRange(
        parts={
            "ip": ip,
            "conversion": _conversion_part(facts, years, p),
            "rd_management": _judged_part(
                facts.self_assessment.rd_management,
                p.integer("hnte.score.rd_management_max"),
                "研究开发组织管理水平",
            ),
            "growth": _growth_part(facts, years, p),
        },
        hints=hints,
    )


def _judged(value: int | None, maximum: int) -> Points:
    if value is None:
        return 0, maximum
    point = min(value, maximum)
    return point, point


def _judged_part(value: int | None, maximum: int, label: str) -> Part:
    low, high = _judged(value, maximum)
    notes = (
        (f"{label}自评 {value} 分超过满分，按 {maximum} 分计",) if (value or 0) > maximum else ()
    )
    return Part(low, high, {"self_assessed": value is not None}, notes=notes)


def _ip_part(facts: Facts, latest: int, p: ParameterLookup) -> tuple[Part, tuple[str, ...]]:
    assessment = facts.self_assessment
    fiscal_year = facts.year(latest)
    class_i = None if fiscal_year is None else fiscal_year.ip_class_i
    class_ii = None if fiscal_year is None else fiscal_year.ip_class_ii
    bands_i = p.bands("hnte.score.ip_quantity_class_i_bands")
    bands_ii = p.bands("hnte.score.ip_quantity_class_ii_bands")
    no_ip = class_i == 0 and class_ii == 0
    missing: list[str] = []
    items: dict[str, Points] = {
        "tech_advancement": _judged(
            assessment.tech_advancement, p.integer("hnte.score.tech_advancement_max")
        ),
        "core_support": _judged(assessment.core_support, p.integer("hnte.score.core_support_max")),
    }
    if class_i is None or class_ii is None:
        missing.append(f"{latest} 年知识产权项数")
        low_i, high_i = bands_i.points_range()
        low_ii, high_ii = bands_ii.points_range()
        items["quantity"] = (min(low_i, low_ii), max(high_i, high_ii))
    else:
        items["quantity"] = _best(bands_i, Decimal(class_i), bands_ii, Decimal(class_ii))
    acquisition_min = p.integer("hnte.score.ip_acquisition_min")
    self_max = p.integer("hnte.score.ip_acquisition_self_developed_max")
    if no_ip:
        items["acquisition"] = (0, 0)
    elif facts.ip_self_developed is None:
        missing.append("知识产权是否自主研发")
        items["acquisition"] = (acquisition_min, self_max)
    else:
        other_max = p.integer("hnte.score.ip_acquisition_other_max")
        items["acquisition"] = (acquisition_min, self_max if facts.ip_self_developed else other_max)
    bonus = p.integer("hnte.score.standard_bonus")
    # The 指引 scores "是" 1–2 points (expert judgment), like every other judged item.
    if facts.led_standard is None:
        missing.append("是否主导制定标准")
        items["standard_bonus"] = (0, bonus)
    else:
        bonus_min = min(p.integer("hnte.score.standard_bonus_min"), bonus)
        items["standard_bonus"] = (bonus_min, bonus) if facts.led_standard else (0, 0)
    notes: tuple[str, ...] = ()
    if no_ip:
        items["tech_advancement"] = items["core_support"] = (0, 0)
        notes = ("没有有效知识产权：知识产权部分仅可能获得标准加分",)
    cap = p.integer("hnte.score.ip_max")
    low = min(sum(v[0] for v in items.values()), cap)
    high = min(sum(v[1] for v in items.values()), cap)
    detail: dict[str, JSONValue] = {name: [v[0], v[1]] for name, v in items.items()}
    hints = _class_i_hint(class_i, items["quantity"], bands_i)
    return Part(low, high, detail, tuple(missing), notes), hints


def _best(bands_a: BandTable, a: Decimal, bands_b: BandTable, b: Decimal) -> Points:
    points_a, points_b = bands_a.find(a).points, bands_b.find(b).points
    # points tables always carry points
    assert points_a is not None
    assert points_b is not None
    return max(points_a[0], points_b[0]), max(points_a[1], points_b[1])


def _class_i_hint(class_i: int | None, quantity: Points, bands: BandTable) -> tuple[str, ...]:
    target = bands.first_scoring_band()
    if class_i is None or target is None or target.lower is None or target.points is None:
        return ()
    if target.points[1] <= quantity[1] or Decimal(class_i) >= target.lower:
        return ()
    needed = int(target.lower) - class_i
    low, high = target.points
    return (f"再需 {needed} 项Ⅰ类知识产权，知识产权数量可得 {low}–{high} 分",)


def _conversion_part(facts: Facts, years: tuple[int, ...], p: ParameterLookup) -> Part:
    bands = p.bands("hnte.score.conversion_bands")
    conversions = total(facts, years, "conversions")
    if conversions.value is None:
        low, high = bands.points_range()
        return Part(low, high, {"average": None}, conversions.missing)
    average = conversions.value / len(years)
    band = bands.find(average)
    assert band.points is not None
    return Part(
        *band.points,
        {"average": ratio_to_json(average)},
        notes=(f"近 {len(years)} 年年均成果转化 {plain(average.quantize(Decimal('0.01')))} 项",),
    )


def _growth_part(facts: Facts, years: tuple[int, ...], p: ParameterLookup) -> Part:
    bands = p.bands("hnte.score.growth_bands")
    edge = p.number("hnte.score.growth_note_rate")
    low = high = 0
    detail: dict[str, JSONValue] = {}
    missing: list[str] = []
    notes: list[str] = []
    for name in ("net_assets", "sales_revenue"):
        values = [total(facts, (y,), name) for y in years]
        gaps = [m for q in values for m in q.missing] or (
            [] if years else [f"{FIELD_LABELS[name]}（无可用会计年度）"]
        )
        if gaps:
            part_low, part_high = bands.points_range()
            missing.extend(gaps)
            detail[f"{name}_rate"] = None
        else:
            rate, reason = growth_rate([q.value for q in values if q.value is not None])
            part_low, part_high = (0, 0)
            if rate is not None:
                points = bands.find(rate).points
                assert points is not None
                part_low, part_high = points
                if rate == edge:
                    edge_text = percent(edge, RATE_DIGITS)
                    notes.append(
                        f"{FIELD_LABELS[name]}增长率恰为 {edge_text}：评分表写作"
                        f"“>{edge_text}”，正文为“≥{edge_text}”，按 ≥ 计分"
                    )
            else:
                notes.append(f"{FIELD_LABELS[name]}增长率：{reason}")
            detail[f"{name}_rate"] = ratio_to_json(rate)
        detail[f"{name}_points"] = [part_low, part_high]
        low, high = low + part_low, high + part_high
    return Part(low, high, detail, tuple(missing), tuple(notes))


def growth_rate(values: list[Decimal]) -> tuple[Decimal | None, str]:
    """The 指引's growth rate over 1–3 yearly values; None (0 points) with the reason."""
    if len(values) < 2:
        return None, "不足两个会计年度，按 0 分计"
    if any(v < 0 for v in values[:-1]):
        return None, "基数为负，按 0 分计"
    if len(values) == 2:
        first, second = values
        if first == 0:
            return None, "首年为 0，按 0 分计"
        return second / first - 1, ""
    first, second, third = values[-3:]
    if second == 0:
        return None, "第二年为 0，按 0 分计"
    if first == 0:
        return third / second - 1, ""
    return (second / first + third / second) / 2 - 1, ""
