"""Date arithmetic in SQL that reads the same on SQLite and PostgreSQL, and date series.

SQLite keeps dates as ISO text and needs ``date()``/``julianday()``; PostgreSQL has real date
arithmetic. Each construct below compiles to the right form for the dialect in use.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, literal_column, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import CTE


class add_days(FunctionElement[date]):  # noqa: N801 - reads like a SQL function
    """``day + n`` days (``n`` a Python int, rendered inline)."""

    type = Date()
    inherit_cache = True
    name = "add_days"

    def __init__(self, day: Any, n: int) -> None:
        super().__init__(day, literal_column(str(int(n))))


class days_between(FunctionElement[int]):  # noqa: N801
    """Whole days from ``earlier`` to ``later`` (later − earlier)."""

    type = Integer()
    inherit_cache = True
    name = "days_between"

    def __init__(self, later: ColumnElement[Any], earlier: ColumnElement[Any]) -> None:
        super().__init__(later, earlier)


@compiles(add_days, "sqlite")
def _add_days_sqlite(element: add_days, compiler: SQLCompiler, **kw: Any) -> str:
    day, n = list(element.clauses)
    return f"date({compiler.process(day, **kw)}, '{int(n.name):+d} days')"


@compiles(add_days)
def _add_days_default(element: add_days, compiler: SQLCompiler, **kw: Any) -> str:
    day, n = list(element.clauses)
    return f"CAST(({compiler.process(day, **kw)} + {int(n.name)}) AS DATE)"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


@compiles(days_between)
def _days_between_default(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"({later} - {earlier})"


class day_literal(FunctionElement[date]):  # noqa: N801
    """A date constant typed as a date on every dialect (SQLite: ISO text)."""

    type = Date()
    inherit_cache = True
    name = "day_literal"

    def __init__(self, day: date) -> None:
        super().__init__(literal_column(f"'{date.fromordinal(day.toordinal()).isoformat()}'"))


@compiles(day_literal, "sqlite")
def _day_literal_sqlite(element: day_literal, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(list(element.clauses)[0], **kw)


@compiles(day_literal)
def _day_literal_default(element: day_literal, compiler: SQLCompiler, **kw: Any) -> str:
    return f"DATE {compiler.process(list(element.clauses)[0], **kw)}"


def date_series(days: list[date], name: str = "days") -> CTE:
    """A one-column CTE (``day``) holding the given dates, for cross joins."""
    if not days:
        raise ValueError("date_series needs at least one date")
    selects = [select(day_literal(d).label("day")) for d in sorted(set(days))]
    if len(selects) == 1:
        return selects[0].cte(name)
    return union_all(*selects).cte(name)


def year_end(year: int) -> date:
    """31 December of ``year``."""
    return date(year, 12, 31)


def same_day_year_before(day: date) -> date:
    """The same calendar day one year earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)
