"""Helpers for the import tests: write small spreadsheets and run the importer."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cultivation.enterprises.services import validation_context
from cultivation.imports.services import ImportOptions, Report, run_import
from cultivation.regions import load_region

NOW = datetime(2026, 6, 30, 2, 0, tzinfo=UTC)
TODAY = date(2026, 6, 30)


def write_xlsx(path: Path, rows: list[list[Any]], *, title: str = "Sheet1") -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_csv(path: Path, rows: list[list[Any]], *, encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def run(session: Session, path: Path, *, commit: bool = False, user: Any = None,
        kind: str = "auto", qualification_kind: str | None = None) -> Report:
    return run_import(session, path, filename=path.name,
                      options=ImportOptions(kind, qualification_kind), user=user,
                      ctx=validation_context(TODAY, load_region()), now=NOW, commit=commit)


def count(session: Session, model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def messages(report: Report) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["message"]) for e in report.errors]
