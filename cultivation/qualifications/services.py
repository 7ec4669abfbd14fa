"""Use cases of a firm's qualifications (certificates, list entries) and R&D institutions.
Each takes already-cleaned values (see ``enterprises.schemas.clean``), an ``actor`` and ``now``;
flushes and audits; never commits.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from cultivation.audit import services as audit
from cultivation.database import DbSession
from cultivation.enterprises import schemas
from cultivation.enterprises.models import Enterprise
from cultivation.qualifications.models import Qualification, RDInstitution
from cultivation.qualifications.validity import default_valid_to

QUALIFICATION_FIELDS = tuple(schemas.QUALIFICATION)
INSTITUTION_FIELDS = tuple(schemas.INSTITUTION)


def _check_qualification(values: dict[str, Any]) -> None:
    errors = schemas.check_dates(values, "valid_from", "valid_to", "有效期至不能早于生效日期")
    if values.get("status") == "revoked" and not values.get("revoked_on"):
        errors.setdefault("revoked_on", []).append("状态为已撤销时请填写撤销日期")
    if values.get("leading_kind") and values.get("kind") != "leading":
        errors.setdefault("leading_kind", []).append("只有“创新型领军企业”类资质可选领军类型")
    if errors:
        raise schemas.ValidationError(errors)


def _create_record(
    session: DbSession,
    model: type[Qualification] | type[RDInstitution],
    entity_type: str,
    fields: tuple[str, ...],
    firm: Enterprise,
    values: dict[str, Any],
    *,
    actor: Any,
    now: datetime,
    import_batch_id: int | None,
) -> Any:
    """Add a firm's child record (certificate, institution) and audit it."""
    record = model(
        enterprise_id=firm.id,
        import_batch_id=import_batch_id,
        **{k: v for k, v in values.items() if k in fields},
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor=actor,
        entity_type=entity_type,
        entity_id=record.id,
        enterprise_id=firm.id,
        action="create",
        after=audit.snapshot(record, fields),
        at=now,
    )
    return record


def _update_record(
    session: DbSession,
    record: Qualification | RDInstitution,
    entity_type: str,
    fields: tuple[str, ...],
    values: dict[str, Any],
    *,
    actor: Any,
    now: datetime,
) -> None:
    """Change a firm's child record and audit only what changed."""
    before = audit.snapshot(record, fields)
    for key, value in values.items():
        if key in fields:
            setattr(record, key, value)
    session.flush()
    old, new = audit.diff(before, audit.snapshot(record, fields))
    if new:
        audit.record(
            session,
            actor=actor,
            entity_type=entity_type,
            entity_id=record.id,
            enterprise_id=record.enterprise_id,
            action="update",
            before=old,
            after=new,
            at=now,
        )


def _merged_dates(record: Any, fields: tuple[str, ...], values: dict[str, Any]) -> dict[str, Any]:
    """The record's current values overlaid with ``values`` (for cross-field checks)."""
    return {**{f: getattr(record, f) for f in fields}, **values}


def add_qualification(
    session: DbSession,
    firm: Enterprise,
    values: dict[str, Any],
    *,
    actor: Any,
    now: datetime,
    import_batch_id: int | None = None,
) -> Qualification:
    """Record a certificate or list entry for a firm; without an end date a 高企 certificate
    lasts 3 years and a 科小 registration one year (else the firm would hold the tier forever
    and never get an expiry reminder)."""
    values = {**values, "status": values.get("status") or "valid"}
    _refuse_duplicate(
        session, Qualification, firm, kind=values.get("kind"), valid_from=values.get("valid_from"),
        field="valid_from", message="该企业已有同类型、同生效日期的资质",
    )
    if values.get("valid_to") is None and isinstance(values.get("valid_from"), date):
        values["valid_to"] = default_valid_to(values.get("kind", ""), values["valid_from"])
    _check_qualification(values)
    qual: Qualification = _create_record(
        session, Qualification, "qualification", QUALIFICATION_FIELDS, firm, values,
        actor=actor, now=now, import_batch_id=import_batch_id,
    )
    return qual


def update_qualification(
    session: DbSession, qual: Qualification, values: dict[str, Any], *, actor: Any, now: datetime
) -> None:
    """Correct a qualification (e.g. mark it revoked)."""
    _check_qualification(_merged_dates(qual, QUALIFICATION_FIELDS, values))
    _update_record(
        session, qual, "qualification", QUALIFICATION_FIELDS, values, actor=actor, now=now
    )


def delete_qualification(
    session: DbSession, qual: Qualification, *, actor: Any, now: datetime
) -> None:
    """Remove a certificate entered by mistake (admins only; revoking is for real ones).

    The audit entry keeps everything it said. Tiers and the tier history are computed from the
    certificates that remain, so they change with it.
    """
    before = audit.snapshot(qual, QUALIFICATION_FIELDS)
    qual_id, firm_id = qual.id, qual.enterprise_id
    session.delete(qual)
    session.flush()
    audit.record(
        session,
        actor=actor,
        entity_type="qualification",
        entity_id=qual_id,
        enterprise_id=firm_id,
        action="delete",
        before=before,
        at=now,
    )


def _refuse_duplicate(
    session: DbSession,
    model: type[Qualification] | type[RDInstitution],
    firm: Enterprise,
    *,
    field: str,
    message: str,
    **same: Any,
) -> None:
    """A retried form or API call must not record the same certificate or institution twice."""
    stmt = select(model.id).where(model.enterprise_id == firm.id)
    for name, value in same.items():
        column = getattr(model, name)
        stmt = stmt.where(column.is_(None) if value is None else column == value)
    if session.scalar(stmt.limit(1)) is not None:
        raise schemas.ValidationError({field: [message]})


def _check_institution(values: dict[str, Any]) -> None:
    errors = schemas.check_dates(values, "recognized_on", "revoked_on", "撤销日期不能早于认定日期")
    if errors:
        raise schemas.ValidationError(errors)


def add_institution(
    session: DbSession,
    firm: Enterprise,
    values: dict[str, Any],
    *,
    actor: Any,
    now: datetime,
    import_batch_id: int | None = None,
) -> RDInstitution:
    """Record an R&D institution recognised for a firm (a repeated submission is refused)."""
    _check_institution(values)
    _refuse_duplicate(
        session, RDInstitution, firm, kind=values.get("kind"),
        recognized_on=values.get("recognized_on"), level=values.get("level"),
        field="recognized_on", message="该企业已有同类型、同级别、同认定日期的研发机构",
    )
    inst: RDInstitution = _create_record(
        session, RDInstitution, "institution", INSTITUTION_FIELDS, firm, values,
        actor=actor, now=now, import_batch_id=import_batch_id,
    )
    return inst


def update_institution(
    session: DbSession, inst: RDInstitution, values: dict[str, Any], *, actor: Any, now: datetime
) -> None:
    """Correct an R&D institution (e.g. record its revocation)."""
    _check_institution(_merged_dates(inst, INSTITUTION_FIELDS, values))
    _update_record(session, inst, "institution", INSTITUTION_FIELDS, values, actor=actor, now=now)
