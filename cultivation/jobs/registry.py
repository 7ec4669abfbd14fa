"""Looking jobs up by name (the list itself is ``definitions.JOBS``)."""

from __future__ import annotations

from cultivation.jobs.definitions import JOBS
from cultivation.jobs.spec import JobSpec, UnknownJob

__all__ = ["JobSpec", "UnknownJob", "all_jobs", "get_job"]


def all_jobs() -> dict[str, JobSpec]:
    """Every job by name, in schedule order."""
    return {spec.name: spec for spec in JOBS}


def get_job(name: str) -> JobSpec:
    """The job called ``name``; raises ``UnknownJob`` with a Chinese message."""
    jobs = all_jobs()
    try:
        return jobs[name]
    except KeyError:
        raise UnknownJob(f"未知任务“{name}”，可用的任务：{'、'.join(jobs)}") from None
