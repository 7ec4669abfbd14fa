"""The whole demo data set as plain rows, from a firm count, a seed and "today" (pure).

Each part draws from its own ``random.Random(f"{seed}:{part}")`` so the same seed and load
date give the same data. The county's history is played forward to ``today`` (the load date):
certificate lists up to it (and those announced for the next ``LOOKAHEAD_DAYS``), figures up to
the last closed fiscal year, visits up to the day; the listed / above-scale flags get a dated
history (``flags``).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from cultivation.demo.certificates import LOOKAHEAD_DAYS, announce, build_ladder
from cultivation.demo.figures import build_figures
from cultivation.demo.firms import FirmSpec, build_firms
from cultivation.demo.institutions import build_institutions
from cultivation.demo.ladder import Row
from cultivation.demo.people import Assignment, build_assignments, build_visits
from cultivation.demo.profiles import Profile, apply_facts, classify, last_fiscal_year
from cultivation.regions import Region

FACT_FIELDS = (
    "core_ip_owned", "ip_self_developed", "led_standard", "major_incident_last_year",
    "national_award_5y", "self_tech_advancement", "self_core_support", "self_rd_management",
)
MAX_FIRMS = 20000


@dataclass
class DemoPlan:
    """Rows to insert; ``firm`` keys are indexes into ``firms``, ``advisor`` keys usernames."""

    firms: list[FirmSpec]
    profiles: dict[int, Profile]
    figures: list[Row]
    qualifications: list[Row]
    institutions: list[Row]
    assignments: list[Assignment]
    visits: list[Row]
    flags: list[Row]

    def enterprise_rows(self) -> Iterator[Row]:
        """Column values of every firm (all rows have the same keys, for bulk writes)."""
        return (
            {
                "credit_code": f.credit_code, "name": f.name, "town": f.town,
                "industry": f.industry, "tech_domain": f.tech_domain,
                "sector": SECTOR_OF_INDUSTRY.get(f.industry, "industry"),
                "registered_on": f.registered_on, "above_scale": f.above_scale,
                "listed": f.listed, "address": f.address, "contact_person": f.contact_person,
                "contact_phone": f.contact_phone, "contact_email": f.contact_email,
                "notes": f.notes, **{k: f.facts.get(k) for k in FACT_FIELDS},
            }
            for f in self.firms
        )


# 行业门类 for SME sizing (工信部联企业〔2011〕300号) of a demo firm, from its local industry:
# manufacturing industries are 工业.
SECTOR_OF_INDUSTRY = {"数字经济": "software_it", "农业": "agriculture"}


def build_plan(n: int, seed: int, region: Region, today: date) -> DemoPlan:
    """Generate ``n`` firms with their histories; raises ValueError for a bad count."""
    if not 1 <= n <= MAX_FIRMS:
        raise ValueError(f"企业数量必须在 1 到 {MAX_FIRMS} 之间")

    def rng(part: str) -> random.Random:
        return random.Random(f"{seed}:{part}")

    last_year = last_fiscal_year(today)
    firms = build_firms(n, region, rng("firms"))
    ladder = build_ladder(firms, rng("ladder"), region_code=region.code,
                          until=today + timedelta(days=LOOKAHEAD_DAYS))
    profiles = classify(firms, ladder, rng("profiles"), last_year)
    apply_facts(firms, profiles, ladder, rng("facts"))
    figures = build_figures(firms, profiles, ladder, rng("figures"), last_year)
    institutions = build_institutions(firms, profiles, ladder, rng("institutions"), today)
    assignments = build_assignments(firms, profiles, rng("portfolios"), today)
    visits = build_visits(firms, profiles, assignments, today, rng("visits"))
    for q in ladder.rows:
        end = q["valid_to"]
        if q["status"] == "valid" and isinstance(end, date) and end < today:
            q["status"] = "expired"
    announce(ladder.rows, today)
    return DemoPlan(firms, profiles, figures, ladder.rows, institutions, assignments, visits,
                    flag_history(firms))


def flag_history(firms: list[FirmSpec]) -> list[Row]:
    """Dated listed / above-scale rows: a firm is 规上 from 1 January after a fiscal year with
    sales of 2,000 万元 or more (until a year below); listed from its listing day."""
    rows: list[Row] = []
    for f in firms:
        value = False
        rows.append({"firm": f.index, "flag": "above_scale", "value": False,
                     "valid_from": f.registered_on})
        for year, above in sorted(f.scale_years.items()):
            if above != value:
                value = above
                rows.append({"firm": f.index, "flag": "above_scale", "value": above,
                             "valid_from": date(year + 1, 1, 1)})
        if f.listed and f.listed_on is not None:
            rows.append({"firm": f.index, "flag": "listed", "value": False,
                         "valid_from": f.registered_on})
            rows.append({"firm": f.index, "flag": "listed", "value": True,
                         "valid_from": max(f.listed_on, f.registered_on + timedelta(days=1))})
    return rows
