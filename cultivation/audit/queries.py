"""The audit log as people read it: Chinese labels, field-by-field changes, a filtered page.

Read side only (never writes). Used by the admin log viewer and the firm page's timeline
(``enterprises.activity``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select

from cultivation.accounts.models import ROLES, User
from cultivation.audit.models import AuditLog
from cultivation.database import DbSession
from cultivation.enterprises import schemas
from cultivation.enterprises.credit_code import normalize
from cultivation.enterprises.models import FIGURE_SOURCES, Enterprise
from cultivation.inputs import spellings
from cultivation.qualifications.models import (
    INSTITUTION_KINDS,
    INSTITUTION_LEVELS,
    QUALIFICATION_KINDS,
    QUALIFICATION_STATUSES,
)

ACTIONS = {
    "create": "新增", "update": "修改", "delete": "删除", "restore": "恢复", "assign": "分配",
    "login": "登录", "issue": "签发", "revoke": "撤销", "import": "导入", "revert": "回退",
    "plan": "计划",
}
ENTITIES = {
    "enterprise": "企业信息", "figures": "年度数据", "qualification": "资质",
    "institution": "研发机构", "visit": "走访", "portfolio": "联系指导员", "user": "用户",
    "api_token": "API 令牌", "policy_parameter": "政策参数", "application_window": "申报窗口",
    "import_batch": "导入批次", "outbox_message": "邮件", "plan": "规划", "target": "规划目标",
    "manual_actual": "指标实绩", "demo": "演示数据", "job": "定时任务",
    "saved_filter": "保存的筛选",
}
_SPECS = {
    "enterprise": schemas.ENTERPRISE, "figures": schemas.FIGURES,
    "qualification": schemas.QUALIFICATION, "institution": schemas.INSTITUTION,
    "visit": schemas.VISIT,
}
_EXTRA_LABELS = {
    "year": "年度", "advisor_id": "科技指导员", "username": "用户名", "role": "角色",
    "email": "电子邮箱", "display_name": "姓名", "is_active": "启用",
    "digest_opt_out": "不接收摘要", "planned": "计划走访", "page": "页面", "name": "名称",
    "query": "筛选条件",
}
_CHOICES: dict[tuple[str, str], dict[str, str]] = {
    ("qualification", "kind"): QUALIFICATION_KINDS,
    ("institution", "kind"): INSTITUTION_KINDS,
    ("qualification", "status"): QUALIFICATION_STATUSES,
    ("institution", "level"): INSTITUTION_LEVELS,
    ("figures", "source"): FIGURE_SOURCES,
    ("user", "role"): ROLES,
}


@dataclass(frozen=True)
class Change:
    """One field's change, already formatted for display."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Entry:
    """One audit entry for display."""

    at: datetime
    actor: str
    action: str
    entity: str
    enterprise_name: str | None
    enterprise_code: str | None
    changes: list[Change]
    ip: str | None


def field_label(entity_type: str, key: str) -> str:
    spec = _SPECS.get(entity_type, {})
    if key in spec:
        return spec[key].label
    return _EXTRA_LABELS.get(key, key)


def _show(entity_type: str, key: str, value: Any, users: dict[int, str]) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "advisor_id" and isinstance(value, int):
        return users.get(value, f"#{value}")
    choices = _CHOICES.get((entity_type, key))
    if choices and isinstance(value, str):
        return choices.get(value, value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value
        return f"{day.year}年{day.month}月{day.day}日"
    if isinstance(value, float):
        return f"{value:,.2f}"
    text = str(value)
    return text if len(text) <= 80 else text[:80] + "…"


def changes_of(log: AuditLog, users: dict[int, str]) -> list[Change]:
    before = log.before or {}
    after = log.after or {}
    keys = [k for k in after if not (k == "year" and log.entity_type == "figures")]
    if log.action == "create":
        keys = [k for k in keys if after.get(k) not in (None, "")]
    keys = keys or list(before)
    return [
        Change(field_label(log.entity_type, k), _show(log.entity_type, k, before.get(k), users),
               _show(log.entity_type, k, after.get(k), users))
        for k in keys
    ]


def _entity(log: AuditLog) -> str:
    label = ENTITIES.get(log.entity_type, log.entity_type)
    if log.entity_type == "figures" and log.after and "year" in log.after:
        return f"{log.after['year']}年度数据"
    return label


def present(session: DbSession, rows: list[tuple[AuditLog, str | None, str | None]]) -> list[Entry]:
    """Format (log, firm name, firm code) rows; advisor ids resolve in one query."""
    ids = {
        v for log, _, _ in rows for part in (log.before or {}, log.after or {})
        for k, v in part.items() if k == "advisor_id" and isinstance(v, int)
    }
    users: dict[int, str] = {}
    if ids:
        rows_ = session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
        users = {user_id: name for user_id, name in rows_}
    return [
        Entry(at=log.at, actor=log.actor_name, action=ACTIONS.get(log.action, log.action),
              entity=_entity(log), enterprise_name=name, enterprise_code=code,
              changes=changes_of(log, users), ip=log.ip)
        for log, name, code in rows
    ]


def _with_firm() -> Select[AuditLog, str, str]:
    return select(AuditLog, Enterprise.name, Enterprise.credit_code).outerjoin(
        Enterprise, Enterprise.id == AuditLog.enterprise_id
    )


@dataclass(frozen=True)
class AuditFilters:
    """Filters of the log viewer (empty = any)."""

    actor: str = ""
    entity_type: str = ""
    action: str = ""
    enterprise: str = ""  # name fragment or credit code
    start: date | None = None
    end: date | None = None


def log_page(
    session: DbSession, filters: AuditFilters, tz: Any, *, page: int, per_page: int
) -> tuple[list[Entry], int]:
    """One page of the audit log, newest first, and the total: two queries."""
    stmt = _with_firm()
    if filters.actor:
        stmt = stmt.where(AuditLog.actor_name == filters.actor)
    if filters.entity_type:
        stmt = stmt.where(AuditLog.entity_type == filters.entity_type)
    if filters.action:
        stmt = stmt.where(AuditLog.action == filters.action)
    if filters.enterprise:
        q = filters.enterprise.strip()
        stmt = stmt.where(or_(*(Enterprise.name.contains(t) for t in spellings(q)),
                              Enterprise.credit_code == normalize(q)))
    if filters.start:
        stmt = stmt.where(AuditLog.at >= datetime.combine(filters.start, time(), tz))
    if filters.end:
        end = datetime.combine(filters.end + timedelta(days=1), time(), tz)
        stmt = stmt.where(AuditLog.at < end)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).all()
    return present(session, [(r[0], r[1], r[2]) for r in rows]), total


def actor_names(session: DbSession) -> list[str]:
    """Every user name, for the actor filter."""
    return list(session.scalars(select(User.username).order_by(User.username)))
