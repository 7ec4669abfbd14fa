"""Demo qualifications calibrated to the 14th plan (pure).

For ``BASE_FIRMS`` (800) firms exactly 48 高企 and 281 省科小 are in force on 2020-12-31 and
90 / 450 on 2025-12-31; for other firm counts every target is scaled by n / 800 (rounded half
up). 高企 certificates run 3 years from issue (renewal = a new certificate, 重新认定); 省科小 list
entries run one year and are renewed yearly; national 科小 入库 entries run one year from
入库; county 初创 recognitions run 3 years; 2–3 anchors are on the 领军 lists; one 高企
certificate is revoked in 2023.

History is played forward past 2025 to the load date: the targets keep growing (more slowly),
every year has its 高企 batches with re-certifications, its 省科小 list and its 科小 entries.
Lists already announced (公示) within ``LOOKAHEAD_DAYS`` after the load date are included with
their future start, so the ladder does not collapse the week after loading.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from itertools import count

from cultivation.demo.firms import FirmSpec, sales_in, scaled
from cultivation.demo.ladder import Ladder, roll, row, term_end

HNTE_TARGETS = {
    2008: 5, 2009: 8, 2010: 10, 2011: 12, 2012: 14, 2013: 17, 2014: 20, 2015: 24, 2016: 28,
    2017: 33, 2018: 38, 2019: 43, 2020: 48, 2021: 55, 2022: 62, 2023: 70, 2024: 80, 2025: 90,
}
ZJ_SME_TARGETS = {
    2014: 60, 2015: 110, 2016: 150, 2017: 190, 2018: 230, 2019: 258, 2020: 281, 2021: 315,
    2022: 350, 2023: 385, 2024: 420, 2025: 450,
}
NATIONAL_SME_TARGETS = {
    2017: 30, 2018: 45, 2019: 60, 2020: 80, 2021: 100, 2022: 130, 2023: 150, 2024: 170,
    2025: 190, 2026: 200,
}
STARTUP_COUNTS = {2021: 3, 2022: 4, 2023: 5, 2024: 5, 2025: 6, 2026: 4}
HNTE_BATCHES = ((12, 1), (12, 20))  # renewals always in the first batch: no gap in the tier
ZJ_SME_LIST_DAY = (12, 8)
STARTUP_DAY = (6, 28)
REVOKED_ON = date(2023, 6, 16)
LEADING_LISTS = ((date(2021, 9, 30), (0, 1)), (date(2024, 9, 26), (0, 2)))  # anchor ranks
SME_SALES_CAP = 20000.0  # 万元: 科技型中小企业 are small and medium firms
LOOKAHEAD_DAYS = 120  # lists announced before they take effect
LEADING_EVERY = 3  # the 领军 list is renewed every three years after 2024
ANNOUNCED = "已公示"


def extended(targets: dict[int, int], last_year: int, steps: tuple[int, ...]) -> dict[int, int]:
    """``targets`` continued to ``last_year``: each later year adds the next step (the last
    step repeats), so growth slows after the plan period."""
    result = dict(targets)
    year, value = max(targets), targets[max(targets)]
    for k in count():
        year += 1
        if year > last_year:
            return result
        value += steps[min(k, len(steps) - 1)]
        result[year] = value
    return result  # pragma: no cover - count() never ends


def build_ladder(firms: list[FirmSpec], rng: random.Random, *, region_code: str,
                 until: date) -> Ladder:
    """Every qualification of the demo firms starting on or before ``until`` (the load date
    plus LOOKAHEAD_DAYS), plus which firm held what at each year end. Each kind draws from its
    own generator, so playing further forward never changes an earlier year."""
    ladder = Ladder()
    seeds = [rng.getrandbits(64) for _ in range(4)]
    _hnte(ladder, firms, random.Random(seeds[0]), until.year)
    _zj_sme(ladder, firms, random.Random(seeds[1]), until.year)
    _national_sme(ladder, firms, random.Random(seeds[2]), region_code, until.year)
    _startups(ladder, firms, random.Random(seeds[3]), until.year)
    _leading(ladder, firms, until.year)
    ladder.rows = [r for r in ladder.rows if r["valid_from"] <= until]
    return ladder


def announce(rows: list[dict[str, object]], today: date) -> None:
    """Mark the rows that start after ``today`` as announced lists (公示), not yet in force."""
    for r in rows:
        start = r["valid_from"]
        if isinstance(start, date) and start > today:
            note = r.get("note")
            r["note"] = f"{ANNOUNCED}，{start.year}年{start.month}月{start.day}日起生效" + (
                f"；{note}" if note else "")


def _sales(firm: FirmSpec, year: int) -> float:
    return sales_in(firm, year) or firm.first_sales


def _hnte(ladder: Ladder, firms: list[FirmSpec], rng: random.Random, last_year: int) -> None:
    n = len(firms)
    anchors = sorted((f for f in firms if f.anchor), key=lambda f: f.registered_on)

    def eligible(f: FirmSpec, year: int) -> bool:
        return f.tech >= 0.3 and f.registered_on <= date(year - 1, 11, 30)

    def weight(f: FirmSpec, year: int) -> float:
        return f.tech ** 3 * (0.4 if f.index in ladder.hnte_issued else 1.0)

    days = random.Random(rng.getrandbits(64))  # batch days: own stream, years append
    issued, revoked = roll(
        rng, firms, {y: scaled(t, n) for y, t in extended(
            HNTE_TARGETS, last_year, (8, 7, 6, 5, 4, 3)).items() if y <= last_year},
        term=3, renew_p=0.86,
        eligible=eligible, weight=weight, keep={f.index for f in anchors},
        revoke={REVOKED_ON.year: 1}, first=lambda year: anchors,
    )
    seq: dict[int, int] = {}
    for year, entries in sorted(issued.items()):
        for index, renewal in entries:
            start = date(year, *HNTE_BATCHES[0 if renewal or days.random() < 0.75 else 1])
            seq[year] = seq.get(year, 0) + 1
            entry = row(index, "hnte", f"GR{year}33{seq[year]:06d}", start, term_end(start, 3),
                        "重新认定" if renewal else None)
            last = year + 2
            gone = revoked.get(index)
            if gone is not None and year < gone <= year + 2:
                last = gone - 1
                entry.update(status="revoked", revoked_on=REVOKED_ON,
                             note="发生重大安全事故，撤销高新技术企业资格")
                ladder.revoked_firm = index
            ladder.hnte_issued.setdefault(index, []).append(year)
            ladder.hnte_held.setdefault(index, set()).update(range(year, last + 1))
            ladder.rows.append(entry)


def _zj_sme(ladder: Ladder, firms: list[FirmSpec], rng: random.Random, last_year: int) -> None:
    n = len(firms)
    ever: set[int] = set()

    def eligible(f: FirmSpec, year: int) -> bool:
        return (not f.anchor and f.tech >= 0.15 and f.registered_on <= date(year, 6, 30)
                and _sales(f, year) < SME_SALES_CAP)

    def weight(f: FirmSpec, year: int) -> float:
        w = f.tech ** 2
        if ladder.holds_hnte(f.index, year - 1):
            w *= 1.5
        return w * (0.5 if f.index in ever else 1.0)

    targets = extended(ZJ_SME_TARGETS, last_year, (25, 20, 15, 10, 8))
    issued, _ = roll(rng, firms, {y: scaled(t, n) for y, t in targets.items() if y <= last_year},
                     term=1, renew_p=0.93, eligible=eligible, weight=weight)
    for year, entries in sorted(issued.items()):
        start = date(year, *ZJ_SME_LIST_DAY)
        for seq, (index, _renewal) in enumerate(entries, start=1):
            ever.add(index)
            ladder.zj_held.setdefault(index, set()).add(year)
            ladder.rows.append(row(index, "zj_tech_sme", f"ZJKX{year}{seq:05d}", start,
                                   term_end(start, 1)))


def _national_sme(ladder: Ladder, firms: list[FirmSpec], rng: random.Random,
                  region_code: str, last_year: int) -> None:
    n = len(firms)

    def eligible(f: FirmSpec, year: int) -> bool:
        return (not f.anchor and f.tech >= 0.3 and f.registered_on <= date(year - 1, 12, 31)
                and _sales(f, year) < SME_SALES_CAP)

    def weight(f: FirmSpec, year: int) -> float:
        listed = ladder.holds_zj(f.index, year) or ladder.holds_zj(f.index, year - 1)
        return f.tech ** 2 * (3.0 if listed else 0.6)

    days = random.Random(rng.getrandbits(64))  # entry days: own stream, years append
    targets = extended(NATIONAL_SME_TARGETS, last_year, (10,))
    issued, _ = roll(rng, firms, {y: scaled(t, n) for y, t in targets.items() if y <= last_year},
                     term=1, renew_p=0.8, eligible=eligible, weight=weight)
    last: dict[int, date] = {}
    for year, entries in sorted(issued.items()):
        for seq, (index, renewal) in enumerate(entries, start=1):
            start = date(year, 3, 15) + timedelta(days=days.randint(0, 200))
            if renewal:  # re-evaluated a little before last year's entry runs out
                start = max(date(year, 3, 1), last[index].replace(year=year)
                            - timedelta(days=days.randint(0, 20)))
            last[index] = start
            ladder.rows.append(row(index, "tech_sme", f"{year}{region_code}{seq:06d}", start,
                                   term_end(start, 1), "科技型中小企业评价入库"))


def _startups(ladder: Ladder, firms: list[FirmSpec], rng: random.Random, last_year: int
              ) -> None:
    """County 初创 recognitions (from 2021): young tech firms not yet on the ladder."""
    done: set[int] = set()
    counts = extended(STARTUP_COUNTS, last_year, (0,))
    for year, number in sorted(counts.items()):
        if year > last_year:
            continue
        start = date(year, *STARTUP_DAY)
        pool = [
            f for f in firms
            if f.index not in done and f.tech >= 0.35 and not f.anchor
            and date(year - 3, 7, 1) <= f.registered_on <= date(year, 3, 31)
            and not ladder.holds_zj(f.index, year - 1) and not ladder.holds_hnte(f.index, year)
        ]
        rng.shuffle(pool)
        for seq, firm in enumerate(pool[:scaled(number, len(firms))], start=1):
            done.add(firm.index)
            ladder.rows.append(row(firm.index, "startup", f"XJCC{year}{seq:03d}", start,
                                   term_end(start, 3), "县科技型初创企业认定"))


def _leading(ladder: Ladder, firms: list[FirmSpec], last_year: int) -> None:
    """The largest anchors on the 省创新型领军企业 lists (2021 and 2024, then every three years;
    three years each)."""
    anchors = sorted((f for f in firms if f.anchor), key=lambda f: f.first_sales, reverse=True)
    lists = list(LEADING_LISTS)
    last_start, last_ranks = lists[-1]
    year = last_start.year + LEADING_EVERY
    while year <= last_year:
        lists.append((last_start.replace(year=year), last_ranks))
        year += LEADING_EVERY
    for start, ranks in lists:
        for seq, rank in enumerate(ranks, start=1):
            if rank < len(anchors):
                ladder.rows.append(row(anchors[rank].index, "leading",
                                       f"ZJLJ{start.year}{seq:03d}", start, term_end(start, 3),
                                       "浙江省创新型领军企业"))
