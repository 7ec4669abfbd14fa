"""A file with no data rows (a header only, also a csv named .xlsx, or a header with blank rows)
is refused with "文件中没有数据行": non-zero CLI exit, no batch written — CLI, service and web."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from import_support import count, run, write_csv, write_xlsx

from cultivation.imports.models import ImportBatch
from cultivation.imports.reader import ReadError

HEADER = ["企业名称", "统一社会信用代码", "所属乡镇"]


def _files(tmp_path: Path) -> dict[str, Path]:
    named_xlsx = write_csv(tmp_path / "csv-named.xlsx", [HEADER])
    return {
        "csv": write_csv(tmp_path / "header.csv", [HEADER]),
        "csv named .xlsx": named_xlsx,
        "xlsx": write_xlsx(tmp_path / "header.xlsx", [HEADER]),
        "xlsx with blank rows": write_xlsx(tmp_path / "blank.xlsx", [HEADER, [None, "", " "],
                                                                      [None, None, None]]),
        "csv with a title": write_csv(tmp_path / "title.csv", [["2026年企业名录"], HEADER, [],
                                                               ["", "", ""]]),
    }


VARIANTS = ["csv", "csv named .xlsx", "xlsx", "xlsx with blank rows", "csv with a title"]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("dry_run", [True, False])
def test_the_cli_refuses_a_file_without_data_rows(runner: Any, db_session: Any, tmp_path: Path,
                                                  variant: str, dry_run: bool) -> None:
    path = _files(tmp_path)[variant]
    result = runner.invoke(args=["import", str(path), *(["--dry-run"] if dry_run else [])])
    assert result.exit_code == 1, result.output
    assert "文件中没有数据行" in result.stderr
    assert count(db_session, ImportBatch) == 0


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_service_refuses_it_before_anything_is_kept(db_session: Any, tmp_path: Path,
                                                        variant: str) -> None:
    with pytest.raises(ReadError, match="文件中没有数据行"):
        run(db_session, _files(tmp_path)[variant], commit=True)
    db_session.rollback()
    assert count(db_session, ImportBatch) == 0


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_web_upload_refuses_it_without_storing_a_batch(auth: Any, client: Any,
                                                           db_session: Any, tmp_path: Path,
                                                           variant: str) -> None:
    auth.login("admin")
    path = _files(tmp_path)[variant]
    response = auth.post("/imports", {"file": (io.BytesIO(path.read_bytes()), path.name),
                                      "kind": "auto"}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/imports")
    assert "文件中没有数据行" in client.get("/imports").get_data(as_text=True)
    assert count(db_session, ImportBatch) == 0


def test_one_data_row_is_enough(runner: Any, db_session: Any, tmp_path: Path) -> None:
    from cultivation.enterprises.credit_code import make_code

    path = write_csv(tmp_path / "one.csv", [HEADER, ["一行公司", make_code("91331024",
                                                                         "64000001"), "安洲街道"]])
    result = runner.invoke(args=["import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
