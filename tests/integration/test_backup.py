"""``cultivation backup`` / ``cultivation restore`` through the real console script: a restore
into a fresh database has every table's row count and exports the same workbook; a restore over
data needs --replace; foreign files are refused in Chinese.

SQLite files by default; with CULTIVATION_TEST_DATABASE_URL, two fresh PostgreSQL databases
(created beside the test database, dropped afterwards) and pg_dump / pg_restore.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select, table, text
from sqlalchemy.engine import make_url

CLI = str(Path(sys.executable).with_name("cultivation"))

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Make an empty database named ``label`` and return its URL."""
    base = os.environ.get("CULTIVATION_TEST_DATABASE_URL")
    made: list[str] = []

    def make(label: str) -> str:
        if not base:
            return f"sqlite:///{tmp_path / f'{label}.db'}"
        name = f"{make_url(base).database}_{label}_{uuid.uuid4().hex[:8]}"
        with create_engine(base, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return make_url(base).set(database=name).render_as_string(hide_password=False)

    yield make
    if made:
        admin = create_engine(base, isolation_level="AUTOCOMMIT")  # type: ignore[arg-type]
        with admin.connect() as conn:
            for name in made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def cli(url: str) -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CULTIVATION_")}
    env.update(CULTIVATION_ENV="development", CULTIVATION_DATABASE_URL=url)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([CLI, *args], env=env, capture_output=True, text=True,
                              timeout=300, check=False)

    return run


def row_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            names = inspect(conn).get_table_names()
            return {n: conn.scalar(select(func.count()).select_from(table(n))) or 0
                    for n in names}
    finally:
        engine.dispose()


def workbook_parts(path: Path) -> dict[str, bytes]:
    """Every part of the xlsx, byte for byte, but the creation/modification time stamps."""
    with zipfile.ZipFile(path) as book:
        return {n: book.read(n) for n in book.namelist() if n != "docProps/core.xml"}


def test_a_restore_into_a_fresh_database_has_the_same_rows_and_export(
    fresh_database: Callable[[str], str], tmp_path: Path
) -> None:
    source, target = fresh_database("src"), fresh_database("dst")
    run_source, run_target = cli(source), cli(target)
    assert run_source("db", "upgrade").returncode == 0
    loaded = run_source("demo", "load", "--firms", "40", "--today", "2026-11-28")
    assert loaded.returncode == 0, loaded.stderr
    dump = tmp_path / "cultivation.backup"

    made = run_source("backup", str(dump))
    restored = run_target("restore", str(dump))

    assert made.returncode == 0, made.stderr
    assert "已备份" in made.stdout
    assert restored.returncode == 0, restored.stderr
    assert "已从" in restored.stdout
    before, after = row_counts(source), row_counts(target)
    assert before == after
    assert before["enterprises"] == 40
    assert sum(before.values()) > 500  # figures, qualifications, evaluations, audit, …
    exports = []
    for run, name in ((run_source, "source.xlsx"), (run_target, "target.xlsx")):
        exported = run("export", "enterprises", str(tmp_path / name))
        assert exported.returncode == 0, exported.stderr
        exports.append(workbook_parts(tmp_path / name))
    assert exports[0] == exports[1]
    # The restored database keeps working: ids continue after the restored rows.
    created = run_target("users", "create", "after-restore", "--role", "advisor")
    assert created.returncode == 0, created.stderr
    assert run_target("db", "upgrade").returncode == 0


def test_a_restore_over_existing_data_needs_replace(
    fresh_database: Callable[[str], str], tmp_path: Path
) -> None:
    url = fresh_database("one")
    run = cli(url)
    assert run("db", "upgrade").returncode == 0
    assert run("users", "create", "kept", "--role", "admin", "--password", "p" * 12).returncode == 0
    dump = tmp_path / "one.backup"
    assert run("backup", str(dump)).returncode == 0, "backup failed"
    assert run("users", "create", "later", "--role", "admin").returncode == 0

    refused = run("restore", str(dump))
    replaced = run("restore", str(dump), "--replace")

    assert refused.returncode != 0
    assert "--replace" in refused.stderr
    assert replaced.returncode == 0, replaced.stderr
    engine = create_engine(url)
    with engine.connect() as conn:
        names = set(conn.scalars(text("SELECT username FROM users")))
    engine.dispose()
    assert names == {"kept"}


def test_foreign_and_missing_files_are_refused_in_chinese(
    fresh_database: Callable[[str], str], tmp_path: Path
) -> None:
    url = fresh_database("empty")
    run = cli(url)
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup at all")
    other = tmp_path / "other.backup"  # the other database kind's backup
    other.write_bytes(b"PGDMP" if url.startswith("sqlite") else b"SQLite format 3\x00")

    missing = run("restore", str(tmp_path / "missing.backup"))
    foreign = run("restore", str(junk))
    crossed = run("restore", str(other))
    nowhere = run("backup", str(tmp_path / "no-such-dir" / "x.backup"))

    assert missing.returncode != 0
    assert "备份文件不存在" in missing.stderr
    assert foreign.returncode != 0
    assert "不是本系统的备份文件" in foreign.stderr
    assert crossed.returncode != 0
    assert "不能恢复" in crossed.stderr
    assert nowhere.returncode != 0
    assert "目录不存在" in nowhere.stderr
    for result in (missing, foreign, crossed, nowhere):
        assert "Traceback" not in result.stderr
