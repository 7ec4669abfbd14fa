"""xlsx exports of the lists, with the importer's canonical Chinese headers (a round trip through
the importer changes nothing). Written with openpyxl's write-only mode: memory stays flat.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import IO, Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy import select

from cultivation import spreadsheet
from cultivation.accounts.access import PUBLIC_FIELDS, VisibleScope, visible_scope
from cultivation.accounts.models import User
from cultivation.database import DbSession
from cultivation.enterprises.models import FIGURE_SOURCES, Enterprise, FiscalYearFigures
from cultivation.enterprises.queries import EnterpriseFilters, list_all, list_statement
from cultivation.imports.headers import TIER_LABEL, canonical_headers
from cultivation.policy.sectors import SECTORS
from cultivation.qualifications.models import (
    INSTITUTION_LEVELS,
    QUALIFICATION_KINDS,
    QUALIFICATION_STATUSES,
    Qualification,
)
from cultivation.qualifications.tiers import TIER_LABELS

EXPORT_NAMES = {"firms": "企业名录", "figures": "年度数据", "qualifications": "资质"}
_LABELS = {"kind": QUALIFICATION_KINDS, "status": QUALIFICATION_STATUSES, "source": FIGURE_SOURCES,
           "level": INSTITUTION_LEVELS, "sector": SECTORS}
_HEAD_FONT = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def cell_value(name: str, value: Any) -> Any:
    """A value as the importer reads it back: 是/否, Chinese labels for codes, dates as dates."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if name in _LABELS and isinstance(value, str):
        return _LABELS[name].get(value, value)
    return value


def header_row(sheet: WriteOnlyWorksheet, headers: Iterable[str]) -> list[Cell]:
    row = []
    for text in headers:
        head = spreadsheet.cell(sheet, text)
        head.font, head.fill = _HEAD_FONT, _HEAD_FILL
        row.append(head)
    return row


def _dated(sheet: WriteOnlyWorksheet, values: list[Any]) -> list[Any]:
    out = spreadsheet.cells(sheet, values)
    for target, value in zip(out, values, strict=True):
        if isinstance(value, date):
            target.number_format = "yyyy-mm-dd"
    return out


def firm_rows(session: DbSession, filters: EnterpriseFilters, today: date,
              viewer: User | None) -> Iterator[list[Any]]:
    """Rows of the firm list as filtered; advisors get the public fields of others."""
    fields = list(canonical_headers("firms"))
    scope = visible_scope(viewer)
    mine: set[int] | None = None
    if not scope.everything:
        mine = set(session.scalars(scope.firm_ids()))
    for row in list_all(session, filters, today, scope=scope):
        firm = row.enterprise
        values: dict[str, Any]
        if mine is not None and firm.id not in mine:
            values = {n: getattr(firm, n) for n in fields if n in PUBLIC_FIELDS}
        else:
            values = {name: getattr(firm, name) for name in fields if name != "advisor"}
            values["advisor"] = row.advisor_username
        yield [cell_value(n, values.get(n)) for n in fields] + [TIER_LABELS.get(row.tier, row.tier)]


def _firm_ids(filters: EnterpriseFilters, today: date, scope: VisibleScope) -> Any:
    listed = list_statement(filters, today, scope=scope).order_by(None).subquery()
    return select(listed.c.id)


def figure_rows(session: DbSession, filters: EnterpriseFilters, today: date, viewer: User | None,
                year: int | None = None) -> Iterator[list[Any]]:
    """One row per firm and year (details: advisors get their portfolio only)."""
    fields = [n for n in canonical_headers("figures") if n not in ("credit_code", "name", "year")]
    scope = visible_scope(viewer)
    stmt = (select(FiscalYearFigures, Enterprise.credit_code, Enterprise.name)
            .join(Enterprise, Enterprise.id == FiscalYearFigures.enterprise_id)
            .where(Enterprise.id.in_(_firm_ids(filters, today, scope)),
                   scope.details(Enterprise.id))
            .order_by(Enterprise.name, Enterprise.id, FiscalYearFigures.year))
    if year is not None:
        stmt = stmt.where(FiscalYearFigures.year == year)
    for row, code, name in session.execute(stmt).yield_per(1000):
        yield [code, name, row.year, *[cell_value(f, getattr(row, f)) for f in fields]]


def qualification_rows(session: DbSession, filters: EnterpriseFilters, today: date,
                       viewer: User | None) -> Iterator[list[Any]]:
    """Every qualification of the listed firms (advisors: their portfolio only)."""
    fields = [n for n in canonical_headers("qualifications") if n not in ("credit_code", "name")]
    scope = visible_scope(viewer)
    stmt = (select(Qualification, Enterprise.credit_code, Enterprise.name)
            .join(Enterprise, Enterprise.id == Qualification.enterprise_id)
            .where(Enterprise.id.in_(_firm_ids(filters, today, scope)),
                   scope.details(Enterprise.id))
            .order_by(Enterprise.name, Enterprise.id, Qualification.valid_from))
    for qual, code, name in session.execute(stmt).yield_per(1000):
        yield [code, name, *[cell_value(f, getattr(qual, f)) for f in fields]]


def write_export(handle: IO[bytes], kind: str, session: DbSession, filters: EnterpriseFilters,
                 today: date, *, viewer: User | None, year: int | None = None) -> int:
    """Write the xlsx for ``kind`` (firms / figures / qualifications); returns the row count."""
    book = spreadsheet.new_workbook(write_only=True)
    sheet = book.create_sheet(EXPORT_NAMES[kind])
    headers = list(canonical_headers(kind).values())
    if kind == "firms":
        headers.append(TIER_LABEL)
        rows = firm_rows(session, filters, today, viewer)
    elif kind == "figures":
        rows = figure_rows(session, filters, today, viewer, year)
    else:
        rows = qualification_rows(session, filters, today, viewer)
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 22
    sheet.freeze_panes = "A2"
    sheet.append(header_row(sheet, headers))
    count = 0
    for values in rows:
        sheet.append(_dated(sheet, values))
        count += 1
    book.save(handle)
    return count

