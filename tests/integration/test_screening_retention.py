"""Screening retention: runs within SCREENING_KEEP_DAYS stay whole, older months keep only their
last run, the latest run and the runs it is compared with survive, and the prune is a constant
number of set-based statements, run at the end of the nightly screening job."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import partial
from typing import Any

import pytest
from flask import Flask
from screening_support import STRONG_FIELDS, StatementCounter, four_firms
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cultivation.accounts.access import EVERYTHING
from cultivation.dashboard.queries import new_candidates
from cultivation.reminders.leader_digest import candidate_changes
from cultivation.scheduling.services import run_job
from cultivation.screening.listing import candidates
from cultivation.screening.models import Evaluation, ScreeningRun
from cultivation.screening.queries import CandidateFilters
from cultivation.screening.retention import prune_screening_history
from cultivation.screening.runs import in_run
from cultivation.screening.services import run_screening

listing = partial(candidates, scope=EVERYTHING)

NOW = datetime(2026, 6, 30, 4, 0, tzinfo=UTC)  # 12:00 on 30 June in Asia/Shanghai
# Runs in creation order; "04-25a" and "04-25b" are two runs on one day (b is the month's last).
HISTORY = ("03-02", "03-10", "03-20", "03-28", "04-05", "04-15", "04-25a", "04-25b",
           "05-05", "05-12", "05-20", "05-27", "06-03", "06-10", "06-17", "06-24", "06-30")
JUNE = {"06-03", "06-10", "06-17", "06-24", "06-30"}
PER_RUN = 4 * 3  # four firms, three rule sets


def day_of(label: str, year: int = 2026) -> date:
    return date(year, int(label[:2]), int(label[3:5]))


def screen(session: Session, labels: tuple[str, ...], year: int = 2026) -> dict[str, int]:
    """Run the screening as of each labelled day, in order; label → run id."""
    runs = {}
    for label in labels:
        day = day_of(label, year)
        runs[label] = run_screening(session, as_of=day, now=datetime.combine(day, time(10),
                                                                             tzinfo=UTC)).id
    return runs


def remaining(session: Session, runs: dict[str, int]) -> dict[str, str | None]:
    """Label → previous run's label, for the runs still stored."""
    by_id = {run_id: label for label, run_id in runs.items()}
    rows = session.execute(select(ScreeningRun.id, ScreeningRun.previous_run_id))
    return {by_id[run_id]: by_id.get(previous) if previous else None
            for run_id, previous in rows}


def evaluations_per_run(session: Session) -> dict[int, int]:
    """Run id → its verdicts (rows are shared by the runs of a chain: screening.runs)."""
    return {run.id: session.scalar(select(func.count()).select_from(Evaluation).where(
        in_run(Evaluation, run))) or 0 for run in session.scalars(select(ScreeningRun))}


@pytest.mark.parametrize(("keep_days", "kept", "links"), [
    # Cutoff 16 May: May's early runs go except 12 May, which the oldest recent run compares with.
    (45, {"03-28", "04-25b", "05-12", "05-20", "05-27"} | JUNE,
     {"03-28": None, "04-25b": "03-28", "05-12": "04-25b", "05-20": "05-12"}),
    # Cutoff 20 May: the run on the cutoff day is recent, so the run it compares with stays.
    (41, {"03-28", "04-25b", "05-12", "05-20", "05-27"} | JUNE,
     {"03-28": None, "04-25b": "03-28", "05-12": "04-25b", "05-20": "05-12"}),
    # The default, cutoff 1 May: all of May and June, plus March's and April's last runs.
    (60, {"03-28", "04-25b", "05-05", "05-12", "05-20", "05-27"} | JUNE,
     {"03-28": None, "04-25b": "03-28", "05-05": "04-25b"}),
])
def test_old_months_keep_only_their_last_run_and_recent_runs_stay_whole(
        db_session: Session, make_enterprise: Any, keep_days: int, kept: set[str],
        links: dict[str, str | None]) -> None:
    four_firms(make_enterprise)
    runs = screen(db_session, HISTORY)
    before = evaluations_per_run(db_session)

    result = prune_screening_history(db_session, now=NOW, keep_days=keep_days)

    stored = remaining(db_session, runs)
    assert set(stored) == kept
    # Re-linked to the nearest earlier kept run (none before March's); the rest untouched.
    assert {label: stored[label] for label in links} == links
    assert stored["06-30"] == "06-24"
    kept_ids = {runs[label] for label in kept}
    assert evaluations_per_run(db_session) == {i: n for i, n in before.items() if i in kept_ids}
    assert set(before.values()) == {PER_RUN}
    pruned = len(HISTORY) - len(kept)
    # Nothing changed in the registry: every run shares the first run's rows, which kept runs
    # still hold, so no row is deleted (before carrying by reference: pruned * PER_RUN copies).
    assert result == {"pruned_runs": pruned, "pruned_evaluations": 0,
                      "relinked_runs": len(links) - 1}


def test_the_candidate_list_and_new_this_month_read_the_same_after_pruning(
        db_session: Session, make_enterprise: Any) -> None:
    firms = four_firms(make_enterprise)
    screen(db_session, HISTORY[:-1])
    firms["ineligible"].major_incident_last_year = False  # a candidate from the last run on
    db_session.flush()
    screen(db_session, HISTORY[-1:])
    filters = CandidateFilters(rules="hnte")
    today = day_of("06-30")

    def views() -> tuple[Any, ...]:
        listed = listing(db_session, filters)
        return (listed.run.id if listed.run else None, listed.rows, listed.total,
                listed.outcome_counts, listed.new, listed.dropped,
                new_candidates(db_session, today), candidate_changes(db_session, today))

    before = views()
    prune_screening_history(db_session, now=NOW, keep_days=45)
    db_session.expire_all()
    after = views()

    assert after == before
    listed = listing(db_session, filters)
    assert listed.new == 1
    assert [r.enterprise_id for r in listed.rows if r.is_new] == [firms["ineligible"].id]
    dashboard = new_candidates(db_session, today)
    assert dashboard.baseline_on == day_of("05-27")
    assert dashboard.count == 1


def test_loaded_runs_follow_the_prune_without_a_reload(
        db_session: Session, make_enterprise: Any) -> None:
    four_firms(make_enterprise)
    runs = screen(db_session, HISTORY)
    gone = db_session.get(ScreeningRun, runs["03-02"])
    relinked = db_session.get(ScreeningRun, runs["04-25b"])
    gone_rows = list(db_session.scalars(select(Evaluation)
                                        .where(Evaluation.run_id == runs["03-02"])))

    prune_screening_history(db_session, now=NOW, keep_days=45)

    assert gone not in db_session
    assert not any(row in db_session for row in gone_rows)
    assert relinked is not None
    assert relinked.previous_run_id == runs["03-28"]


def test_a_second_prune_deletes_nothing(db_session: Session, make_enterprise: Any) -> None:
    four_firms(make_enterprise)
    runs = screen(db_session, HISTORY)
    first = prune_screening_history(db_session, now=NOW, keep_days=45)
    kept = remaining(db_session, runs)

    second = prune_screening_history(db_session, now=NOW, keep_days=45)

    assert first["pruned_runs"] > 0
    assert second == {"pruned_runs": 0, "pruned_evaluations": 0, "relinked_runs": 0}
    assert remaining(db_session, runs) == kept


def test_a_latest_run_older_than_the_window_keeps_the_run_it_is_compared_with(
        db_session: Session, make_enterprise: Any) -> None:
    four_firms(make_enterprise)
    runs = screen(db_session, ("03-10", "03-20"))  # the job then stopped for three months

    result = prune_screening_history(db_session, now=NOW, keep_days=45)

    assert result["pruned_runs"] == 0
    assert remaining(db_session, runs) == {"03-10": None, "03-20": "03-10"}


def test_a_negative_keep_days_is_refused_in_chinese(db_session: Session) -> None:
    with pytest.raises(ValueError, match="SCREENING_KEEP_DAYS）不能为负数"):
        prune_screening_history(db_session, now=NOW, keep_days=-1)


def test_the_number_of_statements_does_not_grow_with_the_number_of_runs(
        db_session: Session, make_enterprise: Any) -> None:
    make_enterprise(**STRONG_FIELDS)
    screen(db_session, ("01-05", "01-12", "01-19", "01-26"), year=2025)
    db_session.flush()
    with StatementCounter(db_session.connection()) as few:
        small = prune_screening_history(db_session, now=datetime(2025, 6, 1, tzinfo=UTC),
                                        keep_days=0)
    screen(db_session, tuple(f"{m:02d}-{d:02d}" for m in (2, 3, 4, 5, 6, 7)
                             for d in (3, 9, 14, 20, 27)), year=2025)
    db_session.flush()
    with StatementCounter(db_session.connection()) as many:
        large = prune_screening_history(db_session, now=datetime(2025, 12, 1, tzinfo=UTC),
                                        keep_days=0)

    # January: the last run and the one it is compared with stay; then 19 January (no longer
    # compared with), four runs of each month February–June and three of July go.
    assert (small["pruned_runs"], large["pruned_runs"]) == (2, 1 + 5 * 4 + 3)
    # relink, two small reads (runs and their chains, the pruned ids), delete rows, delete runs
    assert few.count == many.count == 5


def test_the_screening_job_prunes_with_the_configured_days_and_counts_what_it_pruned(
        app: Flask, db_session: Session, make_enterprise: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    four_firms(make_enterprise)
    runs = screen(db_session, HISTORY)
    db_session.commit()
    monkeypatch.setitem(app.config, "SCREENING_KEEP_DAYS", 45)

    job = run_job(db_session, "screening", NOW)

    assert job.outcome == "success", job.error
    assert job.counts is not None
    assert (job.counts["pruned_runs"], job.counts["pruned_evaluations"],
            job.counts["relinked_runs"]) == (7, 0, 3)  # every verdict is shared by a kept run
    stored = remaining(db_session, {**runs, "job": int(job.counts["run"])})
    assert stored["job"] == "06-30"  # the job's run compares with the 30 June run before it
    assert len(stored) == len(HISTORY) - 7 + 1
