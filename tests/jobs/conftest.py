"""Fixtures for the job tests (shared with functional tests through ``schedule_support``)."""

from schedule_support import at, idle_smtp_port, make_run, make_window, smtp_server  # noqa: F401
