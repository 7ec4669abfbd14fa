"""The 指引's standards item (参与编制标准, a bonus capped with the IP part at 30) is judged by
experts: "是" gives 1–2 points, "否" 0 — a range, like every other judged item."""

from __future__ import annotations

from datetime import date

import pytest

from cultivation.policy import evaluate

AS_OF = date(2026, 6, 30)


@pytest.mark.parametrize(("led_standard", "bonus"), [(True, [1, 2]), (False, [0, 0]),
                                                     (None, [0, 2])])
def test_the_standards_bonus_is_a_range_of_one_to_two_points(make_facts, params, led_standard,
                                                             bonus):
    verdict = evaluate("hnte", make_facts(led_standard=led_standard), AS_OF, params)
    assert verdict.score["parts"]["ip"]["standard_bonus"] == bonus


def test_the_bonus_moves_both_ends_of_the_score_until_the_ip_cap(make_facts, params):
    without = evaluate("hnte", make_facts(led_standard=False), AS_OF, params).score
    with_bonus = evaluate("hnte", make_facts(led_standard=True), AS_OF, params).score
    ip_without = without["parts"]["ip"]
    ip_with = with_bonus["parts"]["ip"]
    assert ip_with["min"] == min(ip_without["min"] + 1, 30)
    assert ip_with["max"] == min(ip_without["max"] + 2, 30)
