"""``make bench SIZE=N``: one table of timings on N firms, each against a floor measured in the
same run, with peak RSS.

1. The data set (bench/datagen.py): reused when the database already holds it, else built —
   on ``CULTIVATION_DATABASE_URL`` (its database name must contain ``bench``: it is wiped), or on
   ``instance/bench-N.db`` (SQLite).
2. Jobs, each in its own process (so its peak RSS is its own): screening full (every firm
   evaluated, worker processes = cores) against "read the inputs + store the same rows", and
   incremental (the next day, nothing changed: nothing to read or store) against "count the
   run's verdicts" (one GROUP BY; reading every firm's inputs is shown as a note);
   import of 10k firm rows (dry run; commit, rolled back) against a bulk insert of the same rows.
3. Pages through ``cultivation serve`` (gunicorn, 2 × cores + 1 workers) on 127.0.0.1: median of
   5 warm requests; floor: a static file from the same server (HTML pages) or one SQL GROUP BY
   (funnel and coverage API). Peak RSS: the largest worker's high-water mark so far.
4. Load: 50 clients on the firm list for 60 s (bench/loadtest.py); floor: the same clients on a
   static file.

Usage: ``python bench/run.py --size 10000 [--load-seconds 60] [--clients 50]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import datagen  # noqa: E402
import httpx  # noqa: E402
from loadtest import load  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

TODAY = datagen.TODAY
CLI = str(Path(sys.executable).parent / "cultivation")


def _url(size: int) -> str:
    return os.environ.get("CULTIVATION_DATABASE_URL") or (
        f"sqlite:///{ROOT / 'instance' / f'bench-{size}.db'}")


def _rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


# ---------------------------------------------------------------- jobs (child processes)

def _app(url: str) -> Any:
    from cultivation import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url})


def op_screening(url: str, mode: str) -> dict[str, Any]:
    from sqlalchemy import func, insert, select

    from cultivation.extensions import db
    from cultivation.screening.carry import copy_rows
    from cultivation.screening.facts import raw_facts_for_enterprises
    from cultivation.screening.models import Evaluation, ScreeningRun
    from cultivation.screening.runs import in_run
    from cultivation.screening.services import _chunks, run_screening

    app = _app(url)
    with app.app_context():
        session = db.session
        as_of = TODAY if mode == "full" else TODAY + timedelta(days=1)
        now = datetime.combine(as_of, datetime.min.time(), tzinfo=UTC)
        if mode == "full":  # a clean slate: earlier bench runs would only slow the diff
            session.execute(Evaluation.__table__.delete())
            session.execute(ScreeningRun.__table__.delete())
            session.commit()
        started = time.perf_counter()
        run = run_screening(session, as_of=as_of, now=now, processes=os.cpu_count() or 1,
                            incremental_run=mode != "full")
        session.commit()
        seconds = time.perf_counter() - started
        summary = {"evaluated": run.summary["evaluated"],
                   "carried": run.summary["carried_forward"],
                   "examined": run.summary.get("examined")}
        run_id = run.id
        session.execute(text("ANALYZE"))
        session.commit()
        # Floor: read the same inputs, store the same rows (then roll back).
        ids = list(session.scalars(select(ScreeningRun.id).where(ScreeningRun.id == run_id)))
        firm_ids = [r[0] for r in session.execute(text(
            "SELECT id FROM enterprises WHERE deleted_at IS NULL ORDER BY id"))]
        table = Evaluation.__table__
        scratch = ScreeningRun(as_of=as_of, started_at=now)  # rolled back with the floor rows
        session.add(scratch)
        session.flush()
        floor_start = time.perf_counter()
        if mode == "full":
            # The same number of rows of the same size (one real verdict per rule set as the
            # template), JSON-encoded per row and written the fastest way (COPY / executemany).
            templates = {}
            for row in session.execute(select(table).where(table.c.run_id == ids[0])
                                       .limit(50)):
                templates.setdefault(row.rules, dict(row._mapping))
            postgres = db.engine.dialect.name == "postgresql"
            for batch in _chunks(firm_ids, 1000):
                raw_facts_for_enterprises(session, batch, as_of)
                rows = []
                for firm_id in batch:
                    for template in templates.values():
                        row = {k: v for k, v in template.items() if k != "id"}
                        row.update(run_id=scratch.id, enterprise_id=firm_id)
                        if postgres:
                            row["details"] = json.dumps(row["details"])
                            row["failed"] = json.dumps(row["failed"])
                        rows.append(row)
                if postgres:
                    copy_rows(session, rows)
                else:
                    session.execute(insert(table), rows)
        else:
            # Nothing changed: nothing to read and nothing to store. What any run must still do
            # is count its verdicts for the summary: the floor is one GROUP BY of the run's
            # verdicts by rule set and outcome. Reading every firm's inputs (the floor before
            # the runs read only the firms written since: screening.changes) is shown as a note.
            run = session.get(ScreeningRun, run_id)
            session.execute(select(table.c.rules, table.c.outcome, func.count())
                            .where(in_run(table, run, newest=True))
                            .group_by(table.c.rules, table.c.outcome)).all()
            floor = time.perf_counter() - floor_start
            inputs_start = time.perf_counter()
            for batch in _chunks(firm_ids, 1000):
                raw_facts_for_enterprises(session, batch, as_of)
            summary["inputs"] = round(time.perf_counter() - inputs_start, 2)
        session.flush()
        if mode == "full":
            floor = time.perf_counter() - floor_start
        session.rollback()
    return {"seconds": seconds, "floor": floor, "rss": _rss_mb(), "note": summary}


def op_import(url: str, mode: str) -> dict[str, Any]:
    from openpyxl import Workbook

    from cultivation.enterprises.credit_code import make_code
    from cultivation.enterprises.services import validation_context
    from cultivation.extensions import db
    from cultivation.imports.services import ImportOptions, run_import
    from cultivation.regions import load_region

    rows = 10_000
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    path = folder / "firms.xlsx"
    book = Workbook(write_only=True)
    sheet = book.create_sheet("名单")
    sheet.append(["企业名称", "统一社会信用代码", "所属乡镇（街道）", "成立日期", "是否规上"])
    codes = [make_code("91331024", f"{90_000_000 + n:08d}") for n in range(rows)]
    for n, code in enumerate(codes):
        sheet.append([f"基准导入企业{n:06d}有限公司", code, "安洲街道",
                      date(2010 + n % 12, 1 + n % 12, 1 + n % 28), "是" if n % 3 == 0 else "否"])
    book.save(path)
    app = _app(url)
    with app.app_context():
        now = datetime.now(UTC)
        started = time.perf_counter()
        report = run_import(db.session, path, filename=path.name, options=ImportOptions(),
                            user=None, ctx=validation_context(now.date(), load_region()), now=now,
                            commit=mode == "commit")
        db.session.flush()
        seconds = time.perf_counter() - started
        db.session.rollback()
        assert not report.errors, report.errors[:3]
        # Floor: the same 10k rows as one bulk insert (rolled back).
        floor_start = time.perf_counter()
        with db.engine.connect() as conn:
            trans = conn.begin()
            conn.execute(text(
                "INSERT INTO enterprises (credit_code, name, town, registered_on, above_scale, "
                "listed, version, created_at, updated_at) VALUES (:c, :n, :t, :r, :a, :l, 1, "
                ":now, :now)"), [
                {"c": code, "n": f"基准导入企业{n:06d}有限公司", "t": "安洲街道",
                 "r": date(2010 + n % 12, 1 + n % 12, 1 + n % 28), "a": n % 3 == 0, "l": False,
                 "now": now} for n, code in enumerate(codes)])
            trans.rollback()
        floor = time.perf_counter() - floor_start
    return {"seconds": seconds, "floor": floor, "rss": _rss_mb()}


def _child(op: str, mode: str, url: str) -> dict[str, Any]:
    result = subprocess.run([sys.executable, __file__, "--child", op, mode, "--url", url],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{op} {mode} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# ---------------------------------------------------------------- pages (a real server)

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _worker_peak_mb(pid: int) -> float:
    peaks = []
    for child in _children(pid):
        try:
            status = Path(f"/proc/{child}/status").read_text()
        except OSError:
            continue
        found = re.search(r"VmHWM:\s+(\d+) kB", status)
        if found:
            peaks.append(int(found.group(1)) / 1024)
    return max(peaks, default=0.0)


def _login(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=120.0)
    page = client.get("/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token, "no CSRF token on /login"
    response = client.post("/login", data={"csrf_token": token.group(1), "username": username,
                                           "password": datagen.PASSWORD})
    assert response.status_code in (302, 303), (response.status_code, response.text[:300])
    return client


def _api_token(url: str) -> str:
    from cultivation.accounts.models import hash_token

    raw = secrets.token_urlsafe(24)
    engine = create_engine(url)
    with engine.begin() as conn:
        admin = conn.execute(text("SELECT id FROM users WHERE username = 'bench-admin'")).scalar()
        conn.execute(text("INSERT INTO api_tokens (user_id, token_hash, label, created_at) "
                          "VALUES (:u, :h, 'bench', :now)"),
                     {"u": admin, "h": hash_token(raw), "now": datetime.now(UTC)})
    engine.dispose()
    return raw


def _timed(client: httpx.Client, path: str, repeat: int = 5) -> tuple[float, int]:
    started = time.perf_counter()
    try:
        client.get(path)  # warm-up
    except httpx.TimeoutException:
        return float("inf"), 1
    if time.perf_counter() - started > 10:  # a page this slow: one timed request is enough
        repeat = 1
    times, bad = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
        bad += response.status_code != 200
    return statistics.median(times), bad


def _sql_floor(url: str, sql: str) -> float:
    engine = create_engine(url)
    times = []
    with engine.connect() as conn:
        for _ in range(4):
            started = time.perf_counter()
            conn.execute(text(sql), {"d": date(2023, 12, 31)}).all()
            times.append(time.perf_counter() - started)
    engine.dispose()
    return statistics.median(times[1:])


# The goal's floor for the funnel (issue 12): one GROUP BY over the maintained spans on the day.
SPANS_FLOOR = ("SELECT rank, count(*) FROM tier_spans WHERE valid_from <= :d AND valid_to >= :d "
               "GROUP BY rank")
COVERAGE_FLOOR = ("SELECT e.town, q.kind, count(DISTINCT q.enterprise_id) FROM qualifications q "
                  "JOIN enterprises e ON e.id = q.enterprise_id WHERE q.valid_from <= :d AND "
                  "(q.valid_to IS NULL OR q.valid_to >= :d) GROUP BY e.town, q.kind")


def _deep_cursors(url: str, secret: str, page: int) -> dict[str, str]:
    """Signed keyset cursors that open page ``page`` of the firm list and of the 培育库 (as a
    user reaches it by 下一页), read in-process from page ``page - 1``."""
    from cultivation.accounts.access import EVERYTHING
    from cultivation.enterprises.listing import list_window
    from cultivation.enterprises.queries import EnterpriseFilters
    from cultivation.extensions import db
    from cultivation.keyset import encode
    from cultivation.screening.listing import candidates
    from cultivation.screening.queries import CandidateFilters

    found = {}
    with _app(url).app_context():
        firms = list_window(db.session, EnterpriseFilters(), TODAY, per_page=50,
                            scope=EVERYTHING, page=page - 1).next_cursor
        listed = candidates(db.session, CandidateFilters(), scope=EVERYTHING, page=page - 1,
                            per_page=50).next_cursor
        for name, cursor in (("firms", firms), ("candidates", listed)):
            if cursor is not None:
                found[name] = encode(cursor, secret)
        db.session.remove()
        db.engine.dispose()
    return found


def pages(url: str, size: int, rows: list[dict[str, Any]], load_seconds: float,
          clients: int) -> None:
    port = _free_port()
    secret = secrets.token_urlsafe(32)
    env = {**os.environ, "CULTIVATION_DATABASE_URL": url, "CULTIVATION_ENV": "development",
           "CULTIVATION_SECRET_KEY": secret}
    server = subprocess.Popen([CLI, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/login", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.5)
        admin = _login(base, "bench-admin")
        static, _ = _timed(admin, "/static/css/app.css")
        funnel_floor = _sql_floor(url, SPANS_FLOOR)
        coverage_floor = _sql_floor(url, COVERAGE_FLOOR)
        last_page = min(500, max(1, -(-size // 50)))
        token = _api_token(url)
        api = httpx.Client(base_url=base, timeout=120.0,
                           headers={"Authorization": f"Bearer {token}"})
        advisor = _login(base, "bench-advisor1")
        deep = _deep_cursors(url, secret, last_page) if last_page > 1 else {}
        checks: list[tuple[str, httpx.Client, str, float, str]] = [
            ("funnel API as of 2023-12-31", api, "/api/v1/reports/funnel?as_of=2023-12-31",
             funnel_floor, "spans GROUP BY"),
            ("coverage API", api, "/api/v1/reports/coverage", coverage_floor, "GROUP BY"),
            ("dashboard / (admin), computed live", admin, "/", static, "static"),
            ("page: funnel", admin, "/reports/funnel", static, "static"),
            ("page: coverage", admin, "/reports/coverage", static, "static"),
            ("page: flows, computed live", admin, "/reports/flows", static, "static"),
            ("page: targets", admin, "/reports/targets", static, "static"),
            ("page: workload", admin, "/reports/workload", static, "static"),
            ("page: 培育库", admin, "/screening/candidates", static, "static"),
            (f"培育库 page {last_page} (typed page number)", admin,
             f"/screening/candidates?page={last_page}", static, "static"),
            ("list page 1", admin, "/enterprises", static, "static"),
            (f"list page {last_page} (typed page number)", admin,
             f"/enterprises?page={last_page}", static, "static"),
            ("list page 1 (advisor, town filter)", advisor, "/enterprises?town=安洲街道",
             static, "static"),
            ("firm detail", admin, f"/enterprises/{datagen._code(size // 2)}", static,
             "static"),
        ]
        for name, path in (("firms", "/enterprises"), ("candidates", "/screening/candidates")):
            if name in deep:
                label = "list" if name == "firms" else "培育库"
                checks.append((f"{label} page {last_page} (下一页 cursor)", admin,
                               f"{path}?cursor={deep[name]}", static, "static"))
        for label, client, path, floor, kind in checks:
            seconds, bad = _timed(client, path)
            rows.append({"op": label, "seconds": seconds, "floor": floor, "floor_kind": kind,
                         "rss": _worker_peak_mb(server.pid),
                         "note": f"{bad} non-200" if bad else ""})
        # What users see in production: the scheduler keeps today's county figures cached
        # (dashboard_figures, refreshed every 5 minutes and after the nightly screening).
        subprocess.run([CLI, "jobs", "run", "dashboard-figures"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        for label, path in (("dashboard / (admin), cached figures", "/"),
                            ("page: flows, cached figures", "/reports/flows")):
            seconds, bad = _timed(admin, path)
            rows.append({"op": label, "seconds": seconds, "floor": static,
                         "floor_kind": "static", "rss": _worker_peak_mb(server.pid),
                         "note": f"{bad} non-200" if bad else ""})
        cookies = dict(admin.cookies)
        if load_seconds <= 0:
            return
        floor_load = asyncio.run(load(f"{base}/static/css/app.css", clients=clients,
                                      seconds=min(15.0, load_seconds), cookies=cookies))
        result = asyncio.run(load(f"{base}/enterprises", clients=clients, seconds=load_seconds,
                                  cookies=cookies))
        rows.append({
            "op": f"load: list page 1, {clients} clients, {load_seconds:g} s",
            "seconds": result["p50"], "floor": floor_load["p50"], "floor_kind": "static p50",
            "rss": _worker_peak_mb(server.pid),
            "note": (f"{result['rps']:.0f} req/s (static {floor_load['rps']:.0f}), "
                     f"p99 {result['p99'] * 1000:.0f} ms, {result['failures']} failed"
                     + (f" {result['failure_kinds']}" if result["failures"] else "")),
        })
        for client in (admin, advisor, api):
            client.close()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


# ---------------------------------------------------------------- the table

def _fmt_time(seconds: float) -> str:
    if seconds == float("inf"):
        return "timeout (120 s)"
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def print_table(size: int, url: str, rows: list[dict[str, Any]],
                echo: Callable[[str], Any] = print) -> None:
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    echo(f"\n{size:,} firms on {database} ({os.cpu_count()} cores, load average at the end "
         f"{load}: other processes share the CPU), {date.today()}\n")
    echo("| operation | time | floor (same run) | ratio | peak RSS | notes |")
    echo("|---|---|---|---|---|---|")
    for row in rows:
        ratio = f"{row['seconds'] / row['floor']:.1f}×" if row.get("floor") else "—"
        floor = f"{_fmt_time(row['floor'])} ({row['floor_kind']})" if row.get("floor") else "—"
        echo(f"| {row['op']} | {_fmt_time(row['seconds'])} | {floor} | {ratio} | "
             f"{row['rss']:.0f} MB | {row.get('note', '')} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--load-seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--url")
    parser.add_argument("--child", nargs=2, metavar=("OP", "MODE"))
    parser.add_argument("--skip", action="append", default=[],
                        help="skip a part: screening, import, pages, load")
    args = parser.parse_args()
    if args.child:
        op, mode = args.child
        result = (op_screening if op == "screening" else op_import)(args.url, mode)
        print(json.dumps(result, default=str))
        return
    url = args.url or _url(args.size)
    rows: list[dict[str, Any]] = []
    built = datagen.ensure_dataset(url, args.size)
    if built:
        rows.append({"op": f"bench data set ({args.size:,} firms, streamed)",
                     "seconds": built["seconds"], "floor": None, "floor_kind": "",
                     "rss": _rss_mb()})
    if "screening" not in args.skip:
        for mode in ("full", "incremental"):
            result = _child("screening", mode, url)
            kind = "read + store same rows" if mode == "full" else "count the verdicts"
            note = "{evaluated} evaluated, {carried} carried, {examined} firms read".format(
                **result["note"])
            if "inputs" in result["note"]:
                note += "; reading every firm's inputs: {inputs} s".format(**result["note"])
            rows.append({"op": f"screening {mode}", "seconds": result["seconds"],
                         "floor": result["floor"], "floor_kind": kind,
                         "rss": result["rss"], "note": note})
            print(f"  {rows[-1]}", flush=True)
    if "import" not in args.skip:
        for mode in ("dry-run", "commit"):
            result = _child("import", mode, url)
            label = "dry run" if mode == "dry-run" else "commit, rolled back"
            rows.append({"op": f"import 10k firm rows ({label})",
                         "seconds": result["seconds"], "floor": result["floor"],
                         "floor_kind": "bulk insert", "rss": result["rss"]})
            print(f"  {rows[-1]}", flush=True)
    if "pages" not in args.skip:
        pages(url, args.size, rows, 0 if "load" in args.skip else args.load_seconds,
              args.clients)
    print_table(args.size, url, rows)


if __name__ == "__main__":
    main()
