"""Importing yearly figures and published qualification lists; revert; export round trip."""

from __future__ import annotations

import io
from datetime import date

import pytest
from import_support import TODAY, count, messages, run, write_xlsx
from openpyxl import load_workbook
from sqlalchemy import select

from cultivation.enterprises.credit_code import make_code
from cultivation.enterprises.models import Enterprise, FiscalYearFigures
from cultivation.enterprises.queries import EnterpriseFilters
from cultivation.imports.exports import write_export
from cultivation.imports.models import ImportBatch
from cultivation.imports.revert import RevertRefused, revert_batch
from cultivation.qualifications.models import Qualification


def code(n: int, division: str = "331024") -> str:
    return make_code(f"91{division}", f"{61000000 + n:08d}")


def test_figures_with_units_separators_and_unknown_firms(db_session, tmp_path, make_enterprise):
    firm = make_enterprise(credit_code=code(1))
    path = write_xlsx(tmp_path / "统计.xlsx", [
        ["统一社会信用代码", "企业名称", "年份", "从业人员", "营业收入（元）", "研发费用（万元）",
         "资产总额(万元)"],
        [code(1), firm.name, 2024, "1,200", "43,000,000", "1,270.5", 9000],
        [code(1), firm.name, "2025年", 130, 50000000, -5, 9100],
        [code(2), "未登记公司", 2024, 10, 100, 1, 1],
        [code(1), firm.name, 2024, 1, 1, 1, 1],
        [code(1), firm.name, "abc", 1, 1, 1, 1],
    ])
    report = run(db_session, path, commit=True)
    assert report.kind == "figures"
    found = messages(report)
    assert (3, "研发费用（万元）", "金额不能为负数") in found
    assert (4, "统一社会信用代码", "企业未登记：请先导入或登记该企业") in found
    assert any(r == 5 and "与第2行重复" in m for r, _, m in found)
    assert any(r == 6 and c == "年份" for r, c, _ in found)
    assert report.created == 1
    row = db_session.scalars(select(FiscalYearFigures)).one()
    assert (row.year, row.employees, row.sales_revenue, row.rd_expense) == (2024, 1200, 4300.0,
                                                                            1270.5)
    assert any("换算为万元" in n for n in report.notices)


def test_a_published_hnte_list_with_a_title_row(db_session, tmp_path, make_enterprise):
    ours = make_enterprise(credit_code=code(10))
    path = write_xlsx(tmp_path / "list.xlsx", [
        ["浙江省2024年第一批认定报备高新技术企业名单"],
        ["序号", "企业名称", "统一社会信用代码", "证书编号", "发证日期", "所在地区"],
        [1, ours.name, code(10), "GR202433000123", "2024年12月6日", "台州市"],
        [2, "外县企业", code(11, "330100"), "GR202433000124", "2024-12-06", "杭州市"],
        [3, "本县未登记企业", code(12), "GR202433000125", date(2024, 12, 6), "台州市"],
        [4, "未来企业", code(10), "GR202433000126", "2099-12-06", "台州市"],
    ])
    report = run(db_session, path, commit=True)
    assert report.kind == "qualifications"
    assert report.qualification_kind == "hnte"
    assert [s["row"] for s in report.skipped] == [4]
    found = messages(report)
    assert (5, "统一社会信用代码", "企业未登记：请先导入或登记该企业") in found
    assert (6, "发证日期", "发证（生效）日期不能晚于今天") in found
    qual = db_session.scalars(select(Qualification)).one()
    assert (qual.kind, qual.valid_from, qual.valid_to) == ("hnte", date(2024, 12, 6),
                                                           date(2027, 12, 5))
    again = run(db_session, path)
    assert again.unchanged == 1
    assert again.to_create == 0


def test_a_tech_sme_list_is_recognised_by_its_title(db_session, tmp_path, make_enterprise):
    firm = make_enterprise(credit_code=code(20))
    path = write_xlsx(tmp_path / "x.xlsx", [
        ["2024年度浙江省科技型中小企业名单"],
        ["序号", "企业名称", "统一社会信用代码", "入库日期"],
        [1, firm.name, code(20), "2024.12.31"]])
    report = run(db_session, path, commit=True)
    assert report.qualification_kind == "zj_tech_sme"
    qual = db_session.scalars(select(Qualification)).one()
    assert qual.valid_to == date(2025, 12, 30)


def test_commit_then_revert_restores_the_previous_values(db_session, tmp_path, make_enterprise):
    kept = make_enterprise(credit_code=code(30), name="保留原名", contact_person="李四")
    path = write_xlsx(tmp_path / "c.xlsx", [
        ["统一社会信用代码", "企业名称", "乡镇（街道）", "联系人"],
        [code(30), "被改的名称", None, "王五"],
        [code(31), "新企业", "南峰街道", None]])
    report = run(db_session, path, commit=True)
    assert (report.created, report.updated) == (1, 1)
    batch = db_session.get(ImportBatch, report.batch)
    undone = revert_batch(db_session, batch, actor="test", now=TODAY_NOW(),
                          today=TODAY_NOW().date())
    assert undone == 2
    db_session.refresh(kept)
    assert (kept.name, kept.contact_person) == ("保留原名", "李四")
    assert db_session.scalar(select(Enterprise).where(Enterprise.credit_code == code(31))) is None
    assert batch.status == "reverted"
    with pytest.raises(RevertRefused):
        revert_batch(db_session, batch, actor="test", now=TODAY_NOW(), today=TODAY_NOW().date())
    assert run(db_session, path, commit=True).created == 1  # re-import after revert works


def test_revert_is_refused_when_a_later_edit_would_be_lost(db_session, tmp_path,
                                                           make_enterprise):
    firm = make_enterprise(credit_code=code(40), name="甲")
    path = write_xlsx(tmp_path / "d.xlsx", [["统一社会信用代码", "企业名称"], [code(40), "乙"]])
    batch = db_session.get(ImportBatch, run(db_session, path, commit=True).batch)
    firm.name = "丙"
    db_session.flush()
    with pytest.raises(RevertRefused, match="企业名称在导入后又被修改"):  # labels, not codes
        revert_batch(db_session, batch, actor="test", now=TODAY_NOW(), today=TODAY_NOW().date())
    assert firm.name == "丙"
    assert batch.status == "committed"


@pytest.mark.parametrize("kind", ["firms", "figures", "qualifications"])
def test_an_export_imports_back_with_zero_changes(db_session, tmp_path, make_enterprise,
                                                  make_user, kind):
    advisor = make_user("advisor")
    for n in range(3):
        make_enterprise(credit_code=code(50 + n), tier="hnte" if n else "tech_sme",
                        advisor=advisor if n == 1 else None, above_scale=bool(n),
                        contact_email="a@b.cn", self_rd_management=12,
                        figures={2024: {"employees": 100 + n, "sales_revenue": 4300.25,
                                        "net_assets": -12.5, "source": "tax"},
                                 2025: {"employees": 110}})
    buffer = io.BytesIO()
    written = write_export(buffer, kind, db_session, EnterpriseFilters(), TODAY, viewer=None)
    assert written >= 3
    path = tmp_path / f"{kind}.xlsx"
    path.write_bytes(buffer.getvalue())
    headers = [c.value for c in next(load_workbook(path).active.iter_rows(max_row=1))]
    assert headers[0] in ("企业名称", "统一社会信用代码")
    report = run(db_session, path, kind=kind)
    assert report.errors == []
    assert report.unknown_columns == []
    assert (report.to_create, report.to_update, report.unchanged) == (0, 0, written)


def TODAY_NOW():  # noqa: N802
    from import_support import NOW

    return NOW


def test_counts_do_not_change_on_a_dry_run_of_figures(db_session, tmp_path, make_enterprise):
    make_enterprise(credit_code=code(60))
    path = write_xlsx(tmp_path / "f.xlsx", [["信用代码", "年度", "职工总数"], [code(60), 2024, 5]])
    assert run(db_session, path).to_create == 1
    assert count(db_session, FiscalYearFigures) == 0


def test_office_spellings_of_towns_and_kinds_are_understood(db_session, tmp_path,
                                                            make_enterprise):
    firm = make_enterprise(credit_code=code(70))
    firms = write_xlsx(tmp_path / "t.xlsx", [["统一社会信用代码", "企业名称", "所属乡镇"],
                                             [code(71), "县名前缀公司", "仙居县横溪镇"]])
    assert run(db_session, firms).errors == []
    quals = write_xlsx(tmp_path / "q.xlsx", [
        ["统一社会信用代码", "资质类型", "认定日期"],
        [firm.credit_code, "国家高新技术企业", "2024-12-06"],
        [firm.credit_code, "省科小", "2024-12-31"]])
    report = run(db_session, quals, commit=True)
    assert report.errors == []
    kinds = sorted(q.kind for q in db_session.scalars(select(Qualification)))
    assert kinds == ["hnte", "zj_tech_sme"]
