"""The check page's 变更预览: old → new per field, 无变化 and 将新建 rows marked, filter tabs
with counts, 100 rows a page; the same preview in the downloadable check result (xlsx)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from import_support import write_xlsx
from openpyxl import load_workbook
from sqlalchemy import event, func, select

from cultivation.enterprises.credit_code import make_code
from cultivation.extensions import db
from cultivation.imports.models import PREVIEW, ImportChange


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def _checked(auth: Any, tmp_path: Path, rows: list[list[Any]]) -> str:
    path = write_xlsx(tmp_path / "firms.xlsx", rows)
    location = auth.post("/imports", {"file": (io.BytesIO(path.read_bytes()), "名单.xlsx"),
                                      "kind": "auto"},
                         content_type="multipart/form-data").headers["Location"]
    auth.post(location + "/check", {}, form_url=location)
    return str(location)


def test_the_preview_lists_changes_unchanged_and_new_firms(auth: Any, client: Any,
                                                           tmp_path: Path,
                                                           make_enterprise: Any) -> None:
    auth.login("admin")
    changed = make_enterprise(name="页面预览甲", contact_person="张三", contact_phone="1")
    same = make_enterprise(name="页面预览乙", contact_person="赵六")
    new = make_code("91331024", "65000001")
    location = _checked(auth, tmp_path, [
        ["企业名称", "统一社会信用代码", "联系人", "联系电话", "乡镇"],
        ["页面预览甲", changed.credit_code, "李四", "1", None],
        ["页面预览乙", same.credit_code, "赵六", None, None],
        ["页面预览丙", new, "钱七", None, "安洲街道"],
    ])
    html = client.get(location).get_data(as_text=True)
    text = _text(html)
    assert "变更预览" in text
    assert "联系人：张三 → 李四" in text
    assert 'data-field="contact_person"' in html
    assert 'data-field="contact_phone"' not in html  # unchanged fields are not listed
    items = re.findall(r'data-row="(\d+)" data-code="[^"]+" data-action="(\w+)"', html)
    assert items == [("2", "update"), ("3", "unchanged"), ("4", "create")]
    assert "无变化" in text
    assert "全部 3 将更新 1 将新建 1 无变化 1" in text
    only = _text(client.get(location + "?show=unchanged").get_data(as_text=True))
    assert "页面预览乙" in only
    assert "页面预览甲" not in only


def test_a_large_preview_is_paged_with_its_count(auth: Any, client: Any, tmp_path: Path,
                                                 make_enterprise: Any) -> None:
    auth.login("admin")
    firms = [make_enterprise(contact_person="旧联系人") for _ in range(130)]
    location = _checked(auth, tmp_path, [["统一社会信用代码", "联系人"]] + [
        [f.credit_code, f"新联系人{n}"] for n, f in enumerate(firms)])
    first = client.get(location).get_data(as_text=True)
    assert first.count('data-action="update"') == 100
    assert "共 130 行，每页 100 行，第 1/2 页" in _text(first)
    second = client.get(location + "?page=2").get_data(as_text=True)
    assert second.count('data-action="update"') == 30
    assert "新联系人129" in second
    assert client.get(location + "?page=999&show=nonsense").status_code == 200  # last page

    book = load_workbook(io.BytesIO(client.get(location + "/errors.xlsx").data))
    rows = list(book["变更预览"].iter_rows(values_only=True))
    assert rows[0] == ("行号", "企业名称", "统一社会信用代码", "内容", "结果", "字段", "原值",
                       "新值")
    assert len(rows) == 131
    assert rows[1][4:] == ("将更新", "联系人", "旧联系人", "新联系人0")


def _previews(db_session: Any) -> int:
    return db_session.scalar(select(func.count(ImportChange.id)).where(
        ImportChange.entity_type == PREVIEW)) or 0


def test_commit_drops_the_preview_and_revert_ignores_it(auth: Any, client: Any, tmp_path: Path,
                                                        make_enterprise: Any,
                                                        db_session: Any) -> None:
    auth.login("admin")
    firm = make_enterprise(contact_person="张三")
    location = _checked(auth, tmp_path, [["统一社会信用代码", "联系人"],
                                         [firm.credit_code, "李四"]])
    assert _previews(db_session) == 1
    auth.post(location + "/commit", {}, form_url=location)
    assert _previews(db_session) == 0
    html = client.get(location).get_data(as_text=True)
    assert "变更预览" not in html
    db_session.refresh(firm)
    assert firm.contact_person == "李四"
    auth.post(location + "/revert", {}, form_url=location)
    db_session.refresh(firm)
    assert firm.contact_person == "张三"


def test_discard_drops_the_preview(auth: Any, tmp_path: Path, make_enterprise: Any,
                                   db_session: Any) -> None:
    auth.login("admin")
    firm = make_enterprise(contact_person="张三")
    location = _checked(auth, tmp_path, [["统一社会信用代码", "联系人"],
                                         [firm.credit_code, "李四"]])
    assert _previews(db_session) == 1
    auth.post(location + "/discard", {}, form_url=location)
    assert _previews(db_session) == 0


def test_a_preview_page_reads_the_same_statements_for_a_small_and_a_large_batch(
        app: Any, auth: Any, client: Any, tmp_path: Path, make_enterprise: Any) -> None:
    auth.login("admin")

    def statements(n: int) -> int:
        firms = [make_enterprise(contact_person="旧") for _ in range(n)]
        location = _checked(auth, tmp_path, [["统一社会信用代码", "联系人"]] + [
            [f.credit_code, "新"] for f in firms])
        seen: list[str] = []

        def count(*args: Any) -> None:
            seen.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            html = client.get(location + "?page=2").get_data(as_text=True)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert html.count('data-action="update"') == (n - 100 if n > 100 else n)
        return len(seen)

    assert statements(3) == statements(150)
