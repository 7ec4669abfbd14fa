"""The import preview in a real browser at desktop and phone (390×844) size: the downloaded
template with its sample row and two filled rows is uploaded, the check runs by itself, and the
page counts 2 data rows (not the sample) and shows field by field what will change — an updated
firm's contact old → new, the other firm 无变化 — with filter tabs; nothing scrolls sideways.
The upload is discarded at the end: nothing is written."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from browsing import VIEWPORTS, log_in, open_page
from conftest import FIRMS
from openpyxl import load_workbook

from cultivation.enterprises.credit_code import make_code
from cultivation.enterprises.models import Enterprise
from cultivation.extensions import db
from cultivation.imports.headers import canonical_headers


def _filled_template(page: Any, live_server: Any, folder: Path) -> Path:
    """The firm template as the page serves it, with two of the advisor's firms filled in."""
    response = page.request.get(f"{live_server.url}/imports/templates/firms.xlsx")
    assert response.ok
    book = load_workbook(io.BytesIO(response.body()))
    sheet = book.worksheets[0]
    fields = list(canonical_headers("firms"))
    second = make_code("91331024", f"{31000000 + 2 * 7:08d}")
    for row in ({"name": FIRMS[0][0], "credit_code": live_server.firm_code,
                 "contact_person": "李四"},
                {"name": FIRMS[1][0], "credit_code": second, "contact_person": "王建国"}):
        sheet.append([row.get(f) for f in fields])
    path = folder / "企业名录-填写.xlsx"
    book.save(path)
    return path


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_preview_shows_old_and_new_values_before_the_commit(
        live_server: Any, browser: Any, viewport: str, tmp_path: Path) -> None:
    page = open_page(browser, viewport)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, live_server)
    path = _filled_template(page, live_server, tmp_path)
    page.goto(f"{live_server.url}/imports")
    page.set_input_files("#file", str(path))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("#change-list", timeout=20_000)  # the check ran and the page reloaded
    summary = page.locator("main").inner_text()
    assert "数据行：2" in summary  # the template's sample row is not counted
    assert "示例行" in summary
    updated = page.locator('#change-list [data-action="update"]')
    assert updated.count() == 1
    assert FIRMS[0][0] in updated.inner_text()
    assert "联系人：王建国 → 李四" in updated.inner_text()
    assert "联系电话" not in updated.inner_text()  # unchanged fields are not listed
    same = page.locator('#change-list [data-action="unchanged"]')
    assert "无变化" in same.inner_text()
    assert FIRMS[1][0] in same.inner_text()
    page.click('#change-filters a[data-show="unchanged"]')
    page.wait_for_url("**show=unchanged*")
    assert page.locator("#change-list [data-action]").count() == 1
    assert page.locator('#change-list [data-action="unchanged"]').count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
    page.click("form[action$='/discard'] button")
    page.wait_for_url(f"{live_server.url}/imports")
    with live_server.app.app_context():
        firm = db.session.query(Enterprise).filter_by(credit_code=live_server.firm_code).one()
        assert firm.contact_person == "王建国"  # the preview wrote nothing
        db.session.remove()
    assert errors == []
    page.context.close()
