"""The screening job's statements never read the whole ``evaluations`` table once per row, and
a 培育库 page of the latest run walks an index in the page's order.

A province holds 300k verdicts per run, so a statement that scans them inside a loop over
another table's rows (a join, a correlated subquery) does 10^10 steps and never finishes. The
first run of all (no run to compare with) used to join "the previous run's verdicts" on a
constant false condition; SQLite then scanned every verdict once per listed verdict — the
stored 培育库 counts hung for over 17 minutes at 100k firms.

This runs the job on a few firms and asks the database for the plan of every SELECT it sent:
on SQLite no ``SCAN evaluations`` below the outermost loop; on PostgreSQL (sequential scans
turned off, so any usable index is taken) no read of all of ``evaluations`` (a sequential scan,
or an index scan without an index condition) on the inner side of a nested loop.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from screening_support import AS_OF, STRONG_FIELDS, strong_years
from sqlalchemy import event
from sqlalchemy.engine import Connection

from cultivation.accounts.access import EVERYTHING
from cultivation.screening.listing import candidates
from cultivation.screening.queries import CandidateFilters
from cultivation.screening.services import run_screening
from cultivation.todos.sources import new_candidates

NOW = datetime(2026, 6, 30, 18, 0, tzinfo=UTC)


class Selects:
    """The SELECT statements (with their parameters) sent on a connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.seen: list[tuple[str, Any]] = []

    def _seen(self, conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any
              ) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and (
                "evaluations" in statement):
            self.seen.append((statement, parameters))

    def __enter__(self) -> Selects:
        event.listen(self.connection, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.connection, "before_cursor_execute", self._seen)


def _nested_scans_sqlite(connection: Connection, statement: str, parameters: Any) -> list[str]:
    """Plan lines that scan evaluations below another loop: the plan's rows are (id, parent,
    _, detail); a loop at the top level that follows another top-level loop runs once per
    row of it, and one inside a correlated subquery once per outer row."""
    rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    loops_before = 0
    nested = []
    for _, parent, _, detail in rows:
        is_loop = detail.startswith(("SCAN ", "SEARCH "))
        if detail.startswith("SCAN evaluations") and (loops_before or parent != 0):
            nested.append(detail)
        if is_loop and parent == 0:
            loops_before += 1
    return nested


def _nested_scans_postgres(connection: Connection, statement: str, parameters: Any
                           ) -> list[str]:
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    try:
        plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement,
                                          parameters).scalar_one()
    finally:
        connection.exec_driver_sql("SET LOCAL enable_seqscan = on")
    plan = json.loads(plan) if isinstance(plan, str) else plan
    nested: list[str] = []

    def walk(node: dict[str, Any], inner: bool) -> None:
        kind = node.get("Node Type", "")
        whole = (kind == "Seq Scan" and node.get("Relation Name") == "evaluations") or (
            kind in {"Index Scan", "Index Only Scan", "Bitmap Index Scan"}
            and "evaluations" in node.get("Index Name", "") and "Index Cond" not in node)
        if inner and whole:  # every verdict read, once per outer row
            nested.append(f"{kind} on evaluations {node.get('Index Name', '')}")
        children = node.get("Plans", [])
        for i, child in enumerate(children):
            walk(child, inner or (node.get("Node Type") == "Nested Loop" and i > 0)
                 or child.get("Subplan Name") is not None)

    walk(plan[0]["Plan"], False)
    return nested


def nested_scans(connection: Connection, statements: list[tuple[str, Any]]) -> list[str]:
    check = (_nested_scans_postgres if connection.dialect.name == "postgresql"
             else _nested_scans_sqlite)
    found = []
    for statement, parameters in statements:
        found += [f"{line}  ⇐  {' '.join(statement.split())[:300]}"
                  for line in check(connection, statement, parameters)]
    return found


def test_the_first_run_and_the_next_never_scan_the_verdicts_per_row(db_session,
                                                                     make_enterprise):
    for _ in range(6):
        make_enterprise(figures=strong_years(), **STRONG_FIELDS)
    connection = db_session.connection()
    with Selects(connection) as first:  # no earlier run to compare with
        run_screening(db_session, as_of=AS_OF, now=NOW)
    with Selects(connection) as second:  # compared with the first
        run_screening(db_session, as_of=AS_OF + timedelta(days=1), now=NOW,
                      incremental_run=False)
    assert first.seen
    assert second.seen
    assert nested_scans(connection, first.seen + second.seen) == []


def test_new_candidates_of_a_first_run_do_not_scan_the_verdicts_per_row(db_session,
                                                                        make_enterprise):
    for _ in range(4):
        make_enterprise(figures=strong_years(), **STRONG_FIELDS)
    run_screening(db_session, as_of=AS_OF, now=NOW)
    connection = db_session.connection()
    with Selects(connection) as todos:
        new_candidates(db_session, AS_OF)
    assert todos.seen
    assert nested_scans(connection, todos.seen) == []


def test_the_check_finds_a_scan_of_the_verdicts_per_row(db_session):
    """The check itself: a join no index can serve is reported on either database."""
    bad = ("SELECT evaluations.id FROM evaluations LEFT JOIN evaluations AS evaluations_1 "
           "ON evaluations_1.total_gap + 0 > evaluations.total_gap + 0")
    good = "SELECT evaluations.id FROM evaluations WHERE evaluations.run_id = 1"
    connection = db_session.connection()
    assert len(nested_scans(connection, [(bad, ())])) == 1
    assert nested_scans(connection, [(good, ())]) == []


# sqlite_stat1 of `evaluations` after a full run and a carried run at 100k firms (bench data
# set): 300k rows, all of one run id — so the planner takes a run-id range as selective.
PROVINCE_STATS = {
    "ix_evaluations_current_outcome_gap": "300000 100000 37500 3 1",
    "ix_evaluations_enterprise_rules_run": "300000 3 1 1",
    "uq_evaluations_run_rules_enterprise": "300000 300000 100000 1",
    "ix_evaluations_run_rules_outcome_gap": "300000 300000 100000 37500 3 1",
}


def _plan_lines(connection: Connection, statement: str, parameters: Any) -> list[str]:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_sort = off")
        lines = [r[0] for r in connection.exec_driver_sql("EXPLAIN " + statement, parameters)]
        connection.exec_driver_sql("SET LOCAL enable_seqscan = on")
        connection.exec_driver_sql("SET LOCAL enable_sort = on")
        return lines
    return [r[3] for r in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement,
                                                     parameters)]


def test_a_page_of_the_newest_run_walks_the_index_of_current_verdicts(db_session,
                                                                      make_enterprise):
    """The 培育库 of the latest run (a carried run, so a chain of two) walks the partial index
    of current verdicts in the page's order, also with a province's table statistics — it
    used to take the run-id range and sort a whole rule set (1.3 s at 100k firms on SQLite)."""
    for _ in range(6):
        make_enterprise(figures=strong_years(), **STRONG_FIELDS)
    run_screening(db_session, as_of=AS_OF, now=NOW)
    latest = run_screening(db_session, as_of=AS_OF + timedelta(days=1), now=NOW)
    assert latest.chain_start_id is not None
    assert latest.chain_start_id != latest.id  # carried: a chain of two runs
    connection = db_session.connection()
    if connection.dialect.name == "sqlite":
        _load_province_stats(connection)
    with Selects(connection) as page:
        listed = candidates(db_session, CandidateFilters(), scope=EVERYTHING, per_page=2)
    assert listed.rows
    walks = [(s, p) for s, p in page.seen if "ORDER BY evaluations.total_gap" in s
             and "superseded_in IS NULL" in s]
    assert walks
    for statement, parameters in walks:
        plan = "\n".join(_plan_lines(connection, statement, parameters))
        assert "ix_evaluations_current_outcome_gap" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
        assert "Sort" not in plan, plan


def _load_province_stats(connection: Connection) -> None:
    connection.exec_driver_sql("ANALYZE")
    connection.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE tbl = 'evaluations'")
    for index, stat in PROVINCE_STATS.items():
        connection.exec_driver_sql(
            "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('evaluations', ?, ?)",
            (index, stat))
    connection.exec_driver_sql("ANALYZE sqlite_schema")  # the planner rereads the stats


def test_the_next_runs_look_for_stale_firms_does_not_read_the_chain_by_run_id(
        db_session, make_enterprise):
    """An incremental run finds the firms to read again among the chain's current verdicts
    through the indexes of current verdicts — never by the chain's run-id range, which holds
    every verdict of the chain (300k rows at 100k firms; 0.96 s of a 2.4 s run on SQLite)."""
    for _ in range(6):
        make_enterprise(figures=strong_years(), **STRONG_FIELDS)
    run_screening(db_session, as_of=AS_OF, now=NOW)
    run_screening(db_session, as_of=AS_OF + timedelta(days=1), now=NOW)  # a chain of two
    connection = db_session.connection()
    if connection.dialect.name == "sqlite":
        _load_province_stats(connection)
    with Selects(connection) as third:
        latest = run_screening(db_session, as_of=AS_OF + timedelta(days=2), now=NOW)
    assert latest.chain_start_id != latest.id  # carried: it looked for stale firms
    looks = [(s, p) for s, p in third.seen if "UNION" in s and "stable_until" in s]
    assert looks
    for statement, parameters in looks:
        plan = "\n".join(_plan_lines(connection, statement, parameters))
        # A seek on the run-id range: SQLite "(run_id>? AND run_id<?)", PostgreSQL an
        # "Index Cond" on run_id (a filter on it, as the current-verdict indexes apply, is fine).
        assert "(run_id>" not in plan, plan
        assert not re.search(r"Index Cond: .*run_id >=", plan), plan
