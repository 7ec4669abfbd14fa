"""Report tables as xlsx an office can forward as is: a title block (report name, filters,
as-of date, generated at), a header row repeated on every printed page, borders, widths.

``workbook_response`` is shared: any page with a table can export it the same way.
"""

from __future__ import annotations

import tempfile
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from itertools import chain, islice
from typing import Any

from flask import Response, send_file
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cultivation import spreadsheet
from cultivation.web import clock

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
    """Now in the configured zone, from the one clock (exports are built in a request)."""
    return clock.now().astimezone(clock.zone())


WIDTH_SAMPLE = 500  # rows looked at for column widths; the rest stream straight to the file


def _styled(ws: Any, value: Any, *, font: Font | None = None, fill: PatternFill | None = None,
            border: Border | None = None, alignment: Alignment | None = None,
            number_format: str | None = None) -> Any:
    cell = spreadsheet.cell(ws, value)  # text as a neutralised string cell
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if border is not None:
        cell.border = border
    if alignment is not None:
        cell.alignment = alignment
    if number_format is not None:
        cell.number_format = number_format
    return cell


def build_workbook(title: str, filters: Mapping[str, Any], columns: list[tuple[str, str]],
                   rows: Iterable[Any], *, formats: Mapping[str, str] | None = None,
                   generated_at: datetime | None = None) -> Workbook:
    """The workbook (write-only: rows go to a temporary file as they come, so a long table is
    never held as cells): title, filter line, generated-at line, header row, data rows. Column
    widths follow the header and the first ``WIDTH_SAMPLE`` rows."""
    formats = formats or {}
    wb = spreadsheet.new_workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    width = max(len(columns), 1)
    last = get_column_letter(width)
    stamp = generated_at or _generated_at()
    filter_text = "　".join(f"{k}：{v if v not in (None, '') else '全部'}"
                           for k, v in filters.items())
    source = iter(rows)
    sample = list(islice(source, WIDTH_SAMPLE))
    widths = [_display_width(header) for _, header in columns]
    for row in sample:
        for col, (key, _) in enumerate(columns):
            widths[col] = max(widths[col], _display_width(_cell_value(_value(row, key))))
    for col, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = min(max(w + 2, 8), 60)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape" if width > 6 else "portrait"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.row_dimensions[1].height = 24
    lines = [(title, Font(bold=True, size=14)), (filter_text, Font(size=10)),
             (f"生成时间：{stamp.year}年{stamp.month}月{stamp.day}日 {stamp:%H:%M}",
              Font(size=10, color="666666"))]
    for i, (text, font) in enumerate(lines, start=1):
        ws.append([_styled(ws, text, font=font, alignment=Alignment(
            horizontal="center" if i == 1 else "left", vertical="center", wrap_text=i == 2))])
        if width > 1:
            ws.merged_cells.add(f"A{i}:{last}{i}")
    ws.append([_styled(ws, header, font=Font(bold=True), fill=_HEADER_FILL, border=_BORDER,
                       alignment=Alignment(horizontal="center", vertical="center",
                                           wrap_text=True))
               for _, header in columns])
    written = 0
    for row in chain(sample, source):
        cells = []
        for key, _ in columns:
            value = _cell_value(_value(row, key))
            number_format = formats.get(key)
            if number_format is None and isinstance(value, date):
                number_format = "yyyy-mm-dd"
            elif number_format is None and isinstance(value, int) and not isinstance(value, bool):
                number_format = "#,##0"  # counts stay integers
            elif number_format is None and isinstance(value, float):
                number_format = "#,##0.00"
            cells.append(_styled(ws, value, border=_BORDER, number_format=number_format))
        ws.append(cells)
        written += 1
    if not written:
        ws.append([spreadsheet.cell(ws, "（无数据）")])
    return wb


def workbook_response(title: str, filters: dict[str, Any], columns: list[tuple[str, str]],
                      rows: Iterable[Any], filename: str, *,
                      formats: Mapping[str, str] | None = None) -> Response:
    """An xlsx download of one table. ``columns`` are (row key or attribute, Chinese header);
    ``filters`` are shown under the title (put the as-of date first); ``formats`` maps a key
    to an Excel number format such as ``0.0%``. The file is spooled to disk past 8 MB."""
    wb = build_workbook(title, filters, columns, rows, formats=formats)
    buffer = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (sent)
    wb.save(buffer)
    buffer.seek(0)
    name = filename if filename.endswith(".xlsx") else f"{filename}.xlsx"
    return send_file(buffer, mimetype=XLSX_MIME, as_attachment=True, download_name=name)
