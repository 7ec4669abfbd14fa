"""Values as offices type them: misplaced thousands separators and bare years are refused."""

from __future__ import annotations

import pytest

from cultivation.inputs import InputError, parse_date, parse_number


@pytest.mark.parametrize(("raw", "expected"), [
    ("1,234.5", 1234.5), ("12,345,678", 12345678), ("１，２３４", 1234), ("1 000", 1000),
    ("-1,000", -1000), ("4300", 4300), ("1e3", 1000), (".5", 0.5), ("2,700,000.", 2700000),
])
def test_numbers_with_thousands_separators_are_read(raw: str, expected: float) -> None:
    assert parse_number(raw) == expected


@pytest.mark.parametrize("raw", ["1,0", "1,23,4", "12,34", ",100", "1,000,00", "1_000", "0x10",
                                 "inf", "nan", "1.2.3"])
def test_misplaced_separators_and_non_numbers_are_refused_not_guessed(raw: str) -> None:
    with pytest.raises(InputError):
        parse_number(raw)


def test_a_misplaced_separator_says_what_is_wrong() -> None:
    with pytest.raises(InputError, match="千分位"):
        parse_number("1,0")


@pytest.mark.parametrize("value", [2015, 2015.0, 1900, 2100])
def test_a_bare_year_in_a_date_cell_is_refused_rather_than_read_as_1905(value: float) -> None:
    with pytest.raises(InputError, match="只有年份"):
        parse_date(value)


def test_date_serials_still_read_as_dates() -> None:
    assert parse_date(42064).isoformat() == "2015-03-01"


@pytest.mark.parametrize("raw", ["9999-12-31", "0001-01-01", "1899-12-31", "3000-01-01"])
def test_dates_outside_1900_to_2999_are_refused(raw: str) -> None:
    with pytest.raises(InputError, match="超出范围"):
        parse_date(raw)


def test_the_ends_of_the_accepted_range_are_dates() -> None:
    assert parse_date("1900-01-01").isoformat() == "1900-01-01"
    assert parse_date("2999-12-31").isoformat() == "2999-12-31"
