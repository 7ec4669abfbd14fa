"""Rule-set names and the evaluate entry point."""

from __future__ import annotations

import json
from datetime import date

import pytest

from cultivation.policy import RULE_SETS, UnknownRuleSet, evaluate, verdict_to_json

AS_OF = date(2026, 6, 30)


def test_every_rule_set_of_the_design_is_registered():
    assert set(RULE_SETS) == {
        "hnte",
        "tech-sme",
        "zj-tech-sme",
        "provincial-hnte-center",
        "provincial-institute",
        "leading",
    }


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("tech_sme", "tech-sme"),
        ("Zj_Tech_SME", "zj-tech-sme"),
        (" provincial_institute ", "provincial-institute"),
    ],
)
def test_underscored_and_capitalised_names_are_accepted(make_facts, params, name, canonical):
    assert evaluate(name, make_facts(), AS_OF, params).rules == canonical


def test_an_unknown_rule_set_is_refused_in_chinese(make_facts, params):
    with pytest.raises(UnknownRuleSet, match="未知的规则集"):
        evaluate("hnte2", make_facts(), AS_OF, params)


def test_without_a_table_evaluate_uses_the_seed_parameters(make_facts, params):
    assert evaluate("hnte", make_facts(), AS_OF) == evaluate("hnte", make_facts(), AS_OF, params)


@pytest.mark.parametrize("rules", sorted(RULE_SETS))
def test_every_verdict_serialises_to_the_documented_json(make_facts, params, rules):
    data = verdict_to_json(evaluate(rules, make_facts(), AS_OF, params))
    assert {"rules", "as_of", "outcome", "criteria", "score", "parameters"} <= set(data)
    assert data["as_of"] == "2026-06-30"
    assert data["outcome"] in {"eligible", "borderline", "incomplete", "ineligible"}
    for criterion in data["criteria"]:
        assert {
            "id",
            "label",
            "passed",
            "actual",
            "required",
            "gap",
            "gap_value",
            "unit",
            "years",
        } <= set(criterion)
    for parameter in data["parameters"]:
        assert set(parameter) == {"key", "value", "source", "confirmed"}
    json.dumps(data, ensure_ascii=False)  # plain JSON types only: no Decimal, no date


@pytest.mark.parametrize("name", sorted(RULE_SETS))
def test_a_mistyped_far_future_date_gives_a_verdict_instead_of_crashing(make_facts, params, name):
    # 9999-12-31 + 365 days overflowed while writing "ready on …" (the API answered 500).
    facts = make_facts(registered_on=date.max, hnte_certified_on=date.max)
    verdict = evaluate(name, facts, AS_OF, params)
    assert json.loads(json.dumps(verdict_to_json(verdict)))["rules"] == name


def test_the_registration_age_gap_of_a_far_future_date_omits_the_ready_day(make_facts, params):
    verdict = evaluate("hnte", make_facts(registered_on=date.max), AS_OF, params)
    age = next(c for c in verdict.criteria if c.id == "registration_age")
    assert age.passed is False
    assert age.gap == f"还需 {365 - (AS_OF - date.max).days} 天"
