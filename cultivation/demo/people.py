"""Demo logins, advisor portfolios (with handovers up to the load date) and visit history
(pure)."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from cultivation.demo import names
from cultivation.demo.firms import FirmSpec
from cultivation.demo.ladder import Row
from cultivation.demo.profiles import Profile

DEMO_PASSWORD = "xianju2026"  # noqa: S105 - printed by ``demo load``; demo databases only
PORTFOLIOS_START = date(2021, 3, 1)  # the plan's advisor scheme starts
NEW_ADVISOR_ON = date(2023, 9, 1)  # advisor5 joins and takes over advisor4's later towns
TOWN_HANDOVER_ON = date(2025, 4, 1)  # advisor3's smallest town moves to advisor1
# From 2026 on, every 1 April up to the load date one town changes hands: the smallest town of
# one advisor (in turn) moves to the next advisor — the county rebalancing its portfolios.
YEARLY_HANDOVERS_FROM = 2026
VISITS_PER_PROFILE = {
    "anchor": (3, 5), "hnte": (2, 4), "ready": (2, 5), "near": (2, 5), "lapsed": (1, 3),
    "sme": (0, 3), "plain": (0, 1),
}


@dataclass(frozen=True)
class Assignment:
    """Firm ``firm`` (plan index) in ``advisor``'s portfolio from ``started_on``."""

    firm: int
    advisor: str
    started_on: date
    ended_on: date | None


@dataclass(frozen=True)
class DemoLogin:
    """A demo account; ``password`` is None when the user already existed (left unchanged)."""

    username: str
    display_name: str
    role: str
    password: str | None


def demo_users() -> list[dict[str, str]]:
    """The demo accounts: admin, leader and five advisors."""
    return [{"username": u, "display_name": d, "role": r, "email": f"{u}@example.com"}
            for u, d, r in names.DEMO_USERS]


def _town_owners(firms: list[FirmSpec], advisors: list[str]) -> dict[str, str]:
    """Towns to advisors, biggest town first to the least loaded advisor."""
    sizes = Counter(f.town for f in firms)
    load = dict.fromkeys(advisors, 0)
    owners: dict[str, str] = {}
    for town, size in sorted(sizes.items(), key=lambda ts: (-ts[1], ts[0])):
        advisor = min(advisors, key=lambda a: (load[a], a))
        owners[town] = advisor
        load[advisor] += size
    return owners


def yearly_handovers(firms: list[FirmSpec], owners: dict[str, str], advisors: list[str],
                     today: date) -> dict[str, list[tuple[str, date]]]:
    """{town: [(new advisor, 1 April of the year)]} for the years from YEARLY_HANDOVERS_FROM
    whose 1 April is on or before ``today`` (deterministic: no random draw)."""
    sizes = Counter(f.town for f in firms)
    current = dict(owners)
    moves: dict[str, list[tuple[str, date]]] = {}
    for year in range(YEARLY_HANDOVERS_FROM, today.year + 1):
        day = date(year, 4, 1)
        if day > today:
            break
        giver = advisors[(year - YEARLY_HANDOVERS_FROM) % len(advisors)]
        towns = [t for t, a in current.items() if a == giver]
        if len(towns) < 2:  # an advisor keeps at least one town
            continue
        town = min(towns, key=lambda t: (sizes[t], t))
        taker = advisors[(advisors.index(giver) + 1) % len(advisors)]
        current[town] = taker
        moves.setdefault(town, []).append((taker, day))
    return moves


def build_assignments(firms: list[FirmSpec], profiles: dict[int, Profile],
                      rng: random.Random, today: date) -> list[Assignment]:
    """Portfolio rows (advisor by username); most firms are covered, some plain ones not;
    handovers in 2023 and 2025 and then one town a year up to ``today``."""
    advisors = [u for u, _, r in names.DEMO_USERS if r == "advisor"]
    owners = _town_owners(firms, advisors)
    handed_town = min(
        (t for t, a in owners.items() if a == advisors[2]),
        key=lambda t: (sum(f.town == t for f in firms), t), default=None,
    )
    after_2025 = dict(owners)
    for town, owner in owners.items():
        if owner == advisors[-1]:
            after_2025[town] = owner
        if town == handed_town:
            after_2025[town] = advisors[0]
    later = yearly_handovers(firms, after_2025, advisors, today)
    rows: list[Assignment] = []
    for f in firms:
        if profiles[f.index].kind == "plain" and rng.random() < 0.3:
            continue  # not (yet) in anyone's portfolio
        owner = owners[f.town]
        start = max(PORTFOLIOS_START, f.registered_on)
        history: list[tuple[str, date]] = [(owner, start)]
        if owner == advisors[-1]:  # advisor5's towns were advisor4's before they joined
            history = [(advisors[3], start), (owner, max(start, NEW_ADVISOR_ON))]
        if f.town == handed_town:
            history.append((advisors[0], max(start, TOWN_HANDOVER_ON)))
        for advisor, day in later.get(f.town, []):
            if advisor != history[-1][0]:
                history.append((advisor, max(start, day)))
        for k, (advisor, began) in enumerate(history):
            ended = history[k + 1][1] if k + 1 < len(history) else None
            if ended is not None and ended <= began:
                continue  # the firm came after the handover: one assignment only
            rows.append(Assignment(f.index, advisor, began, ended))
    return rows


def build_visits(firms: list[FirmSpec], profiles: dict[int, Profile],
                 assignments: list[Assignment], today: date,
                 rng: random.Random) -> list[Row]:
    """Visits over the two years before ``today`` by the advisor in charge on the day; the
    latest visit of a firm often has an open follow-up, some already overdue."""
    spans: dict[int, list[tuple[str, date, date | None]]] = {}
    for a in assignments:
        spans.setdefault(a.firm, []).append((a.advisor, a.started_on, a.ended_on))
    rows: list[Row] = []
    for f in firms:
        periods = spans.get(f.index)
        if not periods:
            continue
        profile = profiles[f.index]
        low, high = VISITS_PER_PROFILE[profile.kind]
        first = max(today - timedelta(days=730), periods[0][1])
        window = (today - first).days - 1
        if window <= 0:
            continue
        days = sorted({first + timedelta(days=rng.randint(0, window))
                       for _ in range(rng.randint(low, high))})
        for k, day in enumerate(days):
            advisor = next((a for a, s, e in periods if s <= day and (e is None or day < e)),
                           periods[-1][0])
            note = rng.choice(names.VISIT_NOTES)
            if profile.miss and k == len(days) - 1:
                note = names.NEAR_MISS_NOTES[profile.miss]
            last = k == len(days) - 1
            follow_up: date | None = day + timedelta(days=rng.randint(30, 90))
            done = True
            if last:  # open when still ahead; when past, most were done, some are overdue
                follow_up = None if rng.random() < 0.25 else day + timedelta(
                    days=rng.randint(14, 120))
                done = follow_up is not None and follow_up < today and rng.random() < 0.85
            rows.append({"firm": f.index, "advisor": advisor, "visited_on": day, "notes": note,
                         "next_follow_up_on": follow_up, "follow_up_done": done})
    return rows
