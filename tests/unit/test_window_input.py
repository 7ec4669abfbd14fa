"""Application window input: Chinese errors per field, defaults, nothing accepted half-way."""

from __future__ import annotations

from datetime import date

import pytest

from cultivation.enterprises.schemas import ValidationError
from cultivation.windows.schema import clean_window, parse_remind_days


def test_a_valid_window_gets_its_year_and_sorted_offsets() -> None:
    values = clean_window({"programme": "hnte", "batch": "第一批", "opens_on": "2026-04-01",
                           "closes_on": "2026年6月25日", "remind_days": [1, 30, 7, 7]})
    assert values["opens_on"] == date(2026, 4, 1)
    assert values["closes_on"] == date(2026, 6, 25)
    assert values["remind_days"] == [30, 7, 1]
    assert values["year"] == 2026
    assert values["confirmed"] is False


def test_missing_remind_days_default_to_30_7_1() -> None:
    values = clean_window({"programme": "tech_sme", "opens_on": "2026-06-30",
                           "closes_on": "2026-09-30"})
    assert values["remind_days"] == [30, 7, 1]
    assert values["batch"] == ""


@pytest.mark.parametrize(("raw", "field", "fragment"), [
    ({"programme": "nope"}, "programme", "未知的申报项目"),
    ({"programme": None}, "programme", "请选择申报项目"),
    ({"opens_on": "2026-02-30"}, "opens_on", "不存在"),
    ({"closes_on": "2026-03-01"}, "closes_on", "不能早于开始日期"),
    ({"remind_days": [400]}, "remind_days", "0 到 366"),
    ({"remind_days": ["x"]}, "remind_days", "不是有效的数字"),
    ({"remind_days": 7}, "remind_days", "天数列表"),
    ({"year": 1800}, "year", "2000 到 2100"),
    ({"batch": "批" * 51}, "batch", "不超过50"),
    ({"colour": "red"}, "colour", "未知字段"),
])
def test_bad_input_is_refused_with_a_chinese_message_on_its_field(
        raw: dict[str, object], field: str, fragment: str) -> None:
    base = {"programme": "hnte", "opens_on": "2026-04-01", "closes_on": "2026-06-25"}
    with pytest.raises(ValidationError) as caught:
        clean_window({**base, **raw})
    assert field in caught.value.errors
    assert any(fragment in m for m in caught.value.errors[field])


def test_required_fields_are_named() -> None:
    with pytest.raises(ValidationError) as caught:
        clean_window({})
    assert caught.value.errors == {"programme": ["请填写申报项目"], "opens_on": ["请填写开始日期"],
                                   "closes_on": ["请填写截止日期"]}


def test_remind_days_accept_text_with_chinese_commas() -> None:
    assert parse_remind_days("30，7、1") == [30, 7, 1]
