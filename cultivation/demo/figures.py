"""Demo fiscal-year figures from 2019 to the last closed fiscal year that fit each firm's
story (pure).

高企 (and firms preparing an application) meet the conditions — R&D ratio for their sales band
plus a margin, ≥ 60 % high-tech revenue, ≥ 10 % tech staff; a firm's last year before a lapse
does not; ``near`` candidates miss one condition by a little; a few firms have gaps (a year
not reported, a field left empty). Money in 万元.
"""

from __future__ import annotations

import math
import random

from cultivation.demo.firms import FirmSpec, sales_in
from cultivation.demo.ladder import Ladder, Row
from cultivation.demo.profiles import Profile, meets_hnte

FIRST_YEAR = 2019
ABOVE_SCALE_SALES = 2000.0  # 万元 主营业务收入: 规上 industrial firm
OUTPUT_PER_HEAD = {  # 万元 sales per employee
    "医药": 120, "医疗器械": 80, "橡塑制品": 60, "电子电气": 60, "工艺礼品": 35,
    "高端装备": 70, "新材料": 90, "数字经济": 40, "农业": 30, "其他": 50,
}


def rd_rate(sales: float) -> float:
    """The 高企 R&D-to-sales rate for a sales figure (万元)."""
    if sales <= 5000:
        return 0.05
    if sales <= 20000:
        return 0.04
    return 0.03


def build_figures(firms: list[FirmSpec], profiles: dict[int, Profile], ladder: Ladder,
                  rng: random.Random, last_year: int) -> list[Row]:
    """One row per firm and reported year up to ``last_year``; sets ``above_scale`` from the
    latest sales and records the yearly 规上 status in ``scale_years``."""
    rows: list[Row] = []
    for firm in firms:
        rows += _firm_rows(firm, profiles[firm.index], ladder, rng, last_year)
    return rows


def _firm_rows(firm: FirmSpec, profile: Profile, ladder: Ladder,
               rng: random.Random, last_year: int) -> list[Row]:
    years = [y for y in range(FIRST_YEAR, last_year + 1) if y >= firm.first_year]
    if not years:
        return []
    sales = {y: (sales_in(firm, y) or 0.0) * rng.uniform(0.96, 1.04) for y in years}
    # Per-firm levels keep the series smooth; the strictest band the firm is ever in sets the
    # R&D rate a 高企 must beat, so three-year sums meet it too.
    rate = rd_rate(min(sales.values())) + rng.uniform(0.003, 0.025)
    plain_rd = rng.uniform(0.015, 0.045) if profile.kind != "plain" else rng.uniform(0.002, 0.025)
    ht_share = rng.uniform(0.62, 0.9)
    staff_share = rng.uniform(0.12, 0.3)
    per_head = OUTPUT_PER_HEAD.get(firm.industry, 50) * rng.uniform(0.7, 1.3)
    assets_ratio = rng.uniform(0.7, 1.6)
    equity_ratio = rng.uniform(0.35, 0.65)
    ip_base = rng.randint(15, 60) if profile.kind == "anchor" else rng.randint(1, 10)
    skip = _skipped_years(firm, profile, years, rng, last_year)
    rows = []
    for k, year in enumerate(years):
        if year in skip:
            continue
        s = sales[year]
        firm.above_scale = s >= ABOVE_SCALE_SALES  # the latest reported year decides
        firm.scale_years[year] = firm.above_scale
        meets = meets_hnte(firm, profile, ladder, year, last_year)
        miss = profile.miss if (year >= last_year - 3 and profile.kind == "near") or (
            profile.risk and year >= last_year - 2) else None
        employees = max(3, round(s / per_head))
        if miss == "tech_staff":  # 10t + 1 staff of whom t in R&D: just under 10 %
            employees = 10 * max(3, employees // 10) + 1
        total_revenue = s * rng.uniform(1.0, 1.06)
        if meets and miss != "rd":
            rd = s * (rate + rng.uniform(-0.002, 0.002))
        elif miss == "rd":
            rd = s * (rd_rate(s) - rng.uniform(0.001, 0.005))
        else:
            rd = s * plain_rd * rng.uniform(0.85, 1.15)
        if meets and miss != "high_tech":
            high_tech: float | None = total_revenue * (ht_share + rng.uniform(-0.02, 0.02))
        elif miss == "high_tech":
            high_tech = total_revenue * rng.uniform(0.55, 0.595)
        elif profile.kind == "plain":
            high_tech = None if rng.random() < 0.5 else total_revenue * rng.uniform(0, 0.3)
        else:
            high_tech = total_revenue * rng.uniform(0.25, 0.58)
        if meets and miss != "tech_staff":
            tech: int | None = math.ceil(employees * staff_share)
        elif miss == "tech_staff":
            tech = max(1, math.ceil(employees * 0.1) - 1)
        else:
            tech = round(employees * rng.uniform(0.02, 0.09 if profile.kind == "plain" else 0.2))
        if not meets and rng.random() < 0.03:
            tech = None  # not reported
        if profile.kind == "sme" and rng.random() < 0.03:
            high_tech = None
        good = meets or profile.kind in ("near", "lapsed")
        assets = s * assets_ratio
        rows.append({
            "firm": firm.index, "year": year, "employees": employees, "tech_staff": tech,
            "sales_revenue": round(s, 2), "total_revenue": round(total_revenue, 2),
            "high_tech_revenue": None if high_tech is None else round(high_tech, 2),
            "rd_expense": round(rd, 2),
            "rd_expense_domestic": round(rd * rng.uniform(0.9 if good else 0.8, 1.0), 2),
            "total_cost": round(s * rng.uniform(0.78, 0.95), 2),
            "total_assets": round(assets, 2),
            "net_assets": round(assets * equity_ratio, 2),
            "ip_class_i": ip_base + k if good else rng.randint(0, 2),
            "ip_class_ii": ip_base * 3 + 2 * k if good else rng.randint(0, 8),
            "conversions": rng.randint(4, 15) if good else rng.randint(0, 5),
            "source": _source(firm, s, meets, rng),
        })
    return rows


def _skipped_years(firm: FirmSpec, profile: Profile, years: list[int],
                   rng: random.Random, last_year: int) -> set[int]:
    """A few firms have not reported the latest year, or one earlier year."""
    if profile.kind == "anchor" or len(years) < 2:
        return set()
    roll = rng.random()
    if roll < 0.03:
        return {last_year}
    if roll < 0.05:
        return {rng.choice(years[:-1])}
    return set()


def _source(firm: FirmSpec, sales: float, meets: bool, rng: random.Random) -> str:
    if sales >= ABOVE_SCALE_SALES:
        return rng.choices(("stats", "tax", "verified"), weights=(6, 2, 2 if meets else 0))[0]
    return rng.choices(("self", "tax", "verified"), weights=(6, 3, 1 if meets else 0))[0]
