"""Back up and restore the whole database (operations.md, "Backups").

PostgreSQL: ``pg_dump -Fc`` / ``pg_restore`` (postgresql-client), the connection taken from the
SQLAlchemy URL (the password through ``PGPASSWORD``, never on the command line). SQLite: the
online backup API, consistent while the web app and the scheduler keep running. Both refuse to
restore over a database that has tables unless asked to replace it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import URL

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is for the operator (Chinese)."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    tables: int


def backup(engine: Engine, path: Path) -> BackupResult:
    """Write a full, consistent copy of the database to ``path`` (replaced only when complete)."""
    path = path.expanduser()
    if not path.parent.is_dir():
        raise BackupError(f"目录不存在：{path.parent}")
    partial = path.with_name(path.name + ".partial")
    try:
        if engine.dialect.name == "postgresql":
            _pg_run("pg_dump", ["--format=custom", "--file", str(partial)], engine.url)
        elif engine.dialect.name == "sqlite":
            _sqlite_backup(engine, partial)
        else:
            raise BackupError(f"不支持备份该数据库类型：{engine.dialect.name}")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(path, path.stat().st_size, len(inspect(engine).get_table_names()))


def restore(engine: Engine, path: Path, *, replace: bool = False) -> int:
    """Restore a backup made by :func:`backup` into this database; returns its table count."""
    path = path.expanduser()
    if not path.is_file():
        raise BackupError(f"备份文件不存在：{path}")
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    kind = ("postgresql" if head.startswith(PG_DUMP_MAGIC)
            else "sqlite" if head == SQLITE_MAGIC else None)
    if kind is None:
        raise BackupError(f"{path} 不是本系统的备份文件（应为 pg_dump -Fc 或 SQLite 数据库文件）")
    if kind != engine.dialect.name:
        raise BackupError(f"这是 {_NAMES[kind]} 的备份，当前数据库是 "
                          f"{_NAMES.get(engine.dialect.name, engine.dialect.name)}，不能恢复")
    existing = inspect(engine).get_table_names()
    if existing and not replace:
        raise BackupError(f"当前数据库已有 {len(existing)} 张表；恢复会覆盖其中全部数据。"
                          "请恢复到新建的空数据库，或确认后加 --replace")
    engine.dispose()  # no pooled connection of ours holds locks while the data is replaced
    if kind == "postgresql":
        options = ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
        if replace:
            options += ["--clean", "--if-exists"]
        _pg_run("pg_restore", [*options, str(path)], engine.url)
    else:
        _sqlite_restore(engine, path)
    engine.dispose()
    return len(inspect(engine).get_table_names())


_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


def _sqlite_backup(engine: Engine, target: Path) -> None:
    source = engine.raw_connection()
    try:
        copy = sqlite3.connect(target)
        try:
            source.driver_connection.backup(copy)  # type: ignore[union-attr]
        finally:
            copy.close()
    finally:
        source.close()


def _sqlite_restore(engine: Engine, path: Path) -> None:
    try:
        backup_db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"无法打开备份文件：{exc}") from exc
    try:
        try:
            check = backup_db.execute("PRAGMA quick_check").fetchone()
            versioned = backup_db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"备份文件已损坏：{exc}") from exc
        if check is None or check[0] != "ok":
            raise BackupError(f"备份文件未通过完整性检查：{check[0] if check else '无结果'}")
        if versioned is None:
            raise BackupError(f"{path} 不是本系统的数据库备份（没有 alembic_version 表）")
        target = engine.raw_connection()
        try:
            backup_db.backup(target.driver_connection)  # type: ignore[arg-type]
        finally:
            target.close()
    finally:
        backup_db.close()


def _pg_run(program: str, args: list[str], url: URL) -> None:
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(f"找不到 {program}：请安装 PostgreSQL 客户端（Debian：apt-get install "
                          "postgresql-client），版本不低于数据库服务器")
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    result = subprocess.run(  # noqa: S603 - a fixed program; the arguments are not a shell line
        [executable, *args, "--dbname", _conninfo(url)],
        env=env, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise BackupError(f"{program} 失败（退出码 {result.returncode}）：{detail}")


def _conninfo(url: URL) -> str:
    """A libpq connection string for the URL, without the password."""
    params: dict[str, Any] = {"dbname": url.database, "host": url.host, "port": url.port,
                              "user": url.username}
    for key, value in url.query.items():  # sslmode=…, options=-csearch_path%3D…, host=/socket …
        params[key] = value[-1] if isinstance(value, tuple) else value
    return " ".join(f"{key}={_quote(str(value))}" for key, value in params.items()
                    if value is not None)


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
