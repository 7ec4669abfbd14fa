"""The summary of a run that carries (screening.carry): the previous run's summary plus what
changed, read from the few rows the run superseded and stored — never from the carried rows.

A carried verdict is the same row in both runs, so it counts the same in both: the same outcome
and standing, a candidate in both or in neither, never new, never dropped. Only the firms this
run examined and re-evaluated, restamped or dropped differ, and for each of them the row the
run superseded is its verdict in the previous run and the row it stored (if any) its verdict
now. Outcome counts, candidate counts, new / dropped and the 培育库's stored tallies
(``summary["listed"]``, screening.listing) are the previous run's less the superseded rows plus
the stored ones (the tests compare them with the counting queries, ``counted``, which a full
run uses).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from cultivation.database import DbSession
from cultivation.screening import carry
from cultivation.screening.applications import HOLDER
from cultivation.screening.listing import listed_tallies
from cultivation.screening.models import Evaluation, ScreeningRun
from cultivation.screening.queries import CANDIDATE_OUTCOMES, is_candidate
from cultivation.screening.runs import in_run

Key = tuple[int, str]  # firm, rule set
Row = tuple[str, str | None]  # outcome, application


def usable(previous: ScreeningRun, names: Sequence[str]) -> bool:
    """The previous run's summary holds every count this one derives from."""
    summary = previous.summary or {}
    return all(name in (summary.get(part) or {}) for part in ("outcomes", "candidates", "listed")
               for name in names)


def _rows(session: DbSession, where: Any) -> dict[Key, Row]:
    table = Evaluation.__table__
    return {(firm, rules): (outcome, application) for firm, rules, outcome, application in
            session.execute(select(table.c.enterprise_id, table.c.rules, table.c.outcome,
                                   table.c.application).where(where))}


def _candidate(row: Row | None) -> bool:
    return row is not None and row[0] in CANDIDATE_OUTCOMES and row[1] != HOLDER


def summarise(session: DbSession, run: ScreeningRun, previous: ScreeningRun,
              names: Sequence[str]) -> dict[str, Any]:
    """``outcomes``, ``candidates``, ``new``, ``dropped`` and ``listed`` of ``run``, which
    carries from ``previous`` (two indexed queries: the rows it superseded and stored)."""
    table = Evaluation.__table__
    old = _rows(session, table.c.superseded_in == run.id)
    new = _rows(session, table.c.run_id == run.id)
    summary: dict[str, Any] = previous.summary or {}
    outcomes = {name: Counter({o: int(n) for o, n in summary["outcomes"][name].items()})
                for name in names}
    candidates = {name: int(summary["candidates"][name]) for name in names}
    listed: dict[str, Counter[tuple[str, str, bool, bool]]] = {name: Counter() for name in names}
    for name in names:  # carried rows: neither new nor dropped
        for application, outcome, _new, _dropped, count in summary["listed"][name]:
            listed[name][(application, outcome, False, False)] += int(count)
    for (_firm, name), (outcome, application) in old.items():
        if name not in outcomes:
            continue
        outcomes[name][outcome] -= 1
        candidates[name] -= _candidate((outcome, application))
        if application != HOLDER:
            listed[name][(application or "first", outcome, False, False)] -= 1
    added = {name: 0 for name in names}
    dropped = {name: 0 for name in names}
    for key in old.keys() | new.keys():
        name = key[1]
        if name not in outcomes:
            continue
        was, now = _candidate(old.get(key)), _candidate(new.get(key))
        added[name] += now and not was
        dropped[name] += was and not now
        row = new.get(key)
        if row is None:
            continue
        outcome, application = row
        outcomes[name][outcome] += 1
        candidates[name] += now
        if application != HOLDER:
            flags = (now and not was, not now and key in old and was)
            listed[name][(application or "first", outcome, *flags)] += 1
    return {
        "outcomes": outcomes, "candidates": candidates, "new": added, "dropped": dropped,
        "listed": {name: [[a, o, n, d, c] for (a, o, n, d), c in listed[name].items() if c > 0]
                   for name in names},
    }


def counted(session: DbSession, run: ScreeningRun, previous: ScreeningRun | None,
            names: Sequence[str], outcomes: dict[str, Counter[str]],
            after: set[tuple[int, str]], *, carried: bool) -> dict[str, Any]:
    """The run's counts by counting: the evaluated rows' ``outcomes`` and candidates ``after``
    (a run that carried counts its verdicts in SQL instead), compared with the previous run's
    candidates."""
    if carried:
        tallied, after = carry.tallies(session, run)
        outcomes = {name: Counter(tallied.get(name, {})) for name in names}
    before = _candidates(session, previous) if previous else set()
    return {
        "listed": listed_tallies(session, run, tuple(names)),
        "outcomes": outcomes,
        "candidates": {name: sum(1 for _, r in after if r == name) for name in names},
        # Without a previous run there is nothing to compare: no firm is "new".
        "new": {name: sum(1 for _, r in after - before if r == name and previous)
                for name in names},
        "dropped": {name: sum(1 for _, r in before - after if r == name) for name in names},
    }


def _candidates(session: DbSession, run: ScreeningRun) -> set[tuple[int, str]]:
    stmt = select(Evaluation.enterprise_id, Evaluation.rules).where(
        in_run(Evaluation, run), is_candidate(Evaluation))
    return {(firm_id, rules) for firm_id, rules in session.execute(stmt)}
