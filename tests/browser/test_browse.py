"""One real browser walk: log in, open the firm list, open a firm."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"  # gitignored
SCREENSHOTS = ROOT / "docs" / "screenshots"  # the README's pictures


@pytest.mark.browser
def test_an_advisor_logs_in_opens_the_list_and_a_firm(live_server: Any,
                                                       browser: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live_server.url}/enterprises")
    assert "/login" in page.url  # anonymous visitors are sent to the login page
    page.fill("input[name=username]", live_server.advisor)
    page.fill("input[name=password]", live_server.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/enterprises*")

    rows = page.locator("table.enterprise-list tbody tr")
    assert rows.count() == 5  # "我的企业" is on by default for an advisor (5 firms are theirs)
    assert page.locator(".nav-pills .active").inner_text() == "我的企业"
    page.click("text=全部企业")
    page.wait_for_load_state()
    assert rows.count() == 12
    assert page.locator("table.enterprise-list [data-tier=hnte]").count() == 3
    list_shot = ARTIFACTS / "enterprises.png"
    page.screenshot(path=str(list_shot), full_page=True)

    page.click("text=浙江仙琚制药股份有限公司")
    page.wait_for_url(f"{live_server.url}/enterprises/{live_server.firm_code}")
    assert page.locator("h1").inner_text() == "浙江仙琚制药股份有限公司"
    for section in ("基本信息", "年度数据", "资质", "研发机构", "梯次历程", "动态"):
        assert page.locator(".card-header", has_text=section).count() >= 1, section
    figures = page.locator("table.figures")
    assert f"{date.today().year - 1}年" in figures.inner_text()
    assert "万元" in page.locator("#figures .card-header").inner_text()
    page.screenshot(path=str(ARTIFACTS / "enterprise-detail-full.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 1180})
    detail_shot = ARTIFACTS / "enterprise-detail.png"  # the first screen: what a visitor sees
    page.screenshot(path=str(detail_shot))
    assert errors == []

    if os.environ.get("UPDATE_SCREENSHOTS"):  # refresh the README's pictures on purpose only
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(list_shot, SCREENSHOTS / "enterprises.png")
        shutil.copyfile(detail_shot, SCREENSHOTS / "enterprise-detail.png")
