"""Write side of plan targets: plan periods, targets, hand-entered actuals, the built-in plans.

Services flush and never commit; the view or job that calls them commits once.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select

from cultivation.audit import services as audit
from cultivation.database import DbSession
from cultivation.reports.indicators import INDICATORS
from cultivation.reports.models import (
    SCOPE_KINDS,
    ManualActual,
    PlanPeriod,
    Target,
)

log = logging.getLogger(__name__)
PLANS_DIR = Path(__file__).with_name("plans")


class TargetError(ValueError):
    """A plan, target or actual that cannot be saved; the message is Chinese."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field



def seed_plans(session: DbSession) -> int:
    """Insert the built-in plans (``plans/*.yaml``) that are not there yet; returns how many."""
    have = set(session.scalars(select(PlanPeriod.code)))
    added = 0
    for file in sorted(PLANS_DIR.glob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        if data["code"] in have:
            continue
        plan = PlanPeriod(code=data["code"], name=data["name"], start_year=data["start_year"],
                          end_year=data["end_year"], baseline_year=data["baseline_year"],
                          source=data.get("source"))
        session.add(plan)
        session.flush()
        for item in data["indicators"]:
            for year, value in (item.get("values") or {}).items():
                session.add(Target(plan_id=plan.id, indicator=item["indicator"],
                                   scope_kind="county", scope_value="", year=int(year),
                                   value=None if value is None else float(value),
                                   note=(item.get("notes") or {}).get(year)))
        added += 1
    session.flush()
    return added


def ensure_plans(session: DbSession) -> bool:
    """Seed the built-in plans when no plan exists at all; True when it wrote something."""
    if session.scalar(select(func.count(PlanPeriod.id))):
        return False
    return seed_plans(session) > 0


def add_plan(session: DbSession, data: dict[str, Any], *, actor: Any) -> PlanPeriod:
    """Add a plan period (e.g. the 15th, 2026–2030)."""
    code = str(data["code"]).strip()
    if session.scalar(select(PlanPeriod.id).where(PlanPeriod.code == code)):
        raise TargetError(f"规划代码“{code}”已存在", "code")
    start, end, base = int(data["start_year"]), int(data["end_year"]), int(data["baseline_year"])
    if end < start:
        raise TargetError("结束年份不能早于开始年份", "end_year")
    if base >= start:
        raise TargetError("基期年份应早于规划开始年份", "baseline_year")
    plan = PlanPeriod(code=code, name=str(data["name"]).strip(), start_year=start, end_year=end,
                      baseline_year=base, source=(data.get("source") or None),
                      created_by_id=getattr(actor, "id", None))
    session.add(plan)
    session.flush()
    audit.record(session, actor=actor, entity_type="plan", entity_id=plan.id, action="create",
                 after={"code": code, "name": plan.name, "years": [start, end], "baseline": base})
    return plan


def set_target(session: DbSession, plan: PlanPeriod, data: dict[str, Any], *, actor: Any,
               scope_values: dict[str, set[str]]) -> Target:
    """Add or change one target (plan, indicator, scope, year); ``scope_values`` lists the
    towns, industries and advisor usernames that exist."""
    indicator = str(data["indicator"])
    if indicator not in INDICATORS:
        raise TargetError("未知的指标", "indicator")
    scope_kind = str(data.get("scope_kind") or "county")
    if scope_kind not in SCOPE_KINDS:
        raise TargetError("未知的分解口径", "scope_kind")
    scope_value = "" if scope_kind == "county" else str(data.get("scope_value") or "").strip()
    if scope_kind != "county":
        if not scope_value:
            raise TargetError(f"请填写{SCOPE_KINDS[scope_kind]}", "scope_value")
        if scope_value not in scope_values.get(scope_kind, set()):
            raise TargetError(f"未知的{SCOPE_KINDS[scope_kind]}：{scope_value}", "scope_value")
        if not INDICATORS[indicator].scopable:
            raise TargetError(f"“{INDICATORS[indicator].label}”只能按全县设定目标", "scope_kind")
    year = int(data["year"])
    if not (plan.baseline_year <= year <= plan.end_year):
        raise TargetError(
            f"年份应在{plan.baseline_year}—{plan.end_year}年之间（基期或规划期内）", "year")
    target = session.scalar(select(Target).where(
        Target.plan_id == plan.id, Target.indicator == indicator,
        Target.scope_kind == scope_kind, Target.scope_value == scope_value, Target.year == year))
    before = {"value": target.value} if target else None
    if target is None:
        target = Target(plan_id=plan.id, indicator=indicator, scope_kind=scope_kind,
                        scope_value=scope_value, year=year,
                        created_by_id=getattr(actor, "id", None))
        session.add(target)
    target.value = None if data.get("value") is None else float(data["value"])
    target.note = (data.get("note") or None)
    session.flush()
    audit.record(session, actor=actor, entity_type="target", entity_id=target.id,
                 action="update" if before else "create", before=before,
                 after={"plan": plan.code, "indicator": indicator,
                        "scope": [scope_kind, scope_value],
                        "year": year, "value": target.value})
    return target


def enter_manual_actual(session: DbSession, data: dict[str, Any], *, actor: Any,
                        now: datetime) -> ManualActual:
    """Record (or correct) a county actual the data cannot give, with who entered it."""
    indicator = str(data["indicator"])
    spec = INDICATORS.get(indicator)
    if spec is None:
        raise TargetError("未知的指标", "indicator")
    if spec.computed:
        raise TargetError(f"“{spec.label}”由系统根据企业数据计算，无需手工填报", "indicator")
    year = int(data["year"])
    row = session.scalar(select(ManualActual).where(ManualActual.indicator == indicator,
                                                    ManualActual.year == year))
    before = {"value": row.value, "note": row.note} if row else None
    if row is None:
        row = ManualActual(indicator=indicator, year=year)
        session.add(row)
    row.value = float(data["value"])
    row.note = data.get("note") or None
    row.entered_by_id = getattr(actor, "id", None)
    row.entered_at = now
    session.flush()
    audit.record(session, actor=actor, entity_type="manual_actual", entity_id=row.id,
                 action="update" if before else "create", before=before,
                 after={"indicator": indicator, "year": year, "value": row.value, "note": row.note})
    return row
