"""What each demo firm is today (a 高企, a screening candidate, a plain firm …) and the
qualitative inputs and 技术领域 that go with it (pure)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from cultivation.demo import names
from cultivation.demo.firms import FirmSpec, scaled
from cultivation.demo.ladder import Ladder, Row

CALIBRATED_YEAR = 2025  # the plan period's last year: figures exist at least up to it


def last_fiscal_year(today: date) -> int:
    """The latest closed fiscal year with figures on ``today`` (never before 2025)."""
    return max(CALIBRATED_YEAR, today.year - 1)
NEAR_MISSES = ("rd", "high_tech", "tech_staff")


@dataclass(frozen=True)
class Profile:
    """``kind``: anchor | hnte | lapsed | ready | near | sme | plain.

    ``near`` firms miss one 高企 condition (``miss``) by a little in the last four fiscal years
    (2022–2025 for a load in 2026); ``ready`` firms meet all of them without holding a
    certificate; ``risk`` 高企 (certificate due for re-certification the year after the last
    fiscal year) slipped just below the R&D ratio in its last three years.
    """

    kind: str
    miss: str | None = None
    risk: bool = False


def classify(firms: list[FirmSpec], ladder: Ladder, rng: random.Random, last_year: int
             ) -> dict[int, Profile]:
    """A profile per firm index, from its qualification history and a few random picks."""
    ladder_firms = {r["firm"] for r in ladder.rows}
    profiles: dict[int, Profile] = {}
    for f in firms:
        if f.anchor:
            profiles[f.index] = Profile("anchor")
        elif ladder.holds_hnte(f.index, last_year):
            profiles[f.index] = Profile("hnte")
        elif f.index in ladder.hnte_issued:
            profiles[f.index] = Profile("lapsed")
        elif f.index in ladder_firms:
            profiles[f.index] = Profile("sme")
        else:
            profiles[f.index] = Profile("plain")
    n = len(firms)
    pool = [f for f in firms if profiles[f.index].kind == "sme" and f.tech >= 0.45
            and ladder.holds_zj(f.index, last_year) and f.first_year <= last_year - 3]
    rng.shuffle(pool)
    n_ready, n_near = scaled(20, n), scaled(40, n)
    for f in pool[:n_ready]:
        profiles[f.index] = Profile("ready")
    for k, f in enumerate(pool[n_ready:n_ready + n_near]):
        profiles[f.index] = Profile("near", miss=NEAR_MISSES[k % len(NEAR_MISSES)])
    # 高企 whose certificate (issued 2023) expires in 2026 and whose R&D slipped in 2025.
    due = [f for f in firms if profiles[f.index].kind == "hnte"
           and last_year - 2 in ladder.hnte_issued.get(f.index, [])]
    for f in rng.sample(due, min(len(due), scaled(3, n))):
        profiles[f.index] = Profile("hnte", miss="rd", risk=True)
    return profiles


def meets_hnte(firm: FirmSpec, profile: Profile, ladder: Ladder, year: int, last_year: int
               ) -> bool:
    """Whether the firm's ``year`` figures meet the 高企 conditions (before near misses)."""
    if profile.kind == "anchor":
        return True
    if profile.kind in ("ready", "near"):
        return year >= last_year - 3
    issued = ladder.hnte_issued.get(firm.index, [])
    if year + 1 in issued or year + 2 in issued or ladder.holds_hnte(firm.index, year + 1):
        return True  # holds it next year or is preparing an application
    # Held this year but not the next: the figures explain the lapse. Last year: future unknown.
    return year == last_year and ladder.holds_hnte(firm.index, year)


def apply_facts(firms: list[FirmSpec], profiles: dict[int, Profile], ladder: Ladder,
                rng: random.Random) -> None:
    """Fill 技术领域, the qualitative assessment inputs and notes on every firm."""
    hnte_now = [f for f in firms if profiles[f.index].kind == "hnte" and not profiles[f.index].risk]
    incidents = {f.index for f in rng.sample(hnte_now, min(len(hnte_now), scaled(2, len(firms))))}
    for f in firms:
        kind = profiles[f.index].kind
        domains = names.INDUSTRY_DOMAINS.get(f.industry, names.DEFAULT_DOMAINS)
        if kind != "plain" or f.tech >= 0.5:
            f.tech_domain = domains[0] if rng.random() < 0.7 else rng.choice(domains)
        f.facts = _facts(kind, f.index in incidents, rng)
    if ladder.revoked_firm is not None:
        firms[ladder.revoked_firm].notes = "2023年6月发生重大安全事故，高新技术企业资格被撤销。"
    for index in sorted(incidents):
        firms[index].notes = "近一年因严重环境违法行为受到生态环境部门处罚，影响高企重新认定。"


def _maybe(rng: random.Random, p_true: float, p_none: float) -> bool | None:
    roll = rng.random()
    return None if roll < p_none else roll < p_none + p_true


def _facts(kind: str, incident: bool, rng: random.Random) -> Row:
    """Qualitative inputs: known and good for 高企, partly known for SMEs, unknown for others."""
    if kind in ("anchor", "hnte", "ready"):
        return {
            "core_ip_owned": True,
            "ip_self_developed": rng.random() < 0.9,
            "led_standard": rng.random() < (0.8 if kind == "anchor" else 0.25),
            "major_incident_last_year": incident,
            "national_award_5y": kind == "anchor" and rng.random() < 0.25,
            "self_tech_advancement": rng.randint(5, 8),
            "self_core_support": rng.randint(5, 8),
            "self_rd_management": rng.randint(13, 19),
        }
    if kind in ("near", "lapsed"):
        return {
            "core_ip_owned": rng.random() < 0.85,
            "ip_self_developed": rng.random() < 0.8,
            "led_standard": False,
            "major_incident_last_year": False,
            "national_award_5y": False,
            "self_tech_advancement": rng.randint(4, 6),
            "self_core_support": rng.randint(4, 6),
            "self_rd_management": rng.randint(10, 15),
        }
    if kind == "sme":
        scored = rng.random() < 0.5
        return {
            "core_ip_owned": _maybe(rng, 0.55, 0.25),
            "ip_self_developed": _maybe(rng, 0.5, 0.3),
            "led_standard": _maybe(rng, 0.05, 0.5),
            "major_incident_last_year": _maybe(rng, 0.0, 0.4),
            "national_award_5y": None,
            "self_tech_advancement": rng.randint(2, 6) if scored else None,
            "self_core_support": rng.randint(2, 6) if scored else None,
            "self_rd_management": rng.randint(6, 14) if scored else None,
        }
    return {}
