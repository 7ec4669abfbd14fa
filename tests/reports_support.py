"""Helpers for the report tests: count SQL statements, add dated qualifications/institutions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from cultivation.enterprises.models import Enterprise
from cultivation.extensions import db
from cultivation.qualifications.models import Qualification, RDInstitution


@dataclass
class StatementLog:
    """SQL statements seen while the counter was active."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def selects(self) -> list[str]:
        return [s for s in self.statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]


@contextmanager
def count_statements() -> Iterator[StatementLog]:
    """Count every statement the app's engine sends (``before_cursor_execute``)."""
    log = StatementLog()
    engine = db.engine

    def _on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.strip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            return
        log.statements.append(statement)

    event.listen(engine, "before_cursor_execute", _on_execute)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", _on_execute)


def qualify(session: Session, firm: Enterprise, kind: str, start: date, end: date | None,
            **extra: Any) -> Qualification:
    """Give ``firm`` a qualification of ``kind`` valid from ``start`` through ``end``."""
    q = Qualification(enterprise_id=firm.id, kind=kind, valid_from=start, valid_to=end, **extra)
    session.add(q)
    session.flush()
    return q


def institute(session: Session, firm: Enterprise, kind: str, recognized: date,
              revoked: date | None = None) -> RDInstitution:
    """Give ``firm`` an R&D institution recognised on ``recognized``."""
    inst = RDInstitution(enterprise_id=firm.id, kind=kind, recognized_on=recognized,
                         revoked_on=revoked)
    session.add(inst)
    session.flush()
    return inst
