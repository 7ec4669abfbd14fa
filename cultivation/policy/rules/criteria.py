"""Criterion builders shared by the rule sets: shares, bounds, flags, ages, alternatives."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from cultivation.policy.facts import Facts
from cultivation.policy.numbers import (
    RATE_DIGITS,
    JSONValue,
    ceil_int,
    decimal_to_json,
    money_up,
    percent,
    plain,
    ratio,
    ratio_to_json,
)
from cultivation.policy.rules.base import FIELD_LABELS, HEADCOUNTS, Quantity, total
from cultivation.policy.verdicts import Criterion


def missing_criterion(
    cid: str,
    label: str,
    missing: tuple[str, ...],
    *,
    required: JSONValue | Decimal = None,
    years: tuple[int, ...] = (),
) -> Criterion:
    """A criterion that cannot be decided because data is missing."""
    return Criterion(
        id=cid,
        label=label,
        passed=None,
        required=_json(required),
        years=years,
        gap="缺少数据：" + "、".join(missing),
    )


def share_criterion(
    cid: str,
    label: str,
    facts: Facts,
    years: tuple[int, ...],
    part: str,
    whole: str,
    minimum: Decimal,
    *,
    note: str | None = None,
) -> Criterion:
    """``sum(part) / sum(whole) ≥ minimum`` over ``years``; the gap is in the part's unit."""
    numerator, denominator = total(facts, years, part), total(facts, years, whole)
    required = ratio_to_json(minimum)
    if numerator.value is None or denominator.value is None:
        missing = numerator.missing + denominator.missing
        return missing_criterion(cid, label, missing, required=required, years=years)
    share = ratio(numerator.value, denominator.value)
    if share is None:
        return Criterion(
            id=cid,
            label=label,
            passed=False,
            required=required,
            years=years,
            note=note,
            gap=f"{FIELD_LABELS[whole]}为 0，无法达到 {percent(minimum, RATE_DIGITS)}",
        )
    passed = share >= minimum
    gap, gap_value, unit = None, None, None
    if not passed:
        gap, gap_value, unit = shortfall(part, minimum * denominator.value - numerator.value)
    return Criterion(
        id=cid,
        label=label,
        passed=passed,
        actual=ratio_to_json(share),
        required=required,
        gap=gap,
        gap_value=gap_value,
        unit=unit,
        years=years,
        note=note,
    )


def shortfall(name: str, missing_amount: Decimal) -> tuple[str, float, str]:
    """Gap text, value and unit for a figure that must grow by ``missing_amount``."""
    if name in HEADCOUNTS:
        people = max(ceil_int(missing_amount), 1)
        return f"{FIELD_LABELS[name]}还差 {people} 人", float(people), "人"
    amount = money_up(missing_amount)
    return f"{FIELD_LABELS[name]}还差 {plain(amount)} 万元", float(amount), "万元"


def bound_criterion(
    cid: str,
    label: str,
    actual: Quantity,
    bound: Decimal,
    *,
    upper: bool,
    unit: str,
    noun: str,
    years: tuple[int, ...] = (),
    note: str | None = None,
    inclusive: bool = True,
) -> Criterion:
    """``actual ≤ bound`` (upper) or ``actual ≥ bound`` (strict unless inclusive), with the gap."""
    if actual.value is None:
        return missing_criterion(cid, label, actual.missing, required=bound, years=years)
    value = actual.value
    if inclusive:
        passed = value <= bound if upper else value >= bound
    else:
        passed = value < bound if upper else value > bound
    difference = abs(value - bound)
    gap = None
    if not passed and inclusive:
        gap = f"{noun}{'超出上限' if upper else '还差'} {plain(difference)} {unit}"
    elif not passed:
        gap = f"{noun}需{'低于' if upper else '高于'} {plain(bound)} {unit}（现为 {plain(value)}）"
    return Criterion(
        id=cid,
        label=label,
        passed=passed,
        actual=decimal_to_json(value),
        required=decimal_to_json(bound),
        gap=gap,
        gap_value=None if passed else float(difference),
        unit=unit,
        years=years,
        note=note,
    )


def minimum_criterion(
    cid: str,
    label: str,
    actual: Quantity,
    minimum: Decimal,
    unit: str,
    *,
    years: tuple[int, ...] = (),
    note: str | None = None,
) -> Criterion:
    """``actual ≥ minimum`` (inclusive); the gap is named after the label."""
    return bound_criterion(
        cid, label, actual, minimum, upper=False, unit=unit, noun=label, years=years, note=note
    )


def flag_criterion(
    cid: str,
    label: str,
    value: bool | None,
    *,
    expected: bool,
    missing: str,
    fix: str,
) -> Criterion:
    """A yes/no condition: passes when ``value == expected``."""
    if value is None:
        return missing_criterion(cid, label, (missing,), required=expected)
    passed = value == expected
    return Criterion(
        id=cid,
        label=label,
        passed=passed,
        actual=value,
        required=expected,
        gap=None if passed else fix,
    )


def age_criterion(
    cid: str,
    label: str,
    since: date | None,
    as_of: date,
    min_days: int,
    *,
    missing: str,
) -> Criterion:
    """At least ``min_days`` calendar days from ``since`` to ``as_of``."""
    if since is None:
        return missing_criterion(cid, label, (missing,), required=min_days)
    days = (as_of - since).days
    passed = days >= min_days
    gap, gap_value = None, None
    if not passed:
        gap_value = float(min_days - days)
        gap = f"还需 {min_days - days} 天"
        if since <= date.max - timedelta(days=min_days):  # a typo like 9999-12-31 overflows
            gap += f"（{(since + timedelta(days=min_days)).isoformat()} 起满足）"
    return Criterion(
        id=cid,
        label=label,
        passed=passed,
        actual=days,
        required=min_days,
        gap=gap,
        gap_value=gap_value,
        unit="天",
    )


def _json(value: JSONValue | Decimal) -> JSONValue:
    if isinstance(value, Decimal):
        return decimal_to_json(value)
    return value


def any_of(cid: str, label: str, alternatives: tuple[Criterion, ...]) -> Criterion:
    """Passes when any alternative passes; fails only when every alternative fails."""
    results = [c.passed for c in alternatives]
    passed = True if True in results else (None if None in results else False)
    gaps = [c.gap for c in alternatives if c.gap]
    first_gap = next((c for c in alternatives if c.gap_value is not None), None)
    notes = [c.note for c in alternatives if c.note]
    return Criterion(
        id=cid,
        label=label,
        passed=passed,
        actual={c.id: c.actual for c in alternatives},
        required={c.id: c.required for c in alternatives},
        gap=None if passed else "；或".join(gaps) or None,
        gap_value=None if passed or first_gap is None else first_gap.gap_value,
        unit=None if passed or first_gap is None else first_gap.unit,
        years=tuple(sorted({y for c in alternatives for y in c.years})),
        note="；".join(notes) or None,
    )
