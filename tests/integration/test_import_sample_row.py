"""The downloadable template's sample row (marked by the template's example credit code) is
neither counted as a data row nor imported: a template with one filled row previews and imports
one row; a template with only its sample row has no data rows (service, CLI and web upload)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from import_support import TODAY, count, run
from openpyxl import load_workbook
from sqlalchemy import select

from cultivation.enterprises.credit_code import make_code
from cultivation.enterprises.models import Enterprise
from cultivation.imports.headers import canonical_headers
from cultivation.imports.models import ImportBatch
from cultivation.imports.reader import ReadError
from cultivation.imports.rows import EXAMPLE_CODE
from cultivation.imports.templates import write_template
from cultivation.regions import load_region

NEW_CODE = make_code("91331024", "63000001")


def template(tmp_path: Path, kind: str, rows: list[dict[str, Any]], name: str = "") -> Path:
    """The real template of ``kind`` with ``rows`` appended below its sample row."""
    handle = io.BytesIO()
    write_template(handle, kind, load_region(), TODAY)
    book = load_workbook(io.BytesIO(handle.getvalue()))
    sheet = book.worksheets[0]
    fields = list(canonical_headers(kind))
    for row in rows:
        sheet.append([row.get(f) for f in fields])
    path = tmp_path / (name or f"template-{kind}.xlsx")
    book.save(path)
    return path


def firm_row() -> dict[str, Any]:
    return {"name": "模板填写甲公司", "credit_code": NEW_CODE, "town": "安洲街道"}


def test_a_filled_firm_template_counts_and_imports_only_the_filled_row(db_session: Any,
                                                                       tmp_path: Path) -> None:
    path = template(tmp_path, "firms", [firm_row()])
    report = run(db_session, path)
    assert (report.rows, report.valid, report.to_create) == (1, 1, 1)
    assert report.skipped == []  # the sample row is not a skipped data row either
    assert any("示例行" in n for n in report.notices)
    committed = run(db_session, path, commit=True)
    assert (committed.rows, committed.created) == (1, 1)
    assert db_session.scalar(select(Enterprise).where(Enterprise.credit_code == EXAMPLE_CODE)) \
        is None
    assert db_session.get(ImportBatch, committed.batch).rows == 1


@pytest.mark.parametrize("kind", ["figures", "qualifications"])
def test_figure_and_certificate_templates_count_only_the_filled_rows(
        db_session: Any, tmp_path: Path, make_enterprise: Any, kind: str) -> None:
    firm = make_enterprise(credit_code=NEW_CODE)
    row = ({"credit_code": firm.credit_code, "year": 2025, "employees": 30, "rd_expense": 120}
           if kind == "figures" else
           {"credit_code": firm.credit_code, "kind": "高新技术企业", "number": "GR202533009999",
            "valid_from": "2025-12-01"})
    report = run(db_session, template(tmp_path, kind, [row]))
    assert (report.rows, report.valid, report.to_create) == (1, 1, 1), report.errors


def test_a_template_with_only_its_sample_row_has_no_data_rows(db_session: Any,
                                                              tmp_path: Path) -> None:
    path = template(tmp_path, "firms", [])
    with pytest.raises(ReadError, match="文件中没有数据行"):
        run(db_session, path, commit=True)
    db_session.rollback()
    assert count(db_session, ImportBatch) == 0


def test_the_cli_says_so_too(runner: Any, db_session: Any, tmp_path: Path) -> None:
    result = runner.invoke(args=["import", str(template(tmp_path, "figures", [])), "--dry-run"])
    assert result.exit_code == 1
    assert "文件中没有数据行" in result.stderr


def test_the_web_refuses_an_untouched_template_and_previews_a_filled_one(
        auth: Any, client: Any, db_session: Any, tmp_path: Path) -> None:
    auth.login("admin")
    untouched = client.get("/imports/templates/firms.xlsx").data
    response = auth.post("/imports", {"file": (io.BytesIO(untouched), "导入模板.xlsx"),
                                      "kind": "auto"}, content_type="multipart/form-data",
                         follow_redirects=True)
    assert "文件中没有数据行" in response.get_data(as_text=True)
    assert count(db_session, ImportBatch) == 0

    filled = template(tmp_path, "firms", [firm_row()]).read_bytes()
    location = auth.post("/imports", {"file": (io.BytesIO(filled), "导入模板.xlsx"),
                                      "kind": "auto"},
                         content_type="multipart/form-data").headers["Location"]
    auth.post(location + "/check", {}, form_url=location)
    html = client.get(location).get_data(as_text=True)
    assert "数据行：<strong>1</strong>" in html
    assert "确认导入 1 行有效数据" in html
    assert db_session.scalars(select(ImportBatch)).one().rows == 1
