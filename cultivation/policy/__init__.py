"""The pure policy engine: facts in, verdicts out, parameters dated and sourced.

No Flask and no SQLAlchemy here: the screening job, the firm page, the what-if calculator
and the API all call ``evaluate(rules_name, facts, as_of, params)``.
"""

from cultivation.policy.bands import Band, BandTable
from cultivation.policy.catalogue import PARAMETER_CATALOGUE, ParameterSpec
from cultivation.policy.facts import Facts, FiscalYear, SelfAssessment
from cultivation.policy.facts_json import FactsError, facts_from_json
from cultivation.policy.parameters import (
    ParameterError,
    ParameterTable,
    ParameterValue,
    default_parameters,
    load_parameters,
)
from cultivation.policy.rules import RULE_SETS, UnknownRuleSet, evaluate, normalise_rules_name
from cultivation.policy.verdicts import Criterion, Outcome, Verdict, verdict_to_json

__all__ = [
    "PARAMETER_CATALOGUE",
    "RULE_SETS",
    "Band",
    "BandTable",
    "Criterion",
    "Facts",
    "FactsError",
    "FiscalYear",
    "Outcome",
    "ParameterError",
    "ParameterSpec",
    "ParameterTable",
    "ParameterValue",
    "SelfAssessment",
    "UnknownRuleSet",
    "Verdict",
    "default_parameters",
    "evaluate",
    "facts_from_json",
    "load_parameters",
    "normalise_rules_name",
    "verdict_to_json",
]
