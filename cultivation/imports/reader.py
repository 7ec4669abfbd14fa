"""Streaming readers for .xlsx (openpyxl read-only) and .csv (UTF-8, GBK/GB18030, UTF-16).

Rows come one at a time with the row number Excel shows; the header row is searched within the
first rows (published lists put a title above it), and the text above it is kept as the title.
Memory stays flat: nothing holds the whole sheet.
"""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

HEADER_SEARCH_ROWS = 10
_CHUNK = 1 << 20


class ReadError(Exception):
    """The file cannot be read as a table at all (the message is Chinese)."""


@dataclass
class Sheet:
    """One table: its header row, the title text above it and a stream of data rows."""

    name: str
    header_row: int
    headers: list[Any]
    title: str
    rows: Iterator[tuple[int, list[Any]]]
    total_rows: int | None = None  # an estimate for progress (None = unknown)
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for close in self.closers:
            close()


class _NotText(ReadError):
    """The bytes do not decode as a text table (reported as a damaged workbook for .xlsx)."""


def sniff_format(path: Path) -> str:
    """xlsx, xls or csv from the first bytes (extensions lie)."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    return "csv"


def detect_encoding(path: Path) -> str:
    """utf-8-sig, utf-16 (BOM), utf-8, else gb18030 (a superset of GBK); checks the whole file."""
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def _find_header(first: list[list[Any]], score: Callable[[Sequence[Any]], int]) -> int | None:
    best, best_score = None, 1
    for index, row in enumerate(first):
        value = score(row)
        if value > best_score:
            best, best_score = index, value
    return best


def _sheet_from_rows(name: str, rows: Iterator[list[Any]], score: Callable[[Sequence[Any]], int],
                     total: int | None) -> Sheet | None:
    first = list(islice(rows, HEADER_SEARCH_ROWS))
    index = _find_header(first, score)
    if index is None:
        return None
    title = " ".join(str(c).strip() for row in first[:index] for c in row
                     if c is not None and str(c).strip())
    rest = first[index + 1:]
    start = index + 2  # Excel row number of the first data row

    def numbered() -> Iterator[tuple[int, list[Any]]]:
        number = start
        for row in rest:
            yield number, row
            number += 1
        for row in rows:
            yield number, row
            number += 1

    return Sheet(name, index + 1, list(first[index]), title, numbered(), total)


def open_sheet(path: Path, score: Callable[[Sequence[Any]], int]) -> Sheet:
    """The first table of the file whose header row ``score`` recognises."""
    if not path.exists():
        raise ReadError(f"文件不存在：{path}")
    kind = sniff_format(path)
    if kind == "xls":
        raise ReadError("不支持旧版 .xls 文件，请在 Excel 或 WPS 中另存为 .xlsx 后再导入")
    if kind == "xlsx":
        return _open_xlsx(path, score)
    try:
        return _open_csv(path, score)  # extensions lie: text named .xlsx is read as csv
    except _NotText as exc:
        if path.suffix.lower() != ".xlsx":
            raise
        raise ReadError("该文件扩展名是 .xlsx，但不是有效的 Excel 工作簿（可能已损坏）；"
                        "请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入") from exc


def _open_xlsx(path: Path, score: Callable[[Sequence[Any]], int]) -> Sheet:
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ReadError("无法读取该 Excel 文件（文件损坏或不是 .xlsx 工作簿）") from exc
    for sheet in book.worksheets:
        total = sheet.max_row if isinstance(sheet.max_row, int) else None
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # some writers store a wrong <dimension>; read every cell
        rows = (list(r) for r in sheet.iter_rows(min_row=1, values_only=True))
        found = _sheet_from_rows(sheet.title, rows, score, total)
        if found is not None:
            found.closers.append(book.close)
            return found
    book.close()
    raise ReadError("未找到可识别的表头（前 10 行内应有“企业名称”“统一社会信用代码”等列名）")


def _open_csv(path: Path, score: Callable[[Sequence[Any]], int]) -> Sheet:
    encoding = detect_encoding(path)
    handle = path.open("r", encoding=encoding, newline="", errors="strict")
    try:
        sample = handle.read(64 * 1024)
        handle.seek(0)
        if "\x00" in sample.replace("\x00\x00", "") and encoding != "utf-16":
            raise _NotText("无法识别的文件格式：请上传 .xlsx 或 .csv 文件")
        if re.match(r"\s*<(!doctype|html|table|\?xml)", sample.lstrip("\ufeff"), re.IGNORECASE):
            raise ReadError("这是网页（HTML）格式的表格，常见于系统导出的“Excel”；"
                            "请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入")
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;|")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(handle, dialect)
        rows = (list(r) for r in reader)
        size = path.stat().st_size
        lines = sample.count("\n")
        sample_bytes = max(len(sample.encode(encoding, "replace")), 1)
        total = int(size / sample_bytes * lines) if lines else None
        found = _sheet_from_rows(path.name, rows, score, total)
    except (UnicodeDecodeError, csv.Error) as exc:
        handle.close()
        raise _NotText("无法读取该 CSV 文件（编码或格式有误）") from exc
    except BaseException:
        handle.close()
        raise
    if found is None:
        handle.close()
        raise ReadError("未找到可识别的表头（前 10 行内应有“企业名称”“统一社会信用代码”等列名）")
    found.closers.append(handle.close)
    return found
