"""Cached dashboard figures (``dashboard_figures``): the county-wide cards of the dashboard
(工作台) — headline counts, 三覆盖 rates, funnel and trend, the county's tier counts and its
renewals — computed once per day instead of on every request.

- **Refresh** (``refresh_figures``): set-based, by the nightly screening job and by the
  ``dashboard-figures`` job (every 5 minutes, only when today's figures are missing or
  invalidated). Never on a GET.
- **Invalidation**: every ORM flush that writes what the figures depend on (certificates, and
  with them the maintained tier spans; R&D institutions; dated flags; portfolio assignments;
  application windows; a screening run — the 高企 candidates panel; a firm's creation,
  deletion, registration date, name or code) bumps the row's ``generation`` in the same
  transaction (``dashboard.invalidation``). Core bulk writers of those tables (``demo load``,
  ``tiers rebuild``) call ``invalidate`` themselves.
- **Read** (``read_figures``): the payload is used only when it was computed at the current
  generation and for today; otherwise the dashboard computes live, so it never shows stale tiers
  after a certificate write. A refresh that raced with a write stores nothing (its UPDATE is
  conditional on the generation it started from).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update

from cultivation.dashboard.invalidation import BUMPED, SCOPE, TABLE, invalidate
from cultivation.dashboard.outlook import (
    Candidate,
    CandidatePanel,
    Renewal,
    hnte_candidates,
    renewals,
)
from cultivation.dashboard.queries import (
    HEADLINE_INDICATORS,
    funnel_and_trend,
    headline_values,
)
from cultivation.database import DbSession
from cultivation.reports.coverage import KINDS, coverage_totals
from cultivation.reports.flows import flows_rows

__all__ = ["Figures", "compute_figures", "invalidate", "read_figures", "refresh_figures"]


@dataclass(frozen=True)
class Figures:
    """The county-wide dashboard figures of ``day``."""

    day: date
    charts: dict[str, Any]  # funnel_and_trend
    coverage: dict[str, tuple[int, int]]  # kind → (population, covered)
    actuals: dict[str, float]  # headline indicator → value on ``day``
    renewals: list[Renewal]
    renewal_total: int
    flow_rows: list[tuple[Any, ...]] = field(default_factory=list)  # flows page, county
    candidates: CandidatePanel | None = None  # the county's 高企 candidates panel

    @property
    def tier_counts(self) -> dict[str, int]:
        """Firms per tier on ``day`` (the funnel's column; the county panel's counts)."""
        return {row["tier"]: int(row["count"]) for row in self.charts["tiers"]}

    def as_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(), "charts": self.charts,
            "coverage": {k: list(v) for k, v in self.coverage.items()},
            "actuals": self.actuals,
            "renewals": [[r.name, r.credit_code, r.kind_label, r.valid_to.isoformat(),
                          r.act_by.isoformat(), r.by_window, r.days_left] for r in self.renewals],
            "renewal_total": self.renewal_total,
            "flow_rows": [list(r) for r in self.flow_rows],
            "candidates": _candidates_json(self.candidates),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figures:
        return cls(
            day=date.fromisoformat(data["day"]), charts=data["charts"],
            coverage={k: (int(v[0]), int(v[1])) for k, v in data["coverage"].items()},
            actuals={k: float(v) for k, v in data["actuals"].items()},
            renewals=[Renewal(n, c, k, date.fromisoformat(v), date.fromisoformat(a), bool(w),
                              int(d)) for n, c, k, v, a, w, d in data["renewals"]],
            renewal_total=int(data["renewal_total"]),
            flow_rows=[tuple(r) for r in data.get("flow_rows", [])],
            candidates=_candidates_from_json(data.get("candidates")),
        )


def compute_figures(session: DbSession, day: date) -> Figures:
    """The figures of ``day``, by the same functions the live dashboard and the flows page
    call (6 queries)."""
    totals = coverage_totals(session, day)
    due, due_total = renewals(session, None, day)
    values = headline_values(session, day)
    return Figures(
        day=day, charts=funnel_and_trend(session, day),
        coverage={k: (totals[k].population, totals[k].covered) for k in KINDS},
        actuals={code: values[code] for code in HEADLINE_INDICATORS},
        renewals=due, renewal_total=due_total, flow_rows=flows_rows(session, day),
        candidates=hnte_candidates(session, None),
    )


def _candidates_json(panel: CandidatePanel | None) -> Any:
    if panel is None:
        return None
    rows, total, new, screened_on, split = panel
    return {"rows": [{**asdict(c), "shortfalls": [list(x) for x in c.shortfalls],
                      "certificate_valid_to": _iso(c.certificate_valid_to)} for c in rows],
            "total": total, "new": new, "screened_on": _iso(screened_on), "split": split}


def _candidates_from_json(data: Any) -> CandidatePanel | None:
    if data is None:
        return None
    rows = [Candidate(**{**r, "shortfalls": [tuple(x) for x in r["shortfalls"]],
                         "certificate_valid_to": _day(r["certificate_valid_to"])})
            for r in data["rows"]]
    return rows, int(data["total"]), int(data["new"]), _day(data["screened_on"]), data["split"]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def read_figures(session: DbSession, day: date) -> Figures | None:
    """Today's figures when they are current (one query), else None: compute live."""
    payload = session.scalar(select(TABLE.c.payload).where(
        TABLE.c.scope == SCOPE, TABLE.c.day == day, TABLE.c.based_on == TABLE.c.generation))
    return Figures.from_json(payload) if payload else None


def refresh_figures(session: DbSession, day: date, now: datetime,
                    compute: Callable[[DbSession, date], Figures] | None = None) -> bool:
    """Compute (``compute_figures``) and store the figures of ``day``; False when a write
    invalidated them while they were computed (nothing stored: the next run tries again)."""
    generation = session.scalar(select(TABLE.c.generation).where(TABLE.c.scope == SCOPE))
    session.info.pop(BUMPED, None)  # a write later in this transaction bumps it again
    if generation is None:
        session.execute(TABLE.insert().values(scope=SCOPE, generation=0))
        generation = 0
    figures = (compute or compute_figures)(session, day)
    stored = session.execute(
        update(TABLE).where(TABLE.c.scope == SCOPE, TABLE.c.generation == generation)
        .values(based_on=generation, day=day, payload=figures.as_json(), computed_at=now))
    return bool(stored.rowcount)  # type: ignore[attr-defined]
