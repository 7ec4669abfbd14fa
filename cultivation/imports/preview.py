"""What a dry run shows before the commit: for each planned row, field by field what will
change (old → new), or that it will be created, or that nothing changes.

The entries are built from the plan (``planning.Step``), which already read the current values
for a whole chunk in one query: the preview adds no statement. They are stored with the dry
run's report on the pending batch and paged through without SQL.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from cultivation.imports.exports import cell_value
from cultivation.imports.headers import canonical_headers
from cultivation.imports.planning import Step
from cultivation.qualifications.models import QUALIFICATION_KINDS

ACTIONS = {"update": "将更新", "create": "将新建", "unchanged": "无变化"}
PER_PAGE = 100
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


@dataclass
class PreviewPage:
    """One page of the preview, filtered by action, with the counts for the filter tabs."""

    entries: list[dict[str, Any]]
    action: str  # "" = all
    page: int
    pages: int
    total: int  # entries under the filter
    counts: dict[str, int]  # per action, and "" for all
    per_page: int = PER_PAGE


def preview_page(entries: list[dict[str, Any]], action: str, page: int,
                 per_page: int = PER_PAGE) -> PreviewPage:
    """Entries of ``action`` (all when unknown), page ``page`` (the last page when past it)."""
    counts = Counter(e.get("action", "") for e in entries)
    tally = {"": len(entries), **{a: counts.get(a, 0) for a in ACTIONS}}
    if action not in ACTIONS:
        action = ""
    chosen = [e for e in entries if e.get("action") == action] if action else entries
    pages = max(1, -(-len(chosen) // per_page))
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    return PreviewPage(chosen[start:start + per_page], action, page, pages, len(chosen), tally,
                       per_page)
