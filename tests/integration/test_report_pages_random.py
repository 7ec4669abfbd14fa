"""The set-based 三覆盖, plan-target and workload reports equal a pure computation per firm on
random data: dated flags, certificates (some revoked), institutions, handovers, visits, firms
deleted or registered late — county-wide and for an advisor's scope, on days across the
histories, and the uncovered list read page by page equals the whole list."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from reports_support import institute, qualify
from sqlalchemy.orm import Session

from cultivation.accounts.access import EVERYTHING, VisibleScope
from cultivation.enterprises.models import Enterprise, EnterpriseFlag, FiscalYearFigures
from cultivation.portfolios.models import PortfolioAssignment
from cultivation.qualifications.models import INSTITUTION_KINDS
from cultivation.qualifications.tiers import TIER_RANK, counts_on, tier_at
from cultivation.reports.coverage import (
    KINDS,
    coverage_at,
    coverage_rules,
    coverage_totals,
    coverage_with_groups,
    uncovered_list,
)
from cultivation.reports.indicators import COMPUTED
from cultivation.reports.workload import workload
from cultivation.screening.models import ScreeningRun
from cultivation.targets.indicators import (
    computed_actuals,
    count_day,
    indicator_values,
    series_and_current,
)
from cultivation.visits.models import Visit

QUAL_KINDS = ["startup", "zj_tech_sme", "tech_sme", "hnte", "leading"]
TOWNS = ["安洲街道", "福应街道", "白塔镇"]
DAYS = [date(2019, 12, 31), date(2021, 6, 30), date(2022, 12, 31), date(2024, 3, 1),
        date(2025, 12, 31)]
TODAY = date(2025, 8, 15)


@dataclass
class World:
    firms: list[Enterprise]
    advisors: list[Any]
    flags: dict[tuple[int, str], list[tuple[date, bool]]] = field(default_factory=dict)
    held: dict[int, list[tuple[int, date, date | None]]] = field(default_factory=dict)
    visits: list[tuple[int, int | None, date | None, date | None, bool]] = field(
        default_factory=list)


def _day(rng: random.Random, start: date, span: int) -> date:
    return start + timedelta(days=rng.randint(0, span))


@pytest.fixture
def world(db_session: Session, make_enterprise: Any, make_user: Any) -> World:
    rng = random.Random(4242)
    advisors = [make_user("advisor", display_name=f"指导{i}") for i in range(3)]
    w = World([], advisors)
    for n in range(80):
        registered = None if rng.random() < 0.1 else _day(rng, date(2012, 1, 1), 4500)
        firm = make_enterprise(town=rng.choice(TOWNS), registered_on=registered,
                               industry=rng.choice(["医药", "机械"]), name=f"随机企业{n:03d}",
                               listed=rng.random() < 0.3, above_scale=rng.random() < 0.6)
        for flag in ("listed", "above_scale"):
            if rng.random() < 0.25:
                rows = sorted({_day(rng, date(2016, 1, 1), 3300) for _ in range(2)})
                w.flags[(firm.id, flag)] = [(d, rng.random() < 0.5) for d in rows]
                for d, value in w.flags[(firm.id, flag)]:
                    db_session.add(EnterpriseFlag(enterprise_id=firm.id, flag=flag, value=value,
                                                  valid_from=d))
        for _ in range(rng.randint(0, 6)):
            start = _day(rng, date(2016, 1, 1), 3400)
            end = None if rng.random() < 0.15 else start + timedelta(days=rng.randint(0, 1200))
            extra: dict[str, Any] = {}
            if rng.random() < 0.15:
                extra = {"status": "revoked",
                         "revoked_on": start + timedelta(days=rng.randint(-20, 900))}
            qualify(db_session, firm, rng.choice(QUAL_KINDS), start, end, **extra)
        for _ in range(rng.randint(0, 2)):
            recognised = _day(rng, date(2016, 1, 1), 3400)
            revoked = (None if rng.random() < 0.7
                       else recognised + timedelta(days=rng.randint(1, 1500)))
            institute(db_session, firm, rng.choice(list(INSTITUTION_KINDS)), recognised, revoked)
        since = _day(rng, date(2017, 1, 1), 2000)
        for _ in range(rng.randint(0, 2)):  # a chain of assignments, the last maybe open
            advisor = rng.choice(advisors)
            until = None if rng.random() < 0.5 else since + timedelta(days=rng.randint(1, 900))
            db_session.add(PortfolioAssignment(enterprise_id=firm.id, advisor_id=advisor.id,
                                               started_on=since, ended_on=until))
            w.held.setdefault(firm.id, []).append((advisor.id, since, until))
            if until is None:
                break
            since = until
        for _ in range(rng.randint(0, 4)):
            visited = None if rng.random() < 0.1 else _day(rng, date(2024, 1, 1), 700)
            follow = None if rng.random() < 0.4 else _day(rng, date(2024, 6, 1), 600)
            done = rng.random() < 0.5
            by = rng.choice(advisors).id
            db_session.add(Visit(enterprise_id=firm.id, advisor_id=by, visited_on=visited,
                                 next_follow_up_on=follow, follow_up_done=done, notes="走访"))
            w.visits.append((firm.id, by, visited, follow, done))
        for year in range(2020, 2026):
            if rng.random() < 0.7:
                db_session.add(FiscalYearFigures(
                    enterprise_id=firm.id, year=year, source="统计",
                    rd_expense=None if rng.random() < 0.1 else rng.randint(0, 500),
                    sales_revenue=None if rng.random() < 0.1 else rng.randint(1, 9000),
                    ip_class_i=None if rng.random() < 0.2 else rng.randint(0, 4)))
        if n % 11 == 0:
            firm.deleted_at = datetime(2023, 3, 1, tzinfo=UTC)
        w.firms.append(firm)
    db_session.flush()
    db_session.expire_all()
    return w


def _flag(w: World, firm: Enterprise, flag: str, day: date) -> bool:
    dated = [v for d, v in w.flags.get((firm.id, flag), []) if d <= day]
    return dated[-1] if dated else bool(getattr(firm, flag))


def _exists(firm: Enterprise, day: date) -> bool:
    return firm.deleted_at is None and (firm.registered_on is None or firm.registered_on <= day)


def _advisor_on(w: World, firm: Enterprise, day: date) -> int | None:
    return next((a for a, s, e in w.held.get(firm.id, []) if s <= day and (e is None or e > day)),
                None)


def _visible(w: World, scope: VisibleScope, firm: Enterprise) -> bool:
    return scope.everything or any(a == scope.advisor_id and e is None
                                   for a, _, e in w.held.get(firm.id, []))


def _pure_coverage(w: World, day: date, scope: VisibleScope) -> dict[str, Any]:
    rules = coverage_rules()
    pops = {k: [0, 0] for k in KINDS}
    towns: dict[str, dict[str, list[int]]] = {}
    advisors: dict[int | None, dict[str, list[int]]] = {}
    gaps: dict[str, list[tuple[str, str, str]]] = {k: [] for k in KINDS}
    anywhere: list[tuple[str, str, str]] = []
    for firm in w.firms:
        listed, above = _flag(w, firm, "listed", day), _flag(w, firm, "above_scale", day)
        if not _exists(firm, day) or not (listed or above):
            continue
        quals = firm.qualifications
        member = {
            "listed": listed,
            "above_scale_hnte": above and any(q.kind == "hnte" and counts_on(q, day)
                                              for q in quals),
            "above_scale_tech": above and TIER_RANK[tier_at(quals, day)] >= TIER_RANK["tech_sme"],
        }
        kinds_in_force = {i.kind for i in firm.institutions if i.recognized_on <= day
                          and (i.revoked_on is None or i.revoked_on > day)}
        covered = {k: member[k] and bool(kinds_in_force & set(rules[k].covered_by))
                   for k in KINDS}
        town = towns.setdefault(firm.town, {k: [0, 0] for k in KINDS})
        adv = advisors.setdefault(_advisor_on(w, firm, day), {k: [0, 0] for k in KINDS})
        key = (firm.town, firm.name, firm.credit_code)
        for k in KINDS:
            for counts in (pops[k], town[k], adv[k]):
                counts[0] += member[k]
                counts[1] += covered[k]
            if member[k] and not covered[k] and _visible(w, scope, firm):
                gaps[k].append(key)
        if any(key in gaps[k] for k in KINDS):
            anywhere.append(key)
    return {"pops": pops, "towns": towns, "advisors": advisors,
            "gaps": {k: sorted(v) for k, v in gaps.items()}, "any": sorted(anywhere)}


@pytest.mark.parametrize("who", ["everyone", "advisor"])
def test_coverage_page_api_and_xlsx_list_equal_the_pure_coverage(
        db_session: Session, world: World, who: str) -> None:
    scope = EVERYTHING if who == "everyone" else VisibleScope(world.advisors[0].id)
    listed = 0
    for day in DAYS:
        want = _pure_coverage(world, day, scope)
        listed += len(want["any"])
        report = coverage_at(db_session, day, scope=scope)
        assert {k: [p.population, p.covered] for k, p in report.populations.items()} \
            == want["pops"], day
        assert {k: [(f.town, f.name, f.credit_code) for f in p.uncovered]
                for k, p in report.populations.items()} == want["gaps"], day
        assert coverage_at(db_session, day, scope=scope, advisors=False).as_json() \
            == report.as_json()  # the API's lean form
        totals = coverage_totals(db_session, day)
        assert {k: [p.population, p.covered] for k, p in totals.items()} == want["pops"]
        for kind in ("", *KINDS):
            wanted = want["gaps"][kind] if kind else want["any"]
            page = coverage_with_groups(db_session, day, scope=scope, kind=kind, limit=9)
            assert page.uncovered_total == len(wanted), (day, kind)
            assert {k: [p.population, p.covered] for k, p in page.report.populations.items()} \
                == want["pops"]
            assert {g.label: {k: list(v) for k, v in g.counts.items()} for g in page.towns} \
                == want["towns"]
            names = {a.id: a.display_name for a in world.advisors}
            assert {g.label: {k: list(v) for k, v in g.counts.items()} for g in page.advisors} \
                == {names.get(a, "未分配"): c for a, c in want["advisors"].items()}
            walked: list[Any] = []
            for offset in range(9, len(wanted) + 9, 9):  # the first page is ``page``
                walked += coverage_with_groups(db_session, day, scope=scope, kind=kind,
                                               limit=9, offset=offset).uncovered
            walked = page.uncovered + walked
            assert [(f.town, f.name, f.credit_code) for f in walked] == wanted, (day, kind)
            streamed = list(uncovered_list(db_session, day, scope=scope, kind=kind))
            assert [(f.town, f.name, f.credit_code) for f in streamed] == wanted
            assert [f.gaps for f in streamed] == [f.gaps for f in walked]
    assert listed > 10  # the data has uncovered firms to list


def _pure_stocks(w: World, kinds: tuple[str, ...], day: date, source: str,
                 scope: str) -> Counter[str]:
    out: Counter[str] = Counter()
    for firm in w.firms:
        if not _exists(firm, day):
            continue
        if source == "qualification":
            held = any(q.kind in kinds and counts_on(q, day) for q in firm.qualifications)
        else:
            held = any(i.kind in kinds and i.recognized_on <= day
                       and (i.revoked_on is None or i.revoked_on > day)
                       for i in firm.institutions)
        if not held:
            continue
        if scope == "advisor":
            advisor = _advisor_on(w, firm, day)
            if advisor is None:
                continue
            out[next(a.username for a in w.advisors if a.id == advisor)] += 1
        else:
            out[{"county": "", "town": firm.town, "industry": firm.industry}[scope]] += 1
    return out


@pytest.mark.parametrize("scope", ["county", "town", "industry", "advisor"])
def test_stock_indicators_equal_the_pure_count_of_holders(
        db_session: Session, world: World, scope: str) -> None:
    years = [2019, 2021, 2022, 2024, 2025]
    stocks = [i for i in COMPUTED if i.computed in ("qualification", "institution")]
    series = computed_actuals(db_session, years, TODAY, scope, stocks)
    for ind in stocks:
        for year in years:
            day = count_day(year, TODAY)
            want = _pure_stocks(world, ind.kinds, day, ind.computed or "", scope)
            got = {s: a.value for (c, s, y), a in series.items() if c == ind.code and y == year}
            assert {s: v for s, v in got.items() if v} == {s: float(n) for s, n in want.items()}
            assert all(a.as_of == day for (c, _, y), a in series.items()
                       if c == ind.code and y == year)
        assert any(a.value for a in series.values())  # the data has holders
        now = indicator_values(db_session, TODAY, scope, [ind])
        want = _pure_stocks(world, ind.kinds, TODAY, ind.computed or "", scope)
        assert {s: a.value for (_, s), a in now.items() if a.value} \
            == {s: float(n) for s, n in want.items()}


def test_fiscal_year_indicators_use_the_flags_of_each_count_day(
        db_session: Session, world: World) -> None:
    years = [2021, 2022, 2023, 2024, 2025]
    series = computed_actuals(db_session, years, TODAY)
    figures = {(f.enterprise_id, f.year): f for f in db_session.query(FiscalYearFigures)}
    for year in years:
        rd = sales = ip = 0
        any_ip = False
        for firm in world.firms:
            fig = figures.get((firm.id, year))
            if firm.deleted_at is not None or fig is None:
                continue
            if fig.ip_class_i is not None:
                ip, any_ip = ip + fig.ip_class_i, True
            if (fig.rd_expense is not None and fig.sales_revenue is not None
                    and _flag(world, firm, "above_scale", count_day(year, TODAY))):
                rd, sales = rd + fig.rd_expense, sales + fig.sales_revenue
        ratio = series.get(("above_scale_rd_ratio", "", year))
        assert (ratio.value if ratio else None) == (
            pytest.approx(float(rd) / float(sales) * 100) if sales else None), year
        count = series.get(("invention_patents", "", year))
        assert (count.value if count else None) == (float(ip) if any_ip else None)


def test_the_series_and_today_together_equal_each_alone(db_session: Session,
                                                        world: World) -> None:
    years = [2021, 2022, 2023, 2024, 2025]
    for today in (TODAY, date(2025, 12, 31), date(2026, 3, 1)):
        series, now = series_and_current(db_session, years, today, current=COMPUTED)
        assert series == computed_actuals(db_session, years, today)
        assert now == indicator_values(db_session, today)


def test_workload_equals_the_pure_count_per_advisor(db_session: Session, world: World) -> None:
    db_session.add(ScreeningRun(as_of=date(2025, 1, 1), started_at=datetime.now(UTC)))
    db_session.flush()
    for start, end, days in ((date(2025, 1, 1), TODAY, 90), (date(2024, 3, 1),
                                                             date(2024, 12, 31), 200)):
        got = {w.username: (w.portfolio, w.visits, w.stale, w.overdue)
               for w in workload(db_session, start, end, days)}
        for advisor in world.advisors:
            mine = [f for f in world.firms if f.deleted_at is None
                    and _advisor_on(world, f, end) == advisor.id]
            ids = {f.id for f in mine}
            visits = sum(1 for _, by, v, _, _ in world.visits
                         if by == advisor.id and v is not None and start <= v <= end)
            stale = sum(1 for f in mine if not any(
                fid == f.id and v is not None and end - timedelta(days=days) <= v <= end
                for fid, _, v, _, _ in world.visits))
            overdue = sum(1 for fid, _, _, follow, done in world.visits
                          if fid in ids and not done and follow is not None and follow < end)
            assert got[advisor.username] == (len(mine), visits, stale, overdue), (advisor, end)
