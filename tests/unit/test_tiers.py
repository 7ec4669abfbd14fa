"""Tier at a date and tier history, at the edges of validity intervals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from cultivation.qualifications.tiers import TierInterval, counts_on, tier_at, tier_history


@dataclass
class Q:
    kind: str
    valid_from: date
    valid_to: date | None
    status: str = "valid"
    revoked_on: date | None = None


HNTE_2020 = Q("hnte", date(2020, 12, 1), date(2023, 11, 30))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2020, 11, 30), "none"),  # the day before issue
        (date(2020, 12, 1), "hnte"),  # the issue day counts
        (date(2023, 11, 30), "hnte"),  # the last valid day counts
        (date(2023, 12, 1), "none"),  # the day after expiry
    ],
)
def test_a_certificate_counts_from_its_issue_day_through_its_last_day(
    day: date, expected: str
) -> None:
    assert tier_at([HNTE_2020], day) == expected


def test_the_highest_tier_wins_when_certificates_overlap() -> None:
    quals = [
        Q("zj_tech_sme", date(2020, 1, 1), date(2020, 12, 31)),
        HNTE_2020,
        Q("startup", date(2019, 1, 1), None),
    ]
    assert tier_at(quals, date(2020, 6, 1)) == "tech_sme"
    assert tier_at(quals, date(2020, 12, 15)) == "hnte"
    assert tier_at(quals, date(2025, 1, 1)) == "startup"


def test_tech_sme_tier_holds_while_either_kind_is_valid() -> None:
    quals = [
        Q("zj_tech_sme", date(2021, 1, 1), date(2021, 12, 31)),
        Q("tech_sme", date(2021, 6, 1), date(2022, 5, 31)),
    ]
    assert tier_at(quals, date(2021, 3, 1)) == "tech_sme"
    assert tier_at(quals, date(2022, 3, 1)) == "tech_sme"
    assert tier_at(quals, date(2022, 6, 1)) == "none"


def test_a_revoked_certificate_stops_counting_on_its_revocation_day() -> None:
    revoked = Q("hnte", date(2021, 1, 1), date(2023, 12, 31), "revoked", date(2022, 3, 15))
    assert counts_on(revoked, date(2022, 3, 14))
    assert not counts_on(revoked, date(2022, 3, 15))
    assert tier_at([revoked], date(2023, 1, 1)) == "none"


def test_a_revoked_certificate_without_a_date_never_counted() -> None:
    assert tier_at([Q("hnte", date(2021, 1, 1), None, "revoked")], date(2021, 6, 1)) == "none"


def test_history_records_every_interval_including_a_lapse_and_recertification() -> None:
    quals = [
        Q("zj_tech_sme", date(2019, 1, 1), date(2020, 12, 31)),
        HNTE_2020,
        Q("hnte", date(2024, 3, 1), date(2027, 2, 28)),
    ]
    assert tier_history(quals) == [
        TierInterval("tech_sme", date(2019, 1, 1), date(2020, 11, 30)),
        TierInterval("hnte", date(2020, 12, 1), date(2023, 11, 30)),
        TierInterval("none", date(2023, 12, 1), date(2024, 2, 29)),
        TierInterval("hnte", date(2024, 3, 1), date(2027, 2, 28)),
        TierInterval("none", date(2027, 3, 1), None),
    ]


def test_back_to_back_certificates_merge_into_one_interval() -> None:
    quals = [HNTE_2020, Q("hnte", date(2023, 12, 1), date(2026, 11, 30))]
    assert tier_history(quals)[0] == TierInterval("hnte", date(2020, 12, 1), date(2026, 11, 30))


def test_a_firm_without_qualifications_has_no_history() -> None:
    assert tier_history([]) == []
    assert tier_at([], date(2026, 1, 1)) == "none"


def test_a_certificate_valid_to_the_last_representable_day_has_an_open_history() -> None:
    # Stored before input dates were bounded; the firm page answered 500 (date overflow).
    quals = [Q("hnte", date(2024, 12, 1), date.max)]
    assert tier_history(quals) == [TierInterval("hnte", date(2024, 12, 1), None)]
