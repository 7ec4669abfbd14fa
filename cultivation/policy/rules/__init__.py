"""The rule sets by name, and ``evaluate`` to run one of them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from cultivation.policy.facts import Facts
from cultivation.policy.parameters import ParameterTable, default_parameters
from cultivation.policy.rules.hnte import evaluate_hnte
from cultivation.policy.rules.tech_sme import evaluate_tech_sme
from cultivation.policy.rules.thresholds import (
    evaluate_leading,
    evaluate_provincial_hnte_center,
    evaluate_provincial_institute,
)
from cultivation.policy.rules.zj_tech_sme import evaluate_zj_tech_sme
from cultivation.policy.verdicts import Verdict

Rule = Callable[[Facts, date, ParameterTable], Verdict]

RULE_SETS: dict[str, Rule] = {
    "hnte": evaluate_hnte,
    "tech-sme": evaluate_tech_sme,
    "zj-tech-sme": evaluate_zj_tech_sme,
    "provincial-hnte-center": evaluate_provincial_hnte_center,
    "provincial-institute": evaluate_provincial_institute,
    "leading": evaluate_leading,
}


class UnknownRuleSet(ValueError):
    """A rule-set name that RULE_SETS does not know (Chinese message)."""


def normalise_rules_name(name: str) -> str:
    """The canonical rule-set name: ``tech_sme`` / ``Tech-SME`` → ``tech-sme``."""
    canonical = name.strip().lower().replace("_", "-")
    if canonical not in RULE_SETS:
        known = "、".join(RULE_SETS)
        raise UnknownRuleSet(f"未知的规则集 {name!r}，可用：{known}")
    return canonical


def evaluate(
    rules_name: str, facts: Facts, as_of: date, params: ParameterTable | None = None
) -> Verdict:
    """Run rule set ``rules_name`` on ``facts`` as of ``as_of`` (default: seed parameters)."""
    rule = RULE_SETS[normalise_rules_name(rules_name)]
    return rule(facts, as_of, default_parameters() if params is None else params)
