"""The dry run's preview: field by field what an import will change (old → new) for firms,
figures and certificates; unchanged fields are not listed, unchanged rows are marked, new rows
are marked as new; built from the plan's chunk reads (the same statements for 5 and 60 rows);
in the CLI's JSON and text, and never about a firm outside the importer's portfolio."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from import_support import run, write_xlsx
from sqlalchemy import event

from cultivation.enterprises.credit_code import make_code
from cultivation.enterprises.models import FiscalYearFigures
from cultivation.extensions import db
from cultivation.qualifications.models import Qualification


def code(n: int) -> str:
    return make_code("91331024", f"{64000000 + n:08d}")


def lines(entry: dict[str, Any]) -> list[str]:
    return [f"{c['label']}：{c['old']} → {c['new']}" for c in entry["changes"]]


def by_row(report: Any) -> dict[int, dict[str, Any]]:
    return {e["row"]: e for e in report.changes}


def test_firms_changed_unchanged_and_new(db_session: Any, tmp_path: Path, make_enterprise: Any,
                                         make_user: Any) -> None:
    wang = make_user("advisor", display_name="王指导")
    li = make_user("advisor", display_name="李指导")
    make_enterprise(credit_code=code(1), name="预览甲公司", contact_person="张三",
                    contact_phone="0576-1", above_scale=False, advisor=wang)
    make_enterprise(credit_code=code(2), name="预览乙公司", contact_person="赵六")
    path = write_xlsx(tmp_path / "firms.xlsx", [
        ["企业名称", "统一社会信用代码", "联系人", "联系电话", "规上企业", "科技指导员", "乡镇"],
        ["预览甲公司", code(1), "李四", "0576-1", "是", li.username, None],
        ["预览乙公司", code(2), "赵六", None, None, None, None],
        ["预览丙公司", code(3), "钱七", None, None, None, "安洲街道"],
    ])
    report = run(db_session, path)
    assert (report.to_update, report.unchanged, report.to_create) == (1, 1, 1)
    rows = by_row(report)
    assert rows[2]["action"] == "update"
    assert rows[2]["name"] == "预览甲公司"
    assert lines(rows[2]) == ["规上企业：否 → 是", "联系人：张三 → 李四",
                              "科技指导员：王指导 → 李指导"]  # the phone did not change
    assert (rows[3]["action"], rows[3]["changes"]) == ("unchanged", [])
    assert (rows[4]["action"], rows[4]["name"], rows[4]["changes"]) == ("create", "预览丙公司", [])
    assert [e["row"] for e in report.changes] == [2, 3, 4]


def test_figures_show_the_year_and_only_the_changed_values(db_session: Any, tmp_path: Path,
                                                           make_enterprise: Any) -> None:
    firm = make_enterprise(credit_code=code(10), name="年度预览公司")
    db_session.add(FiscalYearFigures(enterprise_id=firm.id, year=2025, employees=30,
                                     rd_expense=Decimal("120.00"),
                                     sales_revenue=Decimal("4300.50")))
    db_session.flush()
    path = write_xlsx(tmp_path / "figures.xlsx", [
        ["统一社会信用代码", "年度", "职工总数", "研发费用（万元）", "销售收入（万元）"],
        [code(10), 2025, 30, 150, 4300.5],
        [code(10), 2024, 28, 100, None],
    ])
    report = run(db_session, path)
    rows = by_row(report)
    assert rows[2]["action"] == "update"
    assert rows[2]["subject"] == "2025 年度数据"
    assert lines(rows[2]) == ["2025 研发费用（万元）：120 → 150"]
    assert (rows[3]["action"], rows[3]["subject"], rows[3]["name"]) == (
        "create", "2024 年度数据", "年度预览公司")


def test_a_figures_file_in_yuan_shows_the_converted_values(db_session: Any, tmp_path: Path,
                                                           make_enterprise: Any) -> None:
    firm = make_enterprise(credit_code=code(11))
    db_session.add(FiscalYearFigures(enterprise_id=firm.id, year=2025,
                                     sales_revenue=Decimal("4300")))
    db_session.flush()
    path = write_xlsx(tmp_path / "yuan.xlsx", [["统一社会信用代码", "年度", "销售收入（元）"],
                                               [code(11), 2025, 45_000_000]])
    assert lines(run(db_session, path).changes[0]) == ["2025 销售收入（万元）：4,300 → 4,500"]


def test_certificates_show_which_certificate_and_the_changed_fields(
        db_session: Any, tmp_path: Path, make_enterprise: Any) -> None:
    firm = make_enterprise(credit_code=code(20), name="证书预览公司")
    db_session.add(Qualification(enterprise_id=firm.id, kind="hnte", number="GR202333000001",
                                 valid_from=date(2023, 12, 8), valid_to=date(2026, 12, 7),
                                 status="valid"))
    db_session.flush()
    path = write_xlsx(tmp_path / "quals.xlsx", [
        ["统一社会信用代码", "资质类型", "证书编号", "发证（生效）日期", "有效期至"],
        [code(20), "高新技术企业", "GR202333000002", "2023-12-08", "2026-12-07"],
        [code(20), "科技型中小企业", "2026330000001", "2026-05-01", None],
    ])
    report = run(db_session, path)
    rows = by_row(report)
    assert rows[2]["subject"] == "高新技术企业（2023-12-08 起）"
    assert lines(rows[2]) == ["高新技术企业（2023-12-08 起）证书编号：GR202333000001 → "
                              "GR202333000002"]
    assert rows[3]["action"] == "create"


def test_the_preview_adds_no_statement_per_row(app: Any, db_session: Any, tmp_path: Path,
                                               make_enterprise: Any) -> None:
    def statements(n: int) -> tuple[int, int]:
        firms = [make_enterprise(contact_person="旧") for _ in range(n)]
        path = write_xlsx(tmp_path / f"{n}.xlsx", [["统一社会信用代码", "联系人"]] + [
            [f.credit_code, "新"] for f in firms])
        seen: list[str] = []

        def count(*args: Any) -> None:
            seen.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            report = run(db_session, path)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert all(lines(e) == ["联系人：旧 → 新"] for e in report.changes)
        return len(seen), len(report.changes)

    small, big = statements(5), statements(60)
    assert (small[1], big[1]) == (5, 60)
    assert small[0] == big[0]


def test_rows_outside_the_portfolio_are_not_previewed(db_session: Any, tmp_path: Path,
                                                      make_enterprise: Any,
                                                      make_user: Any) -> None:
    mine, other = make_user("advisor"), make_user("advisor")
    make_enterprise(credit_code=code(30), contact_person="甲", advisor=mine)
    make_enterprise(credit_code=code(31), contact_person="秘密联系人", advisor=other)
    path = write_xlsx(tmp_path / "p.xlsx", [["统一社会信用代码", "联系人"],
                                            [code(30), "乙"], [code(31), "丙"]])
    report = run(db_session, path, user=mine)
    assert [e["row"] for e in report.changes] == [2]
    assert "秘密联系人" not in json.dumps(report.as_dict(), ensure_ascii=False)


def test_the_cli_prints_the_changes_and_puts_them_in_its_json(runner: Any, db_session: Any,
                                                              tmp_path: Path,
                                                              make_enterprise: Any) -> None:
    make_enterprise(credit_code=code(40), name="命令行预览公司", contact_person="张三")
    db_session.commit()
    path = write_xlsx(tmp_path / "cli.xlsx", [["统一社会信用代码", "联系人"], [code(40), "李四"]])
    text = runner.invoke(args=["import", str(path), "--dry-run"])
    assert "更新 第2行 命令行预览公司：联系人：张三 → 李四" in text.output
    result = runner.invoke(args=["import", str(path), "--dry-run", "--json"])
    data = json.loads(result.output)
    assert data["changes"] == [{"row": 2, "code": code(40), "name": "命令行预览公司",
                                "subject": "", "action": "update", "changes": [
                                    {"field": "contact_person", "label": "联系人",
                                     "old": "张三", "new": "李四"}]}]
