"""Writing a planned chunk in bulk: one flush per chunk instead of one per row.

The rows were fully checked by ``planning`` (duplicates, existence, cross-field rules), so this
only builds the objects, flushes once, then writes the same audit entries as the registry
services (create/update with before/after) and the ImportChange rows a revert needs.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from cultivation.audit import services as audit
from cultivation.audit.models import AuditLog
from cultivation.database import DbSession
from cultivation.enterprises.flags import record_flag_changes
from cultivation.enterprises.models import Enterprise, FiscalYearFigures
from cultivation.enterprises.services import ENTERPRISE_FIELDS, FIGURE_FIELDS
from cultivation.imports.models import ImportBatch, ImportChange
from cultivation.imports.planning import Importer, Step
from cultivation.portfolios import services as portfolios
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.qualifications.models import Qualification
from cultivation.qualifications.services import QUALIFICATION_FIELDS

log = logging.getLogger(__name__)
ENTITY = {"firms": "enterprise", "figures": "figures", "qualifications": "qualification"}
FIELDS = {"firms": ENTERPRISE_FIELDS, "figures": FIGURE_FIELDS,
          "qualifications": QUALIFICATION_FIELDS}


def _new_object(kind: str, step: Step, batch: ImportBatch, now: datetime,
                actor_id: int | None) -> Any:
    values = step.candidate.values
    if kind == "firms":
        return Enterprise(**{k: v for k, v in values.items() if k in ENTERPRISE_FIELDS},
                          credit_code=step.candidate.code, created_at=now, updated_at=now,
                          import_batch_id=batch.id)
    assert step.firm is not None
    if kind == "figures":
        return FiscalYearFigures(enterprise_id=step.firm.id, year=step.candidate.year,
                                 **{**values, "source": values.get("source") or "self"},
                                 updated_by_id=actor_id, updated_at=now, import_batch_id=batch.id)
    return Qualification(enterprise_id=step.firm.id, import_batch_id=batch.id,
                         **{**values, "status": values.get("status") or "valid"})


def _audit(session: DbSession, actor: Any, *, entity_type: str, entity_id: int,
           enterprise_id: int, action: str, after: dict[str, Any] | None, at: datetime,
           before: dict[str, Any] | None = None) -> None:
    # audit.record's entry without its per-row log line: one summary line per chunk instead.
    session.add(AuditLog(actor_id=getattr(actor, "id", None),
                         actor_name=getattr(actor, "username", None) or str(actor),
                         entity_type=entity_type, entity_id=entity_id,
                         enterprise_id=enterprise_id, action=action, before=before, after=after,
                         at=at))


def apply_steps(session: DbSession, kind: str, steps: list[Step], importer: Importer,
                batch: ImportBatch, now: datetime, *, today: date) -> tuple[int, int]:
    """Create and update the rows of one planned chunk; returns (created, updated)."""
    actor = importer.actor
    actor_id = getattr(importer.user, "id", None)
    entity, fields = ENTITY[kind], FIELDS[kind]
    created = [(s, _new_object(kind, s, batch, now, actor_id)) for s in steps
               if s.action == "create"]
    updated: list[tuple[Step, Any, dict[str, Any]]] = []
    for step in steps:
        if step.action != "update" or not step.changes:
            continue
        target: Any = step.firm if kind == "firms" else step.existing
        before = audit.snapshot(target, tuple(step.changes))
        for key, value in step.changes.items():
            setattr(target, key, value)
        target.import_batch_id = batch.id
        if kind == "firms":
            target.updated_at = now
        elif kind == "figures":
            target.updated_by_id, target.updated_at = actor_id, now
        updated.append((step, target, before))
    session.add_all([obj for _, obj in created])
    session.flush()
    for step, obj in created:
        after = audit.snapshot(obj, fields)
        firm_id = obj.id if kind == "firms" else obj.enterprise_id
        _audit(session, actor, entity_type=entity, entity_id=obj.id,
                     enterprise_id=firm_id, action="create",
                     after={"year": obj.year, **after} if kind == "figures" else after, at=now)
        session.add(ImportChange(batch_id=batch.id, entity_type=entity, entity_id=obj.id,
                                 action="create", before=None, after=after))
        if kind == "firms" and step.advisor is not None:
            session.add(PortfolioAssignment(enterprise_id=obj.id, advisor_id=step.advisor.id,
                                            started_on=today))
            _audit(session, actor, entity_type="portfolio", entity_id=obj.id,
                         enterprise_id=obj.id, action="assign", before={"advisor_id": None},
                         after={"advisor_id": step.advisor.id}, at=now)
    if kind == "firms":
        record_flag_changes(session, [(obj, before) for _, obj, before in updated],
                            today)
    for step, obj, before in updated:
        old, new = audit.diff(before, audit.snapshot(obj, tuple(step.changes)))
        firm_id = obj.id if kind == "firms" else obj.enterprise_id
        _audit(session, actor, entity_type=entity, entity_id=obj.id,
                     enterprise_id=firm_id, action="update", before=old,
                     after={"year": obj.year, **new} if kind == "figures" else new, at=now)
        session.add(ImportChange(batch_id=batch.id, entity_type=entity, entity_id=obj.id,
                                 action="update", before=old, after=new))
    for step in steps:
        if kind == "firms" and step.action == "update" and step.advisor_changed:
            assert step.firm is not None
            old_advisor = portfolios.current_advisor(session, step.firm.id)
            portfolios.assign(session, step.firm, step.advisor, on=today, actor=actor)
            session.add(ImportChange(
                batch_id=batch.id, entity_type="portfolio", entity_id=step.firm.id,
                action="update", before={"advisor_id": old_advisor.id if old_advisor else None},
                after={"advisor_id": step.advisor.id if step.advisor else None}))
    session.flush()
    log.info("import batch %s by %s: %s %s created, %s updated", batch.id,
             getattr(actor, "username", actor), len(created), entity, len(updated))
    return len(created), len(updated) + sum(
        1 for s in steps if s.action == "update" and not s.changes and s.advisor_changed)

