"""Forms of a firm's qualifications and R&D institutions (fields from ``enterprises.schemas``)."""

from __future__ import annotations

from typing import Any

from wtforms import SelectField

from cultivation.enterprises import schemas
from cultivation.enterprises.forms import (
    SchemaForm,
    choice_field,
    date_field,
    field_label,
    options,
    text_field,
)
from cultivation.qualifications.models import (
    INSTITUTION_KINDS,
    INSTITUTION_LEVELS,
    QUALIFICATION_KINDS,
    QUALIFICATION_STATUSES,
)

Q = schemas.QUALIFICATION


class QualificationForm(SchemaForm):
    """资质（证书或名单）."""

    spec = Q
    kind = choice_field(Q, "kind", QUALIFICATION_KINDS)
    number = text_field(Q, "number")
    valid_from = date_field(Q, "valid_from")
    valid_to = date_field(Q, "valid_to")
    status = SelectField(field_label(Q, "status"), choices=options(QUALIFICATION_STATUSES),
                         validate_choice=False, default="valid")
    revoked_on = date_field(Q, "revoked_on")
    note = text_field(Q, "note")
    leading_kind = choice_field(Q, "leading_kind", blank="（不适用）")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from cultivation.extensions import db
        from cultivation.qualifications.queries import leading_kind_labels

        # 领军 kinds an admin added (领军类型): options of this select, not of ``kind``
        self.leading_kind.choices = options(leading_kind_labels(db.session), "（不适用）")


INST = schemas.INSTITUTION


class InstitutionForm(SchemaForm):
    """研发机构."""

    spec = INST
    kind = choice_field(INST, "kind", INSTITUTION_KINDS)
    level = choice_field(INST, "level", INSTITUTION_LEVELS, blank="（不适用）")
    name = text_field(INST, "name")
    recognized_on = date_field(INST, "recognized_on")
    revoked_on = date_field(INST, "revoked_on")
