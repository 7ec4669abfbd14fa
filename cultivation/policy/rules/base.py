"""Building blocks shared by the rule sets: parameter lookups, fiscal-year windows, figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cultivation.policy.bands import BandTable
from cultivation.policy.facts import Facts
from cultivation.policy.numbers import ceil_int
from cultivation.policy.parameters import ParameterError, ParameterTable, ParameterValue

FIELD_LABELS = {
    "employees": "职工总数",
    "tech_staff": "科技人员",
    "rd_staff": "全职研发人员",
    "sales_revenue": "销售收入",
    "total_revenue": "总收入",
    "high_tech_revenue": "高新技术产品（服务）收入",
    "core_product_revenue": "核心产品收入",
    "rd_expense": "研发费用",
    "rd_expense_domestic": "境内研发费用",
    "total_cost": "成本费用支出总额",
    "total_assets": "资产总额",
    "net_assets": "净资产",
    "ip_class_i": "Ⅰ类知识产权",
    "ip_class_ii": "Ⅱ类知识产权",
    "conversions": "成果转化项数",
}
HEADCOUNTS = frozenset({"employees", "tech_staff", "rd_staff"})


class ParameterLookup:
    """Parameters as of one date, remembering which were read (for the verdict)."""

    __slots__ = ("_as_of", "_in_force", "_table", "_used")

    def __init__(self, table: ParameterTable, as_of: date) -> None:
        self._table = table
        self._as_of = as_of
        self._in_force = table.in_force_on(as_of)  # the day's values, shared by every firm
        self._used: dict[str, ParameterValue] = {}

    def _get(self, key: str) -> ParameterValue:
        item = self._used.get(key)
        if item is None:
            # A key with no value that day: the table's lookup raises its ParameterError.
            item = self._in_force.values.get(key) or self._table.lookup(key, self._as_of)
            self._used[key] = item
        return item

    @property
    def as_of(self) -> date:
        """The evaluation date."""
        return self._as_of

    def in_force(self, key: str) -> bool:
        """Whether ``key`` has a value on the as-of date (how a rule set picks its version:
        a criterion that exists only from some date reads a key that starts on that date)."""
        return key in self._in_force.values

    def number(self, key: str) -> Decimal:
        """A numeric parameter."""
        value = self._get(key).value
        if isinstance(value, BandTable):
            raise ParameterError(f"参数 {key} 是分段表，不是数值")
        return value

    def integer(self, key: str) -> int:
        """A numeric parameter used as a whole number (days, years, points)."""
        self._get(key)
        whole = self._in_force.integers.get(key)
        return ceil_int(self.number(key)) if whole is None else whole

    def bands(self, key: str) -> BandTable:
        """A band-table parameter."""
        value = self._get(key).value
        if not isinstance(value, BandTable):
            raise ParameterError(f"参数 {key} 是数值，不是分段表")
        return value

    def used(self) -> tuple[ParameterValue, ...]:
        """Every parameter read so far, in the order first read."""
        return tuple(self._used.values())


@dataclass(frozen=True, init=False)
class Quantity:
    """A figure (possibly summed over years) or, when it cannot be known, what is missing."""

    value: Decimal | None
    missing: tuple[str, ...] = ()

    def __init__(self, value: Decimal | None, missing: tuple[str, ...] = ()) -> None:
        self.__dict__.update(value=value, missing=missing)  # cheaper than the frozen __init__


def previous_year(as_of: date) -> int:
    """The last complete fiscal year before the as-of date's year."""
    return as_of.year - 1


def lookback_years(as_of: date, registered_on: date | None, count: int) -> tuple[int, ...]:
    """The ``count`` fiscal years before as_of's year, dropping years before registration."""
    years = range(as_of.year - count, as_of.year)
    if registered_on is not None:
        return tuple(y for y in years if y >= registered_on.year)
    return tuple(years)


_ZERO = Decimal(0)


def total(facts: Facts, years: tuple[int, ...], name: str) -> Quantity:
    """The sum of one figure over ``years``; missing if any year or value is absent."""
    memo = facts.memo()
    found: Quantity | None = memo.get((years, name))
    if found is not None:
        return found
    by_year = facts.years_by_number()
    missing: list[str] = []
    amount = _ZERO
    for year in years:
        fiscal_year = by_year.get(year)
        value = None if fiscal_year is None else fiscal_year.__dict__[name]
        if value is None:
            missing.append(f"{year} 年{FIELD_LABELS[name]}")
        else:
            amount += value  # already a Decimal (FiscalYear coerces) or an int count
    if not years:
        missing.append(f"{FIELD_LABELS[name]}（无可用会计年度）")
    found = memo[years, name] = Quantity(None, tuple(missing)) if missing else Quantity(amount)
    return found


def figure(facts: Facts, year: int, name: str) -> Quantity:
    """One figure of one year."""
    return total(facts, (year,), name)
