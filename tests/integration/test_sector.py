"""The firm's 行业门类 (sector, 工信部联企业〔2011〕300号) and the provincial 创新能力评价得分:
API, import and export carry them; screening reads them."""

from __future__ import annotations

import io
from datetime import date

from api_support import Api, code, firm_body
from import_support import run, write_csv
from openpyxl import load_workbook

from cultivation.enterprises.models import Enterprise
from cultivation.enterprises.queries import EnterpriseFilters
from cultivation.imports.exports import write_export


def test_the_api_stores_sector_and_score_and_refuses_unknown_ones(client, db_session, make_user):
    admin = Api(client, db_session).as_user(make_user("admin"))
    body = firm_body(1, sector="software_it", provincial_innovation_score=72.5)
    created = admin.post("/enterprises", json=body)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["sector"] == "software_it"
    assert created.get_json()["provincial_innovation_score"] == 72.5
    by_label = admin.patch(f"/enterprises/{code(1)}", json={"sector": "批发业", "version": 1})
    assert by_label.status_code == 200, by_label.get_json()
    assert by_label.get_json()["sector"] == "wholesale"
    bad = admin.post("/enterprises", json=firm_body(2, sector="采矿业",
                                                    provincial_innovation_score=101))
    assert bad.status_code == 422
    errors = bad.get_json()["errors"]
    assert "未知的行业门类“采矿业”" in errors["sector"][0]
    assert errors["provincial_innovation_score"] == ["应为 0–100 的分数"]


def test_import_reads_the_sector_by_its_chinese_name_and_export_writes_it_back(
        db_session, tmp_path, make_user):
    path = write_csv(tmp_path / "firms.csv", [
        ["企业名称", "统一社会信用代码", "乡镇", "行业门类", "创新能力评价得分"],
        ["仙居划型测试有限公司", code(7), "安洲街道", "软件和信息技术服务业", "66"],
    ])
    report = run(db_session, path, commit=True)
    assert report.errors == [], report.errors
    firm = db_session.query(Enterprise).filter_by(credit_code=code(7)).one()
    assert (firm.sector, firm.provincial_innovation_score) == ("software_it", 66)
    out = io.BytesIO()
    write_export(out, "firms", db_session, EnterpriseFilters(), date(2026, 7, 1),
                 viewer=make_user("admin"))
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    row = next(r for r in rows if code(7) in r)
    assert row[header.index("行业门类（中小企业划型）")] == "软件和信息技术服务业"
    assert row[header.index("省企业研究院创新能力评价得分（0–100）")] == 66
