"""The bench data set generator: deterministic, streamed in chunks, reused when present, and
never run against a database whose name does not say it is a bench database."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import datagen  # noqa: E402
from loadtest import load  # noqa: E402


def _count(url: str, table: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        value = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
    engine.dispose()
    return int(value)


def test_a_data_set_is_built_in_chunks_and_reused(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(datagen, "CHUNK", 120)  # several chunks for 300 firms
    url = f"sqlite:///{tmp_path / 'bench-300.db'}"
    said: list[str] = []
    built = datagen.ensure_dataset(url, 300, echo=said.append)
    assert built["seconds"] > 0
    assert _count(url, "enterprises") == 300
    assert _count(url, "fiscal_year_figures") > 1000
    assert _count(url, "qualifications") > 1000
    assert _count(url, "users") == 2 + datagen.advisors_for(300)
    assert _count(url, "policy_parameters") > 0
    assert datagen.ensure_dataset(url, 300, echo=said.append) == {}
    assert said[-1].startswith("reusing the bench data set of 300 firms")
    # Another size rebuilds from scratch.
    datagen.ensure_dataset(url, 150, echo=said.append)
    assert _count(url, "enterprises") == 150


def test_chunks_are_deterministic_and_independent() -> None:
    towns, industries = ["安洲街道", "横溪镇"], ["医药"]
    first = datagen._chunk_rows(0, 50, towns, industries, [3, 4])
    again = datagen._chunk_rows(0, 50, towns, industries, [3, 4])
    assert first == again
    later = datagen._chunk_rows(50, 100, towns, industries, [3, 4])
    assert {row[0] for row in later["enterprises"]} == set(range(51, 101))


def test_a_database_not_named_bench_is_never_wiped(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="must contain 'bench'"):
        datagen.ensure_dataset(f"sqlite:///{tmp_path / 'cultivation.db'}", 10)


def test_the_load_test_refuses_anything_but_the_loopback() -> None:
    with pytest.raises(SystemExit, match="loopback only"):
        asyncio.run(load("http://example.com/", clients=1, seconds=0.1))
