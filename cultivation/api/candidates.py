"""/api/v1/candidates: the 培育库 of one programme from the latest finished screening run —
every row, or a page of them (``page`` / ``per_page``, or the ``cursor`` of the previous
page: ``api.paging``)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from cultivation.accounts.access import visible_scope
from cultivation.api import bp
from cultivation.api.auth import api_user, fail, require_roles
from cultivation.api.openapi import document, param, ref, register_schema
from cultivation.api.paging import MAX_PER_PAGE, cursor_arg, int_arg, links, page_params
from cultivation.api.representations import NEXT_LINKS
from cultivation.extensions import db
from cultivation.portfolios.queries import advisor_username
from cultivation.qualifications.tiers import TIERS
from cultivation.screening.listing import KINDS, candidates, order_name
from cultivation.screening.queries import (
    APPLICATION_LABELS,
    CANDIDATE_OUTCOMES,
    CandidateFilters,
    CandidateRow,
    latest_run,
)

PROGRAMMES = ("hnte", "tech-sme", "zj-tech-sme")

register_schema("Candidates", {
    "type": "object", "required": ["as_of", "run", "items"],
    "properties": {
        "as_of": {"type": "string", "format": "date", "nullable": True,
                  "description": "筛选日期（尚未筛选时为 null）"},
        "run": {"type": "object", "nullable": True, "properties": {
            "id": {"type": "integer"},
            "finished_at": {"type": "string", "format": "date-time"}}},
        "items": {"type": "array", "description": "符合、临界的企业，按结论和差距排序", "items": {
            "type": "object",
            "required": ["credit_code", "name", "tier", "outcome", "application",
                         "certificate_valid_to", "gap_total", "advisor"],
            "properties": {
                "credit_code": {"type": "string"},
                "name": {"type": "string"},
                "tier": {"type": "string", "enum": list(TIERS), "description": "筛选日期的梯次"},
                "outcome": {"type": "string", "enum": list(CANDIDATE_OUTCOMES)},
                "application": {"type": "string", "enum": list(APPLICATION_LABELS),
                                "description": "first 首次申报（筛选日无该项目有效证书）；renewal "
                                               "重新认定（证书在续期期限内到期）"},
                "certificate_valid_to": {"type": "string", "format": "date", "nullable": True,
                                         "description": "重新认定时现有证书的最后有效日"},
                "gap_total": {"type": "number", "nullable": True,
                              "description": "排序用差距合计（越小越接近）"},
                "advisor": {"type": "string", "nullable": True,
                            "description": "科技指导员用户名"},
            }}},
        "total": {"type": "integer", "description": "符合、临界的企业数（全部页）"},
        "page": {"type": "integer", "nullable": True, "description": "页码（不分页时为 null）"},
        "per_page": {"type": "integer", "nullable": True},
        **NEXT_LINKS,
    },
})


def _item(row: CandidateRow) -> dict[str, Any]:
    return {
        "credit_code": row.credit_code, "name": row.name, "tier": row.tier,
        "outcome": row.outcome, "application": row.application,
        "certificate_valid_to": (row.certificate_valid_to.isoformat()
                                 if row.certificate_valid_to else None),
        "gap_total": row.total_gap, "advisor": row.advisor_username,
    }


@bp.route("/candidates")
@document("GET", "培育库：某项目的符合、临界企业（首次申报 / 重新认定），取最近一次完成的筛选",
          tag="screening",
          description="科技指导员只能看到本人联系企业；持有该项目证书且到期日晚于续期期限的企业"
                      "不是培育对象，不列出。",
          query=[param("programme", "string", "项目", required=True, enum=PROGRAMMES),
                 param("advisor", "string", "科技指导员用户名或姓名（管理员、领导可用）"),
                 param("application", "string", "申报类型", enum=tuple(APPLICATION_LABELS)),
                 *page_params("；不给 page、per_page、cursor 时返回全部")],
          responses={200: ref("Candidates")}, errors=(400, 403, 422))
@require_roles("admin", "leader", "advisor")
def candidate_list() -> ResponseReturnValue:
    programme = (request.args.get("programme") or "").strip()
    if programme not in PROGRAMMES:
        fail(422, "请指定项目 programme", {"programme": [
            f"应为 {'、'.join(PROGRAMMES)} 之一"]})
    application = (request.args.get("application") or "").strip()
    if application and application not in APPLICATION_LABELS:
        fail(422, "申报类型不正确", {"application": ["应为 first 或 renewal"]})
    advisor = (request.args.get("advisor") or "").strip()[:50]
    user = api_user()
    portfolio_of = None
    if user.role == "advisor":
        if advisor and advisor not in (user.username, user.display_name):
            fail(403, "科技指导员只能查看本人联系企业")
        advisor, portfolio_of = "", user.id
    elif advisor:
        named = advisor_username(db.session, advisor)
        if named is None:
            fail(422, f"未知的科技指导员“{advisor}”", {"advisor": ["应为科技指导员的用户名或姓名"]})
        advisor = str(named)
    errors: dict[str, list[str]] = {}
    paged = any(request.args.get(k) for k in ("page", "per_page", "cursor"))
    page = int_arg("page", 1, 1, 1_000_000, errors)
    per_page = int_arg("per_page", 50, 1, MAX_PER_PAGE, errors)
    if errors:
        fail(422, "查询参数有误", errors)
    filters = CandidateFilters(rules=programme, advisor=advisor, application=application,
                               portfolio_of=portfolio_of, candidates_only=True)
    cursor = cursor_arg(order_name(filters), KINDS)
    paging = {"page": page if paged else None, "per_page": per_page if paged else None}
    run = latest_run(db.session, finished=True)
    if run is None:
        return jsonify({"as_of": None, "run": None, "items": [], "total": 0, **paging,
                        **links(None, per_page)})
    result = candidates(db.session, filters, scope=visible_scope(user), run=run,
                        page=page if paged else None, per_page=per_page if paged else None,
                        cursor=cursor)
    if paged:
        paging["page"] = result.page
    return jsonify({
        "as_of": run.as_of.isoformat(),
        "run": {"id": run.id, "finished_at": run.finished_at.isoformat()
                if run.finished_at else None},
        "items": [_item(row) for row in result.rows],
        "total": result.total, **paging,
        **links(result.next_cursor if paged else None, per_page),
    })
