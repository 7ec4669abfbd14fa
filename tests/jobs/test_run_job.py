"""Running a job once: JobRun bookkeeping, one commit on success, rollback on failure, and the
``jobs list`` / ``jobs run NAME --as-of DATE`` commands with Chinese errors."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from cultivation.accounts.models import User
from cultivation.jobs import registry
from cultivation.jobs.registry import JobSpec, UnknownJob
from cultivation.scheduling.models import JobRun
from cultivation.scheduling.services import run_job
from cultivation.screening.models import ScreeningRun
from cultivation.web.clock import run_time_on

NOW = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)


def install(monkeypatch: pytest.MonkeyPatch, spec: JobSpec) -> None:
    jobs = {**registry.all_jobs(), spec.name: spec}
    monkeypatch.setattr(registry, "all_jobs", lambda: jobs)


def test_a_successful_run_records_its_counts_and_commits_the_work(
        db_session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    def body(session: Session, now: datetime) -> dict[str, Any]:
        session.add(User(username="made-by-job", display_name="任务", role="advisor",
                         password_hash="x"))
        session.flush()
        return {"made": 1, "note": "ok", "ignored": [1, 2]}

    install(monkeypatch, JobSpec("probe", "探针", body, {"hour": 1}, "每天"))
    run = run_job(db_session, "probe", NOW, trigger="cli")
    db_session.rollback()  # what survives is what the runner committed
    assert run.outcome == "success"
    assert run.counts == {"made": 1, "note": "ok"}
    assert run.as_of == NOW
    assert run.finished_at is not None
    assert run.trigger == "cli"
    assert db_session.scalar(select(User).where(User.username == "made-by-job")) is not None


def test_a_failing_run_rolls_back_its_work_and_records_the_error(
        db_session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    def body(session: Session, now: datetime) -> dict[str, Any]:
        session.add(User(username="half-done", display_name="半", role="advisor",
                         password_hash="x"))
        session.flush()
        raise RuntimeError("数据源不可用")

    install(monkeypatch, JobSpec("probe", "探针", body, {"hour": 1}, "每天"))
    run = run_job(db_session, "probe", NOW)
    assert run.outcome == "failed"
    assert run.error is not None
    assert run.error.startswith("数据源不可用")
    assert "Traceback" in run.error
    assert db_session.scalar(select(User).where(User.username == "half-done")) is None
    assert db_session.get(JobRun, run.id) is not None


def test_an_unknown_job_name_is_refused_in_chinese(db_session: Session) -> None:
    with pytest.raises(UnknownJob, match="未知任务“nope”"):
        run_job(db_session, "nope", NOW)


def test_the_screening_job_runs_the_screening_service_as_of_the_local_date(
        db_session: Session) -> None:
    # 2026-05-31 20:00 UTC is already 1 June in Asia/Shanghai.
    run = run_job(db_session, "screening", datetime(2026, 5, 31, 20, 0, tzinfo=UTC))
    assert run.outcome == "success", run.error
    stored = db_session.get(ScreeningRun, run.counts["run"])
    assert stored is not None
    assert stored.as_of == date(2026, 6, 1)
    assert {"run", "firms", "evaluations", "pruned_runs"} <= set(run.counts)


def test_the_coverage_snapshot_job_stores_this_weeks_figures(db_session: Session) -> None:
    from cultivation.reports.models import CoverageSnapshot

    run = run_job(db_session, "coverage-snapshot", NOW)
    assert run.outcome == "success", run.error
    kinds = set(db_session.scalars(select(CoverageSnapshot.kind)))
    assert kinds == {"listed", "above_scale_hnte", "above_scale_tech"}


def test_as_of_means_eight_in_the_morning_in_the_configured_zone(app: Flask) -> None:
    with app.app_context():
        assert run_time_on(date(2026, 6, 1)).astimezone(UTC) == datetime(2026, 6, 1, 0, 0,
                                                                         tzinfo=UTC)


def test_jobs_run_with_as_of_passes_that_morning_as_now(
        db_session: Session, runner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[datetime] = []

    def body(session: Session, now: datetime) -> dict[str, Any]:
        seen.append(now)
        return {"seen": 1}

    install(monkeypatch, JobSpec("probe", "探针", body, {"hour": 1}, "每天"))
    result = runner.invoke(args=["jobs", "run", "probe", "--as-of", "2026-06-01"])
    assert result.exit_code == 0, result.output
    assert "任务 probe 已完成（seen 1）" in result.output  # no label: the key as is
    assert seen == [datetime(2026, 6, 1, 0, 0, tzinfo=UTC)]


@pytest.mark.parametrize(("args", "fragment"), [
    (["jobs", "run", "nope"], "未知任务“nope”"),
    (["jobs", "run", "outbox", "--as-of", "2026-02-30"], "日期“2026-02-30”格式不正确"),
    (["jobs", "run", "outbox", "--as-of", "明天"], "应为 YYYY-MM-DD"),
])
def test_bad_job_names_and_dates_fail_with_a_chinese_error(runner: Any, args: list[str],
                                                           fragment: str) -> None:
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert fragment in result.output


def test_a_failing_job_exits_non_zero(db_session: Session, runner: Any,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def body(session: Session, now: datetime) -> dict[str, Any]:
        raise RuntimeError("数据源不可用")

    install(monkeypatch, JobSpec("probe", "探针", body, {"hour": 1}, "每天"))
    result = runner.invoke(args=["jobs", "run", "probe", "--as-of", "2026-06-01"])
    assert result.exit_code == 1
    assert "任务 probe 运行失败：数据源不可用" in result.output


def test_jobs_list_shows_every_job_with_its_schedule_and_last_run(
        db_session: Session, runner: Any) -> None:
    run_job(db_session, "followups", NOW)
    result = runner.invoke(args=["jobs", "list"])
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.output.splitlines()]
    assert names == ["screening", "window-reminders", "expiry", "annual-report", "followups",
                     "coverage-snapshot", "leader-digest", "todos", "outbox", "import-purge",
                     "dashboard-figures"]
    followups = next(line for line in result.output.splitlines() if line.startswith("followups"))
    assert "每天 08:15" in followups
    assert "成功" in followups


def test_the_screening_job_refreshes_planner_statistics_on_postgresql(
        db_session: Session, make_enterprise: Any) -> None:
    from reports_support import count_statements

    make_enterprise(tier="tech_sme")
    with count_statements() as log:
        run = run_job(db_session, "screening", datetime(2026, 5, 31, 20, 0, tzinfo=UTC))
    assert run.outcome == "success", run.error
    analyzed = [s for s in log.statements if s.startswith("ANALYZE")]
    postgres = db_session.get_bind().dialect.name == "postgresql"
    assert analyzed == (["ANALYZE screening_runs, evaluations"] if postgres else [])
