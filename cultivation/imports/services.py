"""Import use cases: dry run and commit (one pass over a streamed sheet, in chunks), revert.

``run_import`` never commits: the CLI or the view commits once when it returns (the commit
path), or rolls back on any unexpected error so nothing is half-saved. The dry run writes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete

from cultivation.accounts.models import User
from cultivation.audit import services as audit
from cultivation.database import DbSession
from cultivation.enterprises import schemas
from cultivation.imports import preview
from cultivation.imports.apply import apply_steps
from cultivation.imports.headers import KINDS, detect_kind, header_score, map_headers
from cultivation.imports.models import ImportBatch
from cultivation.imports.planning import Importer, load_importer, plan_chunk
from cultivation.imports.reader import ReadError, open_sheet
from cultivation.imports.rows import SAMPLE_ROW, RowChecker, is_sample_code, kind_from_text
from cultivation.inputs import is_blank
from cultivation.qualifications.models import QUALIFICATION_KINDS

log = logging.getLogger(__name__)
CHUNK = 500
NO_DATA_ROWS = "文件中没有数据行（只有表头或空行），未写入任何数据"
Progress = Callable[[int, int | None], None]


@dataclass
class ImportOptions:
    """What the user chose: the kind (or auto) and, for lists, the qualification kind."""

    kind: str = "auto"
    qualification_kind: str | None = None


@dataclass
class Report:
    """The outcome, shaped as the CLI's JSON (docs/architecture.md, 'import --json')."""

    kind: str = ""
    rows: int = 0
    valid: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    to_create: int = 0
    to_update: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)  # dry run: preview.entry each
    qualification_kind: str | None = None
    batch: int | None = None
    dry_run: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows, "valid": self.valid, "created": self.created,
            "updated": self.updated, "errors": self.errors, "batch": self.batch,
            "kind": self.kind, "dry_run": self.dry_run, "unchanged": self.unchanged,
            "to_create": self.to_create, "to_update": self.to_update, "skipped": self.skipped,
            "unknown_columns": self.unknown_columns, "notices": self.notices,
            "qualification_kind": self.qualification_kind, "changes": self.changes,
        }


BULK_ROWS = 1000  # a committed import writing this many rows refreshes planner statistics
WRITTEN_TABLES = ("enterprises", "fiscal_year_figures", "qualifications",
                  "portfolio_assignments", "import_changes", "audit_log")


def refresh_statistics(engine: Engine, report: Report) -> bool:
    """After a large committed import on PostgreSQL, ANALYZE the tables it wrote (call after
    the commit). Without fresh statistics the planner picks nested loops: the dashboard took
    0.5 s instead of 50 ms after 5,000 firms were imported. Returns whether it ran."""
    if (report.dry_run or engine.dialect.name != "postgresql"
            or report.created + report.updated < BULK_ROWS):
        return False
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "ANALYZE " + ", ".join(WRITTEN_TABLES))
    return True


def run_import(
    session: DbSession, path: Path, *, filename: str, options: ImportOptions, user: User | None,
    ctx: schemas.Context, now: datetime, commit: bool, batch: ImportBatch | None = None,
    progress: Progress | None = None,
) -> Report:
    """Read ``path`` and check every row (dry run) or also upsert the valid rows (commit).

    Raises ``ReadError`` when the file cannot be read as a table at all.
    """
    events = import_events(session, path, filename=filename, options=options, user=user, ctx=ctx,
                           now=now, commit=commit, batch=batch)
    while True:
        try:
            done, total = next(events)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        if progress:
            progress(done, total)


def import_events(
    session: DbSession, path: Path, *, filename: str, options: ImportOptions, user: User | None,
    ctx: schemas.Context, now: datetime, commit: bool, batch: ImportBatch | None = None,
) -> Generator[tuple[int, int | None], None, Report]:
    """``run_import`` as a generator: yields (last row read, estimated rows) after each chunk
    (for a progress bar) and returns the report."""
    sheet = open_sheet(path, header_score)
    try:
        return (yield from _run(session, sheet, filename=filename, options=options, user=user,
                                ctx=ctx, now=now, commit=commit, batch=batch))
    finally:
        sheet.close()


def _run(session: DbSession, sheet: Any, *, filename: str, options: ImportOptions,
         user: User | None, ctx: schemas.Context, now: datetime, commit: bool,
         batch: ImportBatch | None) -> Generator[tuple[int, int | None], None, Report]:
    kind = options.kind if options.kind in KINDS else detect_kind(sheet.headers)
    if kind is None:
        raise ReadError("无法判断导入类型：表头应含企业名录、年度数据或资质名单的列名"
                        "（可下载模板对照）")
    hmap = map_headers(sheet.headers, kind)
    if "credit_code" not in hmap.fields:
        raise ReadError(f"第{sheet.header_row}行表头中没有“统一社会信用代码”列，无法导入")
    report = Report(kind=kind, dry_run=not commit, unknown_columns=hmap.unknown)
    if hmap.duplicate:
        report.notices.append(f"重复的列已忽略：{'、'.join(hmap.duplicate)}")
    for name, factor in hmap.factors.items():
        if factor != 1.0:
            report.notices.append(f"“{hmap.header_of(name)}”按表头单位换算为万元")
    qual_kind = None
    if kind == "qualifications" and "kind" not in hmap.fields:
        qual_kind = (options.qualification_kind if options.qualification_kind in QUALIFICATION_KINDS
                     else kind_from_text(sheet.title) or kind_from_text(filename))
        report.qualification_kind = qual_kind
        if qual_kind:
            report.notices.append(f"资质类型按“{QUALIFICATION_KINDS[qual_kind]}”导入")
    checker = RowChecker(kind, hmap, ctx, qualification_kind=qual_kind)
    importer = load_importer(session, user, ctx.region.code)
    if commit:
        batch = _open_batch(session, batch, filename, kind, user, options, now)
        report.batch = batch.id
    chunk: list[Any] = []
    for number, cells in sheet.rows:
        outcome = checker.check(number, cells)
        if outcome.blank:
            continue
        if outcome.sample:
            report.notices.append(SAMPLE_ROW.format(row=number))
            continue
        report.rows += 1
        if outcome.skipped:
            report.skipped.append({"row": number, "column": "", "value": None,
                                   "message": outcome.skipped})
        report.errors.extend(i.as_dict() for i in outcome.issues)
        if outcome.candidate is not None:
            chunk.append(outcome.candidate)
        if len(chunk) >= CHUNK:
            _process(session, checker, importer, chunk, report, batch, now, ctx.today)
            chunk = []
            yield number, sheet.total_rows
    _process(session, checker, importer, chunk, report, batch, now, ctx.today)
    if report.rows == 0:  # the caller rolls back: a commit leaves no batch behind
        raise ReadError(NO_DATA_ROWS)
    report.errors.sort(key=lambda e: e["row"])
    if batch is not None:
        _close_batch(session, batch, report, user, now)
    return report


def record_check(session: DbSession, batch_id: int, report: Report) -> ImportBatch | None:
    """Store a dry run's outcome (and its preview rows) on its pending batch; None when the
    batch is gone or was committed or discarded meanwhile."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.status != "pending":
        return None
    batch.kind = report.kind
    batch.rows, batch.valid = report.rows, report.valid
    batch.errors = report.errors
    batch.report = {k: v for k, v in report.as_dict().items() if k not in ("errors", "changes")}
    preview.store(session, batch.id, report.changes)
    return batch


def has_data_rows(path: Path) -> bool:
    """Whether the table under the recognised header has a non-blank row other than the
    template's sample row (reads up to the first one). Raises ``ReadError`` when the file is not
    a readable table."""
    sheet = open_sheet(path, header_score)
    try:
        hmap = map_headers(sheet.headers, detect_kind(sheet.headers) or "firms")
        code_at = next((i for i, name in hmap.columns.items() if name == "credit_code"), None)
        for _, cells in sheet.rows:
            if all(is_blank(c) for c in cells):
                continue
            if code_at is None or code_at >= len(cells) or not is_sample_code(cells[code_at]):
                return True
        return False
    finally:
        sheet.close()


def _process(session: DbSession, checker: RowChecker, importer: Importer, chunk: list[Any],
             report: Report, batch: ImportBatch | None, now: datetime, today: date) -> None:
    if not chunk:
        return
    plan = plan_chunk(session, checker, importer, chunk)
    report.errors.extend(i.as_dict() for i in plan.issues)
    report.skipped.extend(i.as_dict() for i in plan.skipped)
    for step in plan.steps:
        report.valid += 1
        if step.action == "unchanged":
            report.unchanged += 1
        elif batch is None:
            report.to_create += step.action == "create"
            report.to_update += step.action == "update"
        if batch is None:
            report.changes.append(preview.entry(checker.kind, step))
    if batch is not None:
        created, updated = apply_steps(session, checker.kind, plan.steps, importer, batch, now,
                                       today=today)
        report.created += created
        report.updated += updated


def _open_batch(session: DbSession, batch: ImportBatch | None, filename: str, kind: str,
                user: User | None, options: ImportOptions, now: datetime) -> ImportBatch:
    if batch is not None:
        preview.drop(session, batch.id)  # it described the pending batch
    else:
        chosen = {"kind": options.kind, "qualification_kind": options.qualification_kind}
        batch = ImportBatch(filename=filename[:300], kind=kind, user_id=getattr(user, "id", None),
                            created_at=now, options=chosen)
        session.add(batch)
    batch.kind = kind
    batch.status = "committed"
    session.flush()
    return batch


def _close_batch(session: DbSession, batch: ImportBatch, report: Report, user: User | None,
                 now: datetime) -> None:
    batch.rows, batch.valid = report.rows, report.valid
    batch.created, batch.updated = report.created, report.updated
    batch.errors = report.errors
    batch.report = {k: v for k, v in report.as_dict().items() if k not in ("errors", "changes")}
    batch.content = None
    session.flush()
    audit.record(session, actor=user or "cli", entity_type="import_batch", entity_id=batch.id,
                 action="import", after={"file": batch.filename, "kind": batch.kind,
                                         "created": batch.created, "updated": batch.updated,
                                         "errors": len(report.errors)}, at=now)


STALE_AFTER = timedelta(days=2)  # an upload nobody checked or committed in two days is dropped


def stage_upload(session: DbSession, *, filename: str, kind: str, qualification_kind: str | None,
                 content: bytes, user_id: int, now: datetime) -> ImportBatch:
    """Store an uploaded file as a pending batch, dropping pending or discarded batches older
    than two days (their content is the bulk of the table). Flushes; the caller commits."""
    session.execute(delete(ImportBatch).where(ImportBatch.status.in_(("pending", "discarded")),
                                              ImportBatch.created_at < now - STALE_AFTER))
    batch = ImportBatch(filename=filename[:300], kind=kind, user_id=user_id, status="pending",
                        options={"kind": kind, "qualification_kind": qualification_kind},
                        content=content, created_at=now)
    session.add(batch)
    session.flush()
    return batch
