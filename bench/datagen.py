"""Bench data set: N firms with six years of figures, certificates, institutions, advisors,
portfolios and visits, written FAST with flat memory (streamed in chunks of firms).

PostgreSQL: ``COPY … FROM STDIN`` per table and chunk; SQLite: ``executemany`` per table and
chunk in one transaction. Rows are generated per chunk from a per-chunk seeded RNG, so the data
set is deterministic for a given N and nothing but the current chunk is held in memory.

``ensure_dataset(url, firms)`` reuses a database that already holds exactly this data set (the
bench marker row in ``audit_log`` says which N), else rebuilds it from scratch — only on a
database whose name contains ``bench`` (the PostgreSQL schema is dropped; the SQLite file is
deleted), so it never wipes a real database.

Run alone: ``.venv/bin/python bench/datagen.py 10000`` (``CULTIVATION_DATABASE_URL`` picks the
database; default ``sqlite:///instance/bench.db``).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Table, create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

CHUNK = 2000
TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
FIRST_YEAR, LAST_YEAR = 2020, 2025  # six fiscal years of figures per firm
PASSWORD = "bench-password-2026"  # noqa: S105 (a throwaway bench login)
MARKER_TYPE, MARKER_ACTION = "bench", "dataset"
DOMAINS = ("电子信息", "生物与新医药", "新材料", "先进制造与自动化", "新能源与节能", "高技术服务")
INSTITUTIONS = (("municipal_hnte_center", "municipal"), ("provincial_hnte_center", "provincial"),
                ("provincial_institute", "provincial"), ("tech_center", "county"),
                ("in_house", None))


def default_url() -> str:
    root = Path(__file__).resolve().parent.parent
    return os.environ.get("CULTIVATION_DATABASE_URL") or f"sqlite:///{root / 'instance/bench.db'}"


def advisors_for(firms: int) -> int:
    return max(5, firms // 1000)


# ---------------------------------------------------------------- generation (pure)

def _code(i: int) -> str:
    from cultivation.enterprises.credit_code import make_code

    return make_code("91331024", f"{10_000_000 + i:08d}")


def _chunk_rows(start: int, stop: int, towns: Sequence[str], industries: Sequence[str],
                advisors: Sequence[int]) -> dict[str, list[tuple[Any, ...]]]:
    """Rows of firms ``start … stop - 1`` (ids = i + 1) for every table, as tuples in COLUMNS
    order. Deterministic: seeded by the chunk start."""
    rng = random.Random(start * 7919 + 2026)
    out: dict[str, list[tuple[Any, ...]]] = {name: [] for name in COLUMNS}
    for i in range(start, stop):
        fid = i + 1
        tech = rng.random()
        registered = date(2000, 1, 1) + timedelta(days=rng.randint(0, 9400))
        town = towns[i % len(towns)]
        domain = rng.choice(DOMAINS) if tech > 0.25 else (None if tech < 0.1 else "其他")
        flags = [None if rng.random() < 0.15 else rng.random() < p for p in (0.5, 0.6, 0.1, 0.03)]
        out["enterprises"].append((
            fid, _code(i), f"基准{town}{i:06d}科技有限公司", town, industries[i % len(industries)],
            domain, registered, rng.random() < 0.15, rng.random() < 0.01,
            f"{town}工业园区 {i % 97} 号", "联系人", f"1380000{i % 10000:04d}",
            flags[0], flags[1], flags[2], flags[3], rng.random() < 0.02,
            rng.choice((None, 16, 20, 24)), rng.choice((None, 14, 18, 22)),
            rng.choice((None, 12, 16, 20)), 1, NOW, NOW, None,
        ))
        # Figures: six years, growing; ~10 % of firms have none, 3 % of values are missing.
        if rng.random() < 0.9:
            employees = rng.randint(8, 400)
            sales = round(rng.uniform(200, 40_000), 2)
            for year in range(max(FIRST_YEAR, registered.year), LAST_YEAR + 1):
                grow = 1 + rng.uniform(-0.05, 0.2)
                sales = round(sales * grow, 2)
                employees = max(5, int(employees * grow))
                rd = round(sales * rng.uniform(0.01, 0.09), 2)

                def maybe(value: Any) -> Any:
                    return None if rng.random() < 0.03 else value

                out["fiscal_year_figures"].append((
                    fid, year, maybe(employees), maybe(int(employees * rng.uniform(0.05, 0.4))),
                    maybe(sales), maybe(round(sales * 1.05, 2)),
                    maybe(round(sales * rng.uniform(0.3, 0.9), 2)), maybe(rd),
                    maybe(round(rd * rng.uniform(0.7, 1.0), 2)), round(sales * 0.85, 2),
                    round(sales * 1.4, 2), round(sales * 0.6, 2), rng.randint(0, 3),
                    rng.randint(0, 12), rng.randint(0, 4), "stats", NOW,
                ))
        # Certificates (~6 per firm over the years, as in the province-scale notes).
        if tech > 0.3:
            for year in range(max(2019, registered.year + 1), 2026):
                if rng.random() < 0.8:
                    start_on = date(year, 3, 15) + timedelta(days=rng.randint(0, 200))
                    out["qualifications"].append(
                        _cert(fid, "tech_sme", f"T{year}{i:07d}", start_on, 1))
                if rng.random() < 0.7:
                    out["qualifications"].append(
                        _cert(fid, "zj_tech_sme", f"Z{year}{i:07d}", date(year, 12, 8), 1))
        if tech > 0.8:
            for year in (2017, 2020, 2023):
                if year > registered.year and rng.random() < 0.8:
                    start_on = date(year, 11, 30) + timedelta(days=rng.randint(0, 20))
                    out["qualifications"].append(
                        _cert(fid, "hnte", f"GR{year}33{i:07d}", start_on, 3))
        if tech > 0.35 and registered.year >= 2019 and rng.random() < 0.3:
            start_on = date(max(2021, registered.year + 1), 6, 1)
            out["qualifications"].append(_cert(fid, "startup", f"XJCC{i:07d}", start_on, 3))
        if rng.random() < 0.3:
            kind, level = rng.choice(INSTITUTIONS)
            out["rd_institutions"].append((
                fid, kind, level, f"研发中心{i}", date(2015, 6, 1) + timedelta(days=rng.randint(0,
                                                                                          3800)),
                None, NOW,
            ))
        if advisors and rng.random() < 0.7:
            advisor = advisors[i % len(advisors)]
            out["portfolio_assignments"].append((fid, advisor, date(2024, 1, 1), None))
            for _ in range(rng.choice((0, 1, 1, 2, 3))):
                visited = TODAY - timedelta(days=rng.randint(1, 700))
                follow = visited + timedelta(days=30) if rng.random() < 0.3 else None
                out["visits"].append((fid, advisor, visited, "走访了解研发投入和申报意向", follow,
                                      follow is not None and follow < TODAY - timedelta(days=60),
                                      NOW))
    return out


def _cert(fid: int, kind: str, number: str, start: date, years: int) -> tuple[Any, ...]:
    end = start.replace(year=start.year + years) - timedelta(days=1)
    status = "expired" if end < TODAY else "valid"
    return (fid, kind, number, start, end, status, None, None, NOW)


COLUMNS: dict[str, tuple[str, ...]] = {
    "enterprises": (
        "id", "credit_code", "name", "town", "industry", "tech_domain", "registered_on",
        "above_scale", "listed", "address", "contact_person", "contact_phone", "core_ip_owned",
        "ip_self_developed", "led_standard", "major_incident_last_year", "national_award_5y",
        "self_tech_advancement", "self_core_support", "self_rd_management", "version",
        "created_at", "updated_at", "deleted_at"),
    "fiscal_year_figures": (
        "enterprise_id", "year", "employees", "tech_staff", "sales_revenue", "total_revenue",
        "high_tech_revenue", "rd_expense", "rd_expense_domestic", "total_cost", "total_assets",
        "net_assets", "ip_class_i", "ip_class_ii", "conversions", "source", "updated_at"),
    "qualifications": ("enterprise_id", "kind", "number", "valid_from", "valid_to", "status",
                       "revoked_on", "note", "created_at"),
    "rd_institutions": ("enterprise_id", "kind", "level", "name", "recognized_on", "revoked_on",
                        "created_at"),
    "portfolio_assignments": ("enterprise_id", "advisor_id", "started_on", "ended_on"),
    "visits": ("enterprise_id", "advisor_id", "visited_on", "notes", "next_follow_up_on",
               "follow_up_done", "created_at"),
}


# ---------------------------------------------------------------- writing

def _database_name(url: str) -> str:
    return url.rsplit("/", 1)[-1].split("?", 1)[0]


def _marker(engine: Engine) -> int | None:
    with engine.connect() as conn:
        try:
            row = conn.execute(text(
                "SELECT after FROM audit_log WHERE entity_type = :t AND action = :a"
            ), {"t": MARKER_TYPE, "a": MARKER_ACTION}).first()
        except Exception:  # noqa: BLE001 — no schema yet
            return None
    if row is None:
        return None
    details = row[0]
    if isinstance(details, str):
        import json

        details = json.loads(details)
    return int(details.get("firms", -1)) if isinstance(details, dict) else None


def _wipe(url: str) -> None:
    name = _database_name(url)
    if "bench" not in name:
        raise SystemExit(f"refusing to rebuild {name!r}: the bench database's name must contain "
                         "'bench' (it is wiped)")
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def ensure_dataset(url: str, firms: int, echo: Any = print) -> dict[str, float]:
    """Reuse or build the data set of ``firms`` firms; returns {"seconds", "rss_mb"} of a build
    (empty when reused)."""
    from cultivation import create_app
    from cultivation.extensions import db

    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    probe = create_engine(url)
    existing = _marker(probe)
    probe.dispose()
    if existing == firms:
        echo(f"reusing the bench data set of {firms} firms on {_database_name(url)}")
        _upgrade(url)  # the code may have new migrations (and derived tables) since
        return {}
    _wipe(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        started = time.perf_counter()
        counts = _load(app, db.engine, firms)
        _after_load(app, url, firms)
        seconds = time.perf_counter() - started
    echo(f"built {firms} firms in {seconds:.1f} s: " +
         ", ".join(f"{k} {v}" for k, v in counts.items()))
    return {"seconds": seconds}


def _load(app: Any, engine: Engine, firms: int) -> dict[str, int]:
    from werkzeug.security import generate_password_hash

    from cultivation.regions import load_region

    region = load_region(app.config.get("REGION_FILE"))
    towns, industries = list(region.towns), list(region.industries)
    password_hash = generate_password_hash(PASSWORD)
    users = [("bench-admin", "基准管理员", "admin"), ("bench-leader", "基准局领导", "leader")]
    users += [(f"bench-advisor{n}", f"基准指导员{n}", "advisor")
              for n in range(1, advisors_for(firms) + 1)]
    user_rows = [(n + 1, u, d, f"{u}@example.test", r, password_hash, True, False,
                  f"bench-calendar-{u}", NOW) for n, (u, d, r) in enumerate(users)]
    advisor_ids = [row[0] for row in user_rows if row[4] == "advisor"]
    user_columns = ("id", "username", "display_name", "email", "role", "password_hash",
                    "is_active", "digest_opt_out", "calendar_token", "created_at")
    counts = {name: 0 for name in COLUMNS}
    postgres = engine.dialect.name == "postgresql"
    raw = engine.raw_connection()
    try:
        writer = _copy if postgres else _executemany
        cursor = raw.cursor()
        if not postgres:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("BEGIN")
        writer(cursor, "users", user_columns, user_rows)
        for start in range(0, firms, CHUNK):
            rows = _chunk_rows(start, min(firms, start + CHUNK), towns, industries, advisor_ids)
            for table, table_rows in rows.items():
                writer(cursor, table, COLUMNS[table], table_rows)
                counts[table] += len(table_rows)
        if postgres:
            for table in ("users", "enterprises"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                               f"(SELECT max(id) FROM {table}))")
        raw.commit()
    finally:
        raw.close()
    return counts


def _copy(cursor: Any, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _executemany(cursor: Any, table: str, columns: Sequence[str],
                 rows: list[tuple[Any, ...]]) -> None:
    marks = ", ".join("?" for _ in columns)
    cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
                       ([_sqlite_value(v) for v in row] for row in rows))


def _upgrade(url: str) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import inspect

    from cultivation import create_app
    from cultivation.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        before = set(inspect(db.engine).get_table_names())
        upgrade()
        added = set(inspect(db.engine).get_table_names()) - before
        db.engine.dispose()
    if added:
        _rebuild_derived(url)


def _rebuild_derived(url: str) -> None:
    """Tables the app derives from certificates (tier spans), when this version has them."""
    cli = shutil.which("cultivation", path=str(Path(sys.executable).parent)) or "cultivation"
    env = {**os.environ, "CULTIVATION_DATABASE_URL": url}
    help_text = subprocess.run([cli, "--help"], capture_output=True, text=True, env=env).stdout
    if re.search(r"^\s+tiers\b", help_text, re.MULTILINE):
        subprocess.run([cli, "tiers", "rebuild"], check=True, env=env)


def _after_load(app: Any, url: str, firms: int) -> None:
    """Parameters, windows and plans (the app's own seeders), tier spans when main maintains
    them, statistics, then the marker that lets the next bench reuse the data set."""
    from cultivation.extensions import db
    from cultivation.parameters.services import seed_parameters
    from cultivation.seeding import seed_database
    from cultivation.windows.services import seed_windows

    seed_database(db.session)  # what `cultivation seed` stores after `db upgrade`
    seed_parameters(db.session, TODAY)
    seed_windows(db.session, TODAY)
    db.session.commit()
    _rebuild_derived(url)
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    table: Table = db.metadata.tables["audit_log"]
    with db.engine.begin() as conn:
        conn.execute(insert(table), [{
            "entity_type": MARKER_TYPE, "entity_id": 0, "action": MARKER_ACTION,
            "actor_name": "bench", "after": {"firms": firms}, "at": NOW}])


def main(argv: list[str]) -> int:
    firms = int(argv[0]) if argv else 10_000
    ensure_dataset(default_url(), firms)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
