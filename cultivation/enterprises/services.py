"""Use cases of the registry. Each takes already-cleaned values (see ``schemas.clean``), an
``actor`` and ``now``; flushes and audits; never commits.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from cultivation.accounts.models import User
from cultivation.audit import services as audit
from cultivation.database import DbSession
from cultivation.enterprises import schemas
from cultivation.enterprises.credit_code import normalize
from cultivation.enterprises.flags import record_flag_changes
from cultivation.enterprises.models import Enterprise, FiscalYearFigures
from cultivation.portfolios import services as portfolios
from cultivation.qualifications.models import Qualification, RDInstitution
from cultivation.qualifications.validity import default_valid_to
from cultivation.scheduling.clock import local_date
from cultivation.visits.models import Visit

log = logging.getLogger(__name__)

ENTERPRISE_FIELDS = tuple(schemas.ENTERPRISE)
FIGURE_FIELDS = tuple(schemas.FIGURES)
QUALIFICATION_FIELDS = tuple(schemas.QUALIFICATION)
INSTITUTION_FIELDS = tuple(schemas.INSTITUTION)


class StaleVersion(Exception):
    """The firm changed since the caller read it (optimistic lock)."""

    def __init__(self, current: int) -> None:
        super().__init__(f"数据已被他人修改（当前版本 {current}），请刷新后重试")
        self.current = current


def get_by_code(
    session: DbSession, code: str, *, include_deleted: bool = False
) -> Enterprise | None:
    """A firm by its credit code, normalised the way users type it."""
    stmt = select(Enterprise).where(Enterprise.credit_code == normalize(code))
    if not include_deleted:
        stmt = stmt.where(Enterprise.deleted_at.is_(None))
    return session.scalar(stmt)


def create_enterprise(
    session: DbSession,
    values: dict[str, Any],
    *,
    actor: Any,
    now: datetime,
    advisor: User | None = None,
    import_batch_id: int | None = None,
) -> Enterprise:
    """Register a firm; a duplicate (also a soft-deleted one) is a field error."""
    existing = get_by_code(session, values["credit_code"], include_deleted=True)
    if existing is not None:
        message = "该统一社会信用代码已登记" + (
            "（已删除，可由管理员恢复）" if existing.deleted_at else ""
        )
        raise schemas.ValidationError({"credit_code": [message]})
    firm = Enterprise(**{k: v for k, v in values.items() if k in ENTERPRISE_FIELDS})
    firm.import_batch_id = import_batch_id
    firm.created_at = now
    session.add(firm)
    session.flush()
    audit.record(
        session,
        actor=actor,
        entity_type="enterprise",
        entity_id=firm.id,
        enterprise_id=firm.id,
        action="create",
        after=audit.snapshot(firm, ENTERPRISE_FIELDS),
        at=now,
    )
    if advisor is not None:
        portfolios.assign(session, firm, advisor, on=now.date(), actor=actor)
    return firm


def update_enterprise(
    session: DbSession,
    firm: Enterprise,
    values: dict[str, Any],
    *,
    actor: Any,
    now: datetime,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Change a firm's fields; returns the changed fields' new values. Refuses a stale version."""
    if expected_version is not None and expected_version != firm.version:
        raise StaleVersion(firm.version)
    if "credit_code" in values and values["credit_code"] != firm.credit_code:
        other = get_by_code(session, values["credit_code"], include_deleted=True)
        if other is not None and other.id != firm.id:
            raise schemas.ValidationError({"credit_code": ["该统一社会信用代码已被其他企业使用"]})
    before = audit.snapshot(firm, ENTERPRISE_FIELDS)
    for key, value in values.items():
        if key in ENTERPRISE_FIELDS:
            setattr(firm, key, value)
    after = audit.snapshot(firm, ENTERPRISE_FIELDS)
    old, new = audit.diff(before, after)
    if new:
        firm.updated_at = now
        session.flush()
        record_flag_changes(session, [(firm, before)], local_date(now))
        audit.record(
            session,
            actor=actor,
            entity_type="enterprise",
            entity_id=firm.id,
            enterprise_id=firm.id,
            action="update",
            before=old,
            after=new,
            at=now,
        )
    return new


def delete_enterprise(session: DbSession, firm: Enterprise, *, actor: Any, now: datetime) -> None:
    """Soft-delete: the firm disappears from lists and reports but keeps its history."""
    firm.deleted_at = now
    session.flush()
    audit.record(
        session,
        actor=actor,
        entity_type="enterprise",
        entity_id=firm.id,
        enterprise_id=firm.id,
        action="delete",
        at=now,
    )


def record_figures(
    session: DbSession,
    firm: Enterprise,
    year: int,
    values: dict[str, Any],
    *,
    actor: Any,
    now: datetime,
    replace: bool = False,
    import_batch_id: int | None = None,
) -> tuple[FiscalYearFigures, bool]:
    """Create or update one year's figures; ``replace`` blanks fields not given (PUT).

    Returns (row, created). Cross-field errors raise ``ValidationError``.
    """
    row = session.scalar(
        select(FiscalYearFigures).where(
            FiscalYearFigures.enterprise_id == firm.id, FiscalYearFigures.year == year
        )
    )
    created = row is None
    if row is None:
        row = FiscalYearFigures(enterprise_id=firm.id, year=year)
        session.add(row)
    before = audit.snapshot(row, FIGURE_FIELDS) if not created else {}
    merged = {
        f: (values.get(f) if replace else values.get(f, getattr(row, f))) for f in FIGURE_FIELDS
    }
    merged["source"] = merged.get("source") or "self"
    problems = schemas.check_figures(merged)
    if problems:
        if created:
            session.expunge(row)
        raise schemas.ValidationError(problems)
    for key, value in merged.items():
        setattr(row, key, value)
    row.updated_by_id = getattr(actor, "id", None)
    row.updated_at = now
    if import_batch_id is not None:
        row.import_batch_id = import_batch_id
    session.flush()
    old, new = audit.diff(before, audit.snapshot(row, FIGURE_FIELDS))
    if new or created:
        audit.record(
            session,
            actor=actor,
            entity_type="figures",
            entity_id=row.id,
            enterprise_id=firm.id,
            action="create" if created else "update",
            before=old or None,
            after={"year": year, **new},
            at=now,
        )
    return row, created


def _check_qualification(values: dict[str, Any]) -> None:
    errors = schemas.check_dates(values, "valid_from", "valid_to", "有效期至不能早于生效日期")
    if values.get("status") == "revoked" and not values.get("revoked_on"):
        errors.setdefault("revoked_on", []).append("状态为已撤销时请填写撤销日期")
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


def log_visit(
    session: DbSession, firm: Enterprise, values: dict[str, Any], *, actor: Any, now: datetime
) -> Visit:
    """Record a 走访; closes earlier open follow-ups of the same firm."""
    errors = schemas.check_dates(
        values, "visited_on", "next_follow_up_on", "下次跟进日期不能早于走访日期"
    )
    if errors:
        raise schemas.ValidationError(errors)
    for open_visit in session.scalars(
        select(Visit).where(
            Visit.enterprise_id == firm.id,
            Visit.follow_up_done.is_(False),
            Visit.next_follow_up_on.is_not(None),
        )
    ):
        open_visit.follow_up_done = True
    visit = Visit(enterprise_id=firm.id, advisor_id=getattr(actor, "id", None), **values)
    session.add(visit)
    session.flush()
    audit.record(
        session,
        actor=actor,
        entity_type="visit",
        entity_id=visit.id,
        enterprise_id=firm.id,
        action="create",
        after=audit.snapshot(visit, ("visited_on", "next_follow_up_on")),
        at=now,
    )
    return visit


def validation_context(today: date) -> schemas.Context:
    """The parse context for the running app's region."""
    from cultivation.regions import current_region

    return schemas.Context(region=current_region(), today=today)
