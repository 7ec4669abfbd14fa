"""领军类型 (LeadingKind): list and add the 领军-tier qualification kinds an admin configures.
Flush, never commit; the view commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from cultivation.audit import services as audit
from cultivation.database import DbSession
from cultivation.enterprises.schemas import ValidationError
from cultivation.qualifications.models import LeadingKind


def leading_kinds(session: DbSession) -> list[LeadingKind]:
    """Every configured kind, oldest first."""
    return list(session.scalars(select(LeadingKind).order_by(LeadingKind.id)))


def add_leading_kind(session: DbSession, label: str, note: str | None, *, actor: Any,
                     now: datetime) -> LeadingKind:
    """Add a kind of the 领军 tier; ValidationError (Chinese) for a blank, long or known label."""
    problem = None
    if not label:
        problem = "请填写领军类型名称"
    elif len(label) > 100:
        problem = "名称不超过100个字符"
    elif note is not None and len(note) > 300:
        problem = "说明不超过300个字符"
    elif session.scalar(select(LeadingKind.id).where(LeadingKind.label == label)) is not None:
        problem = f"领军类型“{label}”已存在"
    if problem:
        raise ValidationError({"label": [problem]})
    kind = LeadingKind(label=label, note=note, created_at=now)
    session.add(kind)
    session.flush()
    audit.record(session, actor=actor, entity_type="leading_kind", entity_id=kind.id,
                 action="create", after={"label": label, "note": note}, at=now)
    return kind
