"""Reverting a committed import batch: restore every field it changed, remove what it created.

Refused as a whole (nothing changed) when something the batch wrote was changed since — a later
batch or a user edit — so a revert never overwrites newer work silently.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from cultivation.accounts.models import User
from cultivation.audit import services as audit
from cultivation.database import DbSession
from cultivation.enterprises import schemas
from cultivation.enterprises import services as registry
from cultivation.enterprises.models import Enterprise, FiscalYearFigures
from cultivation.imports.models import PREVIEW, ImportBatch, ImportChange
from cultivation.portfolios import services as portfolios
from cultivation.portfolios.queries import portfolio_ids
from cultivation.qualifications import services as qualifications
from cultivation.qualifications.models import Qualification, RDInstitution
from cultivation.visits.models import Visit

MODELS: dict[str, Any] = {"enterprise": Enterprise, "figures": FiscalYearFigures,
                          "qualification": Qualification}
SPECS = {"enterprise": schemas.ENTERPRISE, "figures": schemas.FIGURES,
         "qualification": schemas.QUALIFICATION}
LABELS = {"enterprise": "企业", "figures": "年度数据", "qualification": "资质",
          "portfolio": "指导员分配"}


class RevertRefused(Exception):
    """The batch cannot be reverted; ``reasons`` say why in Chinese."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("；".join(reasons[:5]))
        self.reasons = reasons


def _typed(entity: str, values: dict[str, Any]) -> dict[str, Any]:
    """JSON snapshot values back to Python (ISO dates to dates)."""
    spec = SPECS.get(entity, {})
    result = {}
    for key, value in values.items():
        fld = spec.get(key)
        if fld is not None and fld.json_kind == "date" and isinstance(value, str):
            value = date.fromisoformat(value)
        result[key] = value
    return result


def _load(session: DbSession, changes: list[ImportChange]) -> dict[tuple[str, int], Any]:
    loaded: dict[tuple[str, int], Any] = {}
    for entity, model in MODELS.items():
        ids = [c.entity_id for c in changes if c.entity_type == entity]
        for start in range(0, len(ids), 500):
            for obj in session.scalars(select(model).where(model.id.in_(ids[start:start + 500]))):
                loaded[(entity, obj.id)] = obj
    return loaded


def _firm_ids(changes: list[ImportChange], loaded: dict[tuple[str, int], Any]) -> set[int]:
    """The firms a batch touched (created firms included; objects deleted since are skipped)."""
    ids = set()
    for change in changes:
        if change.entity_type in ("enterprise", "portfolio"):
            ids.add(change.entity_id)
        else:
            obj = loaded.get((change.entity_type, change.entity_id))
            if obj is not None:
                ids.add(obj.enterprise_id)
    return ids


def _outside_portfolio(session: DbSession, actor: User | str, firms: set[int]) -> list[str]:
    """The same portfolio check as a direct edit: an advisor reverts only batches whose firms
    are all still theirs. Checked before anything is compared, so a refusal tells nothing
    about other portfolios' data."""
    if not isinstance(actor, User) or actor.is_admin or not firms:
        return []
    outside = firms - set(session.scalars(portfolio_ids(actor.id)))
    if not outside:
        return []
    return [f"本批次涉及的 {len(outside)} 家企业已不在您的联系企业范围内，不能撤销"
            "（请联系管理员）"]


def _conflicts(session: DbSession, batch: ImportBatch, changes: list[ImportChange],
               loaded: dict[tuple[str, int], Any]) -> list[str]:
    reasons = []
    for change in changes:
        if change.entity_type == "portfolio":
            continue
        obj = loaded.get((change.entity_type, change.entity_id))
        label = LABELS[change.entity_type]
        if obj is None:
            if change.action == "update" or change.entity_type != "enterprise":
                reasons.append(f"{label}#{change.entity_id} 已被删除")
            continue
        after = change.after or {}
        now_values = audit.snapshot(obj, tuple(after))
        if now_values != after:
            spec = SPECS[change.entity_type]
            keys = [spec[k].label if k in spec else k
                    for k in after if now_values.get(k) != after.get(k)]
            reasons.append(f"{label}“{getattr(obj, 'name', None) or change.entity_id}”的"
                           f"{'、'.join(keys)}在导入后又被修改")
    created = [c.entity_id for c in changes
               if c.entity_type == "enterprise" and c.action == "create"]
    for model, label in ((Visit, "走访记录"), (FiscalYearFigures, "年度数据"),
                         (Qualification, "资质"), (RDInstitution, "研发机构")):
        for start in range(0, len(created), 500):
            stmt = select(func.count()).select_from(model).where(
                model.enterprise_id.in_(created[start:start + 500]))
            if model is not Visit:
                stmt = stmt.where((model.import_batch_id != batch.id)
                                  | model.import_batch_id.is_(None))
            if session.scalar(stmt):
                reasons.append(f"本批次新建的企业已有其他{label}，不能撤销")
                break
    return reasons


def revert_batch(
    session: DbSession, batch: ImportBatch, *, actor: User | str, now: datetime, today: date
) -> int:
    """Undo a committed batch; returns the number of changes undone. Never commits."""
    if batch.status != "committed":
        raise RevertRefused([f"该批次状态为“{batch.status}”，只能撤销已导入的批次"])
    changes = list(session.scalars(select(ImportChange).where(
        ImportChange.batch_id == batch.id, ImportChange.entity_type != PREVIEW)
        .order_by(ImportChange.id.desc())))
    loaded = _load(session, changes)
    reasons = (_outside_portfolio(session, actor, _firm_ids(changes, loaded))
               or _conflicts(session, batch, changes, loaded))
    if reasons:
        raise RevertRefused(reasons)
    for change in changes:
        obj = loaded.get((change.entity_type, change.entity_id))
        if change.entity_type == "portfolio":
            firm = session.get(Enterprise, change.entity_id)
            old = (change.before or {}).get("advisor_id")
            if firm is not None:
                portfolios.assign(session, firm, session.get(User, old) if old else None,
                                  on=today, actor=actor)
        elif change.action == "create":
            if obj is not None:
                _delete_created(session, change, obj, actor, now)
        else:
            _restore(session, change, obj, actor, now, today)
    batch.status = "reverted"
    batch.reverted_at = now
    session.flush()
    audit.record(session, actor=actor, entity_type="import_batch", entity_id=batch.id,
                 action="revert", after={"file": batch.filename, "changes": len(changes)}, at=now)
    return len(changes)


def _delete_created(session: DbSession, change: ImportChange, obj: Any, actor: Any,
                    now: datetime) -> None:
    fields = tuple(SPECS[change.entity_type])
    enterprise_id = None if change.entity_type == "enterprise" else obj.enterprise_id
    before = audit.snapshot(obj, fields)
    session.delete(obj)
    session.flush()
    audit.record(session, actor=actor, entity_type=change.entity_type, entity_id=change.entity_id,
                 enterprise_id=enterprise_id, action="delete", before=before,
                 after={"reason": "撤销导入批次"}, at=now)


def _restore(session: DbSession, change: ImportChange, obj: Any, actor: Any, now: datetime,
             today: date) -> None:
    values = _typed(change.entity_type, change.before or {})
    if change.entity_type == "enterprise":
        registry.update_enterprise(session, obj, values, actor=actor, now=now, today=today)
    elif change.entity_type == "figures":
        registry.record_figures(session, obj.enterprise, obj.year, values, actor=actor, now=now)
    else:
        qualifications.update_qualification(session, obj, values, actor=actor, now=now)
