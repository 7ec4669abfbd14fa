"""Import benchmark: firm lists of 1k / 10k / 50k rows (xlsx), dry run and commit, then the
preview of a re-import that changes every other firm (dry run stored on a pending batch, and
the batch page rendered, with the SQL statements each issues).

Prints seconds and the process's max RSS per run (BENCH_TRACEMALLOC=1 adds tracemalloc's peak),
against a fresh SQLite database (or CULTIVATION_BENCH_DATABASE_URL).
Usage: python bench/bench_import.py [ROWS ...]
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import event, select, text

from cultivation import create_app
from cultivation.enterprises.credit_code import make_code
from cultivation.enterprises.services import validation_context
from cultivation.extensions import db
from cultivation.imports.services import ImportOptions, run_import
from cultivation.regions import load_region

TOWNS = ("安洲街道", "南峰街道", "横溪镇", "白塔镇", "田市镇")
INDUSTRIES = ("医药", "医疗器械", "橡塑制品", "电子电气", "高端装备")


def write_firms(path: Path, rows: int, *, changed: bool = False) -> None:
    """A messy-header firm list with a title row, written in write-only mode. ``changed``: every
    other firm gets a new phone number and every fourth a new town (a re-import to preview)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("名单")
    sheet.append(["2025年企业名单（基准测试）"])
    sheet.append(["序号", "企业名称", "信用代码", "所属乡镇（街道）", "产业", "成立日期",
                  "是否规上",
                  "联系电话", "地址"])
    for n in range(rows):
        phone = f"0576-{n:07d}" if not changed or n % 2 else f"0577-{n:07d}"
        town = TOWNS[(n + (1 if changed and n % 4 == 0 else 0)) % 5]
        sheet.append([n + 1, f"基准测试企业{n:06d}有限公司", make_code("91331024", f"{n:08d}"),
                      town, INDUSTRIES[n % 5], date(2010 + n % 12, 1 + n % 12, 1 + n % 28),
                      "是" if n % 3 == 0 else "否", phone, f"仙居县某路{n}号"])
    book.save(path)


TRACE = os.environ.get("BENCH_TRACEMALLOC") == "1"  # peak Python memory; slows the run ~2x


def measure(label: str, func) -> object:  # type: ignore[no-untyped-def]
    if TRACE:
        tracemalloc.start()
    started = time.perf_counter()
    result = func()
    elapsed = time.perf_counter() - started
    memory = ""
    if TRACE:
        memory = f"   peak Python memory {tracemalloc.get_traced_memory()[1] / 2**20:6.1f} MiB"
        tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label:<28} {elapsed:8.1f} s   max RSS so far {rss:5.0f} MiB{memory}", flush=True)
    return result


def main(sizes: list[int]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    url = os.environ.get("CULTIVATION_BENCH_DATABASE_URL", f"sqlite:///{folder / 'bench.db'}")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        for rows in sizes:
            path = folder / f"firms-{rows}.xlsx"
            write_firms(path, rows)
            print(f"--- {rows} rows, {path.stat().st_size / 2**20:.1f} MiB xlsx")
            now = datetime.now(UTC)
            ctx = validation_context(now.date(), load_region())

            def run(commit: bool, path=path, ctx=ctx, now=now):  # type: ignore[no-untyped-def]
                report = run_import(db.session, path, filename=path.name, options=ImportOptions(),
                                    user=None, ctx=ctx, now=now, commit=commit)
                if commit:
                    db.session.commit()
                else:
                    db.session.rollback()
                assert not report.errors, report.errors[:3]
                return report

            measure("dry run", lambda: run(False))
            measure("commit (create)", lambda: run(True))
            measure("dry run again (unchanged)", lambda: run(False))
            changed = folder / f"firms-{rows}-changed.xlsx"
            write_firms(changed, rows, changed=True)
            preview(app, changed)


class Statements:
    """Counts the SQL statements sent while active."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self.engine, self.count = engine, 0

    def _seen(self, *args) -> None:  # type: ignore[no-untyped-def]
        self.count += 1

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc) -> None:  # type: ignore[no-untyped-def]
        event.remove(self.engine, "before_cursor_execute", self._seen)


def preview(app, path: Path) -> None:  # type: ignore[no-untyped-def]
    """The web preview of a re-import: the dry run stored on its pending batch (what the check
    step does), then the batch page rendered for an admin."""
    from flask_login import login_user

    from cultivation.accounts.models import User
    from cultivation.imports import views
    from cultivation.imports.services import record_check, stage_upload

    admin = db.session.scalar(select(User).where(User.username == "bench-admin"))
    if admin is None:
        admin = User(username="bench-admin", display_name="基准", role="admin")
        admin.set_password("bench-password-123")
        db.session.add(admin)
        db.session.commit()
    now = datetime.now(UTC)
    batch = stage_upload(db.session, filename=path.name, kind="auto", qualification_kind=None,
                         content=path.read_bytes(), user_id=admin.id, now=now)
    db.session.commit()
    batch_id, admin_id = batch.id, admin.id

    def check():  # type: ignore[no-untyped-def]
        report = run_import(db.session, path, filename=path.name, options=ImportOptions(),
                            user=admin, ctx=validation_context(now.date(), load_region()),
                            now=now, commit=False)
        db.session.rollback()
        record_check(db.session, batch_id, report)
        db.session.commit()
        return report

    with Statements(db.engine) as counted:
        report = measure("preview: dry run + store", check)
    stored = db.session.execute(text("SELECT report FROM import_batches WHERE id = :i"),
                                {"i": batch_id}).scalar()
    size = len(stored if isinstance(stored, str) else json.dumps(stored, ensure_ascii=False))
    previews = db.session.execute(text(
        "SELECT count(*) FROM import_changes WHERE batch_id = :i"), {"i": batch_id}).scalar()
    print(f"{'':28} {counted.count} statements, {report.to_update} to update, "  # type: ignore[attr-defined]
          f"stored report {size / 2**10:.1f} KiB, {previews} preview rows", flush=True)
    db.session.remove()
    for url in (f"/imports/{batch_id}", f"/imports/{batch_id}", f"/imports/{batch_id}?page=50"):
        # the first rendering compiles the template: the second is the warm figure
        with app.test_request_context(url):
            login_user(db.session.get(User, admin_id))
            with Statements(db.engine) as counted:
                started = time.perf_counter()
                html = views.show(batch_id)
                elapsed = time.perf_counter() - started
            body = html[0] if isinstance(html, tuple) else html
            print(f"{'preview page ' + url.split('/')[-1]:<28} {elapsed * 1000:8.0f} ms  "
                  f"{counted.count} statements, {len(str(body).encode()) / 2**10:.0f} KiB HTML",
                  flush=True)
        db.session.remove()


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000, 50000])
