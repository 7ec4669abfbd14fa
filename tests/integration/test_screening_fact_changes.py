"""An incremental screening run reads only the firms whose verdicts may have changed
(screening.changes, screening.carry.stale_firms): nothing at all after a day without writes,
exactly the written firm after each kind of write, and the firms a day boundary reaches
(a certificate ending or starting, an institution recognised, a first anniversary) without
any write — and what it carries equals a full run's answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from import_support import run as run_import
from import_support import write_xlsx
from screening_support import AS_OF, STRONG_FIELDS, four_firms, strong_years
from sqlalchemy import event, func, select
from sqlalchemy.engine import Connection

from cultivation.enterprises.credit_code import make_code
from cultivation.enterprises.models import Enterprise
from cultivation.enterprises.services import delete_enterprise, record_figures, update_enterprise
from cultivation.imports.models import ImportBatch
from cultivation.imports.revert import revert_batch
from cultivation.qualifications.services import add_institution, add_qualification
from cultivation.screening import changes
from cultivation.screening.deltas import counted as counted_in_sql
from cultivation.screening.models import Evaluation, FirmFactChange, ScreeningRun
from cultivation.screening.queries import OUTCOMES
from cultivation.screening.runs import in_run
from cultivation.screening.services import run_screening

NOW = datetime(2026, 6, 30, 18, 0, tzinfo=UTC)
NEXT = AS_OF + timedelta(days=1)
FACT_TABLES = ("fiscal_year_figures", "rd_institutions", "qualifications")


class Statements:
    """The SQL statements sent on a connection (executemany counts once)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.sent: list[str] = []

    def _seen(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.sent.append(statement)

    def __enter__(self) -> Statements:
        event.listen(self.connection, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.connection, "before_cursor_execute", self._seen)


def answers(session: Any, run: ScreeningRun) -> dict[tuple[int, str], tuple[Any, ...]]:
    """Each verdict of ``run`` as the 培育库 shows it."""
    return {(row.enterprise_id, row.rules): (row.outcome, row.application,
                                             row.certificate_valid_to, row.total_gap)
            for row in session.scalars(select(Evaluation).where(in_run(Evaluation, run)))}


def stored_by(session: Any, run: ScreeningRun) -> set[int]:
    """The firms whose verdicts ``run`` evaluated and stored."""
    return set(session.scalars(select(Evaluation.enterprise_id).where(
        Evaluation.run_id == run.id)))


def assert_same_as_a_full_run(session: Any, run: ScreeningRun) -> None:
    """The carried answers are a full run's, and so are the counts the run derived from the
    previous run's (screening.deltas) — the 培育库's stored tallies, outcomes, candidates,
    new and dropped — against counting them in SQL."""
    assert run.chain_start_id is not None
    assert run.chain_start_id < run.id
    previous = session.get(ScreeningRun, run.previous_run_id)
    names = tuple(run.summary["rules"])
    counted = counted_in_sql(session, run, previous, names, {}, set(), carried=True)
    for key in ("candidates", "new", "dropped"):
        assert run.summary[key] == counted[key], key
    assert run.summary["outcomes"] == {
        name: {o: counted["outcomes"][name][o] for o in OUTCOMES} for name in names}
    assert ({name: sorted(map(tuple, rows)) for name, rows in run.summary["listed"].items()}
            == {name: sorted(map(tuple, rows)) for name, rows in counted["listed"].items()})
    full = run_screening(session, as_of=run.as_of, now=NOW, incremental_run=False)
    assert answers(session, run) == answers(session, full)
    for key in ("outcomes", "candidates"):
        assert run.summary[key] == full.summary[key]


def test_a_run_after_no_change_reads_no_firm_s_facts_for_5_or_25_firms(
        db_session, make_enterprise):
    def unchanged_run(day: date) -> tuple[int, int]:
        with Statements(db_session.connection()) as statements:
            run = run_screening(db_session, as_of=day, now=NOW, batch_size=2)
        assert run.summary["examined"] == 0
        assert run.summary["carried_forward"] == run.evaluations
        # Not one firm's figures, certificates or institutions read.
        assert not [s for s in statements.sent if any(t in s for t in FACT_TABLES)
                    and "FROM firm_fact_changes" not in s and "UNION" not in s]
        return len(statements.sent), run.firms

    for _ in range(5):
        make_enterprise(figures=strong_years(), **STRONG_FIELDS)
    run_screening(db_session, as_of=AS_OF, now=NOW)
    small, five = unchanged_run(AS_OF + timedelta(days=1))
    for _ in range(20):
        make_enterprise(figures=strong_years(), **STRONG_FIELDS)
    run_screening(db_session, as_of=AS_OF + timedelta(days=2), now=NOW)  # the 20 new firms
    large, twenty_five = unchanged_run(AS_OF + timedelta(days=3))
    assert (five, twenty_five) == (5, 25)
    assert small == large  # the same statements for 5 and for 25 firms (batches of 2)


def _figure(session: Any, firm: Enterprise) -> None:
    record_figures(session, firm, 2025, {"rd_expense": 1.0, "rd_expense_domestic": 1.0},
                   actor="test", now=NOW)


def _certificate(session: Any, firm: Enterprise) -> None:
    add_qualification(session, firm, {"kind": "hnte", "number": "GR2025330001",
                                      "valid_from": date(2025, 12, 1)}, actor="test", now=NOW)


def _institution(session: Any, firm: Enterprise) -> None:
    add_institution(session, firm, {"kind": "provincial_institute", "name": "省级企业研究院",
                                    "recognized_on": date(2026, 1, 5)}, actor="test", now=NOW)


def _firm_field(session: Any, firm: Enterprise) -> None:
    update_enterprise(session, firm, {"registered_on": date(2025, 12, 1)}, actor="test", now=NOW,
                      today=AS_OF)


WRITES: dict[str, Callable[[Any, Enterprise], None]] = {
    "figure": _figure, "certificate": _certificate, "institution": _institution,
    "firm field": _firm_field,
}


@pytest.mark.parametrize("kind", list(WRITES))
def test_each_kind_of_write_makes_exactly_that_firm_evaluated_again(
        db_session, make_enterprise, kind):
    firms = four_firms(make_enterprise)
    run_screening(db_session, as_of=AS_OF, now=NOW)
    WRITES[kind](db_session, firms["eligible"])
    db_session.flush()
    second = run_screening(db_session, as_of=NEXT, now=NOW)
    assert second.summary["examined"] == 1
    assert stored_by(db_session, second) == {firms["eligible"].id}
    assert_same_as_a_full_run(db_session, second)


def test_a_write_that_changes_no_fact_makes_no_firm_examined(db_session, make_enterprise):
    firms = four_firms(make_enterprise)
    run_screening(db_session, as_of=AS_OF, now=NOW)
    update_enterprise(db_session, firms["eligible"], {"town": "南峰街道"}, actor="test", now=NOW,
                      today=AS_OF)
    second = run_screening(db_session, as_of=NEXT, now=NOW)
    assert second.summary["examined"] == 0


def test_a_deleted_firm_leaves_the_chain_without_any_firm_examined(db_session, make_enterprise):
    firms = four_firms(make_enterprise)
    run_screening(db_session, as_of=AS_OF, now=NOW)
    delete_enterprise(db_session, firms["borderline"], actor="test", now=NOW)
    second = run_screening(db_session, as_of=NEXT, now=NOW)
    assert second.summary["examined"] == 0
    assert firms["borderline"].id not in {f for f, _ in answers(db_session, second)}
    assert_same_as_a_full_run(db_session, second)


def test_an_import_and_its_revert_each_make_exactly_that_firm_evaluated_again(
        db_session, make_enterprise, tmp_path):
    firms = four_firms(make_enterprise)
    firm = firms["eligible"]
    first = run_screening(db_session, as_of=AS_OF, now=NOW)
    path = write_xlsx(tmp_path / "统计.xlsx", [
        ["统一社会信用代码", "企业名称", "年份", "研发费用（万元）", "境内研发费用（万元）"],
        [firm.credit_code, firm.name, 2025, 1, 1]])
    report = run_import(db_session, path, commit=True)
    assert report.updated == 1
    imported = run_screening(db_session, as_of=NEXT, now=NOW)
    assert imported.summary["examined"] == 1
    assert stored_by(db_session, imported) == {firm.id}
    assert answers(db_session, imported)[(firm.id, "hnte")][0] == "ineligible"
    revert_batch(db_session, db_session.get(ImportBatch, report.batch), actor="test", now=NOW,
                 today=AS_OF)
    reverted = run_screening(db_session, as_of=NEXT + timedelta(days=1), now=NOW)
    assert reverted.summary["examined"] == 1
    assert stored_by(db_session, reverted) == {firm.id}
    assert answers(db_session, reverted) == {
        key: value for key, value in answers(db_session, first).items()}
    assert_same_as_a_full_run(db_session, reverted)


def test_a_certificate_that_ends_is_seen_on_the_next_day_without_any_write(
        db_session, make_enterprise):
    firms = four_firms(make_enterprise)
    ending = firms["eligible"]
    add_qualification(db_session, ending, {"kind": "hnte", "number": "GR2023330001",
                                           "valid_from": date(2023, 7, 1),
                                           "valid_to": AS_OF}, actor="test", now=NOW)
    first = run_screening(db_session, as_of=AS_OF, now=NOW)
    assert answers(db_session, first)[(ending.id, "hnte")][1] == "renewal"
    second = run_screening(db_session, as_of=NEXT, now=NOW)
    assert second.summary["examined"] == 1
    assert answers(db_session, second)[(ending.id, "hnte")][1] == "first"
    assert_same_as_a_full_run(db_session, second)


def test_a_certificate_or_institution_that_starts_is_seen_on_that_day_without_any_write(
        db_session, make_enterprise):
    firms = four_firms(make_enterprise)
    add_qualification(db_session, firms["eligible"], {
        "kind": "tech_sme", "number": "2026330001", "valid_from": NEXT + timedelta(days=1)},
        actor="test", now=NOW)
    add_institution(db_session, firms["incomplete"], {
        "kind": "provincial_institute", "name": "省级企业研究院",
        "recognized_on": NEXT + timedelta(days=1)}, actor="test", now=NOW)
    run_screening(db_session, as_of=AS_OF, now=NOW)
    quiet = run_screening(db_session, as_of=NEXT, now=NOW)
    assert quiet.summary["examined"] == 0
    starts = run_screening(db_session, as_of=NEXT + timedelta(days=1), now=NOW)
    assert starts.summary["examined"] == 2
    assert answers(db_session, starts)[(firms["eligible"].id, "tech-sme")][1] == "holder"
    assert_same_as_a_full_run(db_session, starts)


def test_a_young_firm_is_examined_every_day_until_its_first_anniversary(
        db_session, make_enterprise):
    four_firms(make_enterprise)
    young = make_enterprise(figures=strong_years(),
                            **{**STRONG_FIELDS, "registered_on": AS_OF - timedelta(days=364)})
    run_screening(db_session, as_of=AS_OF, now=NOW)
    birthday = run_screening(db_session, as_of=NEXT, now=NOW)
    assert birthday.summary["examined"] == 1
    assert stored_by(db_session, birthday) == {young.id}
    assert_same_as_a_full_run(db_session, birthday)


def test_a_run_deletes_only_the_logged_changes_it_read(db_session, make_enterprise):
    firm = make_enterprise()
    seen = changes.pending(db_session)
    assert firm.id in {f for _, f in seen}
    changes.record(db_session.connection(), [firm.id])  # committed while the run was going on
    changes.consume(db_session, [row_id for row_id, _ in seen])
    assert db_session.scalar(select(func.count()).select_from(FirmFactChange)) == 1


def test_a_firm_added_without_the_log_is_examined_all_the_same(db_session, make_enterprise):
    four_firms(make_enterprise)
    run_screening(db_session, as_of=AS_OF, now=NOW)
    bulk = make_enterprise(figures=strong_years(), **STRONG_FIELDS)
    # What a bulk loader writing with COPY leaves: the firm, and no log row.
    db_session.execute(FirmFactChange.__table__.delete())
    second = run_screening(db_session, as_of=NEXT, now=NOW)
    assert second.summary["examined"] == 1
    assert stored_by(db_session, second) == {bulk.id}
    assert_same_as_a_full_run(db_session, second)


def test_a_run_of_a_release_without_the_log_is_followed_by_a_full_run(
        db_session, make_enterprise):
    four_firms(make_enterprise)
    first = run_screening(db_session, as_of=AS_OF, now=NOW)
    # Made before writes were logged: what was written after it is in no log.
    first.summary = {k: v for k, v in first.summary.items() if k != "changes_logged"}
    db_session.flush()
    second = run_screening(db_session, as_of=NEXT, now=NOW)
    assert second.chain_start_id is None
    assert second.summary["examined"] == 4
    third = run_screening(db_session, as_of=NEXT + timedelta(days=1), now=NOW)
    assert third.summary["examined"] == 0


def test_a_firm_deleted_outright_by_a_revert_leaves_the_counts_right(
        db_session, make_enterprise, tmp_path):
    four_firms(make_enterprise)
    path = write_xlsx(tmp_path / "新企业.xlsx", [
        ["统一社会信用代码", "企业名称", "乡镇（街道）"],
        [make_code("91331024", "MA2XXXXX"), "新导入科技有限公司", "南峰街道"]])
    report = run_import(db_session, path, commit=True)
    assert report.created == 1
    run_screening(db_session, as_of=AS_OF, now=NOW)
    revert_batch(db_session, db_session.get(ImportBatch, report.batch), actor="test", now=NOW,
                 today=AS_OF)
    assert db_session.scalar(select(func.count()).select_from(Enterprise)) == 4
    second = run_screening(db_session, as_of=NEXT, now=NOW)
    assert second.firms == 4
    assert sum(second.summary["outcomes"]["hnte"].values()) == 4
    assert_same_as_a_full_run(db_session, second)
