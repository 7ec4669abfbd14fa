"""Dated, sourced parameters: the seed data, lookups by date and the strict YAML loader."""

from __future__ import annotations

import textwrap
from datetime import date
from decimal import Decimal

import pytest

from cultivation.policy import (
    PARAMETER_CATALOGUE,
    ParameterError,
    ParameterTable,
    ParameterValue,
    load_parameters,
)
from cultivation.policy.bands import parse_band_table
from cultivation.policy.parameters import SEED_DIR

UNCONFIRMED_OUTSIDE_DOMAIN_SECTION_4 = {
    "hnte.score.growth_bands",
    "hnte.score.growth_note_rate",
    "zj_tech_sme.sme_employees_below",
    "zj_tech_sme.sme_revenue_below",
}
SECTION_4_PREFIXES = (
    "provincial_hnte_center.",
    "provincial_institute.",
    "leading.",
    "zj_tech_sme.sme.",  # the 300号 lines per sector: only reposts read (DOMAIN §8)
)


def write(tmp_path, text, name="p.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def one_value(key="hnte.tech_staff_ratio_min", value="0.10", extra=""):
    return f"""
    {key}:
      - value: {value}
        valid_from: 2016-01-01
        source: 国科发火〔2016〕32号
    {extra}"""


def test_the_seed_gives_every_catalogue_key_a_value(params):
    assert params.keys() == set(PARAMETER_CATALOGUE)


def test_every_seed_value_names_its_source(params):
    assert all(v.source.strip() for v in params.all_values())


@pytest.mark.parametrize("key", sorted(PARAMETER_CATALOGUE))
def test_seed_values_are_unconfirmed_exactly_where_the_domain_says_so(params, key):
    expected = key in UNCONFIRMED_OUTSIDE_DOMAIN_SECTION_4 or key.startswith(SECTION_4_PREFIXES)
    assert {v.confirmed for v in params.history(key)} == {not expected}


@pytest.mark.parametrize(
    ("key", "valid_from", "value"),
    [
        ("hnte.registration_min_days", date(2016, 1, 1), Decimal(365)),
        ("hnte.innovation_score_min", date(2016, 1, 1), Decimal(71)),
        ("tech_sme.employees_max", date(2017, 5, 3), Decimal(500)),
        ("tech_sme.score_min", date(2017, 5, 3), Decimal(60)),
        ("coverage.above_scale_revenue_min", date(2011, 1, 1), Decimal(2000)),
    ],
)
def test_seed_values_start_on_their_documents_date(params, key, valid_from, value):
    (item,) = params.history(key)
    assert (item.valid_from, item.value) == (valid_from, value)


@pytest.mark.parametrize(
    ("sales", "rate"),
    [
        ("4999.99", "0.05"),
        ("5000", "0.05"),
        ("5000.01", "0.04"),
        ("20000", "0.04"),
        ("20000.01", "0.03"),
    ],
)
def test_seed_rd_bands_put_the_edges_in_the_lower_band(params, sales, rate):
    bands = params.value("hnte.rd_expense_ratio_bands", date(2026, 6, 30))
    assert bands.find(Decimal(sales)).rate == Decimal(rate)


def test_a_date_before_the_first_value_has_no_parameter(params):
    with pytest.raises(ParameterError, match="没有有效值"):
        params.value("tech_sme.score_min", date(2017, 5, 2))


def test_at_gives_every_value_in_force_that_day(params):
    in_force = params.at(date(2017, 5, 2))
    assert "hnte.tech_staff_ratio_min" in in_force
    assert "tech_sme.score_min" not in in_force


def test_a_new_dated_value_applies_from_its_first_day(tmp_path):
    path = write(
        tmp_path,
        """
    hnte.tech_staff_ratio_min:
      - {value: 0.10, valid_from: 2016-01-01, valid_to: 2026-12-31, source: 32号}
      - {value: 0.15, valid_from: 2027-01-01, source: 新文号, confirmed: false}
    """,
    )
    table = load_parameters(path)
    assert table.value("hnte.tech_staff_ratio_min", date(2026, 12, 31)) == Decimal("0.10")
    assert table.value("hnte.tech_staff_ratio_min", date(2027, 1, 1)) == Decimal("0.15")
    assert table.lookup("hnte.tech_staff_ratio_min", date(2027, 1, 1)).confirmed is False


def test_a_directory_and_a_list_of_files_load_alike(tmp_path):
    first = write(tmp_path, one_value(), "a.yaml")
    second = write(tmp_path, one_value("tech_sme.score_min", "60"), "b.yaml")
    assert load_parameters(tmp_path).keys() == load_parameters([first, second]).keys()
    assert load_parameters(SEED_DIR).keys() == set(PARAMETER_CATALOGUE)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (one_value("hnte.tech_staff_ratio_mn"), "未知参数键"),
        (
            """
         hnte.tech_staff_ratio_min:
           - {value: 0.1, vaild_from: 2016-01-01, source: x}
         """,
            "未知字段 vaild_from",
        ),
        (
            """
         hnte.tech_staff_ratio_min:
           - {value: 0.1, valid_from: 2016-01-01}
         """,
            "缺少 source",
        ),
        (
            """
         hnte.tech_staff_ratio_min:
           - {value: 0.1, valid_from: 2016-01-01, source: "  "}
         """,
            "source 必须是非空文本",
        ),
        (
            """
         hnte.tech_staff_ratio_min:
           - {value: 0.1, valid_from: 2016-01-01, source: a}
           - {value: 0.2, valid_from: 2027-01-01, source: b}
         """,
            "有效期重叠",
        ),
        (
            """
         hnte.tech_staff_ratio_min:
           - {value: 0.1, valid_from: 2016-01-01, valid_to: 2027-01-01, source: a}
           - {value: 0.2, valid_from: 2027-01-01, source: b}
         """,
            "有效期重叠",
        ),
        (
            """
         hnte.tech_staff_ratio_min:
           - {value: 0.1, valid_from: 2016-01-01, valid_to: 2015-01-01, source: a}
         """,
            "早于 valid_from",
        ),
        (
            """
         hnte.tech_staff_ratio_min:
           - {value: 0.1, valid_from: 2016-13-01, source: a}
         """,
            "valid_from 必须是 YYYY-MM-DD",
        ),
        (
            """
         hnte.tech_staff_ratio_min:
           - {value: -0.1, valid_from: 2016-01-01, source: a}
         """,
            "必须是非负数",
        ),
        (
            """
         hnte.tech_staff_ratio_min:
           - {value: [{rate: 0.1}], valid_from: 2016-01-01, source: a}
         """,
            "必须是非负数",
        ),
        (
            """
         hnte.rd_expense_ratio_bands:
           - {value: 0.05, valid_from: 2016-01-01, source: a}
         """,
            "分段表必须是非空列表",
        ),
        (
            """
         hnte.tech_staff_ratio_min:
           - {value: 0.1, valid_from: 2016-01-01, source: a}
         hnte.tech_staff_ratio_min:
           - {value: 0.2, valid_from: 2017-01-01, source: a}
         """,
            "重复的键",
        ),
        ("- just a list", "顶层必须是"),
        ("hnte.tech_staff_ratio_min: []", "非空的取值列表"),
    ],
)
def test_invalid_parameter_files_are_rejected_with_a_clear_message(tmp_path, text, message):
    with pytest.raises(ParameterError, match=message):
        load_parameters(write(tmp_path, text))


def test_the_same_key_in_two_files_may_not_overlap(tmp_path):
    write(tmp_path, one_value(), "a.yaml")
    write(tmp_path, one_value(), "b.yaml")
    with pytest.raises(ParameterError, match="有效期重叠"):
        load_parameters(tmp_path)


def test_a_missing_file_is_reported(tmp_path):
    with pytest.raises(ParameterError, match="参数文件不存在"):
        load_parameters(tmp_path / "absent.yaml")


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        ("[{max: 5000, rate: 0.05}, {min: 6000, rate: 0.04}]", "不连续或重叠"),  # a gap
        ("[{max: 5000, rate: 0.05}, {min: 4000, rate: 0.04}]", "不连续或重叠"),  # an overlap
        ("[{max: 5000, max_inclusive: true, rate: 0.05}, {min: 5000, rate: 0.04}]", "处重叠"),
        ("[{max: 5000, rate: 0.05}, {min: 5000, min_inclusive: false, rate: 0.04}]", "处遗漏"),
        ("[{max: 5000, points: 3}, {min: 5000, rate: 0.04}]", "必须且只能给出 rate"),
        ("[{max: 5000}, {min: 5000, rate: 0.04}]", "必须且只能给出 rate"),
        ("[{max: 5000, rate: 0.05, points: 1}, {min: 5000, rate: 0.04}]", "必须且只能给出 rate"),
        ("[{rate: 5}]", "0 到 1 之间"),
        ("[{min: 10, max: 5, rate: 0.05}]", "区间为空"),
        ("[{mx: 5000, rate: 0.05}]", "未知字段：mx"),
        ("[{max: 5000, rate: 0.05}, {max: 6000, rate: 0.04}]", "只能有一段没有下限"),
        ("[{min: 0, rate: 0.05}, {min: 10, rate: 0.04}]", "只有最高一段可以没有上限"),
        (
            "[{max: 5000, max_inclusive: 'yes', rate: 0.05}, {min: 5000, rate: 0.04}]",
            "max_inclusive 必须是 true 或 false",
        ),
        ("[]", "非空列表"),
    ],
)
def test_malformed_band_tables_are_rejected(tmp_path, bands, message):
    text = f"""
    hnte.rd_expense_ratio_bands:
      - value: {bands}
        valid_from: 2016-01-01
        source: 国科发火〔2016〕32号
    """
    with pytest.raises(ParameterError, match=message):
        load_parameters(write(tmp_path, text))


@pytest.mark.parametrize("points", ["[8, 7]", "-1", "1.5", "[1, 2, 3]", "true"])
def test_points_must_be_a_whole_number_or_a_low_high_range(tmp_path, points):
    text = f"""
    hnte.score.conversion_bands:
      - value: [{{points: {points}}}]
        valid_from: 2016-01-01
        source: 国科发火〔2016〕195号
    """
    with pytest.raises(ParameterError, match="points 必须是非负整数"):
        load_parameters(write(tmp_path, text))


def test_band_tables_survive_a_round_trip_through_json(params):
    for item in params.all_values():
        if not isinstance(item.value, Decimal):
            again = parse_band_table(item.value.to_json(), item.value.payload)
            assert again == item.value, item.key


def test_tables_built_in_code_are_checked_like_yaml(params):
    (seed,) = params.history("hnte.tech_staff_ratio_min")
    with pytest.raises(ParameterError, match="有效期重叠"):
        params.with_values([ParameterValue(seed.key, Decimal("0.2"), date(2027, 1, 1), None, "x")])
    with pytest.raises(ParameterError, match="未知参数键"):
        ParameterTable([ParameterValue("no.such.key", Decimal(1), date(2020, 1, 1), None, "x")])
    with pytest.raises(ParameterError, match="缺少来源"):
        ParameterTable([ParameterValue(seed.key, Decimal(1), date(2020, 1, 1), None, " ")])


@pytest.mark.parametrize(
    ("band", "message"),
    [
        ("{max: 5000, rate: 0.05, amount: 100}", "rate / amount / combine"),
        ("{max: 5000, rate: 0.05, amount: 100, combine: both}", "combine 必须是 all"),
        ("{max: 5000, rate: 1.5, amount: 100, combine: all}", "rate 必须是0 到 1 之间的数"),
        ("{max: 5000, points: 3, rate: 0.05, amount: 100, combine: all}", "必须且只能给出"),
    ],
)
def test_an_rd_test_band_needs_rate_amount_and_how_they_combine(tmp_path, band, message):
    text = f"""
    provincial_institute.rd_intensity_bands:
      - value:
          - {band}
          - {{min: 5000, rate: 0.04, amount: 250, combine: any}}
        valid_from: 2025-01-01
        source: 测试
    """
    with pytest.raises(ParameterError, match=message):
        load_parameters(write(tmp_path, text))


def test_an_rd_test_table_loads_with_its_combinations(params):
    table = params.value("provincial_institute.rd_intensity_bands", date(2026, 6, 30))
    assert [(b.combine, b.rate, b.amount) for b in table.bands] == [
        ("all", Decimal("0.05"), Decimal(100)),
        ("any", Decimal("0.04"), Decimal(250)),
        ("any", Decimal("0.03"), Decimal(800)),
    ]
    assert table.find(Decimal(5000)).combine == "any"
    assert table.find(Decimal("4999.99")).combine == "all"
    assert table.find(Decimal(20000)).rate == Decimal("0.04")
    assert table.find(Decimal("20000.01")).rate == Decimal("0.03")
