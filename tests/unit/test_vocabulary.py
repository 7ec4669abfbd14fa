"""Labels are defined once (``cultivation.vocabulary``): every code has its word, and no
template spells an outcome or tier label in an expression again."""

from __future__ import annotations

import re
from pathlib import Path

from cultivation import vocabulary
from cultivation.qualifications.tiers import TIERS
from cultivation.screening.queries import OUTCOMES

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# A label as a string literal inside a Jinja expression or statement: {{ … '符合' … }}
QUOTED = r"\{[{%][^}]*['\"](WORDS)['\"][^}]*[}%]\}"


def test_every_outcome_and_tier_has_a_label() -> None:
    assert set(vocabulary.OUTCOME_LABELS) == set(OUTCOMES) == set(vocabulary.OUTCOME_BADGES)
    assert set(vocabulary.TIER_LABELS) == set(TIERS)


def test_no_template_spells_an_outcome_or_tier_label() -> None:
    words = [*vocabulary.OUTCOME_LABELS.values(), *vocabulary.TIER_LABELS.values()]
    pattern = re.compile(QUOTED.replace("WORDS", "|".join(map(re.escape, words))))
    found = {path.relative_to(TEMPLATES).as_posix(): pattern.findall(path.read_text("utf-8"))
             for path in TEMPLATES.rglob("*.html")}
    assert {name: hits for name, hits in found.items() if hits} == {}
