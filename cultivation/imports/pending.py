"""Uploads waiting for the user's check and commit (pending batches): refused up front when
the file has no data rows or the user's pending uploads are at their limits; purged hourly when
abandoned. Never commits."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import defer

from cultivation.database import DbSession
from cultivation.imports.models import ImportBatch
from cultivation.imports.reader import ReadError
from cultivation.imports.services import NO_DATA_ROWS, has_data_rows


@dataclass(frozen=True)
class PendingLimits:
    """How many uploads a user may leave waiting for check/commit, and their total size."""

    count: int
    total_bytes: int


def pending_refusal(session: DbSession, user_id: int, size: int,
                    limits: PendingLimits) -> str | None:
    """Why another upload of ``size`` bytes would exceed the user's pending limits, or None."""
    held, total = session.execute(
        select(func.count(ImportBatch.id), func.coalesce(func.sum(func.length(ImportBatch.content)),
                                                         0))
        .where(ImportBatch.user_id == user_id, ImportBatch.status == "pending")
    ).one()
    if held >= limits.count:
        return (f"您已有 {held} 个待确认的导入（上限 {limits.count} 个），"
                "请先在下方“待确认的导入”中完成或放弃后再上传")
    if total + size > limits.total_bytes:
        mb = limits.total_bytes / (1024 * 1024)
        return (f"待确认的导入文件合计将超过 {mb:g} MB，"
                "请先在下方“待确认的导入”中完成或放弃部分后再上传")
    return None


def purge_abandoned_batches(session: DbSession, *, now: datetime,
                            older_than: timedelta) -> dict[str, int]:
    """Delete uploads left pending (with their stored file) or discarded before ``now −
    older_than``. Idempotent; pending and discarded batches changed no data, so nothing else
    refers to them."""
    cutoff = now - older_than
    counts = {}
    for status in ("pending", "discarded"):
        result = session.execute(delete(ImportBatch).where(ImportBatch.status == status,
                                                           ImportBatch.created_at < cutoff))
        counts[status] = int(getattr(result, "rowcount", 0) or 0)
    return counts


def limits_of(config: Mapping[str, Any]) -> PendingLimits:
    return PendingLimits(int(config["IMPORT_PENDING_MAX"]),
                         int(config["IMPORT_PENDING_MAX_MB"]) * 1024 * 1024)


def upload_refusal(session: DbSession, user_id: int, content: bytes, filename: str,
                   limits: PendingLimits) -> str | None:
    """Why an upload is refused before it is stored, or None. Other read problems are left to
    the check step, which reports them with their details."""
    problem = pending_refusal(session, user_id, len(content), limits)
    if problem:
        return problem
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{Path(filename).suffix.lower()}"
        path.write_bytes(content)
        try:
            return None if has_data_rows(path) else NO_DATA_ROWS
        except ReadError:
            return None


def pending_batches(session: DbSession, user_id: int) -> list[ImportBatch]:
    """The user's uploads still waiting for check/commit (they count against the limits),
    without their checks' reports and error lists (the list does not show them; a large
    file's error list runs to megabytes)."""
    return list(session.scalars(
        select(ImportBatch).where(ImportBatch.status == "pending", ImportBatch.user_id == user_id)
        .options(defer(ImportBatch.report), defer(ImportBatch.errors))
        .order_by(ImportBatch.id.desc())))
