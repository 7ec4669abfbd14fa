"""The 培育库 as an xlsx download (the shared report workbook: title, filters, header row)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response

from cultivation.qualifications.tiers import TIER_LABELS
from cultivation.reports.xlsx import workbook_response
from cultivation.screening.queries import (
    APPLICATION_LABELS,
    CHANGES,
    OUTCOME_LABELS,
    RULES_LABELS,
    CandidateFilters,
    CandidateList,
    CandidateRow,
)
from cultivation.web.filters import cn_date

COLUMNS = [
    ("rank", "序号"), ("name", "企业名称"), ("credit_code", "统一社会信用代码"),
    ("tier", "梯次"), ("application", "申报类型"), ("certificate_valid_to", "证书有效期至"),
    ("town", "乡镇（街道）"), ("industry", "产业"), ("advisor", "科技指导员"),
    ("outcome", "结论"), ("previous", "上次结论"), ("change", "变化"),
    ("score_min", "得分（低）"), ("score_max", "得分（高）"), ("main_gap", "主要差距"),
    ("shortfalls", "未达标或缺数据的条件"),
]


def _line(n: int, row: CandidateRow, hidden: bool) -> dict[str, Any]:
    change = "新增" if row.is_new else ("退出" if row.is_dropped else "")
    line: dict[str, Any] = {
        "rank": n, "name": row.name, "credit_code": row.credit_code, "town": row.town,
        "industry": row.industry or "", "advisor": row.advisor_name or "未分配",
        "tier": TIER_LABELS.get(row.tier, row.tier),
        "application": APPLICATION_LABELS.get(row.application, row.application),
        "certificate_valid_to": row.certificate_valid_to,
        "outcome": OUTCOME_LABELS.get(row.outcome, row.outcome),
        "previous": OUTCOME_LABELS.get(row.previous_outcome or "", ""), "change": change,
    }
    if not hidden:
        line.update(
            score_min=row.score_min, score_max=row.score_max,
            main_gap=row.main_gap or "各项条件均已达标",
            shortfalls="；".join(f"{c.get('label')}：{c.get('gap') or '未达标'}"
                                for c in row.shortfalls),
        )
    return line


def candidates_xlsx(result: CandidateList, filters: CandidateFilters,
                    restricted: Callable[[CandidateRow], bool]) -> Response:
    """Every row of the list (not one page); details blank where the viewer may not see them."""
    run = result.run
    head = {
        "规则集": RULES_LABELS.get(filters.rules, filters.rules),
        "筛选日期": cn_date(run.as_of) if run else "尚未筛选",
        "结论": OUTCOME_LABELS.get(filters.outcome, ""), "乡镇（街道）": filters.town,
        "产业": filters.industry,
        "指导员": "本人联系企业" if filters.portfolio_of else filters.advisor,
        "变化": CHANGES.get(filters.change, ""),
        "申报类型": APPLICATION_LABELS.get(filters.application, ""),
    }
    rows = [_line(n, row, restricted(row)) for n, row in enumerate(result.rows, start=1)]
    stamp = run.as_of.isoformat() if run else "none"
    return workbook_response(f"培育库（{RULES_LABELS.get(filters.rules, '')}）", head, COLUMNS,
                             rows, f"培育库_{filters.rules}_{stamp}")
