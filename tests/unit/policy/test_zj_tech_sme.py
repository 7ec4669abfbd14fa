"""浙江省科技型中小企业: registration, IP, 10 % tech staff, some R&D, SME size."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cultivation.policy import evaluate, verdict_to_json

AS_OF = date(2026, 6, 30)  # evaluates fiscal year 2025
OLD_AS_OF = date(2024, 6, 30)  # evaluates fiscal year 2023 (industrial line for every firm)


def zj_year(**figures: object) -> dict[int, dict[str, object]]:
    year: dict[str, object] = {
        "employees": 50,
        "tech_staff": 5,
        "sales_revenue": 800,
        "rd_expense": 20,
        "ip_class_i": 0,
        "ip_class_ii": 1,
    }
    year.update(figures)
    return {2025: year}


def test_a_small_firm_with_ip_and_ten_percent_tech_staff_is_eligible(make_facts, params):
    verdict = evaluate("zj-tech-sme", make_facts(years=zj_year(), sector="industry"), AS_OF, params)
    assert verdict.outcome == "eligible"
    assert [c.id for c in verdict.criteria] == [
        "registration_age",
        "ip_owned",
        "tech_staff_ratio",
        "innovation_spending",
        "sme_size",
    ]
    assert "score" in verdict_to_json(verdict)
    assert verdict.score is None


@pytest.mark.parametrize(("tech_staff", "passed"), [(5, True), ("4.99", False)])
def test_tech_staff_needs_ten_percent(make_facts, params, tech_staff, passed):
    facts = make_facts(years=zj_year(tech_staff=tech_staff))
    assert (
        evaluate("zj-tech-sme", facts, AS_OF, params).criterion("tech_staff_ratio").passed is passed
    )


@pytest.mark.parametrize(("rd_expense", "passed"), [("0.01", True), (0, False)])
def test_some_rd_spending_is_required(make_facts, params, rd_expense, passed):
    facts = make_facts(years=zj_year(rd_expense=rd_expense))
    criterion = evaluate("zj-tech-sme", facts, AS_OF, params).criterion("innovation_spending")
    assert criterion.passed is passed


@pytest.mark.parametrize(
    ("employees", "sales", "passed"),
    [
        (999, "50000", True),  # under the staff line
        (1200, "39999.99", True),  # under the revenue line
        (1000, "40000", False),  # a large industrial firm: neither line
    ],
)
def test_sme_size_needs_staff_or_revenue_below_the_industrial_line(
    make_facts, params, employees, sales, passed
):
    figures = {"employees": employees, "tech_staff": 200, "sales_revenue": sales}
    # 2026, a firm of sector 工业; 2024, any firm (the industrial line applied to all)
    facts = make_facts(years=zj_year(**figures), sector="industry")
    assert evaluate("zj-tech-sme", facts, AS_OF, params).criterion("sme_size").passed is passed
    old = make_facts(years={2023: zj_year(**figures)[2025]})
    assert evaluate("zj-tech-sme", old, OLD_AS_OF, params).criterion("sme_size").passed is passed


@pytest.mark.parametrize(
    ("core_ip", "class_ii", "led_standard", "passed"),
    [
        (False, 0, False, False),
        (False, 0, True, True),  # a led standard counts
        (True, 0, False, True),
        (False, 1, False, True),
        (None, 0, None, None),  # unknown: cannot decide
    ],
)
def test_ip_standard_or_result_is_required(
    make_facts, params, core_ip, class_ii, led_standard, passed
):
    facts = make_facts(
        years=zj_year(ip_class_ii=class_ii), core_ip_owned=core_ip, led_standard=led_standard
    )
    assert evaluate("zj-tech-sme", facts, AS_OF, params).criterion("ip_owned").passed is passed


@pytest.mark.parametrize(("age_days", "passed"), [(365, True), (364, False)])
def test_registration_needs_a_year(make_facts, params, age_days, passed):
    facts = make_facts(years=zj_year(), registered_on=AS_OF - timedelta(days=age_days))
    verdict = evaluate("zj-tech-sme", facts, AS_OF, params)
    assert verdict.criterion("registration_age").passed is passed


def test_the_sme_line_is_flagged_as_unconfirmed(make_facts, params):
    old = evaluate("zj-tech-sme", make_facts(years={2023: zj_year()[2025]}), OLD_AS_OF, params)
    confirmed = {p.key: p.confirmed for p in old.parameters}
    assert confirmed["zj_tech_sme.sme_employees_below"] is False
    assert confirmed["zj_tech_sme.tech_staff_ratio_min"] is True
    facts = make_facts(years=zj_year(), sector="software_it")
    confirmed = {
        p.key: p.confirmed for p in evaluate("zj-tech-sme", facts, AS_OF, params).parameters
    }
    assert confirmed["zj_tech_sme.sme.software_it.employees_below"] is False


# ---- from 2025: the line of the firm's sector (工信部联企业〔2011〕300号 第四条) ----


def test_without_a_sector_the_size_is_unknown_not_the_industrial_line(make_facts, params):
    verdict = evaluate("zj-tech-sme", make_facts(years=zj_year()), AS_OF, params)
    size = verdict.criterion("sme_size")
    assert (size.passed, size.gap) == (None, "缺少数据：行业门类")
    assert verdict.outcome == "incomplete"


SECTOR_EDGES = [
    # sector, figures just below every line (SME), figures at every line (large)
    (
        "industry",
        {"employees": 999, "sales_revenue": "39999.99"},
        {"employees": 1000, "sales_revenue": 40000},
    ),
    (
        "software_it",
        {"employees": 299, "sales_revenue": "9999.99"},
        {"employees": 300, "sales_revenue": 10000},
    ),
    (
        "information_transmission",
        {"employees": 1999, "sales_revenue": "99999.99"},
        {"employees": 2000, "sales_revenue": 100000},
    ),
    (
        "wholesale",
        {"employees": 199, "sales_revenue": "39999.99"},
        {"employees": 200, "sales_revenue": 40000},
    ),
    (
        "retail",
        {"employees": 299, "sales_revenue": "19999.99"},
        {"employees": 300, "sales_revenue": 20000},
    ),
    (
        "construction",
        {"total_assets": "79999.99", "sales_revenue": "79999.99"},
        {"total_assets": 80000, "sales_revenue": 80000},
    ),
    (
        "transport",
        {"employees": 999, "sales_revenue": "29999.99"},
        {"employees": 1000, "sales_revenue": 30000},
    ),
    (
        "warehousing",
        {"employees": 199, "sales_revenue": "29999.99"},
        {"employees": 200, "sales_revenue": 30000},
    ),
    (
        "postal",
        {"employees": 999, "sales_revenue": "29999.99"},
        {"employees": 1000, "sales_revenue": 30000},
    ),
    (
        "accommodation",
        {"employees": 299, "sales_revenue": "9999.99"},
        {"employees": 300, "sales_revenue": 10000},
    ),
    (
        "catering",
        {"employees": 299, "sales_revenue": "9999.99"},
        {"employees": 300, "sales_revenue": 10000},
    ),
    (
        "real_estate",
        {"sales_revenue": "199999.99", "total_assets": "9999.99"},
        {"sales_revenue": 200000, "total_assets": 10000},
    ),
    (
        "property_management",
        {"employees": 999, "sales_revenue": "4999.99"},
        {"employees": 1000, "sales_revenue": 5000},
    ),
    (
        "leasing_business",
        {"employees": 299, "total_assets": "119999.99"},
        {"employees": 300, "total_assets": 120000},
    ),
    ("agriculture", {"sales_revenue": "19999.99"}, {"sales_revenue": 20000}),
    ("other", {"employees": 299}, {"employees": 300}),
]


@pytest.mark.parametrize(("sector", "below", "at"), SECTOR_EDGES, ids=[e[0] for e in SECTOR_EDGES])
def test_each_sector_has_its_own_line_on_both_sides(make_facts, params, sector, below, at):
    base = {"employees": 5000, "tech_staff": 500, "sales_revenue": 900000, "total_assets": 900000}

    def size(**figures):
        facts = make_facts(years=zj_year(**{**base, **figures}), sector=sector)
        return evaluate("zj-tech-sme", facts, AS_OF, params).criterion("sme_size")

    assert size().passed is False  # above every line: large
    assert size(**at).passed is False  # at the line: "以下" excludes it
    for name, value in below.items():  # any single measure below its line is enough
        assert size(**{name: value}).passed is True, (sector, name)


def test_a_software_firm_is_judged_by_the_software_line(make_facts, params):
    figures = {"employees": 400, "tech_staff": 40, "sales_revenue": 12000}
    facts = make_facts(years=zj_year(**figures), sector="software_it")
    size = evaluate("zj-tech-sme", facts, AS_OF, params).criterion("sme_size")
    assert size.passed is False  # an industrial firm this size would be an SME
    assert size.label == "属于中小企业（软件和信息技术服务业划型标准）"
    assert (
        size.gap == "从业人员需低于 300 人（现为 400）；或营业收入需低于 10000 万元（现为 12000）"
    )
