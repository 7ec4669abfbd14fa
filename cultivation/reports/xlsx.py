"""Report tables as xlsx an office can forward as is: a title block (report name, filters,
as-of date, generated at), a header row repeated on every printed page, borders, widths.

``workbook_response`` is shared: any page with a table can export it the same way.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, current_app, send_file
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
HEADER_ROW = 4


def _value(row: Any, key: str) -> Any:
    if isinstance(row, Mapping):
        return row.get(key)
    return getattr(row, key, None)


def _display_width(value: Any) -> int:
    text = value.isoformat() if isinstance(value, date) else str(value if value is not None else "")
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, list | tuple | set):
        return "、".join(str(v) for v in value)
    return value


def _generated_at() -> datetime:
    tz = current_app.config.get("TIMEZONE", "Asia/Shanghai")
    return datetime.now(ZoneInfo(tz))


def build_workbook(title: str, filters: Mapping[str, Any], columns: list[tuple[str, str]],
                   rows: Iterable[Any], *, formats: Mapping[str, str] | None = None,
                   generated_at: datetime | None = None) -> Workbook:
    """The workbook: title, filter line, generated-at line, header row, data rows."""
    formats = formats or {}
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title[:31]
    width = max(len(columns), 1)
    last = get_column_letter(width)
    stamp = generated_at or _generated_at()
    filter_text = "　".join(f"{k}：{v if v not in (None, '') else '全部'}"
                           for k, v in filters.items())
    lines = [(title, Font(bold=True, size=14)), (filter_text, Font(size=10)),
             (f"生成时间：{stamp.year}年{stamp.month}月{stamp.day}日 {stamp:%H:%M}",
              Font(size=10, color="666666"))]
    for i, (text, font) in enumerate(lines, start=1):
        ws.cell(row=i, column=1, value=text).font = font
        ws.cell(row=i, column=1).alignment = Alignment(horizontal="center" if i == 1 else "left",
                                                       vertical="center", wrap_text=i == 2)
        if width > 1:
            ws.merge_cells(f"A{i}:{last}{i}")
    ws.row_dimensions[1].height = 24
    widths = []
    for col, (_, header) in enumerate(columns, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        widths.append(_display_width(header))
    r = HEADER_ROW
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        for col, (key, _) in enumerate(columns, start=1):
            value = _cell_value(_value(row, key))
            cell = ws.cell(row=r, column=col, value=value)
            cell.border = _BORDER
            if key in formats:
                cell.number_format = formats[key]
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"  # one date style in every workbook: ISO
            elif isinstance(value, int):
                cell.number_format = "#,##0"
            elif isinstance(value, float):
                cell.number_format = "#,##0.00"
            widths[col - 1] = max(widths[col - 1], _display_width(value))
    for col, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = min(max(w + 2, 8), 60)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape" if width > 6 else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    if r == HEADER_ROW:
        ws.cell(row=HEADER_ROW + 1, column=1, value="（无数据）")
    return wb


def workbook_response(title: str, filters: dict[str, Any], columns: list[tuple[str, str]],
                      rows: Iterable[Any], filename: str, *,
                      formats: Mapping[str, str] | None = None) -> Response:
    """An xlsx download of one table. ``columns`` are (row key or attribute, Chinese header);
    ``filters`` are shown under the title (put the as-of date first); ``formats`` maps a key
    to an Excel number format such as ``0.0%``."""
    wb = build_workbook(title, filters, columns, rows, formats=formats)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    name = filename if filename.endswith(".xlsx") else f"{filename}.xlsx"
    return send_file(buffer, mimetype=XLSX_MIME, as_attachment=True, download_name=name)
