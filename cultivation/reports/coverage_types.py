"""三覆盖 rules (``coverage_rules.yaml``) and the result types of ``reports.coverage``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from cultivation.qualifications.models import INSTITUTION_KINDS

RULES_FILE = Path(__file__).with_name("coverage_rules.yaml")
KINDS = ("listed", "above_scale_hnte", "above_scale_tech")


@dataclass(frozen=True)
class CoverageRule:
    """One of the three populations and the institution kinds that cover it."""

    kind: str
    label: str
    population_label: str
    covered_by: tuple[str, ...]


@lru_cache(maxsize=1)
def coverage_rules() -> dict[str, CoverageRule]:
    """The three rules from ``coverage_rules.yaml`` ("any" = every institution kind)."""
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    rules = {}
    for kind in KINDS:
        entry = data[kind]
        kinds = entry["covered_by"]
        covered = tuple(INSTITUTION_KINDS) if kinds == "any" else tuple(str(k) for k in kinds)
        unknown = set(covered) - set(INSTITUTION_KINDS)
        if unknown:
            raise ValueError(f"{RULES_FILE}: unknown institution kinds {sorted(unknown)}")
        rules[kind] = CoverageRule(kind, str(entry["label"]), str(entry["population"]), covered)
    return rules


@dataclass(frozen=True)
class UncoveredFirm:
    """A firm in at least one population without a covering institution."""

    credit_code: str
    name: str
    town: str
    industry: str | None
    advisor: str | None
    advisor_name: str | None
    gaps: tuple[str, ...]  # the population kinds it is not covered in

    @property
    def gap_labels(self) -> str:
        rules = coverage_rules()
        return "；".join(rules[k].population_label for k in self.gaps)


@dataclass
class PopulationCoverage:
    """Population, covered count, rate (None when the population is empty), uncovered firms."""

    kind: str
    population: int = 0
    covered: int = 0
    uncovered: list[UncoveredFirm] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return self.covered / self.population if self.population else None

    @property
    def rule(self) -> CoverageRule:
        return coverage_rules()[self.kind]

    def as_json(self) -> dict[str, Any]:
        return {"population": self.population, "covered": self.covered, "rate": self.rate,
                "uncovered": sorted(f.credit_code for f in self.uncovered)}


@dataclass
class CoverageReport:
    """三覆盖 as of one date."""

    as_of: date
    populations: dict[str, PopulationCoverage]

    def as_json(self) -> dict[str, Any]:
        """The API shape (one block per population, see the OpenAPI document) plus ``as_of``."""
        body: dict[str, Any] = {"as_of": self.as_of.isoformat()}
        body.update({kind: pop.as_json() for kind, pop in self.populations.items()})
        return body

    @property
    def uncovered(self) -> list[UncoveredFirm]:
        """Every uncovered firm once, whatever the number of gaps."""
        seen: dict[str, UncoveredFirm] = {}
        for pop in self.populations.values():
            for firm in pop.uncovered:
                seen.setdefault(firm.credit_code, firm)
        return sorted(seen.values(), key=lambda f: (f.town, f.name))


@dataclass(frozen=True)
class CoverageGroup:
    """Population and covered counts of the three kinds for one town or advisor."""

    key: str | None
    label: str
    counts: dict[str, tuple[int, int]]  # kind -> (population, covered)

    def rate(self, kind: str) -> float | None:
        population, covered = self.counts[kind]
        return covered / population if population else None
