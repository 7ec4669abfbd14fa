"""Use cases of the registry: firms and their yearly figures (certificates and institutions are
in ``qualifications.services``, visits in ``visits.services``). Each takes already-cleaned values
(see ``schemas.clean``), an ``actor`` and ``now``; flushes and audits; never commits.
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
from cultivation.regions import Region

log = logging.getLogger(__name__)

ENTERPRISE_FIELDS = tuple(schemas.ENTERPRISE)
FIGURE_FIELDS = tuple(schemas.FIGURES)


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
    today: date,
    advisor: User | None = None,
    import_batch_id: int | None = None,
) -> Enterprise:
    """Register a firm; a duplicate (also a soft-deleted one) is a field error.

    A firm an advisor registers is theirs (``advisor`` is ignored then); otherwise it goes to
    ``advisor``, if given.
    """
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
    if getattr(actor, "is_advisor", False):
        advisor = session.get(User, actor.id)
    if advisor is not None:
        portfolios.assign(session, firm, advisor, on=today, actor=actor)
    return firm


def update_enterprise(
    session: DbSession,
    firm: Enterprise,
    values: dict[str, Any],
    *,
    actor: Any,
    now: datetime,
    today: date,
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
        record_flag_changes(session, [(firm, before)], today)
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


def update_and_reassign(
    session: DbSession,
    firm: Enterprise,
    values: dict[str, Any],
    *,
    advisor: User | None,
    actor: Any,
    now: datetime,
    today: date,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Change a firm's fields, then hand it to ``advisor`` (None = nobody) when that is a
    change: the old assignment closes on ``today``. Returns the changed fields."""
    new = update_enterprise(session, firm, values, actor=actor, now=now, today=today,
                            expected_version=expected_version)
    current = portfolios.current_advisor(session, firm.id)
    if (current.id if current else None) != (advisor.id if advisor else None):
        portfolios.assign(session, firm, advisor, on=today, actor=actor)
    session.flush()
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


def validation_context(today: date, region: Region) -> schemas.Context:
    """The parse context for ``region`` (entry points pass the app's, ``current_region()``)."""
    from cultivation.extensions import db
    from cultivation.qualifications.queries import leading_kind_labels

    return schemas.Context(region=region, today=today,
                           leading_kinds=leading_kind_labels(db.session))
