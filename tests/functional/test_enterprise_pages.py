"""The registry pages as people use them: list, detail, create, edit, records, delete."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from registry_support import count_rows, quick_user
from sqlalchemy import select

from cultivation.audit.models import AuditLog
from cultivation.enterprises.credit_code import make_code
from cultivation.enterprises.models import Enterprise, FiscalYearFigures
from cultivation.extensions import db
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.qualifications.models import Qualification, RDInstitution
from cultivation.visits.models import Visit
from testkit import count_queries

NEW_CODE = make_code("91331024", "88880001")


def _names(html: str) -> list[str]:
    return re.findall(r'<td><a href="/enterprises/[0-9A-Z]{18}">([^<]+)</a></td>', html)


# ---------------------------------------------------------------- list


def test_the_list_shows_name_code_town_tier_badge_and_advisor(as_role: Any, world: Any) -> None:
    html = as_role("leader").client.get("/enterprises").get_data(as_text=True)
    assert "仙居测试制药有限公司" in html
    assert world.firm.credit_code in html
    assert "白塔镇" in html
    assert "本企业指导员" in html
    assert '<span class="badge text-bg-success" data-tier="hnte">高新技术企业</span>' in html
    assert "共 2 家" in html


def test_an_advisor_sees_my_firms_by_default_and_can_switch_to_all(as_role: Any,
                                                                   world: Any) -> None:
    browser = as_role("advisor_in")
    mine = browser.client.get("/enterprises").get_data(as_text=True)
    assert _names(mine) == ["仙居测试制药有限公司"]
    everyone = browser.client.get("/enterprises?scope=all").get_data(as_text=True)
    assert sorted(_names(everyone)) == sorted(["仙居测试制药有限公司", "仙居无人联系科技有限公司"])


def test_an_admin_sees_every_firm_without_a_my_firms_toggle(as_role: Any, world: Any) -> None:
    html = as_role("admin").client.get("/enterprises").get_data(as_text=True)
    assert len(_names(html)) == 2
    assert "我的企业" not in html


@pytest.mark.parametrize(("query", "expected"), [
    ("q=无人联系", ["仙居无人联系科技有限公司"]),
    ("q={code_lower_spaced}", ["仙居测试制药有限公司"]),
    ("town=白塔镇", ["仙居测试制药有限公司"]),
    ("tier=tech_sme", ["仙居无人联系科技有限公司"]),
    ("tier=leading", []),
    ("advisor=none", ["仙居无人联系科技有限公司"]),
    ("advisor={advisor}", ["仙居测试制药有限公司"]),
    ("industry=医药", ["仙居无人联系科技有限公司", "仙居测试制药有限公司"]),  # by name
    ("sort=tier&desc=1", ["仙居测试制药有限公司", "仙居无人联系科技有限公司"]),
    ("sort=tier", ["仙居无人联系科技有限公司", "仙居测试制药有限公司"]),
])
def test_the_list_searches_filters_and_sorts(as_role: Any, world: Any, query: str,
                                             expected: list[str]) -> None:
    code = world.firm.credit_code
    spaced = f"{code[:6].lower()} {code[6:]}"
    url = "/enterprises?" + query.format(code_lower_spaced=spaced,
                                         advisor=world.users["advisor_in"].username)
    html = as_role("admin").client.get(url).get_data(as_text=True)
    assert _names(html) == expected


def test_the_list_paginates(as_role: Any, world: Any, make_enterprise: Any, app: Any) -> None:
    for n in range(5):
        make_enterprise(name=f"仙居分页{n}号有限公司")
    browser = as_role("admin")
    app.config["PER_PAGE"] = 3
    try:
        first = browser.client.get("/enterprises").get_data(as_text=True)
        third = browser.client.get("/enterprises?page=3").get_data(as_text=True)
        beyond = browser.client.get("/enterprises?page=99")
        silly = browser.client.get("/enterprises?page=abc")
    finally:
        app.config["PER_PAGE"] = 50
    assert len(_names(first)) == 3
    assert "下一页" in first
    assert "共 7 家" in first
    assert len(_names(third)) == 1
    assert "第 7–7 家" in third
    assert beyond.status_code == 200
    assert _names(beyond.get_data(as_text=True)) == []
    assert silly.status_code == 200


def _list_queries(browser: Any) -> int:
    db.session.expire_all()  # as in a fresh request: nothing cached from the test's setup
    with count_queries(db.engine) as counter:
        response = browser.client.get("/enterprises")
    assert response.status_code == 200
    return counter.count


@pytest.mark.parametrize("role", ["admin", "advisor_in"])
def test_the_list_costs_the_same_number_of_queries_for_5_and_60_firms(
    as_role: Any, world: Any, make_enterprise: Any, db_session: Any, role: str
) -> None:
    browser = as_role(role)
    advisor = world.users["advisor_in"]
    for n in range(3):
        make_enterprise(tier=("startup", "hnte", "leading")[n], advisor=advisor)
    small = _list_queries(browser)
    assert len(_names(browser.client.get("/enterprises").get_data(as_text=True))) == 5 - (
        1 if role == "advisor_in" else 0)
    for n in range(55):
        make_enterprise(tier=("startup", "tech_sme", "hnte", None)[n % 4],
                        advisor=advisor if n % 2 else quick_user(db_session, "advisor"))
    large = _list_queries(browser)
    assert large == small
    assert small <= 9  # page ids, rows, total, tiers, advisors, saved filters, session, user…


# ---------------------------------------------------------------- detail


def test_the_detail_page_shows_every_section(as_role: Any, world: Any, make_institution: Any,
                                             db_session: Any) -> None:
    make_institution(world.firm, "provincial_institute", name="仙居测试省级企业研究院")
    db_session.add(Qualification(enterprise_id=world.firm.id, kind="zj_tech_sme", number="OLD1",
                                 valid_from=date(2018, 1, 1), valid_to=date(2018, 12, 31)))
    db_session.flush()
    html = as_role("advisor_in").client.get(f"/enterprises/{world.firm.credit_code}").get_data(
        as_text=True)
    for section in ("基本信息", "年度数据", "资质", "研发机构", "梯次历程", "动态"):
        assert section in html
    assert "12,345.60" in html
    assert "13,000.00" in html
    assert "2015年3月1日" in html  # registration date, Chinese format
    assert "2026年3月2日" in html
    assert "2026年4月1日" in html
    assert "仙居测试省级企业研究院" in html
    assert re.search(r"2020年1月1日</span> 至 <span[^>]*>2099年12月31日", html)
    assert "已到期" in html
    assert "有效" in html
    assert "2024年" in html
    assert "金额单位：万元" in html


def test_the_detail_page_lists_the_audit_history(as_role: Any, world: Any) -> None:
    browser = as_role("admin")
    code = world.firm.credit_code
    page = browser.client.get(f"/enterprises/{code}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    browser.post(f"/enterprises/{code}/edit", _firm_form(world.firm, contact_phone="0576-1",
                                                        version=version))
    html = browser.client.get(f"/enterprises/{code}").get_data(as_text=True)
    assert "修改企业信息" in html
    assert "联系电话" in html
    assert "0576-1" in html


# ---------------------------------------------------------------- create / edit / delete


def _firm_form(firm: Any = None, **overrides: Any) -> dict[str, Any]:
    data = {
        "name": firm.name if firm else "仙居新登记科技有限公司",
        "credit_code": firm.credit_code if firm else NEW_CODE,
        "town": firm.town if firm else "安洲街道",
        "industry": "医药", "tech_domain": "生物与新医药", "registered_on": "2019-05-01",
        "above_scale": "y", "address": "", "contact_person": "", "contact_phone": "",
        "contact_email": "", "notes": "", "core_ip_owned": "1", "ip_self_developed": "",
        "led_standard": "0", "major_incident_last_year": "", "national_award_5y": "",
        "self_tech_advancement": "6", "self_core_support": "", "self_rd_management": "",
    }
    if firm is not None:
        data["version"] = str(firm.version)
    return {**data, **overrides}


def test_an_advisor_registers_a_firm_which_joins_their_portfolio(as_role: Any, world: Any,
                                                                 db_session: Any) -> None:
    browser = as_role("advisor_out")
    response = browser.post("/enterprises/new", _firm_form(credit_code=NEW_CODE.lower()))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/enterprises/{NEW_CODE}"
    firm = db_session.scalars(select(Enterprise).where(Enterprise.credit_code == NEW_CODE)).one()
    assert firm.above_scale is True
    assert firm.core_ip_owned is True
    assert firm.led_standard is False
    assert firm.ip_self_developed is None
    assert firm.self_tech_advancement == 6
    assignment = db_session.scalars(select(PortfolioAssignment).where(
        PortfolioAssignment.enterprise_id == firm.id)).one()
    assert assignment.advisor_id == world.users["advisor_out"].id
    assert "已新增企业" in browser.client.get(response.headers["Location"]).get_data(as_text=True)


def test_an_admin_registers_a_firm_and_assigns_an_advisor(as_role: Any, world: Any,
                                                          db_session: Any) -> None:
    browser = as_role("admin")
    advisor = world.users["advisor_in"]
    response = browser.post("/enterprises/new", _firm_form(advisor=advisor.username))
    assert response.status_code == 302
    firm = db_session.scalars(select(Enterprise).where(Enterprise.credit_code == NEW_CODE)).one()
    assert db_session.scalar(select(PortfolioAssignment.advisor_id).where(
        PortfolioAssignment.enterprise_id == firm.id)) == advisor.id


def test_an_admin_registers_a_firm_without_an_advisor(as_role: Any, world: Any,
                                                      db_session: Any) -> None:
    response = as_role("admin").post("/enterprises/new", _firm_form(advisor=""))
    assert response.status_code == 302
    firm = db_session.scalars(select(Enterprise).where(Enterprise.credit_code == NEW_CODE)).one()
    assert count_rows(db_session, PortfolioAssignment) == 1  # only the world's firm
    assert firm.name == "仙居新登记科技有限公司"


def test_editing_saves_the_fields_and_bumps_the_version(as_role: Any, world: Any,
                                                        db_session: Any) -> None:
    browser = as_role("advisor_in")
    firm = world.firm
    version = firm.version
    response = browser.post(f"/enterprises/{firm.credit_code}/edit",
                            _firm_form(firm, name="仙居测试制药股份有限公司", listed="y"))
    assert response.status_code == 302
    db_session.refresh(firm)
    assert firm.name == "仙居测试制药股份有限公司"
    assert firm.listed is True
    assert firm.version == version + 1


def test_a_stale_version_is_refused_with_409_and_nothing_is_saved(as_role: Any, world: Any,
                                                                  db_session: Any) -> None:
    browser = as_role("advisor_in")
    firm = world.firm
    stale = _firm_form(firm, name="我的修改")
    firm.notes = "别人先改了"
    db_session.commit()  # another user's transaction, committed before ours arrives
    response = browser.post(f"/enterprises/{firm.credit_code}/edit", stale)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "数据已被他人修改" in html
    assert "别人先改了" in html  # the form now shows the latest data
    db_session.refresh(firm)
    assert firm.name == "仙居测试制药有限公司"


def test_a_missing_version_counts_as_stale(as_role: Any, world: Any) -> None:
    data = _firm_form(world.firm, name="无版本")
    data.pop("version")
    response = as_role("admin").post(f"/enterprises/{world.firm.credit_code}/edit", data)
    assert response.status_code == 409


def test_an_admin_hands_a_firm_over_to_another_advisor_keeping_history(
    as_role: Any, world: Any, db_session: Any
) -> None:
    new = world.users["advisor_out"]
    response = as_role("admin").post(f"/enterprises/{world.firm.credit_code}/edit",
                                     _firm_form(world.firm, advisor=new.username))
    assert response.status_code == 302
    rows = db_session.scalars(select(PortfolioAssignment).where(
        PortfolioAssignment.enterprise_id == world.firm.id).order_by(PortfolioAssignment.id)).all()
    assert [r.advisor_id for r in rows] == [world.users["advisor_in"].id, new.id]
    assert rows[0].ended_on is not None
    assert rows[1].ended_on is None


def test_an_admin_edit_that_keeps_the_advisor_records_no_handover(as_role: Any, world: Any,
                                                                 db_session: Any) -> None:
    browser = as_role("admin")
    for firm, advisor in ((world.firm, world.users["advisor_in"].username), (world.other, "")):
        response = browser.post(f"/enterprises/{firm.credit_code}/edit",
                                _firm_form(firm, advisor=advisor, notes="只改备注"))
        assert response.status_code == 302
    assert db_session.scalars(select(AuditLog).where(AuditLog.action == "assign")).all() == []
    assert count_rows(db_session, PortfolioAssignment) == 1


def test_an_advisor_cannot_reassign_a_firm_by_posting_an_advisor_field(
    as_role: Any, world: Any, db_session: Any
) -> None:
    response = as_role("advisor_in").post(
        f"/enterprises/{world.firm.credit_code}/edit",
        _firm_form(world.firm, advisor=world.users["advisor_out"].username))
    assert response.status_code == 302
    assert db_session.scalar(select(PortfolioAssignment.advisor_id).where(
        PortfolioAssignment.enterprise_id == world.firm.id,
        PortfolioAssignment.ended_on.is_(None))) == world.users["advisor_in"].id


def test_an_admin_soft_deletes_a_firm(as_role: Any, world: Any, db_session: Any) -> None:
    browser = as_role("admin")
    response = browser.post(f"/enterprises/{world.other.credit_code}/delete")
    assert response.status_code == 302
    db_session.refresh(world.other)
    assert world.other.deleted_at is not None
    assert "仙居无人联系科技有限公司" not in _names(
        browser.client.get("/enterprises").get_data(as_text=True))
    assert db_session.scalar(select(AuditLog.action).where(
        AuditLog.enterprise_id == world.other.id).order_by(AuditLog.id.desc()).limit(1)) == "delete"


def test_an_admin_restores_a_deleted_firm_with_its_history(as_role: Any, world: Any,
                                                           db_session: Any) -> None:
    browser = as_role("admin")
    code = world.firm.credit_code
    browser.post(f"/enterprises/{code}/delete")
    listing = browser.client.get("/admin/deleted").get_data(as_text=True)
    assert "仙居测试制药有限公司" in listing
    assert browser.post(f"/admin/deleted/{world.other.credit_code}/restore").status_code == 404
    response = browser.post(f"/admin/deleted/{code}/restore")
    assert response.headers["Location"] == f"/enterprises/{code}"
    db_session.refresh(world.firm)
    assert world.firm.deleted_at is None
    html = browser.client.get(f"/enterprises/{code}").get_data(as_text=True)
    assert "恢复企业" in html
    assert "删除企业" in html
    assert "12,345.60" in html


# ---------------------------------------------------------------- records


def _figures(**overrides: Any) -> dict[str, Any]:
    data = {"employees": "150", "tech_staff": "25", "sales_revenue": "1,234.5",
            "total_revenue": "2000", "high_tech_revenue": "900", "rd_expense": "80",
            "rd_expense_domestic": "70", "total_cost": "1500", "total_assets": "5000",
            "net_assets": "-120", "ip_class_i": "1", "ip_class_ii": "3", "conversions": "2",
            "source": "tax"}
    return {**data, **overrides}


def test_choosing_a_new_year_opens_an_empty_figures_form(as_role: Any, world: Any) -> None:
    browser = as_role("advisor_in")
    code = world.firm.credit_code
    response = browser.client.get(f"/enterprises/{code}/figures/new?year=2025")
    assert response.headers["Location"] == f"/enterprises/{code}/figures/2025"
    html = browser.client.get(f"/enterprises/{code}/figures/2025").get_data(as_text=True)
    assert "2025年度数据" in html
    assert "新增" in html
    bad = browser.client.get(f"/enterprises/{code}/figures/new?year=abc")
    assert bad.status_code == 302
    assert bad.headers["Location"].endswith("#figures")


def test_recording_a_year_of_figures(as_role: Any, world: Any, db_session: Any) -> None:
    browser = as_role("advisor_in")
    code = world.firm.credit_code
    response = browser.post(f"/enterprises/{code}/figures/2025", _figures())
    assert response.status_code == 302
    assert response.headers["Location"] == f"/enterprises/{code}#figures"
    row = db_session.scalars(select(FiscalYearFigures).where(
        FiscalYearFigures.enterprise_id == world.firm.id, FiscalYearFigures.year == 2025)).one()
    assert row.sales_revenue == 1234.5
    assert row.net_assets == -120
    assert row.source == "tax"
    assert row.updated_by_id == world.users["advisor_in"].id
    html = browser.client.get(f"/enterprises/{code}").get_data(as_text=True)
    assert "1,234.50" in html
    assert "税务" in html
    assert "2025年度数据已保存" in html


def test_editing_a_year_prefills_and_blanks_cleared_fields(as_role: Any, world: Any,
                                                          db_session: Any) -> None:
    browser = as_role("admin")
    code = world.firm.credit_code
    form = browser.client.get(f"/enterprises/{code}/figures/2024").get_data(as_text=True)
    assert 'value="12345.6"' in form
    assert 'value="120"' in form
    response = browser.post(f"/enterprises/{code}/figures/2024",
                            {"employees": "130", "tech_staff": "", "source": "verified"})
    assert response.status_code == 302
    row = db_session.scalars(select(FiscalYearFigures).where(
        FiscalYearFigures.enterprise_id == world.firm.id, FiscalYearFigures.year == 2024)).one()
    assert row.employees == 130
    assert row.tech_staff is None
    assert row.sales_revenue is None


def test_adding_and_correcting_a_qualification(as_role: Any, world: Any, db_session: Any) -> None:
    browser = as_role("advisor_in")
    code = world.firm.credit_code
    response = browser.post(f"/enterprises/{code}/qualifications/new", {
        "kind": "leading", "number": "LJ2026-01", "valid_from": "2026年1月5日",
        "valid_to": "2028-12-31", "status": "valid", "revoked_on": "", "note": ""})
    assert response.status_code == 302
    qual = db_session.scalars(select(Qualification).where(
        Qualification.number == "LJ2026-01")).one()
    assert qual.valid_from == date(2026, 1, 5)
    edit_url = f"/enterprises/{code}/qualifications/{qual.id}/edit"
    assert 'value="2026-01-05"' in browser.client.get(edit_url).get_data(as_text=True)
    response = browser.post(edit_url, {"kind": "leading", "number": "LJ2026-01",
                                       "valid_from": "2026-01-05", "valid_to": "2028-12-31",
                                       "status": "revoked", "revoked_on": "2026-03-01"})
    assert response.status_code == 302
    db_session.refresh(qual)
    assert qual.status == "revoked"
    assert qual.revoked_on == date(2026, 3, 1)
    assert "已撤销" in browser.client.get(f"/enterprises/{code}").get_data(as_text=True)


def test_adding_an_institution(as_role: Any, world: Any, db_session: Any) -> None:
    response = as_role("admin").post(
        f"/enterprises/{world.firm.credit_code}/institutions/new",
        {"kind": "tech_center", "level": "municipal", "name": "仙居测试技术中心",
         "recognized_on": "2023-06-01", "revoked_on": ""})
    assert response.status_code == 302
    inst = db_session.scalars(select(RDInstitution).where(
        RDInstitution.enterprise_id == world.firm.id)).one()
    assert inst.kind_label == "市级企业技术中心"


def test_revoking_an_institution_through_its_edit_form(as_role: Any, world: Any,
                                                        make_institution: Any,
                                                        db_session: Any) -> None:
    inst = make_institution(world.firm, "provincial_hnte_center")
    code = world.firm.credit_code
    browser = as_role("admin")
    edit_url = f"/enterprises/{code}/institutions/{inst.id}/edit"
    bad = browser.post(edit_url, {"kind": "provincial_hnte_center", "level": "", "name": "",
                                  "recognized_on": "2020-01-01", "revoked_on": "2019-01-01"})
    assert bad.status_code == 422
    assert "撤销日期不能早于认定日期" in bad.get_data(as_text=True)
    db_session.refresh(inst)
    assert inst.revoked_on is None
    response = browser.post(edit_url, {"kind": "provincial_hnte_center", "level": "",
                                       "name": "", "recognized_on": "2020-01-01",
                                       "revoked_on": "2024-12-31"})
    assert response.status_code == 302
    db_session.refresh(inst)
    assert inst.revoked_on == date(2024, 12, 31)
    assert "已撤销" in browser.client.get(f"/enterprises/{code}").get_data(as_text=True)


def test_logging_a_visit_closes_the_open_follow_up(as_role: Any, world: Any,
                                                   db_session: Any) -> None:
    browser = as_role("advisor_in")
    code = world.firm.credit_code
    form = browser.client.get(f"/enterprises/{code}/visits/new").get_data(as_text=True)
    assert 'type="date"' in form
    response = browser.post(f"/enterprises/{code}/visits/new", {
        "visited_on": "2026-04-01", "notes": "第二次走访", "next_follow_up_on": "2026-05-01"})
    assert response.status_code == 302
    visits = db_session.scalars(select(Visit).where(Visit.enterprise_id == world.firm.id)
                                .order_by(Visit.visited_on)).all()
    assert [v.follow_up_done for v in visits] == [True, False]
    assert visits[1].advisor_id == world.users["advisor_in"].id


def test_the_list_links_to_xlsx_exports_with_its_filters(client: Any, auth: Any,
                                                         make_enterprise: Any) -> None:
    make_enterprise(town="白塔镇")
    auth.login("admin")
    html = client.get("/enterprises?town=白塔镇").get_data(as_text=True)
    assert '<option value="白塔镇" selected>白塔镇</option>' in html  # the filter keeps its choice
    assert "/imports/export/enterprises.xlsx?" in html
    link = html.split('href="/imports/export/enterprises.xlsx?')[1].split('"')[0]
    response = client.get("/imports/export/enterprises.xlsx?" + link.replace("&amp;", "&"))
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")


def test_submitting_the_same_institution_twice_records_it_once(as_role: Any, world: Any,
                                                               db_session: Any) -> None:
    url = f"/enterprises/{world.firm.credit_code}/institutions/new"
    form = {"kind": "municipal_hnte_center", "level": "", "name": "仙居测试研发中心",
            "recognized_on": "2023-06-01", "revoked_on": ""}
    browser = as_role("admin")
    assert browser.post(url, form).status_code == 302
    again = browser.post(url, form)
    assert again.status_code == 422
    assert "同认定日期的研发机构" in again.get_data(as_text=True)
    rows = db_session.scalars(select(RDInstitution).where(
        RDInstitution.enterprise_id == world.firm.id)).all()
    assert len(rows) == 1


def test_the_firm_form_records_sector_and_provincial_score(as_role: Any, world: Any,
                                                           db_session: Any) -> None:
    browser = as_role("admin")
    form = _firm_form(sector="software_it", provincial_innovation_score="61.5")
    blank = browser.client.get("/enterprises/new").get_data(as_text=True)
    assert "行业门类（中小企业划型）" in blank
    response = browser.post("/enterprises/new", form)
    assert response.status_code == 302
    firm = db_session.scalars(select(Enterprise).where(Enterprise.credit_code == NEW_CODE)).one()
    assert (firm.sector, firm.provincial_innovation_score) == ("software_it", 61.5)
    page = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "软件和信息技术服务业" in page
    assert "61.5" in page
    bad = browser.post("/enterprises/new", _firm_form(credit_code=NEW_CODE, sector="mining"))
    assert bad.status_code == 422
    assert "未知的行业门类" in bad.get_data(as_text=True)
