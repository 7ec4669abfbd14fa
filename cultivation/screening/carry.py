"""Carrying verdicts forward without copying them (screening.runs explains the chains).

A run *carries* from the previous run when that run is the newest one (the highest id), ran
the same rule sets with the same fingerprint context (parameters, engine), and most of its
verdicts may still hold on the new day; it then joins the previous run's chain.

It examines only the firms whose verdicts may have changed (``stale_firms``, one query): the
firms written since (screening.changes), those a day boundary between the two runs' days
reaches, and those without a verdict in the chain; the others' verdicts hold without reading
anything of theirs. Per batch of examined firms it reads their current verdicts (``current``),
keeps those whose fingerprint, next-change date and first/renewal standing still hold — writing
nothing for them — and marks the others
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
from typing import Any

from sqlalchemy import Select, and_, exists, func, insert, or_, select, text, union, update

from cultivation.database import DbSession, id_in
from cultivation.enterprises.models import Enterprise
from cultivation.qualifications.models import Qualification, RDInstitution
from cultivation.screening.models import Evaluation, FirmFactChange, ScreeningRun
from cultivation.screening.runs import in_run

# A run that could keep fewer of the previous run's verdicts than this share evaluates every
# firm in a chain of its own: marking nearly every row superseded would cost more than it saves
# (a new year or new parameters re-evaluate everything anyway).
MIN_CARRIED_SHARE = 0.5
# Summary key of a run made while writes were logged (the next run may rely on the log).
LOGGED = "changes_logged"
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


def joinable(session: DbSession, previous: ScreeningRun, rules: Sequence[str],
             context: str) -> bool:
    """A new run may join ``previous``'s chain: it is the newest run and screened the same rule
    sets in the same fingerprint context (whether most verdicts hold is ``stale_firms``'s),
    and writes were logged since it began (screening.changes): a run of a release without the
    log may be followed by writes no log holds."""
    if previous.id != newest_run_id(session) or not previous.summary:
        return False
    return bool(previous.summary.get("rules") == list(rules)
                and previous.summary.get("context") == context
                and previous.summary.get(LOGGED))


def holding(session: DbSession, previous: ScreeningRun, as_of: date) -> int:
    """How many of ``previous``'s verdicts may still hold on ``as_of`` by their stable_until:
    all of them (its summary's counts) less those whose day has come (an index range, short
    but on 1 January)."""
    table = Evaluation.__table__
    start = previous.chain_start_id if previous.chain_start_id is not None else previous.id
    chain = and_(table.c.superseded_in.is_(None), table.c.run_id >= start,
                 table.c.run_id <= previous.id)
    total = sum(int(n) for counts in ((previous.summary or {}).get("outcomes") or {}).values()
                for n in counts.values())
    due = session.scalar(select(func.count()).select_from(table).where(
        chain, or_(table.c.stable_until <= as_of, table.c.stable_until.is_(None))))
    return total - int(due or 0)


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


def stale_firms(session: DbSession, previous: ScreeningRun, as_of: date,
                horizons: dict[str, date], changed: Sequence[int], live: int | None
                ) -> list[int]:
    """The live firms whose verdicts in ``previous``'s chain may not hold on ``as_of``, in id
    order (one query of indexed parts, and two for the firms deleted since). Every other
    firm's verdicts hold: its facts as of ``as_of`` are those of ``previous.as_of`` (no write
    logged, no certificate or institution
    starting or ending in between; the fiscal years looked at and the parameters move only on
    a verdict's stable_until), and so is its first/renewal standing. By part:

    - ``changed``: firms with a write logged since (screening.changes);
    - a current verdict whose ``stable_until`` has come (or that has none);
    - a current verdict whose first/renewal standing differs under today's ``horizons``
      (the certificate it records now ends before the horizon, or no longer does);
    - a certificate that comes into force, ends or is revoked in (previous.as_of, as_of] —
      qualifications.queries.in_force_on — or an R&D institution recognised or revoked then;
    - a live firm without a current verdict in the chain (new, restored, or written by a bulk
      loader that logs nothing) — looked for only when there is one: when the live firms
      outnumber the chain's (the previous run's verdicts of one rule set, ``summary``, less
      those of firms deleted since), which costs nothing, where looking costs an anti-join
      over every firm (``live`` None: always look).
    """
    table = Evaluation.__table__
    chain = in_run(table, previous, newest=True)  # ``previous`` is the newest run of its chain
    since = previous.as_of
    moved = [and_(table.c.rules == name, or_(
        and_(table.c.application == "holder", table.c.certificate_valid_to <= horizon),
        and_(table.c.application == "renewal",
             or_(table.c.certificate_valid_to > horizon,
                 table.c.certificate_valid_to.is_(None))),
        table.c.application.is_(None)))
        for name, horizon in horizons.items()]
    parts: list[Select[Any]] = [
        # Two parts, not one OR: each is a range of ix_evaluations_current_stable_until.
        select(table.c.enterprise_id).where(chain, table.c.stable_until <= as_of),
        select(table.c.enterprise_id).where(chain, table.c.stable_until.is_(None)),
        select(Qualification.enterprise_id).where(Qualification.valid_from > since,
                                                  Qualification.valid_from <= as_of),
        select(Qualification.enterprise_id).where(Qualification.valid_to >= since,
                                                  Qualification.valid_to < as_of),
        select(Qualification.enterprise_id).where(Qualification.revoked_on > since,
                                                  Qualification.revoked_on <= as_of,
                                                  Qualification.status == "revoked"),
        select(RDInstitution.enterprise_id).where(RDInstitution.recognized_on > since,
                                                  RDInstitution.recognized_on <= as_of),
        select(RDInstitution.enterprise_id).where(RDInstitution.revoked_on > since,
                                                  RDInstitution.revoked_on <= as_of),
    ]
    parts += [select(table.c.enterprise_id).where(chain, where) for where in moved]
    if changed:  # the log itself (no list of ids: it may hold a whole import's firms)
        parts.append(select(Enterprise.id).where(
            Enterprise.id.in_(select(FirmFactChange.enterprise_id))))
    deleted = set(session.scalars(select(Enterprise.id).where(Enterprise.deleted_at.is_not(None))))
    if live is None or live > _in_chain(session, previous, chain, deleted):
        parts.append(select(Enterprise.id).where(Enterprise.deleted_at.is_(None), ~exists().where(
            table.c.enterprise_id == Enterprise.id, chain)))
    return sorted(set(session.scalars(union(*parts))) - deleted)


def vanished(session: DbSession, changed: Sequence[int]) -> bool:
    """Some firms written since the last run (``changed``: the log's) no longer exist at all
    (one query over the log)."""
    if not changed:
        return False
    gone = select(FirmFactChange.id).where(
        FirmFactChange.enterprise_id.not_in(select(Enterprise.id))).limit(1)
    return session.scalar(gone) is not None


def _in_chain(session: DbSession, previous: ScreeningRun, chain: Any, deleted: set[int]) -> int:
    """How many live firms have verdicts in ``previous``'s chain: the previous run's verdicts
    of one rule set (from its summary; a run has one per live firm and rule set) less those of
    the firms deleted since (an index look-up each). Unknown summary: 0 (look)."""
    table = Evaluation.__table__
    outcomes = ((previous.summary or {}).get("outcomes") or {})
    rules = next(iter(outcomes), None)
    if rules is None:
        return 0
    gone = int(session.scalar(select(func.count()).select_from(table).where(
        chain, table.c.rules == rules, table.c.enterprise_id.in_(
            select(Enterprise.id).where(Enterprise.deleted_at.is_not(None))))) or 0
               ) if deleted else 0
    return sum(int(n) for n in outcomes[rules].values()) - gone


def tallies(session: DbSession, run: ScreeningRun
            ) -> tuple[dict[str, dict[str, int]], set[tuple[int, str]]]:
    """The outcome counts per rule set and the 培育库 candidates (firm, rule set) of ``run``,
    the newest run of its chain (two queries over the current rows)."""
    from cultivation.screening.queries import is_candidate

    table = Evaluation.__table__
    counts: dict[str, dict[str, int]] = {}
    for name, outcome, n in session.execute(
            select(table.c.rules, table.c.outcome, func.count())
            .where(in_run(table, run, newest=True)).group_by(table.c.rules, table.c.outcome)):
        counts.setdefault(name, {})[outcome] = int(n)
    candidates = {(firm, name) for firm, name in session.execute(
        select(Evaluation.enterprise_id, Evaluation.rules).where(
            in_run(Evaluation, run, newest=True), is_candidate(Evaluation)))}
    return counts, candidates


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
