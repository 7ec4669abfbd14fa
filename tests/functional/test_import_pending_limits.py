"""Uploads waiting for check/commit are capped per user (count and total size, Chinese message)
and abandoned ones are purged hourly by the import-purge job (idempotent, JobRun recorded)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from import_support import write_xlsx
from sqlalchemy import func, select

from cultivation.enterprises.credit_code import make_code
from cultivation.imports.models import ImportBatch
from cultivation.scheduling.services import run_job

NOW = datetime.now(UTC)


def _upload(auth: Any, tmp_path: Any) -> Any:
    path = write_xlsx(tmp_path / "firms.xlsx", [["企业名称", "统一社会信用代码", "所属乡镇"],
                                                ["上限公司", make_code("91331024", "65000001"),
                                                 "安洲街道"]])
    return auth.post("/imports", {"file": (io.BytesIO(path.read_bytes()), "名录.xlsx"),
                                  "kind": "auto"}, content_type="multipart/form-data")


def _pending(db_session: Any, user: Any, n: int, size: int = 100, *,
             age: timedelta = timedelta(0), status: str = "pending") -> None:
    db_session.add_all(ImportBatch(filename=f"旧文件{i}.xlsx", kind="auto", user_id=user.id,
                                   status=status, content=b"x" * size if status == "pending"
                                   else None, created_at=NOW - age) for i in range(n))
    db_session.flush()


def _count(db_session: Any, user: Any, status: str = "pending") -> int:
    return db_session.scalar(select(func.count(ImportBatch.id)).where(
        ImportBatch.user_id == user.id, ImportBatch.status == status)) or 0


def test_the_eleventh_pending_upload_is_refused_in_chinese(auth: Any, client: Any,
                                                           db_session: Any, tmp_path: Any) -> None:
    user = auth.login("advisor")
    _pending(db_session, user, 9)
    assert "/imports/" in _upload(auth, tmp_path).headers["Location"]  # the tenth is fine
    response = _upload(auth, tmp_path)
    assert response.headers["Location"].endswith("/imports")
    page = client.get("/imports").get_data(as_text=True)
    assert "您已有 10 个待确认的导入（上限 10 个）" in page
    assert "待确认的导入" in page
    assert _count(db_session, user) == 10


def test_the_cap_is_per_user(auth: Any, db_session: Any, make_user: Any, tmp_path: Any) -> None:
    _pending(db_session, make_user("advisor"), 10)
    user = auth.login("advisor")
    assert "/imports/" in _upload(auth, tmp_path).headers["Location"]
    assert _count(db_session, user) == 1


def test_the_total_size_of_pending_uploads_is_capped(
        app: Flask, auth: Any, client: Any, db_session: Any, tmp_path: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "IMPORT_PENDING_MAX_MB", 1)
    user = auth.login("advisor")
    _pending(db_session, user, 1, size=1024 * 1024 - 100)
    response = _upload(auth, tmp_path)
    assert response.headers["Location"].endswith("/imports")
    assert "待确认的导入文件合计将超过 1 MB" in client.get("/imports").get_data(as_text=True)
    assert _count(db_session, user) == 1


def test_discarding_from_the_pending_list_frees_a_place(auth: Any, client: Any, db_session: Any,
                                                        tmp_path: Any) -> None:
    user = auth.login("advisor")
    _pending(db_session, user, 10)
    oldest = db_session.scalar(select(ImportBatch.id).where(ImportBatch.user_id == user.id)
                               .order_by(ImportBatch.id))
    assert f'/imports/{oldest}/discard' in client.get("/imports").get_data(as_text=True)
    auth.post(f"/imports/{oldest}/discard", {}, form_url="/imports")
    assert _count(db_session, user) == 9
    assert "/imports/" in _upload(auth, tmp_path).headers["Location"]


def test_the_hourly_purge_deletes_abandoned_uploads_once_and_records_its_run(
        db_session: Any, make_user: Any) -> None:
    user = make_user("advisor")
    _pending(db_session, user, 3, age=timedelta(hours=25))
    _pending(db_session, user, 2, age=timedelta(hours=30), status="discarded")
    _pending(db_session, user, 1, age=timedelta(hours=2))  # still being worked on
    _pending(db_session, user, 1, age=timedelta(days=90), status="committed")
    run = run_job(db_session, "import-purge", NOW)
    assert run.outcome == "success", run.error
    assert run.counts == {"pending": 3, "discarded": 2}
    assert (_count(db_session, user), _count(db_session, user, "discarded"),
            _count(db_session, user, "committed")) == (1, 0, 1)
    again = run_job(db_session, "import-purge", NOW)
    assert again.counts == {"pending": 0, "discarded": 0}
    assert _count(db_session, user) == 1


def test_the_purge_is_scheduled_hourly() -> None:
    from cultivation.jobs.registry import get_job

    assert get_job("import-purge").cron == {"minute": 7}
