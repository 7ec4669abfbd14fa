"""Dated, sourced policy parameters (the OpenFisca pattern) and their strict YAML loader.

A YAML file maps catalogue keys to lists of dated values::

    hnte.tech_staff_ratio_min:
      - value: 0.10
        valid_from: 2016-01-01
        valid_to: null            # inclusive last day; null = open-ended
        source: 国科发火〔2016〕32号《高新技术企业认定管理办法》第十一条（四）
        note: 科技人员占企业当年职工总数的比例不低于 10%
        confirmed: true

Periods of one key may leave gaps but never overlap: to change a value from a date,
close the old period (``valid_to``) and add a new one starting the next day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from cultivation.policy.bands import BandError, BandTable, parse_band_table
from cultivation.policy.catalogue import PARAMETER_CATALOGUE, ParameterSpec
from cultivation.policy.numbers import JSONValue, ceil_int, decimal_to_json, to_decimal

SEED_DIR = Path(__file__).resolve().parent / "params"
_ENTRY_FIELDS = frozenset({"value", "valid_from", "valid_to", "source", "note", "confirmed"})

ParameterData = Decimal | BandTable


class ParameterError(ValueError):
    """Parameter data that is invalid or missing (the message is Chinese, for admins)."""


@dataclass(frozen=True)
class ParameterValue:
    """One value of one key, valid from ``valid_from`` to ``valid_to`` (inclusive; None = open)."""

    key: str
    value: ParameterData
    valid_from: date
    valid_to: date | None
    source: str
    note: str = ""
    confirmed: bool = True

    def covers(self, day: date) -> bool:
        """Whether this value is in force on ``day``."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def value_json(self) -> JSONValue:
        """The value as plain JSON (a number or a list of band mappings)."""
        if isinstance(self.value, BandTable):
            return self.value.to_json()
        return decimal_to_json(self.value)


class ParameterTable:
    """All values of all keys; look one up as of a date."""

    def __init__(self, values: Iterable[ParameterValue]) -> None:
        by_key: dict[str, list[ParameterValue]] = {}
        for item in values:
            _check_against_catalogue(item)
            by_key.setdefault(item.key, []).append(item)
        for key, items in by_key.items():
            items.sort(key=lambda v: v.valid_from)
            _check_no_overlap(key, items)
        self._by_key = {k: tuple(v) for k, v in by_key.items()}
        self._found: dict[tuple[str, date], ParameterValue] = {}  # lookups memo (immutable)
        self._days: dict[date, InForce] = {}  # in_force_on memo (the table never changes)

    def keys(self) -> frozenset[str]:
        """Every key that has at least one value."""
        return frozenset(self._by_key)

    def history(self, key: str) -> tuple[ParameterValue, ...]:
        """All dated values of ``key``, oldest first."""
        return self._by_key.get(key, ())

    def lookup(self, key: str, as_of: date) -> ParameterValue:
        """The ParameterValue of ``key`` in force on ``as_of``; ParameterError if none."""
        found = self._found.get((key, as_of))
        if found is not None:
            return found
        if key not in PARAMETER_CATALOGUE:
            raise ParameterError(f"未知参数键 {key!r}（不在参数目录中）")
        for item in self._by_key.get(key, ()):
            if item.covers(as_of):
                self._found[(key, as_of)] = item
                return item
        raise ParameterError(f"参数 {key}（{PARAMETER_CATALOGUE[key].label}）在 {as_of} 没有有效值")

    def value(self, key: str, as_of: date) -> ParameterData:
        """The value (Decimal or BandTable) of ``key`` in force on ``as_of``."""
        return self.lookup(key, as_of).value

    def at(self, as_of: date) -> dict[str, ParameterValue]:
        """Every key's value in force on ``as_of`` (keys with no value that day are left out)."""
        return {
            key: item for key, items in self._by_key.items() for item in items if item.covers(as_of)
        }

    def in_force_on(self, as_of: date) -> InForce:
        """``at(as_of)`` worked out once per day and kept: a screening run reads the same day's
        values for every firm. The same values ``lookup`` gives for that day."""
        found = self._days.get(as_of)
        if found is None:
            if len(self._days) >= _DAYS_KEPT:  # a long-lived process asked about many days
                self._days.clear()
            found = self._days[as_of] = InForce(as_of, self.at(as_of))
        return found

    def with_values(self, values: Iterable[ParameterValue]) -> ParameterTable:
        """A new table with ``values`` added (e.g. an admin's dated change); re-validated."""
        return ParameterTable([*self.all_values(), *values])

    def all_values(self) -> list[ParameterValue]:
        """Every dated value of every key."""
        return [item for items in self._by_key.values() for item in items]


_DAYS_KEPT = 64


class InForce:
    """Every key's value in force on one day, and the whole-number reading of each numeric one
    (``ceil_int``, as ``ParameterLookup.integer`` reads days, years and points)."""

    __slots__ = ("as_of", "integers", "values")

    def __init__(self, as_of: date, values: dict[str, ParameterValue]) -> None:
        self.as_of = as_of
        self.values = values
        self.integers = {key: ceil_int(item.value) for key, item in values.items()
                         if not isinstance(item.value, BandTable)}


def load_parameters(source: str | Path | Iterable[str | Path] | None = None) -> ParameterTable:
    """Read parameter YAML (a file, a directory of *.yaml, or several; default: the seeds)."""
    paths = _yaml_paths(SEED_DIR if source is None else source)
    values: list[ParameterValue] = []
    for path in paths:
        values.extend(parse_parameter_file(path))
    return ParameterTable(values)


@lru_cache(maxsize=1)
def default_parameters() -> ParameterTable:
    """The bundled seed parameters, read once per process."""
    return load_parameters()


def parse_parameter_file(path: Path) -> list[ParameterValue]:
    """Parse one YAML file into ParameterValues; ParameterError names the file and key."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)  # noqa: S506
    except (OSError, yaml.YAMLError) as exc:
        raise ParameterError(f"{path.name}: 无法读取 YAML：{exc}") from exc
    if data is None:
        return []
    if not isinstance(data, Mapping):
        raise ParameterError(f"{path.name}: 顶层必须是“参数键 → 取值列表”的映射")
    values = []
    for key, entries in data.items():
        where = f"{path.name}: {key}"
        if key not in PARAMETER_CATALOGUE:
            raise ParameterError(f"{where}: 未知参数键（不在参数目录 PARAMETER_CATALOGUE 中）")
        if not isinstance(entries, list) or not entries:
            raise ParameterError(f"{where}: 必须是非空的取值列表")
        for i, entry in enumerate(entries):
            values.append(_parse_entry(str(key), entry, f"{where}[{i}]"))
    return values


def _parse_entry(key: str, entry: object, where: str) -> ParameterValue:
    if not isinstance(entry, Mapping):
        raise ParameterError(f"{where}: 必须是映射（value / valid_from / source …）")
    unknown = sorted(str(k) for k in entry if k not in _ENTRY_FIELDS)
    if unknown:
        raise ParameterError(f"{where}: 未知字段 {', '.join(unknown)}")
    for required in ("value", "valid_from", "source"):
        if entry.get(required) in (None, ""):
            raise ParameterError(f"{where}: 缺少 {required}")
    source, note, confirmed = entry["source"], entry.get("note", ""), entry.get("confirmed", True)
    if not isinstance(source, str) or not source.strip():
        raise ParameterError(f"{where}: source 必须是非空文本（文号与标题）")
    if not isinstance(note, str | None):
        raise ParameterError(f"{where}: note 必须是文本")
    if not isinstance(confirmed, bool):
        raise ParameterError(f"{where}: confirmed 必须是 true 或 false")
    return ParameterValue(
        key=key,
        value=parse_value(PARAMETER_CATALOGUE[key], entry["value"], where),
        valid_from=_date(entry["valid_from"], where, "valid_from"),
        valid_to=None
        if entry.get("valid_to") is None
        else _date(entry["valid_to"], where, "valid_to"),
        source=source.strip(),
        note=(note or "").strip(),
        confirmed=confirmed,
    )


def parse_value(spec: ParameterSpec, raw: object, where: str) -> ParameterData:
    """Validate a raw number or band list against its catalogue entry."""
    if spec.kind == "bands":
        assert spec.payload is not None  # the catalogue gives every band table a payload
        try:
            return parse_band_table(raw, spec.payload)
        except BandError as exc:
            raise ParameterError(f"{where}: 分段表有误：{exc}") from exc
    number = to_decimal(raw)
    if number is None or number < 0:
        raise ParameterError(f"{where}: value 必须是非负数（{spec.label}，单位 {spec.unit}）")
    return number


def _date(raw: object, where: str, name: str) -> date:
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise ParameterError(f"{where}: {name} 必须是 YYYY-MM-DD 日期")


def _check_against_catalogue(item: ParameterValue) -> None:
    spec = PARAMETER_CATALOGUE.get(item.key)
    if spec is None:
        raise ParameterError(f"未知参数键 {item.key!r}（不在参数目录中）")
    is_bands = isinstance(item.value, BandTable)
    if is_bands != (spec.kind == "bands") or (
        isinstance(item.value, BandTable) and item.value.payload != spec.payload
    ):
        raise ParameterError(f"参数 {item.key} 的取值类型应为 {spec.kind}")
    if not item.source.strip():
        raise ParameterError(f"参数 {item.key}（{item.valid_from} 起）缺少来源 source")
    if item.valid_to is not None and item.valid_to < item.valid_from:
        raise ParameterError(f"参数 {item.key}: valid_to {item.valid_to} 早于 valid_from")


def _check_no_overlap(key: str, items: list[ParameterValue]) -> None:
    for before, after in zip(items, items[1:], strict=False):
        if before.valid_to is None or before.valid_to >= after.valid_from:
            end = before.valid_to or "长期"
            raise ParameterError(
                f"参数 {key} 的有效期重叠："
                f"{before.valid_from}～{end} 与 {after.valid_from} 起的取值"
            )


def _yaml_paths(source: str | Path | Iterable[str | Path]) -> list[Path]:
    if isinstance(source, str | Path):
        path = Path(source)
        if path.is_dir():
            return sorted(path.glob("*.yaml"))
        if not path.exists():
            raise ParameterError(f"参数文件不存在：{path}")
        return [path]
    return [p for item in source for p in _yaml_paths(item)]


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects a key written twice in one mapping (PyYAML keeps the last)
    and leaves dates as text, so a bad date gets our message instead of a ValueError."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"重复的键 {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)
