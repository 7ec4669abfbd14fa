"""定时任务 (admin): jobs with schedule, next and last runs, failures, "run now", run history."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from cultivation.accounts.access import roles_required
from cultivation.extensions import db
from cultivation.jobs.registry import UnknownJob, all_jobs, get_job
from cultivation.scheduling.models import OUTCOMES, JobRun
from cultivation.scheduling.queries import failure_counts, latest_runs, lock_holder, recent_runs
from cultivation.scheduling.services import counts_text, error_summary, queue_job
from cultivation.web import clock

bp = Blueprint("scheduling", __name__, url_prefix="/admin/jobs")
HISTORY_LIMIT = 200


@bp.route("")
@roles_required("admin")
def index() -> ResponseReturnValue:
    now = clock.now()
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    jobs = all_jobs()
    nexts = {name: spec.trigger(zone).get_next_fire_time(None, now.astimezone(zone))
             for name, spec in jobs.items()}
    lock = lock_holder(db.session)
    return render_template(
        "admin/jobs.html", jobs=jobs, nexts=nexts, last=latest_runs(db.session),
        last_ok=latest_runs(db.session, "success"),
        failures=failure_counts(db.session, now - timedelta(days=7)), lock=lock,
        lock_alive=lock is not None and lock.expires_at > now, counts_text=counts_text,
        error_summary=error_summary, backend=current_app.config["MAIL_BACKEND"],
    )


@bp.route("/<name>/run", methods=["POST"])
@roles_required("admin")
def run_now(name: str) -> ResponseReturnValue:
    try:
        spec = get_job(name)
    except UnknownJob:
        abort(404)
    # Never run in the request: the scheduler process picks the queued run up within seconds.
    run = queue_job(db.session, name, clock.now(), actor=current_user.username)
    run_id = run.id
    db.session.commit()
    flash(f"已提交“{spec.label}”，调度进程将在几秒内开始运行；本页显示进度。", "success")
    return redirect(url_for("scheduling.run_detail", run_id=run_id))


@bp.route("/runs")
@roles_required("admin")
def runs() -> ResponseReturnValue:
    jobs = all_jobs()
    job = request.args.get("job") or None
    outcome = request.args.get("outcome") or None
    if job is not None and job not in jobs:
        job = None
    if outcome is not None and outcome not in OUTCOMES:
        outcome = None
    history = recent_runs(db.session, job, outcome, limit=HISTORY_LIMIT)
    return render_template("admin/jobs_runs.html", runs=history, jobs=jobs, job=job,
                           outcome=outcome, outcomes=OUTCOMES, counts_text=counts_text,
                           error_summary=error_summary, limit=HISTORY_LIMIT)


@bp.route("/runs/<int:run_id>")
@roles_required("admin")
def run_detail(run_id: int) -> ResponseReturnValue:
    run = db.session.get(JobRun, run_id) or abort(404)
    spec = all_jobs().get(run.job)
    lock = lock_holder(db.session) if run.outcome == "queued" else None
    return render_template("admin/jobs_run.html", run=run, spec=spec, counts_text=counts_text,
                           scheduler_alive=lock is not None and lock.expires_at > clock.now(),
                           now=clock.now())
