"""Demo firms: names, codes, towns, industries, registration dates and size (pure)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from cultivation.demo import names
from cultivation.enterprises.credit_code import ALPHABET, make_code
from cultivation.regions import Region

BASE_FIRMS = 800  # the plan's counts are calibrated for this many firms
ANCHORS_AT_BASE = 20  # the county's largest tech firms: early 高企, institutes, listed, 领军
_MA_CHARS = ALPHABET[:-1]  # GB 11714 bodies: digits and letters, no Y


def scaled(value: float, n: int) -> int:
    """``value`` (a count for ``BASE_FIRMS`` firms) scaled to ``n`` firms, rounded half up."""
    return int(math.floor(value * n / BASE_FIRMS + 0.5))


@dataclass
class FirmSpec:
    """One demo firm before it gets a database id; ``index`` is its position in the plan."""

    index: int
    trade: str  # 字号
    word: str  # industry word in the name
    name: str
    credit_code: str
    town: str
    industry: str
    registered_on: date
    first_year: int  # first fiscal year with figures
    first_sales: float  # 万元 in ``first_year``
    growth: float  # yearly sales factor
    tech: float  # 0–1: how likely the firm climbs the ladder
    address: str
    contact_person: str
    contact_phone: str
    contact_email: str
    anchor: bool = False
    tech_domain: str | None = None
    listed: bool = False
    above_scale: bool = False
    notes: str | None = None
    facts: dict[str, object] = field(default_factory=dict)
    scale_years: dict[int, bool] = field(default_factory=dict)  # fiscal year → 规上 that year
    listed_on: date | None = None

    @property
    def short_name(self) -> str:
        """The name without the legal form, for institution names."""
        return self.name.removesuffix("股份有限公司").removesuffix("有限公司")


def _towns(region: Region, n: int, rng: random.Random) -> list[str]:
    """Every configured town at least once (when n allows), the rest weighted by town size."""
    towns = list(region.towns[:n])
    weights = [names.town_weight(t) for t in region.towns]
    towns += rng.choices(region.towns, weights=weights, k=n - len(towns))
    rng.shuffle(towns)
    return towns


def _industries(region: Region, n: int, rng: random.Random) -> list[str]:
    weights = [names.INDUSTRY_WEIGHT.get(i, 5.0) for i in region.industries]
    return rng.choices(region.industries, weights=weights, k=n)


def _registered_on(rng: random.Random, anchor: bool) -> date:
    if anchor:
        year = rng.randint(1992, 2006)
    else:
        year = rng.choices(
            (rng.randint(1993, 2004), rng.randint(2005, 2014), rng.randint(2015, 2019),
             rng.randint(2020, 2024)),
            weights=(18, 38, 28, 16),
        )[0]
    return date(year, 1, 1) + timedelta(days=rng.randint(0, 364))


def _org_body(rng: random.Random, registered: date, taken: set[str]) -> str:
    """An unused 8-character organisation body: ``MA…`` codes since 2016, digits before."""
    while True:
        if registered.year >= 2016:
            body = "MA2" + "".join(rng.choice(_MA_CHARS) for _ in range(5))
        else:
            body = rng.choice(("14", "25", "60", "70", "73", "74", "76", "79")) + (
                f"{rng.randint(0, 999999):06d}"
            )
        if body not in taken:
            taken.add(body)
            return body


def _name(place: str, industry: str, rng: random.Random, taken: set[str]) -> tuple[str, str, str]:
    words = names.INDUSTRY_WORDS.get(industry, names.DEFAULT_WORDS)
    for attempt in range(200):
        trade = rng.choice(names.TRADE_FIRST) + rng.choice(names.TRADE_SECOND)
        if attempt > 50:  # crowded: a three-character 字号
            trade += rng.choice(names.TRADE_SECOND)
        word = rng.choice(words)
        name = f"{place}{trade}{word}有限公司"
        if name not in taken:
            taken.add(name)
            return trade, word, name
    raise RuntimeError("demo firm names exhausted")  # not reachable below 20,000 firms


def _person(rng: random.Random) -> str:
    return rng.choice(names.SURNAMES) + rng.choice(names.GIVEN_NAMES)


def _phone(rng: random.Random) -> str:
    return rng.choice(names.MOBILE_PREFIXES) + f"{rng.randint(0, 99999999):08d}"


def build_firms(n: int, region: Region, rng: random.Random) -> list[FirmSpec]:
    """``n`` firms spread over the region's towns and industries; the largest tech firms are
    marked as anchors."""
    place = region.name.removesuffix("县").removesuffix("市").removesuffix("区")
    prefix = "91" + region.code
    towns = _towns(region, n, rng)
    industries = _industries(region, n, rng)
    techs = [
        min(1.0, names.INDUSTRY_TECH.get(ind, 0.3) * rng.uniform(0.55, 1.35)) for ind in industries
    ]
    # Size: log-normal around 900 万; tech firms a little larger.
    sizes = [math.exp(rng.gauss(math.log(900) + 0.6 * t, 1.05)) for t in techs]
    n_anchors = scaled(ANCHORS_AT_BASE, n)
    tech_industry = [names.INDUSTRY_TECH.get(ind, 0.3) >= 0.5 for ind in industries]
    ranked = sorted(range(n), key=lambda i: (tech_industry[i], techs[i] * sizes[i]),
                    reverse=True)
    anchors = set(ranked[:n_anchors])

    firms: list[FirmSpec] = []
    taken_names: set[str] = set()
    taken_codes: set[str] = set()
    for i in range(n):
        anchor = i in anchors
        registered = _registered_on(rng, anchor)
        first_year = max(2019, registered.year + (1 if registered.month > 6 else 0))
        if anchor:
            first_sales = math.exp(rng.uniform(math.log(12000), math.log(90000)))
            growth = rng.uniform(1.06, 1.16)
        elif first_year > 2019:  # young firms start small and grow fast
            first_sales = math.exp(rng.uniform(math.log(60), math.log(900)))
            growth = rng.uniform(1.15, 1.45)
        else:
            first_sales = sizes[i]
            growth = rng.gauss(1.03 + 0.06 * techs[i], 0.05)
        if anchor:
            techs[i] = max(techs[i], 0.9)
        trade, word, name = _name(place, industries[i], rng, taken_names)
        if anchor or (first_sales > 8000 and rng.random() < 0.3):
            name = name.removesuffix("有限公司") + "股份有限公司"
        road = rng.choice(names.ROADS)
        firms.append(FirmSpec(
            index=i, trade=trade, word=word, name=name,
            credit_code=make_code(prefix[:8], _org_body(rng, registered, taken_codes)),
            town=towns[i], industry=industries[i], registered_on=registered,
            first_year=first_year, first_sales=round(first_sales, 2), growth=growth,
            tech=techs[i], anchor=anchor,
            address=f"{region.name}{towns[i]}{road}{rng.randint(1, 399)}号",
            contact_person=_person(rng), contact_phone=_phone(rng),
            contact_email=f"xj{i + 1:05d}@example.com",
        ))
    return firms


def sales_in(firm: FirmSpec, year: int) -> float | None:
    """The firm's sales revenue (万元) in ``year`` before noise; None before its first year."""
    if year < firm.first_year:
        return None
    value = firm.first_sales
    for y in range(firm.first_year + 1, year + 1):
        value *= firm.growth * (0.93 if y == 2020 else 1.0)
    return value
