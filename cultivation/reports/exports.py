"""The xlsx layout of each report table (columns, title, filter line)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask import Response

from cultivation.qualifications.tiers import TIER_LABELS
from cultivation.reports.coverage import (
    KINDS,
    CoverageGroup,
    CoverageReport,
    UncoveredFirm,
    coverage_rules,
)
from cultivation.reports.filters import ReportFilters
from cultivation.reports.flows import LADDER, Cohort, TimeInTier, YearFlows
from cultivation.reports.funnel import Funnel
from cultivation.reports.indicators import Indicator, as_of_label
from cultivation.reports.workload import AdvisorLoad, StaleFirm
from cultivation.reports.xlsx import workbook_response
from cultivation.targets.progress import IndicatorProgress, ScopedTarget
from cultivation.web.filters import cn_date

PCT = "0.0%"


def _head(as_of: date, filters: ReportFilters | None = None) -> dict[str, str]:
    head = {"统计日期": cn_date(as_of)}
    if filters is not None:
        head.update(filters.describe())
    return head


def funnel_xlsx(result: Funnel) -> Response:
    prev = cn_date(result.previous.as_of)
    columns = [("label", "梯次"), ("count", "企业数"), ("previous", f"上年同期（{prev}）"),
               ("change", "增减"), ("at_or_above", "本梯次及以上"), ("share", "占比")]
    # top tier first, as on the page
    rows = [*reversed(result.rows), {"label": "合计", "count": result.current.total,
                           "previous": result.previous.total,
                           "change": result.current.total - result.previous.total}]
    return workbook_response("科技企业梯次漏斗", _head(result.current.as_of, result.filters),
                             columns, rows, f"梯次漏斗_{result.current.as_of}",
                             formats={"share": PCT})


def flows_xlsx(flows: list[YearFlows], as_of: date, filters: ReportFilters) -> Response:
    rows = []
    for year in flows:
        for tier in LADDER:
            f = year.tiers[tier]
            rows.append({"year": year.year, "tier": TIER_LABELS[tier], "entered": f.entered,
                         "fell_into": f.fell_into, "left_up": f.left_up,
                         "left_lapsed": f.left_lapsed, "left_revoked": f.left_revoked,
                         "regressions": year.regressions})
    columns = [("year", "年份"), ("tier", "梯次"), ("entered", "新进入"),
               ("fell_into", "由上级回落"), ("left_up", "升级离开"), ("left_lapsed", "到期失效"),
               ("left_revoked", "被撤销"), ("regressions", "当年回落合计")]
    return workbook_response("梯次流转（按年）", _head(as_of, filters), columns, rows,
                             f"梯次流转_{as_of}")


def cohorts_xlsx(items: list[Cohort], as_of: date, filters: ReportFilters) -> Response:
    rows = [{"year": c.year, "size": c.size, "r1": c.share(1), "r2": c.share(2),
             "r3": c.share(3), "ever": c.reached_ever,
             "note": "；".join(f"{n}年内尚未期满" for n in (1, 2, 3) if not c.complete[n - 1])}
            for c in items]
    columns = [("year", "首次进入科技型中小年份"), ("size", "企业数"), ("r1", "1年内升高企"),
               ("r2", "2年内升高企"), ("r3", "3年内升高企"), ("ever", "累计升高企"),
               ("note", "说明")]
    return workbook_response("科小升高企队列转化", _head(as_of, filters), columns, rows,
                             f"队列转化_{as_of}", formats={"r1": PCT, "r2": PCT, "r3": PCT})


def time_xlsx(items: list[TimeInTier], as_of: date, filters: ReportFilters) -> Response:
    rows = [{"tier": t.label, "completed": t.completed,
             "years": None if t.median_years is None else round(t.median_years, 2),
             "ongoing": t.ongoing} for t in items]
    columns = [("tier", "梯次"), ("completed", "已结束的停留次数"),
               ("years", "停留时间中位数（年）"), ("ongoing", "仍在该梯次")]
    return workbook_response("各梯次停留时间", _head(as_of, filters), columns, rows,
                             f"停留时间_{as_of}")


def coverage_summary_xlsx(report: CoverageReport) -> Response:
    rules = coverage_rules()
    rows = [{"label": rules[k].label, "population_label": rules[k].population_label,
             "population": p.population, "covered": p.covered,
             "uncovered": p.population - p.covered, "rate": p.rate}
            for k, p in report.populations.items()]
    columns = [("label", "覆盖要求"), ("population_label", "对象"), ("population", "对象数"),
               ("covered", "已覆盖"), ("uncovered", "未覆盖"), ("rate", "覆盖率")]
    return workbook_response("三覆盖情况汇总", _head(report.as_of), columns, rows,
                             f"三覆盖汇总_{report.as_of}", formats={"rate": PCT})


def uncovered_xlsx(as_of: date, kind: str, firms: Iterable[UncoveredFirm]) -> Response:
    """The whole uncovered list of ``kind`` ("" = all three), written as it streams."""
    rows = ({"credit_code": f.credit_code, "name": f.name, "town": f.town,
             "industry": f.industry, "advisor": f.advisor_name or "未分配",
             "gaps": f.gap_labels} for f in firms)
    columns = [("name", "企业名称"), ("credit_code", "统一社会信用代码"), ("town", "乡镇（街道）"),
               ("industry", "产业"), ("advisor", "科技指导员"), ("gaps", "未覆盖类别")]
    head = _head(as_of)
    head["范围"] = coverage_rules()[kind].population_label if kind else "全部三类"
    return workbook_response("三覆盖未覆盖企业名单", head, columns, rows,
                             f"三覆盖未覆盖名单_{as_of}")


def coverage_groups_xlsx(title: str, key_label: str, groups: list[CoverageGroup],
                         as_of: date) -> Response:
    rules = coverage_rules()
    rows = []
    columns = [("label", key_label)]
    for k in KINDS:
        short = rules[k].population_label
        columns += [(f"{k}_p", f"{short}数"), (f"{k}_c", "已覆盖"), (f"{k}_r", "覆盖率")]
    for g in groups:
        row: dict[str, object] = {"label": g.label}
        for k in KINDS:
            row[f"{k}_p"], row[f"{k}_c"] = g.counts[k]
            row[f"{k}_r"] = g.rate(k)
        rows.append(row)
    return workbook_response(title, _head(as_of), columns, rows, f"{title}_{as_of}",
                             formats={f"{k}_r": PCT for k in KINDS})


def workload_xlsx(loads: list[AdvisorLoad], start: date, end: date, days: int) -> Response:
    columns = [("name", "科技指导员"), ("portfolio", "联系企业数"), ("visits", "期间走访次数"),
               ("stale", f"超过{days}天未走访"), ("candidates", "培育库候选企业"),
               ("overdue", "逾期未跟进")]
    head = {"统计期间": f"{cn_date(start)}至{cn_date(end)}", "未走访天数": str(days)}
    return workbook_response("科技指导员工作量", head, columns, loads, f"指导员工作量_{end}")


def stale_xlsx(firms: list[StaleFirm], end: date, days: int) -> Response:
    columns = [("advisor_name", "科技指导员"), ("name", "企业名称"),
               ("credit_code", "统一社会信用代码"),
               ("town", "乡镇（街道）"), ("last_visit", "最近走访日期")]
    head = {"截止日期": cn_date(end), "未走访天数": f"超过{days}天"}
    return workbook_response("长期未走访企业名单", head, columns, firms, f"未走访企业_{end}")


def as_number(indicator: Indicator, value: float | None) -> int | float | None:
    """A count (家, 个, 件: no decimals) as an integer cell, other values rounded to the
    indicator's digits."""
    if value is None:
        return None
    if indicator.digits == 0:
        return int(round(value))
    return round(float(value), indicator.digits)


def targets_xlsx(plan_name: str, rows: list[IndicatorProgress], today: date) -> Response:
    out = []
    for p in rows:
        latest = p.latest
        out.append({
            "label": p.indicator.label + (f"（{p.closed_note}）" if p.closed_note else ""),
            "unit": p.indicator.unit,
            "baseline": as_number(p.indicator, p.baseline),
            "target": as_number(p.indicator, p.target) if p.target is not None
            else p.target_note,
            "year": p.latest_label or None,
            "actual": as_number(p.indicator, latest[1].value) if latest else None,
            "completion": p.completion,
            "current": as_number(p.indicator, p.current.value) if p.current is not None
            else None,
            "source": (latest[1].entered_by and f"人工填报（{latest[1].entered_by}）")
            if latest and latest[1].source == "manual" else p.indicator.source_label,
        })
    columns = [("label", "指标"), ("unit", "单位"), ("baseline", "基期值"), ("target", "目标值"),
               ("year", "实际值日期"), ("actual", "实际值"), ("completion", "完成率"),
               ("current", as_of_label(today)), ("source", "数据来源")]
    return workbook_response(f"{plan_name}主要指标完成情况", {"统计日期": cn_date(today)},
                             columns, out, f"规划指标_{today}", formats={"completion": PCT})


def scoped_xlsx(plan_name: str, rows: list[ScopedTarget], today: date) -> Response:
    from cultivation.reports.models import SCOPE_KINDS

    out = [{"scope": SCOPE_KINDS[s.target.scope_kind], "value": s.target.scope_value,
            "label": s.indicator.label, "year": s.target.year,
            "target": as_number(s.indicator, s.target.value),
            "actual": as_number(s.indicator, s.actual.value) if s.actual else None,
            "completion": s.completion}
           for s in rows]
    columns = [("scope", "分解口径"), ("value", "对象"), ("label", "指标"), ("year", "年份"),
               ("target", "目标值"), ("actual", "实际值"), ("completion", "完成率")]
    return workbook_response(f"{plan_name}目标分解完成情况", {"统计日期": cn_date(today)},
                             columns, out, f"目标分解_{today}", formats={"completion": PCT})
