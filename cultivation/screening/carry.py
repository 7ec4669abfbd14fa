"""Carrying verdicts forward without copying them (screening.runs explains the chains).

A run *carries* from the previous run when that run is the newest one (the highest id), ran
the same rule sets with the same fingerprint context (parameters, engine), and most of its
verdicts may still hold on the new day; it then joins the previous run's chain. Per batch of
firms it reads their current verdicts (``current``), keeps those whose fingerprint, next-change
date and first/renewal standing still hold — writing nothing for them — and marks the others
``superseded_in`` the new run (``supersede``, by primary key), whose re-evaluated rows replace
them (a verdict that still holds but whose first/renewal standing moved is copied with the new
standing: ``restamp``). Firms deleted since are dropped from the chain the same way
(``drop_deleted``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, insert, select, text, update

from cultivation.database import DbSession, id_in
from cultivation.enterprises.models import Enterprise
from cultivation.screening.models import Evaluation, ScreeningRun
from cultivation.screening.runs import in_run

# A run that could keep fewer of the previous run's verdicts than this share evaluates every
# firm in a chain of its own: marking nearly every row superseded would cost more than it saves
# (a new year or new parameters re-evaluate everything anyway).
MIN_CARRIED_SHARE = 0.5
LOCK_KEY = 0x7363726565_6E  # "screen": screening runs one at a time (PostgreSQL)


@dataclass(frozen=True)
class Current:
    """A firm's verdict under one rule set as the previous run holds it."""

    id: int
    fingerprint: str | None
    stable_until: date | None
    outcome: str
    application: str | None
    certificate_valid_to: date | None


def serialise(session: DbSession) -> None:
    """Screening runs one at a time: two runs joining one chain at once would both claim the
    rows they re-evaluate (PostgreSQL: a transaction-level advisory lock; SQLite allows one
    writer anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def newest_run_id(session: DbSession) -> int | None:
    return session.scalar(select(func.max(ScreeningRun.id)))


def carryable(session: DbSession, previous: ScreeningRun | None, newest_id: int | None,
              rules: Sequence[str], context: str, as_of: date, firms: int) -> int:
    """How many of ``previous``'s verdicts may hold on ``as_of`` when the new run can join its
    chain (see the module docstring); 0 when it cannot."""
    if previous is None or previous.id != newest_id or not previous.summary:
        return 0
    if (previous.summary.get("rules") != list(rules)
            or previous.summary.get("context") != context):
        return 0
    table = Evaluation.__table__
    holding = int(session.scalar(select(func.count()).select_from(table).where(
        in_run(table, previous), table.c.fingerprint.is_not(None),
        table.c.stable_until > as_of)) or 0)
    return holding if holding >= MIN_CARRIED_SHARE * firms * len(rules) else 0


def current(session: DbSession, previous: ScreeningRun, firm_ids: Sequence[int]
            ) -> dict[tuple[int, str], Current]:
    """(firm, rules) → the previous run's verdict, for ``firm_ids`` (one query).

    ``previous`` is the newest run, so its verdicts are the rows of its chain not superseded
    at all. The chain's range on ``run_id`` is checked here, not in SQL: a range that covers
    most of the table must not tempt the planner away from the per-firm index (with stale
    statistics right after a full run it did, scanning the whole chain for every batch)."""
    table = Evaluation.__table__
    start = previous.chain_start_id if previous.chain_start_id is not None else previous.id
    stmt = select(table.c.enterprise_id, table.c.rules, table.c.run_id, table.c.id,
                  table.c.fingerprint, table.c.stable_until, table.c.outcome,
                  table.c.application, table.c.certificate_valid_to).where(
        id_in(session, table.c.enterprise_id, firm_ids), table.c.superseded_in.is_(None))
    return {(firm, rules): Current(*rest) for firm, rules, run_id, *rest in session.execute(stmt)
            if start <= run_id <= previous.id}


def supersede(session: DbSession, run_id: int, evaluation_ids: Sequence[int]) -> None:
    """These rows are no longer the verdicts from run ``run_id`` on (one UPDATE)."""
    if evaluation_ids:
        table = Evaluation.__table__
        session.execute(update(table).where(id_in(session, table.c.id, evaluation_ids))
                        .values(superseded_in=run_id))


def restamp(session: DbSession, run_id: int, as_of: date, now: datetime,
            standings: dict[int, tuple[str | None, date | None]]) -> None:
    """Store kept verdicts whose first/renewal standing moved (the horizon moves with the day)
    as this run's rows with the new standing — copied, not evaluated again — and supersede the
    old rows: {evaluation id: (application, certificate_valid_to)}. Two statements, run only
    for the few verdicts whose standing changed."""
    if not standings:
        return
    table = Evaluation.__table__
    copy = session.get_bind().dialect.name == "postgresql"
    rows = []
    for old in session.execute(select(table).where(
            id_in(session, table.c.id, standings))).mappings():
        row = {key: value for key, value in old.items() if key != "id"}
        row.update(run_id=run_id, as_of=as_of, created_at=now, superseded_in=None)
        row["application"], row["certificate_valid_to"] = standings[old["id"]]
        if copy:  # COPY takes the JSON columns as text
            row["details"], row["failed"] = json.dumps(row["details"]), json.dumps(row["failed"])
        rows.append(row)
    if copy:
        copy_rows(session, rows)
    else:
        session.execute(insert(table), rows)
    supersede(session, run_id, list(standings))


def drop_deleted(session: DbSession, previous: ScreeningRun, run_id: int) -> int:
    """Supersede the current verdicts of firms deleted since ``previous`` (one UPDATE)."""
    table = Evaluation.__table__
    deleted = select(Enterprise.id).where(Enterprise.deleted_at.is_not(None))
    result = session.execute(update(table).where(
        in_run(table, previous), table.c.superseded_in.is_(None),
        table.c.enterprise_id.in_(deleted)).values(superseded_in=run_id))
    return int(getattr(result, "rowcount", 0) or 0)


def copy_rows(session: DbSession, rows: list[dict[str, object]]) -> None:
    """Write Evaluation rows (JSON columns already encoded) with PostgreSQL's COPY, in the
    session's transaction: several times faster than a multi-row INSERT for 100k+ rows."""
    columns = list(rows[0])
    driver = session.connection().connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(
            f"COPY evaluations ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])
