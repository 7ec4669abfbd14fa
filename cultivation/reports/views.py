"""Report pages (统计报表): funnel, flows and cohorts, 三覆盖, workload; every table exports
to xlsx with ``?format=xlsx`` (``&table=`` picks the table on pages with several).

The plan-targets pages are ``targets.views`` (blueprint ``targets``, same ``/reports`` prefix).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from cultivation.accounts.access import VisibleScope, login_required, visible_scope
from cultivation.dashboard.figures import read_figures
from cultivation.extensions import db
from cultivation.portfolios.queries import advisor_names
from cultivation.qualifications.models import INSTITUTION_KINDS
from cultivation.reports import exports
from cultivation.reports.coverage import (
    KINDS,
    CoverageReport,
    coverage_by_advisor,
    coverage_by_town,
    coverage_rules,
    coverage_totals,
    coverage_with_groups,
    uncovered_list,
)
from cultivation.reports.coverage_trend import coverage_trend, trend_chart
from cultivation.reports.filters import (
    FilterError,
    ReportFilters,
    parse_day,
    parse_report_args,
)
from cultivation.reports.flows import (
    LADDER,
    cohorts,
    flow_chart,
    flows_by_year,
    flows_from_rows,
    flows_report,
    time_in_tier,
)
from cultivation.reports.funnel import funnel
from cultivation.reports.workload import stale_firms, workload
from cultivation.web.clock import today
from cultivation.web.filters import cn_date
from cultivation.web.request import dbs, wants_xlsx
from cultivation.web.settings import current_region

UNCOVERED_SHOWN = 500  # rows of the uncovered list per page (?upage=); the xlsx has them all

bp = Blueprint("reports", __name__, url_prefix="/reports")



def report_args() -> tuple[date, ReportFilters]:
    """``as_of`` and filters from the query string; a bad value is a Chinese 422 page."""
    try:
        return parse_report_args(dbs(), request.args, current_region(), today())
    except FilterError as exc:
        abort(422, description=exc.message)


def viewer_scope() -> VisibleScope:
    """Whose firm-level details the viewer may see (aggregates are county statistics)."""
    return visible_scope(current_user)


def filter_options() -> dict[str, Any]:
    """Towns, industries and advisors for the filter form (one query)."""
    region = current_region()
    advisors = advisor_names(db.session)
    return {"towns": region.towns, "industries": region.industries, "advisors": advisors}


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    return render_template("reports/index.html")


@bp.route("/funnel")
@login_required
def funnel_page() -> ResponseReturnValue:
    as_of, filters = report_args()
    result = funnel(dbs(), as_of, filters)
    if wants_xlsx():
        return exports.funnel_xlsx(result)
    return render_template("reports/funnel.html", result=result, as_of=as_of, filters=filters,
                           options=filter_options(), ladder=LADDER)


@bp.route("/flows")
@login_required
def flows_page() -> ResponseReturnValue:
    as_of, filters = report_args()
    table = request.args.get("table", "flows")
    if wants_xlsx():
        if table == "cohorts":
            return exports.cohorts_xlsx(cohorts(dbs(), as_of, filters), as_of, filters)
        if table == "time":
            return exports.time_xlsx(time_in_tier(dbs(), as_of, filters), as_of, filters)
        return exports.flows_xlsx(flows_by_year(dbs(), as_of, filters), as_of, filters)
    cached = read_figures(dbs(), as_of) if filters == ReportFilters() else None
    report = (flows_from_rows(cached.flow_rows, as_of) if cached is not None
              else flows_report(dbs(), as_of, filters))  # county today: the cached figures
    return render_template(
        "reports/flows.html", as_of=as_of, filters=filters, options=filter_options(),
        flows=report.flows, flow_chart=flow_chart(report.flows), cohorts=report.cohorts,
        times=report.times, ladder=LADDER,
    )


@bp.route("/coverage")
@login_required
def coverage_page() -> ResponseReturnValue:
    as_of, _ = report_args()
    kind = request.args.get("kind", "")
    if kind and kind not in KINDS:
        abort(422, description="未知的覆盖类别")
    table = request.args.get("table", "uncovered")
    if wants_xlsx() and table == "towns":
        return exports.coverage_groups_xlsx("三覆盖分乡镇统计", "乡镇（街道）",
                                            coverage_by_town(dbs(), as_of), as_of)
    if wants_xlsx() and table == "advisors":
        return exports.coverage_groups_xlsx("三覆盖分指导员统计", "科技指导员",
                                            coverage_by_advisor(dbs(), as_of), as_of)
    if wants_xlsx():
        if table == "summary":
            return exports.coverage_summary_xlsx(CoverageReport(as_of,
                                                                coverage_totals(dbs(), as_of)))
        return exports.uncovered_xlsx(as_of, kind, uncovered_list(dbs(), as_of, kind=kind,
                                                                  scope=viewer_scope()))
    try:
        number = int(request.args.get("upage") or 1)
    except ValueError:
        abort(422, description="页码应为正整数")
    if number < 1:
        abort(422, description="页码应为正整数")
    page = coverage_with_groups(dbs(), as_of, scope=viewer_scope(), kind=kind,
                                limit=UNCOVERED_SHOWN, offset=(number - 1) * UNCOVERED_SHOWN)
    return render_template(
        "reports/coverage.html", report=page.report, as_of=as_of, kind=kind,
        uncovered=page.uncovered, uncovered_total=page.uncovered_total, upage=number,
        first=(number - 1) * UNCOVERED_SHOWN, rules=coverage_rules(),
        institution_labels=INSTITUTION_KINDS, towns=page.towns, advisors=page.advisors,
        shown=UNCOVERED_SHOWN,
        trend=trend_chart(coverage_trend(dbs(), as_of - timedelta(days=366), as_of)),
    )


@bp.route("/workload")
@login_required
def workload_page() -> ResponseReturnValue:
    now = today()
    try:
        end = parse_day(request.args.get("to"), field="to", default=now, label="截止日期")
        start = parse_day(request.args.get("from"), field="from", default=end - timedelta(days=89),
                          label="开始日期")
        days = int(request.args.get("days") or 90)
    except FilterError as exc:
        abort(422, description=exc.message)
    except ValueError:
        abort(422, description="未走访天数应为整数")
    if start > end:
        abort(422, description="开始日期不能晚于截止日期")
    if not 1 <= days <= 3650:
        abort(422, description="未走访天数应在1—3650之间")
    if wants_xlsx() and request.args.get("table") == "stale":
        return exports.stale_xlsx(stale_firms(dbs(), end, days, scope=viewer_scope()), end, days)
    loads = workload(dbs(), start, end, days)
    if wants_xlsx():
        return exports.workload_xlsx(loads, start, end, days)
    chart = {"names": [w.name for w in loads], "portfolio": [w.portfolio for w in loads],
             "visits": [w.visits for w in loads], "stale": [w.stale for w in loads],
             "overdue": [w.overdue for w in loads]}
    return render_template("reports/workload.html", loads=loads, start=start, end=end, days=days,
                           period=f"{cn_date(start)}至{cn_date(end)}", chart=chart)
