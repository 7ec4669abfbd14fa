"""``cultivation assess`` on a temporary facts file: verdict JSON out, Chinese errors and
non-zero exits for a bad rule set, an unreadable file or malformed facts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FACTS: dict[str, Any] = {
    "registered_on": "2019-05-01", "as_of": "2026-06-30", "tech_domain": "电子信息",
    "core_ip_owned": True, "major_incident_last_year": False,
    "fiscal_years": [{"year": 2025, "employees": 120, "tech_staff": 18, "sales_revenue": 4300,
                      "total_revenue": 4400, "rd_expense": 270, "total_cost": 3900,
                      "total_assets": 9000, "ip_class_i": 2, "ip_class_ii": 5}],
}


def write(tmp_path: Path, data: Any, name: str = "facts.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False),
                    encoding="utf-8")
    return str(path)


def test_assess_prints_the_verdict_json(runner, tmp_path):
    result = runner.invoke(args=["assess", "tech-sme", "--facts", write(tmp_path, FACTS)])
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.stdout)
    assert verdict["rules"] == "tech-sme"
    assert verdict["as_of"] == "2026-06-30"
    assert verdict["outcome"] == "eligible"
    assert verdict["score"] == {"total": 88, "tech_staff": 8, "rd_investment": 50,
                                "achievements": 30}
    assert "科技人员指标得分不为 0" in result.stdout  # ensure_ascii=False: Chinese as is


def test_as_of_option_overrides_the_facts_date(runner, tmp_path):
    result = runner.invoke(args=["assess", "zj_tech_sme", "--facts", write(tmp_path, FACTS),
                                 "--as-of", "2027-03-01"])
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.stdout)
    assert verdict["as_of"] == "2027-03-01"
    assert verdict["rules"] == "zj-tech-sme"


@pytest.mark.parametrize(("args", "code", "message"), [
    (["assess", "nope"], 2, "未知的规则集"),
    (["assess", "hnte", "--as-of", "2026/13/01"], 2, "--as-of 应为"),
])
def test_bad_arguments_exit_2_with_a_chinese_message(runner, tmp_path, args, code, message):
    result = runner.invoke(args=[*args, "--facts", write(tmp_path, FACTS)])
    assert result.exit_code == code
    assert message in result.stderr
    assert result.stdout == ""


def test_an_unreadable_file_exits_1(runner, tmp_path):
    result = runner.invoke(args=["assess", "hnte", "--facts", str(tmp_path / "missing.json")])
    assert result.exit_code == 1
    assert "无法读取事实文件" in result.stderr


def test_invalid_json_exits_1_with_the_position(runner, tmp_path):
    result = runner.invoke(args=["assess", "hnte", "--facts", write(tmp_path, '{"as_of": ')])
    assert result.exit_code == 1
    assert "不是有效的 JSON（第 1 行" in result.stderr


def test_malformed_facts_list_every_field(runner, tmp_path):
    bad = {"registered_on": "yesterday", "fiscal_years": [{"year": 2025, "sales_revenue": -5}]}
    result = runner.invoke(args=["assess", "hnte", "--facts", write(tmp_path, bad)])
    assert result.exit_code == 1
    assert "registered_on" in result.stderr
    assert "fiscal_years[0].sales_revenue：必须是非负数" in result.stderr
