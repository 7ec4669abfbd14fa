"""Demo qualifications calibrated to the 14th plan (pure).

For ``BASE_FIRMS`` (800) firms exactly 48 高企 and 281 省科小 are in force on 2020-12-31 and
90 / 450 on 2025-12-31; for other firm counts every target is scaled by n / 800 (rounded half
up). 高企 certificates run 3 years from issue (renewal = a new certificate, 重新认定); 省科小 list
entries run one year and are renewed yearly; national 科小 入库 entries run one year from
入库; county 初创 recognitions run 3 years; 2–3 anchors are on the 领军 lists; one 高企
certificate is revoked in 2023.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

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


def build_ladder(firms: list[FirmSpec], rng: random.Random, *, region_code: str) -> Ladder:
    """Every qualification of the demo firms, plus which firm held what at each year end."""
    ladder = Ladder()
    _hnte(ladder, firms, rng)
    _zj_sme(ladder, firms, rng)
    _national_sme(ladder, firms, rng, region_code)
    _startups(ladder, firms, rng)
    _leading(ladder, firms)
    return ladder


def _sales(firm: FirmSpec, year: int) -> float:
    return sales_in(firm, year) or firm.first_sales


def _hnte(ladder: Ladder, firms: list[FirmSpec], rng: random.Random) -> None:
    n = len(firms)
    anchors = sorted((f for f in firms if f.anchor), key=lambda f: f.registered_on)

    def eligible(f: FirmSpec, year: int) -> bool:
        return f.tech >= 0.3 and f.registered_on <= date(year - 1, 11, 30)

    def weight(f: FirmSpec, year: int) -> float:
        return f.tech ** 3 * (0.4 if f.index in ladder.hnte_issued else 1.0)

    issued, revoked = roll(
        rng, firms, {y: scaled(t, n) for y, t in HNTE_TARGETS.items()}, term=3, renew_p=0.86,
        eligible=eligible, weight=weight, keep={f.index for f in anchors},
        revoke={REVOKED_ON.year: 1}, first=lambda year: anchors,
    )
    seq: dict[int, int] = {}
    for year, entries in sorted(issued.items()):
        for index, renewal in entries:
            start = date(year, *HNTE_BATCHES[0 if renewal or rng.random() < 0.75 else 1])
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


def _zj_sme(ladder: Ladder, firms: list[FirmSpec], rng: random.Random) -> None:
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

    issued, _ = roll(rng, firms, {y: scaled(t, n) for y, t in ZJ_SME_TARGETS.items()}, term=1,
                     renew_p=0.93, eligible=eligible, weight=weight)
    for year, entries in sorted(issued.items()):
        start = date(year, *ZJ_SME_LIST_DAY)
        for seq, (index, _renewal) in enumerate(entries, start=1):
            ever.add(index)
            ladder.zj_held.setdefault(index, set()).add(year)
            ladder.rows.append(row(index, "zj_tech_sme", f"ZJKX{year}{seq:05d}", start,
                                   term_end(start, 1)))


def _national_sme(ladder: Ladder, firms: list[FirmSpec], rng: random.Random,
                  region_code: str) -> None:
    n = len(firms)

    def eligible(f: FirmSpec, year: int) -> bool:
        return (not f.anchor and f.tech >= 0.3 and f.registered_on <= date(year - 1, 12, 31)
                and _sales(f, year) < SME_SALES_CAP)

    def weight(f: FirmSpec, year: int) -> float:
        listed = ladder.holds_zj(f.index, year) or ladder.holds_zj(f.index, year - 1)
        return f.tech ** 2 * (3.0 if listed else 0.6)

    issued, _ = roll(rng, firms, {y: scaled(t, n) for y, t in NATIONAL_SME_TARGETS.items()},
                     term=1, renew_p=0.8, eligible=eligible, weight=weight)
    last: dict[int, date] = {}
    for year, entries in sorted(issued.items()):
        for seq, (index, renewal) in enumerate(entries, start=1):
            start = date(year, 3, 15) + timedelta(days=rng.randint(0, 200))
            if renewal:  # re-evaluated a little before last year's entry runs out
                start = max(date(year, 3, 1), last[index].replace(year=year)
                            - timedelta(days=rng.randint(0, 20)))
            last[index] = start
            ladder.rows.append(row(index, "tech_sme", f"{year}{region_code}{seq:06d}", start,
                                   term_end(start, 1), "科技型中小企业评价入库"))


def _startups(ladder: Ladder, firms: list[FirmSpec], rng: random.Random) -> None:
    """County 初创 recognitions (from 2021): young tech firms not yet on the ladder."""
    done: set[int] = set()
    for year, count in sorted(STARTUP_COUNTS.items()):
        start = date(year, *STARTUP_DAY)
        pool = [
            f for f in firms
            if f.index not in done and f.tech >= 0.35 and not f.anchor
            and date(year - 3, 7, 1) <= f.registered_on <= date(year, 3, 31)
            and not ladder.holds_zj(f.index, year - 1) and not ladder.holds_hnte(f.index, year)
        ]
        rng.shuffle(pool)
        for seq, firm in enumerate(pool[:scaled(count, len(firms))], start=1):
            done.add(firm.index)
            ladder.rows.append(row(firm.index, "startup", f"XJCC{year}{seq:03d}", start,
                                   term_end(start, 3), "县科技型初创企业认定"))


def _leading(ladder: Ladder, firms: list[FirmSpec]) -> None:
    """The largest anchors on the 省创新型领军企业 lists (2021 and 2024, three years each)."""
    anchors = sorted((f for f in firms if f.anchor), key=lambda f: f.first_sales, reverse=True)
    for start, ranks in LEADING_LISTS:
        for seq, rank in enumerate(ranks, start=1):
            if rank < len(anchors):
                ladder.rows.append(row(anchors[rank].index, "leading",
                                       f"ZJLJ{start.year}{seq:03d}", start, term_end(start, 3),
                                       "浙江省创新型领军企业"))
