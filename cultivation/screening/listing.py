"""The 培育库 candidate list a page at a time, bounded at any size.

Order: outcome (eligible → borderline → incomplete → ineligible), then the smallest total gap,
then the firm's id. A page walks an index in that order — ``(rules, outcome, total_gap,
enterprise_id) WHERE superseded_in IS NULL`` for the newest run of a chain (the latest run),
``(run_id, rules, outcome, total_gap, enterprise_id)`` for a run that is a chain of its own
(screening.runs) — one outcome group at a time from a keyset cursor (or from a typed page number:
the counts say in which group that page starts, and the walk skips inside that group only),
reading the page's ids and nothing else; then the stored verdicts, firm, advisor and tier of
those ids. Counts: the unfiltered ones are stored with the run (``listed_tallies``, less the
firms deleted since); filtered ones are one GROUP BY.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Select, case, func, select

from cultivation.accounts.access import EVERYTHING, VisibleScope
from cultivation.database import DbSession
from cultivation.enterprises.models import Enterprise
from cultivation.keyset import Cursor, nulls_high, read_segments, segments
from cultivation.screening.models import Evaluation, ScreeningRun
from cultivation.screening.queries import (
    APPLICATION_LABELS,
    CANDIDATE_OUTCOMES,
    OUTCOMES,
    CandidateFilters,
    CandidateList,
    CandidateRow,
    application_of,
    base_rows,
    latest_run,
    not_holder,
)
from cultivation.screening.runs import in_run, is_newest_of_chain

KINDS: list[type] = [int, float]  # cursor values: outcome rank, total gap (then the firm id)
Tally = tuple[str, str, bool, bool, int]  # application, outcome, new, dropped, rows


def order_name(filters: CandidateFilters) -> str:
    """What a cursor belongs to: the run is not in it (a new run restarts at page 1 anyway,
    as the cursor's gap and id still place it), every filter is."""
    return "|".join(("candidates", filters.rules, filters.outcome, filters.advisor, filters.town,
                     filters.industry, filters.change, filters.application,
                     str(filters.portfolio_of or "")))


def _grouped(session: DbSession, run: ScreeningRun, filters: CandidateFilters,
             scope: VisibleScope, *, deleted: list[int] | None = None,
             every_rules: tuple[str, ...] = ()) -> list[tuple[str, Tally]]:
    """Rows per (rule set, application, outcome, new, dropped) under the filters other than
    application, outcome and change (one GROUP BY)."""
    wide = replace(filters, application="", outcome="", change="")
    stmt, is_new, is_dropped = base_rows(run, wide, scope, deleted=deleted is not None,
                                         tier=False, every_rules=every_rules)
    if deleted is not None:  # these firms' rows only (an index lookup each, on any database)
        stmt = stmt.where(Evaluation.enterprise_id.in_(deleted))
    new = case((is_new, 1), else_=0)
    dropped = case((is_dropped, 1), else_=0)
    keys = (Evaluation.rules, application_of(Evaluation), Evaluation.outcome, new, dropped)
    grouped = stmt.with_only_columns(*keys, func.count()).group_by(*keys)
    return [(r, (a, o, bool(n), bool(d), int(c)))
            for r, a, o, n, d, c in session.execute(grouped)]


def _tallies(session: DbSession, run: ScreeningRun, filters: CandidateFilters,
             scope: VisibleScope, *, deleted: list[int] | None = None) -> list[Tally]:
    return [t for _, t in _grouped(session, run, filters, scope, deleted=deleted)]


def listed_tallies(session: DbSession, run: ScreeningRun, rules: tuple[str, ...]
                   ) -> dict[str, list[list[Any]]]:
    """What the screening run stores for the unfiltered 培育库 counts (run.summary["listed"]):
    one GROUP BY over every rule set."""
    out: dict[str, list[list[Any]]] = {name: [] for name in rules}
    for name, tally in _grouped(session, run, CandidateFilters(), EVERYTHING,
                                every_rules=rules):
        out[name].append(list(tally))
    return out


def _stored(session: DbSession, run: ScreeningRun, filters: CandidateFilters,
            scope: VisibleScope) -> list[Tally] | None:
    """The run's stored tallies less the firms deleted since, when the filters allow."""
    stored = ((run.summary or {}).get("listed") or {}).get(filters.rules)
    if (stored is None or not scope.everything or filters.town or filters.industry
            or filters.advisor or filters.portfolio_of is not None):
        return None
    totals: dict[tuple[str, str, bool, bool], int] = {}
    for a, o, n, d, c in stored:
        if not filters.candidates_only or o in CANDIDATE_OUTCOMES:
            totals[(a, o, bool(n), bool(d))] = totals.get((a, o, bool(n), bool(d)), 0) + int(c)
    gone = list(session.scalars(select(Enterprise.id).where(Enterprise.deleted_at.is_not(None))))
    for a, o, n, d, c in (_tallies(session, run, filters, scope, deleted=gone) if gone else []):
        totals[(a, o, n, d)] = totals.get((a, o, n, d), 0) - c
    return [(*key, c) for key, c in totals.items() if c > 0]


def _counted(run: ScreeningRun, tallies: list[Tally], filters: CandidateFilters
             ) -> CandidateList:
    def changed(new: bool, dropped: bool) -> bool:
        return (filters.change != "new" or new) and (filters.change != "dropped" or dropped)

    applications = dict.fromkeys(APPLICATION_LABELS, 0)
    application_candidates = dict.fromkeys(APPLICATION_LABELS, 0)
    counts = dict.fromkeys(OUTCOMES, 0)
    new = dropped = 0
    for a, o, n, d, c in tallies:
        if not changed(n, d):
            continue
        applications[a] = applications.get(a, 0) + c
        application_candidates[a] = application_candidates.get(a, 0) + (
            c if o in CANDIDATE_OUTCOMES else 0)
        if filters.application in APPLICATION_LABELS and a != filters.application:
            continue
        counts[o] = counts.get(o, 0) + c
        new += c if n else 0
        dropped += c if d else 0
    total = counts.get(filters.outcome, 0) if filters.outcome in OUTCOMES else sum(counts.values())
    return CandidateList(run, [], total, counts, new, dropped, applications,
                         application_candidates)


def candidates(
    session: DbSession, filters: CandidateFilters, *, scope: VisibleScope,
    run: ScreeningRun | None = None, page: int | None = None, per_page: int | None = None,
    cursor: Cursor | None = None,
) -> CandidateList:
    """The ranked list from ``run`` (default: the latest) with its counts: every row (no
    ``per_page``: exports, the API) or one page — after / before ``cursor``, or page ``page``."""
    run = run or latest_run(session)
    if run is None:
        return CandidateList(None, [], 0)
    tallies = _stored(session, run, filters, scope)
    if tallies is None:
        tallies = _tallies(session, run, filters, scope)
    result = _counted(run, tallies, filters)
    stmt = base_rows(run, filters, scope)[0]
    if filters.outcome in OUTCOMES:
        stmt = stmt.where(Evaluation.outcome == filters.outcome)
    if per_page is None:
        rank = case(*[(Evaluation.outcome == o, i) for i, o in enumerate(OUTCOMES)],
                    else_=len(OUTCOMES))
        rows = [_row(r) for r in session.execute(
            stmt.order_by(rank, Evaluation.total_gap, Evaluation.enterprise_id))]
        return replace(result, rows=rows)
    ids, page_no, nxt, prev = _walk(session, run, filters, scope, result.outcome_counts,
                                    per_page, cursor, page or 1)
    by_id = {r[0].enterprise_id: _row(r) for r in session.execute(
        stmt.where(Evaluation.enterprise_id.in_([i for i, _, _ in ids])))} if ids else {}
    rows = [by_id[i] for i, _, _ in ids if i in by_id]
    return replace(result, rows=rows, page=page_no, next_cursor=nxt, previous_cursor=prev)


def _walk(session: DbSession, run: ScreeningRun, filters: CandidateFilters,
          scope: VisibleScope, counts: dict[str, int], per_page: int, cursor: Cursor | None,
          page: int) -> tuple[list[tuple[int, int, float | None]], int, Cursor | None,
                              Cursor | None]:
    """The page's (firm id, outcome rank, gap), walking one outcome group at a time."""
    narrow = _narrow(run, filters, scope, newest=is_newest_of_chain(session, run))
    groups = [i for i, o in enumerate(OUTCOMES)
              if filters.outcome in ("", o) and counts.get(o, 0)]
    forward = cursor is None or cursor.forward
    skip = 0
    if cursor is not None:
        page = cursor.page
        start = int(cursor.values[0])
        groups = [g for g in groups if (g >= start if forward else g <= start)]
    else:  # a page number: the counts say which group it starts in
        skip = (max(page, 1) - 1) * per_page
        while groups and skip >= counts[OUTCOMES[groups[0]]]:
            skip -= counts[OUTCOMES[groups.pop(0)]]
    if not forward:
        groups.reverse()
    high = nulls_high(session.get_bind().dialect.name)
    found: list[tuple[int, int, float | None]] = []
    for g in groups:
        order: list[Any] = ([Evaluation.total_gap.asc(), Evaluation.enterprise_id.asc()]
                            if forward else
                            [Evaluation.total_gap.desc(), Evaluation.enterprise_id.desc()])
        q = narrow.where(Evaluation.outcome == OUTCOMES[g]).order_by(*order)
        want = per_page + 1 - len(found)
        if cursor is not None and g == int(cursor.values[0]):
            parts = segments(Evaluation.total_gap, Evaluation.enterprise_id,
                             replace(cursor, values=cursor.values[1:]), descending=False,
                             nulls_high=high)
            rows = read_segments(session, q, parts, want)
        else:
            rows = list(session.execute(q.limit(want).offset(skip)))
        skip = 0
        found += [(i, g, gap) for i, gap in rows]
        if len(found) > per_page:
            break
    more = len(found) > per_page
    found = found[:per_page]
    if not forward:
        found.reverse()
    if not found:
        return found, page, None, None
    name = order_name(filters)
    (first_id, first_g, first_gap), (last_id, last_g, last_gap) = found[0], found[-1]
    has_next = more if forward else True
    has_previous = page > 1 if forward else more
    return (found, page,
            Cursor(name, (last_g, last_gap), last_id, True, page + 1) if has_next else None,
            Cursor(name, (first_g, first_gap), first_id, False, max(page - 1, 1))
            if has_previous else None)


def _narrow(run: ScreeningRun, filters: CandidateFilters, scope: VisibleScope, *,
            newest: bool) -> Select[int, float | None]:
    """(firm id, gap) of the listed rows: without a filter on the firm, its advisor or the
    previous run, the evaluations alone (less deleted firms), so a page is one index walk —
    for the newest run of its chain (the latest run, as a rule) on the partial index of rows
    not superseded, for a run that is a chain of its own on the run's index (screening.runs);
    an older run of a longer chain reads its chain's rows and sorts them."""
    if (scope.everything and not (filters.town or filters.industry or filters.advisor
                                  or filters.change) and filters.portfolio_of is None):
        deleted = select(Enterprise.id).where(Enterprise.deleted_at.is_not(None))
        stmt = select(Evaluation.enterprise_id, Evaluation.total_gap).where(
            in_run(Evaluation, run, newest=newest), Evaluation.rules == filters.rules,
            not_holder(Evaluation), Evaluation.enterprise_id.not_in(deleted))
        if filters.application in APPLICATION_LABELS:
            stmt = stmt.where(application_of(Evaluation) == filters.application)
        if filters.candidates_only:
            stmt = stmt.where(Evaluation.outcome.in_(CANDIDATE_OUTCOMES))
        return stmt
    wide: Select[Any] = base_rows(run, filters, scope, tier=False)[0]
    return wide.with_only_columns(Evaluation.enterprise_id, Evaluation.total_gap)


def _row(r: Any) -> CandidateRow:
    ev: Evaluation = r[0]
    return CandidateRow(
        enterprise_id=ev.enterprise_id, name=r.name, credit_code=r.credit_code, town=r.town,
        industry=r.industry, advisor_username=r.username, advisor_name=r.display_name,
        outcome=ev.outcome, previous_outcome=r.previous_outcome, score_min=ev.score_min,
        score_max=ev.score_max, total_gap=ev.total_gap, failed=list(ev.failed or []),
        details=ev.details or {}, is_new=bool(r.is_new), is_dropped=bool(r.is_dropped),
        tier=r.tier, application=ev.application if ev.application in APPLICATION_LABELS
        else "first", certificate_valid_to=ev.certificate_valid_to,
    )
