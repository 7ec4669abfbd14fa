"""Verdicts: every criterion with its gap, the outcome, the score and the parameters used."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from cultivation.policy.numbers import JSONValue
from cultivation.policy.parameters import ParameterValue

Outcome = Literal["eligible", "borderline", "incomplete", "ineligible"]


@dataclass(frozen=True, init=False)
class Criterion:
    """One condition: passed is True / False, or None when it cannot be decided yet.

    ``borderline`` marks a None that comes from an expert-judged score range straddling
    the pass mark (not from missing data): it makes the outcome ``borderline``.
    ``soft`` marks a condition shown for information ("原则上应…"): it never decides the
    outcome, whatever ``passed`` is; its JSON carries ``"soft": true``.
    """

    id: str
    label: str
    passed: bool | None
    actual: JSONValue = None
    required: JSONValue = None
    gap: str | None = None
    gap_value: float | None = None
    unit: str | None = None
    years: tuple[int, ...] = ()
    note: str | None = None
    borderline: bool = False
    soft: bool = False

    def __init__(
        self,
        id: str,  # noqa: A002 (the criterion's id in the Verdict JSON)
        label: str,
        passed: bool | None,
        actual: JSONValue = None,
        required: JSONValue = None,
        gap: str | None = None,
        gap_value: float | None = None,
        unit: str | None = None,
        years: tuple[int, ...] = (),
        note: str | None = None,
        borderline: bool = False,
        soft: bool = False,
    ) -> None:
        # The generated frozen __init__ sets each field through object.__setattr__; a verdict
        # builds about ten criteria, a full screening run millions: one dict update instead.
        self.__dict__.update(id=id, label=label, passed=passed, actual=actual,
                             required=required, gap=gap, gap_value=gap_value, unit=unit,
                             years=years, note=note, borderline=borderline, soft=soft)

    def to_json(self) -> dict[str, JSONValue]:
        """The criterion as Verdict JSON."""
        out: dict[str, JSONValue] = {
            "id": self.id,
            "label": self.label,
            "passed": self.passed,
            "actual": self.actual,
            "required": self.required,
            "gap": self.gap,
            "gap_value": self.gap_value,
            "unit": self.unit,
            "years": list(self.years),
            "note": self.note,
        }
        if self.soft:
            out["soft"] = True
        return out

    def to_compact_json(self) -> dict[str, JSONValue]:
        """``to_json`` without the null and empty fields (``passed`` always kept), same order."""
        out: dict[str, JSONValue] = {"id": self.id, "label": self.label, "passed": self.passed}
        actual, required = self.actual, self.required
        if actual is not None and actual != []:
            out["actual"] = actual
        if required is not None and required != []:
            out["required"] = required
        if self.gap is not None:
            out["gap"] = self.gap
        if self.gap_value is not None:
            out["gap_value"] = self.gap_value
        if self.unit is not None:
            out["unit"] = self.unit
        if self.years:
            out["years"] = list(self.years)
        if self.note is not None:
            out["note"] = self.note
        if self.soft:
            out["soft"] = True
        return out


@dataclass(frozen=True)
class Verdict:
    """The result of one rule set for one firm as of one date."""

    rules: str
    as_of: date
    outcome: Outcome
    criteria: tuple[Criterion, ...]
    score: dict[str, JSONValue] | None = None
    parameters: tuple[ParameterValue, ...] = ()
    direct_pass: str | None = None  # the reason code when a direct-pass condition applies
    offers_direct_pass: bool = False  # whether this rule set has direct passes (tech-sme)

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this id (KeyError if the rule set has none)."""
        for item in self.criteria:
            if item.id == criterion_id:
                return item
        raise KeyError(criterion_id)


def decide_outcome(criteria: Iterable[Criterion]) -> Outcome:
    """ineligible if any fails; incomplete if data is missing; borderline; else eligible.
    Soft criteria are left out."""
    items = [c for c in criteria if not c.soft]
    if any(c.passed is False for c in items):
        return "ineligible"
    if any(c.passed is None and not c.borderline for c in items):
        return "incomplete"
    if any(c.passed is None for c in items):
        return "borderline"
    return "eligible"


def verdict_to_json(verdict: Verdict) -> dict[str, JSONValue]:
    """The Verdict JSON (docs/architecture.md, "Interfaces"; plus ``direct_pass`` for tech-sme)."""
    out: dict[str, JSONValue] = {
        "rules": verdict.rules,
        "as_of": verdict.as_of.isoformat(),
        "outcome": verdict.outcome,
        "criteria": [c.to_json() for c in verdict.criteria],
        "score": verdict.score,
        "parameters": [
            {
                "key": p.key,
                "value": p.value_json(),
                "source": p.source,
                "confirmed": p.confirmed,
            }
            for p in verdict.parameters
        ],
    }
    if verdict.offers_direct_pass:
        out["direct_pass"] = verdict.direct_pass
    return out
