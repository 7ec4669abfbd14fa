"""Header mapping and cell parsing as offices write them (pure, no database)."""

from __future__ import annotations

from datetime import date

import pytest

from cultivation.imports.headers import detect_kind, map_headers, normalize
from cultivation.imports.rows import default_valid_to, kind_from_text
from cultivation.inputs import parse_date


@pytest.mark.parametrize(("header", "field"), [
    ("统一社会信用代码", "credit_code"), ("信用代码", "credit_code"),
    ("社会信用代码", "credit_code"),
    (" 统一社会\n信用代码 ", "credit_code"), ("所属乡镇（街道）", "town"), ("乡镇街道", "town"),
    ("所属乡镇(街道)", "town"), ("企业名称（盖章）", "name"), ("是否规上", "above_scale"),
    ("成立日期", "registered_on"), ("联系电话", "contact_phone"),
])
def test_firm_headers_are_matched_tolerantly(header, field):
    assert map_headers([header], "firms").columns == {0: field}


def test_unit_notes_give_the_factor_to_wan_yuan():
    mapped = map_headers(["营业收入（元）", "研发费用（万元）", "资产总额(千元)"], "figures")
    assert mapped.factors == {"sales_revenue": 0.0001, "rd_expense": 1.0, "total_assets": 0.1}
    assert normalize("销售收入（万元）") == ("销售收入", "万元")


def test_unknown_columns_are_listed_and_row_numbers_ignored():
    mapped = map_headers(["序号", "企业名称", "注册资本（万元）"], "firms")
    assert mapped.unknown == ["注册资本（万元）"]


@pytest.mark.parametrize(("headers", "kind"), [
    (["序号", "企业名称", "统一社会信用代码", "证书编号", "发证日期"], "qualifications"),
    (["企业名称", "信用代码", "年度", "营业收入"], "figures"),
    (["企业名称", "信用代码", "所属乡镇"], "firms"),
    (["甲", "乙"], None),
])
def test_the_kind_is_detected_from_the_headers(headers, kind):
    assert detect_kind(headers) == kind


@pytest.mark.parametrize(("text", "kind"), [
    ("浙江省2023年第一批认定报备高新技术企业名单", "hnte"),
    ("2024年度浙江省科技型中小企业名单", "zj_tech_sme"),
    ("2025年第3批入库科技型中小企业名单", "tech_sme"), ("企业名单", None),
])
def test_list_titles_name_the_qualification_kind(text, kind):
    assert kind_from_text(text) == kind


def test_default_validity_follows_the_kind():
    assert default_valid_to("hnte", date(2024, 12, 6)) == date(2027, 12, 5)
    assert default_valid_to("hnte", date(2024, 2, 29)) == date(2027, 2, 27)
    assert default_valid_to("leading", date(2024, 1, 1)) is None


def test_a_far_future_issue_date_gets_no_default_validity_instead_of_crashing():
    assert default_valid_to("hnte", date(9999, 12, 31)) is None
    assert default_valid_to("zj_tech_sme", date(9999, 2, 28)) is None


@pytest.mark.parametrize("value", [date(2015, 3, 1), "2015-03-01", "2015年3月1日", "2015.3.1",
                                   "2015/3/1", 42064, 42064.0, "20150301"])
def test_dates_in_every_office_format(value):
    assert parse_date(value) == date(2015, 3, 1)
