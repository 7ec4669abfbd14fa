"""Import benchmark: firm lists of 1k / 10k / 50k rows (xlsx), dry run and commit.

Prints seconds and the process's max RSS per run (BENCH_TRACEMALLOC=1 adds tracemalloc's peak),
against a fresh SQLite database (or CULTIVATION_BENCH_DATABASE_URL).
Usage: python bench/bench_import.py [ROWS ...]
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime
from pathlib import Path

from openpyxl import Workbook

from cultivation import create_app
from cultivation.enterprises.credit_code import make_code
from cultivation.enterprises.services import validation_context
from cultivation.extensions import db
from cultivation.imports.services import ImportOptions, run_import
from cultivation.regions import load_region

TOWNS = ("安洲街道", "南峰街道", "横溪镇", "白塔镇", "田市镇")
INDUSTRIES = ("医药", "医疗器械", "橡塑制品", "电子电气", "高端装备")


def write_firms(path: Path, rows: int) -> None:
    """A messy-header firm list with a title row, written in write-only mode."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("名单")
    sheet.append(["2025年企业名单（基准测试）"])
    sheet.append(["序号", "企业名称", "信用代码", "所属乡镇（街道）", "产业", "成立日期",
                  "是否规上",
                  "联系电话", "地址"])
    for n in range(rows):
        sheet.append([n + 1, f"基准测试企业{n:06d}有限公司", make_code("91331024", f"{n:08d}"),
                      TOWNS[n % 5], INDUSTRIES[n % 5], date(2010 + n % 12, 1 + n % 12, 1 + n % 28),
                      "是" if n % 3 == 0 else "否", f"0576-{n:07d}", f"仙居县某路{n}号"])
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


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000, 50000])
