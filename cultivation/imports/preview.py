"""What a dry run shows before the commit: for each planned row, field by field what will
change (old → new), or that it will be created, or that nothing changes.

The entries are built from the plan (``planning.Step``), which already read the current values
for a whole chunk in one query: the preview adds no read. The check stores the entries on the
pending batch in bulk (``store``: ImportChange rows of type "preview"); the page reads one page
of them (``queries.preview_page``); commit and discard drop them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert

from cultivation.database import DbSession
from cultivation.imports.exports import cell_value
from cultivation.imports.headers import canonical_headers
from cultivation.imports.models import PREVIEW, ImportChange
from cultivation.imports.planning import Step
from cultivation.qualifications.models import QUALIFICATION_KINDS

ACTIONS = {"update": "将更新", "create": "将新建", "unchanged": "无变化"}
PER_PAGE = 100
STORE_CHUNK = 1000
EMPTY = "（空）"
LONGEST = 200  # a long note is shown cut, with an ellipsis


def shown(name: str, value: Any) -> str:
    """A stored or imported value as the preview writes it: 是/否, labels for codes, ISO
    dates, numbers without trailing zeros and with thousands separators."""
    value = cell_value(name, value)
    if value is None or value == "":
        return EMPTY
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float | Decimal):
        return f"{Decimal(str(value)):,.2f}".rstrip("0").rstrip(".")
    text = str(value)
    return text if len(text) <= LONGEST else text[:LONGEST] + "…"


def _subject(kind: str, step: Step) -> str:
    """What the row is about within its firm: the year of figures, the certificate."""
    cand = step.candidate
    if kind == "figures":
        return f"{cand.year} 年度数据"
    if kind == "qualifications":
        start = cand.values.get("valid_from")
        label = QUALIFICATION_KINDS.get(cand.values.get("kind", ""), cand.values.get("kind"))
        return f"{label}（{shown('valid_from', start)} 起）"
    return ""


def entry(kind: str, step: Step) -> dict[str, Any]:
    """The preview of one planned row (JSON-ready)."""
    cand = step.candidate
    firm = step.firm
    labels = canonical_headers(kind)
    subject = _subject(kind, step)
    prefix = {"figures": f"{cand.year} ", "qualifications": subject}.get(kind, "")
    changes: list[dict[str, str]] = []
    if step.action == "update":
        target = firm if kind == "firms" else step.existing
        order = {name: n for n, name in enumerate(labels)}  # the template's column order
        for name, new in sorted(step.changes.items(), key=lambda c: order.get(c[0], len(order))):
            changes.append({"field": name, "label": prefix + labels.get(name, name),
                            "old": shown(name, getattr(target, name)), "new": shown(name, new)})
        if step.advisor_changed:
            changes.append({"field": "advisor", "label": labels.get("advisor", "科技指导员"),
                            "old": step.advisor_before or EMPTY,
                            "new": step.advisor.display_name if step.advisor else EMPTY})
    name = firm.name if firm is not None else str(cand.values.get("name") or cand.name or "")
    return {"row": cand.row, "code": cand.code, "name": name, "subject": subject,
            "action": step.action, "changes": changes}


def store(session: DbSession, batch_id: int, entries: list[dict[str, Any]]) -> None:
    """Keep a dry run's preview on its pending batch (replacing an earlier check's), in bulk."""
    drop(session, batch_id)
    for start in range(0, len(entries), STORE_CHUNK):
        session.execute(insert(ImportChange), [
            {"batch_id": batch_id, "entity_type": PREVIEW, "entity_id": e["row"],
             "action": e["action"], "before": None, "after": e}
            for e in entries[start:start + STORE_CHUNK]])


def drop(session: DbSession, batch_id: int) -> None:
    """Remove a batch's preview (on commit or discard: it described a pending batch)."""
    session.execute(delete(ImportChange).where(ImportChange.batch_id == batch_id,
                                               ImportChange.entity_type == PREVIEW))
