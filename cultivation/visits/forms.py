"""The 走访 form (fields from ``enterprises.schemas``)."""

from __future__ import annotations

from wtforms import TextAreaField

from cultivation.enterprises import schemas
from cultivation.enterprises.forms import Marked, SchemaForm, date_field, field_label

V = schemas.VISIT


class VisitForm(SchemaForm):
    """走访记录."""

    spec = V
    visited_on = date_field(V, "visited_on")
    notes = TextAreaField(field_label(V, "notes"), [Marked()], render_kw={"rows": 5})
    next_follow_up_on = date_field(V, "next_follow_up_on")
