"""The import wizard (upload → dry run with progress → commit), batch list with revert, error
reports, templates and list exports.

The upload is kept in the pending ImportBatch row (not on one web host's disk), so any worker
can run the check or the commit. Both stream NDJSON progress lines that the page's script turns
into a progress bar; without JavaScript the same POST answers with a redirect when done.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from cultivation.accounts.access import login_required, roles_required
from cultivation.accounts.models import User
from cultivation.database import read_only_transactions
from cultivation.enterprises.queries import EnterpriseFilters
from cultivation.enterprises.services import validation_context
from cultivation.extensions import db
from cultivation.imports.exports import EXPORT_NAMES, write_export
from cultivation.imports.headers import KINDS
from cultivation.imports.models import BATCH_STATUSES, ImportBatch
from cultivation.imports.pending import limits_of, pending_batches, upload_refusal
from cultivation.imports.preview import ACTIONS
from cultivation.imports.preview import drop as drop_preview
from cultivation.imports.problems import error_workbook
from cultivation.imports.queries import preview_entries, preview_page, recent_batches
from cultivation.imports.reader import ReadError
from cultivation.imports.revert import RevertRefused, revert_batch
from cultivation.imports.services import (
    ImportOptions,
    import_events,
    record_check,
    refresh_statistics,
    stage_upload,
)
from cultivation.imports.templates import write_template
from cultivation.qualifications.models import QUALIFICATION_KINDS
from cultivation.web import clock
from cultivation.web.request import int_arg
from cultivation.web.settings import current_region

bp = Blueprint("imports", __name__, url_prefix="/imports")
log = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUFFIXES = (".xlsx", ".csv")



def _batch(batch_id: int) -> ImportBatch:
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        abort(404)
    if not current_user.is_admin and batch.user_id != current_user.id:
        abort(403)
    return batch


@bp.route("", methods=["GET"])
@roles_required("admin", "advisor")
def index() -> ResponseReturnValue:
    return render_template("imports/index.html", kinds=KINDS,
                           batches=recent_batches(db.session, current_user),
                           pending=pending_batches(db.session, current_user.id),
                           qualification_kinds=QUALIFICATION_KINDS, statuses=BATCH_STATUSES)


@bp.route("", methods=["POST"])
@roles_required("admin", "advisor")
def upload() -> ResponseReturnValue:
    upload = request.files.get("file")
    kind = request.form.get("kind", "auto")
    qual_kind = request.form.get("qualification_kind") or None
    name = (upload.filename or "").strip() if upload else ""
    problem = None
    if not name:
        problem = "请选择要导入的文件"
    elif not name.lower().endswith(SUFFIXES):
        problem = "只支持 .xlsx 和 .csv 文件（旧版 .xls 请先另存为 .xlsx）"
    elif kind not in ("auto", *KINDS) or (qual_kind and qual_kind not in QUALIFICATION_KINDS):
        problem = "导入类型无效"
    content = upload.read() if upload and not problem else b""
    if not problem and not content:
        problem = "文件是空的"
    if not problem:
        problem = upload_refusal(db.session, current_user.id, content, name,
                                 limits_of(current_app.config))
    if problem:
        flash(problem, "danger")
        return redirect(url_for("imports.index"))
    batch = stage_upload(db.session, filename=name, kind=kind, qualification_kind=qual_kind,
                         content=content, user_id=current_user.id, now=clock.now())
    db.session.commit()
    return redirect(url_for("imports.show", batch_id=batch.id))


@bp.route("/<int:batch_id>")
@roles_required("admin", "advisor")
def show(batch_id: int) -> ResponseReturnValue:
    batch = _batch(batch_id)
    errors = batch.errors or []
    report = batch.report or {}
    changes = preview_page(db.session, batch.id, request.args.get("show", ""), int_arg("page"))
    return render_template("imports/batch.html", batch=batch, report=report,
                           errors=errors[:500], error_count=len(errors), kinds=KINDS,
                           statuses=BATCH_STATUSES, qualification_kinds=QUALIFICATION_KINDS,
                           changes=changes, actions=ACTIONS,
                           page_url=lambda n: url_for("imports.show", batch_id=batch.id,
                                                      show=changes.action or None, page=n,
                                                      _anchor="changes"))


GONE = "该批次已处理或不存在"


def _line(**data: Any) -> str:
    return json.dumps(data, ensure_ascii=False) + "\n"


def _stream(batch: ImportBatch, commit: bool) -> Response:
    """Run the check or the commit, streaming progress; one transaction for the commit."""
    # The streamed body runs after the view's app context (and its session) has been torn
    # down: reload the batch and the user in the generator's session, by id.
    batch_id, user_id = batch.id, current_user.id
    chosen = batch.options or {}
    options = ImportOptions(chosen.get("kind", "auto"), chosen.get("qualification_kind"))
    suffix = Path(batch.filename).suffix.lower() or ".xlsx"
    wants_stream = "application/x-ndjson" in request.headers.get("Accept", "")
    now = clock.now()
    ctx = validation_context(clock.today(), current_region())
    target = url_for("imports.show", batch_id=batch.id)
    if not commit:
        db.session.rollback()  # end the view's (write) transaction: the dry run opens a read one

    def events() -> Iterator[str]:
        # The dry run only reads: on SQLite it must not hold the write lock while it reads the
        # file (other writers would wait, then fail); its results are stored in a new transaction.
        with nullcontext() if commit else read_only_transactions():
            batch = db.session.get(ImportBatch, batch_id)
            user = db.session.get(User, user_id)
            if batch is None or batch.status != "pending":
                yield _line(error=GONE, url=target)
                return
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"upload{suffix}"
                path.write_bytes(batch.content or b"")
                steps = import_events(db.session, path, filename=batch.filename,
                                      options=options, user=user, ctx=ctx, now=now,
                                      commit=commit, batch=batch if commit else None)
                try:
                    while True:
                        done, total = next(steps)
                        yield _line(done=done, total=total)
                except StopIteration as stop:
                    report = stop.value
                except ReadError as exc:
                    db.session.rollback()
                    yield _line(error=str(exc), url=target)
                    return
                except Exception:
                    db.session.rollback()
                    log.exception("import of batch %s failed", batch_id)
                    yield _line(error="导入时发生意外错误，未写入任何数据", url=target)
                    return
            if not commit:
                db.session.rollback()  # end the read; nothing was written
        if not commit and record_check(db.session, batch_id, report) is None:
            yield _line(error=GONE, url=target)
            return
        db.session.commit()
        refresh_statistics(db.engine, report)
        yield _line(finished=True, url=target)

    if wants_stream:
        return Response(stream_with_context(events()), mimetype="application/x-ndjson")
    last: dict[str, Any] = {}
    for line in events():
        last = json.loads(line)
    if last.get("error"):
        flash(last["error"], "danger")
    return redirect(target)  # type: ignore[return-value]


@bp.route("/<int:batch_id>/check", methods=["POST"])
@roles_required("admin", "advisor")
def check(batch_id: int) -> ResponseReturnValue:
    batch = _batch(batch_id)
    if batch.status != "pending":
        abort(409)
    return _stream(batch, commit=False)


@bp.route("/<int:batch_id>/commit", methods=["POST"])
@roles_required("admin", "advisor")
def commit(batch_id: int) -> ResponseReturnValue:
    batch = _batch(batch_id)
    if batch.status != "pending" or batch.report is None:
        flash("请先完成试导入检查", "warning")
        return redirect(url_for("imports.show", batch_id=batch.id))
    return _stream(batch, commit=True)


@bp.route("/<int:batch_id>/discard", methods=["POST"])
@roles_required("admin", "advisor")
def discard(batch_id: int) -> ResponseReturnValue:
    batch = _batch(batch_id)
    if batch.status == "pending":
        batch.status, batch.content = "discarded", None
        drop_preview(db.session, batch.id)
        db.session.commit()
        flash("已放弃本次导入，未写入任何数据", "info")
    return redirect(url_for("imports.index"))


@bp.route("/<int:batch_id>/revert", methods=["POST"])
@roles_required("admin", "advisor")
def revert(batch_id: int) -> ResponseReturnValue:
    batch = _batch(batch_id)
    try:
        now, today = clock.clock()
        count = revert_batch(db.session, batch, actor=current_user._get_current_object(),
                             now=now, today=today)
    except RevertRefused as exc:
        db.session.rollback()
        flash("无法撤销：" + "；".join(exc.reasons[:10]), "danger")
        return redirect(url_for("imports.show", batch_id=batch.id))
    db.session.commit()
    flash(f"已撤销批次 #{batch.id}（{count} 项变更已还原）", "success")
    return redirect(url_for("imports.index"))


@bp.route("/<int:batch_id>/errors.xlsx")
@roles_required("admin", "advisor")
def error_report(batch_id: int) -> ResponseReturnValue:
    batch = _batch(batch_id)
    changes = preview_entries(db.session, batch.id)
    return _xlsx(lambda handle: error_workbook(handle, batch, changes),
                 f"导入检查结果-{batch.id}.xlsx")


@bp.route("/templates/<kind>.xlsx")
@login_required
def template(kind: str) -> ResponseReturnValue:
    if kind not in KINDS:
        abort(404)
    region = current_region()
    return _xlsx(lambda handle: write_template(handle, kind, region, clock.today()),
                 f"导入模板-{KINDS[kind]}.xlsx")


EXPORT_KINDS = {"enterprises": "firms", "figures": "figures", "qualifications": "qualifications"}


@bp.route("/export/<name>.xlsx")
@login_required
def export(name: str) -> ResponseReturnValue:
    """The list's xlsx with the list's own query string (q, town, industry, tier, advisor)."""
    kind = EXPORT_KINDS.get(name)
    if kind is None:
        abort(404)
    args = {k: (request.args.get(k) or "").strip()[:200]
            for k in ("q", "town", "industry", "tier", "advisor")}
    year = request.args.get("year", "")
    filters = EnterpriseFilters(q=args["q"], town=args["town"], industry=args["industry"],
                                tier=args["tier"], advisor=args["advisor"])
    today = clock.today()
    stamp = today.strftime("%Y%m%d")
    return _xlsx(lambda handle: write_export(
        handle, kind, db.session, filters, today, viewer=current_user._get_current_object(),
        year=int(year) if year.isdigit() else None), f"{EXPORT_NAMES[kind]}-{stamp}.xlsx")


def _xlsx(write: Any, filename: str) -> ResponseReturnValue:
    handle = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - send_file closes it
    write(handle)
    handle.seek(0)
    return send_file(handle, mimetype=XLSX, as_attachment=True, download_name=filename)
