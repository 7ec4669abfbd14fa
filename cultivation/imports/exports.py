"""xlsx exports of the lists, with the importer's canonical Chinese headers (a round trip through
the importer changes nothing). Written with openpyxl's write-only mode: memory stays flat.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy import select

from cultivation.accounts.models import User
from cultivation.database import DbSession
from cultivation.enterprises.models import FIGURE_SOURCES, Enterprise, FiscalYearFigures
from cultivation.enterprises.queries import EnterpriseFilters, list_all, list_statement
from cultivation.imports.headers import TIER_LABEL, canonical_headers
from cultivation.policy.sectors import SECTORS
from cultivation.portfolios.queries import portfolio_ids
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


def header_row(sheet: WriteOnlyWorksheet, headers: Iterable[str]) -> list[WriteOnlyCell]:
    cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font, cell.fill = _HEAD_FONT, _HEAD_FILL
        cells.append(cell)
    return cells


def _dated(sheet: WriteOnlyWorksheet, values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if isinstance(value, date):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = "yyyy-mm-dd"
            out.append(cell)
        else:
            out.append(value)
    return out


def _visible_ids(viewer: User | None) -> Any:
    if viewer is None or viewer.sees_everything:
        return None
    return portfolio_ids(viewer.id)


def firm_rows(session: DbSession, filters: EnterpriseFilters, today: date,
              viewer: User | None) -> Iterator[list[Any]]:
    """Rows of the firm list as filtered; advisors get name, code, town and tier of others."""
    fields = list(canonical_headers("firms"))
    mine: set[int] | None = None
    if viewer is not None and not viewer.sees_everything:
        mine = set(session.scalars(portfolio_ids(viewer.id)))
    for row in list_all(session, filters, today):
        firm = row.enterprise
        values: dict[str, Any]
        if mine is not None and firm.id not in mine:
            values = {"name": firm.name, "credit_code": firm.credit_code, "town": firm.town}
        else:
            values = {name: getattr(firm, name) for name in fields if name != "advisor"}
            values["advisor"] = row.advisor_username
        yield [cell_value(n, values.get(n)) for n in fields] + [TIER_LABELS.get(row.tier, row.tier)]


def _firm_ids(filters: EnterpriseFilters, today: date) -> Any:
    listed = list_statement(filters, today).order_by(None).subquery()
    return select(listed.c.id)


def figure_rows(session: DbSession, filters: EnterpriseFilters, today: date, viewer: User | None,
                year: int | None = None) -> Iterator[list[Any]]:
    """One row per firm and year (details: advisors get their portfolio only)."""
    fields = [n for n in canonical_headers("figures") if n not in ("credit_code", "name", "year")]
    stmt = (select(FiscalYearFigures, Enterprise.credit_code, Enterprise.name)
            .join(Enterprise, Enterprise.id == FiscalYearFigures.enterprise_id)
            .where(Enterprise.id.in_(_firm_ids(filters, today)))
            .order_by(Enterprise.name, Enterprise.id, FiscalYearFigures.year))
    visible = _visible_ids(viewer)
    if visible is not None:
        stmt = stmt.where(Enterprise.id.in_(visible))
    if year is not None:
        stmt = stmt.where(FiscalYearFigures.year == year)
    for row, code, name in session.execute(stmt).yield_per(1000):
        yield [code, name, row.year, *[cell_value(f, getattr(row, f)) for f in fields]]


def qualification_rows(session: DbSession, filters: EnterpriseFilters, today: date,
                       viewer: User | None) -> Iterator[list[Any]]:
    """Every qualification of the listed firms (advisors: their portfolio only)."""
    fields = [n for n in canonical_headers("qualifications") if n not in ("credit_code", "name")]
    stmt = (select(Qualification, Enterprise.credit_code, Enterprise.name)
            .join(Enterprise, Enterprise.id == Qualification.enterprise_id)
            .where(Enterprise.id.in_(_firm_ids(filters, today)))
            .order_by(Enterprise.name, Enterprise.id, Qualification.valid_from))
    visible = _visible_ids(viewer)
    if visible is not None:
        stmt = stmt.where(Enterprise.id.in_(visible))
    for qual, code, name in session.execute(stmt).yield_per(1000):
        yield [code, name, *[cell_value(f, getattr(qual, f)) for f in fields]]


def write_export(handle: IO[bytes], kind: str, session: DbSession, filters: EnterpriseFilters,
                 today: date, *, viewer: User | None, year: int | None = None) -> int:
    """Write the xlsx for ``kind`` (firms / figures / qualifications); returns the row count."""
    book = Workbook(write_only=True)
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

