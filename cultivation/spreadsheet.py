"""The one way the app writes spreadsheet cells: every xlsx it produces (list exports, report
tables, the 培育库, the import problem report, templates, the CLI export) goes through
``put`` / ``cell``, so text a user typed can never become a live formula.

Text is written as a string cell, and text starting with ``= + - @``, a tab or a carriage return
gets a leading apostrophe (OWASP "CSV injection" guidance), so a spreadsheet program that re-reads
the value — or a user who copies it into another file — does not run it either. An apostrophe is
also added in front of text that already starts with one, which makes the change reversible:
``restore_text`` (used by the importer on every cell) removes exactly one, so an export imports
back unchanged, including a firm named ``=HYPERLINK(...)`` or ``'quoted``.

Numbers, dates and empty cells are written as they are: numbers stay numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"
_ESCAPED = (*FORMULA_STARTS, NEUTRALISER)


def neutralise(text: str) -> str:
    """``text`` as written to a cell: an apostrophe in front when it could start a formula
    (or already starts with an apostrophe); characters xlsx cannot hold removed."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return NEUTRALISER + text if text.startswith(_ESCAPED) else text


def restore_text(value: Any) -> Any:
    """The importer's inverse of ``neutralise``: one leading apostrophe removed from text that
    continues with a formula character or another apostrophe. Other values are unchanged."""
    if isinstance(value, str) and value.startswith(NEUTRALISER) and value[1:].startswith(_ESCAPED):
        return value[1:]
    return value


def put(target: Cell, value: Any) -> Cell:
    """Set ``target``'s value: text as a neutralised string cell, anything else as is."""
    if isinstance(value, str):
        target.value = neutralise(value)
        target.data_type = "s"  # never "f", whatever openpyxl guesses from the text
    else:
        target.value = value
    return target


def cell(sheet: Any, value: Any) -> Cell:
    """A cell for a write-only sheet's ``append``."""
    return put(WriteOnlyCell(sheet), value)


def cells(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """A row for a write-only sheet's ``append``: prepared cells kept, values wrapped."""
    return [v if isinstance(v, Cell) else cell(sheet, v) for v in values]


def write(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write one cell of a normal (not write-only) sheet."""
    target = ws.cell(row=row, column=column)
    put(target, value)
    return target


def new_workbook(*, write_only: bool = False) -> Workbook:
    """A workbook to fill with ``write`` / ``cells`` (the only place the app creates one)."""
    return Workbook(write_only=write_only)
