"""``cultivation import`` / ``cultivation export``: the JSON shape, exit codes, the real script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from import_support import count, write_csv, write_xlsx
from sqlalchemy import select

from cultivation.enterprises.credit_code import make_code
from cultivation.enterprises.models import Enterprise

SCRIPT = Path(sys.executable).with_name("cultivation")


def code(n: int) -> str:
    return make_code("91331024", f"{63000000 + n:08d}")


def _sheet(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "firms.xlsx", [
        ["企业名称", "统一社会信用代码", "乡镇街道"],
        ["命令行甲公司", code(1), "安洲街道"],
        ["命令行乙公司", code(1), "安洲街道"],
        ["命令行丙公司", code(3), "月球镇"]])


def test_the_dry_run_prints_the_designed_json_and_writes_nothing(runner, db_session, tmp_path):
    result = runner.invoke(args=["import", str(_sheet(tmp_path)), "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"rows", "valid", "created", "updated", "errors", "batch"} <= set(data)
    assert (data["rows"], data["valid"], data["created"], data["updated"], data["batch"]) == (
        3, 1, 0, 0, None)
    assert data["errors"][0] == {"row": 3, "column": "统一社会信用代码", "value": code(1),
                                 "message": "统一社会信用代码与第2行重复"}
    assert data["errors"][1]["column"] == "乡镇街道"
    assert count(db_session, Enterprise) == 0


def test_the_commit_reports_the_batch(runner, db_session, tmp_path):
    result = runner.invoke(args=["import", str(_sheet(tmp_path)), "--json"])
    data = json.loads(result.stdout)
    assert data["created"] == 1
    assert data["batch"] is not None
    assert db_session.scalar(select(Enterprise.name)) == "命令行甲公司"


def test_human_output_lists_problems_in_chinese(runner, db_session, tmp_path):
    result = runner.invoke(args=["import", str(_sheet(tmp_path)), "--dry-run"])
    assert result.exit_code == 0
    assert "第4行 [乡镇街道]" in result.stdout
    assert "试导入" in result.stdout


def test_an_unreadable_file_exits_non_zero_with_a_chinese_message(runner, db_session, tmp_path):
    missing = runner.invoke(args=["import", str(tmp_path / "none.xlsx"), "--json"])
    assert missing.exit_code != 0
    assert "不存在" in missing.stderr
    junk = write_csv(tmp_path / "junk.csv", [["a", "b"], [1, 2]])
    result = runner.invoke(args=["import", str(junk), "--dry-run", "--json"])
    assert result.exit_code != 0
    assert "表头" in result.stderr


def test_a_damaged_xlsx_is_not_called_a_csv(runner, db_session, tmp_path):
    damaged = tmp_path / "名单.xlsx"
    damaged.write_bytes(bytes(range(256)) * 4)
    result = runner.invoke(args=["import", str(damaged), "--dry-run", "--json"])
    assert result.exit_code != 0
    assert "不是有效的 Excel 工作簿" in result.stderr
    assert "CSV" not in result.stderr


def test_a_web_page_saved_as_excel_is_named_as_such(runner, db_session, tmp_path):
    page = tmp_path / "名单.xls.csv"  # government systems export HTML tables as "Excel"
    page.write_text("<html><table><tr><td>企业名称</td></tr></table></html>", encoding="utf-8")
    result = runner.invoke(args=["import", str(page), "--dry-run", "--json"])
    assert result.exit_code != 0
    assert "网页（HTML）格式" in result.stderr


def test_export_then_import_changes_nothing(runner, db_session, tmp_path, make_enterprise):
    make_enterprise(credit_code=code(10), above_scale=True, tier="hnte")
    target = tmp_path / "out.xlsx"
    assert runner.invoke(args=["export", "enterprises", str(target)]).exit_code == 0
    data = json.loads(runner.invoke(args=["import", str(target), "--dry-run", "--json"]).stdout)
    assert (data["errors"], data["to_create"], data["to_update"], data["unchanged"]) == (
        [], 0, 0, 1)


def test_the_installed_console_script_imports_into_a_fresh_database(tmp_path):
    env = {**os.environ, "CULTIVATION_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "CULTIVATION_ENV": "development"}
    env.pop("CULTIVATION_TEST_DATABASE_URL", None)
    subprocess.run([str(SCRIPT), "db", "upgrade"], env=env, check=True, capture_output=True,
                   timeout=120)
    sheet = _sheet(tmp_path)
    dry = subprocess.run([str(SCRIPT), "import", str(sheet), "--dry-run", "--json"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout.strip().splitlines()[-1])["valid"] == 1
    done = subprocess.run([str(SCRIPT), "import", str(sheet), "--json"], env=env,
                          capture_output=True, text=True, timeout=120)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert (result["created"], result["batch"]) == (1, 1)
    bad = subprocess.run([str(SCRIPT), "import", str(tmp_path / "missing.xlsx")], env=env,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0
    assert "文件不存在" in bad.stderr
