"""Report xlsx exports stream: rows go to the file as they come, the workbook never holds
them all as cells."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from flask import Flask
from openpyxl import load_workbook

from cultivation.reports.xlsx import build_workbook

ROWS = 6_000
COLUMNS = [("code", "统一社会信用代码"), ("name", "企业名称"), ("town", "乡镇（街道）"),
           ("day", "日期"), ("amount", "金额"), ("flag", "是否")]


def _rows(n: int) -> Iterator[dict[str, Any]]:
    for i in range(n):
        yield {"code": f"91331024{i:010d}", "name": f"测试企业{i}", "town": "安洲街道",
               "day": date(2025, 1, 1), "amount": i * 1.5, "flag": i % 2 == 0}


def test_a_long_report_is_written_with_flat_memory_and_keeps_its_title_block(app: Flask) -> None:
    with app.app_context():
        tracemalloc.start()
        wb = build_workbook("长表", {"统计日期": "2025-12-31"}, COLUMNS, _rows(ROWS),
                            generated_at=datetime(2026, 12, 6, 9, 0))
        buffer = io.BytesIO()
        wb.save(buffer)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < 6 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"
    sheet = load_workbook(io.BytesIO(buffer.getvalue()), read_only=False).active
    assert sheet["A1"].value == "长表"
    assert "A1:F1" in {str(r) for r in sheet.merged_cells.ranges}
    assert [c.value for c in sheet[4]] == [h for _, h in COLUMNS]
    assert sheet.freeze_panes == "A5"
    assert sheet.max_row == 4 + ROWS
    assert sheet["F5"].value == "是"
    assert sheet["D5"].number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions["A"].width >= 20


def test_an_empty_report_says_so(app: Flask) -> None:
    with app.app_context():
        wb = build_workbook("空表", {}, COLUMNS, [], generated_at=datetime(2026, 12, 6, 9, 0))
        buffer = io.BytesIO()
        wb.save(buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert sheet["A5"].value == "（无数据）"
