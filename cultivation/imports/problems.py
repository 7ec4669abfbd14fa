"""The downloadable problem list of an import (row, column, value, message)."""

from __future__ import annotations

from typing import IO

from cultivation import spreadsheet
from cultivation.imports.exports import header_row
from cultivation.imports.models import ImportBatch


def error_workbook(handle: IO[bytes], batch: ImportBatch) -> None:
    """Write every problem of ``batch`` (and the skipped rows) as an xlsx."""
    book = spreadsheet.new_workbook(write_only=True)
    sheet = book.create_sheet("问题清单")
    sheet.column_dimensions["D"].width = 80
    sheet.append(spreadsheet.cells(sheet, [f"文件：{batch.filename}（批次 #{batch.id}）"]))
    sheet.append(header_row(sheet, ["行号", "列", "值", "问题"]))
    for error in batch.errors or []:
        sheet.append(spreadsheet.cells(sheet, [error.get("row"), error.get("column"),
                                               error.get("value"), error.get("message")]))
    skipped = (batch.report or {}).get("skipped") or []
    if skipped:
        other = book.create_sheet("跳过的行")
        other.append(header_row(other, ["行号", "列", "值", "原因"]))
        for item in skipped:
            other.append(spreadsheet.cells(other, [item.get("row"), item.get("column"),
                                                   item.get("value"), item.get("message")]))
    book.save(handle)
