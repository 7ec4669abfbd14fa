"""The screening engine's work per firm: what is worked out once per run (the day's parameters)
stays out of the per-firm path, and a batch runs without the cyclic garbage collector. Counted,
not timed; the answers themselves are checked by test_screening_sample and the hand-worked
tests."""

from __future__ import annotations

import gc
from datetime import UTC, date, datetime

import pytest
from screening_sample import RULES, sample_firms

from cultivation.policy import (
    ParameterError,
    ParameterTable,
    ParameterValue,
    default_parameters,
    evaluate,
)
from cultivation.policy.rules.base import ParameterLookup
from cultivation.screening.facts import build_facts
from cultivation.screening.incremental import evaluate_batch

DAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 2, tzinfo=UTC)


class CountingTable(ParameterTable):
    """The seed table, counting the lookups that go to its dated histories."""

    lookups = 0

    def lookup(self, key: str, as_of: date) -> ParameterValue:
        CountingTable.lookups += 1
        return super().lookup(key, as_of)


@pytest.fixture
def counting_table() -> CountingTable:
    CountingTable.lookups = 0
    return CountingTable(default_parameters().all_values())


def test_the_days_parameters_are_read_once_per_table_and_day_not_per_firm(
        counting_table: CountingTable) -> None:
    firms = [build_facts(raw, DAY) for raw, _ in list(sample_firms())[:60]]
    for facts in firms:
        for name in RULES:
            evaluate(name, facts, DAY, counting_table)
    assert CountingTable.lookups == 0
    assert counting_table.in_force_on(DAY) is counting_table.in_force_on(DAY)


def test_the_days_values_are_what_the_dated_lookup_gives_on_every_day() -> None:
    table = default_parameters()
    days = {DAY, date(2017, 6, 30), date(2024, 12, 31), date(2025, 1, 1)}
    days |= {item.valid_from for item in table.all_values()}
    days |= {item.valid_to for item in table.all_values() if item.valid_to is not None}
    for day in days:
        in_force = table.in_force_on(day).values
        for key in sorted(table.keys()):
            if key in in_force:
                assert in_force[key] is table.lookup(key, day)
                assert ParameterLookup(table, day).in_force(key)
            else:
                assert not any(item.covers(day) for item in table.history(key))
                assert not ParameterLookup(table, day).in_force(key)


def test_a_key_without_a_value_that_day_still_gives_the_tables_error() -> None:
    lookup = ParameterLookup(default_parameters(), date(2017, 6, 30))
    with pytest.raises(ParameterError, match="没有有效值"):
        lookup.number("zj_tech_sme.sme.other.employees_below")


def test_a_batch_runs_without_the_cyclic_collector_and_restores_it() -> None:
    items = [(raw.firm[0], raw, RULES, "f" * 32) for raw, _ in list(sample_firms())[:120]]
    passes: list[str] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            passes.append(phase)

    threshold = gc.get_threshold()
    gc.set_threshold(50)  # without the batch's switch-off, it would collect many times
    gc.callbacks.append(seen)
    try:
        rows = evaluate_batch(items, DAY, default_parameters(), NOW, 1, None, encode=True)
    finally:
        gc.callbacks.remove(seen)
        gc.set_threshold(*threshold)
    assert len(rows) == 3 * len(items)
    assert passes == []
    assert gc.isenabled()
