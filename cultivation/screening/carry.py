"""Carrying verdicts forward: the previous run's fingerprints, and the set-based copy of the
verdicts that still hold into the new run (screening.incremental says when they hold)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, literal, select

from cultivation.database import DbSession
from cultivation.screening.models import Evaluation


def reusable(session: DbSession, run_id: int, as_of: date, firm_ids: Sequence[int]
             ) -> dict[tuple[int, str], tuple[str, date, str]]:
    """(firm, rules) → (fingerprint, stable_until, outcome) of the previous run's verdicts of
    ``firm_ids`` that may still hold on ``as_of``."""
    stmt = select(Evaluation.enterprise_id, Evaluation.rules, Evaluation.fingerprint,
                  Evaluation.stable_until, Evaluation.outcome).where(
        Evaluation.run_id == run_id, Evaluation.enterprise_id.in_(list(firm_ids)),
        Evaluation.fingerprint.is_not(None), Evaluation.stable_until > as_of)
    return {(firm, rules): (str(print_), until, outcome)
            for firm, rules, print_, until, outcome in session.execute(stmt) if until}


def reusable_count(session: DbSession, run_id: int, as_of: date) -> int:
    """How many of the previous run's verdicts may still hold on ``as_of``."""
    return int(session.scalar(select(func.count()).select_from(Evaluation).where(
        Evaluation.run_id == run_id, Evaluation.fingerprint.is_not(None),
        Evaluation.stable_until > as_of)) or 0)


def carry_forward(session: DbSession, previous_id: int, run_id: int, rules: str,
                   firm_ids: list[int], as_of: date, now: datetime) -> None:
    """Copy the previous run's verdicts of ``firm_ids`` into this run (one INSERT … SELECT)."""
    table = Evaluation.__table__
    columns = ("run_id", "enterprise_id", "rules", "as_of", "outcome", "score_min", "score_max",
               "total_gap", "failed", "details", "created_at", "fingerprint", "stable_until",
               "evaluated_on")
    source = select(
        literal(run_id), table.c.enterprise_id, table.c.rules,
        literal(as_of, type_=table.c.as_of.type), table.c.outcome, table.c.score_min,
        table.c.score_max, table.c.total_gap, table.c.failed, table.c.details,
        literal(now, type_=table.c.created_at.type), table.c.fingerprint, table.c.stable_until,
        table.c.evaluated_on,
    ).where(table.c.run_id == previous_id, table.c.rules == rules,
            table.c.enterprise_id.in_(firm_ids))
    session.execute(insert(table).from_select(columns, source))


def copy_rows(session: DbSession, rows: list[dict[str, Any]]) -> None:
    """Write Evaluation rows (JSON columns already encoded) with PostgreSQL's COPY, in the
    session's transaction: several times faster than a multi-row INSERT for 100k+ rows."""
    columns = list(rows[0])
    driver = session.connection().connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(
            f"COPY evaluations ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])
