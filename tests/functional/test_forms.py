"""Bad form input: field-level Chinese errors next to the input, status 422, nothing saved."""

from __future__ import annotations

import re
from typing import Any

import pytest
from registry_support import count_rows
from sqlalchemy import select

from cultivation.audit.models import AuditLog
from cultivation.enterprises.credit_code import make_code
from cultivation.enterprises.models import Enterprise, FiscalYearFigures
from cultivation.qualifications.models import Qualification, RDInstitution
from cultivation.visits.models import Visit

GOOD_CODE = make_code("91331024", "77770001")
BAD_CHECK = GOOD_CODE[:17] + ("0" if GOOD_CODE[17] != "0" else "1")


def field_errors(html: str, name: str) -> list[str]:
    """The invalid-feedback messages rendered right after the input named ``name``."""
    match = re.search(rf'<(input|select|textarea)\b[^>]*\bname="{name}"[^>]*>', html)
    assert match, f"no input named {name}"
    end = match.end()
    if match.group(1) != "input":
        end = html.index(f"</{match.group(1)}>", end) + len(match.group(1)) + 3
    feedback = re.match(r'(?:\s*<div class="invalid-feedback">[^<]*</div>)*', html[end:])
    messages = re.findall(r'<div class="invalid-feedback">([^<]*)</div>', feedback.group(0))
    assert ("is-invalid" in match.group(0)) == bool(messages), f"{name}: class and message"
    return messages


def _firm(**overrides: Any) -> dict[str, Any]:
    data = {"name": "仙居错误示范有限公司", "credit_code": GOOD_CODE, "town": "安洲街道",
            "industry": "", "tech_domain": "", "registered_on": "", "self_tech_advancement": ""}
    return {**data, **overrides}


FIRM_CASES = [
    ({"name": ""}, "name", "请填写企业名称"),
    ({"credit_code": "91331024MA2"}, "credit_code", "统一社会信用代码应为18位，实际为11位"),
    ({"credit_code": BAD_CHECK}, "credit_code", "统一社会信用代码校验位错误"),
    ({"town": "火星镇"}, "town", "未知的乡镇（街道）“火星镇”"),
    ({"industry": "挖矿"}, "industry", "未知的产业“挖矿”"),
    ({"tech_domain": "玄学"}, "tech_domain", "未知的高新技术领域“玄学”"),
    ({"registered_on": "2099-01-01"}, "registered_on", "日期不能晚于今天"),
    ({"registered_on": "2023-02-30"}, "registered_on", "日期“2023-02-30”不存在"),
    ({"registered_on": "去年"}, "registered_on", "无法识别的日期“去年”"),
    ({"self_tech_advancement": "9"}, "self_tech_advancement", "应为 0–8 的整数"),
    ({"contact_email": "not-an-email"}, "contact_email", "电子邮箱格式不正确"),
    ({"core_ip_owned": "也许"}, "core_ip_owned", "应填“是”或“否”"),
]


@pytest.mark.parametrize(("change", "name", "message"), FIRM_CASES,
                         ids=[c[1] + ":" + str(c[0][c[1]]) for c in FIRM_CASES])
def test_a_bad_firm_field_is_reported_next_to_it_and_nothing_is_saved(
    as_role: Any, world: Any, db_session: Any, change: dict[str, str], name: str, message: str
) -> None:
    browser = as_role("admin")
    firms, audits = count_rows(db_session, Enterprise), count_rows(db_session, AuditLog)
    response = browser.post("/enterprises/new", _firm(**change))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert any(message in e for e in field_errors(html, name)), field_errors(html, name)
    assert "本次未保存任何内容" in html
    assert field_errors(html, "name" if name != "name" else "town") == []  # only the bad field
    assert count_rows(db_session, Enterprise) == firms
    assert count_rows(db_session, AuditLog) == audits


def test_the_form_keeps_what_the_user_typed_after_an_error(as_role: Any, world: Any) -> None:
    html = as_role("admin").post("/enterprises/new", _firm(town="火星镇", name="保留我")).get_data(
        as_text=True)
    assert 'value="保留我"' in html


def test_a_duplicate_credit_code_is_a_field_error(as_role: Any, world: Any,
                                                  db_session: Any) -> None:
    firms = count_rows(db_session, Enterprise)
    response = as_role("admin").post("/enterprises/new",
                                     _firm(credit_code=world.firm.credit_code.lower()))
    assert response.status_code == 422
    errors = field_errors(response.get_data(as_text=True), "credit_code")
    assert errors == ["该统一社会信用代码已登记"]
    assert count_rows(db_session, Enterprise) == firms


def test_an_unknown_advisor_is_a_field_error(as_role: Any, world: Any, db_session: Any) -> None:
    firms = count_rows(db_session, Enterprise)
    response = as_role("admin").post("/enterprises/new", _firm(advisor="nobody"))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "advisor") == ["请选择有效的科技指导员"]
    assert count_rows(db_session, Enterprise) == firms


def test_a_bad_edit_changes_nothing(as_role: Any, world: Any, db_session: Any) -> None:
    firm = world.firm
    response = as_role("advisor_in").post(
        f"/enterprises/{firm.credit_code}/edit",
        _firm(name="新名字", credit_code=firm.credit_code, town="火星镇",
              version=str(firm.version)))
    assert response.status_code == 422
    db_session.refresh(firm)
    assert firm.name == "仙居测试制药有限公司"
    assert firm.town == "白塔镇"


FIGURE_CASES = [
    ({"employees": "-3"}, "employees", "不能为负数"),
    ({"employees": "12.5"}, "employees", "应为整数"),
    ({"sales_revenue": "五百万"}, "sales_revenue", "不是有效的数字"),
    ({"rd_expense": "5%"}, "rd_expense", "不带百分号"),
    ({"total_assets": "-1"}, "total_assets", "金额不能为负数"),
    ({"tech_staff": "200", "employees": "100"}, "tech_staff", "科技人员数不能超过职工总数"),
    ({"rd_expense_domestic": "90", "rd_expense": "80"}, "rd_expense_domestic",
     "境内研发费用不能超过研发费用"),
    ({"source": "传闻"}, "source", "未知的数据来源"),
]


@pytest.mark.parametrize(("change", "name", "message"), FIGURE_CASES,
                         ids=[c[1] for c in FIGURE_CASES])
def test_bad_figures_are_reported_per_field_and_nothing_is_saved(
    as_role: Any, world: Any, db_session: Any, change: dict[str, str], name: str, message: str
) -> None:
    data = {"employees": "100", "tech_staff": "10", "rd_expense": "80", "source": "self", **change}
    rows = count_rows(db_session, FiscalYearFigures)
    response = as_role("advisor_in").post(f"/enterprises/{world.firm.credit_code}/figures/2025",
                                          data)
    assert response.status_code == 422
    assert any(message in e for e in field_errors(response.get_data(as_text=True), name))
    assert count_rows(db_session, FiscalYearFigures) == rows


def test_bad_figures_for_an_existing_year_leave_it_unchanged(as_role: Any, world: Any,
                                                            db_session: Any) -> None:
    response = as_role("advisor_in").post(f"/enterprises/{world.firm.credit_code}/figures/2024",
                                          {"employees": "10", "tech_staff": "11"})
    assert response.status_code == 422
    row = db_session.scalars(select(FiscalYearFigures).where(
        FiscalYearFigures.enterprise_id == world.firm.id)).one()
    db_session.refresh(row)
    assert row.employees == 120
    assert row.tech_staff == 20


RECORD_CASES = [
    ("qualifications/new", Qualification, {"kind": "", "valid_from": "2024-01-01"}, "kind",
     "请填写资质类型"),
    ("qualifications/new", Qualification, {"kind": "hnte", "valid_from": ""}, "valid_from",
     "请填写发证（生效）日期"),
    ("qualifications/new", Qualification,
     {"kind": "hnte", "valid_from": "2024-01-01", "valid_to": "2023-01-01"}, "valid_to",
     "有效期至不能早于生效日期"),
    ("qualifications/new", Qualification,
     {"kind": "hnte", "valid_from": "2024-01-01", "status": "revoked"}, "revoked_on",
     "状态为已撤销时请填写撤销日期"),
    ("institutions/new", RDInstitution, {"kind": "研究所", "recognized_on": "2024-01-01"}, "kind",
     "未知的研发机构类型"),
    ("institutions/new", RDInstitution,
     {"kind": "key_lab", "recognized_on": "2024-01-01", "revoked_on": "2020-01-01"},
     "revoked_on", "撤销日期不能早于认定日期"),
    ("visits/new", Visit, {"visited_on": "2026-01-01", "notes": ""}, "notes", "请填写走访记录"),
    ("visits/new", Visit, {"visited_on": "2026-01-10", "notes": "走访",
                           "next_follow_up_on": "2026-01-01"}, "next_follow_up_on",
     "下次跟进日期不能早于走访日期"),
]


@pytest.mark.parametrize(("path", "model", "data", "name", "message"), RECORD_CASES,
                         ids=[f"{c[0]}:{c[3]}" for c in RECORD_CASES])
def test_bad_record_input_is_reported_per_field_and_nothing_is_saved(
    as_role: Any, world: Any, db_session: Any, path: str, model: Any, data: dict[str, str],
    name: str, message: str
) -> None:
    rows = count_rows(db_session, model)
    response = as_role("advisor_in").post(f"/enterprises/{world.firm.credit_code}/{path}", data)
    assert response.status_code == 422
    errors = field_errors(response.get_data(as_text=True), name)
    assert any(message in e for e in errors), errors
    assert count_rows(db_session, model) == rows


def test_a_bad_qualification_correction_leaves_it_unchanged(as_role: Any, world: Any,
                                                           db_session: Any) -> None:
    qual = world.qualification
    response = as_role("admin").post(
        f"/enterprises/{world.firm.credit_code}/qualifications/{qual.id}/edit",
        {"kind": "hnte", "valid_from": "2024-01-01", "valid_to": "2020-01-01", "status": "valid"})
    assert response.status_code == 422
    db_session.refresh(qual)
    assert qual.kind == "hnte"
    assert qual.valid_to is not None
    assert qual.valid_to.year == 2099
