"""Scheduler wiring: which service function runs under which name and schedule.

The job bodies live in the concepts' services (they take a session and ``now``); the scheduler
process itself is ``cultivation scheduler`` (``cultivation/scheduling/scheduler.py``).
"""
