"""Demo R&D institutions and listed firms (pure).

For ``BASE_FIRMS`` firms 8 省级企业研究院 and 24 省高新研发中心 are recognised by the end of 2020,
15 and 48 by the end of 2025 (other firm counts scale, rounded half up). Institutes go to the
largest anchors, each after its provincial 研发中心; 研发中心 go to 高企 of at least a year,
each after a municipal one. Listed firms are mostly institute holders — not all, so 三覆盖
shows gaps.
"""

from __future__ import annotations

import random
from datetime import date

from cultivation.demo import names
from cultivation.demo.certificates import extended
from cultivation.demo.firms import FirmSpec, sales_in, scaled
from cultivation.demo.ladder import Ladder, Row
from cultivation.demo.profiles import Profile

INSTITUTE_TOTALS = {
    2014: 3, 2015: 4, 2016: 5, 2017: 5, 2018: 6, 2019: 7, 2020: 8, 2021: 9, 2022: 11,
    2023: 12, 2024: 14, 2025: 15,
}
HNTE_CENTER_TOTALS = {
    2012: 4, 2013: 6, 2014: 9, 2015: 12, 2016: 15, 2017: 18, 2018: 20, 2019: 22, 2020: 24,
    2021: 29, 2022: 34, 2023: 38, 2024: 43, 2025: 48,
}
KEY_INSTITUTE_ON = date(2023, 11, 23)
CENTER_REVOKED_ON = date(2023, 9, 1)


def _institute_day(year: int) -> date:
    return date(year, 11, 12 + year % 10)


def _center_day(year: int) -> date:
    return date(year, 12, 1 + year % 15)


def _inst(firm: FirmSpec, kind: str, level: str | None, name: str, day: date,
          revoked_on: date | None = None) -> Row:
    return {"firm": firm.index, "kind": kind, "level": level, "name": name,
            "recognized_on": day, "revoked_on": revoked_on}


def build_institutions(firms: list[FirmSpec], profiles: dict[int, Profile], ladder: Ladder,
                       rng: random.Random, today: date) -> list[Row]:
    """Every R&D institution of the demo firms recognised by ``today`` (the plan's totals to
    2025, then one institute and a few 研发中心 a year); marks the listed firms."""
    n = len(firms)
    anchors = sorted((f for f in firms if f.anchor), key=lambda f: f.first_sales, reverse=True)
    word = {f.index: names.RESEARCH_WORDS.get(f.industry, "技术") for f in firms}
    prov, city = names.PROVINCE, names.CITY
    rows: list[Row] = []

    institute_year: dict[int, int] = {}
    queue = iter(anchors)
    for year, total in sorted(extended(INSTITUTE_TOTALS, today.year, (1,)).items()):
        while len(institute_year) < scaled(total, n):
            firm = next(queue, None)
            if firm is None:
                break
            institute_year[firm.index] = year
            rows.append(_inst(firm, "provincial_institute", "provincial",
                              f"{prov}{firm.trade}{word[firm.index]}研究院", _institute_day(year)))

    center_year: dict[int, int] = {}
    for year, total in sorted(extended(HNTE_CENTER_TOTALS, today.year, (4, 3)).items()):
        due = sorted((i for i in institute_year if i not in center_year),
                     key=lambda i: institute_year[i])
        others = sorted(
            (f for f in firms if f.index not in center_year and f.index not in institute_year
             and ladder.holds_hnte(f.index, year) and ladder.holds_hnte(f.index, year - 1)),
            key=lambda f: (sales_in(f, year) or f.first_sales) * rng.uniform(0.5, 1.5),
            reverse=True,
        )
        picks = [firms[i] for i in due] + others
        for firm in picks[:max(0, scaled(total, n) - len(center_year))]:
            center_year[firm.index] = year
            rows.append(_inst(firm, "provincial_hnte_center", "provincial",
                              f"{prov}{firm.trade}{word[firm.index]}高新技术企业研究开发中心",
                              _center_day(year)))

    municipal = {i: y - rng.randint(1, 3) for i, y in center_year.items()}
    for f in firms:
        ever_hnte = f.index in ladder.hnte_issued
        if f.index in municipal or not ever_hnte and profiles[f.index].kind not in ("near",
                                                                                   "ready"):
            continue
        if rng.random() < (0.4 if ever_hnte else 0.15):
            held = sorted(ladder.hnte_held.get(f.index, ()))
            municipal[f.index] = rng.choice(held[:3]) if held else rng.randint(2021, 2025)
    for index, year in sorted(municipal.items()):
        firm = firms[index]
        revoked = CENTER_REVOKED_ON if index == ladder.revoked_firm else None
        rows.append(_inst(firm, "municipal_hnte_center", "municipal",
                          f"{city}{firm.trade}{word[index]}高新技术研究开发中心",
                          date(max(year, firm.registered_on.year + 1), 10, 20), revoked))

    rows += _other_kinds(firms, profiles, anchors, institute_year, word, rng)
    _mark_listed(firms, anchors, institute_year)
    return [r for r in rows if r["recognized_on"] <= today]


def _other_kinds(firms: list[FirmSpec], profiles: dict[int, Profile], anchors: list[FirmSpec],
                 institute_year: dict[int, int], word: dict[int, str],
                 rng: random.Random) -> list[Row]:
    """技术中心, 工程中心, 重点实验室, 院士/博士后工作站, a 重点研究院 and 自建研发机构."""
    n = len(firms)
    prov = names.PROVINCE
    rows: list[Row] = []
    if institute_year:
        top = firms[min(institute_year, key=lambda i: (institute_year[i], i))]
        rows.append(_inst(top, "provincial_key_institute", "provincial",
                          f"{prov}{top.trade}{word[top.index]}重点企业研究院", KEY_INSTITUTE_ON))
    for rank, firm in enumerate(anchors[:scaled(8, n)]):
        level = "national" if rank == 0 else "provincial"
        rows.append(_inst(firm, "tech_center", level, f"{firm.short_name}企业技术中心",
                          date(rng.randint(2012, 2022), rng.randint(3, 11), rng.randint(1, 28))))
    hnte = [f for f in firms if f.index in profiles and profiles[f.index].kind == "hnte"]
    for firm in rng.sample(hnte, min(len(hnte), scaled(20, n))):
        rows.append(_inst(firm, "tech_center", "municipal", f"{firm.short_name}企业技术中心",
                          date(rng.randint(2016, 2025), rng.randint(3, 11), rng.randint(1, 28))))
    for firm in rng.sample(hnte, min(len(hnte), scaled(6, n))):
        rows.append(_inst(firm, "engineering_center", rng.choice(("provincial", "municipal")),
                          f"{firm.short_name}{word[firm.index]}工程技术研究中心",
                          date(rng.randint(2015, 2025), 6, 15)))
    specials = (("key_lab", "重点实验室", 2), ("academician_station", "院士专家工作站", 3),
                ("postdoc_station", "博士后工作站", 3))
    for kind, label, count in specials:
        for firm in rng.sample(anchors, min(len(anchors), scaled(count, n))):
            rows.append(_inst(firm, kind, "provincial", f"{firm.short_name}{label}",
                              date(rng.randint(2014, 2024), rng.randint(3, 11), 18)))
    smes = [f for f in firms if profiles[f.index].kind in ("sme", "near", "ready")]
    for firm in rng.sample(smes, min(len(smes), scaled(60, n))):
        start = max(2015, firm.registered_on.year + 1)
        rows.append(_inst(firm, "in_house", None, f"{firm.short_name}研发中心",
                          date(rng.randint(min(start, 2025), 2025), rng.randint(1, 12), 10)))
    return rows


def _mark_listed(firms: list[FirmSpec], anchors: list[FirmSpec],
                 institute_year: dict[int, int]) -> None:
    """Listed: the largest institute holders, one anchor without an institute and the largest
    other firm (so some listed firms lack a 省级企业研究院)."""
    n = len(firms)
    holders = [f for f in anchors if f.index in institute_year] or anchors
    chosen = holders[:max(1, scaled(5, n))]
    chosen += [f for f in anchors if f.index not in institute_year][:scaled(1, n)]
    rest = sorted((f for f in firms if not f.anchor), key=lambda f: f.first_sales, reverse=True)
    chosen += rest[:scaled(1, n)]
    for firm in chosen:
        firm.listed = True
        firm.listed_on = date(max(firm.registered_on.year + 5, 2010 + firm.index % 15),
                              firm.index % 12 + 1, 18)
        firm.name = firm.name if firm.name.endswith("股份有限公司") else (
            firm.name.removesuffix("有限公司") + "股份有限公司")
