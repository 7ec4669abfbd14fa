"""``cultivation serve`` is a real multi-process server: gunicorn forks the workers asked for,
each answers requests with its own app, and SIGTERM stops them all."""

from __future__ import annotations

import signal
import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from process_support import Proc, ProcessDatabase, process_database, wait_for

from cultivation.web.cli import default_workers


@pytest.fixture
def pdb(tmp_path: Path) -> Iterator[ProcessDatabase]:
    yield from process_database(tmp_path)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(p) for p in text.split()]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
        return response.status, response.read().decode()


def test_default_workers_are_two_per_core_plus_one() -> None:
    import os

    assert default_workers() == 2 * (os.cpu_count() or 1) + 1


def test_serve_forks_the_workers_asked_for_and_they_answer(pdb: ProcessDatabase) -> None:
    port = _free_port()
    proc = Proc.start(["serve", "--port", str(port), "--workers", "3", "--threads", "2"],
                      pdb.env())
    try:
        wait_for(lambda: len(_children(proc.popen.pid)) == 3, 30, "three gunicorn workers")

        def answers() -> bool:
            try:
                return _get(f"http://127.0.0.1:{port}/login")[0] == 200
            except OSError:
                return False

        wait_for(answers, 30, "the login page")
        statuses = [_get(f"http://127.0.0.1:{port}/login")[0] for _ in range(12)]
        assert statuses == [200] * 12
        assert proc.said("3 个工作进程 × 2 线程")
        workers = _children(proc.popen.pid)
        proc.popen.send_signal(signal.SIGTERM)
        assert proc.popen.wait(timeout=40) == 0
        assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    finally:
        proc.stop()
