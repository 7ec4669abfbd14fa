"""docs/policy-parameters.md is generated from the seed YAML and must stay in step with it."""

from __future__ import annotations

from cultivation.parameters.doc import DOC, render
from cultivation.policy import PARAMETER_CATALOGUE, default_parameters


def test_the_parameter_document_matches_the_seeds():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/policy-parameters.md is stale: run python -m cultivation.parameters.doc "
        "--write")


def test_every_catalogue_key_and_every_unconfirmed_value_is_in_the_document():
    text = render()
    for key in PARAMETER_CATALOGUE:
        assert f"| `{key}` |" in text, key
    unconfirmed = [v for v in default_parameters().all_values() if not v.confirmed]
    assert text.count("**待确认**") == len(unconfirmed)
