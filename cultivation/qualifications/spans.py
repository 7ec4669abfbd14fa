"""Maintained tier spans: every firm's intervals of constant tier, kept in ``tier_spans``.

Reports read a firm's tier on a day from the one span containing that day instead of
aggregating all certificates per request. The spans are derived from the qualifications by one
set-based statement chain (``computed_spans``) and rewritten for a set of firms by
``refresh_spans`` in the transaction that wrote their qualifications:

- ORM writes (services, import, revert, API, forms) are caught by a session ``after_flush``
  hook (``install``): the firms of every qualification added, changed or deleted in the flush,
  and every firm whose registration date or soft deletion changed in it (the spans carry
  both), get their spans rewritten on the flush's connection, before the commit.
- Core bulk writes (``insert(Qualification.__table__)``, as ``demo load`` does) bypass the ORM
  and must call ``refresh_spans`` themselves.

``cultivation tiers rebuild [--check]`` recomputes (or only compares) every firm's spans.
The chain: each tier qualification is an event +1 on the day it starts counting and −1 on the
day it stops (the day after ``valid_to``, or the revocation date: the rule of
``tiers.effective_end``), one column per rank. Running sums per firm give how many
qualifications of each rank hold at each event date; the tier is the highest rank with one;
``lag`` keeps the dates where it changes and ``lead`` closes each span the day before the next.
Checked against ``tiers.tier_history`` on random histories (tests/integration/test_tier_spans.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.sql import Select
from sqlalchemy.sql.selectable import CTE

from cultivation.database import DbSession
from cultivation.qualifications.models import OPEN_END, Qualification, TierSpan
from cultivation.qualifications.queries import kind_rank
from cultivation.qualifications.tiers import KIND_TIER, TIERS
from cultivation.reports.dates import add_days, day_literal

TIER_KINDS = list(KIND_TIER)
SPAN_COLUMNS = ("enterprise_id", "tier", "rank", "valid_from", "valid_to", "prev_rank",
                "entered_by", "firm_registered_on", "firm_deleted_at")
FIRM_FIELDS = ("registered_on", "deleted_at")  # the firm's columns the spans carry
CHUNK = 500  # firm ids per statement (parameter limits)


def _firms_where(firms: Sequence[int] | tuple[int, int] | None) -> list[ColumnElement[bool]]:
    """No condition (every firm), an id list, or an inclusive id range ``(low, high)``."""
    if firms is None:
        return []
    if isinstance(firms, tuple):
        return [Qualification.enterprise_id.between(firms[0], firms[1])]
    return [Qualification.enterprise_id.in_(list(firms))]


def tier_changes(firms: Sequence[int] | tuple[int, int] | None = None) -> CTE:
    """CTE (enterprise_id, p, rank, prev_rank, revoked_rank): every tier change, ever."""
    stop_by_revocation = func.coalesce(Qualification.revoked_on, Qualification.valid_from)
    after_expiry = case((Qualification.valid_to >= OPEN_END, None),
                        else_=add_days(Qualification.valid_to, 1))
    by_revocation = and_(Qualification.status == "revoked",
                         or_(Qualification.valid_to.is_(None),
                             Qualification.valid_to >= OPEN_END,
                             stop_by_revocation <= after_expiry))
    lapse_on = case((by_revocation, stop_by_revocation), else_=after_expiry)
    quals = (
        select(Qualification.enterprise_id.label("enterprise_id"), kind_rank().label("rank"),
               Qualification.valid_from.label("start"), lapse_on.label("lapse_on"),
               case((by_revocation, 1), else_=0).label("revoked_end"))
        .where(Qualification.kind.in_(TIER_KINDS), *_firms_where(firms))
        .cte("span_quals")
    )
    ranks = range(1, len(TIERS))
    counts = quals.c.lapse_on.is_(None) | (quals.c.lapse_on > quals.c.start)  # ever in force
    events = union_all(
        select(quals.c.enterprise_id, quals.c.start.label("p"),
               *[case((quals.c.rank == r, 1), else_=0).label(f"d{r}") for r in ranks],
               literal(0).label("revoked_rank"))
        .where(counts),
        select(quals.c.enterprise_id, quals.c.lapse_on.label("p"),
               *[case((quals.c.rank == r, -1), else_=0).label(f"d{r}") for r in ranks],
               case((quals.c.revoked_end == 1, quals.c.rank), else_=0).label("revoked_rank"))
        .where(quals.c.lapse_on.is_not(None), counts),
    ).cte("span_events")
    points = (
        select(events.c.enterprise_id, events.c.p,
               *[func.sum(events.c[f"d{r}"]).label(f"d{r}") for r in ranks],
               func.max(events.c.revoked_rank).label("revoked_rank"))
        .group_by(events.c.enterprise_id, events.c.p)
        .cte("span_points")
    )
    running = select(
        points.c.enterprise_id, points.c.p, points.c.revoked_rank,
        *[func.sum(points.c[f"d{r}"]).over(partition_by=points.c.enterprise_id,
                                           order_by=points.c.p).label(f"a{r}") for r in ranks],
    ).cte("span_running")
    states = select(
        running.c.enterprise_id, running.c.p, running.c.revoked_rank,
        case(*[(running.c[f"a{r}"] > 0, r) for r in reversed(ranks)], else_=0).label("rank"),
    ).cte("span_states")
    steps = select(
        states.c.enterprise_id, states.c.p, states.c.rank, states.c.revoked_rank,
        func.lag(states.c.rank, 1, 0).over(partition_by=states.c.enterprise_id,
                                           order_by=states.c.p).label("prev_rank"),
    ).cte("span_steps")
    return select(steps).where(steps.c.rank != steps.c.prev_rank).cte("span_changes")


def computed_spans(firms: Sequence[int] | tuple[int, int] | None = None) -> Select[Any]:
    """SELECT of the spans the qualifications give, in ``SPAN_COLUMNS`` order, each carrying
    its firm's registration date and deletion time."""
    from cultivation.enterprises.models import Enterprise

    changes = tier_changes(firms)
    closed = select(
        changes,
        func.lead(changes.c.p).over(partition_by=changes.c.enterprise_id,
                                    order_by=changes.c.p).label("next_p"),
    ).cte("span_closed")
    tier = case(*[(closed.c.rank == r, literal(t)) for r, t in enumerate(TIERS)],
                else_=literal("none"))
    entered_by = case((closed.c.rank > closed.c.prev_rank, literal("up")),
                      (closed.c.revoked_rank == closed.c.prev_rank, literal("revoked")),
                      else_=literal("lapsed"))
    valid_to = case((closed.c.next_p.is_(None), day_literal(OPEN_END)),
                    else_=add_days(closed.c.next_p, -1))
    return select(
        closed.c.enterprise_id, tier.label("tier"), closed.c.rank.label("rank"),
        closed.c.p.label("valid_from"), valid_to.label("valid_to"),
        closed.c.prev_rank.label("prev_rank"), entered_by.label("entered_by"),
        Enterprise.registered_on.label("firm_registered_on"),
        Enterprise.deleted_at.label("firm_deleted_at"),
    ).join_from(closed, Enterprise, Enterprise.id == closed.c.enterprise_id)


def refresh_spans(conn: Connection | DbSession,
                  firms: Iterable[int] | tuple[int, int] | None) -> None:
    """Rewrite the spans of ``firms`` from their qualifications: None = every firm, a tuple =
    the inclusive id range ``(low, high)`` (two statements whatever its size), else the ids
    given (two statements per 500). Recomputing a firm whose certificates did not change
    rewrites the same rows, so a range may cover more firms than were written."""
    table = TierSpan.__table__
    if firms is None:
        conn.execute(delete(table))
        conn.execute(insert(table).from_select(list(SPAN_COLUMNS), computed_spans()))
        return
    if isinstance(firms, tuple):
        conn.execute(delete(table).where(table.c.enterprise_id.between(firms[0], firms[1])))
        conn.execute(insert(table).from_select(list(SPAN_COLUMNS), computed_spans(firms)))
        return
    ids = sorted(set(firms))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        conn.execute(delete(table).where(table.c.enterprise_id.in_(chunk)))
        conn.execute(insert(table).from_select(list(SPAN_COLUMNS), computed_spans(chunk)))


@dataclass(frozen=True)
class SpanCheck:
    """Firms whose stored spans differ from their qualifications (ids, first 20 kept)."""

    firms_checked: int
    differing: int
    examples: tuple[int, ...]


def check_spans(conn: Connection | DbSession, *, batch: int = 5000) -> SpanCheck:
    """Compare stored with computed spans for every firm, one id range at a time."""
    from cultivation.enterprises.models import Enterprise

    low, high = conn.execute(select(func.min(Enterprise.id), func.max(Enterprise.id))).one()
    differing: list[int] = []
    checked = 0
    if low is None:
        return SpanCheck(0, 0, ())
    stored_cols = [TierSpan.__table__.c[c] for c in SPAN_COLUMNS]
    for first in range(int(low), int(high) + 1, batch):
        last = first + batch - 1
        want = _by_firm(conn.execute(computed_spans((first, last))))
        have = _by_firm(conn.execute(
            select(*stored_cols).where(TierSpan.enterprise_id.between(first, last))))
        checked += conn.execute(select(func.count()).select_from(Enterprise)
                                .where(Enterprise.id.between(first, last))).scalar_one()
        differing.extend(f for f in sorted(set(want) | set(have)) if want.get(f) != have.get(f))
    return SpanCheck(checked, len(differing), tuple(differing[:20]))


def _by_firm(rows: Iterable[Any]) -> dict[int, list[tuple[Any, ...]]]:
    out: dict[int, list[tuple[Any, ...]]] = {}
    for row in rows:
        values = tuple(_plain(v) for v in row)
        out.setdefault(int(values[0]), []).append(values)
    for spans in out.values():
        spans.sort(key=lambda s: str(s[3]))
    return out


def _plain(value: Any) -> Any:
    """Dates as ISO text (SQLite hands computed dates back as text), ranks as int."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


# -- the ORM hook ----------------------------------------------------------------------------

def _touched_firms(session: Session) -> set[int]:
    from cultivation.enterprises.models import Enterprise

    firms: set[int] = set()
    for obj in session.dirty:  # the firm columns the spans carry
        if isinstance(obj, Enterprise) and obj.id is not None and any(
                inspect(obj).attrs[name].history.has_changes() for name in FIRM_FIELDS):
            firms.add(obj.id)
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(obj, Qualification):
            continue
        history: Any = inspect(obj).attrs.enterprise_id.history
        firms.update(i for i in (*history.added, *history.unchanged, *history.deleted)
                     if i is not None)
    return firms


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    firms = _touched_firms(session)
    if firms:
        refresh_spans(session.connection(), firms)


def install() -> None:
    """Register the flush hook on every ORM session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
