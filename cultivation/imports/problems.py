"""The downloadable check result of an import: the problems (row, column, value, message), the
skipped rows and, for a dry run, the preview of what will change (one line per field)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from cultivation import spreadsheet
from cultivation.imports.exports import header_row
from cultivation.imports.models import ImportBatch
from cultivation.imports.preview import ACTIONS


def error_workbook(handle: IO[bytes], batch: ImportBatch,
                   changes: Iterable[dict[str, Any]] = ()) -> None:
    """Write every problem of ``batch``, the skipped rows and, for a pending batch, its
    preview ``changes`` (``queries.preview_entries``) as an xlsx."""
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
    preview = None
    for item in changes:
        if preview is None:
            preview = book.create_sheet("变更预览")
            preview.append(header_row(preview, ["行号", "企业名称", "统一社会信用代码", "内容",
                                                "结果", "字段", "原值", "新值"]))
        head = [item.get("row"), item.get("name"), item.get("code"), item.get("subject"),
                ACTIONS.get(item.get("action", ""), item.get("action"))]
        for change in item.get("changes") or [None]:
            tail = ([change.get("label"), change.get("old"), change.get("new")] if change
                    else [None, None, None])
            preview.append(spreadsheet.cells(preview, head + tail))
    book.save(handle)
